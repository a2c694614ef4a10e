"""The family import round trip on PostgreSQL: ``tests/test_family_import.py`` (export a
seeded family, import it, export again: the same content; corrupted files refused with
nothing written, also with real commits) run against a throw-away PostgreSQL 15 cluster.

PostgreSQL checks what SQLite does not (sequences after explicit ids, constraints at
commit, result order without ORDER BY), so the same assertions run there too; the cases
that commit for real (``transaction=True``) are the ones only PostgreSQL could fail.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from testing.servers import ROOT

pytestmark = pytest.mark.integration


def test_the_import_round_trip_and_refusals_hold_on_postgresql(postgres, tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": postgres.url,
        "DATA_DIR": str(tmp_path / "data"),
        "TANDEM_EXPECT_DATABASE": "postgresql",  # tests/test_family_import.py checks it
        "LOG_LEVEL": "WARNING",
    }
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "tests/test_family_import.py", "-q", "-x",
         "-p", "no:cacheprovider", "-k", "not a_year_of_one_family"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    summary = result.stdout.strip().splitlines()[-1]
    assert " passed" in summary, summary
    assert "skipped" not in summary, summary
