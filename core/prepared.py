"""Querysets compiled once per database connection and run with new values.

Django compiles a queryset's SQL afresh every time one is evaluated; for the lookups every
request of a kind makes (the caller's membership with its family, sitter pass and child
device; a strategy by id) that cost far more than the database took to answer. A
:class:`PreparedQuery` has the ORM compile its queryset once per connection, with marker
values to learn where each parameter goes, and then only executes the SQL and builds the
instances as the ORM's own iterable does (the same converters and ``select_related``
populators), so what comes back is what the queryset itself would give.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connections, router
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators
from django.db.models.sql.compiler import SQLCompiler

# Marker values, never real ids, to find each parameter's place in the compiled SQL.
_FIRST_MARKER = -7_001


@dataclass(frozen=True)
class _Compiled:
    sql: str
    order: tuple[str, ...]  # the parameter name of each placeholder
    compiler: SQLCompiler
    init_list: list[str]
    start: int
    end: int
    populators: list[Any]
    converters: dict[int, Any]  # the ORM's value converters by column, found once


class PreparedQuery:
    """``build(**ids)`` is a queryset filtered by the integer ids named ``names``; call
    :meth:`first` with the values of one request."""

    def __init__(self, model: type[Model], build: Callable[..., QuerySet], *names: str) -> None:
        self.model = model
        self.build = build
        self.names = names
        self._key = f"_tandem_prepared_{id(self)}"

    def _compile(self, alias: str) -> _Compiled:
        markers = {name: _FIRST_MARKER - i for i, name in enumerate(self.names)}
        query = self.build(**markers).using(alias).query
        compiler = query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        by_value = {value: name for name, value in markers.items()}
        if sorted(params) != sorted(by_value):
            raise RuntimeError(f"{self.model.__name__}: a parameter is not one of {self.names}")
        select, klass_info = compiler.select, compiler.klass_info
        assert klass_info is not None
        fields = klass_info["select_fields"]
        start, end = fields[0], fields[-1] + 1
        return _Compiled(
            sql=sql,
            order=tuple(by_value[p] for p in params),
            compiler=compiler,
            init_list=[column[0].target.attname for column in select[start:end]],
            start=start,
            end=end,
            # (The stubs describe a later Django, which added a fetch mode.)
            populators=get_related_populators(klass_info, select, alias),  # type: ignore[call-arg]
            converters=compiler.get_converters(
                [column[0] for column in select[: compiler.col_count]]
            ),
        )

    def first(self, **values: int) -> Any:
        """The first row for these ids (the queryset's own order), or None."""
        alias = router.db_for_read(self.model)
        connection = connections[alias]
        # Kept on the connection (one per thread): a compiler is bound to its connection.
        compiled: _Compiled | None = getattr(connection, self._key, None)
        if compiled is None:
            compiled = self._compile(alias)
            setattr(connection, self._key, compiled)
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, [values[name] for name in compiled.order])
            rows = cursor.fetchmany(1)
        if not rows:
            return None
        row = rows[0]
        if compiled.converters:
            row = next(iter(compiled.compiler.apply_converters([row], compiled.converters)))
        obj = self.model.from_db(alias, compiled.init_list, row[compiled.start : compiled.end])
        for populator in compiled.populators:
            populator.populate(row, obj)
        return obj
