"""The secretariat imports a list of invitees in a real chromium, and an invitee registers through the
personal link from their email, at phone and desktop sizes: a file with a bad row is refused with its
problems in a table (nothing saved), the corrected XLSX — names in Khmer, Thai and Burmese — invites
everyone; the link opens the form filled in and bound to the invitation's category, registers once,
and a second use is told so. No console or CSP error, no serious or critical axe violation."""

import io
import os
import re

import openpyxl
import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from amf.celery import app as celery_app
from delegates.enums import InvitationStatus, RegistrationStatus
from delegates.invitations.services import Invitee, invitation_create
from delegates.models import Invitation, Registration
from delegates.permissions import REGISTRARS
from tests.browser.conftest import assert_no_horizontal_scroll
from tests.browser.test_print_job_progress import problems, signed_in
from tests.delegates.invitations.conftest import in_group
from tests.factories import DelegateCategoryFactory, ForumFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADER = ["name", "position", "city", "country", "email", "category"]
PEOPLE = [
    ["សុខ វិបុល", "Governor", "Phnom Penh", "KH", "sok.vibol@phnompenh.example.org", "mayor-invited"],
    ["สมชาย ใจดี", "Deputy Governor", "Bangkok", "Thailand", "somchai@bangkok.example.org", "mayor-invited"],
    ["အောင်ကျော်မင်း", "Mayor", "Yangon", "MM", "aung.kyaw.min@yangon.example.org", "mayor-invited"],
]


def screenshot(page, name: str) -> None:
    if os.environ.get("AMF_SCREENSHOTS"):  # to look at it: AMF_SCREENSHOTS=<folder>
        page.screenshot(path=os.path.join(os.environ["AMF_SCREENSHOTS"], f"{name}.png"), full_page=True)


@pytest.fixture
def eager_celery():
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def invited_mayors():
    now = timezone.now()
    forum = ForumFactory(
        name="ASEAN Mayors Forum 2031",
        slug="amf-2031",
        registration_opens_at=now - timezone.timedelta(days=1),
        registration_closes_at=now + timezone.timedelta(days=30),
    )
    DelegateCategoryFactory(forum=forum, name="Mayor / Governor", slug="mayor", protocol_rank=10)
    return DelegateCategoryFactory(
        forum=forum, name="Mayor / Governor — by invitation", slug="mayor-invited", by_invitation=True
    )


def open_step(page, step: str) -> None:
    """On a phone the form shows one step at a time: open ``step`` through the step list."""
    if page.viewport_name == "phone":
        page.locator(f".steps a[data-step-link='{step}']").click()


def xlsx(rows) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_a_registrar_imports_a_list_after_correcting_it(
    any_page, live_server, invited_mayors, axe_check, eager_celery
):
    page = any_page
    signed_in(page, live_server, in_group(REGISTRARS, "registrar"))
    page.goto(live_server.url + reverse("admin:delegates_invitation_changelist"))
    page.get_by_role("link", name="Import a list…").click()
    page.wait_for_url("**/admin/delegates/invitation/import/")
    assert page.get_by_role("heading", name="Import invitations").is_visible()
    assert page.get_by_role("link", name="Excel template (XLSX)").is_visible()

    bad = [HEADER, PEOPLE[0], ["", "Mayor", "Hue", "Atlantis", "not-an-address", "mayor-invited"], PEOPLE[1]]
    page.get_by_label("List of invitees").set_input_files(
        {"name": "invitees.xlsx", "mimeType": "application/octet-stream", "buffer": xlsx(bad)}
    )
    page.get_by_role("button", name="Check and invite").click()
    page.wait_for_load_state()

    assert "Nobody was invited: 1 row has a problem." in page.locator("#import-errors-summary").inner_text()
    cells = page.locator("#import-errors tbody tr").all_inner_texts()
    assert [re.sub(r"\s+", " ", row).strip() for row in cells] == [
        "3 name Required: this cell is empty.",
        "3 email Not an email address like name@example.org.",
        "3 country “Atlantis” is not a country: use its ISO code (e.g. KH) or its English name.",
    ]
    assert not Invitation.objects.exists()
    assert problems(page) == []
    screenshot(page, f"invitations-import-errors-{page.viewport_name}")
    axe_check(page)
    page.problems.messages.clear()  # axe's own probes trip the CSP; the next page starts clean
    if page.viewport_name == "phone":
        # The admin's own layout may scroll; the table of problems scrolls inside its box.
        box = page.locator(".invitation-import .table-scroll").bounding_box()
        assert box["x"] + box["width"] <= 360 + 1

    page.get_by_label("List of invitees").set_input_files(
        {"name": "invitees.xlsx", "mimeType": "application/octet-stream", "buffer": xlsx([HEADER, *PEOPLE])}
    )
    page.get_by_role("button", name="Check and invite").click()
    page.wait_for_url("**/admin/delegates/invitation/?forum__id__exact=*")

    assert "3 people invited to ASEAN Mayors Forum 2031" in page.locator(".messagelist").inner_text()
    listing = page.locator("#result_list").inner_text()
    for person in PEOPLE:
        assert person[4] in listing
    assert set(Invitation.objects.values_list("status", flat=True)) == {InvitationStatus.SENT}
    assert sorted(message.to[0] for message in mail.outbox) == sorted(person[4] for person in PEOPLE)
    assert problems(page) == []
    screenshot(page, f"invitations-list-{page.viewport_name}")
    axe_check(page)


