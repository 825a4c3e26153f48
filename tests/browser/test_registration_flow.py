"""A delegate on a phone (360 × 800) in a real chromium: sign up, verify the email address with the link
from the email that was sent, register with a Khmer name, see the confirmation, cancel with the
confirmation step. axe-core finds no serious or critical violation on any page on the way, no page
scrolls sideways and none logs an error (a CSP violation would)."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail
from django.test import Client
from django.utils import timezone

from amf.celery import app as celery_app
from delegates.enums import EmailKind, RegistrationStatus
from delegates.models import EmailOutbox, Registration
from events.enums import SessionKind
from tests.factories import DelegateCategoryFactory, ForumFactory, SessionFactory, UserFactory

from .conftest import assert_no_horizontal_scroll

pytestmark = pytest.mark.browser

EMAIL = "sok.vibol@phnompenh.example.org"
PASSWORD = "Mekong-river-2031!"
KHMER_NAME = "សុខ វិបុល"


@pytest.fixture
def eager_celery():
    """Emails are sent when enqueued (after commit), in the server's thread, to Django's in-memory
    mailbox: what a worker would do, without one."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def forum(transactional_db):
    now = timezone.now()
    forum = ForumFactory(
        name="ASEAN Mayors Forum 2031",
        slug="amf-2031",
        registration_opens_at=now - timezone.timedelta(days=1),
        registration_closes_at=now + timezone.timedelta(days=30),
    )
    DelegateCategoryFactory(forum=forum, name="Mayor / Governor", slug="mayor", protocol_rank=10)
    DelegateCategoryFactory(
        forum=forum, name="Partner organisation", slug="partner", requires_approval=True, protocol_rank=50
    )
    SessionFactory(
        forum=forum,
        title="Site visit: river clean-up",
        kind=SessionKind.SITE_VISIT,
        requires_signup=True,
        capacity=20,
    )
    return forum


