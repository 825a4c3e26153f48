"""Check-in services (``delegates/checkin/services.py``): the lists of a forum, every verdict of a scan,
one check-in when two devices scan one badge at once, the merge of offline queues (earliest wins,
repeats recorded, a queue sent again changes nothing), and undo."""

import datetime as dt
import uuid

import pytest
from django.contrib.admin.models import LogEntry
from django.db import connection

from delegates.checkin.services import Scan, checkin_lists_sync, checkin_scan, checkin_sync, checkin_undo
from delegates.checkin.tokens import checkin_token_reissue
from delegates.checkin.verdicts import already_message
from delegates.enums import CheckInListKind, CheckInVerdict, RegistrationStatus, SignupStatus
from delegates.models import CheckIn, CheckInList, CheckInScan, RetiredCheckinToken
from tests.delegates.checkin.conftest import delegate
from tests.delegates.registration.concurrency import run_together
from tests.factories import SessionFactory, SessionSignupFactory

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 10, 6, 1, 0, tzinfo=dt.UTC)  # 08:00 in Jakarta, a morning in the past


def scan_of(registration=None, *, token=None, at=None, key=None, reference=None) -> Scan:
    return Scan(
        idempotency_key=key or uuid.uuid4(),
        token=token if token is not None else (registration.checkin_token if reference is None else ""),
        reference=reference or "",
        scanned_at=at,
    )


# --- Lists ---------------------------------------------------------------------------------------------


def test_lists_sync_makes_a_list_per_day_and_per_session_with_signup_or_capacity(forum, bus):
    dinner = SessionFactory(forum=forum, title="Gala dinner", capacity=300)
    SessionFactory(forum=forum, title="Opening plenary")  # open to all: no list of its own

    checkin_lists_sync(forum=forum)
    checkin_lists_sync(forum=forum)  # idempotent

    rows = list(CheckInList.objects.filter(forum=forum).order_by("kind", "day", "name"))
    assert [(row.kind, row.name) for row in rows] == [
        (CheckInListKind.DAY, "Entry — Sunday 6 October"),
        (CheckInListKind.DAY, "Entry — Monday 7 October"),
        (CheckInListKind.SESSION, "Gala dinner"),
        (CheckInListKind.SESSION, "Site visit: river clean-up"),
    ]
    assert {row.session_id for row in rows if row.session_id} == {bus.pk, dinner.pk}


def test_lists_sync_follows_the_forum_and_keeps_lists_with_check_ins(forum, lists, sok, door):
    checkin_scan(checkin_list=lists["day2"], scan=scan_of(sok, at=T0), staff=door)
    forum.end_date = forum.start_date  # one day now: the second day's list has a check-in, it stays
    forum.save()
    bus = lists["bus"].session
    bus.title, bus.requires_signup, bus.capacity = "Bus to the river", True, 40
    bus.save()

    checkin_lists_sync(forum=forum)

    assert CheckInList.objects.filter(pk=lists["day2"].pk).exists()
    assert CheckInList.objects.get(pk=lists["bus"].pk).name == "Bus to the river"
    bus.requires_signup, bus.capacity = False, None
    bus.save()
    checkin_lists_sync(forum=forum)
    assert not CheckInList.objects.filter(pk=lists["bus"].pk).exists()  # nobody checked in on it


# --- Verdicts ------------------------------------------------------------------------------------------


def test_scan_checks_a_confirmed_delegate_in_with_time_device_and_staff(day1, sok, door):
    answer = checkin_scan(
        checkin_list=day1, scan=scan_of(sok, at=T0), staff=door, device="dev-1", device_label="Door 1"
    )

    assert (answer.verdict, answer.reason, answer.registration.pk) == (
        CheckInVerdict.CHECKED_IN,
        None,
        sok.pk,
    )
    check_in = CheckIn.objects.get()
    assert (check_in.list, check_in.registration, check_in.checked_in_at) == (day1, sok, T0)
    assert (check_in.device, check_in.device_label, check_in.staff) == ("dev-1", "Door 1", door)
    assert check_in.undone_at is None
    scan = CheckInScan.objects.get()
    assert (scan.verdict, scan.reason, scan.check_in, scan.staff) == ("checked_in", "", check_in, door)


