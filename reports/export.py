"""The reports app's part of the family export: what reports were made and which share
links were given out, with their visits (registered in ``ReportsConfig.ready()``).

Metadata only: a report's PDF is rendered again from the data whenever it is needed, and a
share's token is never stored (nor its hash written out). The import brings neither back:
a report is made again in a few seconds from the imported data, and a restored share link
would be a new secret handed to no one (docs/api.md, "Export and import").
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from rest_framework import serializers

from core.api import NULLABLE
from core.contributions import ExportSection
from families.export import stream
from families.models import Family

from .models import Report, ReportStatus, Share, ShareVisit


class ExportReportSerializer(serializers.Serializer):
    """A report that was made: for whom, which range and sections (not the PDF)."""

    id = serializers.IntegerField()
    children = serializers.ListField(child=serializers.IntegerField())
    first = serializers.DateField()
    last = serializers.DateField()
    sections = serializers.ListField(child=serializers.CharField())
    include_notes = serializers.BooleanField()
    status = serializers.ChoiceField(choices=ReportStatus.choices)
    created_by = serializers.IntegerField(source="created_by_id", **NULLABLE)
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)


class ExportShareVisitSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    what = serializers.CharField(help_text="What was opened: the page or the PDF.")


class ExportShareSerializer(serializers.Serializer):
    """A read-only link given out: for whom, what it showed, until when, and when it was
    opened. Never the token or its hash."""

    id = serializers.IntegerField()
    label = serializers.CharField(allow_blank=True)  # type: ignore[assignment]  # declared field, not Field.label
    children = serializers.ListField(child=serializers.IntegerField())
    first = serializers.DateField()
    last = serializers.DateField()
    sections = serializers.ListField(child=serializers.CharField())
    include_notes = serializers.BooleanField()
    status = serializers.ChoiceField(choices=["active", "expired", "revoked"])
    created_by = serializers.IntegerField(source="created_by_id", **NULLABLE)
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    revoked_at = serializers.DateTimeField(allow_null=True)
    visits = ExportShareVisitSerializer(many=True)


def _children_of(through: Any, key: str, family: Family) -> dict[int, list[int]]:
    # The child links of every report (or share) of the family in one query.
    children: dict[int, list[int]] = defaultdict(list)
    links = through.objects.filter(**{f"{key}__family": family}).order_by(f"{key}_id", "child_id")
    for owner, child in links.values_list(f"{key}_id", "child_id"):
        children[owner].append(child)
    return children


def _reports(family: Family, user: Any) -> Iterator[dict]:
    children = _children_of(Report.children.through, "report", family)
    fields = ("id", "first", "last", "sections", "include_notes", "status", "created_by_id")
    rows = Report.objects.filter(family=family).order_by("id")
    for row in stream(rows.values(*fields, "created_at", "finished_at")):
        yield {**row, "children": children.get(row["id"], [])}


def _shares(family: Family, user: Any) -> Iterator[dict]:
    children = _children_of(Share.children.through, "share", family)
    visits: dict[int, list[dict[str, Any]]] = defaultdict(list)
    opened = ShareVisit.objects.filter(share__family=family).order_by("at", "id")
    for share_id, at, what in opened.values_list("share_id", "at", "what"):
        visits[share_id].append({"at": at, "what": what})
    # Model instances for ``status``; the token's hash is never read out.
    for share in stream(Share.objects.filter(family=family).order_by("id").defer("token_hash")):
        yield {
            "id": share.pk,
            "label": share.label,
            "children": children.get(share.pk, []),
            "first": share.first,
            "last": share.last,
            "sections": share.sections,
            "include_notes": share.include_notes,
            "status": share.status,
            "created_by_id": share.created_by_id,
            "created_at": share.created_at,
            "expires_at": share.expires_at,
            "revoked_at": share.revoked_at,
            "visits": visits.get(share.pk, []),
        }


SECTIONS = (
    ExportSection(
        "reports",
        100,
        _reports,
        ExportReportSerializer(),
        help_text="The reports made (not their PDFs, which are made again from the data).",
    ),
    ExportSection(
        "shares",
        110,
        _shares,
        ExportShareSerializer(),
        help_text="The share links given out, with their visits (never a token or its hash).",
    ),
)
