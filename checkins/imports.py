"""The check-ins app's part of the family import: the family's own strategies and every
check-in with its strategy, outcome and coregulation pair (registered in
``CheckinsConfig.ready()``; see ``families.imports``).

Check-in ids are UUIDs and get new ones (the file may come back into the database it left);
a coregulation pair keeps pointing at its child check-in's new id. A caregiver's own
check-in comes back for the member who exported (now the importer); other members'
own check-ins have no account to belong to and are left out (counted in the answer).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.contributions import ImportSection
from families.imports import (
    BATCH,
    ImportContext,
    choice,
    fail,
    instant,
    integer,
    list_of,
    mapped_user,
    number,
    reference,
    text,
    unique_id,
)

from . import vocabulary
from .models import NOTE_MAX_LENGTH, CheckIn, Outcome, Strategy
from .strategy_catalogue import GUIDED_PATTERNS, KINDS

STRATEGY_TEXTS = {"key": 60, "title": 120, "summary": 300, "age_note": 200}


def _check_strategies(rows: list[Any], refs: dict[str, set[Any]]) -> list[dict[str, Any]]:
    seen: set[Any] = set()
    keys: set[str] = set()
    out = []
    for index, row in enumerate(rows):
        where = f"strategies.{index}"
        parsed: dict[str, Any] = {"id": unique_id(row, where, seen, integer)}
        for name, length in STRATEGY_TEXTS.items():
            parsed[name] = text(row, name, where, length, blank=name not in ("key", "title"))
        if parsed["key"] in keys:
            fail(f"{where}.key", _("This key appears twice."))
        keys.add(parsed["key"])
        parsed["kind"] = choice(row, "kind", where, KINDS)
        parsed["steps"] = list_of(row, "steps", where, str, 30)
        parsed["fits"] = [
            choice({"f": f}, "f", f"{where}.fits.{n}", vocabulary.EMOTION_KEYS)
            for n, f in enumerate(list_of(row, "fits", where, str, 100))
        ]
        parsed["energy_fit"] = [
            choice({"q": q}, "q", f"{where}.energy_fit.{n}", sorted(vocabulary.QUADRANT_KEYS))
            for n, q in enumerate(list_of(row, "energy_fit", where, str, 4))
        ]
        parsed["guided"] = choice(row, "guided", where, [*GUIDED_PATTERNS, ""], null=True)
        parsed["caregiver_first"] = choice(row, "caregiver_first", where, [True, False])
        parsed["created_by"] = integer(row, "created_by", where, null=True)
        parsed["created_at"] = instant(row, "created_at", where)
        parsed["updated_at"] = instant(row, "updated_at", where)
        out.append(parsed)
    refs["strategies"] = seen
    return out


def _load_strategies(rows: list[dict[str, Any]], context: ImportContext) -> int:
    made = Strategy.objects.bulk_create(
        [
            Strategy(
                family=context.family,
                created_by_id=mapped_user(context, row["created_by"]),
                **{
                    k: v
                    for k, v in row.items()
                    if k not in ("id", "created_by", "created_at", "updated_at")
                },
            )
            for row in rows
        ]
    )
    for row, strategy in zip(rows, made, strict=True):
        strategy.created_at, strategy.updated_at = row["created_at"], row["updated_at"]
    Strategy.objects.bulk_update(made, ["created_at", "updated_at"], batch_size=BATCH)
    context.map("strategies").update({row["id"]: s.pk for row, s in zip(rows, made, strict=True)})
    return len(made)


def _check_checkins(rows: list[Any], refs: dict[str, set[Any]]) -> list[dict[str, Any]]:
    seen: set[Any] = set()
    children, members = refs.get("children", set()), refs.get("members", set())
    # A strategy of the file, or a built-in one of this Tandem (the same catalogue ids).
    builtins = set(Strategy.objects.filter(family__isnull=True).values_list("pk", flat=True))
    strategies = refs.get("strategies", set()) | builtins
    out = []
    for index, row in enumerate(rows):
        where = f"checkins.{index}"
        checkin_id = unique_id(row, where, seen, _uuid)
        child = reference(row, "child", where, children, "child")
        member = reference(row, "member", where, members, "member")
        if (child is None) == (member is None):
            fail(f"{where}.child", _("A check-in is for a child or for a caregiver: one of them."))
        try:
            body_areas = vocabulary.validate_body_areas(list_of(row, "body_areas", where, str))
        except ValidationError as error:
            fail(f"{where}.body_areas", error.messages[0])
        outcome_emotion = text(row, "outcome_emotion", where, 32)
        if outcome_emotion:
            choice(row, "outcome_emotion", where, vocabulary.EMOTION_KEYS)
        out.append(
            {
                "id": checkin_id,
                "child": child,
                "member": member,
                "emotion": choice(row, "emotion", where, vocabulary.EMOTION_KEYS),
                "intensity": number(row, "intensity", where, 1, 5),
                "body_areas": body_areas,
                "note": text(row, "note", where, NOTE_MAX_LENGTH),
                "strategy": reference(row, "strategy", where, strategies, "strategy"),
                "created_by": integer(row, "created_by", where, null=True),
                "occurred_at": instant(row, "occurred_at", where),
                "created_at": instant(row, "created_at", where),
                "follow_up_at": instant(row, "follow_up_at", where, null=True),
                "outcome": choice(row, "outcome", where, Outcome.values, null=True),
                "outcome_emotion": outcome_emotion,
                "outcome_at": instant(row, "outcome_at", where, null=True),
                "pair": _uuid(row, "pair", where, null=True),
                "by_child": _by_child(row, where, child is not None),
            }
        )
    refs["checkins"] = seen
    return out


def _by_child(row: dict[str, Any], where: str, for_child: bool) -> bool:
    """Files written before child devices have no ``by_child``: the check-in was a grown-up's."""
    value = row.get("by_child", False)
    if not isinstance(value, bool):
        fail(f"{where}.by_child", "Must be true or false.")
    if value and (not for_child or row.get("pair") is not None or row.get("strategy")):
        fail(f"{where}.by_child", "A child's own check-in is for a child alone, with no strategy.")
    return value


