"""A new family from a Tandem export file: the import engine and the families app's sections.

Each app registers how its export sections come back (``core.contributions.ImportSection``)
in its ``AppConfig.ready()``: families the members and children, routines the routines and
runs, check-ins the strategies and check-ins. This module knows none but its own: it reads
the file, checks the header, lets every section check its rows (each reference must point
to a row of the file: a check-in's child to a child in ``children``), and only then writes
everything in one transaction, ids remapped, the importer as the new family's owner.
Members other than the one who exported are listed by name, not made into accounts.

Nothing is written unless the whole file is valid: a bad or foreign file is a 400 naming
where it is wrong (``checkins.12.child``), and any failure while writing rolls back.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import IO, Any, NoReturn

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from core.api import validation_error
from core.contributions import ImportSection, import_sections

from . import media
from .away import MAX_AWAY_DAYS
from .export import EXPORT_FORMAT
from .models import (
    FOLLOW_UP_MINUTES_MAX,
    Child,
    ChildAway,
    Family,
    MediaKind,
    Membership,
    Role,
    User,
    validate_timezone,
)

MAX_IMPORT_BYTES = 64 * 1024 * 1024
BATCH = 1000


@dataclass
class ImportContext:
    """What the sections' ``load`` share: the new family, who imports, old → new ids."""

    family: Family
    user: User
    membership: Membership
    exported_by: int | None
    ids: dict[str, dict[Any, Any]] = field(default_factory=dict)
    notes: dict[str, Any] = field(default_factory=dict)

    def map(self, section: str) -> dict[Any, Any]:
        return self.ids.setdefault(section, {})


@dataclass(frozen=True)
class ImportResult:
    family: Family
    counts: dict[str, int]
    members: list[dict[str, str]]


# --- Checking rows (each helper names where a value is wrong) -------------------------


def fail(where: str, message: str) -> NoReturn:
    raise validation_error(where, message)


def rows_of(doc: dict[str, Any], name: str) -> list[Any]:
    rows = doc.get(name, [])
    if not isinstance(rows, list):
        fail(name, _("Must be a list."))
    for index, row in enumerate(rows):
        if not isinstance(row, dict):
            fail(f"{name}.{index}", _("Must be an object."))
    return rows


def integer(row: dict[str, Any], key: str, where: str, *, null: bool = False) -> int | None:
    value = row.get(key)
    if value is None and null:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < 2**63:
        fail(f"{where}.{key}", _("Must be a whole number."))
    return value


def number(row: dict[str, Any], key: str, where: str, low: int, high: int) -> int:
    value = integer(row, key, where)
    assert value is not None
    if not low <= value <= high:
        fail(
            f"{where}.{key}",
            _("Must be between %(low)s and %(high)s.") % {"low": low, "high": high},
        )
    return value


def text(row: dict[str, Any], key: str, where: str, max_length: int, *, blank: bool = True) -> str:
    value = row.get(key, "" if blank else None)
    if value is None and blank:
        value = ""
    if not isinstance(value, str):
        fail(f"{where}.{key}", _("Must be text."))
    if not blank and not value.strip():
        fail(f"{where}.{key}", _("May not be blank."))
    if len(value) > max_length:
        fail(f"{where}.{key}", _("At most %(max_length)s characters.") % {"max_length": max_length})
    return value


def instant(row: dict[str, Any], key: str, where: str, *, null: bool = False) -> datetime | None:
    value = row.get(key)
    if value is None and null:
        return None
    parsed = parse_datetime(value) if isinstance(value, str) else None
    if parsed is None or parsed.tzinfo is None:
        fail(f"{where}.{key}", _("Must be an ISO 8601 instant with its offset."))
    return parsed


def day(row: dict[str, Any], key: str, where: str) -> date:
    value = row.get(key)
    try:
        parsed = parse_date(value) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if parsed is None:
        fail(f"{where}.{key}", _("Must be a date (YYYY-MM-DD)."))
    return parsed


