"""The registration form one step at a time on a phone (360 × 800), in a real chromium
(``static/js/form-steps.js``): Next checks the step's fields and focuses the first one to fix; the step
list tells the current step (aria-current) and each step's heading gets the focus; the browser's Back
returns to the step before; nothing typed is lost; an error the server finds on step 2 opens step 2;
without JavaScript, and on a wide screen, the whole form shows with one submit button. axe-core finds no
serious or critical violation on any step, and no page logs an error (a CSP violation would).

Screenshots of each step go to ``AMF_SCREENSHOT_DIR`` when it is set."""

import os
import time
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.test import Client
from django.utils import timezone

from amf.celery import app as celery_app
from delegates.enums import NameOrder, RegistrationStatus, SignupStatus
from delegates.models import Registration
from events.enums import SessionKind
from tests.factories import DelegateCategoryFactory, ForumFactory, SessionFactory, UserFactory

from .conftest import VIEWPORTS, PageProblems, assert_no_horizontal_scroll

pytestmark = pytest.mark.browser

EMAIL = "chan.sopheaktra@siemreap.example.org"
KHMER_NAME = "ចាន់ សុភ័ក្ត្រា"
STEPS = ["delegate", "position", "contact", "travel", "sessions", "consent"]


def wait_until(page, expression: str, *, timeout: float = 10) -> None:
    """Wait until the JavaScript ``expression`` is true in the page. Polled with ``evaluate``, which
    the page's CSP does not govern: Playwright's own ``wait_for_function`` polls through ``eval``, and
    the CSP (no 'unsafe-eval') refuses that whenever the first look is not already true."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still not true after {timeout} s: {expression}")
        time.sleep(0.05)


VISIBLE_SECTIONS = (
    "[...document.querySelectorAll('[data-step]')].filter((s) => s.offsetParent !== null).length"
)


@pytest.fixture
def eager_celery():
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
    SessionFactory(
        forum=forum,
        title="Site visit: river clean-up",
        kind=SessionKind.SITE_VISIT,
        requires_signup=True,
        capacity=40,
    )
    return forum


def sign_in(page, live_server) -> None:
    user = UserFactory(email=EMAIL)
    EmailAddress.objects.create(user=user, email=EMAIL, verified=True, primary=True)
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def screenshot(page, name: str) -> None:
    folder = os.environ.get("AMF_SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def visible_steps(page) -> list[str]:
    return page.evaluate(
        """() => [...document.querySelectorAll('[data-step]')]
            .filter((section) => section.offsetParent !== null)
            .map((section) => section.dataset.step)"""
    )


def current_step(page) -> str:
    return page.locator(".steps a[aria-current='step']").get_attribute("data-step-link")


def focused(page) -> str:
    return page.evaluate("() => document.activeElement.id")


def assert_on_step(page, anchor: str) -> None:
    assert visible_steps(page) == [anchor]
    assert current_step(page) == anchor
    assert page.url.endswith(f"#section-{anchor}")


def fill_delegate(page) -> None:
    page.get_by_label("Mayor / Governor").check()
    page.get_by_label("Honorific").fill("H.E.")
    page.get_by_label("Given name", exact=True).fill("Sopheaktra")
    page.locator("#id_family_name").fill("Chan")
    page.get_by_label("Name in native script").fill(KHMER_NAME)
    page.get_by_label("Script of the native name").select_option("km")


def fill_position(page, *, city="Siem Reap") -> None:
    page.get_by_label("Position").fill("Governor")
    page.get_by_label("Local government or organisation").fill("Siem Reap Provincial Administration")
    page.get_by_label("City").fill(city)
    page.get_by_label("Country").select_option("KH")


def next_step(page) -> None:
    page.locator("[data-step-next]").click()


def test_a_phone_steps_through_the_form_and_registers_a_khmer_name(
    live_server, phone_page, axe_check, forum, eager_celery
):
    page = phone_page
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/forums/amf-2031/register/")

    # Step 1 of 6 alone, the step list as progress, Next and no submit button yet.
    assert visible_steps(page) == ["delegate"]
    assert current_step(page) == "delegate"
    assert page.locator("[data-step-next]").inner_text() == "Next: Position"
    assert not page.get_by_role("button", name="Submit the registration").is_visible()
    assert not page.get_by_role("button", name="Back").is_visible()
    assert page.locator("#section-delegate .form-section__heading").inner_text() == "Step 1 of 6\nDelegate"
    axe_check(page)
    assert_no_horizontal_scroll(page)
    screenshot(page, "step-1")

    # Next with the required fields empty: stays, says what is missing, focuses the first.
    next_step(page)
    assert visible_steps(page) == ["delegate"]
    assert focused(page) == "id_category_0"
    assert (
        page.locator("#id_category_client_error").text_content() == "Error: Choose the delegate's category."
    )
    assert (
        page.locator("#id_given_name_client_error").text_content()
        == "Error: Enter the delegate's given name."
    )
    assert "id_given_name_client_error" in page.get_by_label("Given name", exact=True).get_attribute(
        "aria-describedby"
    )
    assert page.get_by_label("Given name", exact=True).get_attribute("aria-invalid") == "true"
    axe_check(page)
    screenshot(page, "step-1-errors")

    fill_delegate(page)
    # The messages go as the fields are filled in.
    assert page.locator("[data-client-error]").count() == 0
    # The script of the native name suggests the order, which shows the delegate's name both ways.
    assert page.get_by_label("Family name first").is_checked()
    assert page.locator("[data-name-order-suggestion]").inner_text() == (
        "Ticked as usual for names in this script: change it if the delegate writes their name otherwise."
    )
    assert page.locator("[data-name-order-example='family_first']").inner_text() == "Chan Sopheaktra"
    assert page.locator("[data-name-order-example='given_first']").inner_text() == "Sopheaktra Chan"
    assert page.get_by_label("Name on badge").get_attribute("placeholder") == "Chan Sopheaktra"
    screenshot(page, "step-1-filled")

    next_step(page)
    assert_on_step(page, "position")
    assert focused(page) == "section-position-title"  # the heading, which a screen reader announces
    assert page.get_by_role("button", name="Back").is_visible()
    assert page.locator(".steps a[data-step-link='delegate']").get_attribute("class") == "steps__link--done"
    axe_check(page)
    screenshot(page, "step-2")
    fill_position(page)

    next_step(page)
    assert_on_step(page, "contact")
    assert page.get_by_label("Delegate's email").input_value() == EMAIL
    page.get_by_label("Mobile phone").fill("012 345 678")  # as dialled in Cambodia
    axe_check(page)
    screenshot(page, "step-3")

    # Enter in a field moves on rather than sending the form from the middle.
    page.get_by_label("Mobile phone").press("Enter")
    assert_on_step(page, "travel")
    axe_check(page)
    screenshot(page, "step-4")

    next_step(page)
    assert_on_step(page, "sessions")
    page.get_by_label("Site visit: river clean-up").check()
    axe_check(page)
    screenshot(page, "step-5")

    next_step(page)
    assert_on_step(page, "consent")
    assert page.get_by_role("button", name="Submit the registration").is_visible()
    assert not page.locator("[data-step-next]").is_visible()
    axe_check(page)
    screenshot(page, "step-6")

    # The browser's Back returns to the step before, with everything typed still there.
    page.go_back()
    wait_until(page, "document.activeElement.id === 'section-sessions-title'")
    assert_on_step(page, "sessions")
    assert page.get_by_label("Site visit: river clean-up").is_checked()
    page.go_back()
    page.go_back()
    wait_until(page, "location.hash === '#section-contact'")
    wait_until(page, VISIBLE_SECTIONS + " === 1 && !document.getElementById('section-contact').hidden")
    assert_on_step(page, "contact")
    assert page.get_by_label("Mobile phone").input_value() == "012 345 678"
    # The step list leads back to the first step; nothing typed there is lost either.
    page.locator(".steps a[data-step-link='delegate']").click()
    assert_on_step(page, "delegate")
    assert page.get_by_label("Name in native script").input_value() == KHMER_NAME
    # Forward through the step list checks the steps on the way, all filled: straight to the last.
    page.locator(".steps a[data-step-link='consent']").click()
    assert_on_step(page, "consent")

    # Submitting without the consent: the browser says so before anything is sent.
    page.get_by_role("button", name="Submit the registration").click()
    assert_on_step(page, "consent")
    assert focused(page) == "id_privacy_consent"
    assert page.locator("#id_privacy_consent_client_error").text_content() == (
        "Error: Please accept the privacy notice to register."
    )
    page.get_by_label("I have read the privacy notice").check()
    page.get_by_role("button", name="Submit the registration").click()
    page.wait_for_url("**/my/registrations/*/")

    registration = Registration.objects.get()
    assert (registration.status, registration.name_order, registration.badge_name) == (
        RegistrationStatus.CONFIRMED,
        NameOrder.FAMILY_FIRST,
        "Chan Sopheaktra",
    )
    assert (registration.native_name, registration.native_name_lang, str(registration.phone)) == (
        KHMER_NAME,
        "km",
        "+85512345678",
    )
    assert list(registration.signups.values_list("session__title", "status")) == [
        ("Site visit: river clean-up", SignupStatus.CONFIRMED)
    ]
    assert (
        "The registration of H.E. Chan Sopheaktra is confirmed"
        in page.locator(".message--success").inner_text()
    )
    assert page.locator("h1").inner_text() == "H.E. Chan Sopheaktra"
    assert "+855 12 345 678" in page.locator("main").inner_text()
    axe_check(page)
    screenshot(page, "registered")
    assert page.problems.messages == []


def test_an_error_the_server_finds_on_step_2_opens_step_2(live_server, phone_page, axe_check, forum):
    page = phone_page
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/forums/amf-2031/register/")
    fill_delegate(page)
    next_step(page)
    fill_position(page, city="   ")  # blank to the server, which strips it; filled to the browser
    next_step(page)
    page.get_by_label("Mobile phone").fill("+855 12 345 678")
    next_step(page)
    next_step(page)
    next_step(page)
    page.get_by_label("I have read the privacy notice").check()

    page.get_by_role("button", name="Submit the registration").click()
    page.wait_for_load_state()

    assert Registration.objects.count() == 0
    summary = page.locator("[data-error-summary]")
    assert summary.is_visible()
    assert "City: Enter the city." in summary.inner_text()
    assert page.evaluate("() => document.activeElement.hasAttribute('data-error-summary')")
    assert (visible_steps(page), current_step(page)) == (["position"], "position")
    assert page.locator(".steps a[data-step-link='position']").get_attribute("class") == "steps__link--error"
    # What was typed on every step came back.
    assert page.get_by_label("Name in native script").input_value() == KHMER_NAME
    assert page.get_by_label("Family name first").is_checked()
    assert page.get_by_label("I have read the privacy notice").is_checked()
    axe_check(page)
    screenshot(page, "server-error-step-2")

    page.get_by_role("link", name="City: Enter the city.").click()
    assert focused(page) == "id_city"
    assert visible_steps(page) == ["position"]
    page.get_by_label("City").fill("Siem Reap")
    page.locator(".steps a[data-step-link='consent']").click()
    page.get_by_role("button", name="Submit the registration").click()
    page.wait_for_url("**/my/registrations/*/")
    assert Registration.objects.get().city == "Siem Reap"
    assert page.problems.messages == []


def test_an_error_on_a_later_step_opens_that_step_from_the_summary(live_server, phone_page, forum):
    page = phone_page
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/forums/amf-2031/register/")
    fill_delegate(page)
    next_step(page)
    fill_position(page)
    next_step(page)
    page.get_by_label("Mobile phone").fill("012 345")  # too short for Cambodia: only the server knows
    next_step(page)
    next_step(page)
    next_step(page)
    page.get_by_label("I have read the privacy notice").check()
    page.get_by_role("button", name="Submit the registration").click()
    page.wait_for_load_state()

    assert (visible_steps(page), current_step(page)) == (["contact"], "contact")
    message = (
        "Mobile phone: Enter a valid number for Cambodia: as dialled there, e.g. 091 234 567, or with the "
        "country code, e.g. +855 91 234 567."
    )
    assert message in page.locator("[data-error-summary]").inner_text()


def test_without_javascript_the_whole_form_shows_and_submits(live_server, browser, forum, eager_celery):
    context = browser.new_context(viewport=VIEWPORTS["phone"], locale="en-GB", java_script_enabled=False)
    page = context.new_page()
    page.problems = PageProblems(page)
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/forums/amf-2031/register/")

    assert visible_steps(page) == STEPS
    assert not page.locator("[data-step-nav]").is_visible()
    assert page.locator(".steps a[aria-current]").count() == 0
    fill_delegate(page)
    page.get_by_label("Family name first").check()  # nothing suggests it without the script
    fill_position(page)
    page.get_by_label("Mobile phone").fill("012 345 678")
    page.get_by_label("Site visit: river clean-up").check()
    page.get_by_label("I have read the privacy notice").check()
    screenshot(page, "no-javascript")
    page.get_by_role("button", name="Submit the registration").click()
    page.wait_for_url("**/my/registrations/*/")

    registration = Registration.objects.get()
    assert (registration.status, registration.name_order, str(registration.phone)) == (
        RegistrationStatus.CONFIRMED,
        NameOrder.FAMILY_FIRST,
        "+85512345678",
    )
    assert page.locator("h1").inner_text() == "H.E. Chan Sopheaktra"
    assert page.problems.messages == []
    context.close()


def test_a_wide_screen_shows_the_whole_form(live_server, desktop_page, axe_check, forum):
    page = desktop_page
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/forums/amf-2031/register/")

    assert visible_steps(page) == STEPS
    assert not page.locator("[data-step-nav]").is_visible()
    assert page.get_by_role("button", name="Submit the registration").is_visible()
    axe_check(page)

    # Narrowed to a phone's width, it becomes the stepper, at the first step; widened, whole again.
    # (The media query's change event comes a moment after the resize: wait for it.)
    page.set_viewport_size(VIEWPORTS["phone"])
    wait_until(page, VISIBLE_SECTIONS + " === 1")
    assert visible_steps(page) == ["delegate"]
    page.set_viewport_size(VIEWPORTS["desktop"])
    wait_until(page, VISIBLE_SECTIONS + f" === {len(STEPS)}")
    assert visible_steps(page) == STEPS
    assert page.problems.messages == []
