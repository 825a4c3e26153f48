"""Staff corrections (``delegates/registration/corrections.py``): moving a registration to another
category under the seat locks (a confirmed delegate never loses a seat to a correction; the seat left
goes to the waitlist), changing its email address (one registration per address per forum; who is
told), the head-of-local-government mark and its category default, details after the delegates' edit
deadline — each recorded in the history and emailed. Races for the last seat of a category at the end."""

import datetime as dt

import pytest
from allauth.account.models import EmailAddress
from django.utils import timezone

from delegates.enums import EmailKind, RegistrationStatus
from delegates.mail.outbox import outbox_render
from delegates.models import EmailOutbox, Registration, StatusChange
from delegates.registration.corrections import (
    CategoryFull,
    EmailTaken,
    registration_correct,
    registration_correction_problems,
)
from delegates.registration.seats import REASON_PROMOTED
from delegates.registration.services import (
    RegistrationClosed,
    RegistrationError,
    registration_cancel,
    registration_reject,
    registration_update,
)
from tests.delegates.registration.concurrency import run_together
from tests.factories import DelegateCategoryFactory, ForumFactory, UserFactory

CONFIRMED, PENDING, WAITLISTED = (
    RegistrationStatus.CONFIRMED,
    RegistrationStatus.PENDING,
    RegistrationStatus.WAITLISTED,
)


def history(registration) -> list[tuple[str, str, int | None, str]]:
    return [
        (change.from_status, change.to_status, change.actor_id, change.reason)
        for change in StatusChange.objects.filter(registration=registration).order_by("id")
    ]


def emails(registration) -> list[tuple[str, str, str]]:
    return [
        (row.kind, row.to, row.cc)
        for row in EmailOutbox.objects.filter(registration=registration).order_by("id")
    ]


def fresh(registration) -> Registration:
    return Registration.objects.select_related("category").get(pk=registration.pk)


@pytest.fixture
def officials(open_forum):
    return DelegateCategoryFactory(forum=open_forum, name="City official", slug="official", protocol_rank=30)


@pytest.fixture
def heads(open_forum):
    """Mayors and governors: heads of local government by default, 2 places."""
    return DelegateCategoryFactory(
        forum=open_forum,
        name="Mayor / Governor",
        slug="head",
        protocol_rank=10,
        capacity=2,
        heads_of_local_government=True,
    )


# --- The head-of-local-government mark ----------------------------------------------------------------


@pytest.mark.django_db
def test_submit_marks_heads_of_local_government_by_the_categorys_default(
    open_forum, heads, officials, register
):
    mayor = register(open_forum, heads, 1)
    official = register(open_forum, officials, 2)

    assert (fresh(mayor).is_head_of_local_government, fresh(official).is_head_of_local_government) == (
        True,
        False,
    )


@pytest.mark.django_db
def test_registering_again_takes_the_new_categorys_default(open_forum, heads, officials, register):
    first = register(open_forum, heads, 1)
    registration_cancel(registration=first, actor=None)

    again = register(open_forum, officials, 1)

    assert again.pk != first.pk
    assert fresh(again).is_head_of_local_government is False
    assert fresh(first).is_head_of_local_government is True


@pytest.mark.django_db
def test_staff_mark_a_head_of_local_government_with_a_history_entry(open_forum, officials, staff, register):
    registration = register(open_forum, officials, 1)

    registration_correct(registration=registration, actor=staff, is_head_of_local_government=True)

    assert fresh(registration).is_head_of_local_government is True
    assert history(registration)[-1] == (
        CONFIRMED,
        CONFIRMED,
        staff.pk,
        "Marked as a head of local government.",
    )
    row = outbox_render(EmailOutbox.objects.get(registration=registration, kind=EmailKind.CHANGED))
    assert "Note from the secretariat: Marked as a head of local government." in row.body_text


@pytest.mark.django_db
def test_moving_applies_the_new_categorys_mark_unless_staff_set_it(
    open_forum, heads, officials, staff, register
):
    moved = register(open_forum, heads, 1)
    kept = register(open_forum, heads, 2)

    registration_correct(registration=moved, actor=staff, category=officials)
    registration_correct(registration=kept, actor=staff, category=officials, is_head_of_local_government=True)

    assert fresh(moved).is_head_of_local_government is False
    assert history(moved)[-1][3] == (
        "Category changed from “Mayor / Governor” to “City official”. "
        "No longer marked as a head of local government."
    )
    assert fresh(kept).is_head_of_local_government is True
    assert history(kept)[-1][3] == "Category changed from “Mayor / Governor” to “City official”."


