"""``manage.py seed_demo``: load the demo — the forums and their programmes (``events/demo/``), then their
delegate categories, registrations, first printed badges and check-in lists (``delegates/demo/``);
``--with-staff`` also sets up the demo staff logins: a superuser and one account per staff role
(``delegates/demo/staff.py``).

It lives in the delegates app because it loads both: delegates depends on events, never the reverse."""

import contextlib
import logging
from collections.abc import Iterator

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from delegates.demo import checkin_demo_seed, delegates_demo_seed
from delegates.demo.staff import demo_staff_roles_ensure
from events.demo import DEMO_STAFF_EMAIL, DEMO_STAFF_PASSWORD, demo_seed, demo_staff_ensure


@contextlib.contextmanager
def _service_logs_quiet(verbosity: int) -> Iterator[None]:
    """The services log every registration and print job they handle: a hundred lines for the demo,
    which the summary below says in two. Warnings still show; -v 3 shows everything."""
    if verbosity >= 3:
        yield
        return
    previous = logging.root.manager.disable
    logging.disable(logging.INFO)
    try:
        yield
    finally:
        logging.disable(previous)


class Command(BaseCommand):
    help = (
        "Load the demo forums (the 2022 Surabaya pre-AMF and an upcoming forum with registration open), "
        "their programmes and speakers, delegate categories and about sixty fictional registrations. "
        "Safe to run again: it changes nothing the second time. -v 2 also reports on the delegates, -v 3 "
        "shows the services' logs."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--with-staff",
            action="store_true",
            help=(
                f"Also create or update the superuser {DEMO_STAFF_EMAIL} and one staff account per role "
                "(one of them limited to the upcoming forum), and print their logins."
            ),
        )
        parser.add_argument(
            "--staff-password",
            default=None,
            help="Password for the demo staff logins (required when DEBUG is off).",
        )

    def handle(self, *args, with_staff: bool, staff_password: str | None, verbosity: int, **options) -> None:
        if with_staff and staff_password is None and not settings.DEBUG:
            raise CommandError(
                "--with-staff uses a published demo password and is meant for the local demo; "
                "with DEBUG off, choose one with --staff-password."
            )
        with _service_logs_quiet(verbosity), transaction.atomic():
            result = demo_seed(today=timezone.localdate())
            delegates = delegates_demo_seed(forums=result.forums, now=timezone.now())
            lists = checkin_demo_seed(forums=result.forums)
        names = ", ".join(forum.slug for forum in result.forums)
        if verbosity >= 1:
            self.stdout.write(
                f"Demo forums ({names}): {result.created} rows created, {result.updated} updated, "
                f"{result.unchanged} unchanged."
            )
        if verbosity >= 2:
            self.stdout.write(
                f"Demo delegates: {delegates.created} rows created ({delegates.categories} categories, "
                f"{delegates.registrations} registrations, {delegates.print_jobs} print job"
                f"{'' if delegates.print_jobs == 1 else 's'}, {delegates.invitations} invitations), "
                f"{delegates.unchanged} unchanged; {delegates.emails_not_sent} emails written and not "
                "sent (the delegates are fictional)."
            )
            self.stdout.write(
                f"Check-in: {lists} list{'' if lists == 1 else 's'} made (an entry list per forum day, one "
                "per session with sign-up or a capacity)."
            )
        if with_staff:
            password = staff_password or DEMO_STAFF_PASSWORD
            demo_staff_ensure(email=DEMO_STAFF_EMAIL, password=password)
            roles = demo_staff_roles_ensure(password=password)
            self.stdout.write(f"Demo staff login: {DEMO_STAFF_EMAIL} / {password}")
            for staff in roles:
                self.stdout.write(f"Demo role login ({staff.label}): {staff.email} / {password}")
