"""A new family from a Tandem export: everything comes back (round trip), ids remapped,
the importer as owner; a bad or foreign file is refused with nothing written."""

from __future__ import annotations

import copy
import json
import os
import random
import time
from datetime import UTC, datetime
from datetime import time as wall_clock

import pytest
from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from checkins import imports as checkin_imports
from checkins.models import CheckIn, Strategy
from core import contributions
from demo.seed import FamilySeeder, Shape, Writer
from families.models import Child, Family, Membership, User
from routines.models import Routine, RoutineRun, StepCompletion

from .conftest import client_for
from .support.factories import UserFactory

pytestmark = pytest.mark.django_db

IMPORT = "/api/v1/families/import/"


def export_of(user, family) -> dict:
    response = client_for(user).get(f"/api/v1/families/{family.pk}/export/")
    assert response.status_code == 200
    return json.loads(b"".join(response.streaming_content))


def upload(client, doc, name="export.json"):
    data = doc if isinstance(doc, bytes) else json.dumps(doc).encode()
    return client.post(IMPORT, {"file": SimpleUploadedFile(name, data)}, format="multipart")


def seeded(days=30, seed="import"):
    writer = Writer()
    builtins = list(Strategy.objects.filter(family__isnull=True))
    seeder = FamilySeeder(writer, make_password(None), builtins)
    account = seeder.family(random.Random(seed), Shape((2, 2), (3, 3), (4, 6), (2, 3), days=days))
    writer.close()
    family = Family.objects.get(pk=account["family"])
    return family, User.objects.get(email=account["email"])


def canonical(doc: dict) -> dict:
    """The export's content with ids and the import's own timestamps set aside: references
    become positions in their section, users "the exporter" or None."""
    me = doc["exported_by"]
    kids = {c["id"]: n for n, c in enumerate(doc["children"])}
    routines = {r["id"]: n for n, r in enumerate(doc["routines"])}
    steps = {
        s["id"]: (n, p) for n, r in enumerate(doc["routines"]) for p, s in enumerate(r["steps"])
    }
    ours = {s["id"]: f"own-{n}" for n, s in enumerate(doc["strategies"])}
    checkins = sorted(doc["checkins"], key=lambda c: (c["occurred_at"], c["child"] is None))
    checkin_pos = {c["id"]: n for n, c in enumerate(checkins)}
    user = lambda u: "exporter" if u == me else None  # noqa: E731
    return {
        "family": {k: v for k, v in doc["family"].items() if k not in ("id", "created_at")},
        "children": [{k: v for k, v in c.items() if k != "id"} for c in doc["children"]],
        "routines": [
            {
                **{k: v for k, v in r.items() if k not in ("id", "children", "steps")},
                "children": sorted(kids[c] for c in r["children"]),
                "steps": [{k: v for k, v in s.items() if k != "id"} for s in r["steps"]],
            }
            for r in doc["routines"]
        ],
        "runs": sorted(
            (
                {
                    **{k: v for k, v in run.items() if k not in ("id", "routine", "child")},
                    "routine": routines[run["routine"]],
                    "child": kids[run["child"]],
                    "completions": [
                        {
                            "step": steps[c["step"]],
                            "by": user(c["completed_by"]),
                            "at": c["completed_at"],
                        }
                        for c in run["completions"]
                    ],
                }
                for run in doc["runs"]
            ),
            key=lambda r: (r["routine"], r["child"], r["date"]),
        ),
        "strategies": [
            {
                **{k: v for k, v in s.items() if k not in ("id", "created_by")},
                "created_by": user(s["created_by"]),
            }
            for s in doc["strategies"]
        ],
        "checkins": [
            {
                **{
                    k: v
                    for k, v in c.items()
                    if k not in ("id", "child", "member", "strategy", "pair", "created_by")
                },
                "child": kids.get(c["child"]),
                "member": "exporter" if c["member"] is not None else None,
                "strategy": ours.get(c["strategy"], c["strategy"]),
                "pair": checkin_pos.get(c["pair"], "elsewhere") if c["pair"] else None,
                "created_by": user(c["created_by"]),
            }
            for c in checkins
        ],
    }