# --- Category ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_moving_a_confirmed_delegate_keeps_the_seat_and_promotes_the_old_categorys_waitlist(
    open_forum, heads, officials, staff, register, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        seated = register(open_forum, heads, 1)
        register(open_forum, heads, 2)
        waiting = register(open_forum, heads, 3)
    assert waiting.status == WAITLISTED
    old_badge = fresh(seated).badge_hash

    with django_capture_on_commit_callbacks(execute=True):
        registration_correct(registration=seated, actor=staff, category=officials, note="Deputy, not mayor.")

    moved = fresh(seated)
    assert (moved.category, moved.status) == (officials, CONFIRMED)
    assert history(seated)[-1] == (
        CONFIRMED,
        CONFIRMED,
        staff.pk,
        "Category changed from “Mayor / Governor” to “City official”. "
        "No longer marked as a head of local government. Deputy, not mayor.",
    )
    assert moved.badge_hash and moved.badge_hash != old_badge  # the badge prints the category
    changed = outbox_render(EmailOutbox.objects.get(registration=seated, kind=EmailKind.CHANGED))
    assert "Category: City official" in changed.body_text
    assert "Note from the secretariat: Category changed from “Mayor / Governor” to “City official”." in (
        changed.body_text
    )
    # The seat left in Mayor / Governor goes to the first on its waitlist.
    assert fresh(waiting).status == CONFIRMED
    assert history(waiting)[-1] == (WAITLISTED, CONFIRMED, None, REASON_PROMOTED)
    assert [kind for kind, _to, _cc in emails(waiting)] == [EmailKind.WAITLISTED, EmailKind.PROMOTED]


@pytest.mark.django_db
def test_a_confirmed_delegate_is_not_moved_into_a_full_category(
    open_forum, heads, officials, staff, register
):
    register(open_forum, heads, 1)
    register(open_forum, heads, 2)
    official = register(open_forum, officials, 3)
    before = (history(official), emails(official))

    with pytest.raises(CategoryFull) as refused:
        registration_correct(
            registration=official, actor=staff, category=heads, data={"badge_name": "Changed"}
        )

    message = (
        "“Mayor / Governor” is full (all 2 places are confirmed), so this confirmed delegate stays in "
        "“City official”. Raise the capacity of “Mayor / Governor” first, or choose another category."
    )
    assert str(refused.value) == message
    assert registration_correction_problems(registration=fresh(official), category=heads) == {
        "category": message
    }
    unchanged = fresh(official)
    assert (unchanged.category, unchanged.badge_name) == (officials, "Given3 Family3")
    assert (history(official), emails(official)) == before


@pytest.mark.django_db
def test_a_waitlisted_delegate_moves_into_a_full_category_and_keeps_their_place(
    open_forum, heads, staff, register
):
    others = DelegateCategoryFactory(forum=open_forum, name="Vice-mayor", slug="vice", capacity=1)
    register(open_forum, heads, 1)
    register(open_forum, heads, 2)
    register(open_forum, others, 3)
    early = register(open_forum, others, 4)  # waits for Vice-mayor
    late = register(open_forum, heads, 5)  # waits for Mayor / Governor, after ``early``
    assert (early.status, late.status) == (WAITLISTED, WAITLISTED)

    registration_correct(registration=early, actor=staff, category=heads)
    moved = fresh(early)
    assert (moved.category, moved.status, moved.created_at) == (heads, WAITLISTED, early.created_at)

    # A seat frees in Mayor / Governor: the delegate who registered first gets it.
    registration_cancel(registration=Registration.objects.get(email="mayor1@city1.example.org"), actor=None)
    assert (fresh(early).status, fresh(late).status) == (CONFIRMED, WAITLISTED)


@pytest.mark.django_db
def test_a_waitlisted_delegate_moved_where_a_seat_is_free_is_promoted(
    open_forum, heads, officials, staff, register
):
    register(open_forum, heads, 1)
    register(open_forum, heads, 2)
    waiting = register(open_forum, heads, 3)

    registration_correct(registration=waiting, actor=staff, category=officials)

    assert (fresh(waiting).category, fresh(waiting).status) == (officials, CONFIRMED)
    assert [(c[0], c[1], c[2]) for c in history(waiting)] == [
        ("", WAITLISTED, None),
        (WAITLISTED, WAITLISTED, staff.pk),
        (WAITLISTED, CONFIRMED, None),
    ]
    assert [kind for kind, _to, _cc in emails(waiting)] == [
        EmailKind.WAITLISTED,
        EmailKind.CHANGED,
        EmailKind.PROMOTED,
    ]


