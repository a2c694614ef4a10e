"""``core.prepared.PreparedQuery`` gives what its queryset gives: the membership every
family-scoped request loads (with its family, sitter pass and child device) and a
check-in's strategy, on whatever connection runs it."""

from __future__ import annotations

import threading

import pytest
from django.db import connections

from checkins.models import Strategy
from checkins.strategies import VISIBLE_STRATEGY, visible_strategies
from families import devices
from families.models import Membership
from families.scoping import _MEMBERSHIP

from .support.factories import ChildFactory, FamilyFactory, MembershipFactory, StrategyFactory

pytestmark = pytest.mark.django_db


def values(obj):
    return {k: v for k, v in obj.__dict__.items() if k != "_state"} if obj is not None else None


def assert_same_membership(prepared, orm):
    assert values(prepared) == values(orm)
    for name in ("family", "sitter_pass", "child_device"):
        assert name in prepared._state.fields_cache  # loaded with it: no query to read it
        assert values(getattr(prepared, name)) == values(getattr(orm, name))
    assert prepared._state.adding is False
    assert prepared._state.db == orm._state.db


def orm_membership(user_id, family_id):
    return Membership.objects.select_related("family", "sitter_pass", "child_device").get(
        user_id=user_id, family_id=family_id
    )


def test_the_membership_is_the_orms_for_members_and_devices(
    django_assert_num_queries,
):
    family = FamilyFactory()
    owner = MembershipFactory(family=family)
    child = ChildFactory(family=family)
    device = devices.create_device(membership=owner, name="Sam's tablet", children=[child])
    device_member = devices.pair(code=device.code)
    for member in (owner, device_member):
        with django_assert_num_queries(1):
            prepared = _MEMBERSHIP.first(user=member.user_id, family=family.pk)
            prepared.family, prepared.sitter_pass, prepared.child_device  # noqa: B018
        assert_same_membership(prepared, orm_membership(member.user_id, family.pk))
    assert _MEMBERSHIP.first(user=owner.user_id, family=FamilyFactory().pk) is None


def test_a_strategy_is_a_builtin_or_the_familys_own_and_nothing_else():
    family, other = FamilyFactory(), FamilyFactory()
    builtin = Strategy.objects.filter(family__isnull=True).first()
    own, theirs = StrategyFactory(family=family), StrategyFactory(family=other)
    for strategy in (builtin, own):
        found = VISIBLE_STRATEGY.first(pk=strategy.pk, family=family.pk)
        assert values(found) == values(visible_strategies(family).get(pk=strategy.pk))
    assert VISIBLE_STRATEGY.first(pk=theirs.pk, family=family.pk) is None
    assert VISIBLE_STRATEGY.first(pk=10**12, family=family.pk) is None


@pytest.mark.django_db(transaction=True)
def test_each_thread_runs_it_on_its_own_connection():
    # Django gives each thread its own connection: the compiled query is kept per
    # connection, so a second thread compiles its own and gets the same answer.
    family = FamilyFactory()
    owner = MembershipFactory(family=family)
    here = _MEMBERSHIP.first(user=owner.user_id, family=family.pk)
    mine = connections["default"]
    found = {}

    def other_thread():
        theirs = connections["default"]
        found["membership"] = _MEMBERSHIP.first(user=owner.user_id, family=family.pk)
        found["same_connection"] = theirs is mine
        theirs.close()

    thread = threading.Thread(target=other_thread)
    thread.start()
    thread.join()
    assert found["same_connection"] is False
    assert values(found["membership"]) == values(here)
