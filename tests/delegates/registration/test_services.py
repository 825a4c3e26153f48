"""The registration services (``delegates/registration/services.py``): status decisions, seats of the
forum, categories and sessions, the registration window, duplicates, the status history, approval,
rejection, cancellation with promotion from the waitlist, and edits. The edit deadline is in
test_rules.py; races for the last seats and the lock timeout in test_seats.py."""

import datetime as dt

import pytest
from django.utils import timezone
from django.utils.html import strip_tags

from delegates.enums import EmailKind, OutboxStatus, RegistrationStatus, SignupStatus
from delegates.mail.outbox import outbox_render
from delegates.models import EmailOutbox, Registration, SessionSignup, StatusChange
from delegates.registration.seats import REASON_PROMOTED
from delegates.registration.services import (
    REASON_CATEGORY_FULL,
    REASON_FORUM_FULL,
    REASON_NEEDS_APPROVAL,
    DuplicateRegistration,
    RegistrationClosed,
    RegistrationError,
    registration_approve,
    registration_cancel,
    registration_reject,
    registration_update,
)
from events.models import Forum
from events.selectors import RegistrationState, forum_registration_state
from tests.delegates.registration.submissions import delegate_data
from tests.factories import (
    DelegateCategoryFactory,
    ForumFactory,
    RegistrationFactory,
    SessionFactory,
    SessionSignupFactory,
)

CONFIRMED, PENDING, WAITLISTED = (
    RegistrationStatus.CONFIRMED,
    RegistrationStatus.PENDING,
    RegistrationStatus.WAITLISTED,
)
REJECTED, CANCELLED = RegistrationStatus.REJECTED, RegistrationStatus.CANCELLED
FORUM = "ASEAN Mayors Forum 2031"
OPENS = dt.datetime(2030, 6, 1, 9, 0, tzinfo=dt.UTC)
CLOSES = dt.datetime(2030, 9, 1, 9, 0, tzinfo=dt.UTC)


def history(registration) -> list[tuple[str, str, int | None, str]]:
    return [
        (change.from_status, change.to_status, change.actor_id, change.reason)
        for change in StatusChange.objects.filter(registration=registration).order_by("id")
    ]


def written(row: EmailOutbox) -> EmailOutbox:
    """The row with its message, as the worker writes it when it sends the row."""
    return outbox_render(row)


def emails(registration) -> list[tuple[str, str, str]]:
    return [
        (row.kind, row.to, written(row).subject)
        for row in EmailOutbox.objects.filter(registration=registration).order_by("id")
    ]


def signups(registration) -> dict[str, str]:
    return {
        signup.session.title: signup.status
        for signup in SessionSignup.objects.filter(registration=registration).select_related("session")
    }


def status(registration) -> str:
    return Registration.objects.values_list("status", flat=True).get(pk=registration.pk)


# --- Status on submission ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_submit_confirms_when_seats_are_free_and_records_who_when_why(
    open_forum, mayors, assistant, register
):
    before = timezone.now()

    registration = register(open_forum, mayors, 1, by=assistant)

    assert registration.status == CONFIRMED
    assert history(registration) == [("", CONFIRMED, assistant.pk, "")]
    change = StatusChange.objects.get(registration=registration)
    assert before <= change.at <= timezone.now()
    row = written(EmailOutbox.objects.get(registration=registration))
    assert (row.kind, row.to, row.cc, row.subject, row.status, row.attempts) == (
        EmailKind.CONFIRMED,
        "mayor1@city1.example.org",
        "assistant@city-hall.example.org",
        f"Registration confirmed: {FORUM}",
        OutboxStatus.PENDING,
        0,
    )
    assert registration.registered_by == assistant
    assert registration.privacy_consent_at >= before


