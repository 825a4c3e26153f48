"""The shapes of the demo data: a forum with its rooms, tracks and sessions."""

import zoneinfo
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from ..enums import SessionKind, SpeakerRole

KEYNOTE, SPEAKER, PANELLIST, MODERATOR = (
    SpeakerRole.KEYNOTE,
    SpeakerRole.SPEAKER,
    SpeakerRole.PANELLIST,
    SpeakerRole.MODERATOR,
)


def at(day: date, hhmm: str, time_zone: str) -> datetime:
    """``hhmm`` on ``day`` in ``time_zone``, as an aware datetime."""
    return datetime.combine(day, time.fromisoformat(hhmm), tzinfo=zoneinfo.ZoneInfo(time_zone))


@dataclass(frozen=True)
class DemoSession:
    slug: str
    title: str
    kind: str
    day: int  # 0 for the first day of the forum
    starts: str  # local wall-clock time, "HH:MM"
    ends: str
    room: str | None = None
    track: str | None = None
    description: str = ""
    requires_signup: bool = False
    capacity: int | None = None
    speakers: tuple[tuple[str, str], ...] = ()  # (speaker slug, role), in display order
    serves_food: bool | None = None  # None: breaks and receptions serve food, other sessions do not

    @property
    def food(self) -> bool:
        if self.serves_food is not None:
            return self.serves_food
        return self.kind in (SessionKind.BREAK, SessionKind.RECEPTION)


@dataclass(frozen=True)
class DemoForum:
    values: dict[str, Any]
    rooms: list[dict[str, Any]]
    tracks: list[dict[str, Any]]
    sessions: list[DemoSession] = field(default_factory=list)