def test_scan_again_is_already_checked_in_with_time_in_the_forums_zone_and_staff(day1, sok, door, other_door):
    checkin_scan(checkin_list=day1, scan=scan_of(sok, at=T0 + dt.timedelta(minutes=12)), staff=door)

    answer = checkin_scan(
        checkin_list=day1, scan=scan_of(sok, at=T0 + dt.timedelta(hours=1)), staff=other_door
    )

    assert answer.verdict == CheckInVerdict.ALREADY
    assert answer.check_in.staff == door
    # 01:12 UTC is 08:12 in Jakarta.
    assert already_message(check_in=answer.check_in, tz=day1.forum.tz, now=T0) == (
        "Already checked in at 08:12 by Siti Rahma"
    )
    assert already_message(check_in=answer.check_in, tz=day1.forum.tz, now=T0 + dt.timedelta(days=1)) == (
        "Already checked in on 6 October at 08:12 by Siti Rahma"
    )
    assert CheckIn.objects.count() == 1
    assert list(CheckInScan.objects.order_by("id").values_list("verdict", flat=True)) == [
        "checked_in",
        "already",
    ]


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (RegistrationStatus.CANCELLED, "cancelled"),
        (RegistrationStatus.REJECTED, "rejected"),
        (RegistrationStatus.WAITLISTED, "waitlisted"),
        (RegistrationStatus.PENDING, "pending"),
    ],
)
def test_scan_refuses_a_registration_that_is_not_confirmed(day1, mayors, door, status, reason):
    registration = delegate(mayors)  # confirmed and given its badge, then its status changed
    registration.status = status
    registration.save()

    answer = checkin_scan(checkin_list=day1, scan=scan_of(registration), staff=door)

    assert (answer.verdict, answer.reason, answer.registration.pk) == ("refused", reason, registration.pk)
    assert CheckIn.objects.count() == 0
    assert CheckInScan.objects.get().reason == reason


def test_scan_refuses_a_badge_of_another_forum_and_an_unknown_code(day1, other_forum_delegate, door):
    other = checkin_scan(checkin_list=day1, scan=scan_of(other_forum_delegate), staff=door)
    unknown = checkin_scan(checkin_list=day1, scan=scan_of(token="not-a-code-of-ours"), staff=door)
    too_long = checkin_scan(checkin_list=day1, scan=scan_of(token="x" * 400), staff=door)

    assert (other.verdict, other.reason) == ("refused", "other_forum")
    assert (unknown.verdict, unknown.reason, unknown.registration) == ("refused", "unknown", None)
    assert (too_long.verdict, too_long.reason) == ("refused", "unknown")
    assert CheckIn.objects.count() == 0


def test_scan_of_a_reissued_code_is_refused_as_reissued_and_the_new_one_checks_in(day1, sok, door):
    old = sok.checkin_token
    new = checkin_token_reissue(registration=sok, actor=door)

    refused = checkin_scan(checkin_list=day1, scan=scan_of(token=old), staff=door)
    admitted = checkin_scan(checkin_list=day1, scan=scan_of(token=new), staff=door)

    assert (refused.verdict, refused.reason, refused.registration.pk) == ("refused", "reissued", sok.pk)
    assert admitted.verdict == "checked_in"
    retired = RetiredCheckinToken.objects.get()
    assert retired.registration == sok
    assert len(retired.token_hash) == 64 and old not in retired.token_hash


def test_session_list_admits_only_delegates_confirmed_for_the_session(
    bus_list, bus, sok, on_the_bus, mayors, door
):
    waiting = delegate(mayors)
    SessionSignupFactory(registration=waiting, session=bus, status=SignupStatus.WAITLISTED)

    not_signed_up = checkin_scan(checkin_list=bus_list, scan=scan_of(sok), staff=door)
    on_waitlist = checkin_scan(checkin_list=bus_list, scan=scan_of(waiting), staff=door)
    signed_up = checkin_scan(checkin_list=bus_list, scan=scan_of(on_the_bus), staff=door)

    assert (not_signed_up.verdict, not_signed_up.reason) == ("refused", "not_on_list")
    assert (on_waitlist.verdict, on_waitlist.reason) == ("refused", "not_on_list")
    assert signed_up.verdict == "checked_in"


def test_each_day_has_its_own_check_in(lists, sok, door):
    first = checkin_scan(checkin_list=lists["day1"], scan=scan_of(sok, at=T0), staff=door)
    second = checkin_scan(
        checkin_list=lists["day2"], scan=scan_of(sok, at=T0 + dt.timedelta(days=1)), staff=door
    )

    assert (first.verdict, second.verdict) == ("checked_in", "checked_in")
    assert CheckIn.objects.count() == 2


def test_scan_by_reference_from_the_search(day1, sok, door):
    answer = checkin_scan(
        checkin_list=day1, scan=scan_of(reference=sok.reference.lower().replace("-", " ")), staff=door
    )

    assert (answer.verdict, answer.registration.pk) == ("checked_in", sok.pk)