def _uuid(row: dict[str, Any], key: str, where: str, *, null: bool = False) -> uuid.UUID | None:
    value = row.get(key)
    if value is None and null:
        return None
    try:
        return uuid.UUID(value) if isinstance(value, str) else uuid.UUID("!")
    except ValueError:
        fail(f"{where}.{key}", _("Must be a UUID."))


def _load_checkins(rows: list[dict[str, Any]], context: ImportContext) -> int:
    children, members = context.map("children"), context.map("members")
    strategies = context.map("strategies")
    new_ids = {row["id"]: uuid.uuid4() for row in rows}
    made: list[CheckIn] = []
    skipped = 0
    for row in rows:
        member = members.get(row["member"]) if row["member"] is not None else None
        if row["member"] is not None and member is None:
            skipped += 1  # another member's own check-in: no account here to hold it
            continue
        pair = row["pair"]
        made.append(
            CheckIn(
                id=new_ids[row["id"]],
                family=context.family,
                child_id=children[row["child"]] if row["child"] is not None else None,
                member_id=member,
                emotion=row["emotion"],
                intensity=row["intensity"],
                body_areas=row["body_areas"],
                note=row["note"],
                strategy_id=strategies.get(row["strategy"], row["strategy"]),
                created_by_id=mapped_user(context, row["created_by"]),
                occurred_at=row["occurred_at"],
                follow_up_at=row["follow_up_at"],
                outcome=row["outcome"],
                outcome_emotion=row["outcome_emotion"],
                outcome_at=row["outcome_at"],
                pair=new_ids.setdefault(pair, uuid.uuid4()) if pair is not None else None,
                created_at=row["created_at"],
                by_child=row["by_child"],
            )
        )
    # Bulk inserts send no post_save: no follow-up is scheduled for an imported check-in.
    CheckIn.objects.bulk_create(made, batch_size=BATCH)
    created = {c.pk: c for c in made}
    for row in rows:
        checkin = created.get(new_ids[row["id"]])
        if checkin is not None:
            checkin.created_at = row["created_at"]  # auto_now_add wrote the import's instant
    CheckIn.objects.bulk_update(made, ["created_at"], batch_size=BATCH)
    context.notes["checkins_left_out"] = skipped
    return len(made)


IMPORT_SECTIONS = (
    ImportSection("strategies", 50, _check_strategies, _load_strategies),
    ImportSection("checkins", 60, _check_checkins, _load_checkins),
)
