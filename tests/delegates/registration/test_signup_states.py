"""What a session sign-up means for the delegate (``SessionSignup.state``), on the pages and in the
emails: a place; the session's waitlist because it is full; waiting for the registration to be approved
or confirmed (a place is given then, if one is still free — none is held), with the places free now;
or released when the registration was cancelled or rejected, kept as the record of what was chosen."""

import pytest
from django.core import mail
from django.urls import reverse

from delegates.enums import RegistrationStatus, SignupState, SignupStatus
from delegates.models import EmailOutbox, Registration, SessionSignup
from delegates.registration.services import registration_cancel, registration_reject
from tests.delegates.registration.submissions import form_data, page, register_url
from tests.factories import DelegateCategoryFactory, RegistrationFactory, SessionFactory, SessionSignupFactory

pytestmark = pytest.mark.django_db

AWAITING_APPROVAL = '<span class="status status--awaiting_approval">Waiting for registration approval</span>'
PLACE_AT_APPROVAL = (
    "A place is given when the secretariat approves the registration, if one is still free then."
)


@pytest.fixture
def visit(open_forum):
    """A site visit of 40 places, one of them taken."""
    session = SessionFactory(
        forum=open_forum, title="Site visit: river clean-up", requires_signup=True, capacity=40
    )
    SessionSignupFactory(
        session=session, registration=RegistrationFactory(category=DelegateCategoryFactory(forum=open_forum))
    )
    return session


def _register(client, forum, category, sessions, django_capture_on_commit_callbacks, **data):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            register_url(forum),
            form_data(category, sessions=[str(s.pk) for s in sessions], **data),
            follow=True,
        )
    return response, Registration.objects.get(email=data.get("email", "governor@phnompenh.example.org"))


def test_a_pending_registrations_site_visit_says_it_waits_for_approval_with_the_places_free(
    signed_in, open_forum, partners, visit, django_capture_on_commit_callbacks
):
    response, registration = _register(
        signed_in, open_forum, partners, [visit], django_capture_on_commit_callbacks
    )

    assert registration.status == RegistrationStatus.PENDING
    signup = registration.signups.get()
    assert (signup.status, signup.state) == (SignupStatus.WAITLISTED, SignupState.AWAITING_APPROVAL)
    detail = page(response)
    assert AWAITING_APPROVAL in detail
    assert PLACE_AT_APPROVAL in detail
    assert "39 of 40 places are free now." in detail
    assert "Waitlisted" not in detail
    mine = page(signed_in.get(reverse("delegates:my-registrations")))
    assert AWAITING_APPROVAL in mine and "39 of 40 places are free now." in mine
    edit = page(signed_in.get(reverse("delegates:registration-edit", args=[registration.public_id])))
    assert '<span class="tag tag--pending">Waiting for registration approval</span>' in edit
    assert PLACE_AT_APPROVAL in edit
    [email] = mail.outbox
    assert email.subject == "Registration received: ASEAN Mayors Forum 2031"
    assert (
        "- Site visit: river clean-up, 6 October 2030, 09:00: Waiting for registration approval. "
        f"{PLACE_AT_APPROVAL} 39 of 40 places are free now.\n"
    ) in email.body


def test_a_waitlisted_registrations_site_visit_says_it_waits_for_the_registration(
    signed_in, open_forum, mayors, visit, django_capture_on_commit_callbacks
):
    mayors.capacity = 0
    mayors.save()

    response, registration = _register(
        signed_in, open_forum, mayors, [visit], django_capture_on_commit_callbacks
    )

    assert registration.status == RegistrationStatus.WAITLISTED
    line = (
        "Waiting for registration confirmation. A place is given when the registration is "
        "confirmed from the waitlist, if one is still free then. 39 of 40 places are free now."
    )
    [email] = mail.outbox
    assert email.subject == "You are on the waitlist: ASEAN Mayors Forum 2031"
    assert f"- Site visit: river clean-up, 6 October 2030, 09:00: {line}\n" in email.body
    assert (
        '<span class="status status--awaiting_confirmation">Waiting for registration confirmation</span>'
    ) in page(response)


def test_a_full_session_says_so_apart_from_waiting_for_the_registration(
    signed_in, open_forum, mayors, partners, django_capture_on_commit_callbacks
):
    full = SessionFactory(forum=open_forum, title="Gala dinner", requires_signup=True, capacity=1)
    SessionSignupFactory(
        session=full, registration=RegistrationFactory(category=DelegateCategoryFactory(forum=open_forum))
    )
    confirmed = RegistrationFactory(category=mayors, status=RegistrationStatus.CONFIRMED)
    pending = RegistrationFactory(category=partners, status=RegistrationStatus.PENDING)
    on_waitlist = SessionSignupFactory(registration=confirmed, session=full, status=SignupStatus.WAITLISTED)
    waiting = SessionSignupFactory(registration=pending, session=full, status=SignupStatus.WAITLISTED)

    assert (on_waitlist.state, on_waitlist.get_state_display()) == (
        SignupState.SESSION_FULL,
        "On the waitlist: the session is full",
    )
    assert on_waitlist.state_note == (
        "If a place becomes free, it goes to the first on the waitlist, in the order of sign-up, and an "
        "email says so."
    )
    assert (waiting.state, waiting.seats_left, waiting.seats_note) == (SignupState.AWAITING_APPROVAL, 0, "")
    assert waiting.state_note == (
        "The session is full now: when the registration is approved, this sign-up joins its waitlist."
    )


