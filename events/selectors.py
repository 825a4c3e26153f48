"""Reads of forums and their programme, with the public-visibility rule written once: only published
forums (and what belongs to them) are visible to the public."""

from datetime import datetime

from django.db import models
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from .enums import ForumStatus, SessionKind
from .models import Forum, Session, SessionSpeaker, Speaker, Track


def forum_list_public() -> QuerySet[Forum]:
    return Forum.objects.filter(status=ForumStatus.PUBLISHED)


def forum_list_upcoming_and_past() -> tuple[list[Forum], list[Forum]]:
    """Published forums split around today: upcoming (soonest first) and past (latest first)."""
    today = timezone.localdate()
    forums = list(forum_list_public().order_by("start_date"))
    upcoming = [forum for forum in forums if forum.end_date >= today]
    past = [forum for forum in reversed(forums) if forum.end_date < today]
    return upcoming, past


def forum_get_public(*, slug: str) -> Forum:
    """The published forum with this slug, or Http404 (drafts are invisible to the public)."""
    try:
        return forum_list_public().get(slug=slug)
    except Forum.DoesNotExist:
        raise Http404("No such forum") from None


def session_list_for_programme(*, forum: Forum) -> QuerySet[Session]:
    """Every session of the forum in time order, with room, track and speakers loaded in a fixed number
    of queries whatever the size of the programme."""
    return (
        Session.objects.filter(forum=forum)
        .select_related("room", "track")
        .prefetch_related(
            Prefetch(
                "session_speakers",
                queryset=SessionSpeaker.objects.select_related("speaker").order_by("order", "id"),
            )
        )
        .order_by("starts_at", "ends_at", "title")
    )


def session_get_public(*, forum: Forum, slug: str) -> Session:
    try:
        return session_list_for_programme(forum=forum).get(slug=slug)
    except Session.DoesNotExist:
        raise Http404("No such session") from None


def speaker_list_for_forum(*, forum: Forum) -> QuerySet[Speaker]:
    return Speaker.objects.filter(sessions__forum=forum).distinct().order_by("name")


def speaker_get_for_forum(*, forum: Forum, slug: str) -> tuple[Speaker, list[SessionSpeaker]]:
    """The speaker and their roles in this forum's sessions; Http404 if they do not speak at it."""
    roles = list(
        SessionSpeaker.objects.filter(session__forum=forum, speaker__slug=slug)
        .select_related("speaker", "session", "session__room", "session__track")
        .order_by("session__starts_at")
    )
    if not roles:
        raise Http404("No such speaker")
    return roles[0].speaker, roles


class RegistrationState(models.TextChoices):
    """Where a forum's registration window stands at a given moment (TextChoices, so that templates can
    compare with ``RegistrationState.OPEN``)."""

    UNSCHEDULED = "unscheduled"  # no opening time set yet
    NOT_YET_OPEN = "not_yet_open"
    OPEN = "open"
    CLOSED = "closed"


def forum_registration_state(*, forum: Forum, now: datetime | None = None) -> RegistrationState:
    """Open only while ``registration_opens_at <= now < registration_closes_at`` (no closing time: open
    until the forum's last day has passed). A forum that is over is closed whatever its dates say."""
    now = now or timezone.now()
    if forum.end_date < now.astimezone(forum.tz).date():
        return RegistrationState.CLOSED
    if forum.registration_closes_at and now >= forum.registration_closes_at:
        return RegistrationState.CLOSED
    if forum.registration_opens_at is None:
        return RegistrationState.UNSCHEDULED
    if now < forum.registration_opens_at:
        return RegistrationState.NOT_YET_OPEN
    return RegistrationState.OPEN


def track_list_for_forum(*, forum: Forum) -> QuerySet[Track]:
    return Track.objects.filter(forum=forum).order_by("order", "name")


def track_list_with_sessions(*, forum: Forum) -> QuerySet[Track]:
    """The forum's tracks that hold at least one session: the programme filter offers no track that
    would show an empty programme."""
    return track_list_for_forum(forum=forum).filter(Exists(Session.objects.filter(track=OuterRef("pk"))))


def session_kinds_for_forum(*, forum: Forum) -> list[str]:
    """The session types (``SessionKind`` values) that occur in the forum's programme, in enum order."""
    used = set(Session.objects.filter(forum=forum).values_list("kind", flat=True).distinct())
    return [kind for kind in SessionKind.values if kind in used]
