"""The family export keeps its format: the same data gives the same file as it always did.

``tests/data/export_golden.json`` is the export of the data below as the code wrote it
before the apps contributed their own sections. Ids, names and instants are made
deterministic (sequences reset, the clock frozen, factory randomness seeded); random
UUIDs are numbered in order of appearance, and ``exported_at`` is left out.
Regenerate only for an intended format change:
``UPDATE_GOLDEN=1 pytest tests/test_export_format.py``.
"""

from __future__ import annotations

import datetime as dt
import inspect
import json
import os
import re
from pathlib import Path

import factory.random
import pytest
from django.db import connection

from families.models import Role

from .conftest import client_for
from .support import factories
from .support.family_data import fill_family

GOLDEN = Path(__file__).parent / "data" / "export_golden.json"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _reset_factories() -> None:
    factory.random.reseed_random(12)
    for _, cls in inspect.getmembers(factories, inspect.isclass):
        if (
            issubclass(cls, factory.django.DjangoModelFactory)
            and cls is not factory.django.DjangoModelFactory
        ):
            cls.reset_sequence(0, force=True)


def _canonical(text: str) -> str:
    data = json.loads(text)
    data.pop("exported_at")
    # Check-ins made in the same frozen instant are ordered by their random ids.
    data["checkins"].sort(key=lambda c: (c["occurred_at"], c["member"] or 0, c["note"]))
    # Strategy ids follow the built-in catalogue's rows, which other tests may re-create.
    strategy_ids = {s["id"]: f"strategy-{n}" for n, s in enumerate(data["strategies"], 1)}
    for strategy in data["strategies"]:
        strategy["id"] = strategy_ids[strategy["id"]]
    for checkin in data["checkins"]:
        checkin["strategy"] = strategy_ids.get(checkin["strategy"], checkin["strategy"])
    text = json.dumps(data, indent=1, ensure_ascii=False) + "\n"
    numbers: dict[str, str] = {}
    return UUID.sub(lambda m: numbers.setdefault(m.group(0), f"uuid-{len(numbers) + 1}"), text)


@pytest.mark.django_db(reset_sequences=True)
def test_the_export_of_the_same_data_is_the_same_file_as_before(time_machine):
    if connection.vendor != "sqlite":
        # Its ids come from reset sequences; on PostgreSQL they restart under the rows the
        # migrations wrote (the built-in strategies). The format is the same on both
        # (tests/test_family_import_postgres.py: the round trip there).
        pytest.skip("the golden file is made on SQLite")
    time_machine.move_to(dt.datetime(2026, 3, 5, 9, 30, tzinfo=dt.UTC), tick=False)
    _reset_factories()
    family = factories.FamilyFactory(name="The Riveras", timezone="Europe/Madrid")
    owner = factories.MembershipFactory(family=family, role=Role.OWNER).user
    caregiver = factories.MembershipFactory(family=family, role=Role.CAREGIVER).user
    fill_family(family, [owner, caregiver], days=2)

    response = client_for(owner).get(f"/api/v1/families/{family.pk}/export/")
    assert response.status_code == 200
    exported = _canonical(b"".join(response.streaming_content).decode())

    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(exported)
    assert exported == GOLDEN.read_text()
