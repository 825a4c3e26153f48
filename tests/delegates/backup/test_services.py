"""Backups (delegates/backup/services.py, ``manage.py backup`` and ``restore``) with the real tools: a
backup of the test database with pg_dump, restored with pg_restore into a freshly created database,
holds every registration, outbox row and print job, and the media files come back byte for byte."""

import datetime as dt
import io
import os
import signal
import subprocess
from pathlib import Path

import psycopg
import pytest
import yaml
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection
from psycopg import sql

from delegates.background import enqueue_held_back
from delegates.backup.services import DATABASE_FILE, MEDIA_FILE, backup_create, backup_list
from delegates.enums import BadgeOrder
from delegates.models import EmailOutbox, PrintJob, PrintJobItem, Registration, StatusChange
from delegates.printing.services import print_job_start
from delegates.registration.services import registration_submit
from tests.delegates.registration.submissions import delegate_data
from tests.integration.workers import ROOT, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

TABLES = {
    Registration: ("id", "public_id", "reference", "email", "status", "native_name"),
    StatusChange: ("id", "registration_id", "from_status", "to_status"),
    EmailOutbox: ("id", "registration_id", "kind", "status", "attempts"),
    PrintJob: ("id", "public_id", "status", "total"),
    PrintJobItem: ("id", "job_id", "registration_id", "position"),
}


def _admin() -> psycopg.Connection:
    db = connection.settings_dict
    return psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )


@pytest.fixture
def fresh_database():
    """An empty database beside the test database, dropped afterwards."""
    name = f"{connection.settings_dict['NAME']}_restored"
    with _admin() as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        admin.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(name)))
    yield name
    with _admin() as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _rows(database: psycopg.Connection, model) -> list[tuple]:
    columns = TABLES[model]
    query = sql.SQL("SELECT {} FROM {} ORDER BY id").format(
        sql.SQL(", ").join(map(sql.Identifier, columns)), sql.Identifier(model._meta.db_table)
    )
    return [tuple(str(value) for value in row) for row in database.execute(query).fetchall()]


def _files(root: Path) -> dict[str, bytes]:
    return {str(path.relative_to(root)): path.read_bytes() for path in root.rglob("*") if path.is_file()}


def test_a_backup_restored_into_a_fresh_database_holds_everything(
    open_forum, mayors, fresh_database, tmp_path, settings
):
    with enqueue_held_back(why="the test keeps emails and badges pending"):
        registrations = [
            registration_submit(
                forum=open_forum,
                category=mayors,
                data=delegate_data(n, native_name="សុខ វិបុល", native_name_lang="km"),
                registered_by=None,
            )
            for n in range(3)
        ]
        ids = [registration.pk for registration in registrations]
        job = print_job_start(forum=open_forum, registrations=ids, order=BadgeOrder.CATEGORY_NAME, actor=None)
    default_storage.save("print-jobs/amf-2031-mayors.pdf", ContentFile(b"%PDF-1.7 print job\n"))
    default_storage.save("speakers/photo.jpg", ContentFile(bytes(range(256)) * 4))
    connection.ensure_connection()
    source = {model: _rows(connection.connection, model) for model in TABLES}
    assert [len(source[model]) for model in TABLES] == [3, 3, 3, 1, 3]
    assert source[PrintJob][0][1] == str(job.public_id)

    out = io.StringIO()
    call_command("backup", "--directory", str(tmp_path / "backups"), stdout=out)
    written = Path(out.getvalue().strip())

    assert written.parent == tmp_path / "backups"
    assert written.name.startswith("amf-")
    assert sorted(path.name for path in written.iterdir()) == [DATABASE_FILE, MEDIA_FILE]
    assert oct(written.stat().st_mode & 0o777) == "0o700"

    restored_media = tmp_path / "restored-media"
    call_command(
        "restore", str(written), "--dbname", fresh_database, "--media-root", str(restored_media),
        "--no-input", stdout=io.StringIO(),
    )  # fmt: skip

    db = connection.settings_dict
    with psycopg.connect(
        host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"], dbname=fresh_database
    ) as restored:
        assert {model: _rows(restored, model) for model in TABLES} == source
        # The schema came too: the migrations recorded, the constraints in force.
        count = "SELECT count(*) FROM django_migrations"
        assert restored.execute(count).fetchall() == connection.connection.execute(count).fetchall()
        with pytest.raises(psycopg.errors.UniqueViolation):
            restored.execute(
                "INSERT INTO delegates_printjobitem (job_id, registration_id, position, printed_fingerprint)"
                " SELECT job_id, registration_id, position + 100, '' FROM delegates_printjobitem LIMIT 1"
            )
    assert _files(restored_media) == _files(Path(settings.MEDIA_ROOT))
    assert set(_files(restored_media)) == {"print-jobs/amf-2031-mayors.pdf", "speakers/photo.jpg"}


