"""docker-compose.yml and the Dockerfile agree with the code and with CI (no Docker engine needed). Their
Debian packages: tests/test_system_packages.py."""

import importlib
import json
import os
import re
import shlex
import subprocess
from pathlib import Path

import pytest
import yaml
from celery import Celery
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parent.parent
APP_SERVICES = {"migrate", "web", "worker", "beat"}


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


@pytest.fixture(scope="module")
def dockerfile() -> str:
    # Continuation lines joined: one instruction per line.
    return re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())


def _command_words(service: dict) -> list[str]:
    """The argv a service runs; `sh -c "exec ..."` is unwrapped. Compose's `$$` is a literal `$`."""
    command = service["command"]
    words = shlex.split(command) if isinstance(command, str) else list(command)
    if words[:2] == ["sh", "-c"]:
        words = shlex.split(words[2])
    if words[0] == "exec":
        words = words[1:]
    return [word.replace("$$", "$") for word in words]


def test_compose_has_the_production_services(services):
    assert set(services) == {"migrate", "web", "worker", "beat", "db", "redis", "mailpit", "backup"}


def test_compose_images(services):
    assert services["db"]["image"].startswith("postgres:16")
    assert services["redis"]["image"].startswith("redis:7")
    assert services["mailpit"]["image"].startswith("axllent/mailpit:")
    for name in APP_SERVICES:
        assert services[name]["build"] == "."
        assert services[name]["image"] == "amf-events:latest"


def test_compose_app_environment_is_production(services):
    for name in APP_SERVICES:
        environment = services[name]["environment"]
        assert environment["DJANGO_SETTINGS_MODULE"] == "amf.settings.production"
        assert environment["SECRET_KEY"] == "${SECRET_KEY:?set SECRET_KEY in .env}"
        assert environment["ALLOWED_HOSTS"] == "${ALLOWED_HOSTS:-localhost,127.0.0.1}"
        assert environment["DATABASE_URL"] == (
            "postgres://amf:${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD in .env}@db:5432/amf"
        )
        assert environment["REDIS_URL"] == "redis://redis:6379/0"
        assert environment["EMAIL_URL"] == "${EMAIL_URL:-smtp://mailpit:1025}"
        assert services[name]["env_file"] == [{"path": ".env", "required": False}]
    assert services["db"]["environment"] == {
        "POSTGRES_DB": "amf",
        "POSTGRES_USER": "amf",
        "POSTGRES_PASSWORD": "${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD in .env}",
    }


def test_compose_ports(services):
    assert services["web"]["ports"] == ["${WEB_PORT:-8000}:8000"]
    assert services["mailpit"]["ports"] == ["127.0.0.1:8025:8025"]
    assert services["mailpit"]["expose"] == ["1025"]
    for name in ("migrate", "worker", "beat", "db", "redis"):
        assert "ports" not in services[name], name


def test_compose_healthchecks(services):
    assert services["db"]["healthcheck"]["test"] == ["CMD-SHELL", "pg_isready --username amf --dbname amf"]
    assert services["redis"]["healthcheck"]["test"] == ["CMD", "redis-cli", "ping"]
    assert services["mailpit"]["healthcheck"]["test"] == ["CMD", "/mailpit", "readyz"]
    web_probe = services["web"]["healthcheck"]["test"]
    assert web_probe[:3] == ["CMD", "python", "-c"]
    assert "'http://127.0.0.1:8000/healthz'" in web_probe[3]
    compile(web_probe[3], "web healthcheck", "exec")
    assert services["worker"]["healthcheck"]["test"] == [
        "CMD-SHELL",
        "celery -A amf inspect ping --destination celery@$$HOSTNAME --timeout 10",
    ]
    # The image's HTTP probe makes no sense for these.
    assert services["beat"]["healthcheck"] == {"disable": True}
    assert services["migrate"]["healthcheck"] == {"disable": True}


def test_compose_start_order(services):
    healthy = {"condition": "service_healthy"}
    assert services["migrate"]["depends_on"] == {"db": healthy}
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"] == {
            "migrate": {"condition": "service_completed_successfully"},
            "db": healthy,
            "redis": healthy,
            "mailpit": healthy,
        }
    assert services["migrate"]["restart"] == "no"


def test_compose_volumes(compose, services):
    assert set(compose["volumes"]) == {"pgdata", "redisdata", "media", "backups"}
    assert services["db"]["volumes"] == ["pgdata:/var/lib/postgresql/data"]
    assert services["redis"]["volumes"] == ["redisdata:/data"]
    # Uploaded files written by the web process are read by the worker (badges, emails).
    media_root = services["web"]["environment"]["MEDIA_ROOT"]
    assert services["web"]["volumes"] == [f"media:{media_root}"]
    assert services["worker"]["volumes"] == [f"media:{media_root}"]


def test_compose_web_runs_gunicorn_on_the_wsgi_application(services):
    words = _command_words(services["web"])

    assert words[0] == "gunicorn"
    module_name, attribute = words[1].split(":")
    application = getattr(importlib.import_module(module_name), attribute)
    assert isinstance(application, WSGIHandler)
    assert words[2:5] == ["--bind", "0.0.0.0:8000", "--workers"]


