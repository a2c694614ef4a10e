"""On PostgreSQL, requests marking one child away for overlapping days at the same moment
store exactly one range: the overlap check runs under a lock on the child's row, which
SQLite's single writer gives for free and PostgreSQL does not."""

from __future__ import annotations

import json

import pytest

from .support.processes import run

pytestmark = pytest.mark.integration

WRITERS = 6


def test_concurrent_overlapping_ranges_store_one(postgres, tmp_path):
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": postgres.url,
        "DATA_DIR": str(tmp_path / "data"),
        "LOG_LEVEL": "WARNING",
    }
    run(env, "manage.py", "migrate", "--noinput", "-v", "0")
    out = run(env, "-m", "tests.support.away_drill", "--writers", str(WRITERS))
    result = json.loads(out.strip().splitlines()[-1])

    assert result["vendor"] == "postgresql"
    outcomes = [answer for _, answer in result["answers"]]
    assert len(outcomes) == WRITERS
    assert outcomes.count("stored") == 1, outcomes
    assert len(result["stored"]) == 1
    refused = [o for o in outcomes if o != "stored"]
    assert all(o.startswith("refused: Sam is already away from") for o in refused), refused
