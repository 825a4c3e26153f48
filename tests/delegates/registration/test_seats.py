"""Seats under their locks (``delegates/registration/seats.py``), through the registration services.

No seat is ever given twice: many delegates (threads, each with its own PostgreSQL connection) released
at the same instant by a barrier, competing for the last seats of a category or a session, cancelling
while others register, or two members of staff approving the same registration. And a lock held too
long gives a clean "busy, try again", never a half-saved registration."""

import threading

import pytest
from django.core import mail
from django.db import connection, transaction

from delegates.enums import EmailKind, OutboxStatus, RegistrationStatus, SignupStatus
from delegates.models import EmailOutbox, Registration, SessionSignup, StatusChange
from delegates.registration.seats import RegistrationBusy
from delegates.registration.services import RegistrationError, registration_approve, registration_cancel
from events.models import Forum
from tests.delegates.registration.concurrency import run_together
from tests.factories import RegistrationFactory, SessionFactory, SessionSignupFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 50
CONFIRMED, WAITLISTED = RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED


@pytest.fixture(autouse=True)
def _patient_locks(settings):
    settings.REGISTRATION_LOCK_TIMEOUT = 60


# --- Races for the last seats --------------------------------------------------------------------------


def test_last_ten_seats_of_a_category_go_to_exactly_ten(open_forum, mayors, register):
    mayors.capacity = 60
    mayors.save()
    RegistrationFactory.create_batch(50, category=mayors)

    results, errors = run_together(THREADS, lambda i: register(open_forum, mayors, 1000 + i))

    assert errors == []
    new = Registration.objects.filter(pk__in=[r.pk for r in results])
    assert new.count() == THREADS  # none lost
    assert new.filter(status=CONFIRMED).count() == 10
    assert new.filter(status=WAITLISTED).count() == THREADS - 10
    assert Registration.objects.filter(category=mayors, status=CONFIRMED).count() == 60
    # First come, first served: every seat went to someone who got the lock before anyone waitlisted.
    seated = max(new.filter(status=CONFIRMED).values_list("created_at", flat=True))
    assert seated < min(new.filter(status=WAITLISTED).values_list("created_at", flat=True))
    # One history row and one email each, all sent (after each commit).
    assert StatusChange.objects.filter(registration__in=new).count() == THREADS
    outbox = EmailOutbox.objects.filter(registration__in=new)
    assert outbox.filter(kind=EmailKind.CONFIRMED, status=OutboxStatus.SENT).count() == 10
    assert outbox.filter(kind=EmailKind.WAITLISTED, status=OutboxStatus.SENT).count() == THREADS - 10
    assert sorted(message.to[0] for message in mail.outbox) == sorted(r.email for r in new)


def test_last_ten_seats_of_a_session_go_to_exactly_ten(open_forum, mayors, register):
    visit = SessionFactory(forum=open_forum, title="Site visit", requires_signup=True, capacity=30)
    SessionSignupFactory.create_batch(20, session=visit, registration__category=mayors)

    results, errors = run_together(
        THREADS, lambda i: register(open_forum, mayors, 2000 + i, sessions=[visit])
    )

    assert errors == []
    new = Registration.objects.filter(pk__in=[r.pk for r in results])
    assert new.filter(status=CONFIRMED).count() == THREADS  # the category has no limit
    chosen = SessionSignup.objects.filter(registration__in=new, session=visit)
    assert chosen.count() == THREADS
    assert chosen.filter(status=SignupStatus.CONFIRMED).count() == 10
    assert chosen.filter(status=SignupStatus.WAITLISTED).count() == THREADS - 10
    assert SessionSignup.objects.filter(session=visit, status=SignupStatus.CONFIRMED).count() == 30


