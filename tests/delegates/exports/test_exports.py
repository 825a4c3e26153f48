"""Exports read back with real readers (the csv module, openpyxl): their rows and non-Latin names
exactly, the role's limits (no contact data without the permission, only one's own forums), formulas
never run, bounded queries, nothing left on disk."""

import csv
import datetime as dt
import io
import os
import tempfile
import time
from pathlib import Path

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from delegates.enums import SignupStatus
from delegates.models import StaffForumAccess
from delegates.permissions import READ_ONLY, REGISTRARS
from tests.delegates.accounts import staff_user
from tests.delegates.exports.conftest import in_role
from tests.factories import (
    ForumFactory,
    RegistrationFactory,
    SessionFactory,
    SessionSignupFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

EXPORT_URL = reverse("admin:delegates_registration_export")
CHANGELIST = reverse("admin:delegates_registration_changelist")


def export(client, forum, kind="delegates", file_format="csv", **fields):
    data = {"forum": forum.pk, "kind": kind, "file_format": file_format, **fields}
    data.setdefault("statuses", ["pending", "confirmed", "waitlisted"])
    return client.post(EXPORT_URL, data)


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert {"private", "no-store"} <= {part.strip() for part in response["Cache-Control"].split(",")}
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads UTF-8
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def xlsx_rows(response) -> list[list[object]]:
    assert response.status_code == 200, getattr(response, "content", b"")[:500]
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook.active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


# --- The delegate list ---------------------------------------------------------------------------------


def test_delegate_list_csv_has_the_chosen_columns_and_every_script_exactly(client, registrar, forum):
    client.force_login(registrar)

    rows = csv_rows(
        export(client, forum, columns=["reference", "name", "native_name", "country", "email", "phone"])
    )

    assert rows == [
        ["Reference", "Name", "Name in native script", "Country", "Email", "Mobile phone"],
        ["KH01-0001", "Chan Sopheaktra", "ចាន់ សុភ័ក្ត្រា", "Cambodia", "chan.sopheaktra@phnompenh.example.org",
         "'+855 12 345 678"],
        ["MM01-0003", "'=HYPERLINK(\"http://attacker.example\") Aye", "အေးအေး", "Myanmar",
         "aye@yangon.example.org", ""],
        ["TH01-0002", "Somchai Jaidee", "สมชาย ใจดี", "Thailand", "somchai.j@bangkok.example.org", ""],
    ]  # fmt: skip  # by protocol rank, then family name; the cancelled one is not asked for


def test_delegate_list_xlsx_keeps_text_as_text_and_dates_as_dates(client, registrar, forum):
    client.force_login(registrar)

    rows = xlsx_rows(
        export(
            client,
            forum,
            file_format="xlsx",
            columns=["reference", "given_name", "native_name", "phone", "arrival_date", "arrival_time"],
            statuses=["confirmed"],
        )
    )

    assert rows[0] == ["Reference", "Given name", "Name in native script", "Mobile phone", "Arrival date",
                       "Arrival time"]  # fmt: skip
    assert rows[1] == ["KH01-0001", "Sopheaktra", "ចាន់ សុភ័ក្ត្រា", "+855 12 345 678",
                       dt.datetime(2031, 10, 5), dt.time(14, 35)]  # fmt: skip
    # A name that looks like a formula stays the text typed; no formula in the workbook.
    assert rows[2][1] == '=HYPERLINK("http://attacker.example")'
    assert len(rows) == 4


def test_without_contact_permission_there_are_no_contact_details_even_when_asked(client, forum):
    SessionFactory(forum=forum, title="Lunch", serves_food=True)
    host_city = in_role(READ_ONLY, "host.city@surabaya.example.org")
    client.force_login(host_city)

    page = client.get(EXPORT_URL)
    asked = export(client, forum, columns=["reference", "email", "phone", "name"])
    rooming = export(client, forum, kind="rooming")
    rows = csv_rows(export(client, forum, columns=["reference", "name", "country"]))
    catering = csv_rows(export(client, forum, kind="catering"))

    assert page.status_code == 200
    for value in ("email", "phone", "dietary", "allergies", "hotel", "arrival_date", "rooming", "transfers",
                  "visa_letters"):  # fmt: skip
        assert f'value="{value}"' not in page.text
    assert "Your role does not include delegates' contact details" in page.text
    for refused in (asked, rooming):  # the form again, with its error: no file
        assert refused["Content-Type"].startswith("text/html")
        assert "Select a valid choice" in refused.text
    assert rows[0] == ["Reference", "Name", "Country"]
    assert catering[0][-1] == "No special requirement"  # the counts, not who has which allergy
    assert catering[1][:3] == ["Lunch", catering[1][1], "3"]
    flat = "\n".join(",".join(row) for row in rows + catering)
    assert "@" not in flat and "+855" not in flat and "Peanuts" not in flat


def test_staff_limited_to_other_forums_cannot_export_this_one(client, forum):
    other = ForumFactory(name="ASEAN Mayors Forum 2032", slug="amf-2032")
    limited = in_role(REGISTRARS, "registrar.2032@uclg-aspac.example.org")
    StaffForumAccess.objects.create(user=limited).forums.set([other])
    client.force_login(limited)

    response = export(client, forum)

    assert response.status_code == 200  # the form again, with the error, and no file
    assert response["Content-Type"].startswith("text/html")
    assert "Select a valid choice" in response.text
    assert "ASEAN Mayors Forum 2031" not in response.text


@pytest.mark.parametrize("who", ["anonymous", "delegate", "staff without the permission", "door team"])
def test_only_staff_who_may_export_reach_the_page(client, forum, who):
    if who == "delegate":
        client.force_login(UserFactory(email="delegate@city.example.org"))
    elif who == "staff without the permission":
        client.force_login(staff_user("viewer", "view_registration"))
    elif who == "door team":
        client.force_login(in_role("Badge and door team", "door@uclg-aspac.example.org"))

    page = client.get(EXPORT_URL)
    post = export(client, forum)

    expected = {"anonymous": 302, "delegate": 404}.get(who, 403)
    assert (page.status_code, post.status_code) == (expected, expected)


def test_the_list_links_to_the_export_page_for_those_who_may_export(client, registrar, forum):
    client.force_login(registrar)

    page = client.get(CHANGELIST, {"forum__id__exact": forum.pk})

    assert f'href="{EXPORT_URL}?forum={forum.pk}"' in page.text
    assert client.get(EXPORT_URL, {"forum": forum.pk}).status_code == 200


def test_export_of_the_selection_has_exactly_the_selected_registrations(client, registrar, forum):
    client.force_login(registrar)
    chosen = list(
        forum.registrations.filter(reference__in=["KH01-0001", "VN01-0004"]).values_list("pk", flat=True)
    )
    action = {"action": "export_selected", "_selected_action": chosen, "index": "0"}

    page = client.post(CHANGELIST, action)
    rows = csv_rows(
        client.post(
            CHANGELIST,
            {**action, "confirm_action": "Export", "columns": ["reference", "status"], "file_format": "csv"},
        )
    )

    assert page.status_code == 200
    assert "The delegate list of the 2 selected registrations." in page.text
    assert rows == [["Reference", "Status"], ["KH01-0001", "Confirmed"], ["VN01-0004", "Cancelled"]]


# --- The lists for the caterer, the hotels, the airport team, visas and sessions ------------------------


def test_catering_counts_diners_of_each_meal_by_dietary_requirement_with_the_allergies(
    client, registrar, forum
):
    starts = dt.datetime(2031, 10, 6, 5, 0, tzinfo=dt.UTC)  # 12:00 in Surabaya
    SessionFactory(forum=forum, title="Lunch", serves_food=True, starts_at=starts)
    dinner = SessionFactory(
        forum=forum, title="Gala dinner", serves_food=True, requires_signup=True,
        starts_at=starts + dt.timedelta(hours=7),
    )  # fmt: skip
    SessionFactory(forum=forum, title="Plenary", serves_food=False, starts_at=starts - dt.timedelta(hours=3))
    SessionSignupFactory(registration=forum.registrations.get(reference="KH01-0001"), session=dinner)
    SessionSignupFactory(
        registration=forum.registrations.get(reference="TH01-0002"),
        session=dinner,
        status=SignupStatus.WAITLISTED,
    )
    client.force_login(registrar)

    rows = csv_rows(export(client, forum, kind="catering"))

    assert rows == [
        ["Session", "Starts", "Diners", "Vegetarian", "Vegan", "Halal", "Other (please give details)",
         "No special requirement", "Allergies and other requirements"],
        ["Lunch", "2031-10-06 12:00", "3", "0", "0", "1", "1", "1",
         "Chan Sopheaktra: Peanuts\nSomchai Jaidee: No pork, no beef"],
        ["Gala dinner", "2031-10-06 19:00", "1", "0", "0", "1", "0", "0", "Chan Sopheaktra: Peanuts"],
    ]  # fmt: skip


def test_rooming_list_is_by_hotel_with_nights_and_who_gave_no_hotel_last(client, registrar, forum):
    client.force_login(registrar)

    rows = csv_rows(export(client, forum, kind="rooming"))

    assert rows[0] == ["Hotel", "Honorific", "Name", "Name in native script", "Country", "Category",
                       "Arrival date", "Departure date", "Nights", "Accompanying persons", "Mobile phone",
                       "Email"]  # fmt: skip
    assert [(row[0], row[2], row[6], row[7], row[8]) for row in rows[1:]] == [
        ("Bumi Surabaya", '\'=HYPERLINK("http://attacker.example") Aye', "2031-10-04", "2031-10-07", "3"),
        ("Hotel Majapahit", "Chan Sopheaktra", "2031-10-05", "2031-10-08", "3"),
        ("", "Somchai Jaidee", "2031-10-05", "", ""),
    ]


def test_transfer_manifest_is_by_arrival_date_time_and_flight(client, registrar, forum):
    client.force_login(registrar)

    rows = xlsx_rows(export(client, forum, kind="transfers", file_format="xlsx"))

    assert rows[0][:6] == ["Arrival date", "Arrival time", "Arrival flight", "Honorific", "Name",
                           "Name in native script"]  # fmt: skip
    assert [row[1:6] for row in rows[1:]] == [
        [dt.time(9, 10), "TG 433", "Mr.", "Somchai Jaidee", "สมชาย ใจดี"],
        [dt.time(14, 35), "QZ 7512", "H.E.", "Chan Sopheaktra", "ចាន់ សុភ័ក្ត្រា"],
    ]


def test_visa_letters_list_who_still_takes_part_and_asked(client, registrar, forum):
    client.force_login(registrar)

    rows = csv_rows(export(client, forum, kind="visa_letters"))

    assert [row[:6] for row in rows] == [
        ["Reference", "Status", "Honorific", "Given name", "Family name", "Name in native script"],
        ["KH01-0001", "Confirmed", "H.E.", "Sopheaktra", "Chan", "ចាន់ សុភ័ក្ត្រា"],
    ]  # the cancelled delegate's request is not for the embassy any more


def test_roster_of_a_session_with_sign_up_lists_confirmed_then_waitlisted(client, registrar, forum):
    visit = SessionFactory(
        forum=forum, title="Site visit: Command Centre 112", requires_signup=True, capacity=1
    )
    SessionSignupFactory(registration=forum.registrations.get(reference="TH01-0002"), session=visit)
    SessionSignupFactory(
        registration=forum.registrations.get(reference="KH01-0001"),
        session=visit,
        status=SignupStatus.WAITLISTED,
    )
    SessionSignupFactory(
        registration=forum.registrations.get(reference="VN01-0004"),
        session=visit,
        status=SignupStatus.RELEASED,
    )
    client.force_login(registrar)

    rows = csv_rows(export(client, forum, kind="roster", session=visit.pk))
    missing = export(client, forum, kind="roster")

    assert [row[:4] for row in rows] == [
        ["Place", "Reference", "Honorific", "Name"],
        ["Confirmed", "TH01-0002", "Mr.", "Somchai Jaidee"],
        ["Waitlisted", "KH01-0001", "H.E.", "Chan Sopheaktra"],
    ]
    assert "Choose the session whose roster to export." in missing.text


# --- Bounded work, nothing left behind ------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["delegates", "rooming", "transfers", "visa_letters"])
def test_an_export_takes_the_same_queries_for_ten_or_a_hundred_delegates(client, registrar, forum, kind):
    client.force_login(registrar)
    category = forum.categories.first()

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = export(client, forum, kind=kind)
            b"".join(response.streaming_content)
        return len(captured)

    RegistrationFactory.create_batch(
        10, category=category, needs_airport_transfer=True, needs_visa_letter=True
    )
    few = queries()
    RegistrationFactory.create_batch(
        90, category=category, needs_airport_transfer=True, needs_visa_letter=True
    )

    assert queries() == few


def test_xlsx_export_leaves_no_file_behind_and_cleans_what_a_killed_one_left(client, registrar, forum):
    root = Path(tempfile.gettempdir())
    stale = Path(tempfile.mkdtemp(prefix="amf-export-"))
    (stale / "sheet.xml").write_text("<row>Chan Sopheaktra</row>")
    hour_ago = time.time() - 2 * 3600
    os.utime(stale, (hour_ago, hour_ago))
    before = set(root.glob("amf-export-*")) - {stale}
    client.force_login(registrar)

    rows = xlsx_rows(export(client, forum, file_format="xlsx"))

    assert len(rows) == 4
    assert not stale.exists()
    assert set(root.glob("amf-export-*")) == before
