"""The Today board cache across real processes: gunicorn with two workers, each keeping
its own cache, and a change written by a third process. Every read after the change,
whichever worker answers it, must show it."""

from __future__ import annotations

import json
import os
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from core.timeutils import family_today
from routines import runs
from testing.server import gunicorn_process

pytestmark = [
    pytest.mark.integration,
    pytest.mark.shared_db,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def gunicorn(tmp_path) -> Iterator[tuple[str, Path]]:
    """Two gunicorn workers on the test database; yields the base URL and the access log
    (one line per request: the worker's pid, the status and the path)."""
    log = tmp_path / "access.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")} | {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_ENV": "test",
        "SECRET_KEY": settings.SECRET_KEY,  # sessions made here must be valid there
        "DATA_DIR": str(tmp_path / "data"),
        "DATABASE_URL": f"sqlite:///{connection.settings_dict['NAME']}",
    }
    access_log = ["--access-logfile", str(log), "--access-logformat", "%(p)s %(s)s %(U)s"]
    with gunicorn_process(env, workers=2, threads=1, options=access_log) as (url, _):
        yield url, log


def test_no_worker_serves_a_board_from_before_a_change(gunicorn, family, owner, child, routine):
    url, log = gunicorn
    client = Client()
    client.force_login(owner)  # a session in the shared database
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"

    def done_steps() -> int:
        request = urllib.request.Request(
            f"{url}/api/v1/families/{family.pk}/today/", headers={"Cookie": cookie}
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # a new connection
            board = json.loads(response.read())
        return board["children"][0]["routines"][0]["done"]

    def read_from_both_workers() -> set[int]:
        """Read the board, four at a time, until both workers have answered; what the
        reads said about step progress."""
        first_line = len(log.read_text().splitlines())
        said: set[int] = set()
        workers: set[str] = set()
        # Until a deadline rather than for a number of rounds: on a busy machine the second
        # worker may still be starting while the first answers everything.
        deadline = time.monotonic() + 60
        with ThreadPoolExecutor(4) as pool:
            while time.monotonic() < deadline:
                said |= set(pool.map(lambda _: done_steps(), range(8)))
                lines = [line.split() for line in log.read_text().splitlines()[first_line:]]
                workers = {pid for pid, status, path in lines if "/today/" in path}
                if len(workers) == 2:
                    return said
                time.sleep(0.1)
        raise AssertionError(f"only worker {workers} answered")

    assert read_from_both_workers() == {0}

    # Another process (this one) ticks a step: both workers have the old board cached.
    step = routine.steps.first()
    runs.set_step_done_on_day(
        family=family,
        routine_id=routine.pk,
        child_id=child.pk,
        day=family_today(family),
        target=runs.find_day_tick(
            family,
            routine_id=routine.pk,
            step_id=step.pk,
            child_id=child.pk,
            day=family_today(family),
        ),
        done=True,
        user=owner,
    )
    assert read_from_both_workers() == {1}
