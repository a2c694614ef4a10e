"""A family's data as one JSON file, written as a stream of the sections apps contribute.

Each app registers the sections of the export it owns in its ``AppConfig.ready()``
(``core.contributions.ExportSection``): families the members, children and invitations;
routines, check-ins and reminders their own. This module knows none of them; it writes the
header and then each registered section in order.

A year of a busy family is tens of thousands of rows, so nothing here holds a whole table:
sections read with ``stream()`` (``QuerySet.iterator()``: a server-side cursor on
PostgreSQL, chunked reads on SQLite) and rows are written out one by one, so the number
of queries is the same for a week of data as for a year.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Iterator
from typing import Any, cast

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.text import slugify
from rest_framework.serializers import Serializer

from core.contributions import ExportSection, export_sections
from core.timeutils import family_today

from . import serializers_export as shapes
from .media import file_bytes
from .models import Child, ChildAway, Family, Invitation, Media, Membership, Role, User

EXPORT_FORMAT = "tandem-export/1"
CHUNK_ROWS = 500  # rows fetched per round trip and written per chunk of output


def export_filename(family: Family, extension: str, part: str = "") -> str:
    """``tandem-<family>[-<part>]-<family-local date>.<extension>``, safe for any file system."""
    slug = slugify(family.name) or f"family-{family.pk}"
    middle = f"{slug}-{part}" if part else slug
    return f"tandem-{middle}-{family_today(family).isoformat()}.{extension}"


# --- Helpers for the apps' sections ----------------------------------------------------


def stream(queryset: QuerySet) -> Iterator[Any]:
    """Rows of ``queryset`` fetched ``CHUNK_ROWS`` at a time."""
    return queryset.iterator(chunk_size=CHUNK_ROWS)


def columns(shape: type[Serializer], *, derived: Iterable[str] = ()) -> list[str]:
    """The ``values()`` columns an export shape reads: each field's source, less the
    fields its section fills in itself (``derived``), so a column is named once."""
    skip = set(derived)
    # (A bound field always has its source: binding sets it.)
    return [cast(str, f.source) for name, f in shape().fields.items() if name not in skip]


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
    yield _dumps(header)[:-1]  # the header object, left open for the sections
    for section in export_sections():
        yield f",{json.dumps(section.name)}:["
        shape = section.shape
        chunk: list[str] = []
        first = True
        for row in section.rows(family, user):
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


# --- The families app's own sections ---------------------------------------------------


def _members(family: Family, user: User) -> Iterator[dict]:
    # A child's tablet is not a member (its check-ins say by_child); nothing to bring back.
    return stream(
        Membership.objects.filter(family=family)
        .exclude(role=Role.DEVICE)
        .order_by("joined_at", "id")
        .values(*columns(shapes.ExportMemberSerializer))
    )


def _children(family: Family, user: User) -> Iterator[dict]:
    return stream(
        Child.objects.filter(family=family)
        .order_by("id")
        .values(*columns(shapes.ExportChildSerializer))
    )


def _away(family: Family, user: User) -> Iterator[dict]:
    return stream(
        ChildAway.objects.filter(child__family=family)
        .order_by("id")
        .values(*columns(shapes.ExportAwaySerializer))
    )


def _invitations(family: Family, user: User) -> Iterator[dict]:
    # Model instances (not values()) for ``status``; token_hash is never read out.
    invitations = Invitation.objects.filter(family=family).order_by("id").defer("token_hash")
    for invitation in stream(invitations):
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


def _media(family: Family, user: User) -> Iterator[dict]:
    # Model rows one by one, each file read as its row is written: one file in memory.
    for media in stream(Media.objects.filter(family=family).order_by("id")):
        yield {
            "id": media.pk,
            "kind": media.kind,
            "content_type": media.content_type,
            "sha256": media.sha256,
            "bytes": media.bytes,
            "width": media.width,
            "height": media.height,
            "duration_seconds": media.duration_seconds,
            "created_at": media.created_at,
            "data": base64.b64encode(file_bytes(media.file)).decode("ascii"),
        }


SECTIONS = (
    ExportSection("members", 10, _members, shapes.ExportMemberSerializer()),
    # Before the children and steps that show them (an import reads references backwards).
    ExportSection("media", 15, _media, shapes.ExportMediaSerializer()),
    ExportSection("children", 20, _children, shapes.ExportChildSerializer()),
    ExportSection("away", 25, _away, shapes.ExportAwaySerializer()),
    ExportSection("invitations", 70, _invitations, shapes.ExportInvitationSerializer()),
)