def test_compose_web_starts_two_workers_per_core_unless_told(services):
    workers = _unwrap(services["web"]).split("--workers ")[1]
    env = {"PATH": os.environ["PATH"]}

    default = subprocess.run(
        ["sh", "-c", f"echo {workers}"], env=env, capture_output=True, text=True, check=True
    )
    told = subprocess.run(
        ["sh", "-c", f"echo {workers}"],
        env={**env, "WEB_CONCURRENCY": "3"},
        capture_output=True,
        text=True,
        check=True,
    )

    assert default.stdout == f"{2 * len(os.sched_getaffinity(0))}\n"
    assert told.stdout == "3\n"


def _without_nice(words: list[str]) -> list[str]:
    return words[3:] if words[:2] == ["nice", "-n"] else words


@pytest.mark.parametrize(("service", "subcommand"), [("worker", "worker"), ("beat", "beat")])
def test_compose_celery_commands_name_the_project_app(services, service, subcommand):
    words = _without_nice(_command_words(services[service]))

    assert words[:4] == ["celery", "-A", "amf", subcommand]
    # `celery -A amf` finds the app as the package's `celery_app` attribute.
    app = importlib.import_module("amf").celery_app
    assert isinstance(app, Celery)
    assert app.main == "amf"


def test_compose_migrate_runs_an_existing_management_command(services):
    words = _command_words(services["migrate"])

    assert words[:3] == ["python", "manage.py", "migrate"]
    assert get_commands()["migrate"] == "django.core"


def test_dockerfile_installs_the_locked_requirements(dockerfile):
    assert re.search(r"^FROM python:3\.11-slim-bookworm$", dockerfile, re.MULTILINE)
    assert "COPY requirements/base.txt requirements/base.txt" in dockerfile
    assert "RUN pip install --require-hashes --no-deps -r requirements/base.txt" in dockerfile


def test_dockerfile_runs_gunicorn_as_compose_does_and_as_a_non_root_user(dockerfile, services):
    assert re.search(r"^USER amf$", dockerfile, re.MULTILINE)
    cmd = re.search(r"^CMD (.*)$", dockerfile, re.MULTILINE).group(1)
    assert json.loads(cmd) == ["sh", "-c", _unwrap(services["web"])]
    assert "DJANGO_SETTINGS_MODULE=amf.settings.production" in dockerfile
    assert "python manage.py collectstatic --noinput" in dockerfile
    assert "collectstatic" in get_commands()


def _unwrap(service: dict) -> str:
    """The shell line of a `sh -c` command, with compose's `$$` turned back into `$`."""
    return service["command"][2].replace("$$", "$")


def test_dockerfile_healthcheck_is_the_compose_web_probe(dockerfile, services):
    healthcheck = re.search(r"^HEALTHCHECK .* CMD (\[.*\])$", dockerfile, re.MULTILINE).group(1)

    assert json.loads(healthcheck) == services["web"]["healthcheck"]["test"][1:]


def test_dockerignore_keeps_secrets_and_local_state_out_of_the_image():
    ignored = set((ROOT / ".dockerignore").read_text().split())

    assert {".env", ".git", ".venv", "node_modules", "var"} <= ignored


def test_compose_worker_yields_the_cpu_to_web(services):
    words = _command_words(services["worker"])

    assert words[:2] == ["nice", "-n"] and int(words[2]) > 0
    assert _command_words(services["web"])[0] != "nice"


def test_compose_backup_service_dumps_the_database_and_media_as_manage_py_backup_does(services):
    from delegates.backup.services import DATABASE_FILE, MEDIA_FILE, PREFIX

    backup = services["backup"]
    # pg_dump refuses a server of a newer major version: the backup runs the server's own image.
    assert backup["image"] == services["db"]["image"]
    assert backup["environment"] == {
        "PGHOST": "db",
        "PGUSER": services["db"]["environment"]["POSTGRES_USER"],
        "PGDATABASE": services["db"]["environment"]["POSTGRES_DB"],
        "PGPASSWORD": services["db"]["environment"]["POSTGRES_PASSWORD"],
        "BACKUP_DIR": "/backups",
        "MEDIA_ROOT": "/media",
        "BACKUP_KEEP": "${BACKUP_KEEP:-14}",
        "BACKUP_INTERVAL_SECONDS": "${BACKUP_INTERVAL_SECONDS:-86400}",
    }
    # The media the web and the worker write, read-only; the backups in a volume of their own.
    assert backup["volumes"] == [f"media:{backup['environment']['MEDIA_ROOT']}:ro", "backups:/backups"]
    assert backup["depends_on"] == {"db": {"condition": "service_healthy"}}
    assert "ports" not in backup
    script = backup["command"][2].replace("$$", "$")
    assert backup["command"][:2] == ["sh", "-c"]
    assert f'name="{PREFIX}$(date -u +%Y%m%dT%H%M%SZ)"' in script
    assert f'pg_dump --format=custom --no-password --file="$partial/{DATABASE_FILE}"' in script
    assert f'tar -C "$MEDIA_ROOT" -czf "$partial/{MEDIA_FILE}" .' in script
    assert 'sleep "$BACKUP_INTERVAL_SECONDS"' in script
