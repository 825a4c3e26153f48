"""The check-in figures of a forum's dashboard: for each check-in list, how many it admits and how
many are checked in so far, and the check-ins by category. Counts only, in five queries whatever the
number of delegates, lists or check-ins (``checkin_figures``).

A list admits what the door admits (``checkin.selectors.on_list``): the forum's confirmed delegates,
and for a session's list those whose sign-up for it is confirmed. A check-in counts until it is undone.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, F, Q

from events.models import Forum

from ..checkin.verdicts import list_needs_signup
from ..enums import RegistrationStatus, SignupStatus
from ..models import CheckIn, CheckInList, DelegateCategory, SessionSignup
from .selectors import Row


@dataclass(frozen=True)
class CategoryLine:
    """One category's check-ins on each list, in the order of ``CheckinFigures.lists``."""

    label: str
    counts: list[int]


@dataclass(frozen=True)
class CheckinFigures:
    lists: list[Row]  # each list: checked in (count) against admitted (capacity)
    by_category: list[CategoryLine]
    delegates_checked_in: int  # delegates checked in on at least one list

    @property
    def any(self) -> bool:
        return bool(self.lists)


def checkin_figures(*, forum: Forum, confirmed: int) -> CheckinFigures:
    """``confirmed``: the forum's confirmed delegates (what its day and added lists admit), which the
    dashboard has counted already."""
    checkin_lists = list(
        CheckInList.objects.filter(forum=forum)
        .select_related("session")
        .annotate(checked_in=Count("check_ins", filter=Q(check_ins__undone_at__isnull=True)))
        # The day lists first (a session's list has no day), then sessions in their order.
        .order_by(F("day").asc(nulls_last=True), F("session__starts_at").asc(nulls_first=True), "name", "pk")
    )
    signed_up = dict(
        SessionSignup.objects.filter(
            session__forum=forum,
            status=SignupStatus.CONFIRMED,
            registration__status=RegistrationStatus.CONFIRMED,
        )
        .order_by()
        .values_list("session_id")
        .annotate(n=Count("pk"))
        .values_list("session_id", "n")
    )
    active = CheckIn.objects.filter(list__forum=forum, undone_at__isnull=True).order_by()
    per_category = defaultdict(dict)
    for list_id, category_id, n in (
        active.values_list("list_id", "registration__category_id")
        .annotate(n=Count("pk"))
        .values_list("list_id", "registration__category_id", "n")
    ):
        per_category[category_id][list_id] = n
    delegates_checked_in = active.aggregate(n=Count("registration", distinct=True))["n"]

    rows = [
        Row(
            checkin_list.name,
            checkin_list.checked_in,
            signed_up.get(checkin_list.session_id, 0) if list_needs_signup(checkin_list) else confirmed,
        )
        for checkin_list in checkin_lists
    ]
    categories = DelegateCategory.objects.filter(forum=forum).order_by("protocol_rank", "name", "pk")
    by_category = [
        CategoryLine(category.name, [per_category[category.pk].get(cl.pk, 0) for cl in checkin_lists])
        for category in categories
        if category.pk in per_category
    ]
    return CheckinFigures(lists=rows, by_category=by_category, delegates_checked_in=delegates_checked_in)
