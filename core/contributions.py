"""Registries that each app fills in its ``AppConfig.ready()``, as the admin and checks are.

A feature that spans apps (the family export, insights) is assembled from the parts each
app contributes here, so an app lower in the layers never names one above it:
``families.export`` streams whatever sections are registered, and ``checkins.insights``
adds whatever insight parts are registered.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
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


@dataclass(frozen=True)
class RoutineDays:
    """Which days one routine was kept, for the insights' "routines and feelings".

    ``routine`` is ``{"id", "name"}`` of the routine chosen (``None``: the family has none
    for the child), ``choices`` the routines one may choose instead; ``kept`` and
    ``not_kept`` hold ``(child id, local day)`` of the days it was scheduled and completed,
    or scheduled and not completed.
    """

    routine: dict[str, Any] | None
    choices: list[dict[str, Any]]
    kept: frozenset[tuple[int, date]] = frozenset()
    not_kept: frozenset[tuple[int, date]] = frozenset()


# (family, child or None, first day, last day, routine id or None) -> RoutineDays; raises a
# validation error naming ``routine`` for a routine that is not the family's.
RoutineDaysSource = Callable[[Any, Any, date, date, int | None], RoutineDays]

# (family, child ids, first day, last day) -> {child id: {"routine": {"id", "name"},
# "kept", "scheduled"}}: how often each child's default (bedtime) routine was kept.
RoutinesKeptSource = Callable[[Any, Sequence[int], date, date], dict[int, dict[str, Any]]]


@dataclass(frozen=True)
class ImportSection:
    """How one export section comes back when a family is created from an export file.

    ``check(rows, refs)`` validates the section's rows before anything is written and
    answers them parsed: it raises a validation error naming ``<name>.<index>.<field>``
    and adds the ids it defines to ``refs[name]``, so later sections can check their
    references. ``load(parsed, context)`` writes them (inside the import's one
    transaction), records old → new ids in ``context.ids[name]`` and answers how many rows
    it wrote. ``position`` orders them as in the export (references point backwards).
    """

    name: str
    position: int
    check: Callable[[list[Any], dict[str, set[Any]]], list[Any]]
    load: Callable[[list[Any], Any], int]


@dataclass(frozen=True)
class MediaUse:
    """Where a family's media is referenced, e.g. a step's photo (``"steps.photo"``).

    ``reference`` is the reverse lookup from a media to the objects using it
    (``"step_photos"``); ``child_lookup`` continues from the media to the children those
    objects are about (``"step_photos__routine__children"``). The families app decides
    visibility and orphans from these, never naming the apps that use media.
    """

    name: str
    reference: str
    child_lookup: str


_export_sections: dict[str, ExportSection] = {}
_media_uses: dict[str, MediaUse] = {}
_insight_parts: dict[str, InsightPart] = {}
_import_sections: dict[str, ImportSection] = {}
_routine_days: list[RoutineDaysSource] = []
_routines_kept: list[RoutinesKeptSource] = []


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


def register_routine_days(source: RoutineDaysSource) -> None:
    """Say which days a routine was kept (the routines app, from ``AppConfig.ready()``)."""
    _routine_days[:] = [source]


def routine_days_source() -> RoutineDaysSource | None:
    """The registered source of routine days, if an app registered one."""
    return _routine_days[0] if _routine_days else None


def register_routines_kept(source: RoutinesKeptSource) -> None:
    """Say how often each child's routine was kept (the routines app, from ``ready()``)."""
    _routines_kept[:] = [source]


def routines_kept_source() -> RoutinesKeptSource | None:
    """The registered source of kept routines, if an app registered one."""
    return _routines_kept[0] if _routines_kept else None


def register_import_section(section: ImportSection) -> None:
    """Add a section to the family import (call from ``AppConfig.ready()``)."""
    _import_sections[section.name] = section


def import_sections() -> list[ImportSection]:
    """The registered import sections in file order."""
    return sorted(_import_sections.values(), key=lambda section: section.position)


def register_media_use(use: MediaUse) -> None:
    """Say where an app references media (call from ``AppConfig.ready()``)."""
    _media_uses[use.name] = use


def media_uses() -> list[MediaUse]:
    """The registered uses of media, by name."""
    return sorted(_media_uses.values(), key=lambda use: use.name)
