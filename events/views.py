"""Public pages: the forums, their programme, sessions and speakers.

Every page renders times in the forum's own time zone (``timezone.override``) and says which. Query
parameters are matched against values already loaded (tracks, types, days), never passed to the
database as they come, so garbage in the address bar can only be ignored, never turn into an error.
"""

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.db.models import Q
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_safe

from . import selectors
from .enums import SessionKind
from .models import Forum, Session, Track


def _forum_days(forum: Forum) -> list[dt.date]:
    return [
        forum.start_date + dt.timedelta(days=offset)
        for offset in range((forum.end_date - forum.start_date).days + 1)
    ]


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    upcoming, past = selectors.forum_list_upcoming_and_past()
    now = timezone.now()
    for forum in upcoming:
        forum.registration_open = (
            selectors.forum_registration_state(forum=forum, now=now) == selectors.RegistrationState.OPEN
        )
    return render(request, "events/home.html", {"upcoming": upcoming, "past": past})


@require_safe
def forum_detail(request: HttpRequest, forum_slug: str) -> HttpResponse:
    forum = selectors.forum_get_public(slug=forum_slug)
    context = {
        "forum": forum,
        "registration_state": selectors.forum_registration_state(forum=forum),
        "RegistrationState": selectors.RegistrationState,
        "forum_section": "overview",
    }
    with timezone.override(forum.tz):
        return render(request, "events/forum_detail.html", context)


@dataclass
class ProgrammeFilters:
    """The programme filters that matched something real; ``ignored`` names those that did not."""

    track: Track | None = None
    kind: str = ""
    day: dt.date | None = None
    ignored: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(1 for value in (self.track, self.kind, self.day) if value)

    @property
    def active(self) -> bool:
        return self.count > 0

    def query(self, **changes: str) -> str:
        """The query string of these filters with ``changes`` applied (an empty value drops a filter)."""
        values = {
            "track": self.track.slug if self.track else "",
            "type": self.kind,
            "day": self.day.isoformat() if self.day else "",
        }
        values.update(changes)
        return urlencode({name: value for name, value in values.items() if value})


def _parse_programme_filters(
    params: QueryDict | Mapping[str, str], *, tracks: list[Track], kinds: list[str], days: list[dt.date]
) -> ProgrammeFilters:
    filters = ProgrammeFilters()
    track_slug = params.get("track", "")
    if track_slug:
        filters.track = next((track for track in tracks if track.slug == track_slug), None)
        if filters.track is None:
            filters.ignored.append("track")
    kind = params.get("type", "")
    if kind:
        if kind in kinds:
            filters.kind = kind
        else:
            filters.ignored.append("type")
    day = params.get("day", "")
    if day:
        try:
            parsed = dt.date.fromisoformat(day)
        except ValueError:
            parsed = None
        if parsed in days:
            filters.day = parsed
        else:
            filters.ignored.append("day")
    return filters


@dataclass
class ProgrammeDay:
    date: dt.date
    sessions: list[Session]


@require_safe
def programme(request: HttpRequest, forum_slug: str) -> HttpResponse:
    forum = selectors.forum_get_public(slug=forum_slug)
    tracks = list(selectors.track_list_with_sessions(forum=forum))
    kinds = selectors.session_kinds_for_forum(forum=forum)
    days = _forum_days(forum)
    filters = _parse_programme_filters(request.GET, tracks=tracks, kinds=kinds, days=days)

    sessions = selectors.session_list_for_programme(forum=forum)
    if filters.track:
        sessions = sessions.filter(track=filters.track)
    if filters.kind:
        sessions = sessions.filter(kind=filters.kind)
    if filters.day:
        day_start = dt.datetime.combine(filters.day, dt.time.min, tzinfo=forum.tz)
        next_day_start = dt.datetime.combine(filters.day + dt.timedelta(days=1), dt.time.min, tzinfo=forum.tz)
        sessions = sessions.filter(Q(starts_at__gte=day_start) & Q(starts_at__lt=next_day_start))

    by_day: dict[dt.date, list[Session]] = {}
    for session in sessions:
        by_day.setdefault(forum.local_date(session.starts_at), []).append(session)
    programme_days = [ProgrammeDay(date=day, sessions=by_day[day]) for day in sorted(by_day)]

    kind_labels = dict(SessionKind.choices)
    context = {
        "forum": forum,
        "forum_section": "programme",
        "programme_days": programme_days,
        "filters": filters,
        "tracks": tracks,
        "kinds": [(kind, kind_labels[kind]) for kind in kinds],
        "days": days,
        "day_links": [(day, filters.query(day=day.isoformat())) for day in days],
        "all_days_query": filters.query(day=""),
    }
    with timezone.override(forum.tz):
        return render(request, "events/programme.html", context)


@require_safe
def session_detail(request: HttpRequest, forum_slug: str, session_slug: str) -> HttpResponse:
    forum = selectors.forum_get_public(slug=forum_slug)
    session = selectors.session_get_public(forum=forum, slug=session_slug)
    context = {
        "forum": forum,
        "forum_section": "programme",
        "forum_subpage": True,
        "session": session,
        "session_day": forum.local_date(session.starts_at),
    }
    with timezone.override(forum.tz):
        return render(request, "events/session_detail.html", context)


@require_safe
def speaker_list(request: HttpRequest, forum_slug: str) -> HttpResponse:
    forum = selectors.forum_get_public(slug=forum_slug)
    speakers = list(selectors.speaker_list_for_forum(forum=forum))
    context = {"forum": forum, "forum_section": "speakers", "speakers": speakers}
    with timezone.override(forum.tz):
        return render(request, "events/speaker_list.html", context)


@require_safe
def speaker_detail(request: HttpRequest, forum_slug: str, speaker_slug: str) -> HttpResponse:
    forum = selectors.forum_get_public(slug=forum_slug)
    speaker, roles = selectors.speaker_get_for_forum(forum=forum, slug=speaker_slug)
    context = {
        "forum": forum,
        "forum_section": "speakers",
        "forum_subpage": True,
        "speaker": speaker,
        "roles": roles,
    }
    with timezone.override(forum.tz):
        return render(request, "events/speaker_detail.html", context)