def test_a_session_without_a_limit_names_no_count(open_forum, partners):
    open_session = SessionFactory(forum=open_forum, requires_signup=True, capacity=None)
    signup = SessionSignupFactory(
        registration=RegistrationFactory(category=partners, status=RegistrationStatus.PENDING),
        session=open_session,
        status=SignupStatus.WAITLISTED,
    )

    assert (signup.seats_left, signup.state_note, signup.seats_note) == (None, PLACE_AT_APPROVAL, "")


def test_one_place_left_is_said_in_the_singular(open_forum, partners):
    session = SessionFactory(forum=open_forum, requires_signup=True, capacity=2)
    SessionSignupFactory(
        session=session, registration=RegistrationFactory(category=DelegateCategoryFactory(forum=open_forum))
    )
    signup = SessionSignupFactory(
        registration=RegistrationFactory(category=partners, status=RegistrationStatus.PENDING),
        session=session,
        status=SignupStatus.WAITLISTED,
    )

    assert signup.seats_note == "1 of 2 places is free now."


@pytest.mark.parametrize("count", [1, 8])
def test_my_registrations_with_waiting_sign_ups_query_count_does_not_grow(
    signed_in, user, open_forum, partners, visit, count, django_assert_num_queries
):
    for _ in range(count):
        registration = RegistrationFactory(
            category=partners, registered_by=user, status=RegistrationStatus.PENDING
        )
        SessionSignupFactory(registration=registration, session=visit, status=SignupStatus.WAITLISTED)

    # session + user, registrations, their sign-ups with their sessions and seats taken.
    with django_assert_num_queries(4):
        response = signed_in.get(reverse("delegates:my-registrations"))

    assert page(response).count("39 of 40 places are free now.") == count


# --- Cancelled and rejected: what was chosen stays, released ------------------------------------------


def test_a_cancelled_registration_shows_its_sessions_released(
    signed_in, open_forum, mayors, visit, django_capture_on_commit_callbacks
):
    _response, registration = _register(
        signed_in, open_forum, mayors, [visit], django_capture_on_commit_callbacks
    )
    assert registration.signups.get().status == SignupStatus.CONFIRMED
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(
            reverse("delegates:registration-cancel", args=[registration.public_id]),
            {"reason": ""},
            follow=True,
        )

    signup = SessionSignup.objects.get(registration=registration)
    assert (signup.status, signup.state) == (SignupStatus.RELEASED, SignupState.RELEASED)
    detail = page(response)
    assert "No sessions that need sign-up were chosen." not in detail
    assert "Site visit: river clean-up" in detail
    assert '<span class="status status--released">Released</span>' in detail
    assert "The registration was cancelled, so this choice holds no place any more." in detail
    [email] = mail.outbox
    assert email.subject == "Registration cancelled: ASEAN Mayors Forum 2031"
    assert (
        "- Site visit: river clean-up, 6 October 2030, 09:00: Released. The registration was cancelled, so "
        "this choice holds no place any more.\n"
    ) in email.body


def test_a_released_sign_up_holds_no_seat_and_the_waitlist_moves_up(open_forum, mayors, register):
    visit = SessionFactory(forum=open_forum, requires_signup=True, capacity=1)
    holder = register(open_forum, mayors, 1, sessions=[visit])
    waiting = register(open_forum, mayors, 2, sessions=[visit])

    registration_cancel(registration=holder, actor=None)

    assert dict(SessionSignup.objects.values_list("registration_id", "status")) == {
        holder.pk: SignupStatus.RELEASED,
        waiting.pk: SignupStatus.CONFIRMED,
    }
    late = register(open_forum, mayors, 3, sessions=[visit])
    assert late.signups.get().status == SignupStatus.WAITLISTED  # the one seat is the waiting delegate's


def test_a_rejected_registration_says_its_place_was_released_when_not_accepted(
    open_forum, partners, visit, staff, register
):
    registration = register(open_forum, partners, 1, sessions=[visit])

    registration_reject(registration=registration, actor=staff, reason="The delegation is complete.")

    signup = SessionSignup.objects.select_related("registration").get(registration=registration)
    assert (signup.status, signup.state_note) == (
        SignupStatus.RELEASED,
        "The registration was not accepted, so this choice holds no place.",
    )
    rejected = EmailOutbox.objects.filter(registration=registration).latest("id")
    assert rejected.kind == "rejected"


def test_registering_again_after_cancelling_chooses_the_sessions_anew(open_forum, mayors, visit, register):
    other = SessionFactory(forum=open_forum, title="Gala dinner", requires_signup=True, capacity=10)
    first = register(open_forum, mayors, 1, sessions=[visit])
    registration_cancel(registration=first, actor=None)

    again = register(open_forum, mayors, 1, sessions=[other])

    assert again.pk != first.pk
    assert list(again.signups.values_list("session__title", "status")) == [
        ("Gala dinner", SignupStatus.CONFIRMED)
    ]
    assert list(first.signups.values_list("session__title", "status")) == [
        ("Site visit: river clean-up", SignupStatus.RELEASED)
    ]
