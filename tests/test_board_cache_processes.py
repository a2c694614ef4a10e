"""The Today board cache across real processes: gunicorn with two workers, each keeping
its own cache, and a change written by a third process. Every read after the change,
whichever worker answers it, must show it."""

from __future__ import annotations

import json
import os
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from bench.server import gunicorn_process
from families.models import Role
from families.timeutils import family_today
from routines import services

from .factories import ChildFactory, FamilyFactory, MembershipFactory, RoutineFactory
from .servers import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


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


def test_no_worker_serves_a_board_from_before_a_change(gunicorn):
    url, log = gunicorn
    family = FamilyFactory(timezone="Europe/Madrid")
    owner = MembershipFactory(family=family, role=Role.OWNER).user
    child = ChildFactory(family=family)
    routine = RoutineFactory(family=family, children=[child], steps=3)
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

    def workers_seen() -> set[str]:
        lines = [line.split() for line in log.read_text().splitlines()]
        return {pid for pid, status, path in lines if status == "200" and "/today/" in path}

    assert {done_steps() for _ in range(30)} == {0}
    wait_until(lambda: len(workers_seen()) == 2, 5, message="one worker answered every read")

    # Another process (this one) ticks a step: both workers have the old board cached.
    services.set_step_done_on_day(
        routine=routine,
        child=child,
        day=family_today(family),
        step=routine.steps.first(),
        done=True,
        user=owner,
    )
    assert {done_steps() for _ in range(30)} == {1}
