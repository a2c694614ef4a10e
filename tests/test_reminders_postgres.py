"""On PostgreSQL several dispatch ticks can run side by side (SELECT … FOR UPDATE SKIP
LOCKED): each due reminder is dispatched once, each routine's next occurrence is
materialised once, and nobody deadlocks or trips a unique constraint."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from testing.servers import ROOT, PostgresServer

from .conftest import skip_or_fail

pytestmark = pytest.mark.integration

TEST_REMINDERS = 300
ROUTINES = 60


@pytest.fixture(scope="module")
def postgres():
    if not PostgresServer.available():
        skip_or_fail("PostgreSQL 15 is not installed (apt-get install postgresql)")
    # Not under pytest's tmp_path: the postgres user must be able to reach the folder.
    directory = Path(tempfile.mkdtemp(prefix="tandem-pg-"))
    server = PostgresServer(directory).start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(directory, ignore_errors=True)


def run(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def test_dispatchers_side_by_side_dispatch_each_reminder_once(postgres, tmp_path):
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": postgres.url,
        "DATA_DIR": str(tmp_path / "data"),
        "LOG_LEVEL": "WARNING",
    }
    run(env, "manage.py", "migrate", "--noinput", "-v", "0")
    out = run(
        env,
        "-m",
        "tests.support.dispatch_drill",
        "--dispatchers",
        "3",
        "--test-reminders",
        str(TEST_REMINDERS),
        "--routines",
        str(ROUTINES),
    )
    result = json.loads(out.strip().splitlines()[-1])

    assert result["vendor"] == "postgresql"
    errors = [error for *_, error in result["dispatchers"] if error]
    assert errors == []
    handled = sum(reminders for _, reminders, _, _ in result["dispatchers"])
    assert handled == TEST_REMINDERS + ROUTINES
    assert result["states"] == {
        "test:done": TEST_REMINDERS,
        "routine:done": ROUTINES,
        "routine:pending": ROUTINES,  # tomorrow's, once per routine
    }
    expected = (TEST_REMINDERS + ROUTINES) * 2  # two devices
    assert result["deliveries"] == result["pairs"] == expected
    assert result["routine_rows_per_state"] == [1]
