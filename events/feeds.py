"""Machine-readable views of a published forum's programme: an iCalendar feed of the whole programme,
one ``.ics`` per session ("add to my calendar") and a JSON export for partners and mobile apps.

All three read through the public selectors, so drafts and unknown slugs are a 404 and the number of
queries does not grow with the programme. Responses may be cached publicly for a few minutes and carry
an ETag of their content, so calendar clients that poll the feed get a 304 while nothing has changed.
"""

import hashlib
import json
from collections.abc import Iterable
from datetime import datetime

from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import content_disposition_header, quote_etag
from django.views.decorators.http import require_safe
from icalendar import Calendar

from .calendar import AbsoluteUrl, programme_calendar, session_calendar, session_url
from .models import Forum, Room, Session, Track
from .selectors import forum_get_public, session_get_public, session_list_for_programme, track_list_for_forum

FEED_MAX_AGE = 300  # seconds a browser, proxy or calendar client may reuse a feed without asking again


@require_safe
def programme_ics(request: HttpRequest, forum_slug: str) -> HttpResponseBase:
    forum = forum_get_public(slug=forum_slug)
    calendar = programme_calendar(
        forum=forum,
        sessions=session_list_for_programme(forum=forum),
        absolute_url=request.build_absolute_uri,
    )
    return _ics_response(request, calendar, filename=f"{forum.slug}-programme.ics")


@require_safe
def session_ics(request: HttpRequest, forum_slug: str, session_slug: str) -> HttpResponseBase:
    forum = forum_get_public(slug=forum_slug)
    session = session_get_public(forum=forum, slug=session_slug)
    calendar = session_calendar(forum=forum, session=session, absolute_url=request.build_absolute_uri)
    return _ics_response(request, calendar, filename=f"{forum.slug}-{session.slug}.ics")


@require_safe
def programme_json(request: HttpRequest, forum_slug: str) -> HttpResponseBase:
    forum = forum_get_public(slug=forum_slug)
    payload = programme_payload(
        forum=forum,
        tracks=track_list_for_forum(forum=forum),
        rooms=Room.objects.filter(forum=forum).order_by("name"),
        sessions=session_list_for_programme(forum=forum),
        absolute_url=request.build_absolute_uri,
    )
    # The ETag covers the programme, not the moment of the request, so it is taken before
    # ``generated_at`` is added.
    etag_source = json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()
    payload["generated_at"] = _isoformat(timezone.now())
    response = JsonResponse(
        payload,
        json_dumps_params={"ensure_ascii": False},
        content_type="application/json; charset=utf-8",
    )
    response = _cacheable(request, response, etag_source=etag_source)
    # A public, read-only export: partners' sites and apps may read it from their own origin.
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def programme_payload(
    *,
    forum: Forum,
    tracks: Iterable[Track],
    rooms: Iterable[Room],
    sessions: Iterable[Session],
    absolute_url: AbsoluteUrl,
) -> dict:
    """The programme as plain JSON types. Times are ISO 8601 in the forum's own time zone, with its UTC
    offset. Sessions refer to their room by name and their track by slug, both listed above them.
    Empty text is ``""``; a missing room, track, capacity or country is ``null``."""
    return {
        "forum": {
            "slug": forum.slug,
            "name": forum.name,
            "theme": forum.theme,
            "host_city": forum.host_city,
            "country": forum.country.code or None,
            "start_date": forum.start_date.isoformat(),
            "end_date": forum.end_date.isoformat(),
            "time_zone": forum.time_zone,
            "venue": {"name": forum.venue_name, "address": forum.venue_address, "map_url": forum.map_url},
            "url": absolute_url(reverse("events:forum", kwargs={"forum_slug": forum.slug})),
            "ics_url": absolute_url(reverse("events:programme-ics", kwargs={"forum_slug": forum.slug})),
        },
        "tracks": [
            {"slug": track.slug, "name": track.name, "description": track.description} for track in tracks
        ],
        "rooms": [
            {"name": room.name, "location": room.location, "capacity": room.capacity} for room in rooms
        ],
        "sessions": [
            _session_payload(forum=forum, session=session, absolute_url=absolute_url) for session in sessions
        ],
    }


def _session_payload(*, forum: Forum, session: Session, absolute_url: AbsoluteUrl) -> dict:
    ics_path = reverse("events:session-ics", kwargs={"forum_slug": forum.slug, "session_slug": session.slug})
    return {
        "uid": str(session.uid),
        "slug": session.slug,
        "title": session.title,
        "type": session.kind,
        "type_label": str(session.get_kind_display()),
        "starts_at": _isoformat(session.starts_at.astimezone(forum.tz)),
        "ends_at": _isoformat(session.ends_at.astimezone(forum.tz)),
        "room": session.room.name if session.room is not None else None,
        "track": session.track.slug if session.track is not None else None,
        "description": session.description,
        "capacity": session.capacity,
        "requires_signup": session.requires_signup,
        "url": absolute_url(session_url(forum=forum, session=session)),
        "ics_url": absolute_url(ics_path),
        "speakers": [
            {
                "slug": role.speaker.slug,
                "honorific": role.speaker.honorific,
                "name": role.speaker.name,
                "position": role.speaker.position,
                "organisation": role.speaker.organisation,
                "city": role.speaker.city,
                "country": role.speaker.country.code or None,
                "role": role.role,
                "role_label": str(role.get_role_display()),
            }
            for role in session.session_speakers.all()
        ],
    }


def _isoformat(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _ics_response(request: HttpRequest, calendar: Calendar, *, filename: str) -> HttpResponseBase:
    body = calendar.to_ical()
    response = HttpResponse(
        body,
        content_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": content_disposition_header(as_attachment=True, filename=filename)},
    )
    return _cacheable(request, response, etag_source=body)


def _cacheable(request: HttpRequest, response: HttpResponse, *, etag_source: bytes) -> HttpResponseBase:
    """Mark the response publicly cacheable for a short while, give it an ETag of ``etag_source`` and
    answer 304 Not Modified when the client already holds that version."""
    patch_cache_control(response, public=True, max_age=FEED_MAX_AGE)
    etag = quote_etag(hashlib.sha256(etag_source).hexdigest())
    response.headers["ETag"] = etag
    return get_conditional_response(request, etag=etag, response=response)