@pytest.mark.django_db
def test_a_pending_registration_moves_and_stays_pending(open_forum, partners, officials, staff, register):
    pending = register(open_forum, partners, 1)

    registration_correct(registration=pending, actor=staff, category=officials)

    assert (fresh(pending).category, fresh(pending).status) == (officials, PENDING)


@pytest.mark.django_db
def test_a_category_of_another_forum_is_refused(open_forum, officials, staff, register):
    registration = register(open_forum, officials, 1)
    elsewhere = DelegateCategoryFactory(
        forum=ForumFactory(slug="amf-elsewhere"), name="Mayor / Governor", slug="head"
    )

    with pytest.raises(RegistrationError) as refused:
        registration_correct(registration=registration, actor=staff, category=elsewhere)

    assert str(refused.value) == "Please choose a delegate category of this forum."
    assert fresh(registration).category == officials


# --- Email address -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_email_change_tells_the_new_address_and_a_verified_old_one(
    open_forum, officials, staff, assistant, register
):
    registration = register(open_forum, officials, 1, by=assistant)
    old = registration.email
    EmailAddress.objects.create(user=UserFactory(email=old), email=old, verified=True, primary=True)

    registration_correct(registration=registration, actor=staff, email="  sok.vibol@phnompenh.gov.kh ")

    assert fresh(registration).email == "sok.vibol@phnompenh.gov.kh"
    reason = f"Email address changed from {old} to sok.vibol@phnompenh.gov.kh."
    assert history(registration)[-1] == (CONFIRMED, CONFIRMED, staff.pk, reason)
    assert emails(registration)[1:] == [
        (EmailKind.CHANGED, "sok.vibol@phnompenh.gov.kh", "assistant@city-hall.example.org"),
        (EmailKind.CHANGED, old, ""),
    ]
    for row in EmailOutbox.objects.filter(registration=registration, kind=EmailKind.CHANGED):
        assert f"Note from the secretariat: {reason}" in outbox_render(row).body_text


@pytest.mark.django_db
def test_email_change_sends_nothing_to_an_unknown_old_address(open_forum, officials, staff, register):
    registration = register(open_forum, officials, 1, email="mayor@bangkok.exmaple.org")  # a typo

    registration_correct(registration=registration, actor=staff, email="mayor@bangkok.example.org")

    assert emails(registration)[1:] == [(EmailKind.CHANGED, "mayor@bangkok.example.org", "")]


@pytest.mark.django_db
@pytest.mark.parametrize("taken_by", ["active", "rejected"])
def test_email_of_another_registration_of_the_forum_is_refused(
    open_forum, officials, staff, register, taken_by
):
    other = register(open_forum, officials, 1, email="mayor@bangkok.example.org")
    if taken_by == "rejected":
        registration_reject(registration=other, actor=staff, reason="Not an official")
    registration = register(open_forum, officials, 2)
    label = {"active": "Confirmed", "rejected": "Rejected"}[taken_by]

    with pytest.raises(EmailTaken) as refused:
        registration_correct(registration=registration, actor=staff, email="Mayor@Bangkok.example.org")

    assert str(refused.value) == (
        f"This email address is already used by registration {other.reference} ({label}) of this forum: "
        "an email address has one registration per forum."
    )
    assert fresh(registration).email == "mayor2@city2.example.org"
    assert len(history(registration)) == 1


@pytest.mark.django_db
def test_email_of_a_cancelled_registration_of_the_forum_may_be_given(open_forum, officials, staff, register):
    other = register(open_forum, officials, 1, email="mayor@bangkok.example.org")
    registration_cancel(registration=other, actor=None)
    registration = register(open_forum, officials, 2)

    registration_correct(registration=registration, actor=staff, email="Mayor@Bangkok.example.org")

    assert fresh(registration).email == "Mayor@Bangkok.example.org"
    assert (fresh(other).email, fresh(other).status) == (
        "mayor@bangkok.example.org",
        RegistrationStatus.CANCELLED,
    )


@pytest.mark.django_db
def test_the_same_address_in_other_letters_case_is_a_correction(open_forum, officials, staff, register):
    registration = register(open_forum, officials, 1, email="mayor@bangkok.example.org")

    registration_correct(registration=registration, actor=staff, email="Mayor@Bangkok.example.org")

    assert fresh(registration).email == "Mayor@Bangkok.example.org"
    assert (
        registration_correction_problems(registration=fresh(registration), email="mayor@bangkok.example.org")
        == {}
    )