@pytest.mark.django_db
def test_submit_pending_when_category_needs_approval_and_holds_no_seat(open_forum, partners, register):
    partners.capacity = 1
    partners.save()

    first = register(open_forum, partners, 1)
    second = register(open_forum, partners, 2)

    assert (first.status, second.status) == (PENDING, PENDING)
    assert history(first) == [("", PENDING, None, REASON_NEEDS_APPROVAL)]
    assert emails(first) == [
        (EmailKind.RECEIVED, "mayor1@city1.example.org", f"Registration received: {FORUM}")
    ]


@pytest.mark.django_db
def test_submit_waitlisted_when_forum_full(open_forum, mayors, register):
    open_forum.capacity = 2
    open_forum.save()
    other = DelegateCategoryFactory(forum=open_forum, name="Media", slug="media")
    RegistrationFactory.create_batch(2, category=other)

    registration = register(open_forum, mayors, 1)

    assert registration.status == WAITLISTED
    assert history(registration) == [("", WAITLISTED, None, REASON_FORUM_FULL)]
    assert emails(registration) == [
        (EmailKind.WAITLISTED, "mayor1@city1.example.org", f"You are on the waitlist: {FORUM}")
    ]


@pytest.mark.django_db
def test_submit_waitlisted_when_category_full_while_other_categories_have_room(open_forum, mayors, register):
    mayors.capacity = 1
    mayors.save()
    RegistrationFactory(category=mayors)
    media = DelegateCategoryFactory(forum=open_forum, name="Media", slug="media")

    waiting = register(open_forum, mayors, 1)
    journalist = register(open_forum, media, 2)

    assert (waiting.status, journalist.status) == (WAITLISTED, CONFIRMED)
    assert history(waiting) == [("", WAITLISTED, None, REASON_CATEGORY_FULL)]


@pytest.mark.django_db
def test_only_confirmed_registrations_take_seats(open_forum, mayors, register):
    mayors.capacity = 1
    mayors.save()
    for status_ in (PENDING, WAITLISTED, REJECTED, CANCELLED):
        RegistrationFactory(category=mayors, status=status_)

    assert register(open_forum, mayors, 1).status == CONFIRMED
    assert register(open_forum, mayors, 2).status == WAITLISTED


@pytest.mark.django_db
def test_submit_rejects_category_of_another_forum(open_forum, register):
    elsewhere = DelegateCategoryFactory()

    with pytest.raises(RegistrationError, match="category of this forum"):
        register(open_forum, elsewhere, 1)

    assert Registration.objects.count() == 0


# --- Session sign-ups ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_session_seats_confirmed_then_waitlisted(open_forum, mayors, site_visit, register):
    first, second, third = (register(open_forum, mayors, n, sessions=[site_visit]) for n in (1, 2, 3))

    assert [first.status, second.status, third.status] == [CONFIRMED] * 3
    assert [signups(r) for r in (first, second, third)] == [
        {"Site visit: river clean-up": SignupStatus.CONFIRMED},
        {"Site visit: river clean-up": SignupStatus.CONFIRMED},
        {"Site visit: river clean-up": SignupStatus.WAITLISTED},
    ]
    body = written(EmailOutbox.objects.get(registration=third)).body_text
    assert (
        "- Site visit: river clean-up, 6 October 2030, 09:00: On the waitlist: the session is full. If a "
        "place becomes free, it goes to the first on the waitlist, in the order of sign-up, and an email "
        "says so."
    ) in body


@pytest.mark.django_db
def test_signups_of_registrations_not_confirmed_wait(open_forum, mayors, partners, site_visit, register):
    mayors.capacity = 0
    mayors.save()

    pending = register(open_forum, partners, 1, sessions=[site_visit])
    waitlisted = register(open_forum, mayors, 2, sessions=[site_visit])

    assert (pending.status, waitlisted.status) == (PENDING, WAITLISTED)
    assert signups(pending) == {"Site visit: river clean-up": SignupStatus.WAITLISTED}
    assert signups(waitlisted) == {"Site visit: river clean-up": SignupStatus.WAITLISTED}
    assert SessionSignup.objects.filter(session=site_visit, status=SignupStatus.CONFIRMED).count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("which", ["other forum", "no sign-up needed", "missing"])
