"""Reads of registrations, with the visibility rule written once: a user sees the registrations they
made (``registered_by``), the ones that are theirs (``user``), and the ones made for an email address
they have verified that no account holds yet (``user`` empty). Anything else is a 404.

A registration that belongs to an account stays with it: if the address later passes to another
account, that account does not see the registration, its history or its reasons. Each registration
has its own history: registering again after cancelling makes a new one."""

import uuid

from allauth.account.models import EmailAddress
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Case, Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404

from events.models import Forum, Session

from ..enums import ACTIVE_STATUSES, RegistrationStatus, SignupStatus
from ..models import DelegateCategory, Registration, SessionSignup
from ..permissions import VIEW_REGISTRATION
from ..staff.selectors import staff_may_work_on


def _visible_to(user: AbstractBaseUser) -> Q:
    verified_email = EmailAddress.objects.filter(user=user, verified=True, email__iexact=OuterRef("email"))
    return Q(registered_by=user) | Q(user=user) | (Q(user__isnull=True) & Exists(verified_email))


def registration_is_known_to(*, user: AbstractBaseUser, registration: Registration) -> bool:
    """Whether ``user`` may be told that ``registration`` exists: one of its own (the visibility rule
    above), or active staff who may view the registrations of its forum. Anyone else is told neither
    that it exists nor that it does not."""
    if not getattr(user, "is_authenticated", False):
        return False
    is_staff = user.is_active and user.is_staff and user.has_perm(VIEW_REGISTRATION)
    if is_staff and staff_may_work_on(user, registration.forum_id):
        return True
    return Registration.objects.filter(_visible_to(user), pk=registration.pk).exists()


def _signups_with_seats(signups: QuerySet[SessionSignup]) -> QuerySet[SessionSignup]:
    """Sign-ups with their session (and room) and the session's confirmed seats (``session_taken``),
    from which a sign-up that waits says how many places are free now. In session order."""
    taken = (
        SessionSignup.objects.filter(session_id=OuterRef("session_id"), status=SignupStatus.CONFIRMED)
        .order_by()
        .values("session_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    return (
        signups.select_related("session", "session__room")
        .annotate(session_taken=Coalesce(Subquery(taken), 0))
        .order_by("session__starts_at", "id")
    )


def signup_list_for_registration(*, registration: Registration) -> list[SessionSignup]:
    """The registration's sign-ups (released ones included: they say what was chosen), in session
    order, each with its session and the session's confirmed seats."""
    return list(_signups_with_seats(registration.signups.all()))


_taking_part_first = Case(When(status__in=ACTIVE_STATUSES, then=Value(0)), default=Value(1))


def registration_list_for_user(*, user: AbstractBaseUser) -> QuerySet[Registration]:
    if not user.is_authenticated:
        return Registration.objects.none()
    return (
        Registration.objects.filter(_visible_to(user))
        .select_related("forum", "category")
        .prefetch_related(Prefetch("signups", queryset=_signups_with_seats(SessionSignup.objects.all())))
        # Per forum, the registrations that take part first; then the ones that left (cancelled, not
        # accepted), each its own record with its own history.
        .order_by("-forum__start_date", _taking_part_first, "created_at", "id")
    )


def registration_get_for_user(*, user: AbstractBaseUser, public_id: str | uuid.UUID) -> Registration:
    """The registration with this public id if the user may see it; Http404 otherwise (also for a
    malformed id), so that nobody can tell whether someone else's registration exists."""
    try:
        public_id = uuid.UUID(str(public_id))
    except ValueError:
        raise Http404("No such registration") from None
    registration = registration_list_for_user(user=user).filter(public_id=public_id).first()
    if registration is None:
        raise Http404("No such registration")
    return registration


def category_list_public(*, forum: Forum) -> QuerySet[DelegateCategory]:
    """The categories the public form offers: never a staff-only one, never one by invitation only."""
    return DelegateCategory.objects.filter(forum=forum, is_public=True, by_invitation=False).order_by(
        "protocol_rank", "name"
    )


def session_list_for_signup(*, forum: Forum) -> QuerySet[Session]:
    """Sessions of the forum that need sign-up, with their confirmed seat count (``taken``)."""
    return (
        Session.objects.filter(forum=forum, requires_signup=True)
        .select_related("room")
        .annotate(taken=Count("signups", filter=Q(signups__status=SignupStatus.CONFIRMED)))
        .order_by("starts_at", "title")
    )


def forum_seats_left(*, forum: Forum) -> int | None:
    """Seats not yet confirmed (None: no limit). For display only; services count under lock."""
    if forum.capacity is None:
        return None
    taken = Registration.objects.filter(forum=forum, status=RegistrationStatus.CONFIRMED).count()
    return max(forum.capacity - taken, 0)
