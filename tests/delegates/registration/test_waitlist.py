"""Staff moving registrations onto and off the waitlist by hand (``registration/waitlist.py``), and
sending a delegate's last email again (``registration/resend.py``), on PostgreSQL."""

import pytest

from delegates.enums import EmailKind, OutboxStatus, RegistrationStatus, SignupStatus
from delegates.models import EmailOutbox, Registration
from delegates.registration.resend import registration_email_resend
from delegates.registration.services import RegistrationError, registration_approve
from delegates.registration.waitlist import NoSeat, registration_promote, registration_waitlist
from tests.delegates.accounts import staff_user
from tests.delegates.registration.admin_pages import make_category
from tests.delegates.registration.concurrency import run_together
from tests.factories import RegistrationFactory, SessionFactory

CONFIRMED, PENDING, WAITLISTED = (
    RegistrationStatus.CONFIRMED,
    RegistrationStatus.PENDING,
    RegistrationStatus.WAITLISTED,
)


@pytest.fixture
def staff(db):
    return staff_user("registrar", "view_registration", "change_registration")


@pytest.mark.django_db
def test_waitlist_puts_a_pending_registration_on_the_waitlist_and_emails_it(forum, register, staff):
    category = make_category(forum, requires_approval=True)
    registration = register(forum, category, 1)

    registration_waitlist(registration=registration, actor=staff, reason="Seats held for mayors.")

    registration.refresh_from_db()
    assert registration.status == WAITLISTED
    last = registration.history.order_by("-id").first()
    assert (last.from_status, last.to_status, last.actor, last.reason) == (
        PENDING,
        WAITLISTED,
        staff,
        "Seats held for mayors.",
    )
    assert list(registration.emails.order_by("id").values_list("kind", flat=True)) == [
        EmailKind.RECEIVED,
        EmailKind.WAITLISTED,
    ]


@pytest.mark.django_db
def test_waitlist_refuses_a_registration_that_is_not_pending(forum, register, staff):
    registration = register(forum, make_category(forum), 1)

    with pytest.raises(RegistrationError, match="Only a pending registration"):
        registration_waitlist(registration=registration, actor=staff)

    registration.refresh_from_db()
    assert registration.status == CONFIRMED


@pytest.mark.django_db
def test_promote_seats_a_waitlisted_registration_with_its_sessions(forum, register, staff):
    category = make_category(forum, capacity=1)
    visit = SessionFactory(forum=forum, title="Site visit", requires_signup=True, capacity=5)
    seated = register(forum, category, 1)
    waiting = register(forum, category, 2, sessions=[visit])
    assert waiting.status == WAITLISTED
    category.capacity = 2
    category.save()  # raised behind the services' back: nobody is promoted by itself

    registration_promote(registration=waiting, actor=staff)

    waiting.refresh_from_db()
    assert waiting.status == CONFIRMED
    assert list(waiting.signups.values_list("status", flat=True)) == [SignupStatus.CONFIRMED]
    assert waiting.checkin_token
    assert waiting.history.order_by("-id").first().actor == staff
    assert list(waiting.emails.order_by("id").values_list("kind", flat=True)) == [
        EmailKind.WAITLISTED,
        EmailKind.PROMOTED,
    ]
    seated.refresh_from_db()
    assert seated.status == CONFIRMED


@pytest.mark.django_db
@pytest.mark.parametrize("full", ["category", "forum"])
def test_promote_into_a_full_category_or_forum_changes_nothing(forum, register, staff, full):
    category = make_category(forum, capacity=1 if full == "category" else None)
    if full == "forum":
        forum.capacity = 1
        forum.save()
    register(forum, category, 1)
    waiting = register(forum, category, 2)

    with pytest.raises(NoSeat) as refused:
        registration_promote(registration=waiting, actor=staff)

    assert refused.value.reason == full
    waiting.refresh_from_db()
    assert waiting.status == WAITLISTED
    assert waiting.emails.filter(kind=EmailKind.PROMOTED).count() == 0


@pytest.mark.django_db
def test_promote_refuses_a_registration_that_is_not_waitlisted(forum, register, staff):
    registration = register(forum, make_category(forum, requires_approval=True), 1)

    with pytest.raises(RegistrationError, match="Only a waitlisted registration"):
        registration_promote(registration=registration, actor=staff)


@pytest.mark.django_db(transaction=True)
def test_two_staff_promoting_into_the_last_seat_one_wins(forum, register, settings):
    settings.REGISTRATION_LOCK_TIMEOUT = 60
    category = make_category(forum, capacity=1)
    first = register(forum, category, 1)
    waiting = [register(forum, category, 2), register(forum, category, 3)]
    alice = staff_user("alice", "change_registration")
    bob = staff_user("bob", "change_registration")
    # The seat is freed without the waitlist moving by itself: the capacity is raised behind the
    # services' back, so the two promotions race for the one seat.
    category.capacity = 2
    category.save()

    def promote(i: int):
        try:
            return registration_promote(registration=waiting[i], actor=(alice, bob)[i])
        except NoSeat as refused:
            return refused

    results, errors = run_together(2, promote)

    assert errors == []
    assert sorted(type(result).__name__ for result in results) == ["NoSeat", "Registration"]
    assert Registration.objects.filter(category=category, status=CONFIRMED).count() == 2
    assert EmailOutbox.objects.filter(registration__in=waiting, kind=EmailKind.PROMOTED).count() == 1
    first.refresh_from_db()  # the first delegate keeps their seat throughout
    assert first.status == CONFIRMED


@pytest.mark.django_db
def test_resend_queues_the_last_email_again_once_until_it_is_sent(forum, register, staff):
    category = make_category(forum, requires_approval=True)
    registration = register(forum, category, 1)
    registration_approve(registration=registration, actor=staff, reason="Welcome.")
    confirmed_row = registration.emails.get(kind=EmailKind.CONFIRMED)

    row, created = registration_email_resend(registration=registration)
    again, created_again = registration_email_resend(registration=registration)

    assert created is True and created_again is False
    assert again.pk == row.pk
    assert (row.kind, row.reason, row.to, row.status) == (
        EmailKind.CONFIRMED,
        "Welcome.",
        registration.email,
        OutboxStatus.PENDING,
    )
    assert row.key.endswith(f":resend-{confirmed_row.pk}")
    # Once it went out, it can be sent again.
    EmailOutbox.objects.filter(pk=row.pk).update(status=OutboxStatus.SENT)
    third, created_third = registration_email_resend(registration=registration)
    assert created_third is True
    assert third.key.endswith(f":resend-{row.pk}")
    assert registration.emails.filter(kind=EmailKind.CONFIRMED).count() == 3


@pytest.mark.django_db
def test_resend_without_any_email_queues_nothing(forum, staff):
    registration = RegistrationFactory(category=make_category(forum))

    assert registration_email_resend(registration=registration) == (None, False)
    assert registration.emails.count() == 0
