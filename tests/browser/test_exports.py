"""A registrar's morning, in a real browser: approve the pending delegates in bulk, then export the
delegate list as XLSX and find their names — in their own scripts — in the workbook. The export page
has no serious accessibility problem, at desktop and phone sizes."""

import os

import openpyxl
import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from delegates.enums import RegistrationStatus
from delegates.models import Registration
from delegates.permissions import REGISTRARS
from tests.browser.conftest import assert_no_horizontal_scroll
from tests.browser.test_print_job_progress import problems, signed_in
from tests.factories import DelegateCategoryFactory, ForumFactory, RegistrationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHANGELIST = reverse("admin:delegates_registration_changelist")
EXPORT_URL = reverse("admin:delegates_registration_export")
PENDING = {
    "KH01-0001": ("Sopheaktra", "Chan", "ចាន់ សុភ័ក្ត្រា", "km", "KH"),
    "TH01-0002": ("Somchai", "Jaidee", "สมชาย ใจดี", "th", "TH"),
    "LA01-0003": ("Bounmy", "Phommachanh", "ບຸນມີ ພົມມະຈັນ", "lo", "LA"),
}


@pytest.fixture
def registrar():
    user = UserFactory(username="registrar@uclg-aspac.example.org", email="registrar@uclg-aspac.example.org",
                       is_staff=True)  # fmt: skip
    user.groups.add(Group.objects.get(name=REGISTRARS))
    return user


@pytest.fixture
def forum():
    forum = ForumFactory(name="ASEAN Mayors Forum 2031", slug="amf-2031")
    mayors = DelegateCategoryFactory(
        forum=forum, name="Mayor / Governor", slug="mayor", requires_approval=True
    )
    for reference, (given, family, native, lang, country) in PENDING.items():
        RegistrationFactory(
            category=mayors, reference=reference, status=RegistrationStatus.PENDING, given_name=given,
            family_name=family, native_name=native, native_name_lang=lang, country=country,
        )  # fmt: skip
    return forum


def test_registrar_approves_in_bulk_then_exports_the_list_as_xlsx(desktop_page, live_server, registrar, forum,
                                                                   axe_check, tmp_path):  # fmt: skip
    page = desktop_page
    signed_in(page, live_server, registrar)
    page.goto(live_server.url + CHANGELIST + f"?forum__id__exact={forum.pk}&status__exact=pending")

    page.locator("#action-toggle").check()
    page.locator("select[name=action]").select_option("approve_selected")
    page.get_by_role("button", name="Go").click()
    page.wait_for_load_state()

    assert "3 approved" in page.locator(".messagelist").inner_text()
    assert set(Registration.objects.filter(forum=forum).values_list("status", flat=True)) == {"confirmed"}

    page.goto(live_server.url + CHANGELIST + f"?forum__id__exact={forum.pk}")
    page.get_by_role("link", name="Export…").click()
    page.wait_for_url(f"**{EXPORT_URL}?forum={forum.pk}")
    assert page.get_by_role("heading", name="Export registrations").is_visible()
    page.get_by_label("Excel workbook (XLSX)").check()
    with page.expect_download() as download:
        page.get_by_role("button", name="Export").click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)

    assert download.value.suggested_filename == "delegates-amf-2031.xlsx"
    rows = list(openpyxl.load_workbook(path).active.iter_rows(values_only=True))
    names = {row[0]: row[4] for row in rows[1:]}  # reference → name in native script
    assert names == {reference: person[2] for reference, person in PENDING.items()}
    assert {row[1] for row in rows[1:]} == {"Confirmed"}
    assert problems(page) == []
    axe_check(page)  # last: axe's own probes trip the page's CSP


def test_export_page_works_at_phone_size(phone_page, live_server, registrar, forum, axe_check):
    page = phone_page
    signed_in(page, live_server, registrar)

    page.goto(live_server.url + EXPORT_URL)

    assert page.get_by_role("heading", name="Export registrations").is_visible()
    assert page.get_by_role("radio", name="Rooming list by hotel").is_visible()
    assert page.locator(".errornote").count() == 0
    assert_no_horizontal_scroll(page)
    if os.environ.get("AMF_SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["AMF_SCREENSHOTS"], "export-phone.png"), full_page=True)
    assert problems(page) == []
    axe_check(page)  # last: axe's own probes trip the page's CSP
