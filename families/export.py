"""A family's data as one JSON file, and its check-ins as CSV, written as streams.

A year of a busy family is tens of thousands of rows, so nothing here holds a whole table:
large tables are read with ``QuerySet.iterator()`` (a server-side cursor on PostgreSQL,
chunked reads on SQLite) and written out row by row. Runs and their step completions are
two cursors ordered by run id and merged, so the number of queries is the same for a
week of data as for a year.

The models of ``routines``, ``checkins`` and ``reminders`` are looked up
by label: those apps depend on ``families``, not the other way round, and the export is
the one place that reads all of them.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from datetime import UTC
from typing import Any
from urllib.parse import urlsplit

from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.text import slugify
from rest_framework.serializers import Serializer

from . import serializers_export as shapes
from .models import Child, Family, Invitation, Membership, User
from .timeutils import family_local, family_local_date, family_today

EXPORT_FORMAT = "tandem-export/1"
CHUNK_ROWS = 500  # rows fetched per round trip and written per chunk of output

# Cells a spreadsheet would read as a formula (CSV injection) start with one of these.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def export_filename(family: Family, extension: str, part: str = "") -> str:
    """``tandem-<family>[-<part>]-<family-local date>.<extension>``, safe for any file system."""
    slug = slugify(family.name) or f"family-{family.pk}"
    middle = f"{slug}-{part}" if part else slug
    return f"tandem-{middle}-{family_today(family).isoformat()}.{extension}"


# --- JSON ------------------------------------------------------------------------------


def family_export_json(family: Family, user: User) -> Iterator[str]:
    """Yield the family's export as JSON text in chunks (see ``FamilyExportSerializer``).

    ``user`` is who asked: their own push subscriptions are included, nobody else's.
    """
    header = {
        "format": EXPORT_FORMAT,
        "exported_at": timezone.now(),
        "exported_by": user.pk,
        "family": shapes.ExportFamilySerializer(family).data,
    }
    sections: list[tuple[str, Iterable[dict], Any]] = [
        ("members", _members(family), shapes.ExportMemberSerializer()),
        ("children", _children(family), shapes.ExportChildSerializer()),
        ("routines", _routines(family), shapes.ExportRoutineSerializer()),
        ("runs", _runs(family), shapes.ExportRunSerializer()),
        ("strategies", _strategies(family), shapes.ExportStrategySerializer()),
        ("checkins", _checkins(family), shapes.ExportCheckInSerializer()),
        ("invitations", _invitations(family), shapes.ExportInvitationSerializer()),
        (
            "push_subscriptions",
            _push_subscriptions(user),
            shapes.ExportPushSubscriptionSerializer(),
        ),
        ("deliveries", _deliveries(family), None),
    ]
    yield _dumps(header)[:-1]  # the header object, left open for the sections
    for name, rows, shape in sections:
        yield f",{json.dumps(name)}:["
        chunk: list[str] = []
        first = True
        for row in rows:
            chunk.append(_dumps(shape.to_representation(row) if shape else row))
            if len(chunk) >= CHUNK_ROWS:
                yield ("" if first else ",") + ",".join(chunk)
                first, chunk = False, []
        if chunk:
            yield ("" if first else ",") + ",".join(chunk)
        yield "]"
    yield "}\n"


def _dumps(value: Any) -> str:
    return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))


def _stream(queryset: QuerySet) -> Iterator[Any]:
    return queryset.iterator(chunk_size=CHUNK_ROWS)


def _columns(shape: type[Serializer], *, derived: Iterable[str] = ()) -> list[str]:
    """The ``values()`` columns a shape of ``serializers_export`` reads: each field's
    source, less the fields filled in here (``derived``), so a column is named once."""
    skip = set(derived)
    return [field.source for name, field in shape().fields.items() if name not in skip]


def _members(family: Family) -> Iterator[dict]:
    return _stream(
        Membership.objects.filter(family=family)
        .order_by("joined_at", "id")
        .values(*_columns(shapes.ExportMemberSerializer))
    )


def _children(family: Family) -> Iterator[dict]:
    return _stream(
        Child.objects.filter(family=family)
        .order_by("id")
        .values(*_columns(shapes.ExportChildSerializer))
    )


def _routines(family: Family) -> Iterator[dict]:
    # A family has a handful of routines: one query each for routines, steps and children.
    routine_model = apps.get_model("routines", "Routine")
    routines = routine_model.objects.filter(family=family).order_by("id")
    routines = routines.prefetch_related(
        "steps", Prefetch("children", queryset=Child.objects.only("id"))
    )
    for routine in routines:
        yield {
            **{
                name: getattr(routine, name)
                for name in (
                    "id",
                    "name",
                    "icon",
                    "days_of_week",
                    "start_time",
                    "reminder_offsets",
                    "is_active",
                    "created_at",
                    "updated_at",
                )
            },
            "children": sorted(child.pk for child in routine.children.all()),
            "steps": [
                {
                    "id": step.pk,
                    "position": step.position,
                    "title": step.title,
                    "icon": step.icon,
                    "duration_minutes": step.duration_minutes,
                }
                for step in routine.steps.all()
            ],
        }


def _runs(family: Family) -> Iterator[dict]:
    """Runs with their completions: two cursors in run order, merged (no query per run)."""
    run_model = apps.get_model("routines", "RoutineRun")
    completion_model = apps.get_model("routines", "StepCompletion")
    runs = _stream(
        run_model.objects.filter(routine__family=family)
        .order_by("id")
        .values(*_columns(shapes.ExportRunSerializer, derived=["completions"]))
    )
    completions = _stream(
        completion_model.objects.filter(run__routine__family=family)
        .order_by("run_id", "id")
        .values("run_id", *_columns(shapes.ExportCompletionSerializer))
    )
    pending = next(completions, None)
    for run in runs:
        run["completions"] = []
        while pending is not None and pending["run_id"] <= run["id"]:
            if pending["run_id"] == run["id"]:
                run["completions"].append(pending)
            pending = next(completions, None)
        yield run


def _strategies(family: Family) -> Iterator[dict]:
    strategy_model = apps.get_model("checkins", "Strategy")
    return _stream(
        strategy_model.objects.filter(family=family)
        .order_by("id")
        .values(*_columns(shapes.ExportStrategySerializer))
    )


def _checkins(family: Family) -> Iterator[dict]:
    checkin_model = apps.get_model("checkins", "CheckIn")
    rows = _stream(
        checkin_model.objects.filter(family=family)
        .order_by("occurred_at", "created_at", "id")
        .values(*_columns(shapes.ExportCheckInSerializer, derived=["local_date"]))
    )
    for row in rows:
        row["local_date"] = family_local_date(family, row["occurred_at"])
        yield row


def _invitations(family: Family) -> Iterator[dict]:
    # Model instances (not values()) for ``status``; token_hash is never read out.
    invitations = Invitation.objects.filter(family=family).order_by("id").defer("token_hash")
    for invitation in _stream(invitations):
        yield {
            "id": invitation.pk,
            "role": invitation.role,
            "status": invitation.status,
            "created_by_id": invitation.created_by_id,
            "created_at": invitation.created_at,
            "expires_at": invitation.expires_at,
            "accepted_by_id": invitation.accepted_by_id,
            "accepted_at": invitation.accepted_at,
            "revoked_at": invitation.revoked_at,
        }


def _push_subscriptions(user: User) -> Iterator[dict]:
    """The user's devices: which push service, never the endpoint path or the keys."""
    model = apps.get_model("reminders", "PushSubscription")
    fields = ("id", "endpoint", "user_agent", "created_at", "last_success_at")
    for row in _stream(model.objects.filter(user=user).order_by("id").values(*fields)):
        row["endpoint_host"] = urlsplit(row.pop("endpoint", "") or "").hostname or ""
        yield row