def test_submit_refuses_sessions_not_offered_for_signup(open_forum, mayors, register, which):
    if which == "other forum":
        session = SessionFactory(requires_signup=True)
    elif which == "no sign-up needed":
        session = SessionFactory(forum=open_forum, requires_signup=False)
    else:
        session = SessionFactory(forum=open_forum, requires_signup=True)
        session.delete()
        session.id = 987654

    with pytest.raises(RegistrationError, match="sessions that need sign-up"):
        register(open_forum, mayors, 1, sessions=[session])

    assert (Registration.objects.count(), SessionSignup.objects.count(), EmailOutbox.objects.count()) == (
        0,
        0,
        0,
    )


# --- The registration window ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_registration_window_opens_and_closes():
    opens, closes = OPENS, CLOSES
    forum = ForumFactory(registration_opens_at=opens, registration_closes_at=closes)
    second = dt.timedelta(seconds=1)

    assert forum_registration_state(forum=forum, now=opens - second) == RegistrationState.NOT_YET_OPEN
    assert forum_registration_state(forum=forum, now=opens) == RegistrationState.OPEN
    assert forum_registration_state(forum=forum, now=closes - second) == RegistrationState.OPEN
    assert forum_registration_state(forum=forum, now=closes) == RegistrationState.CLOSED
    unscheduled = ForumFactory(registration_opens_at=None, registration_closes_at=None)
    assert forum_registration_state(forum=unscheduled, now=opens) == RegistrationState.UNSCHEDULED


@pytest.mark.django_db
@pytest.mark.parametrize(
    "now",
    [OPENS - dt.timedelta(seconds=1), CLOSES, CLOSES + dt.timedelta(days=1)],
    ids=["before opening", "at closing", "after closing"],
)
def test_submit_outside_the_window_is_refused(register, now):
    forum = ForumFactory(registration_opens_at=OPENS, registration_closes_at=CLOSES)
    category = DelegateCategoryFactory(forum=forum)

    with pytest.raises(RegistrationClosed, match="not open"):
        register(forum, category, 1, now=now)

    assert Registration.objects.count() == 0
    assert register(forum, category, 1, now=OPENS).status == CONFIRMED


@pytest.mark.django_db
def test_submit_before_scheduled_opening_is_refused(mayors, register):
    forum = mayors.forum
    Forum.objects.filter(pk=forum.pk).update(registration_opens_at=None, registration_closes_at=None)

    with pytest.raises(RegistrationClosed):
        register(forum, mayors, 1)


# --- Duplicates and registering again ------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("email", ["MAYOR1@City1.Example.ORG", "  mayor1@city1.example.org "])
def test_duplicate_email_is_refused_case_insensitively(open_forum, mayors, partners, register, email):
    register(open_forum, mayors, 1)

    with pytest.raises(DuplicateRegistration, match="already registered for this forum"):
        register(open_forum, partners, 2, email=email)

    assert Registration.objects.count() == 1
    assert StatusChange.objects.count() == 1


@pytest.mark.django_db
def test_same_email_may_register_for_another_forum(open_forum, mayors, register):
    register(open_forum, mayors, 1)
    now = timezone.now()
    other = ForumFactory(
        registration_opens_at=now - dt.timedelta(days=1), registration_closes_at=now + dt.timedelta(days=1)
    )

    again = register(other, DelegateCategoryFactory(forum=other), 1)

    assert again.status == CONFIRMED
    assert Registration.objects.filter(email="mayor1@city1.example.org").count() == 2


