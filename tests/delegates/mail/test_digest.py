"""The approval digest: one email per recipient per forum and period, listing the registrations
submitted since the last digest that wait for approval — never twice, nothing when nothing is new."""

import datetime as dt
import threading

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.db import connection

from delegates.enums import EmailKind
from delegates.mail.digest import approval_digest_recipients, approval_digest_send, approval_digest_sweep
from delegates.models import ApprovalDigest, EmailOutbox, Registration, StaffForumAccess
from delegates.permissions import BADGE_AND_DOOR_TEAM, REGISTRARS
from events.enums import DigestFrequency
from tests.factories import DelegateCategoryFactory, ForumFactory, UserFactory

BANGKOK = dt.timezone(dt.timedelta(hours=7))
# 10:05 in Bangkok: the hourly digest covers what was submitted until 10:00.
NOW = dt.datetime(2031, 3, 4, 10, 5, tzinfo=BANGKOK)


@pytest.fixture
def digest_forum(open_forum, partners):
    open_forum.time_zone = "Asia/Bangkok"
    open_forum.approval_digest = DigestFrequency.HOURLY
    open_forum.save()
    return open_forum


def staff_in(group: str, username: str, *forums) -> object:
    user = UserFactory(username=username, email=f"{username}@uclg-aspac.example.org", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    if forums:
        StaffForumAccess.objects.create(user=user).forums.set(forums)
    return user


def pending(register, forum, category, n, at, **data):
    registration = register(forum, category, n, **data)
    Registration.objects.filter(pk=registration.pk).update(created_at=at)
    return Registration.objects.get(pk=registration.pk)


@pytest.mark.django_db
def test_the_digest_lists_the_new_pending_registrations_for_each_recipient(
    digest_forum, partners, register, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://events.example.org"
    staff_in(REGISTRARS, "registrar")
    staff_in(REGISTRARS, "limited", digest_forum)
    staff_in(REGISTRARS, "elsewhere", ForumFactory(slug="other-forum"))
    staff_in(BADGE_AND_DOOR_TEAM, "door")
    first = pending(register, digest_forum, partners, 1, NOW.replace(hour=9, minute=12), given_name="Somchai")
    second = pending(register, digest_forum, partners, 2, NOW.replace(hour=9, minute=58), given_name="Malee")
    pending(register, digest_forum, partners, 3, NOW.replace(minute=1))  # after 10:00: the next digest's

    mail.outbox.clear()  # the delegates' own emails
    with django_capture_on_commit_callbacks(execute=True):
        sent = approval_digest_send(forum_id=digest_forum.pk, now=NOW)

    rows = EmailOutbox.objects.filter(kind=EmailKind.DIGEST).order_by("to")
    assert sent == 2
    assert [row.to for row in rows] == [
        "limited@uclg-aspac.example.org",
        "registrar@uclg-aspac.example.org",
    ]
    row = rows[1]
    assert row.subject == "2 registrations waiting for approval: ASEAN Mayors Forum 2031"
    url = f"https://events.example.org/admin/delegates/registration/?forum__id__exact={digest_forum.pk}&status__exact=pending"
    assert row.body_text == (
        "2 registrations for ASEAN Mayors Forum 2031 are waiting for approval.\n"
        "\n"
        f"- {first.reference}  {first.display_name} (Partner organisation), "
        "registered Tue 4 Mar 2031, 09:12 UTC+7\n"
        f"- {second.reference}  {second.display_name} (Partner organisation), "
        "registered Tue 4 Mar 2031, 09:58 UTC+7\n"
        "\n"
        "Times are in the forum's time zone (Asia/Bangkok, UTC+7).\n"
        "\n"
        "Review them in the admin:\n"
        f"{url}\n"
        "\n"
        "--\n"
        "ASEAN Mayors Forum secretariat\n"
        "UCLG ASPAC\n"
        "\n"
        "Sent to registrar@uclg-aspac.example.org.\n"
    )
    assert url.replace("&", "&amp;") in row.body_html
    assert f'<td style="padding:4px 8px 4px 0">{first.reference}</td>' in row.body_html
    # Sent (the eager worker) once to each, and no contact details of the delegates in it.
    assert sorted(message.to[0] for message in mail.outbox) == [row.to for row in rows]
    assert all(
        first.email not in message.body and str(first.phone)[-7:] not in message.body
        for message in mail.outbox
    )


@pytest.mark.django_db
def test_the_same_period_is_never_sent_twice_and_nothing_new_sends_nothing(digest_forum, partners, register):
    staff_in(REGISTRARS, "registrar")
    pending(register, digest_forum, partners, 4, NOW.replace(hour=9, minute=30))

    assert approval_digest_send(forum_id=digest_forum.pk, now=NOW) == 1
    assert approval_digest_send(forum_id=digest_forum.pk, now=NOW + dt.timedelta(minutes=20)) == 0
    # The next hour: nothing new was submitted.
    assert approval_digest_send(forum_id=digest_forum.pk, now=NOW + dt.timedelta(hours=1)) == 0
    later = pending(register, digest_forum, partners, 5, NOW.replace(hour=11, minute=10))
    assert approval_digest_send(forum_id=digest_forum.pk, now=NOW + dt.timedelta(hours=2)) == 1

    bodies = list(
        EmailOutbox.objects.filter(kind=EmailKind.DIGEST).order_by("id").values_list("body_text", flat=True)
    )
    assert len(bodies) == 2
    assert later.reference in bodies[1] and later.reference not in bodies[0]


@pytest.mark.django_db
def test_a_daily_digest_with_its_own_list_and_an_off_forum(digest_forum, partners, register):
    digest_forum.approval_digest = DigestFrequency.DAILY
    digest_forum.approval_digest_recipients = "Desk@example.org, not an address\nhost-city@example.org"
    digest_forum.save()
    quiet = ForumFactory(  # its digest is off
        slug="quiet-forum",
        registration_opens_at=digest_forum.registration_opens_at,
        registration_closes_at=digest_forum.registration_closes_at,
    )
    pending(register, quiet, DelegateCategoryFactory(forum=quiet, requires_approval=True), 6, NOW)
    pending(register, digest_forum, partners, 7, NOW - dt.timedelta(hours=2))  # 08:05, today

    assert approval_digest_recipients(forum=digest_forum) == ["desk@example.org", "host-city@example.org"]
    assert approval_digest_sweep(now=NOW) == 0  # today's is sent after midnight
    assert approval_digest_sweep(now=NOW + dt.timedelta(days=1)) == 2
    assert sorted(row.to for row in EmailOutbox.objects.filter(kind=EmailKind.DIGEST)) == [
        "desk@example.org",
        "host-city@example.org",
    ]
    assert list(ApprovalDigest.objects.order_by().values_list("forum_id", flat=True).distinct()) == [
        digest_forum.pk
    ]


@pytest.mark.django_db(transaction=True)
def test_two_beat_runs_at_once_send_one_digest(digest_forum, partners, register):
    if connection.vendor != "postgresql":
        # SQLite (the embedded mode) has one writer at a time: the second run fails on the database's
        # lock instead of waiting, and sends nothing either.
        pytest.skip("concurrent writers need PostgreSQL")
    staff_in(REGISTRARS, "registrar")
    pending(register, digest_forum, partners, 8, NOW.replace(hour=9))
    barrier = threading.Barrier(2)
    results = []

    def run():
        try:
            barrier.wait(timeout=10)
            results.append(approval_digest_send(forum_id=digest_forum.pk, now=NOW))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(results) == [0, 1]
    assert EmailOutbox.objects.filter(kind=EmailKind.DIGEST).count() == 1
    assert ApprovalDigest.objects.count() == 1


@pytest.mark.django_db
def test_beat_runs_the_digest_task_by_its_name(digest_forum, partners, register, settings):
    from amf.celery import app
    from delegates import background
    from delegates.tasks import send_approval_digests

    staff_in(REGISTRARS, "registrar")
    pending(register, digest_forum, partners, 9, dt.datetime.now(dt.UTC) - dt.timedelta(hours=2))

    assert settings.CELERY_BEAT_SCHEDULE["approval-digest"]["task"] == background.SEND_APPROVAL_DIGESTS
    assert app.tasks[background.SEND_APPROVAL_DIGESTS].run is send_approval_digests.run
    assert send_approval_digests() == 1
    assert send_approval_digests() == 0