def test_concurrent_cancellations_promote_exactly_one_per_freed_seat(open_forum, mayors, register):
    mayors.capacity = 20
    mayors.save()
    seated = [register(open_forum, mayors, n) for n in range(20)]
    waiting = [register(open_forum, mayors, n) for n in range(20, 50)]
    assert {r.status for r in waiting} == {WAITLISTED}

    results, errors = run_together(20, lambda i: registration_cancel(registration=seated[i], actor=None))

    assert errors == []
    assert {r.status for r in results} == {RegistrationStatus.CANCELLED}
    confirmed = set(
        Registration.objects.filter(category=mayors, status=CONFIRMED).values_list("pk", flat=True)
    )
    assert confirmed == {r.pk for r in waiting[:20]}  # the twenty who waited longest, no more
    assert set(Registration.objects.filter(status=WAITLISTED).values_list("pk", flat=True)) == {
        r.pk for r in waiting[20:]
    }
    promoted = EmailOutbox.objects.filter(kind=EmailKind.PROMOTED)
    assert sorted(promoted.values_list("registration_id", flat=True)) == sorted(confirmed)
    assert StatusChange.objects.filter(to_status=CONFIRMED, from_status=WAITLISTED).count() == 20


def test_cancellations_racing_new_registrations_never_oversell(open_forum, mayors, register):
    mayors.capacity = 20
    mayors.save()
    seated = [register(open_forum, mayors, n) for n in range(20)]
    waiting = [register(open_forum, mayors, n) for n in range(20, 30)]

    def act(i: int):
        if i < 10:
            return registration_cancel(registration=seated[i], actor=None)
        return register(open_forum, mayors, 3000 + i)

    results, errors = run_together(THREADS, act)

    assert errors == []
    newcomers = [r.pk for r in results[10:]]
    assert Registration.objects.filter(category=mayors, status=CONFIRMED).count() == 20
    # A freed seat always goes to the waitlist in the same transaction, so the newcomers never find
    # one free: the ten who were waiting get the ten seats.
    assert {r.status for r in Registration.objects.filter(pk__in=[w.pk for w in waiting])} == {CONFIRMED}
    assert set(Registration.objects.filter(pk__in=newcomers).values_list("status", flat=True)) == {WAITLISTED}
    assert Registration.objects.count() == 30 + THREADS - 10


def test_two_staff_approving_at_once_approve_once(open_forum, partners, register):
    registration = register(open_forum, partners, 1)
    staff = [UserFactory(is_staff=True), UserFactory(is_staff=True)]

    results, errors = run_together(
        2, lambda i: registration_approve(registration=registration, actor=staff[i])
    )

    assert len(errors) == 1
    assert isinstance(errors[0], RegistrationError)
    assert str(errors[0]) == "Only a pending registration can be approved."
    assert [r.status for r in results if r is not None] == [CONFIRMED]
    changes = StatusChange.objects.filter(registration=registration).order_by("id")
    assert [(c.from_status, c.to_status) for c in changes] == [("", "pending"), ("pending", "confirmed")]
    assert changes[1].actor_id in {user.pk for user in staff}
    assert EmailOutbox.objects.filter(registration=registration, kind=EmailKind.CONFIRMED).count() == 1


# --- Lock timeout --------------------------------------------------------------------------------------


def _hold_forum_lock(forum_id: int, locked: threading.Event, release: threading.Event) -> None:
    """In another connection: lock the forum row (as a concurrent writer does) until told to stop."""
    try:
        with transaction.atomic():
            Forum.objects.select_for_update().get(pk=forum_id)
            locked.set()
            release.wait(timeout=30)
    finally:
        connection.close()


def test_lock_timeout_gives_registration_busy_and_saves_nothing(open_forum, mayors, settings, register):
    settings.REGISTRATION_LOCK_TIMEOUT = 0.2
    confirmed = register(open_forum, mayors, 1)
    locked, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=_hold_forum_lock, args=(open_forum.id, locked, release))
    holder.start()
    try:
        assert locked.wait(timeout=10)

        with pytest.raises(RegistrationBusy) as busy:
            register(open_forum, mayors, 2)
        with pytest.raises(RegistrationBusy):
            registration_cancel(registration=confirmed, actor=None)
    finally:
        release.set()
        holder.join(timeout=30)

    assert str(busy.value) == "Many delegates are registering right now; please try again in a moment."
    assert list(Registration.objects.values_list("email", "status")) == [
        ("mayor1@city1.example.org", CONFIRMED)
    ]
    assert StatusChange.objects.count() == 1
    assert EmailOutbox.objects.count() == 1
    # Once the lock is released the same submission goes through.
    assert register(open_forum, mayors, 2).status == CONFIRMED