@pytest.mark.django_db
def test_cancelled_delegate_registers_again_as_a_new_registration_at_the_end_of_the_waitlist(
    open_forum, mayors, register
):
    mayors.capacity = 1
    mayors.save()
    first = register(open_forum, mayors, 1, allergies="Peanuts")
    registration_cancel(registration=first, actor=None, reason="Private: a family matter")
    holder = register(open_forum, mayors, 2)
    waiting = register(open_forum, mayors, 3)

    again = register(open_forum, mayors, 1, email="Mayor1@city1.example.org")

    assert again.pk != first.pk
    assert (again.reference, again.public_id) != (first.reference, first.public_id)
    assert (again.status, again.email, again.allergies) == (WAITLISTED, "Mayor1@city1.example.org", "")
    assert again.created_at > waiting.created_at > first.created_at
    assert history(again) == [("", WAITLISTED, None, REASON_CATEGORY_FULL)]
    # The cancelled registration stays as it was, with its own history and emails.
    first.refresh_from_db()
    assert (first.status, first.allergies) == (CANCELLED, "Peanuts")
    assert history(first) == [
        ("", CONFIRMED, None, ""),
        (CONFIRMED, CANCELLED, None, "Private: a family matter"),
    ]
    assert [kind for kind, _to, _subject in emails(first)] == [EmailKind.CONFIRMED, EmailKind.CANCELLED]
    assert [kind for kind, _to, _subject in emails(again)] == [EmailKind.WAITLISTED]
    # When the seat frees, the delegate who waited longer goes first.
    registration_cancel(registration=holder, actor=None)
    assert (status(waiting), status(again), status(first)) == (CONFIRMED, WAITLISTED, CANCELLED)


@pytest.mark.django_db
def test_registering_again_while_active_is_refused_with_the_registration_in_the_way(
    open_forum, mayors, register
):
    first = register(open_forum, mayors, 1)
    registration_cancel(registration=first, actor=None)
    second = register(open_forum, mayors, 1)

    with pytest.raises(DuplicateRegistration) as refused:
        register(open_forum, mayors, 1)

    assert refused.value.registration == second
    assert Registration.objects.filter(email="mayor1@city1.example.org").count() == 2


@pytest.mark.django_db
def test_rejected_delegate_cannot_register_again(open_forum, mayors, staff, register):
    registration = register(open_forum, mayors, 1)
    registration_reject(registration=registration, actor=staff, reason="Not an elected official")

    with pytest.raises(DuplicateRegistration) as refused:
        register(open_forum, mayors, 1)

    assert refused.value.registration == registration
    assert Registration.objects.count() == 1


# --- Approval and rejection ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_approve_takes_a_seat_and_the_sessions_seats(open_forum, partners, site_visit, staff, register):
    registration = register(open_forum, partners, 1, sessions=[site_visit])

    approved = registration_approve(registration=registration, actor=staff, reason="Welcome aboard")

    assert approved.status == CONFIRMED
    assert history(registration)[-1] == (PENDING, CONFIRMED, staff.pk, "Welcome aboard")
    assert signups(registration) == {"Site visit: river clean-up": SignupStatus.CONFIRMED}
    row = written(EmailOutbox.objects.filter(registration=registration).latest("id"))
    assert (row.kind, row.subject) == (EmailKind.CONFIRMED, f"Registration confirmed: {FORUM}")
    assert "Note from the secretariat: Welcome aboard" in row.body_text
    assert "- Site visit: river clean-up, 6 October 2030, 09:00: Place confirmed\n" in row.body_text


@pytest.mark.django_db
def test_approve_waitlists_when_the_category_is_full(open_forum, partners, staff, register):
    partners.capacity = 1
    partners.save()
    first, second = register(open_forum, partners, 1), register(open_forum, partners, 2)

    registration_approve(registration=first, actor=staff)
    result = registration_approve(registration=second, actor=staff, reason="")

    assert (status(first), result.status) == (CONFIRMED, WAITLISTED)
    assert history(second) == [
        ("", PENDING, None, REASON_NEEDS_APPROVAL),
        (PENDING, WAITLISTED, staff.pk, ""),
    ]
    assert emails(second)[-1] == (
        EmailKind.WAITLISTED,
        "mayor2@city2.example.org",
        f"You are on the waitlist: {FORUM}",
    )


