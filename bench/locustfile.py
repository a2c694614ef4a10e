"""Locust users for ``bench/api_load.py`` (run by it as its own ``locust`` process).

Never import this module from Python code or tests: locust patches the interpreter
(gevent), which breaks django-filter and factory_boy in the same process
(docs/architecture.md, "Testing against real parts"). ``bench/api_load.py`` logs every
seeded account in once beforehand and hands the sessions over in ``TANDEM_SESSIONS`` (a
JSON file): each user carries its session cookie and CSRF token like the PWA does.

``TANDEM_SCENARIO`` picks what the users do: ``mix`` (a caregiver's day, with think time)
or one endpoint hammered without pause (``today``, ``complete``, ``checkin``,
``checkins``, ``insights``, ``bare``, ``baseline``, ``floor``) to measure its throughput.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import uuid

from locust import FastHttpUser, between, constant

SESSIONS = json.loads(open(os.environ["TANDEM_SESSIONS"]).read())  # noqa: SIM115
SCENARIO = os.environ.get("TANDEM_SCENARIO", "mix")
BASELINE_BYTES = int(os.environ.get("TANDEM_BASELINE_BYTES", "2048"))
FEELINGS = ("worried", "angry", "sad", "tired", "happy", "calm", "frustrated", "excited")
_next_account = itertools.count()


def today(user: Caregiver) -> None:
    user.get(f"{user.base}/today/", "today board")


def complete(user: Caregiver) -> None:
    """Tick (or untick) a step of today's board, addressed by routine, child and day."""
    routine, child, step = random.choice(user.account["steps"])
    path = (
        f"{user.base}/routines/{routine}/children/{child}/days/{user.account['day']}"
        f"/steps/{step}/completion/"
    )
    method = "PUT" if random.random() < 0.8 else "DELETE"
    user.send(method, path, None, "step completion")


def new_checkin(user: Caregiver) -> dict:
    """A new check-in's body: a fresh client-chosen id each time."""
    return {
        "id": str(uuid.uuid4()),
        "child": random.choice(user.account["children"]),
        "emotion": random.choice(FEELINGS),
        "intensity": random.randint(1, 5),
        "body_areas": random.choice([[], ["chest"], ["tummy:fluttery", "hands"]]),
    }


def checkin(user: Caregiver) -> None:
    """A new check-in, half of them with a strategy (and so a follow-up reminder)."""
    body = new_checkin(user)
    if random.random() < 0.5:
        body["strategy"] = random.choice(user.account["strategies"])
    user.send("POST", f"{user.base}/checkins/", body, "check-in create", expect=201)


def write_floor(user: Caregiver) -> None:
    """The same check-in to the bare write view (bench/views.write_floor)."""
    path = f"/bench/write-floor/{user.account['family']}"
    user.send("POST", path, new_checkin(user), "write floor", expect=201)


def checkins(user: Caregiver) -> None:
    user.get(f"{user.base}/checkins/", "check-in list")


def insights(user: Caregiver) -> None:
    child = random.choice(user.account["children"])
    period = random.choice(("week", "month"))
    user.get(f"{user.base}/insights/?child={child}&period={period}", "insights")


def baseline(user: Caregiver) -> None:
    user.get(f"/bench/baseline?bytes={BASELINE_BYTES}", "baseline")


def bare(user: Caregiver) -> None:
    user.get(f"/bench/bare?bytes={BASELINE_BYTES}", "bare view")


ENDPOINTS = {
    "today": today,
    "complete": complete,
    "checkin": checkin,
    "checkins": checkins,
    "insights": insights,
    "baseline": baseline,
    "bare": bare,
    "floor": write_floor,
}
# A caregiver's day: the Today board is opened most, steps ticked off, check-ins now and then.
MIX = {today: 8, complete: 5, checkin: 2, checkins: 3, insights: 2}


class Caregiver(FastHttpUser):
    tasks = MIX if SCENARIO == "mix" else [ENDPOINTS[SCENARIO]]
    # The mix leaves a phone user's pause between taps; a single endpoint gets none, so
    # its requests per second show the server's capacity for it.
    wait_time = between(0.5, 1.5) if SCENARIO == "mix" else constant(0)

    def on_start(self) -> None:
        self.account = SESSIONS[next(_next_account) % len(SESSIONS)]
        self.base = f"/api/v1/families/{self.account['family']}"
        self.headers = {"Cookie": self.account["cookie"], "Accept": "application/json"}
        self.write_headers = {
            **self.headers,
            "X-CSRFToken": self.account["csrf"],
            "Content-Type": "application/json",
        }

    def get(self, path: str, name: str) -> None:
        with self.client.get(path, headers=self.headers, name=name, catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"{r.status_code}: {(r.text or '')[:200]}")

    def send(self, method: str, path: str, body: object, name: str, expect: int = 200) -> None:
        data = json.dumps(body) if body is not None else None
        with self.client.request(
            method, path, data=data, headers=self.write_headers, name=name, catch_response=True
        ) as r:
            if r.status_code != expect:
                r.failure(f"{r.status_code}: {(r.text or '')[:200]}")
