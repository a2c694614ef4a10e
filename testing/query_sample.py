"""Query budgets: a seeded family whose objects every endpoint's URL can name, and the SQL
queries each request costs for a small and a large family (``tests/test_query_budgets.py``
holds the budget; ``bench/queries.py`` prints it for a year of data)."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Sample:
    """One family to measure: the owner's client and an object for every URL keyword."""

    client: Any
    kwargs: dict[str, Any]
    day: str
    first_day: str
    child: int
    strategy: int
    invitation_token: str  # the raw token, which only its link carries


def build_sample(label: str, shape: Any) -> Sample:
    """Seed one family of ``shape`` and pick the objects its URLs will name."""
    from django.contrib.auth.hashers import make_password
    from django.test import Client
    from django.utils import timezone

    from calendars import feeds
    from calendars.models import CalendarFeed
    from checkins.models import CheckIn, Strategy
    from core.timeutils import family_today
    from demo.seed import FamilySeeder, Writer
    from families import away, devices, sitters
    from families.models import (
        Child,
        ChildAway,
        ChildDevice,
        Family,
        Invitation,
        Media,
        Membership,
        SitterPass,
        User,
    )
    from families.services import create_invitation
    from routines.models import Routine, RoutineRun
    from routines.runs import set_step_done

    writer = Writer()
    builtins = list(Strategy.objects.filter(family__isnull=True))
    seeder = FamilySeeder(writer, make_password(None), builtins)
    account = seeder.family(random.Random(label), shape)
    writer.close()
    family = Family.objects.get(pk=account["family"])
    owner = User.objects.get(email=account["email"])
    membership = Membership.objects.get(family=family, user=owner)
    custom = Strategy.objects.create(
        family=family, key=f"ours-{label}", title="Our song", kind="comfort", steps=["Sing."]
    )
    issued = create_invitation(membership=membership)
    routine = Routine.objects.filter(family=family).order_by("id").first()
    last = family_today(family)
    # A run today with one step done, whatever the dice gave this family.
    run, _ = RoutineRun.objects.get_or_create(
        routine=routine, child=routine.children.first(), date=last
    )
    set_step_done(run=run, step=routine.steps.last(), done=True, user=owner)
    # And a child's check-in: the seeder writes none later than now, so early in the day
    # a one-day family may have none.
    if not CheckIn.objects.filter(family=family, child__isnull=False).exists():
        CheckIn.objects.create(
            family=family, child=run.child, emotion="sad", intensity=3, created_by=owner
        )
    sitter_pass = sitters.create_pass(
        membership=membership,
        children=[run.child],
        starts_at=timezone.now(),
        ends_at=timezone.now() + timedelta(hours=4),
    ).sitter_pass
    # A tablet paired for the child (its membership is one more row the lists skip).
    device = devices.create_device(membership=membership, name="Tablet", children=[run.child])
    devices.pair(code=device.code)
    from reports.models import Report, Share

    report = Report.objects.create(
        family=family, first=last, last=last, status="done", progress=100, pdf=b"%PDF-1.7"
    )
    report.children.set([run.child])
    share = Share.objects.create(
        family=family,
        first=last,
        last=last,
        token_hash=f"sample-{label}",
        expires_at=timezone.now() + timedelta(days=1),
    )
    share.children.set([run.child])
    # Days away and calendar feeds: one of each per child, in the past (Today unchanged).
    days_away = []
    for n, child in enumerate(Child.objects.filter(family=family).order_by("id")):
        start = last - timedelta(days=30 + 3 * n)
        days_away.append(away.add_away(child=child, first=start, last=start, note="at Dad's"))
        feeds.create_feed(membership=membership, scope="child", child=child)
    photo, _voice = _media_on_every_step(family, owner)
    client = Client()
    client.force_login(owner)
    return Sample(
        client=client,
        kwargs={
            "family_id": family.pk,
            Child: Child.objects.filter(family=family).first().pk,
            Membership: membership.pk,
            Invitation: Invitation.objects.filter(family=family).first().pk,
            Routine: routine.pk,
            Strategy: custom.pk,
            CheckIn: CheckIn.objects.filter(family=family, child__isnull=False).first().pk,
            SitterPass: sitter_pass.pk,
            ChildDevice: device.device.pk,
            Report: report.pk,
            Share: share.pk,
            ChildAway: days_away[0].pk,
            CalendarFeed: CalendarFeed.objects.filter(membership=membership).first().pk,
            Media: photo.pk,
            "name": photo.file.rsplit("/", 1)[-1],
            "child_id": run.child_id,
            "routine": run.routine_id,
            "child": run.child_id,
            "run": run.pk,
            "step": run.routine.steps.first().pk,
            "date": last.isoformat(),
        },
        day=last.isoformat(),
        first_day=(last - timedelta(days=shape.days - 1)).isoformat(),
        child=run.child_id,
        strategy=builtins[3].pk,
        invitation_token=issued.token,
    )