@pytest.mark.django_db
def test_approve_only_pending(open_forum, mayors, staff, register):
    registration = register(open_forum, mayors, 1)

    with pytest.raises(RegistrationError, match="Only a pending registration"):
        registration_approve(registration=registration, actor=staff)

    assert len(history(registration)) == 1


@pytest.mark.django_db
def test_reject_with_reason_emails_the_reason(open_forum, partners, staff, register):
    registration = register(open_forum, partners, 1)

    rejected = registration_reject(registration=registration, actor=staff, reason="Please register as Media.")

    assert rejected.status == REJECTED
    assert history(registration)[-1] == (PENDING, REJECTED, staff.pk, "Please register as Media.")
    row = written(EmailOutbox.objects.filter(registration=registration).latest("id"))
    assert (row.kind, row.subject) == (EmailKind.REJECTED, f"Registration not accepted: {FORUM}")
    assert "Reason: Please register as Media." in row.body_text
    assert "Reason: Please register as Media." in " ".join(strip_tags(row.body_html).split())


@pytest.mark.django_db
def test_rejecting_a_confirmed_delegate_promotes_the_first_waitlisted(open_forum, mayors, staff, register):
    mayors.capacity = 1
    mayors.save()
    confirmed, waiting = register(open_forum, mayors, 1), register(open_forum, mayors, 2)

    registration_reject(registration=confirmed, actor=staff, reason="Duplicate person")

    assert status(waiting) == CONFIRMED
    assert emails(waiting)[-1] == (
        EmailKind.PROMOTED,
        "mayor2@city2.example.org",
        f"A place is now confirmed for you: {FORUM}",
    )


# --- Cancellation and the waitlist ---------------------------------------------------------------------


@pytest.mark.django_db
def test_cancel_promotes_the_first_waitlisted_first_come_first_served(
    open_forum, mayors, assistant, register
):
    mayors.capacity = 2
    mayors.save()
    first, second = register(open_forum, mayors, 1), register(open_forum, mayors, 2)
    waiting_1, waiting_2 = register(open_forum, mayors, 3), register(open_forum, mayors, 4)

    cancelled = registration_cancel(registration=first, actor=assistant, reason="Schedule conflict")

    assert cancelled.status == CANCELLED
    assert [status(r) for r in (first, second, waiting_1, waiting_2)] == [
        CANCELLED,
        CONFIRMED,
        CONFIRMED,
        WAITLISTED,
    ]
    assert history(first)[-1] == (CONFIRMED, CANCELLED, assistant.pk, "Schedule conflict")
    assert history(waiting_1) == [
        ("", WAITLISTED, None, REASON_CATEGORY_FULL),
        (WAITLISTED, CONFIRMED, None, REASON_PROMOTED),
    ]
    promoted = written(EmailOutbox.objects.get(registration=waiting_1, kind=EmailKind.PROMOTED))
    assert (promoted.to, promoted.subject, promoted.status) == (
        "mayor3@city3.example.org",
        f"A place is now confirmed for you: {FORUM}",
        OutboxStatus.PENDING,
    )
    cancel_email = written(EmailOutbox.objects.get(registration=first, kind=EmailKind.CANCELLED))
    assert "Reason: Schedule conflict" in cancel_email.body_text
    assert EmailOutbox.objects.filter(kind=EmailKind.PROMOTED).count() == 1


@pytest.mark.django_db
def test_promotion_skips_delegates_whose_category_is_still_full(open_forum, mayors, register):
    open_forum.capacity = 2
    open_forum.save()
    mayors.capacity = 1
    mayors.save()
    media = DelegateCategoryFactory(forum=open_forum, name="Media", slug="media")
    register(open_forum, mayors, 1)
    journalist = register(open_forum, media, 2)
    waiting_mayor, waiting_journalist = register(open_forum, mayors, 3), register(open_forum, media, 4)
    assert (waiting_mayor.status, waiting_journalist.status) == (WAITLISTED, WAITLISTED)

    registration_cancel(registration=journalist, actor=None)

    assert (status(waiting_mayor), status(waiting_journalist)) == (WAITLISTED, CONFIRMED)


