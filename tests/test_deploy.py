"""Production settings: `check --deploy` is clean, and secrets have no default."""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _production_env(**overrides: str) -> dict[str, str]:
    """A production environment as docker-compose.yml gives it, without anything from this shell."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", str(ROOT)),
        "DJANGO_SETTINGS_MODULE": "amf.settings.production",
        "AMF_ENV_FILE": "",  # a developer's .env must not supply what production lacks
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "events.example.org",
        "DATABASE_URL": "postgres://amf:not-used@db.invalid:5432/amf",
        "REDIS_URL": "redis://redis.invalid:6379/0",
        "EMAIL_URL": "smtp://mailpit:1025",
    }
    env.update(overrides)
    return {key: value for key, value in env.items() if value is not None}


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_with_production_settings_reports_no_issues():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=_production_env())

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."


def test_production_without_secret_key_refuses_to_start():
    result = _manage("check", env=_production_env(SECRET_KEY=None))

    assert result.returncode == 1
    assert (
        "django.core.exceptions.ImproperlyConfigured: Set the SECRET_KEY environment variable"
        in result.stderr
    )


def test_production_without_allowed_hosts_refuses_to_start():
    result = _manage("check", env=_production_env(ALLOWED_HOSTS=None))

    assert result.returncode == 1
    assert "ImproperlyConfigured: Set the ALLOWED_HOSTS environment variable" in result.stderr


def test_collectstatic_with_production_storage_succeeds(tmp_path):
    # The Docker build runs this; the manifest storage fails on a CSS url() to a missing file.
    result = _manage(
        "collectstatic", "--noinput", env=_production_env(STATIC_ROOT=str(tmp_path / "staticfiles"))
    )

    assert result.returncode == 0, result.stderr
    assert (tmp_path / "staticfiles" / "staticfiles.json").is_file()


def test_env_example_documents_every_variable_the_settings_read():
    read = set()
    for settings_file in (ROOT / "amf" / "settings").glob("*.py"):
        read |= set(re.findall(r"\benv(?:\.\w+)?\(\s*\"([A-Z][A-Z0-9_]*)\"", settings_file.read_text()))
    documented = set(
        re.findall(r"^#? ?([A-Z][A-Z0-9_]*)=", (ROOT / ".env.example").read_text(), re.MULTILINE)
    )

    assert "SECRET_KEY" in read
    assert read - documented == set()


def test_lock_files_record_no_package_index_url():
    for lock_file in (ROOT / "requirements").glob("*.txt"):
        text = lock_file.read_text()
        assert "--index-url" not in text, lock_file
        assert "--extra-index-url" not in text, lock_file
        assert "://" not in text, lock_file
    package_lock = json.loads((ROOT / "package-lock.json").read_text())
    assert [name for name, package in package_lock["packages"].items() if "resolved" in package] == []
    assert "omit-lockfile-registry-resolved=true" in (ROOT / ".npmrc").read_text().splitlines()