def _media_on_every_step(family: Any, owner: Any) -> tuple[Any, Any]:
    """A photo and a voice prompt on every step and a photo on every child, so an
    endpoint that read them one step at a time would cost more for the larger family."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from families.media import save_media
    from families.models import Child
    from routines.models import RoutineStep

    picture = io.BytesIO()
    Image.new("RGB", (32, 32), "teal").save(picture, "JPEG")
    recording = (ROOT / "tests" / "data" / "voice.webm").read_bytes()
    photo, _ = save_media(
        family=family, kind="image", upload=SimpleUploadedFile("p", picture.getvalue()), user=owner
    )
    voice, _ = save_media(
        family=family, kind="audio", upload=SimpleUploadedFile("v", recording), user=owner
    )
    RoutineStep.objects.filter(routine__family=family).update(photo=photo, voice=voice)
    Child.objects.filter(family=family).update(photo=photo)
    return photo, voice


def url_for(endpoint: Any, sample: Sample) -> str:
    values = {}
    for key in endpoint.kwargs:
        if key == "pk":
            values[key] = sample.kwargs[endpoint.view_class.queryset.model]
        else:
            values[key] = sample.kwargs[key]
    return endpoint.url(values)


def requests_for(endpoint: Any, sample: Sample) -> list[tuple[str, str, Any]]:
    """(method, url, body) to measure for an endpoint: every GET, and the daily writes."""
    url = url_for(endpoint, sample)
    route = endpoint.route
    calls: list[tuple[str, str, Any]] = []
    if "GET" in endpoint.methods:
        query = {
            "today/": f"?date={sample.day}",
            "history/": f"?from={sample.first_day}&to={sample.day}",
            "insights/": f"?child={sample.child}&period=month&date={sample.day}",
            "suggestions/": f"?emotion=worried&intensity=4&child={sample.child}",
            # The sample's days away lie a month or more back.
            "away/": f"?from={date.fromisoformat(sample.day) - timedelta(days=90)}",
            "invitations/preview/": f"?token={sample.invitation_token}",
        }
        suffix = next((q for end, q in query.items() if route.endswith(end)), "")
        calls.append(("GET", url + suffix, None))
    if route.endswith("/checkins/"):
        body = {
            "id": str(uuid.uuid4()),
            "child": sample.child,
            "emotion": "worried",
            "intensity": 3,
            "body_areas": ["chest"],
            "strategy": sample.strategy,
        }
        calls.append(("POST", url, body))
    if route.endswith("/checkins/<pk>/"):
        calls.append(("PATCH", url, {"outcome": "better"}))
    if route.endswith("/completion/"):
        calls.append(("PUT", url, None))
    if route.endswith("/runs/"):
        calls.append(("POST", url, {"child": sample.child, "date": sample.day}))
    return calls


def count_queries(sample: Sample, method: str, url: str, body: Any) -> tuple[int, int]:
    """(status, number of SQL statements) of one request as the family's owner."""
    from django.db import connection

    count = 0

    def counter(execute: Callable, *args: Any) -> Any:
        nonlocal count
        count += 1
        return execute(*args)

    call = getattr(sample.client, method.lower())
    with connection.execute_wrapper(counter):
        response = call(url, body, content_type="application/json") if body else call(url)
    return response.status_code, count


def measure(small: Sample, large: Sample, endpoints: list) -> list[dict[str, Any]]:
    """Queries per endpoint and method for both families (each request made twice, so
    first-time work such as creating a run does not count)."""
    from django.core.cache import caches

    rows = []
    for endpoint in endpoints:
        pairs = zip(requests_for(endpoint, small), requests_for(endpoint, large), strict=True)
        for (method, small_url, body), (_, large_url, large_body) in pairs:
            counts = []
            for sample, url, payload in ((small, small_url, body), (large, large_url, large_body)):
                count_queries(sample, method, url, payload)
                if payload and "id" in payload:  # a new check-in each time
                    payload = {**payload, "id": str(uuid.uuid4())}
                caches["boards"].clear()  # count the Today board built, not cached
                counts.append(count_queries(sample, method, url, payload))
            rows.append(
                {
                    "route": "/" + endpoint.route,
                    "method": method,
                    "small": counts[0],
                    "large": counts[1],
                    "grows": counts[1][1] > counts[0][1],
                }
            )
    return rows
