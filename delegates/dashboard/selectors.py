"""The figures of a forum's dashboard, each one aggregation in the database (``values().annotate(Count)``),
so that the page costs the same number of queries at ten registrations as at ten thousand.

Counts only, never a person: no name, no free text (dietary details, allergies, accessibility needs)
and no link to the people behind a count. That is why the dietary, accessibility and travel summaries
are shown to every role that may see the dashboard, the read-only role included — as the catering
export gives that role its counts: how many halal meals or wheelchair places to plan for is what a
host city needs, and a number names no one.

Who takes part: the dietary, accessibility, travel and badge figures count confirmed delegates (those
who will come, as the catering export does); the status, category, country and per-day figures count
every registration.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils.translation import gettext
from django_countries import countries

from events.models import Forum, Session

from ..enums import Dietary, RegistrationStatus, SignupStatus
from ..models import DelegateCategory, Registration
from ..printing.selectors import current_badge_printed, printed_badge_exists

CONFIRMED = RegistrationStatus.CONFIRMED


@dataclass(frozen=True)
class Row:
    """One line of a figure: a label and its count (and, for fills, the capacity it is measured
    against, None for no limit)."""

    label: str
    count: int
    capacity: int | None = None
    waitlisted: int = 0
    lang: str = ""  # the language of the label, where it is not the page's

    @property
    def percent(self) -> int | None:
        if not self.capacity:
            return None
        return round(100 * self.count / self.capacity)


@dataclass(frozen=True)
class Day:
    day: dt.date
    count: int


@dataclass
class Dashboard:
    forum: Forum
    total: int
    by_status: list[Row]
    by_category: list[Row]
    by_country: list[Row]
    forum_fill: Row
    category_fill: list[Row]
    session_fill: list[Row]
    per_day: list[Day]
    arrivals: list[Day]
    departures: list[Day]
    dietary: list[Row]
    accessibility: int
    confirmed: int
    badges_current: int
    badges_changed: int

    @property
    def badges_not_printed(self) -> int:
        return self.confirmed - self.badges_current - self.badges_changed


def _days(rows: dict[dt.date, int], *, fill: bool) -> list[Day]:
    """Days in order; with ``fill``, every day from the first to the last, those without any at 0."""
    if not rows:
        return []
    if not fill:
        return [Day(day, rows[day]) for day in sorted(rows)]
    first, last = min(rows), max(rows)
    return [
        Day(first + dt.timedelta(days=n), rows.get(first + dt.timedelta(days=n), 0))
        for n in range((last - first).days + 1)
    ]


def forum_dashboard(*, forum: Forum) -> Dashboard:
    """Every figure of ``forum``'s dashboard, in a fixed number of queries (nine)."""
    registrations = Registration.objects.filter(forum=forum).order_by()
    confirmed = registrations.filter(status=CONFIRMED)

    statuses = dict(registrations.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    by_status = [Row(str(choice.label), statuses.get(choice.value, 0)) for choice in RegistrationStatus]
    total = sum(statuses.values())

    categories = list(
        DelegateCategory.objects.filter(forum=forum)
        .annotate(
            total=Count("registrations"),
            confirmed=Count("registrations", filter=Q(registrations__status=CONFIRMED)),
            waitlisted=Count("registrations", filter=Q(registrations__status=RegistrationStatus.WAITLISTED)),
        )
        .order_by("protocol_rank", "name", "pk")
    )
    by_category = [Row(c.name, c.total) for c in categories]
    category_fill = [Row(c.name, c.confirmed, c.capacity, c.waitlisted) for c in categories]

    country_counts = registrations.values_list("country").annotate(n=Count("pk")).values_list("country", "n")
    by_country = sorted(
        (
            Row(str(countries.name(code) or code) if code else gettext("No country given"), n)
            for code, n in country_counts
        ),
        key=lambda row: (-row.count, row.label),
    )

    sessions = (
        Session.objects.filter(forum=forum)
        .filter(Q(requires_signup=True) | Q(capacity__isnull=False))
        .annotate(
            confirmed=Count("signups", filter=Q(signups__status=SignupStatus.CONFIRMED)),
            waitlisted=Count("signups", filter=Q(signups__status=SignupStatus.WAITLISTED)),
        )
        .order_by("starts_at", "title", "pk")
    )
    session_fill = [Row(s.title, s.confirmed, s.capacity, s.waitlisted) for s in sessions]

    per_day = dict(
        registrations.annotate(day=TruncDate("created_at", tzinfo=forum.tz))
        .values_list("day")
        .annotate(n=Count("pk"))
        .values_list("day", "n")
    )
    arrivals = dict(
        confirmed.exclude(arrival_date=None)
        .values_list("arrival_date")
        .annotate(n=Count("pk"))
        .values_list("arrival_date", "n")
    )
    departures = dict(
        confirmed.exclude(departure_date=None)
        .values_list("departure_date")
        .annotate(n=Count("pk"))
        .values_list("departure_date", "n")
    )

    diets = dict(confirmed.values_list("dietary").annotate(n=Count("pk")).values_list("dietary", "n"))
    dietary = [Row(str(choice.label), diets.get(choice.value, 0)) for choice in Dietary]

    people = confirmed.aggregate(
        confirmed=Count("pk"),
        accessibility=Count("pk", filter=~Q(accessibility_needs="")),
        badges_current=Count("pk", filter=Q(current_badge_printed())),
        badges_any=Count("pk", filter=Q(printed_badge_exists())),
    )
    confirmed_count = statuses.get(CONFIRMED, 0)
    return Dashboard(
        forum=forum,
        total=total,
        by_status=by_status,
        by_category=by_category,
        by_country=by_country,
        forum_fill=Row(gettext("The whole forum"), confirmed_count, forum.capacity),
        category_fill=category_fill,
        session_fill=session_fill,
        per_day=_days(per_day, fill=True),
        arrivals=_days(arrivals, fill=False),
        departures=_days(departures, fill=False),
        dietary=dietary,
        accessibility=people["accessibility"],
        confirmed=people["confirmed"],
        badges_current=people["badges_current"],
        badges_changed=people["badges_any"] - people["badges_current"],
    )
