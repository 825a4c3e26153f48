"""iCalendar (RFC 5545) views of a forum's programme, built with the ``icalendar`` library.

Every event carries the forum's own time zone (``DTSTART;TZID=Asia/Jakarta:20221006T090000``) and the
calendar carries the matching ``VTIMEZONE``, so a delegate's phone shows the right time wherever it is.
UIDs come from ``Session.uid``, a UUID fixed when the session is created, so a session keeps its UID
through edits and calendar clients update the event instead of duplicating it.

The output is a pure function of the data (``DTSTAMP`` is the time the session last changed, not the
time of the request), so two requests for an unchanged programme give identical bytes and feeds can be
revalidated cheaply with an ETag.
"""

from collections.abc import Callable, Iterable
from datetime import date, timedelta

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, Timezone, vDuration

from .models import Forum, Session, SessionSpeaker

PRODID = "-//UCLG ASPAC//AMF Events//EN"
# How often subscribed clients should fetch the programme feed again (REFRESH-INTERVAL, X-PUBLISHED-TTL).
REFRESH_INTERVAL = timedelta(hours=6)

AbsoluteUrl = Callable[[str], str]  # a path to an absolute URL, e.g. ``request.build_absolute_uri``


def session_ical_uid(session: Session) -> str:
    return f"{session.uid}@{settings.SITE_DOMAIN}"


def session_url(*, forum: Forum, session: Session) -> str:
    return reverse("events:session", kwargs={"forum_slug": forum.slug, "session_slug": session.slug})


def session_location(*, forum: Forum, session: Session) -> str:
    """Room (and where it is), venue and the venue's address on one line."""
    parts = []
    if session.room is not None:
        parts += [session.room.name, session.room.location]
    address = ", ".join(line.strip() for line in forum.venue_address.splitlines() if line.strip())
    parts += [forum.venue_name, address]
    return ", ".join(part for part in parts if part)


def speaker_line(role: SessionSpeaker) -> str:
    speaker = role.speaker
    details = ", ".join(
        part for part in [speaker.display_name, speaker.position, speaker.organisation] if part
    )
    return _("%(role)s: %(speaker)s") % {"role": role.get_role_display(), "speaker": details}


def session_description(session: Session) -> str:
    """The session's description followed by its speakers and their roles, in programme order."""
    parts = []
    if session.description.strip():
        parts.append(session.description.strip())
    lines = [speaker_line(role) for role in session.session_speakers.all()]
    if lines:
        parts.append("\n".join([_("Speakers:"), *lines]))
    return "\n\n".join(parts)


def session_event(*, forum: Forum, session: Session, absolute_url: AbsoluteUrl) -> Event:
    """One VEVENT. ``session`` should come from ``session_list_for_programme`` (room, track and speakers
    loaded); ``forum`` is passed in so that no query is made for ``session.forum``."""
    # A change of venue changes every event's LOCATION, so the forum's edits count as the event's too.
    modified = max(session.updated_at, forum.updated_at)
    categories = [str(session.get_kind_display())]
    if session.track is not None:
        categories.append(session.track.name)
    return Event.new(
        uid=session_ical_uid(session),
        stamp=modified,
        last_modified=modified,
        start=session.starts_at.astimezone(forum.tz),
        end=session.ends_at.astimezone(forum.tz),
        summary=session.title,
        description=session_description(session) or None,
        location=session_location(forum=forum, session=session) or None,
        url=absolute_url(session_url(forum=forum, session=session)),
        categories=categories,
    )


def _calendar(*, forum: Forum, sessions: list[Session], absolute_url: AbsoluteUrl) -> Calendar:
    calendar = Calendar()
    calendar.prodid = PRODID
    calendar.version = "2.0"
    calendar.calscale = "GREGORIAN"
    calendar.method = "PUBLISH"
    calendar.calendar_name = forum.name  # NAME and X-WR-CALNAME
    if forum.theme:
        calendar.description = forum.theme  # DESCRIPTION and X-WR-CALDESC
    calendar.add("X-WR-TIMEZONE", forum.time_zone)
    calendar.url = absolute_url(reverse("events:programme", kwargs={"forum_slug": forum.slug}))
    calendar.add_component(_forum_timezone(forum=forum, sessions=sessions))
    for session in sessions:
        calendar.add_component(session_event(forum=forum, session=session, absolute_url=absolute_url))
    return calendar


def _forum_timezone(*, forum: Forum, sessions: Iterable[Session]) -> Timezone:
    """The VTIMEZONE of the forum's zone, with the rules that apply from the forum's first day (or
    earliest session) to its last, so it stays small. Added even to an empty programme because
    X-WR-TIMEZONE names it."""
    days: list[date] = [forum.start_date, forum.end_date]
    for session in sessions:
        days += [forum.local_date(session.starts_at), forum.local_date(session.ends_at)]
    return Timezone.from_tzid(
        forum.time_zone, first_date=min(days) - timedelta(days=1), last_date=max(days) + timedelta(days=1)
    )


def programme_calendar(*, forum: Forum, sessions: Iterable[Session], absolute_url: AbsoluteUrl) -> Calendar:
    """The whole programme as one calendar that clients can subscribe to."""
    calendar = _calendar(forum=forum, sessions=list(sessions), absolute_url=absolute_url)
    # RFC 7986 requires VALUE=DURATION on REFRESH-INTERVAL, which the library's setter leaves out.
    calendar.add("REFRESH-INTERVAL", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
    calendar.add("X-PUBLISHED-TTL", vDuration(REFRESH_INTERVAL))  # the same, for Outlook
    calendar.source = absolute_url(reverse("events:programme-ics", kwargs={"forum_slug": forum.slug}))
    return calendar


def session_calendar(*, forum: Forum, session: Session, absolute_url: AbsoluteUrl) -> Calendar:
    """A calendar holding one session, for "add to my calendar"."""
    return _calendar(forum=forum, sessions=[session], absolute_url=absolute_url)
