"""The attendance export of a check-in list: every delegate the list admits with whether, when, by
whom and on which device they were checked in; read back with the csv module and openpyxl, non-Latin
names exactly; a session's list only its signed-up delegates; undone check-ins not counted; no contact
details for the read-only role; queries that do not grow with the delegates."""

import datetime as dt
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from delegates.checkin.services import Scan, checkin_lists_sync, checkin_scan, checkin_undo
from delegates.checkin.tokens import checkin_token_issue
from delegates.enums import CheckInListKind, SignupStatus
from delegates.models import CheckInList
from delegates.permissions import BADGE_AND_DOOR_TEAM, READ_ONLY
from tests.delegates.exports.conftest import in_role
from tests.delegates.exports.test_exports import csv_rows, export, xlsx_rows
from tests.factories import RegistrationFactory, SessionFactory, SessionSignupFactory

pytestmark = pytest.mark.django_db

# 09:12 in Surabaya (Asia/Jakarta, UTC+7); a scan's time is the device's, up to the server's now.
MORNING = dt.datetime(2026, 10, 6, 2, 12, tzinfo=dt.UTC)


@pytest.fixture
def door(db):
    user = in_role(BADGE_AND_DOOR_TEAM, "siti@uclg-aspac.example.org")
    user.first_name, user.last_name = "Siti", "Rahma"
    user.save()
    return user


def check_in(checkin_list, registration, staff, *, at=MORNING):
    return checkin_scan(
        checkin_list=checkin_list,
        scan=Scan(
            idempotency_key=uuid.uuid4(), token=checkin_token_issue(registration=registration), scanned_at=at
        ),
        staff=staff,
        device="phone-1",
        device_label="Door 1",
    )


@pytest.fixture
def entry(forum, door):
    checkin_lists_sync(forum=forum)
    first = CheckInList.objects.filter(forum=forum, kind=CheckInListKind.DAY).order_by("day").first()
    assert check_in(first, forum.registrations.get(reference="KH01-0001"), door).verdict == "checked_in"
    return first


def test_attendance_lists_who_came_and_who_did_not_with_time_staff_and_device(
    client, registrar, forum, entry
):
    client.force_login(registrar)

    rows = csv_rows(export(client, forum, kind="attendance", checkin_list=entry.pk))

    assert rows[0][:9] == [
        "Checked in",
        "Checked in at",
        "Checked in by",
        "Device",
        "Reference",
        "Status",
        "Honorific",
        "Name",
        "Name in native script",
    ]
    by_reference = {row[4]: row for row in rows[1:]}
    # The cancelled delegate is not admitted and did not come: not listed.
    assert set(by_reference) == {"KH01-0001", "TH01-0002", "MM01-0003"}
    assert by_reference["KH01-0001"][:9] == [
        "Yes",
        "2026-10-06 09:12",
        "Siti Rahma",
        "Door 1",
        "KH01-0001",
        "Confirmed",
        "H.E.",
        "Chan Sopheaktra",
        "ចាន់ សុភ័ក្ត្រា",
    ]
    assert by_reference["TH01-0002"][:4] == ["No", "", "", ""]
    assert by_reference["TH01-0002"][8] == "สมชาย ใจดี"


def test_attendance_xlsx_keeps_the_time_as_a_time_and_names_its_sheet_after_the_list(
    client, registrar, forum, entry
):
    client.force_login(registrar)

    response = export(client, forum, kind="attendance", checkin_list=entry.pk, file_format="xlsx")
    rows = xlsx_rows(response)

    assert response["Content-Disposition"].startswith('attachment; filename="attendance-amf-2031-entry-')
    came = next(row for row in rows if row[4] == "KH01-0001")
    assert came[:4] == ["Yes", dt.datetime(2026, 10, 6, 9, 12), "Siti Rahma", "Door 1"]
    assert next(row for row in rows if row[4] == "MM01-0003")[8] == "အေးအေး"


def test_an_undone_check_in_does_not_count_and_a_cancelled_arrival_still_shows(
    client, registrar, forum, entry, door
):
    thai = forum.registrations.get(reference="TH01-0002")
    checkin_undo(check_in=check_in(entry, thai, door).check_in, actor=door)
    cambodian = forum.registrations.get(reference="KH01-0001")
    cambodian.status = "cancelled"  # cancelled after coming through the door
    cambodian.save(update_fields=["status"])
    client.force_login(registrar)

    rows = csv_rows(export(client, forum, kind="attendance", checkin_list=entry.pk))

    by_reference = {row[4]: row for row in rows[1:]}
    assert by_reference["TH01-0002"][0] == "No"
    assert by_reference["KH01-0001"][:6] == [
        "Yes",
        "2026-10-06 09:12",
        "Siti Rahma",
        "Door 1",
        "KH01-0001",
        "Cancelled",
    ]


def test_a_session_list_lists_its_signed_up_delegates_only(client, registrar, forum, door):
    visit = SessionFactory(
        forum=forum, title="Site visit: Command Centre 112", requires_signup=True, capacity=5
    )
    SessionSignupFactory(registration=forum.registrations.get(reference="TH01-0002"), session=visit)
    SessionSignupFactory(
        registration=forum.registrations.get(reference="MM01-0003"),
        session=visit,
        status=SignupStatus.WAITLISTED,
    )
    checkin_lists_sync(forum=forum)
    bus = CheckInList.objects.get(session=visit)
    check_in(bus, forum.registrations.get(reference="TH01-0002"), door)
    client.force_login(registrar)

    rows = csv_rows(export(client, forum, kind="attendance", checkin_list=bus.pk))

    assert [row[:5] for row in rows[1:]] == [["Yes", "2026-10-06 09:12", "Siti Rahma", "Door 1", "TH01-0002"]]


def test_the_read_only_role_gets_attendance_without_contact_details(client, forum, entry):
    client.force_login(in_role(READ_ONLY, "host-city@surabaya.example.org"))

    rows = csv_rows(export(client, forum, kind="attendance", checkin_list=entry.pk))

    assert "Email" not in rows[0] and "Mobile phone" not in rows[0]
    assert not any("@" in cell for row in rows for cell in row)
    assert rows[0][:4] == ["Checked in", "Checked in at", "Checked in by", "Device"]


def test_attendance_needs_a_list_of_the_chosen_forum(client, registrar, forum, entry):
    from tests.factories import ForumFactory

    other = ForumFactory(slug="amf-2032")
    checkin_lists_sync(forum=other)
    client.force_login(registrar)

    missing = export(client, forum, kind="attendance")
    elsewhere = export(client, forum, kind="attendance", checkin_list=other.checkin_lists.first().pk)

    assert "Choose the check-in list whose attendance to export." in missing.text
    assert "This check-in list belongs to another forum." in elsewhere.text


def test_attendance_takes_the_same_queries_for_ten_or_a_hundred_delegates(
    client, registrar, forum, entry, door
):
    client.force_login(registrar)
    category = forum.categories.first()

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            b"".join(export(client, forum, kind="attendance", checkin_list=entry.pk).streaming_content)
        return len(captured)

    for registration in RegistrationFactory.create_batch(10, category=category):
        check_in(entry, registration, door)
    few = queries()
    for registration in RegistrationFactory.create_batch(90, category=category):
        check_in(entry, registration, door)

    assert queries() == few