def _deliveries(family: Family) -> Iterator[dict]:
    """The family's reminder deliveries, every stored column (none of them secret)."""
    model = apps.get_model("reminders", "Delivery")
    columns = [field.attname for field in model._meta.concrete_fields]
    queryset = model.objects.filter(reminder__family=family).order_by("id")
    yield from _stream(queryset.values(*columns))


# --- CSV -------------------------------------------------------------------------------

CSV_COLUMNS = [
    "id",
    "date",
    "time",
    "occurred_at_utc",
    "subject",
    "child",
    "caregiver",
    "emotion",
    "feeling",
    "intensity",
    "body_areas",
    "note",
    "strategy",
    "outcome",
    "outcome_emotion",
    "follow_up_at_utc",
    "pair",
    "recorded_by",
]


def safe_cell(value: Any) -> Any:
    """A CSV cell a spreadsheet shows as text: one starting like a formula gets a quote.

    Guards against CSV injection (a note ``=HYPERLINK(...)`` run by Excel or Sheets).
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


class _Echo:
    """A file-like whose ``write`` hands back the line, for streaming ``csv.writer``."""

    def write(self, value: str) -> str:
        return value


def checkins_csv(family: Family) -> Iterator[str]:
    """Yield the family's check-ins as CSV: a header row, then one row per check-in.

    Dates and times are family-local (``occurred_at_utc`` keeps the instant). Text
    starts with a UTF-8 byte-order mark so spreadsheet apps read names and notes right.
    """
    from checkins.vocabulary import EMOTIONS_BY_KEY  # see the module docstring

    checkin_model = apps.get_model("checkins", "CheckIn")
    writer = csv.writer(_Echo())
    rows = _stream(
        checkin_model.objects.filter(family=family)
        .order_by("occurred_at", "created_at", "id")
        .values(
            "id",
            "occurred_at",
            "child__name",
            "member__user__display_name",
            "emotion",
            "intensity",
            "body_areas",
            "note",
            "strategy__title",
            "outcome",
            "outcome_emotion",
            "follow_up_at",
            "pair",
            "created_by__display_name",
        )
    )
    chunk = ["\ufeff" + writer.writerow(CSV_COLUMNS)]
    for row in rows:
        local = family_local(family, row["occurred_at"])
        emotion = EMOTIONS_BY_KEY.get(row["emotion"])
        cells = [
            row["id"],
            local.date().isoformat(),
            local.strftime("%H:%M"),
            _utc(row["occurred_at"]),
            "child" if row["child__name"] is not None else "caregiver",
            row["child__name"] or "",
            row["member__user__display_name"] or "",
            row["emotion"],
            emotion.label if emotion else row["emotion"],
            row["intensity"],
            ";".join(row["body_areas"] or []),
            row["note"],
            row["strategy__title"] or "",
            row["outcome"] or "",
            row["outcome_emotion"],
            _utc(row["follow_up_at"]),
            row["pair"] or "",
            row["created_by__display_name"] or "",
        ]
        chunk.append(writer.writerow([safe_cell(cell) for cell in cells]))
        if len(chunk) >= CHUNK_ROWS:
            yield "".join(chunk)
            chunk = []
    if chunk:
        yield "".join(chunk)


def _utc(instant: Any) -> str:
    if instant is None:
        return ""
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
