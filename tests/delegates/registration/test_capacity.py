"""Capacity changes (``delegates/registration/capacity.py``): places added to a category, the forum or a
session go to the waitlists at once, first come first served, with the promotion emails; lowering a
capacity takes nobody's seat; and raising a capacity while delegates register at the same moment gives
exactly the places there are."""

import pytest

from delegates.enums import EmailKind, RegistrationStatus, SignupStatus
from delegates.models import EmailOutbox, Registration, SessionSignup, StatusChange
from delegates.registration.capacity import category_update, forum_capacity_update, session_capacity_update
from delegates.registration.seats import REASON_PROMOTED
from tests.delegates.registration.concurrency import run_together
from tests.factories import DelegateCategoryFactory

CONFIRMED, WAITLISTED = RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED


def statuses(registrations) -> list[str]:
    by_id = dict(
        Registration.objects.filter(pk__in=[r.pk for r in registrations]).values_list("pk", "status")
    )
    return [by_id[r.pk] for r in registrations]


def kinds(registration) -> list[str]:
    return list(
        EmailOutbox.objects.filter(registration=registration).order_by("id").values_list("kind", flat=True)
    )


@pytest.mark.django_db
def test_raising_a_categorys_capacity_promotes_its_waitlist_first_come_first_served(
    open_forum, mayors, register
):
    mayors.capacity = 2
    mayors.save()
    seated = [register(open_forum, mayors, n) for n in range(2)]
    waiting = [register(open_forum, mayors, n) for n in range(2, 6)]
    assert statuses(waiting) == [WAITLISTED] * 4

    mayors.capacity = 4
    promotions = category_update(category=mayors)

    assert [r.pk for r in promotions.registrations] == [r.pk for r in waiting[:2]]
    assert statuses(seated + waiting) == [CONFIRMED] * 4 + [WAITLISTED] * 2
    assert kinds(waiting[0]) == [EmailKind.WAITLISTED, EmailKind.PROMOTED]
    assert kinds(waiting[2]) == [EmailKind.WAITLISTED]
    change = StatusChange.objects.filter(registration=waiting[0]).order_by("-id").first()
    assert (change.from_status, change.to_status, change.actor, change.reason) == (
        WAITLISTED,
        CONFIRMED,
        None,
        REASON_PROMOTED,
    )
    assert Registration.objects.get(pk=waiting[0].pk).checkin_token


@pytest.mark.django_db
def test_lifting_a_categorys_limit_promotes_everyone_waiting(open_forum, mayors, register):
    mayors.capacity = 1
    mayors.save()
    register(open_forum, mayors, 0)
    waiting = [register(open_forum, mayors, n) for n in range(1, 4)]

    mayors.capacity = None
    promotions = category_update(category=mayors)

    assert len(promotions.registrations) == 3
    assert statuses(waiting) == [CONFIRMED] * 3


@pytest.mark.django_db
def test_lowering_a_capacity_takes_no_seat(open_forum, mayors, register):
    mayors.capacity = 3
    mayors.save()
    seated = [register(open_forum, mayors, n) for n in range(3)]

    mayors.capacity = 1
    promotions = category_update(category=mayors)

    assert not promotions
    assert statuses(seated) == [CONFIRMED] * 3
    assert register(open_forum, mayors, 3).status == WAITLISTED


@pytest.mark.django_db
def test_other_changes_of_a_category_are_saved_and_promote_nobody(open_forum, mayors, register):
    mayors.capacity = 1
    mayors.save()
    register(open_forum, mayors, 0)
    waiting = register(open_forum, mayors, 1)

    mayors.name = "Mayor / Governor / Regent"
    mayors.heads_of_local_government = True
    promotions = category_update(category=mayors)

    assert not promotions
    mayors.refresh_from_db()
    assert (mayors.name, mayors.heads_of_local_government) == ("Mayor / Governor / Regent", True)
    assert statuses([waiting]) == [WAITLISTED]


