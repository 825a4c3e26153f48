"""Writes to forums and their programme. Admin actions, management commands and tests call these."""

import uuid
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .enums import ForumStatus
from .models import Forum, Room, Session, SessionSpeaker, Track


def forum_shift_local(*, forum: Forum, moment: datetime, days: int) -> datetime:
    """``moment`` moved by ``days`` calendar days in the forum's time zone, keeping the wall-clock time:
    09:00 stays 09:00 even when a daylight-saving change lies in between (which a plain UTC shift
    would turn into 08:00 or 10:00)."""
    local = moment.astimezone(forum.tz).replace(tzinfo=None)
    return (local + timedelta(days=days)).replace(tzinfo=forum.tz)


@transaction.atomic
def forum_copy(*, forum: Forum, name: str, slug: str, start_date: date) -> Forum:
    """Start a new forum from ``forum``: next year's edition, say.

    Copies the forum itself as a DRAFT under the new name and slug, its rooms, tracks, sessions and the
    speakers' roles in them (speakers are shared between forums, so they are linked, not duplicated).
    Every date and time moves by the number of days between the two first days, in the forum's own time
    zone, so a session at 09:00 is at 09:00 on the corresponding day of the copy; registration times
    move by the same offset,
    as does the deadline for delegates' changes. Sessions get new calendar UIDs and keep their slugs.

    Runs in one transaction: on any error nothing is written. Raises ``ValidationError`` (keyed by
    field) when the slug is taken or the new values are invalid.
    """
    if Forum.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": _("A forum with this slug already exists.")})
    days = (start_date - forum.start_date).days

    def shift(moment: datetime | None) -> datetime | None:
        return None if moment is None else forum_shift_local(forum=forum, moment=moment, days=days)

    copy = Forum(
        name=name,
        slug=slug,
        theme=forum.theme,
        description=forum.description,
        host_city=forum.host_city,
        country=forum.country,
        venue_name=forum.venue_name,
        venue_address=forum.venue_address,
        map_url=forum.map_url,
        start_date=start_date,
        end_date=forum.end_date + timedelta(days=days),
        time_zone=forum.time_zone,
        registration_opens_at=shift(forum.registration_opens_at),
        registration_closes_at=shift(forum.registration_closes_at),
        registration_edit_deadline=shift(forum.registration_edit_deadline),
        capacity=forum.capacity,
        secretariat_email=forum.secretariat_email,
        secretariat_phone=forum.secretariat_phone,
        status=ForumStatus.DRAFT,
    )
    copy.full_clean()
    copy.save()

    rooms = {
        room.id: Room(forum=copy, name=room.name, location=room.location, capacity=room.capacity)
        for room in forum.rooms.all()
    }
    Room.objects.bulk_create(rooms.values())
    tracks = {
        track.id: Track(
            forum=copy, name=track.name, slug=track.slug, description=track.description, order=track.order
        )
        for track in forum.tracks.all()
    }
    Track.objects.bulk_create(tracks.values())

    originals = list(forum.sessions.order_by("starts_at", "id"))
    sessions = {
        session.id: Session(
            forum=copy,
            uid=uuid.uuid4(),
            title=session.title,
            slug=session.slug,
            kind=session.kind,
            starts_at=shift(session.starts_at),
            ends_at=shift(session.ends_at),
            room=rooms[session.room_id] if session.room_id else None,
            track=tracks[session.track_id] if session.track_id else None,
            description=session.description,
            capacity=session.capacity,
            requires_signup=session.requires_signup,
        )
        for session in originals
    }
    Session.objects.bulk_create(sessions.values())
    SessionSpeaker.objects.bulk_create(
        SessionSpeaker(
            session=sessions[role.session_id], speaker_id=role.speaker_id, role=role.role, order=role.order
        )
        for role in SessionSpeaker.objects.filter(session__forum=forum).order_by("session_id", "order", "id")
    )
    return copy
