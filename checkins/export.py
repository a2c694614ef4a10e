"""The check-ins app's part of the family export: the family's own strategies and every
check-in (registered in ``CheckinsConfig.ready()``), and the check-ins as CSV."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from rest_framework import serializers

from core.api import NULLABLE
from core.contributions import ExportSection
from core.timeutils import family_local, family_local_date
from families.export import CHUNK_ROWS, columns, stream
from families.models import Family

from .models import CheckIn, Strategy
from .vocabulary import EMOTIONS_BY_KEY


class ExportStrategySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    key = serializers.CharField()
    title = serializers.CharField()
    kind = serializers.CharField()
    summary = serializers.CharField(allow_blank=True)
    steps = serializers.ListField(child=serializers.CharField(allow_blank=True))
    fits = serializers.ListField(child=serializers.CharField())
    energy_fit = serializers.ListField(child=serializers.CharField())
    age_note = serializers.CharField(allow_blank=True)
    guided = serializers.CharField(allow_null=True, allow_blank=True)
    caregiver_first = serializers.BooleanField()
    created_by = serializers.IntegerField(source="created_by_id", **NULLABLE)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class ExportCheckInSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    child = serializers.IntegerField(source="child_id", **NULLABLE)
    member = serializers.IntegerField(
        source="member_id", help_text="Set on a caregiver's own check-in.", **NULLABLE
    )
    emotion = serializers.CharField()
    intensity = serializers.IntegerField()
    body_areas = serializers.ListField(child=serializers.CharField())
    note = serializers.CharField(allow_blank=True)
    strategy = serializers.IntegerField(source="strategy_id", **NULLABLE)
    created_by = serializers.IntegerField(source="created_by_id", **NULLABLE)
    occurred_at = serializers.DateTimeField()
    local_date = serializers.DateField(help_text="The family-local date of ``occurred_at``.")
    created_at = serializers.DateTimeField()
    follow_up_at = serializers.DateTimeField(allow_null=True)
    outcome = serializers.CharField(allow_null=True)
    outcome_emotion = serializers.CharField(allow_blank=True)
    outcome_at = serializers.DateTimeField(allow_null=True)
    pair = serializers.UUIDField(
        allow_null=True,
        help_text="Coregulation: the child's and the caregiver's check-in share this id.",
    )
    by_child = serializers.BooleanField(help_text="Made by the child on their own tablet.")


def _strategies(family: Family, user: Any) -> Iterator[dict]:
    return stream(
        Strategy.objects.filter(family=family)
        .order_by("id")
        .values(*columns(ExportStrategySerializer))
    )


def _checkins(family: Family, user: Any) -> Iterator[dict]:
    rows = stream(
        CheckIn.objects.filter(family=family)
        .order_by("occurred_at", "created_at", "id")
        .values(*columns(ExportCheckInSerializer, derived=["local_date"]))
    )
    for row in rows:
        row["local_date"] = family_local_date(family, row["occurred_at"])
        yield row


SECTIONS = (
    ExportSection(
        "strategies",
        50,
        _strategies,
        ExportStrategySerializer(),
        help_text="The family's own strategies.",
    ),
    ExportSection("checkins", 60, _checkins, ExportCheckInSerializer()),
)


# --- CSV -------------------------------------------------------------------------------

# Cells a spreadsheet would read as a formula (CSV injection) start with one of these.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

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


class Echo:
    """A file-like whose ``write`` hands back the line, for streaming ``csv.writer``."""

    def write(self, value: str) -> str:
        return value


def checkins_csv(family: Family) -> Iterator[str]:
    """Yield the family's check-ins as CSV: a header row, then one row per check-in.

    Dates and times are family-local (``occurred_at_utc`` keeps the instant). Text
    starts with a UTF-8 byte-order mark so spreadsheet apps read names and notes right.
    """
    writer = csv.writer(Echo())
    rows = stream(
        CheckIn.objects.filter(family=family)
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
            utc_text(row["occurred_at"]),
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
            utc_text(row["follow_up_at"]),
            row["pair"] or "",
            row["created_by__display_name"] or "",
        ]
        chunk.append(writer.writerow([safe_cell(cell) for cell in cells]))
        if len(chunk) >= CHUNK_ROWS:
            yield "".join(chunk)
            chunk = []
    if chunk:
        yield "".join(chunk)


def utc_text(instant: datetime | None) -> str:
    """``2026-03-01T17:00:00Z``, or empty for no instant."""
    if instant is None:
        return ""
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