def test_scan_with_the_same_key_answers_as_before_and_records_nothing(day1, sok, door):
    key = uuid.uuid4()
    first = checkin_scan(checkin_list=day1, scan=scan_of(sok, key=key, at=T0), staff=door)

    again = checkin_scan(checkin_list=day1, scan=scan_of(sok, key=key, at=T0), staff=door)

    assert (first.verdict, again.verdict, again.replay) == ("checked_in", "checked_in", True)
    assert again.check_in.pk == first.check_in.pk
    assert (CheckIn.objects.count(), CheckInScan.objects.count()) == (1, 1)


def test_scan_from_the_future_counts_as_made_now(day1, sok, door):
    answer = checkin_scan(checkin_list=day1, scan=scan_of(sok, at=T0 + dt.timedelta(days=3650)), staff=door)

    assert answer.check_in.checked_in_at < T0 + dt.timedelta(days=3650)


def test_a_scan_takes_a_bounded_number_of_queries(
    day1, bus_list, sok, on_the_bus, door, django_assert_max_num_queries
):
    checkin_scan(checkin_list=day1, scan=scan_of(on_the_bus), staff=door)  # warm the list's forum

    with django_assert_max_num_queries(8):
        checkin_scan(checkin_list=day1, scan=scan_of(sok), staff=door)
    with django_assert_max_num_queries(8):
        checkin_scan(checkin_list=day1, scan=scan_of(sok), staff=door)  # already
    with django_assert_max_num_queries(9):
        checkin_scan(checkin_list=bus_list, scan=scan_of(on_the_bus), staff=door)  # the sign-up too
    with django_assert_max_num_queries(6):
        checkin_scan(checkin_list=day1, scan=scan_of(token="unknown-code"), staff=door)


# --- Two devices at once -------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_devices_scanning_one_badge_at_once_record_one_check_in(day1, sok, door, other_door):
    staff = [door, other_door]

    results, errors = run_together(
        2,
        lambda i: (
            checkin_scan(
                checkin_list=day1,
                scan=scan_of(sok),
                staff=staff[i],
                device=f"dev-{i}",
                device_label=f"Door {i}",
            ).verdict
        ),
    )

    assert errors == []
    assert sorted(results) == ["already", "checked_in"]
    assert CheckIn.objects.filter(registration=sok, list=day1).count() == 1
    assert sorted(CheckInScan.objects.values_list("verdict", flat=True)) == ["already", "checked_in"]
    connection.close()


@pytest.mark.django_db(transaction=True)
def test_many_devices_syncing_overlapping_queues_at_once_record_one_check_in_each(forum, day1, mayors, door):
    people = [delegate(mayors) for _ in range(30)]

    def queue(i: int):
        scans = [scan_of(person, at=T0 + dt.timedelta(seconds=n * 3 + i)) for n, person in enumerate(people)]
        return checkin_sync(checkin_list=day1, scans=scans[i:], staff=door, device=f"dev-{i}")

    _results, errors = run_together(3, queue)

    assert errors == []
    rows = CheckIn.objects.filter(list=day1)
    assert rows.count() == 30
    # Device 0 scanned each first: its times win, whatever order the queues were merged in.
    assert {row.registration_id: row.checked_in_at for row in rows} == {
        person.pk: T0 + dt.timedelta(seconds=n * 3) for n, person in enumerate(people)
    }
    assert CheckInScan.objects.filter(verdict="checked_in", check_in__device="dev-0").count() == 30
    assert CheckInScan.objects.filter(verdict="already").count() == 29 + 28
    connection.close()


# --- Offline queues ------------------------------------------------------------------------------------


