"""``manage.py restore <backup folder>``: restore a backup of ``manage.py backup`` (or of the compose
``backup`` service) into the database and MEDIA_ROOT (delegates/backup/services.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from delegates.backup.services import Backup, BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Restore a backup folder (amf-<UTC time>/) into the database — best a freshly created, empty "
        "one: objects that exist are replaced — and extract its media files into MEDIA_ROOT. The "
        "database is restored in one transaction."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("backup", type=Path, help="the backup folder: <BACKUP_DIR>/amf-<UTC time>")
        parser.add_argument("--dbname", help="restore into this database (default: the one of DATABASE_URL)")
        parser.add_argument("--media-root", type=Path, help="extract the files here (default: MEDIA_ROOT)")
        parser.add_argument(
            "--noinput", "--no-input", action="store_false", dest="interactive", help="do not ask to confirm"
        )

    def handle(self, *args, backup: Path, dbname: str | None, media_root: Path | None, **options) -> None:
        target = dbname or connections["default"].settings_dict["NAME"]
        if options["interactive"]:
            question = f"Restore {backup} into the database {target!r}, replacing what is there? [yes/no] "
            answer = input(question)
            if answer.strip().lower() != "yes":
                raise CommandError("Restore cancelled.")
        try:
            backup_restore(backup=Backup(backup), dbname=dbname, media_root=media_root)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Restored {backup} into {target}.")
