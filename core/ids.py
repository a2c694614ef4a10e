"""Integer ids, checked before they reach the database: 1 to 2^63 - 1, SQLite's range.

A larger number makes SQLite raise ``OverflowError`` (a 500), and ``0x1`` or ``1e20``
are not ids at all. Every way an id comes in uses this module: paths through the
``<id:...>`` converter (registered when this module is imported) and :class:`Router`,
bodies through ``families.scoping``'s fields (:func:`parse_id`), query strings through
``core.filters.IdFilter``. An impossible id in a path is a 404; in a body or query, a 400.
"""

from __future__ import annotations

import re
from typing import Any

from django.urls import register_converter
from rest_framework.routers import SimpleRouter

MAX_ID = 2**63 - 1
_DIGITS = re.compile(r"[1-9][0-9]{0,18}")  # at most 19 digits: MAX_ID has 19


def parse_id(value: object) -> int | None:
    """``value`` as an id (an int, or a string of digits), or None if it cannot be one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and _DIGITS.fullmatch(value):
        value = int(value)
    if isinstance(value, int) and 1 <= value <= MAX_ID:
        return value
    return None


class IdConverter:
    """``<id:name>``: a positive decimal id in range; anything else does not match (404)."""

    regex = _DIGITS.pattern

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > MAX_ID:
            raise ValueError("id out of range")  # no match: 404
        return number

    def to_url(self, value: int | str) -> str:
        return str(value)


register_converter(IdConverter, "id")


class Router(SimpleRouter):
    """DRF's router with ids in range: ``<id:pk>`` unless the viewset names its own lookup.

    A viewset may set ``lookup_value_converter`` (a registered converter's name, e.g.
    ``"uuid"``); one that sets only a ``lookup_value_regex`` keeps exactly that pattern.
    """

    def __init__(self) -> None:
        super().__init__(use_regex_path=False)

    def get_lookup_regex(self, viewset: Any, lookup_prefix: str = "") -> str:
        converter = getattr(viewset, "lookup_value_converter", None)
        pattern = getattr(viewset, "lookup_value_regex", None)
        if converter is None and pattern is not None:
            converter = _regex_converter(pattern)
        lookup_url_kwarg = getattr(viewset, "lookup_url_kwarg", None) or getattr(
            viewset, "lookup_field", "pk"
        )
        return f"<{converter or 'id'}:{lookup_prefix}{lookup_url_kwarg}>"


class _PatternConverter:
    regex: str

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: object) -> str:
        return str(value)


_REGEX_CONVERTERS: dict[str, str] = {}


def _regex_converter(pattern: str) -> str:
    """The name of a converter matching ``pattern`` as a string (registered once)."""
    name = _REGEX_CONVERTERS.get(pattern)
    if name is None:
        name = f"lookup{len(_REGEX_CONVERTERS)}"
        register_converter(type("PatternConverter", (_PatternConverter,), {"regex": pattern}), name)
        _REGEX_CONVERTERS[pattern] = name
    return name