def choice(row: dict[str, Any], key: str, where: str, choices: Any, *, null: bool = False) -> Any:
    value = row.get(key)
    if value is None and null:
        return None
    if value not in choices:
        fail(
            f"{where}.{key}",
            _("Must be one of %(value)s.") % {"value": ", ".join(map(str, choices))},
        )
    return value


def list_of(
    row: dict[str, Any], key: str, where: str, kind: type, max_length: int = 200
) -> list[Any]:
    value = row.get(key, [])
    if not isinstance(value, list) or len(value) > max_length:
        fail(
            f"{where}.{key}",
            _("Must be a list of at most %(max_length)s items.") % {"max_length": max_length},
        )
    for n, item in enumerate(value):
        if not isinstance(item, kind) or isinstance(item, bool):
            fail(f"{where}.{key}.{n}", _("Must be %(kind)s.") % {"kind": kind.__name__})
    return value


def reference(
    row: dict[str, Any], key: str, where: str, known: set[Any], noun: str, *, null: bool = True
) -> Any:
    value = row.get(key)
    if value is None and null:
        return None
    if value not in known:
        fail(
            f"{where}.{key}",
            _("No %(noun)s %(value)r in this file.") % {"noun": noun, "value": value},
        )
    return value


def unique_id(row: dict[str, Any], where: str, seen: set[Any], check: Callable[..., Any]) -> Any:
    value = check(row, "id", where)
    if value in seen:
        fail(f"{where}.id", _("This id appears twice."))
    seen.add(value)
    return value


# --- The engine ------------------------------------------------------------------------


