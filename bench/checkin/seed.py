"""The data of the check-in benchmark: a forum of two days starting today, 2,000 confirmed delegates with
badges (100 of them reissued: their old code is retired), 150 who may not come in (cancelled,
pending, waitlisted, rejected, each with the code of a badge printed before), names cycling through
every script of ``tests/data/delegate-names.tsv``; its lists (a day's entry list each, from
``checkin_lists_sync``, and a list staff added for the offline sync); and 20 members of the door team,
each limited to the forum and signed in on a device of their own.
"""

import datetime as dt
from dataclasses import dataclass, field

from bench.staff.seed import names


@dataclass
class Badge:
    registration_id: int
    reference: str
    token: str
    status: str
    retired_token: str = ""  # the code of the badge it replaced, for reissued ones


@dataclass
class Seeded:
    forum_id: int
    day_lists: list[str]  # public ids, in day order
    custom_list: str
    custom_list_id: int
    day_list_ids: list[int]
    badges: list[Badge]
    refused: list[Badge]  # not confirmed
    devices: list[dict] = field(default_factory=list)  # {"user_id", "label", "device", "cookie"}


STATUSES = (("cancelled", 50), ("pending", 40), ("waitlisted", 40), ("rejected", 20))


def seed(*, confirmed: int, reissued: int, devices: int) -> Seeded:
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.test import Client
    from django.utils import timezone

    from delegates.checkin.services import checkin_lists_sync
    from delegates.checkin.tokens import checkin_token_reissue, new_checkin_token
    from delegates.enums import CheckInListKind
    from delegates.models import CheckInList, DelegateCategory, Registration, StaffForumAccess
    from delegates.permissions import BADGE_AND_DOOR_TEAM
    from events.models import Forum

    now = timezone.now()
    today = timezone.localdate(now, timezone=dt.timezone(dt.timedelta(hours=7)))
    forum = Forum.objects.create(
        name="ASEAN Mayors Forum (check-in benchmark)", slug="amf-checkin-bench", theme="Bench",
        host_city="Surabaya", country="ID", venue_name="Grand City Convention Hall", start_date=today,
        end_date=today + dt.timedelta(days=1), time_zone="Asia/Jakarta", status="published",
    )  # fmt: skip
    categories = [
        DelegateCategory.objects.create(forum=forum, name=name, slug=slug, protocol_rank=rank)
        for rank, (name, slug) in enumerate((("Mayor / Governor", "mayor"), ("City official", "official")), 1)
    ]
    sample = names()
    statuses = ["confirmed"] * confirmed + [s for s, count in STATUSES for _ in range(count)]
    batch = []
    for n, status in enumerate(statuses):
        lang, _script, honorific, badge_name, native, position, city, country = sample[n % len(sample)]
        given, _space, family = badge_name.partition(" ")
        batch.append(
            Registration(
                forum=forum, category=categories[n % 2], status=status,
                reference=f"CB{n // 10000:02d}-{n % 10000:04d}",
                email=f"delegate{n}@city{n % 97}.example.org", honorific=honorific, given_name=given,
                family_name=family or given, badge_name=badge_name, native_name=native,
                native_name_lang=lang if lang != "und" else "", position=position,
                organisation=f"City of {city}", city=city, country=country, privacy_consent_at=now,
                checkin_token=new_checkin_token(),
            )
        )  # fmt: skip
    registrations = Registration.objects.bulk_create(batch, batch_size=2000)

    User = get_user_model()
    door_team = Group.objects.get(name=BADGE_AND_DOOR_TEAM)
    people = []
    for n in range(devices):
        user = User.objects.create_user(
            username=f"door{n:02d}@bench.example.org", email=f"door{n:02d}@bench.example.org",
            first_name=f"Door {n + 1:02d}", is_staff=True,
        )  # fmt: skip
        user.groups.add(door_team)
        TOTP.activate(user, generate_totp_secret())  # production's door, like its admin, requires it
        StaffForumAccess.objects.create(user=user).forums.add(forum)
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        people.append({"user_id": user.pk, "label": f"Door {n + 1}", "device": f"bench-device-{n:02d}",
                       "cookie": cookie, "user": user})  # fmt: skip

    badges = [Badge(r.pk, r.reference, r.checkin_token, r.status) for r in registrations]
    for badge, registration in zip(badges[:reissued], registrations[:reissued], strict=True):
        badge.retired_token = badge.token
        badge.token = checkin_token_reissue(registration=registration, actor=people[0]["user"])

    checkin_lists_sync(forum=forum)
    day_lists = list(CheckInList.objects.filter(forum=forum, kind=CheckInListKind.DAY).order_by("day"))
    custom = CheckInList.objects.create(
        forum=forum, kind=CheckInListKind.CUSTOM, name="Gala dinner", created_by=people[0]["user"]
    )
    for person in people:
        del person["user"]
    return Seeded(
        forum_id=forum.pk,
        day_lists=[str(checkin_list.public_id) for checkin_list in day_lists],
        day_list_ids=[checkin_list.pk for checkin_list in day_lists],
        custom_list=str(custom.public_id),
        custom_list_id=custom.pk,
        badges=[b for b in badges if b.status == "confirmed"],
        refused=[b for b in badges if b.status != "confirmed"],
        devices=people,
    )
