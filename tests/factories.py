"""factory_boy factories: one per model, minimal, no hidden side effects."""

import datetime as dt
import zoneinfo

import factory

from events.enums import ForumStatus, SessionKind, SpeakerRole
from events.models import Forum, Room, Session, SessionSpeaker, Speaker, Track

JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")


class ForumFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Forum

    name = factory.Sequence(lambda n: f"ASEAN Mayors Forum {2030 + n}")
    slug = factory.Sequence(lambda n: f"amf-{2030 + n}")
    theme = "Smart, resilient and sustainable cities"
    host_city = "Surabaya"
    country = "ID"
    venue_name = "Grand City Convention Hall"
    start_date = dt.date(2030, 10, 6)
    end_date = dt.date(2030, 10, 7)
    time_zone = "Asia/Jakarta"
    status = ForumStatus.PUBLISHED


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    forum = factory.SubFactory(ForumFactory)
    name = factory.Sequence(lambda n: f"Room {n}")


class TrackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Track

    forum = factory.SubFactory(ForumFactory)
    name = factory.Sequence(lambda n: f"Track {n}")
    slug = factory.Sequence(lambda n: f"track-{n}")


class SpeakerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Speaker

    slug = factory.Sequence(lambda n: f"speaker-{n}")
    honorific = "H.E."
    name = factory.Sequence(lambda n: f"Speaker {n}")
    position = "Mayor"
    city = "Surabaya"
    country = "ID"


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    forum = factory.SubFactory(ForumFactory)
    title = factory.Sequence(lambda n: f"Session {n}")
    slug = factory.Sequence(lambda n: f"session-{n}")
    kind = SessionKind.PANEL
    starts_at = factory.LazyAttribute(
        lambda o: dt.datetime.combine(o.forum.start_date, dt.time(9, 0), tzinfo=o.forum.tz)
    )
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(hours=1))


class SessionSpeakerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SessionSpeaker

    session = factory.SubFactory(SessionFactory)
    speaker = factory.SubFactory(SpeakerFactory)
    role = SpeakerRole.SPEAKER
