"""Create the benchmark's forum and accounts, through the ORM, in the bench database.

Run by ``run.py`` with ``DJANGO_SETTINGS_MODULE=bench.registration.settings``. Writes a JSON file with the
forum's slug, the category id and, per account, its email and a signed-in session cookie.

Accounts sign in through sessions made here with Django's own ``Client.force_login`` rather than through
the login form: allauth's login rate limit (per IP address) would otherwise stop 200 sign-ins from one
address within a minute, and signing in is not what this benchmark measures.
"""

import argparse
import datetime as dt
import json
import os
from pathlib import Path

import django


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, required=True)
    parser.add_argument("--seats", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.registration.settings")
    django.setup()

    from allauth.account.models import EmailAddress
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.test import Client
    from django.utils import timezone

    from delegates.models import DelegateCategory
    from events.enums import ForumStatus
    from events.models import Forum

    now = timezone.now()
    first_day = (now + dt.timedelta(days=60)).date()
    forum = Forum.objects.create(
        name="ASEAN Mayors Forum (benchmark)",
        slug="amf-bench",
        host_city="Surabaya",
        country="ID",
        venue_name="Grand City Convention Hall",
        start_date=first_day,
        end_date=first_day + dt.timedelta(days=1),
        time_zone="Asia/Jakarta",
        status=ForumStatus.PUBLISHED,
        registration_opens_at=now - dt.timedelta(hours=1),
        registration_closes_at=now + dt.timedelta(days=30),
    )
    category = DelegateCategory.objects.create(
        forum=forum, name="Mayor / Governor", slug="mayor-governor", capacity=args.seats, protocol_rank=1
    )

    User = get_user_model()
    password = make_password("bench-password-not-secret")  # hashed once: PBKDF2 is slow on purpose
    users = User.objects.bulk_create(
        User(username=f"office{n:04d}", email=f"office{n:04d}@bench.example.org", password=password)
        for n in range(args.users)
    )
    EmailAddress.objects.bulk_create(
        EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in users
    )
    accounts = []
    for user in users:
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        accounts.append({"email": user.email, "session": client.cookies[settings.SESSION_COOKIE_NAME].value})

    args.out.write_text(
        json.dumps(
            {
                "forum_slug": forum.slug,
                "category_id": category.pk,
                "session_cookie": settings.SESSION_COOKIE_NAME,
                "csrf_cookie": settings.CSRF_COOKIE_NAME,
                "accounts": accounts,
            }
        )
    )


if __name__ == "__main__":
    main()
