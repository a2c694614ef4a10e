"""Registries that each app fills in its ``AppConfig.ready()``, as the admin and checks are.

A feature that spans apps (the family export, insights) is assembled from the parts each
app contributes here, so an app lower in the layers never names one above it:
``families.export`` streams whatever sections are registered, and ``checkins.insights``
adds whatever insight parts are registered.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from rest_framework import serializers


@dataclass(frozen=True)
class ExportSection:
    """One list in a family's export file, e.g. ``"routines"``.

    ``rows(family, user)`` yields the rows (``user`` is who asked); each row is written
    through ``shape`` (a serializer instance) when one is given. ``position`` orders the
    sections in the file, so the format does not depend on the order apps start in.
    """

    name: str
    position: int
    rows: Callable[[Any, Any], Iterable[Any]]
    shape: serializers.Serializer | None = None
    schema_field: Callable[[], serializers.Field] | None = None
    help_text: str = ""

    def field(self) -> serializers.Field:
        """The field documenting this section in the OpenAPI schema."""
        if self.schema_field is not None:
            return self.schema_field()
        if self.shape is None:
            return serializers.ListField(child=serializers.DictField(), help_text=self.help_text)
        return type(self.shape)(many=True, help_text=self.help_text or None)


@dataclass(frozen=True)
class InsightPart:
    """A key of the insights answer that another app computes, e.g. ``"routines"``.

    ``compute(family, child, first, last)`` answers for the family-local days ``first`` …
    ``last`` (``child`` None: all of the family's children) in a fixed number of queries.
    """

    name: str
    compute: Callable[[Any, Any, date, date], Any]


_export_sections: dict[str, ExportSection] = {}
_insight_parts: dict[str, InsightPart] = {}


def register_export_section(section: ExportSection) -> None:
    """Add a section to the family export (call from ``AppConfig.ready()``)."""
    _export_sections[section.name] = section


def export_sections() -> list[ExportSection]:
    """The registered export sections in file order."""
    return sorted(_export_sections.values(), key=lambda section: section.position)


def register_insight_part(part: InsightPart) -> None:
    """Add a part to every insights answer (call from ``AppConfig.ready()``)."""
    _insight_parts[part.name] = part


def insight_parts() -> list[InsightPart]:
    """The registered insight parts, by name."""
    return sorted(_insight_parts.values(), key=lambda part: part.name)
