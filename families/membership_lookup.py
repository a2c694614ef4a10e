"""The caller's membership of a family with its family, sitter pass and child device: the
one query every family-scoped request makes, compiled once per database connection.

Django compiles a queryset's SQL afresh on every evaluation; for this three-join query that
cost far more than the database took to answer it. Here the ORM compiles it once per
connection (with marker parameters, to learn where the user and family ids go) and each
request only executes the SQL and builds the instances as the ORM's own iterable does
(the same converters and related-object populators), so what comes back is exactly what
``select_related(...).get(...)`` gives.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connections, router
from django.db.models.query import get_related_populators
from django.db.models.sql.compiler import SQLCompiler

from .models import Membership

RELATED = ("family", "sitter_pass", "child_device")
# Marker values, never real ids, to find each parameter's place in the compiled SQL.
_USER, _FAMILY = -7_001, -7_002


@dataclass(frozen=True)
class _Compiled:
    sql: str
    order: tuple[str, ...]  # "user" / "family" per parameter
    compiler: SQLCompiler
    init_list: list[str]
    start: int
    end: int
    populators: list[Any]


def _compile(alias: str) -> _Compiled:
    query = (
        Membership.objects.using(alias)
        .select_related(*RELATED)
        .filter(user_id=_USER, family_id=_FAMILY)
        .query
    )
    compiler = query.get_compiler(using=alias)
    sql, params = compiler.as_sql()
    names = {_USER: "user", _FAMILY: "family"}
    if sorted(params) != sorted(names):
        raise RuntimeError("membership lookup: unexpected parameters")  # Django changed
    select, klass_info = compiler.select, compiler.klass_info
    assert klass_info is not None
    fields = klass_info["select_fields"]
    start, end = fields[0], fields[-1] + 1
    return _Compiled(
        sql=sql,
        order=tuple(names[p] for p in params),
        compiler=compiler,
        init_list=[column[0].target.attname for column in select[start:end]],
        start=start,
        end=end,
        populators=get_related_populators(klass_info, select, alias),
    )


def membership_of(user_id: int, family_id: int) -> Membership | None:
    """``Membership`` of ``user_id`` in ``family_id`` with ``RELATED`` loaded, or None."""
    alias = router.db_for_read(Membership)
    connection = connections[alias]
    # On the connection object (one per thread): a compiler is bound to its connection.
    compiled: _Compiled | None = getattr(connection, "_tandem_membership_lookup", None)
    if compiled is None:
        compiled = _compile(alias)
        connection._tandem_membership_lookup = compiled  # type: ignore[attr-defined]
    values = {"user": user_id, "family": family_id}
    with connection.cursor() as cursor:
        cursor.execute(compiled.sql, [values[name] for name in compiled.order])
        rows = cursor.fetchmany(1)
    if not rows:
        return None
    row = next(iter(compiled.compiler.results_iter(results=[rows])))
    membership = Membership.from_db(alias, compiled.init_list, row[compiled.start : compiled.end])
    for populator in compiled.populators:
        populator.populate(row, membership)
    return membership
