"""``manage.py seed_demo``: load the demo forums; ``--with-staff`` also sets up a demo staff login."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from events.demo import DEMO_STAFF_EMAIL, DEMO_STAFF_PASSWORD, demo_seed, demo_staff_ensure


class Command(BaseCommand):
    help = (
        "Load the demo forums (the 2022 Surabaya pre-AMF and an upcoming forum with registration open), "
        "their programmes and speakers. Safe to run again: it changes nothing the second time."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--with-staff",
            action="store_true",
            help=f"Also create or update the superuser {DEMO_STAFF_EMAIL} and print its password.",
        )
        parser.add_argument(
            "--staff-password",
            default=None,
            help="Password for the demo staff login (required when DEBUG is off).",
        )

    def handle(self, *args, with_staff: bool, staff_password: str | None, **options) -> None:
        if with_staff and staff_password is None and not settings.DEBUG:
            raise CommandError(
                "--with-staff uses a published demo password and is meant for the local demo; "
                "with DEBUG off, choose one with --staff-password."
            )
        result = demo_seed(today=timezone.localdate())
        names = ", ".join(forum.slug for forum in result.forums)
        self.stdout.write(
            f"Demo forums ({names}): {result.created} rows created, {result.updated} updated, "
            f"{result.unchanged} unchanged."
        )
        if with_staff:
            password = staff_password or DEMO_STAFF_PASSWORD
            demo_staff_ensure(email=DEMO_STAFF_EMAIL, password=password)
            self.stdout.write(f"Demo staff login: {DEMO_STAFF_EMAIL} / {password}")