def test_delegate_signs_up_verifies_registers_and_cancels_on_a_phone(
    live_server, phone_page, axe_check, forum, eager_celery, settings
):
    page = phone_page
    base = live_server.url
    settings.SITE_URL = base  # emails link to the site as the public reaches it
    checked = []

    def check(name):
        assert page.locator("h1").count() == 1, name
        assert page.locator("main").count() == 1, name
        axe_check(page)
        assert_no_horizontal_scroll(page)
        checked.append(name)

    # Registering needs an account: the form sends the visitor to sign in, and back afterwards.
    page.goto(f"{base}/forums/amf-2031/register/")
    assert page.url == f"{base}/accounts/login/?next=/forums/amf-2031/register/"
    check("login")

    page.locator("main").get_by_role("link", name="Create an account").click()
    page.wait_for_url("**/accounts/signup/**")
    check("signup")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.get_by_role("button", name="Create the account").click()
    page.wait_for_url("**/accounts/confirm-email/")
    check("verification sent")

    # The verification link, from the email that was sent.
    assert [message.to for message in mail.outbox] == [[EMAIL]]
    assert EmailOutbox.objects.get(kind=EmailKind.ACCOUNT).to == EMAIL
    link = re.search(r"http://\S+/accounts/confirm-email/\S+/", mail.outbox[0].body).group(0)
    assert link.startswith(base)
    page.goto(link)
    check("confirm email")
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_load_state()

    # The registration form, on a phone: one step at a time (tests/browser/test_registration_steps.py).
    page.goto(f"{base}/forums/amf-2031/register/")
    assert page.get_by_role("heading", level=1).inner_text() == "Register a delegate"
    check("register")
    page.get_by_label("Mayor / Governor").check()
    page.get_by_label("Honorific").fill("H.E.")
    page.locator("#id_given_name").fill("Vibol")
    page.locator("#id_family_name").fill("Sok")
    page.get_by_label("Name in native script").fill(KHMER_NAME)
    page.get_by_label("Script of the native name").select_option("km")
    assert page.get_by_label("Name in native script").get_attribute("lang") == "km"
    assert page.get_by_label("Family name first").is_checked()  # usual for a Khmer name
    page.locator("[data-step-next]").click()
    page.get_by_label("Position").fill("Governor")
    page.get_by_label("Local government or organisation").fill("Phnom Penh Capital Administration")
    page.get_by_label("City").fill("Phnom Penh")
    page.get_by_label("Country").select_option("KH")
    page.locator("[data-step-next]").click()
    assert page.get_by_label("Delegate's email").input_value() == EMAIL
    page.get_by_label("Mobile phone").fill("012 345")  # too short for Cambodia: the server says so
    page.locator("[data-step-next]").click()  # travel and needs: nothing required
    page.locator("[data-step-next]").click()
    page.get_by_label("Site visit: river clean-up").check()
    page.locator("[data-step-next]").click()
    page.get_by_label("I have read the privacy notice").check()
    page.get_by_role("button", name="Submit the registration").click()

    page.wait_for_load_state()
    summary = page.locator("[data-error-summary]")
    assert (
        "Mobile phone: Enter a valid number for Cambodia: as dialled there, e.g. 091 234 567, or with the "
        "country code, e.g. +855 91 234 567."
    ) in summary.inner_text()
    flagged = page.locator(".steps__link--error")
    assert [flagged.nth(n).get_attribute("href") for n in range(flagged.count())] == ["#section-contact"]
    assert page.evaluate("() => document.activeElement.hasAttribute('data-error-summary')")
    assert page.get_by_label("Mobile phone").is_visible()  # the step that holds the error is open
    check("register with errors")

    page.get_by_role("link", name="Mobile phone: Enter a valid number for Cambodia").click()
    assert page.evaluate("() => document.activeElement.id") == "id_phone"
    page.get_by_label("Mobile phone").fill("012 345 678")  # as dialled in Cambodia
    page.locator(".steps a[data-step-link='consent']").click()
    assert page.get_by_label("I have read the privacy notice").is_checked()  # kept from before
    page.get_by_role("button", name="Submit the registration").click()
    page.wait_for_url("**/my/registrations/*/")

    registration = Registration.objects.get()
    assert (registration.status, registration.native_name, registration.native_name_lang) == (
        RegistrationStatus.CONFIRMED,
        KHMER_NAME,
        "km",
    )
    assert "The registration of H.E. Sok Vibol is confirmed" in page.locator(".message--success").inner_text()
    native = page.locator("h1 + .registration-native .native-name")
    assert (native.inner_text(), native.get_attribute("lang")) == (KHMER_NAME, "km")
    check("registration detail")

    # Cancel, with a confirmation step.
    page.get_by_role("link", name="Cancel the registration").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Cancel the registration of H.E. Sok Vibol?"
    check("cancel confirmation")
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED  # nothing happens before confirming
    page.get_by_label("Reason").fill("Another engagement on these dates.")
    page.get_by_role("button", name="Yes, cancel the registration").click()
    page.wait_for_url(f"**/my/registrations/{registration.public_id}/")

    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CANCELLED
    assert page.locator(".registration-status-line .status").inner_text() == "Cancelled"
    check("cancelled detail")

    page.get_by_role("link", name="My registrations").first.click()
    check("my registrations")
    assert page.problems.messages == []
    assert len(checked) == 10


@pytest.mark.parametrize(
    "path",
    [
        "/accounts/email/",
        "/accounts/password/change/",
        "/accounts/2fa/",
        "/accounts/2fa/totp/activate/",  # asks to confirm the password first (reauthenticate)
        "/accounts/logout/",
        "/my/registrations/",
        "/privacy/",
    ],
)
def test_account_pages_are_accessible_on_a_phone(path, live_server, phone_page, axe_check, transactional_db):
    user = UserFactory(email="secretariat@uclg-aspac.example.org", is_staff=True)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    client = Client()
    client.force_login(user)
    phone_page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )

    response = phone_page.goto(live_server.url + path)

    assert response.status == 200
    assert phone_page.locator("h1").count() == 1
    assert phone_page.locator("main").count() == 1
    assert (
        phone_page.get_by_role("navigation", name="Your account")
        .get_by_role("button", name="Sign out")
        .count()
        == 1
    )
    axe_check(phone_page)
    assert_no_horizontal_scroll(phone_page)
    assert phone_page.problems.messages == []


@pytest.mark.parametrize("path", ["/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"])
def test_sign_in_pages_show_their_errors_accessibly(
    path, live_server, phone_page, axe_check, transactional_db
):
    page = phone_page
    page.goto(live_server.url + path)

    page.locator("main form").get_by_role("button").last.click()
    page.wait_for_load_state()

    assert page.locator(".field__error").count() >= 1
    invalid = page.locator("main input[aria-invalid='true']")
    assert invalid.count() >= 1
    described = invalid.first.get_attribute("aria-describedby").split()
    assert any(page.locator(f"#{ident}.field__error").count() == 1 for ident in described)
    axe_check(page)
    assert_no_horizontal_scroll(page)