@pytest.mark.django_db
def test_email_of_a_registration_of_another_forum_is_fine(open_forum, officials, staff, register):
    other_forum = ForumFactory(
        slug="amf-elsewhere",
        registration_opens_at=open_forum.registration_opens_at,
        registration_closes_at=open_forum.registration_closes_at,
    )
    register(other_forum, DelegateCategoryFactory(forum=other_forum), 1, email="mayor@bangkok.example.org")
    registration = register(open_forum, officials, 2)

    registration_correct(registration=registration, actor=staff, email="mayor@bangkok.example.org")

    assert fresh(registration).email == "mayor@bangkok.example.org"


# --- Details, deadline, nothing to do ------------------------------------------------------------------


@pytest.mark.django_db
def test_staff_correct_details_after_the_delegates_deadline(
    open_forum, officials, staff, assistant, register, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        registration = register(open_forum, officials, 1, by=assistant, badge_name="Somchai Jaidee")
    open_forum.registration_edit_deadline = timezone.now() - dt.timedelta(hours=1)
    open_forum.save()
    old_badge = fresh(registration).badge_hash

    with pytest.raises(RegistrationClosed):
        registration_update(registration=registration, data={"badge_name": "Somchai"}, actor=assistant)
    with django_capture_on_commit_callbacks(execute=True):
        registration_correct(
            registration=registration,
            actor=staff,
            data={"badge_name": "Somchai Jaidee-Wong", "allergies": "Peanuts", "city": "Given1"},
        )

    corrected = fresh(registration)
    assert (corrected.badge_name, corrected.allergies) == ("Somchai Jaidee-Wong", "Peanuts")
    assert history(registration)[-1][3] == "Details changed: name on badge, city, allergies."
    assert corrected.badge_hash != old_badge


@pytest.mark.django_db
def test_a_correction_that_changes_nothing_writes_nothing(open_forum, officials, staff, register):
    registration = register(open_forum, officials, 1)
    current = fresh(registration)

    registration_correct(
        registration=registration,
        actor=staff,
        category=officials,
        email=current.email,
        is_head_of_local_government=False,
        data={"badge_name": current.badge_name},
        note="Checked by phone.",
    )

    assert len(history(registration)) == 1
    assert [kind for kind, _to, _cc in emails(registration)] == [EmailKind.CONFIRMED]


@pytest.mark.django_db
def test_an_inactive_registration_is_not_corrected(open_forum, officials, staff, register):
    registration = register(open_forum, officials, 1)
    registration_reject(registration=registration, actor=staff, reason="Duplicate of another delegation.")

    with pytest.raises(RegistrationError) as refused:
        registration_correct(registration=registration, actor=staff, data={"badge_name": "Changed"})

    assert str(refused.value) == "This registration is no longer active."


# --- Races ---------------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_staff_moving_delegates_into_the_last_seat_while_others_register_never_oversell(
    open_forum, heads, officials, register, settings
):
    settings.REGISTRATION_LOCK_TIMEOUT = 60
    register(open_forum, heads, 1)  # one of the two places left
    movers = [register(open_forum, officials, 10 + i) for i in range(5)]
    staff = UserFactory(is_staff=True)

    def act(i: int):
        if i < 5:
            try:
                return registration_correct(registration=movers[i], actor=staff, category=heads)
            except CategoryFull as error:
                return error
        return register(open_forum, heads, 100 + i)

    results, errors = run_together(15, act)

    assert errors == []
    assert Registration.objects.filter(category=heads, status=CONFIRMED).count() == 2
    moved = [r for r in results[:5] if isinstance(r, Registration)]
    refused = [r for r in results[:5] if isinstance(r, CategoryFull)]
    newcomers = Registration.objects.filter(pk__in=[r.pk for r in results[5:]])
    # The last place went to exactly one writer: a moved delegate or a newcomer.
    assert len(moved) + newcomers.filter(status=CONFIRMED).count() == 1
    assert len(refused) == 5 - len(moved)
    assert newcomers.filter(status=WAITLISTED).count() == 10 - newcomers.filter(status=CONFIRMED).count()
    for mover in movers:
        expected = heads if any(r.pk == mover.pk for r in moved) else officials
        assert (fresh(mover).category, fresh(mover).status) == (expected, CONFIRMED)