@pytest.mark.django_db
@pytest.mark.parametrize("start", [PENDING, WAITLISTED])
def test_cancelling_without_a_seat_promotes_nobody(open_forum, mayors, partners, register, start):
    mayors.capacity = 1
    mayors.save()
    register(open_forum, mayors, 1)
    waiting = register(open_forum, mayors, 2)
    leaving = register(open_forum, partners if start == PENDING else mayors, 3)
    assert leaving.status == start

    registration_cancel(registration=leaving, actor=None)

    assert (status(leaving), status(waiting)) == (CANCELLED, WAITLISTED)
    assert EmailOutbox.objects.filter(kind=EmailKind.PROMOTED).count() == 0


@pytest.mark.django_db
def test_cancel_twice_is_refused(open_forum, mayors, register):
    registration = register(open_forum, mayors, 1)
    registration_cancel(registration=registration, actor=None)

    with pytest.raises(RegistrationError, match="no longer active"):
        registration_cancel(registration=registration, actor=None)

    assert len(history(registration)) == 2


@pytest.mark.django_db
def test_cancel_frees_the_session_seat_for_the_first_waiting_confirmed_delegate(
    open_forum, mayors, partners, site_visit, register
):
    holder = register(open_forum, mayors, 1, sessions=[site_visit])
    register(open_forum, mayors, 2, sessions=[site_visit])
    pending = register(open_forum, partners, 3, sessions=[site_visit])  # earlier, but not confirmed
    waiting = register(open_forum, mayors, 4, sessions=[site_visit])
    assert signups(waiting) == {"Site visit: river clean-up": SignupStatus.WAITLISTED}

    registration_cancel(registration=holder, actor=None)

    assert signups(holder) == {"Site visit: river clean-up": SignupStatus.RELEASED}  # kept, holding nothing
    assert signups(pending) == {"Site visit: river clean-up": SignupStatus.WAITLISTED}
    assert signups(waiting) == {"Site visit: river clean-up": SignupStatus.CONFIRMED}
    changed = written(EmailOutbox.objects.get(registration=waiting, kind=EmailKind.CHANGED))
    assert changed.subject == f"Registration updated: {FORUM}"
    assert "- Site visit: river clean-up, 6 October 2030, 09:00: Place confirmed\n" in changed.body_text


@pytest.mark.django_db
def test_promoted_delegate_gets_the_freed_session_seat_and_an_email_that_says_so(
    open_forum, mayors, site_visit, register
):
    mayors.capacity = 1
    mayors.save()
    site_visit.capacity = 1
    site_visit.save()
    holder = register(open_forum, mayors, 1, sessions=[site_visit])
    waiting = register(open_forum, mayors, 2, sessions=[site_visit])

    registration_cancel(registration=holder, actor=None)

    assert status(waiting) == CONFIRMED
    assert signups(waiting) == {"Site visit: river clean-up": SignupStatus.CONFIRMED}
    promoted = written(EmailOutbox.objects.get(registration=waiting, kind=EmailKind.PROMOTED))
    assert "- Site visit: river clean-up, 6 October 2030, 09:00: Place confirmed\n" in promoted.body_text
    assert EmailOutbox.objects.filter(registration=waiting, kind=EmailKind.CHANGED).count() == 0


