"""Loading the demo: idempotent, rows found by their natural keys (slugs, room names) and written only
when a value differs, so a second run changes nothing, not even ``updated_at``."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models, transaction

from ..models import Forum, Room, Session, SessionSpeaker, Speaker, Track
from .shapes import DemoForum, at
from .speakers import SPEAKERS
from .surabaya_2022 import PRE_AMF_2022
from .upcoming import upcoming_forum

DEMO_STAFF_EMAIL = "staff@amf.local"
# A fixed, printed password for the local demo only; `seed_demo --with-staff` refuses to use it when
# DEBUG is off.
DEMO_STAFF_PASSWORD = "amf-demo-staff"  # noqa: S105 - a published demo password, by design

UPCOMING_LEAD_DAYS = 120  # the upcoming forum starts this many days after the first seeding


@dataclass
class SeedResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    forums: list[Forum] = field(default_factory=list)


def _differs(obj: models.Model, name: str, value: Any) -> bool:
    model_field = obj._meta.get_field(name)
    if model_field.is_relation:
        return getattr(obj, model_field.attname) != (value.pk if value is not None else None)
    return getattr(obj, name) != value


def _upsert(model: type[models.Model], result: SeedResult, lookup: dict, values: dict) -> Any:
    """The row with ``lookup``, created or brought up to ``values``; saved only when something
    differs, and validated (``full_clean``) before every write."""
    values = {name: value for name, value in values.items() if name not in lookup}
    obj = model._default_manager.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        result.created += 1
    else:
        changed = [name for name, value in values.items() if _differs(obj, name, value)]
        if not changed:
            result.unchanged += 1
            return obj
        for name in changed:
            setattr(obj, name, values[name])
        result.updated += 1
    obj.full_clean()
    obj.save()
    return obj


def _load_forum(demo: DemoForum, speakers: dict[str, Speaker], result: SeedResult) -> Forum:
    forum = _upsert(Forum, result, {"slug": demo.values["slug"]}, demo.values)
    rooms = {
        room["name"]: _upsert(Room, result, {"forum": forum, "name": room["name"]}, room)
        for room in demo.rooms
    }
    tracks = {
        track["slug"]: _upsert(Track, result, {"forum": forum, "slug": track["slug"]}, track)
        for track in demo.tracks
    }
    for item in demo.sessions:
        day = forum.start_date + timedelta(days=item.day)
        session = _upsert(
            Session,
            result,
            {"forum": forum, "slug": item.slug},
            {
                "title": item.title,
                "kind": item.kind,
                "starts_at": at(day, item.starts, forum.time_zone),
                "ends_at": at(day, item.ends, forum.time_zone),
                "room": rooms[item.room] if item.room else None,
                "track": tracks[item.track] if item.track else None,
                "description": item.description,
                "requires_signup": item.requires_signup,
                "capacity": item.capacity,
                "serves_food": item.food,
            },
        )
        for order, (speaker_slug, role) in enumerate(item.speakers, start=1):
            _upsert(
                SessionSpeaker,
                result,
                {"session": session, "speaker": speakers[speaker_slug]},
                {"role": role, "order": order},
            )
    return forum


@transaction.atomic
def demo_seed(*, today: date) -> SeedResult:
    """Create or update the demo forums, their programmes and speakers, in one transaction.

    The upcoming forum is placed ``UPCOMING_LEAD_DAYS`` after ``today`` when it is first created and
    never moved afterwards, so running the command again (on any day) changes nothing.
    """
    result = SeedResult()
    speakers = {data["slug"]: _upsert(Speaker, result, {"slug": data["slug"]}, data) for data in SPEAKERS}
    upcoming_start = Forum.objects.filter(slug="amf-2027").values_list(
        "start_date", flat=True
    ).first() or today + timedelta(days=UPCOMING_LEAD_DAYS)
    for demo in (PRE_AMF_2022, upcoming_forum(upcoming_start)):
        result.forums.append(_load_forum(demo, speakers, result))
    return result


def demo_staff_ensure(*, email: str, password: str) -> Any:
    """The demo superuser ``email`` (also its username), created if missing; its password is reset to
    ``password`` and it is made active staff and superuser, with its email address marked verified.
    Never call this on a production site."""
    user_model = get_user_model()
    user = user_model._default_manager.filter(username=email).first() or user_model(username=email)
    user.email = email
    user.is_active = True
    user.is_staff = True
    user.is_superuser = True
    user.set_password(password)
    user.save()
    if apps.is_installed("allauth.account"):
        # Sign-in goes through allauth, which wants a verified address before it lets anyone in.
        from allauth.account.models import EmailAddress

        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
    return user