def test_sync_of_three_overlapping_queues_gives_one_check_in_each_earliest_wins(
    day1, mayors, door, other_door, forum_admin
):
    people = [delegate(mayors) for _ in range(4)]
    a, b, c, d = people
    minute = dt.timedelta(minutes=1)
    queue_1 = [scan_of(a, at=T0 + 5 * minute), scan_of(b, at=T0 + 1 * minute)]
    queue_2 = [scan_of(a, at=T0 + 2 * minute), scan_of(c, at=T0 + 3 * minute), scan_of(b, at=T0 + 4 * minute)]
    queue_3 = [
        scan_of(c, at=T0 + 9 * minute),
        scan_of(a, at=T0 + 1 * minute),
        scan_of(d, at=T0),
        scan_of(d, at=T0 + minute),
    ]

    first = checkin_sync(checkin_list=day1, scans=queue_1, staff=door, device="dev-1", device_label="Door 1")
    second = checkin_sync(
        checkin_list=day1, scans=queue_2, staff=other_door, device="dev-2", device_label="Door 2"
    )
    third = checkin_sync(
        checkin_list=day1, scans=queue_3, staff=forum_admin, device="dev-3", device_label="Door 3"
    )

    assert [answer.verdict for answer in first] == ["checked_in", "checked_in"]
    assert [answer.verdict for answer in second] == ["checked_in", "checked_in", "already"]  # a taken over
    assert [answer.verdict for answer in third] == ["already", "checked_in", "checked_in", "already"]
    by_person = {row.registration_id: row for row in CheckIn.objects.filter(list=day1)}
    assert {pk: (row.checked_in_at, row.device_label, row.staff) for pk, row in by_person.items()} == {
        a.pk: (T0 + minute, "Door 3", forum_admin),
        b.pk: (T0 + minute, "Door 1", door),
        c.pk: (T0 + 3 * minute, "Door 2", other_door),
        d.pk: (T0, "Door 3", forum_admin),
    }
    # Every scan recorded: one counting per delegate, the others repeats of its check-in.
    scans = CheckInScan.objects.all()
    assert scans.count() == 9
    assert sorted(scans.filter(verdict="checked_in").values_list("registration_id", flat=True)) == sorted(
        person.pk for person in people
    )
    assert scans.filter(verdict="already").count() == 5
    assert all(scan.check_in == by_person[scan.registration_id] for scan in scans)


def test_sync_sent_again_changes_nothing(day1, mayors, door):
    people = [delegate(mayors) for _ in range(3)]
    queue = [scan_of(person, at=T0 + dt.timedelta(seconds=n)) for n, person in enumerate(people)]
    queue.append(queue[0])  # a key twice in one queue
    first = checkin_sync(checkin_list=day1, scans=queue, staff=door, device="dev-1")
    before = list(CheckIn.objects.order_by("id").values_list("id", "checked_in_at", "updated_at"))

    again = checkin_sync(checkin_list=day1, scans=queue, staff=door, device="dev-1")

    assert [a.verdict for a in first] == ["checked_in", "checked_in", "checked_in", "checked_in"]
    assert [a.verdict for a in again] == [a.verdict for a in first]
    assert all(a.replay for a in again) and first[3].replay
    assert list(CheckIn.objects.order_by("id").values_list("id", "checked_in_at", "updated_at")) == before
    assert CheckInScan.objects.count() == 3


def test_sync_of_500_scans_takes_a_fixed_number_of_queries(day1, mayors, door, django_assert_max_num_queries):
    people = [delegate(mayors) for _ in range(250)]
    checkin_sync(
        checkin_list=day1,
        scans=[scan_of(p, at=T0 + dt.timedelta(minutes=5)) for p in people[:100]],
        staff=door,
    )
    scans = [scan_of(p, at=T0 + dt.timedelta(seconds=n)) for n, p in enumerate(people)]
    scans += [scan_of(p, at=T0 + dt.timedelta(hours=1)) for p in people[:240]]
    scans += [scan_of(token=f"unknown-{n}") for n in range(10)]
    assert len(scans) == 500

    with django_assert_max_num_queries(12):
        answers = checkin_sync(checkin_list=day1, scans=scans, staff=door)

    assert [a.verdict for a in answers].count("checked_in") == 250  # 150 new, 100 taken over (earlier)
    assert CheckIn.objects.filter(list=day1).count() == 250
    assert CheckInScan.objects.count() == 600


# --- Undo ----------------------------------------------------------------------------------------------


def test_undo_then_scan_again_checks_in_anew_and_history_says_so(day1, sok, door, other_door):
    first = checkin_scan(checkin_list=day1, scan=scan_of(sok, at=T0), staff=door).check_in

    checkin_undo(check_in=first, actor=other_door)
    checkin_undo(check_in=first, actor=other_door)  # undone once
    again = checkin_scan(checkin_list=day1, scan=scan_of(sok, at=T0 + dt.timedelta(hours=1)), staff=door)

    first.refresh_from_db()
    assert (first.undone_by, first.undone_at is not None) == (other_door, True)
    assert again.verdict == "checked_in" and again.check_in.pk != first.pk
    assert CheckIn.objects.filter(undone_at__isnull=True).get().pk == again.check_in.pk
    entry = LogEntry.objects.get(object_id=str(sok.pk))
    assert entry.user == other_door
    assert entry.change_message == (
        "Check-in undone: Entry — Sunday 6 October (checked in 6 October 2026, 08:00 by Siti Rahma)."
    )