def test_the_compose_backup_service_writes_what_restore_reads(
    open_forum, mayors, fresh_database, tmp_path, settings
):
    """The shell loop of docker-compose.yml's ``backup`` service, run for real (its pg_dump and tar) on
    the test database; ``manage.py restore`` reads what it wrote."""
    script = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["backup"]["command"][2]
    with enqueue_held_back(why="the test keeps emails and badges pending"):
        registration = registration_submit(
            forum=open_forum, category=mayors, data=delegate_data(1), registered_by=None
        )
    default_storage.save("print-jobs/amf-2031-mayors.pdf", ContentFile(b"%PDF-1.7 print job\n"))
    db = connection.settings_dict
    env = {
        "PATH": os.environ["PATH"],
        "PGHOST": db["HOST"] or "127.0.0.1",
        "PGPORT": str(db["PORT"] or 5432),
        "PGUSER": db["USER"],
        "PGDATABASE": db["NAME"],
        "BACKUP_DIR": str(tmp_path / "backups"),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "BACKUP_KEEP": "14",
        "BACKUP_INTERVAL_SECONDS": "3600",
    }
    loop = subprocess.Popen(
        ["sh", "-c", script.replace("$$", "$")],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        [backup] = wait_for(
            lambda: backup_list(directory=tmp_path / "backups"), timeout=60, what="the first backup"
        )
    finally:
        os.killpg(loop.pid, signal.SIGKILL)
        loop.wait(timeout=10)

    call_command(
        "restore", str(backup.path), "--dbname", fresh_database, "--media-root", str(tmp_path / "restored"),
        "--no-input", stdout=io.StringIO(),
    )  # fmt: skip

    with psycopg.connect(
        host=env["PGHOST"], port=env["PGPORT"], user=env["PGUSER"], dbname=fresh_database
    ) as restored:
        assert _rows(restored, Registration) == [
            tuple(str(getattr(registration, column)) for column in TABLES[Registration])
        ]
    assert _files(tmp_path / "restored") == {"print-jobs/amf-2031-mayors.pdf": b"%PDF-1.7 print job\n"}


def test_only_the_newest_backups_are_kept(tmp_path):
    directory = tmp_path / "backups"
    start = dt.datetime(2031, 1, 5, 2, 0, tzinfo=dt.UTC)

    for day in range(3):
        backup_create(directory=directory, keep=2, now=start + dt.timedelta(days=day))

    assert [backup.path.name for backup in backup_list(directory=directory)] == [
        "amf-20310106T020000Z",
        "amf-20310107T020000Z",
    ]
    left = sorted(path.name for path in directory.iterdir())  # and no partial folder
    assert left == ["amf-20310106T020000Z", "amf-20310107T020000Z"]


def test_restore_of_a_folder_without_a_dump_says_so(tmp_path):
    (tmp_path / "amf-20310105T020000Z").mkdir()

    with pytest.raises(CommandError, match=f"holds no {DATABASE_FILE}"):
        call_command("restore", str(tmp_path / "amf-20310105T020000Z"), "--no-input")