def test_this_runs_on_the_database_it_was_meant_for():
    # tests/test_family_import_postgres.py runs this module on PostgreSQL.
    assert connection.vendor == os.environ.get("TANDEM_EXPECT_DATABASE", connection.vendor)


def test_export_import_export_gives_the_same_content(owner):
    round_trip()


# Committed for real: PostgreSQL checks deferred constraints and sequences only then.
@pytest.mark.django_db(transaction=True)
def test_the_round_trip_holds_with_real_commits(owner):
    round_trip()
    # The sequences moved past every id the import wrote: new rows still insert.
    family = Family.objects.latest("pk")
    Child.objects.create(family=family, name="After")
    CheckIn.objects.create(
        family=family, child=Child.objects.latest("pk"), emotion="sad", intensity=2
    )


@pytest.mark.django_db(transaction=True)
def test_a_corrupted_export_is_refused_with_nothing_committed(owner):
    family, parent = seeded(days=3, seed="bad")
    doc = export_of(parent, family)
    before = counts()
    for corrupt in (
        corrupt_child,
        lambda d: d["runs"][0].update(routine=123456) or "runs.0.routine",
    ):
        bad = copy.deepcopy(doc)
        where = corrupt(bad)
        response = upload(client_for(owner), bad)
        assert response.status_code == 400, response.json()
        assert where in response.json()["errors"]
        nothing_written(before)
    assert upload(client_for(owner), doc).status_code == 201  # and the good file still goes in


def round_trip():
    family, parent = seeded(days=30)
    first = export_of(parent, family)
    assert first["checkins"]
    assert first["runs"]
    assert first["routines"]
    Strategy.objects.create(
        family=family, key="our-song", title="Our song", kind="comfort", steps=["Sing."]
    )
    Routine.objects.filter(family=family).update(finish_by=wall_clock(20, 15))
    first = export_of(parent, family)
    assert {r["finish_by"] for r in first["routines"]} == {"20:15"}
    # Into a fresh start: the family is gone; the one who exported imports the file.
    family.delete()
    assert not CheckIn.objects.exists()
    response = upload(client_for(parent), first)
    assert response.status_code == 201, response.json()
    body = response.json()
    new = Family.objects.get(pk=body["family"]["id"])
    assert body["family"]["name"] == first["family"]["name"]
    assert Membership.objects.get(family=new).user == parent
    assert Membership.objects.get(family=new).role == "owner"
    assert body["counts"]["checkins"] == len(first["checkins"])
    assert body["counts"]["runs"] == len(first["runs"])
    second = export_of(parent, new)
    assert canonical(second) == canonical(first)
    # Ids are new, timestamps of the data are kept.
    assert {c["id"] for c in second["checkins"]}.isdisjoint({c["id"] for c in first["checkins"]})


def test_importing_into_the_same_database_remaps_every_id(owner):
    family, parent = seeded(days=5, seed="twice")
    doc = export_of(parent, family)
    response = upload(client_for(owner), doc)
    assert response.status_code == 201, response.json()
    new = Family.objects.get(pk=response.json()["family"]["id"])
    # The file's "me" (who exported) is whoever imports it: their own check-ins come back.
    assert (
        CheckIn.objects.filter(family=new).count() == CheckIn.objects.filter(family=family).count()
    )
    assert CheckIn.objects.filter(family=new, member__user=owner).count() == (
        CheckIn.objects.filter(family=family, member__isnull=False).count()
    )
    assert Child.objects.filter(family=new).count() == len(doc["children"])
    # The importer owns it; the other members are names, not accounts.
    assert list(Membership.objects.filter(family=new).values_list("user", flat=True)) == [owner.pk]
    assert response.json()["members"] == [
        {"name": m["display_name"], "role": m["role"]}
        for m in doc["members"]
        if m["user"] != doc["exported_by"]
    ]
    runs = RoutineRun.objects.filter(routine__family=new)
    assert runs.count() == len(doc["runs"])
    assert StepCompletion.objects.filter(run__routine__family=new).count() == sum(
        len(r["completions"]) for r in doc["runs"]
    )


