"""The Makefile's own logic, run for real with GNU make: the SITE_URL that `make run` gives the demo's
seeding, the web server and the worker (the whole `make run` is in tests/integration/test_make_run.py)."""

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# A target of the test's own, beside the Makefile's: what `make run` exports as SITE_URL.
PRINT_SITE_URL = 'print-site-url: ; @$(PY) -c "$$SITE_URL_PY"'


def site_url(tmp_path: Path, *, env_file: str | None = None, **environment: str) -> str:
    dotenv = tmp_path / "env"
    dotenv.write_text(env_file or "")
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "AMF_ENV_FILE": str(dotenv), **environment}
    done = subprocess.run(
        ["make", "--no-print-directory", "-s", "--eval", PRINT_SITE_URL, "print-site-url", "PORT=8811"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout.strip()


@pytest.fixture(autouse=True)
def _venv():
    if not (ROOT / ".venv" / "bin" / "python").exists():
        pytest.skip(".venv not created yet (make test creates it)")


def test_make_run_links_follow_the_port_when_site_url_is_unset(tmp_path):
    assert site_url(tmp_path) == "http://127.0.0.1:8811"
    assert site_url(tmp_path, SITE_URL="") == "http://127.0.0.1:8811"


def test_make_run_keeps_the_site_url_of_the_environment_before_the_env_file(tmp_path):
    chosen = "SITE_URL=https://events.example.org\n"

    assert site_url(tmp_path, env_file=chosen) == "https://events.example.org"
    assert site_url(tmp_path, env_file=chosen, SITE_URL="https://staging.example.org") == (
        "https://staging.example.org"
    )
