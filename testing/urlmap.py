"""Enumerate the API's URL patterns from the URL configuration (for matrix tests)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver


@dataclass(frozen=True)
class Endpoint:
    route: str  # e.g. "api/v1/families/<int:family_id>/children/<pk>/"
    callback: object
    name: str | None

    @property
    def view_class(self):
        return getattr(self.callback, "cls", None) or getattr(self.callback, "view_class", None)

    @property
    def methods(self) -> list[str]:
        """The HTTP methods this route answers (excluding HEAD/OPTIONS)."""
        cls = self.view_class
        allowed = set(getattr(cls, "http_method_names", ()))
        actions = getattr(self.callback, "actions", None)
        if actions:
            return sorted(m.upper() for m in actions if m in allowed)
        return sorted(
            m.upper()
            for m in ("get", "post", "put", "patch", "delete")
            if cls is not None and hasattr(cls, m)
        )

    @property
    def kwargs(self) -> list[str]:
        return re.findall(r"<(\w+)>", self.route)

    def url(self, values: dict[str, object]) -> str:
        path = "/" + self.route
        for key, value in values.items():
            path = path.replace(f"<{key}>", str(value))
        return path


def _walk(patterns, prefix: str = "") -> Iterator[Endpoint]:
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield Endpoint(_normalise(prefix + str(p.pattern)), p.callback, p.name)


def _normalise(route: str) -> str:
    """Router regexes and path converters both become ``<name>``."""
    route = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"<\1>", route)
    route = re.sub(r"<\w+:(\w+)>", r"<\1>", route)
    return route.replace("^", "").replace("$", "")


def api_endpoints() -> list[Endpoint]:
    """Every route under ``api/v1/``."""
    return [e for e in _walk(get_resolver().url_patterns) if e.route.startswith("api/v1/")]


def family_endpoints() -> list[Endpoint]:
    """Every route under ``api/v1/families/{family_id}/``, the family itself included."""
    return [e for e in api_endpoints() if e.route.startswith("api/v1/families/<family_id>/")]
