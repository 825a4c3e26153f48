"""factory_boy factories: one per model, minimal, no hidden side effects."""

import datetime as dt
import zoneinfo

import factory
from django.conf import settings
from django.utils import timezone

from delegates.enums import RegistrationStatus, SignupStatus
from delegates.models import DelegateCategory, Registration, SessionSignup
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


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = settings.AUTH_USER_MODEL

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.Sequence(lambda n: f"user{n}@city-hall.example.org")
    password = factory.django.Password("correct horse battery staple")


class DelegateCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DelegateCategory

    forum = factory.SubFactory(ForumFactory)
    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")


class RegistrationFactory(factory.django.DjangoModelFactory):
    """A plain row for fixtures (a seat already taken, a waitlist already there). Tests of the rules
    register through ``registration_submit`` instead, which also writes history and emails."""

    class Meta:
        model = Registration

    category = factory.SubFactory(DelegateCategoryFactory)
    forum = factory.SelfAttribute("category.forum")
    status = RegistrationStatus.CONFIRMED
    email = factory.Sequence(lambda n: f"delegate{n}@city{n}.example.org")
    honorific = "H.E."
    given_name = factory.Sequence(lambda n: f"Given{n}")
    family_name = factory.Sequence(lambda n: f"Family{n}")
    badge_name = factory.LazyAttribute(lambda o: f"{o.given_name} {o.family_name}")
    position = "Mayor"
    organisation = factory.Sequence(lambda n: f"City {n}")
    city = factory.Sequence(lambda n: f"City {n}")
    country = "TH"
    privacy_consent_at = factory.LazyFunction(timezone.now)


class SessionSignupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SessionSignup

    registration = factory.SubFactory(RegistrationFactory)
    session = factory.SubFactory(
        SessionFactory, forum=factory.SelfAttribute("..registration.forum"), requires_signup=True
    )
    status = SignupStatus.CONFIRMED