# --- Editing -------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_update_changes_fields_and_emails_once(open_forum, mayors, assistant, register):
    registration = register(open_forum, mayors, 1)

    updated = registration_update(
        registration=registration,
        data={
            **delegate_data(1),
            "given_name": "Somchai",
            "family_name": "Jaidee",
            "badge_name": "Somchai Jaidee",
            "native_name": "สมชาย ใจดี",
            "native_name_lang": "th",
        },
        actor=assistant,
    )

    fresh = Registration.objects.get(pk=registration.pk)
    assert (fresh.badge_name, fresh.native_name, fresh.native_name_lang) == (
        "Somchai Jaidee",
        "สมชาย ใจดี",
        "th",
    )
    assert updated.status == CONFIRMED
    changed = written(EmailOutbox.objects.get(registration=registration, kind=EmailKind.CHANGED))
    assert "Delegate: H.E. Somchai Jaidee (สมชาย ใจดี)" in changed.body_text
    assert len(history(registration)) == 1  # details are not a status change


@pytest.mark.django_db
def test_update_without_changes_sends_nothing(open_forum, mayors, register):
    registration = register(open_forum, mayors, 1)

    registration_update(registration=registration, data=delegate_data(1), session_ids=[], actor=None)

    assert [kind for kind, _to, _subject in emails(registration)] == [EmailKind.CONFIRMED]


@pytest.mark.django_db
def test_update_adds_and_drops_sessions(open_forum, mayors, site_visit, register):
    dinner = SessionFactory(forum=open_forum, title="Gala dinner", requires_signup=True, capacity=1)
    SessionSignupFactory(session=dinner, registration__category=mayors)  # the only seat is taken
    others = [register(open_forum, mayors, n, sessions=[site_visit]) for n in (1, 2)]
    waiting = register(open_forum, mayors, 3, sessions=[site_visit])
    registration = others[0]

    registration_update(registration=registration, data={}, session_ids=[dinner.id], actor=None)

    assert signups(registration) == {"Gala dinner": SignupStatus.WAITLISTED}
    assert signups(waiting) == {"Site visit: river clean-up": SignupStatus.CONFIRMED}
    assert EmailOutbox.objects.filter(registration=registration, kind=EmailKind.CHANGED).count() == 1
    assert EmailOutbox.objects.filter(registration=waiting, kind=EmailKind.CHANGED).count() == 1


@pytest.mark.django_db
def test_update_adds_a_session_while_another_sign_up_waits(open_forum, mayors, site_visit, register):
    dinner = SessionFactory(forum=open_forum, title="Gala dinner", requires_signup=True, capacity=10)
    register(open_forum, mayors, 1, sessions=[site_visit])
    register(open_forum, mayors, 2, sessions=[site_visit])
    registration = register(open_forum, mayors, 3, sessions=[site_visit])

    registration_update(
        registration=registration, data={}, session_ids=[site_visit.id, dinner.id], actor=None
    )

    assert signups(registration) == {
        "Site visit: river clean-up": SignupStatus.WAITLISTED,
        "Gala dinner": SignupStatus.CONFIRMED,
    }


@pytest.mark.django_db
def test_update_of_a_waitlisted_registration_waits_for_sessions(open_forum, mayors, site_visit, register):
    mayors.capacity = 0
    mayors.save()
    registration = register(open_forum, mayors, 1)

    registration_update(registration=registration, data={}, session_ids=[site_visit.id], actor=None)

    assert signups(registration) == {"Site visit: river clean-up": SignupStatus.WAITLISTED}


@pytest.mark.django_db
def test_update_refusing_a_session_saves_nothing(open_forum, mayors, register):
    registration = register(open_forum, mayors, 1)
    elsewhere = SessionFactory(requires_signup=True)

    with pytest.raises(RegistrationError, match="sessions that need sign-up"):
        registration_update(
            registration=registration, data={"hotel": "Shangri-La"}, session_ids=[elsewhere.id], actor=None
        )

    fresh = Registration.objects.get(pk=registration.pk)
    assert (fresh.hotel, signups(fresh)) == ("", {})
    assert [kind for kind, _to, _subject in emails(registration)] == [EmailKind.CONFIRMED]
