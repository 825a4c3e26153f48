"""Reads of the emails staff write to delegates: who an email goes to, the registrations a preview may
be shown for, and how its copies stand in the outbox."""

import datetime as dt

from django.db.models import Count, Exists, OuterRef, QuerySet

from ..enums import ACTIVE_STATUSES, SignupStatus
from ..models import EmailOutbox, Registration, SessionSignup, StaffEmail

__all__ = ["recipients_matching", "staff_email_delivery", "staff_email_recipients"]


def recipients_matching(*, forum_id: int, criteria: dict) -> QuerySet[Registration]:
    """The registrations of a forum that ``criteria`` match (the compose form's filter): ``statuses``
    (cancelled and rejected ones only when asked for by name), ``category``, ``country``,
    ``arrival_date`` (ISO), ``session`` (signed up, with a seat or a waitlist place) and ``hotel``."""
    queryset = Registration.objects.filter(
        forum_id=forum_id, status__in=criteria.get("statuses") or ACTIVE_STATUSES
    )
    if criteria.get("category"):
        queryset = queryset.filter(category_id=criteria["category"])
    if criteria.get("country"):
        queryset = queryset.filter(country=criteria["country"])
    if criteria.get("arrival_date"):
        queryset = queryset.filter(arrival_date=dt.date.fromisoformat(criteria["arrival_date"]))
    if criteria.get("session"):
        chosen = SessionSignup.objects.filter(registration=OuterRef("pk"), session_id=criteria["session"])
        queryset = queryset.filter(Exists(chosen.exclude(status=SignupStatus.RELEASED)))
    if criteria.get("hotel"):
        queryset = queryset.filter(hotel=criteria["hotel"])
    return queryset


def staff_email_recipients(staff_email: StaffEmail) -> QuerySet[Registration]:
    """Who ``staff_email`` goes to now, in the order they registered: the registrations of its selection
    (of its forum; cancelled and rejected ones only if the selection was to include them) or those its
    filter matches."""
    if staff_email.registration_ids is not None:
        queryset = Registration.objects.filter(
            forum_id=staff_email.forum_id, pk__in=staff_email.registration_ids
        )
        if not staff_email.criteria.get("include_inactive"):
            queryset = queryset.filter(status__in=ACTIVE_STATUSES)
    else:
        queryset = recipients_matching(forum_id=staff_email.forum_id, criteria=staff_email.criteria)
    return queryset.order_by("created_at", "id")


def staff_email_delivery(staff_email: StaffEmail) -> dict[str, int]:
    """How many copies of a sent email are in each outbox status (status → count)."""
    rows = (
        EmailOutbox.objects.filter(staff_email=staff_email)
        .values("status")
        .annotate(count=Count("id"))
        .order_by()
    )
    return {row["status"]: row["count"] for row in rows}
