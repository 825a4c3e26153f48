"""``manage.py backup``: a backup of the database and the media files (delegates/backup/services.py)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from delegates.backup.services import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump, custom format) and the media files into a new folder "
        "<BACKUP_DIR>/amf-<UTC time>/, then delete all but the newest BACKUP_KEEP backups. Prints the "
        "folder written."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--directory", type=Path, help="where backups go (default: BACKUP_DIR)")
        parser.add_argument("--keep", type=int, help="how many backups to keep (default: BACKUP_KEEP)")

    def handle(self, *args, directory: Path | None, keep: int | None, **options) -> None:
        keep = settings.BACKUP_KEEP if keep is None else keep
        if keep < 1:
            raise CommandError("--keep must be at least 1.")
        try:
            backup = backup_create(directory=directory or Path(settings.BACKUP_DIR), keep=keep)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(str(backup.path))