@pytest.mark.django_db
def test_raising_the_forums_capacity_promotes_across_categories_skipping_full_ones(
    open_forum, mayors, register
):
    officials = DelegateCategoryFactory(forum=open_forum, name="City official", slug="official", capacity=1)
    forum_capacity_update(forum=open_forum, capacity=2)
    register(open_forum, mayors, 0)
    register(open_forum, officials, 1)
    official_waiting = register(open_forum, officials, 2)  # the category is full too
    mayor_waiting = register(open_forum, mayors, 3)
    mayor_later = register(open_forum, mayors, 4)

    promotions = forum_capacity_update(forum=open_forum, capacity=3)

    assert [r.pk for r in promotions.registrations] == [mayor_waiting.pk]
    assert statuses([official_waiting, mayor_waiting, mayor_later]) == [WAITLISTED, CONFIRMED, WAITLISTED]
    open_forum.refresh_from_db()
    assert open_forum.capacity == 3


@pytest.mark.django_db
def test_raising_a_sessions_capacity_seats_its_waiting_delegates(
    open_forum, mayors, partners, site_visit, register
):
    seated = [register(open_forum, mayors, n, sessions=[site_visit]) for n in range(2)]
    waiting = register(open_forum, mayors, 2, sessions=[site_visit])
    pending = register(open_forum, partners, 3, sessions=[site_visit])  # not confirmed: still waits
    later = register(open_forum, mayors, 4, sessions=[site_visit])
    assert SessionSignup.objects.get(registration=waiting).status == SignupStatus.WAITLISTED

    promotions = session_capacity_update(session=site_visit, capacity=3)

    assert [s.registration_id for s in promotions.signups] == [waiting.pk]
    by_registration = dict(
        SessionSignup.objects.filter(session=site_visit).values_list("registration", "status")
    )
    assert [by_registration[r.pk] for r in [*seated, waiting, pending, later]] == [
        SignupStatus.CONFIRMED,
        SignupStatus.CONFIRMED,
        SignupStatus.CONFIRMED,
        SignupStatus.WAITLISTED,
        SignupStatus.WAITLISTED,
    ]
    assert kinds(waiting) == [EmailKind.CONFIRMED, EmailKind.CHANGED]


# --- Races ---------------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_raising_capacity_while_delegates_register_gives_exactly_the_new_places(
    open_forum, mayors, register, settings
):
    settings.REGISTRATION_LOCK_TIMEOUT = 60
    mayors.capacity = 10
    mayors.save()
    seated = [register(open_forum, mayors, n) for n in range(10)]
    waiting = [register(open_forum, mayors, n) for n in range(10, 30)]

    def act(i: int):
        if i == 0:
            mayors.capacity = 35
            return category_update(category=mayors)
        return register(open_forum, mayors, 1000 + i)

    results, errors = run_together(31, act)

    assert errors == []
    confirmed = Registration.objects.filter(category=mayors, status=CONFIRMED)
    assert confirmed.count() == 35
    # Those who waited before the raise get their places first, then the newcomers in arrival order.
    assert statuses(seated + waiting) == [CONFIRMED] * 30
    newcomers = Registration.objects.filter(pk__in=[r.pk for r in results[1:]])
    assert newcomers.count() == 30
    assert newcomers.filter(status=CONFIRMED).count() == 5
    last_seated = max(newcomers.filter(status=CONFIRMED).values_list("created_at", flat=True))
    assert last_seated < min(newcomers.filter(status=WAITLISTED).values_list("created_at", flat=True))
    # Every delegate who got a place was told once: confirmed at once, or promoted.
    promoted = EmailOutbox.objects.filter(registration__category=mayors, kind=EmailKind.PROMOTED)
    told = EmailOutbox.objects.filter(registration__in=newcomers, kind=EmailKind.CONFIRMED).count()
    assert promoted.count() + told + 10 == 35
    assert promoted.values("registration").distinct().count() == promoted.count()