def test_an_invitee_registers_through_the_personal_link(
    any_page, live_server, invited_mayors, axe_check, eager_celery, settings
):
    settings.SITE_URL = live_server.url
    invited_mayors.forum.secretariat_email = "amf2031@uclg-aspac.example.org"
    invited_mayors.forum.save()
    invitation_create(
        forum=invited_mayors.forum,
        invitee=Invitee(
            category=invited_mayors,
            name="Sok Vibol",
            email="sok.vibol@phnompenh.example.org",
            position="Governor",
            city="Phnom Penh",
            country="KH",
        ),
        actor=None,
    )
    link = re.search(r"http://\S+/invitations/\S+/", mail.outbox[-1].body).group(0)
    invitee = UserFactory(username="sok", email="sok.vibol@phnompenh.example.org")
    EmailAddress.objects.create(user=invitee, email=invitee.email, verified=True, primary=True)
    page = any_page
    signed_in(page, live_server, invitee)

    page.goto(link)
    assert page.get_by_role("heading", level=1).inner_text() == "Register by invitation"
    assert (
        "Delegate category: Mayor / Governor — by invitation"
        in page.locator(".invited-category").inner_text()
    )
    assert page.locator("input[name=category]").count() == 0
    assert page.locator("#id_given_name").input_value() == "Vibol"
    assert page.locator("#id_family_name").input_value() == "Sok"  # family name first in Cambodia
    assert page.get_by_label("Family name first").is_checked()
    assert problems(page) == []
    screenshot(page, f"invitation-form-{page.viewport_name}")
    axe_check(page)
    assert_no_horizontal_scroll(page)
    page.problems.messages.clear()  # axe's own probes trip the CSP; the next page starts clean

    page.get_by_label("Name in native script").fill("សុខ វិបុល")
    page.get_by_label("Script of the native name").select_option("km")
    open_step(page, "position")
    assert page.get_by_label("Position").input_value() == "Governor"
    page.get_by_label("Local government or organisation").fill("Phnom Penh Capital Administration")
    assert page.get_by_label("Country").input_value() == "KH"
    open_step(page, "contact")
    assert page.get_by_label("Delegate's email").input_value() == "sok.vibol@phnompenh.example.org"
    page.get_by_label("Mobile phone").fill("012 345 678")
    open_step(page, "consent")
    page.get_by_label("I have read the privacy notice").check()
    page.get_by_role("button", name="Submit the registration").click()
    page.wait_for_url("**/my/registrations/*/")

    registration = Registration.objects.get()
    assert (registration.category, registration.status) == (invited_mayors, RegistrationStatus.CONFIRMED)
    assert "is confirmed" in page.locator(".message--success").inner_text()
    assert Invitation.objects.get().status == InvitationStatus.USED

    page.goto(link)
    assert page.get_by_role("heading", level=1).inner_text() == "This invitation has already been used"
    assert page.get_by_role("link", name="amf2031@uclg-aspac.example.org").is_visible()
    # The page answers 410 Gone, which the browser notes: that one message is expected.
    assert problems(page, also_expected=re.compile(r"status of 410")) == []
    screenshot(page, f"invitation-used-{page.viewport_name}")
    axe_check(page)
