"""The embedded mode runs on SQLite: the history and approval-digest tests pass there too, run in a
pytest of their own against a fresh SQLite file (the suite itself runs on PostgreSQL)."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TESTS = ["tests/delegates/staff/test_history.py", "tests/delegates/mail/test_digest.py"]


@pytest.mark.slow
def test_history_and_the_approval_digest_work_on_sqlite(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'amf.sqlite3'}"}

    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs", *TESTS],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )

    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    # Every test ran on SQLite but the one that needs two concurrent writers.
    collected = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "--collect-only", "-p", "no:cacheprovider", *TESTS],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True,
    ).stdout  # fmt: skip
    total = int(re.search(r"(\d+) tests? collected", collected).group(1))
    assert f"{total - 1} passed, 1 skipped" in result.stdout
    assert "concurrent writers need PostgreSQL" in result.stdout