def nothing_written(before):
    assert Family.objects.count() == before["families"]
    assert CheckIn.objects.count() == before["checkins"]
    assert Routine.objects.count() == before["routines"]
    assert Child.objects.count() == before["children"]


def counts():
    return {
        "families": Family.objects.count(),
        "checkins": CheckIn.objects.count(),
        "routines": Routine.objects.count(),
        "children": Child.objects.count(),
    }


@pytest.fixture
def good_file():
    family, parent = seeded(days=3, seed="bad")
    return export_of(parent, family)


def corrupt_child(doc):
    index = next(n for n, c in enumerate(doc["checkins"]) if c["child"] is not None)
    doc["checkins"][index]["child"] = 987654
    return f"checkins.{index}.child"


@pytest.mark.parametrize(
    ("corrupt", "field"),
    [
        (corrupt_child, None),
        (lambda d: d.update(format="tandem-export/2") or "format", None),
        (lambda d: d.pop("format") and "format", None),
        (lambda d: d["runs"][0].update(routine=123456) or "runs.0.routine", None),
        (lambda d: d["checkins"][-1].update(emotion="grumpy") or None, "emotion"),
        (lambda d: d["family"].update(timezone="Mars/Olympus") or "family.timezone", None),
        (lambda d: d["children"].append(dict(d["children"][0])) or None, ".id"),
    ],
)
def test_a_corrupted_export_is_refused_naming_where_with_nothing_written(
    owner, good_file, corrupt, field
):
    doc = copy.deepcopy(good_file)
    where = corrupt(doc)
    before = counts()
    response = upload(client_for(owner), doc)
    assert response.status_code == 400, response.json()
    errors = response.json()["errors"]
    if where:
        assert where in errors, errors
    else:
        assert any(field in key for key in errors), errors
    nothing_written(before)


@pytest.mark.parametrize("data", [b"not json at all", b"[1, 2]", b'{"format": 1}'])
def test_a_foreign_file_is_a_400(owner, data):
    before = counts()
    response = upload(client_for(owner), data)
    assert response.status_code == 400
    assert set(response.json()["errors"]) & {"file", "format"}
    nothing_written(before)


def test_a_failure_while_writing_rolls_everything_back(owner, good_file, monkeypatch):
    def boom(rows, context):
        raise RuntimeError("disk full")

    sections = [
        s if s.name != "checkins" else s.__class__(s.name, s.position, s.check, boom)
        for s in checkin_imports.IMPORT_SECTIONS
    ]
    for section in sections:
        monkeypatch.setitem(contributions._import_sections, section.name, section)
    before = counts()
    with pytest.raises(RuntimeError):
        upload(client_for(owner), good_file)
    nothing_written(before)


def test_anonymous_callers_cannot_import(anon_client, good_file):
    assert upload(anon_client, good_file).status_code == 403


def test_a_year_of_one_family_imports_in_seconds():
    family, parent = seeded(days=365, seed="year")
    doc = export_of(parent, family)
    rows = len(doc["checkins"]) + sum(1 + len(r["completions"]) for r in doc["runs"])
    assert rows > 10_000
    importer = UserFactory()
    started = time.monotonic()
    response = upload(client_for(importer), doc)
    seconds = time.monotonic() - started
    assert response.status_code == 201, response.json()
    assert seconds < 15, f"{rows} rows took {seconds:.1f} s"
    assert datetime.now(UTC)
