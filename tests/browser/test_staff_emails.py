"""A registrar writes to the delegates of a filtered list in a real browser, at phone and desktop
sizes: ticks them all, writes the email with placeholders, previews it as two of them will receive it
(the rendered email in its frame), and sends it after the page has said to how many. No console or CSP
error, no serious accessibility problem, nothing wider than the screen on the way."""

import os

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from delegates.models import EmailOutbox, StaffEmail
from delegates.permissions import REGISTRARS
from tests.browser.conftest import assert_no_horizontal_scroll
from tests.browser.test_print_job_progress import problems, signed_in
from tests.factories import DelegateCategoryFactory, ForumFactory, RegistrationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHANGELIST = reverse("admin:delegates_registration_changelist")
DELEGATES = [
    ("KH01-0001", "Sopheaktra", "Chan", "family_first", "ចាន់ សុភ័ក្ត្រា", "km"),
    ("TH01-0002", "Somchai", "Jaidee", "given_first", "สมชาย ใจดี", "th"),
    ("LA01-0003", "Bounmy", "Phommachanh", "given_first", "ບຸນມີ ພົມມະຈັນ", "lo"),
]


@pytest.fixture
def registrar():
    user = UserFactory(username="registrar@uclg-aspac.example.org", email="registrar@uclg-aspac.example.org",
                       is_staff=True)  # fmt: skip
    user.groups.add(Group.objects.get(name=REGISTRARS))
    return user


@pytest.fixture
def forum():
    forum = ForumFactory(
        name="ASEAN Mayors Forum 2031", slug="amf-2031", secretariat_email="amf@uclg-aspac.org"
    )
    mayors = DelegateCategoryFactory(forum=forum, name="Mayor / Governor", slug="mayor")
    for reference, given, family, order, native, lang in DELEGATES:
        RegistrationFactory(category=mayors, reference=reference, given_name=given, family_name=family,
                            name_order=order, native_name=native, native_name_lang=lang)  # fmt: skip
    return forum


def look(page, name: str, axe_check) -> None:
    """What every page of the way must be: nothing wider than the screen, no console or CSP error, no
    serious accessibility problem; and a screenshot to look at (AMF_SCREENSHOTS=<folder>)."""
    if os.environ.get("AMF_SCREENSHOTS"):
        page.screenshot(
            path=os.path.join(os.environ["AMF_SCREENSHOTS"], f"staff-email-{name}-{page.viewport_name}.png"),
            full_page=True,
        )
    assert_no_horizontal_scroll(page)
    assert problems(page) == []
    axe_check(page)
    # axe's own inline styles trip the page's CSP: what it logged is not the next page's problem.
    page.problems.messages.clear()
    page.favicon_errors.clear()


def test_registrar_composes_previews_and_sends_an_email_to_the_selection(
    any_page, live_server, registrar, forum, axe_check
):
    page = any_page
    signed_in(page, live_server, registrar)
    page.goto(live_server.url + CHANGELIST + f"?forum__id__exact={forum.pk}")
    page.locator("#action-toggle").check()
    page.locator("select[name=action]").select_option("email_selected")
    page.get_by_role("button", name="Go").click()
    page.wait_for_load_state()

    assert page.get_by_role("heading", name="Email the selection").is_visible()
    assert "An email to the 3 selected registrations." in page.locator("#content-main").inner_text()
    page.get_by_label("Subject").fill("Your airport transfer, {name}")
    page.get_by_label("Message").fill("Dear {full_name},\n\nA car waits for you.\n\nReference: {referenc}")
    page.get_by_role("button", name="Preview").click()
    page.wait_for_load_state()
    assert (
        "Unknown placeholder: {referenc}. Use one of those listed." in page.locator(".errorlist").inner_text()
    )
    look(page, "compose-error", axe_check)

    page.get_by_label("Message").fill("Dear {full_name},\n\nA car waits for you.\n\nReference: {reference}")
    page.get_by_role("button", name="Preview").click()
    page.wait_for_url("**/preview/")
    assert page.get_by_role("heading", name="Preview the email").is_visible()
    assert "To 3 delegates of ASEAN Mayors Forum 2031" in page.locator("#staff-email-recipients").inner_text()
    assert (
        page.locator(".staff-email-subject").inner_text() == "Subject: Your airport transfer, Chan Sopheaktra"
    )
    frame = page.frame_locator("iframe.staff-email-frame")
    assert frame.get_by_text("Dear H.E. Chan Sopheaktra,").is_visible()
    assert frame.get_by_text("Reference: KH01-0001").is_visible()
    page.get_by_label("Show it as received by").select_option(label="H.E. Somchai Jaidee (TH01-0002)")
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state()
    assert (
        page.locator(".staff-email-subject").inner_text() == "Subject: Your airport transfer, Somchai Jaidee"
    )
    assert page.frame_locator("iframe.staff-email-frame").get_by_text("Reference: TH01-0002").is_visible()
    look(page, "preview", axe_check)

    send = page.get_by_role("link", name="Send…")
    send.scroll_into_view_if_needed()  # below the frame on a phone
    send.click()
    page.wait_for_url("**/send/")
    assert (
        "will go to 3 delegates of ASEAN Mayors Forum 2031, each once."
        in page.locator("#staff-email-send-count").inner_text()
    )
    look(page, "send", axe_check)
    page.get_by_role("button", name="Send to 3 delegates").click()
    page.wait_for_url("**/change/")

    assert "The email is on its way to 3 delegates" in page.locator(".messagelist").inner_text()
    table = page.locator("#staff-email-recipients-table").inner_text()
    assert all(reference in table for reference, *_rest in DELEGATES)
    staff_email = StaffEmail.objects.get()
    assert (staff_email.sent_by, staff_email.recipient_count) == (registrar, 3)
    assert EmailOutbox.objects.filter(staff_email=staff_email).count() == 3
    look(page, "delivery", axe_check)


def test_registrar_writes_to_a_filter_from_the_emails_section(
    any_page, live_server, registrar, forum, axe_check
):
    Registration = forum.registrations.model
    Registration.objects.filter(reference="KH01-0001").update(arrival_date="2030-10-05")
    Registration.objects.filter(reference="TH01-0002").update(arrival_date="2030-10-05", status="cancelled")
    page = any_page
    signed_in(page, live_server, registrar)
    page.goto(live_server.url + reverse("admin:index"))
    page.get_by_role("link", name="Emails to delegates").first.click()
    page.get_by_role("link", name="Add email to delegates").click()
    page.wait_for_url("**/staffemail/add/")

    assert page.get_by_role("heading", name="Write to delegates").is_visible()
    page.get_by_label("Arriving on").fill("2030-10-05")
    page.get_by_label("Subject").fill("Your arrival on 5 October")
    page.get_by_label("Message").fill("Dear {full_name},\n\nA car waits for you at the airport.")
    look(page, "compose-filter", axe_check)
    page.get_by_role("button", name="Preview").click()
    page.wait_for_url("**/preview/")

    recipients = page.locator("#staff-email-recipients").inner_text()
    assert recipients == (
        "To 1 delegate of ASEAN Mayors Forum 2031: Pending approval, Confirmed, Waitlisted · arriving on "
        "5 October 2030."
    )
    assert (
        page.frame_locator("iframe.staff-email-frame").get_by_text("Dear H.E. Chan Sopheaktra,").is_visible()
    )
    look(page, "preview-filter", axe_check)
