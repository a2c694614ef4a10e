"""Strategies: the built-in catalogue kept in step with the code, which strategies a family
sees, and adding a family's own."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.text import slugify
from django.utils.translation import gettext

from core.api import Conflict
from core.prepared import PreparedQuery
from families.models import Family

from . import strategy_catalogue
from .models import Strategy

# The content fields of a strategy, shared by the catalogue sync and the API serializer.
CATALOGUE_FIELDS = (
    "title",
    "kind",
    "summary",
    "steps",
    "fits",
    "energy_fit",
    "age_note",
    "guided",
    "caregiver_first",
)
# The words of a built-in, translated when shown; a family's own are shown as written.
TRANSLATED_FIELDS = ("title", "summary", "steps", "age_note")


def in_language(strategy: Strategy, data: dict[str, Any]) -> dict[str, Any]:
    """``data`` (a strategy's fields) with a built-in's words in the active language,
    looked up by its key in the catalogue, so each built-in stays one row."""
    entry = strategy_catalogue.BUILTIN_STRATEGIES_BY_KEY.get(strategy.key)
    if strategy.family_id is not None or entry is None:
        return data
    for name in TRANSLATED_FIELDS:
        if name not in data:
            continue
        value = entry[name]
        data[name] = (
            [gettext(step) for step in value] if isinstance(value, list) else gettext(value)
        )
    return data


def title_of(strategy: Strategy) -> str:
    """A strategy's title in the active language (a family's own as written)."""
    return str(in_language(strategy, {"title": strategy.title})["title"])


def sync_builtin_strategies(model: Any = Strategy) -> int:
    """Make the built-in rows (``family`` null) match ``strategy_catalogue``; return rows written.

    ``model`` may be a migration's historical model. Keys are stable, so rows are matched by
    key; a built-in dropped from the catalogue is kept (check-ins still point at it).
    Writes nothing when everything already matches, so it is cheap to run after every migrate.
    """
    existing = {s.key: s for s in model.objects.filter(family__isnull=True)}
    model_fields = {f.name for f in model._meta.get_fields()}
    written = [name for name in (*CATALOGUE_FIELDS, "position") if name in model_fields]
    to_create, to_update = [], []
    for position, entry in enumerate(strategy_catalogue.BUILTIN_STRATEGIES):
        source = {**entry, "position": position}
        values = {name: source[name] for name in written}
        row = existing.get(entry["key"])
        if row is None:
            to_create.append(model(family=None, key=entry["key"], **values))
        elif any(getattr(row, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(row, name, value)
            to_update.append(row)
    if to_create:
        model.objects.bulk_create(to_create)
    if to_update:
        model.objects.bulk_update(to_update, written)
    return len(to_create) + len(to_update)


def visible_strategies(family: Family | int) -> Any:
    """The strategies a family (or a family's id) can use: the built-ins and its own."""
    return Strategy.objects.filter(Q(family__isnull=True) | Q(family=family))


# One of ``visible_strategies(family)`` by id, as a check-in names it.
VISIBLE_STRATEGY = PreparedQuery(
    Strategy, lambda pk, family: visible_strategies(family).filter(pk=pk), "pk", "family"
)


def create_strategy(*, family: Family, title: str, **fields: Any) -> Strategy:
    """A family's own strategy, keyed by its title as a slug (numbered when taken).

    Two caregivers adding the same title at once would pick the same key: the unique
    constraint refuses the second, which then takes the next number.
    """
    base = slugify(title)[:50] or "strategy"
    for _ in range(5):
        taken = set(
            Strategy.objects.filter(family=family, key__startswith=base).values_list(
                "key", flat=True
            )
        )
        key, n = base, 2
        while key in taken:
            key, n = f"{base}-{n}", n + 1
        try:
            with transaction.atomic():
                return Strategy.objects.create(family=family, title=title, key=key, **fields)
        except IntegrityError:
            if not Strategy.objects.filter(family=family, key=key).exists():
                raise  # another constraint: not a race for the key
    raise Conflict("title", _("Too many strategies are being added with this title; try again."))