def read_file(upload: IO[bytes]) -> dict[str, Any]:
    """The export document of an uploaded file, or a 400 on ``file``."""
    raw = upload.read(MAX_IMPORT_BYTES + 1)
    if len(raw) > MAX_IMPORT_BYTES:
        fail(
            "file",
            _("The file is larger than %(value)s MB.")
            % {"value": MAX_IMPORT_BYTES // (1024 * 1024)},
        )
    try:
        doc = json.loads(raw)
    except (UnicodeDecodeError, ValueError):
        fail("file", _("This is not a Tandem export: the file is not JSON."))
    if not isinstance(doc, dict):
        fail("file", _("This is not a Tandem export: expected a JSON object."))
    return doc


def check_header(doc: dict[str, Any]) -> dict[str, Any]:
    """The export's family (name, zone, follow-up minutes), after checking the format."""
    found = doc.get("format")
    if found != EXPORT_FORMAT:
        fail(
            "format",
            _("Expected a %(EXPORT_FORMAT)s file, not %(found)r.")
            % {"EXPORT_FORMAT": EXPORT_FORMAT, "found": found},
        )
    family = doc.get("family")
    if not isinstance(family, dict):
        fail("family", _("Missing the family."))
    name = text(family, "name", "family", 80, blank=False)
    zone = text(family, "timezone", "family", 64, blank=False)
    try:
        validate_timezone(zone)
    except ValidationError:
        fail("family.timezone", _("Unknown time zone %(zone)r.") % {"zone": zone})
    minutes = number(family, "follow_up_minutes", "family", 1, FOLLOW_UP_MINUTES_MAX)
    exported_by = integer(doc, "exported_by", "exported_by", null=True)
    return {"name": name, "timezone": zone, "follow_up_minutes": minutes, "by": exported_by}


def check_file(doc: dict[str, Any]) -> tuple[dict[str, Any], list[tuple[ImportSection, list]]]:
    """Everything checked, nothing written: the header and each section's parsed rows."""
    header = check_header(doc)
    refs: dict[str, set[Any]] = {}
    parsed = [
        (section, section.check(rows_of(doc, section.name), refs)) for section in import_sections()
    ]
    return header, parsed


def import_family(*, user: User, doc: dict[str, Any], name: str | None = None) -> ImportResult:
    """Create a new family from an export document, ``user`` its owner (all or nothing)."""
    header, parsed = check_file(doc)
    family = Family(
        name=name or header["name"],
        timezone=header["timezone"],
        follow_up_minutes=header["follow_up_minutes"],
    )
    try:
        with transaction.atomic():
            family.save()
            membership = Membership.objects.create(user=user, family=family, role=Role.OWNER)
            context = ImportContext(
                family=family, user=user, membership=membership, exported_by=header["by"]
            )
            counts = {section.name: section.load(rows, context) for section, rows in parsed}
    except Exception:
        if family.pk is not None:  # rolled back: the media files written so far go too
            media.delete_family_files(family.pk)
        raise
    return ImportResult(
        family=family, counts=counts, members=context.notes.get("other_members", [])
    )


# --- The families app's sections -------------------------------------------------------


def _check_members(rows: list[Any], refs: dict[str, set[Any]]) -> list[dict[str, Any]]:
    seen: set[Any] = set()
    out = []
    for index, row in enumerate(rows):
        where = f"members.{index}"
        out.append(
            {
                "id": unique_id(row, where, seen, integer),
                "user": integer(row, "user", where),
                "display_name": text(row, "display_name", where, 80),
                "role": choice(row, "role", where, [Role.OWNER, Role.CAREGIVER]),
            }
        )
    refs["members"] = seen
    return out


def _load_members(rows: list[dict[str, Any]], context: ImportContext) -> int:
    """The one who exported becomes the importer; the others are listed by name."""
    ids = context.map("members")
    others = []
    for row in rows:
        if row["user"] == context.exported_by:
            ids[row["id"]] = context.membership.pk
        else:
            others.append({"name": row["display_name"], "role": row["role"]})
    context.notes["other_members"] = others
    context.notes["users"] = {context.exported_by: context.user.pk}
    return len(rows)


def _check_media(rows: list[Any], refs: dict[str, set[Any]]) -> list[dict[str, Any]]:
    """Each file is checked and re-encoded as an upload is (its bytes are untrusted)."""
    seen: set[Any] = set()
    kinds: set[tuple[int, str]] = set()
    out = []
    for index, row in enumerate(rows):
        where = f"media.{index}"
        media_id = unique_id(row, where, seen, integer)
        kind = choice(row, "kind", where, [MediaKind.IMAGE, MediaKind.AUDIO])
        data = row.get("data")
        try:
            raw = base64.b64decode(data, validate=True) if isinstance(data, str) else None
        except (binascii.Error, ValueError):
            raw = None
        if raw is None:
            fail(f"{where}.data", "Must be the file in base64.")
        try:
            encoded = media.encode(kind, io.BytesIO(raw))
        except ValidationError as error:
            fail(f"{where}.data", error.messages[0])
        kinds.add((media_id, kind))
        out.append(
            {"id": media_id, "encoded": encoded, "created_at": instant(row, "created_at", where)}
        )
    refs["media"] = seen
    refs["_media_kind"] = kinds
    return out


def _load_media(rows: list[dict[str, Any]], context: ImportContext) -> int:
    ids = context.map("media")
    for row in rows:
        stored, _created = media.store(
            family=context.family, encoded=row["encoded"], user=context.user
        )
        ids[row["id"]] = stored.pk
    return len(rows)


def media_reference(
    row: dict[str, Any], key: str, where: str, refs: dict[str, set[Any]], kind: str
) -> int | None:
    """A media id of the file (or null) whose kind is ``kind``."""
    value: int | None = reference(row, key, where, refs.get("media", set()), "media")
    if value is not None and (value, kind) not in refs.get("_media_kind", set()):
        noun = "a photo" if kind == MediaKind.IMAGE else "a recording"
        fail(f"{where}.{key}", f"Media {value!r} is not {noun}.")
    return value


def _check_children(rows: list[Any], refs: dict[str, set[Any]]) -> list[dict[str, Any]]:
    seen: set[Any] = set()
    out = []
    for index, row in enumerate(rows):
        where = f"children.{index}"
        birth_year = integer(row, "birth_year", where, null=True)
        if birth_year is not None and not 1990 <= birth_year <= 2100:
            fail(f"{where}.birth_year", _("Must be between 1990 and 2100."))
        out.append(
            {
                "id": unique_id(row, where, seen, integer),
                "name": text(row, "name", where, 60, blank=False),
                "birth_year": birth_year,
                "avatar": text(row, "avatar", where, 16),
                "colour": text(row, "colour", where, 7),
                "photo": media_reference(row, "photo", where, refs, MediaKind.IMAGE),
                "created_at": instant(row, "created_at", where),
            }
        )
    refs["children"] = seen
    return out


def _load_children(rows: list[dict[str, Any]], context: ImportContext) -> int:
    photos = context.map("media")
    made = Child.objects.bulk_create(
        [
            Child(
                family=context.family,
                photo_id=photos.get(row["photo"]),
                **{k: v for k, v in row.items() if k not in ("id", "created_at", "photo")},
            )
            for row in rows
        ]
    )
    for row, child in zip(rows, made, strict=True):
        child.created_at = row["created_at"]  # auto_now_add wrote the import's instant
    Child.objects.bulk_update(made, ["created_at"], batch_size=BATCH)
    context.map("children").update(
        {row["id"]: child.pk for row, child in zip(rows, made, strict=True)}
    )
    return len(made)


def mapped_user(context: ImportContext, old: int | None) -> int | None:
    """A user id of the file in this database: the exporter is the importer, others none."""
    users: dict[Any, int] = context.notes.get("users", {})
    return users.get(old) if old is not None else None


def _check_away(rows: list[Any], refs: dict[str, set[Any]]) -> list[dict[str, Any]]:
    """Ranges of one child that overlap are refused, as ``families.away`` refuses them."""
    seen: set[Any] = set()
    out = []
    children = refs.get("children", set())
    for index, row in enumerate(rows):
        where = f"away.{index}"
        first, last = day(row, "from", where), day(row, "to", where)
        if last < first or (last - first).days + 1 > MAX_AWAY_DAYS:
            fail(f"{where}.to", f"Must be from “from” up to {MAX_AWAY_DAYS} days later.")
        out.append(
            {
                "id": unique_id(row, where, seen, integer),
                "child": reference(row, "child", where, children, "child", null=False),
                "starts_on": first,
                "ends_on": last,
                "note": text(row, "note", where, 80),
                "created_by": integer(row, "created_by", where, null=True),
                "created_at": instant(row, "created_at", where),
            }
        )
    by_child: dict[Any, list[dict[str, Any]]] = {}
    for index, row in enumerate(out):
        for other in by_child.get(row["child"], []):
            if row["starts_on"] <= other["ends_on"] and other["starts_on"] <= row["ends_on"]:
                fail(f"away.{index}.from", "Overlaps another range of the same child.")
        by_child.setdefault(row["child"], []).append(row)
    refs["away"] = seen
    return out


def _load_away(rows: list[dict[str, Any]], context: ImportContext) -> int:
    children = context.map("children")
    made = ChildAway.objects.bulk_create(
        [
            ChildAway(
                child_id=children[row["child"]],
                starts_on=row["starts_on"],
                ends_on=row["ends_on"],
                note=row["note"],
                created_by_id=mapped_user(context, row["created_by"]),
            )
            for row in rows
        ],
        batch_size=BATCH,
    )
    for row, away in zip(rows, made, strict=True):
        away.created_at = row["created_at"]
    ChildAway.objects.bulk_update(made, ["created_at"], batch_size=BATCH)
    return len(made)


IMPORT_SECTIONS = (
    ImportSection("members", 10, _check_members, _load_members),
    ImportSection("media", 15, _check_media, _load_media),
    ImportSection("children", 20, _check_children, _load_children),
    ImportSection("away", 25, _check_away, _load_away),
)
