"""Deleting an account or a family leaves nothing of it behind, and touches nothing else.

Every row of every model of the project's apps (and Django's auth and admin tables) is
snapshotted before and after. A row *belongs* to a user or a family when a chain of
foreign keys leads from it to them — except through authorship fields (``created_by``,
``completed_by``, ``accepted_by``), which only say who did something in a family: those
rows are the family's and stay, with the author set to null. Then exactly the rows that
belonged to what was deleted are gone, the only other change is authors becoming null,
and no remaining row points at a row that no longer exists.

The policy for a caregiver's check-ins, spelled out: check-ins *about a child* are the
family's and stay when the caregiver who recorded them deletes their account
(``created_by`` becomes null); their *own* check-ins (``member``) leave with them.
"""

from __future__ import annotations

from collections.abc import Iterable

import pytest
from django.apps import apps
from django.db import models

from checkins.models import CheckIn
from families.models import Family, Membership, Role, User
from routines.models import StepCompletion

from .conftest import client_for
from .support.factories import PASSWORD, FamilyFactory, MembershipFactory, StrategyFactory
from .support.family_data import fill_family

pytestmark = pytest.mark.django_db

APP_LABELS = {"families", "routines", "checkins", "reminders", "auth", "admin"}
AUTHORSHIP = {"created_by", "completed_by", "accepted_by", "uploaded_by"}

Key = tuple[str, object]  # (model label, primary key)
Snapshot = dict[str, dict[object, dict]]


def tracked_models() -> list[type[models.Model]]:
    """Every model of the project's apps, many-to-many tables included."""
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label in APP_LABELS
    ]


def references(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if f.is_relation and f.related_model]


def snapshot() -> Snapshot:
    """Every row of every tracked model, by label and primary key."""
    return {
        model._meta.label: {
            row[model._meta.pk.attname]: row for row in model._base_manager.values().iterator()
        }
        for model in tracked_models()
    }


def owned_by(data: Snapshot, roots: Iterable[Key]) -> set[Key]:
    """Rows from which a chain of non-authorship foreign keys reaches one of ``roots``."""
    roots = set(roots)
    fields = {model._meta.label: references(model) for model in tracked_models()}
    memo: dict[Key, bool] = {}

    def belongs(key: Key, path: frozenset) -> bool:
        if key in roots:
            return True
        if key in memo:
            return memo[key]
        label, pk = key
        row = data.get(label, {}).get(pk)
        if row is None or key in path:
            return False
        found = any(
            belongs((f.related_model._meta.label, row[f.attname]), path | {key})
            for f in fields[label]
            if f.name not in AUTHORSHIP and row[f.attname] is not None
        )
        memo[key] = found
        return found

    keys = [(label, pk) for label, rows in data.items() for pk in rows]
    return {key for key in keys if belongs(key, frozenset())}


def assert_no_dangling_references(data: Snapshot) -> None:
    """No row points at a row that is gone (SQLite checks FKs only at commit, so look)."""
    dangling = []
    for model in tracked_models():
        label = model._meta.label
        for field in references(model):
            target = data.get(field.related_model._meta.label)
            if target is None:
                continue
            for pk, row in data[label].items():
                value = row[field.attname]
                if value is not None and value not in target:
                    dangling.append(f"{label} {pk}.{field.name} -> {value}")
    assert not dangling, dangling
    pairs = {row["pair"] for row in data["checkins.CheckIn"].values() if row["pair"]}
    assert pairs <= set(data["checkins.CheckIn"]), "a coregulation pair lost its child check-in"


def diff(before: Snapshot, after: Snapshot) -> tuple[set[Key], set[Key], dict[Key, set[str]]]:
    """(added, removed, changed: key -> the fields whose value changed)."""
    added, removed, changed = set(), set(), {}
    for label, rows in before.items():
        now = after[label]
        added |= {(label, pk) for pk in now.keys() - rows.keys()}
        removed |= {(label, pk) for pk in rows.keys() - now.keys()}
        for pk in rows.keys() & now.keys():
            fields = {name for name, value in rows[pk].items() if now[pk][name] != value}
            if fields:
                changed[(label, pk)] = fields
    return added, removed, changed


def assert_only_authors_forgotten(
    before: Snapshot, after: Snapshot, changed: dict[Key, set[str]], gone_user: int | None
) -> None:
    """The only edits allowed: an authorship field that named the deleted user is null."""
    by_label = {model._meta.label: model for model in tracked_models()}
    allowed = set()
    for label, pk in changed:
        for attname in changed[(label, pk)]:
            field = next(f for f in by_label[label]._meta.concrete_fields if f.attname == attname)
            forgotten = (
                field.name in AUTHORSHIP
                and before[label][pk][attname] == gone_user
                and after[label][pk][attname] is None
            )
            # What the user issued that grants access ends with them: pending invitations.
            revoked = (
                label == "families.Invitation"
                and attname == "revoked_at"
                and before[label][pk]["created_by_id"] == gone_user
                and before[label][pk]["revoked_at"] is None
                and before[label][pk]["accepted_at"] is None
                and after[label][pk]["revoked_at"] is not None
            )
            ok = forgotten or revoked
            if not ok:
                raise AssertionError(f"{label} {pk}: {attname} changed unexpectedly")
            allowed.add((label, pk))
    assert set(changed) == allowed


@pytest.fixture
def world():
    """Ana is the only owner of A (with Bob), a caregiver in B (Carol owns it); C is Dave's;
    D is Ana's alone."""
    a, b, c, d = (FamilyFactory(name=name) for name in ("A", "B", "C", "D"))
    ana = MembershipFactory(family=a, role=Role.OWNER, user__display_name="Ana").user
    bob = MembershipFactory(family=a, role=Role.CAREGIVER, user__display_name="Bob").user
    carol = MembershipFactory(family=b, role=Role.OWNER, user__display_name="Carol").user
    MembershipFactory(family=b, user=ana, role=Role.CAREGIVER)
    dave = MembershipFactory(family=c, role=Role.OWNER, user__display_name="Dave").user
    fill_family(a, [ana, bob])
    fill_family(b, [carol, ana])  # Ana ticks steps, records check-ins, invites someone
    StrategyFactory(family=b, created_by=ana)
    fill_family(c, [dave])
    MembershipFactory(family=d, user=ana, role=Role.OWNER)
    fill_family(d, [ana])
    return {"A": a, "B": b, "C": c, "D": d, "ana": ana, "bob": bob, "carol": carol, "dave": dave}


def test_the_only_owner_of_a_family_with_others_cannot_delete_their_account(world):
    client = client_for(world["ana"])
    before = snapshot()

    response = client.delete("/api/v1/auth/me/", {"password": PASSWORD}, format="json")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["families"]
    assert "only owner of A" in response.json()["detail"]
    _, removed, changed = diff(before, snapshot())
    assert not removed
    assert not changed


def test_deleting_an_account_needs_the_current_password(world):
    client = client_for(world["dave"])
    for body in ({}, {"password": "wrong"}):
        response = client.delete("/api/v1/auth/me/", body, format="json")
        assert response.status_code == 400
        assert list(response.json()["errors"]) == ["password"]
    assert User.objects.filter(pk=world["dave"].pk).exists()


def hand_over(family: Family, to: User) -> None:
    Membership.objects.filter(family=family, user=to).update(role=Role.OWNER)


def test_deleting_an_account_removes_exactly_what_was_theirs(world):
    a, b, d, ana = world["A"], world["B"], world["D"], world["ana"]
    ana_id = ana.pk
    hand_over(a, world["bob"])
    client = client_for(ana)  # signing in writes last_login: before the snapshot
    before = snapshot()
    expected_gone = owned_by(before, {("families.User", ana_id), ("families.Family", d.pk)})
    # Ana's own check-ins in B are hers; the ones about B's children that she recorded aren't.
    in_b_by_ana = set(
        CheckIn.objects.filter(family=b, created_by=ana, child__isnull=False).values_list(
            "pk", flat=True
        )
    )
    assert in_b_by_ana
    assert not {("checkins.CheckIn", pk) for pk in in_b_by_ana} & expected_gone

    assert (
        client.delete("/api/v1/auth/me/", {"password": PASSWORD}, format="json").status_code == 204
    )

    after = snapshot()
    added, removed, changed = diff(before, after)
    assert not added
    assert removed == expected_gone
    assert_only_authors_forgotten(before, after, changed, ana_id)
    assert_no_dangling_references(after)

    # Spelled out: A stays with Bob, D (hers alone) is gone; B keeps its history with no
    # author; C is intact.
    assert Family.objects.filter(pk=a.pk).exists()
    assert not Family.objects.filter(pk=d.pk).exists()
    assert User.objects.filter(pk=world["bob"].pk).exists()
    assert not Membership.objects.filter(user_id=ana_id).exists()
    assert not CheckIn.objects.filter(family=b, member__isnull=False, created_by=None).exists()
    assert (
        set(
            CheckIn.objects.filter(pk__in=in_b_by_ana, created_by=None).values_list("pk", flat=True)
        )
        == in_b_by_ana
    )
    assert StepCompletion.objects.filter(run__routine__family=b, completed_by=None).exists()
    c_rows = owned_by(before, {("families.Family", world["C"].pk)})
    assert c_rows
    assert not c_rows & (removed | set(changed))


def test_a_caregiver_deleting_their_account_leaves_the_family_whole(world):
    bob, a = world["bob"], world["A"]
    client = client_for(bob)
    before = snapshot()
    expected_gone = owned_by(before, {("families.User", bob.pk)})

    assert (
        client.delete("/api/v1/auth/me/", {"password": PASSWORD}, format="json").status_code == 204
    )

    after = snapshot()
    added, removed, changed = diff(before, after)
    assert not added
    assert removed == expected_gone
    assert_only_authors_forgotten(before, after, changed, bob.pk)
    assert_no_dangling_references(after)
    assert Family.objects.filter(pk=a.pk).exists()
    assert CheckIn.objects.filter(family=a, child__isnull=False).count() == 3


def test_an_owner_deleting_the_family_removes_everything_under_it(world):
    b, carol = world["B"], world["carol"]
    client = client_for(carol)
    before = snapshot()
    expected_gone = owned_by(before, {("families.Family", b.pk)})
    assert len(expected_gone) > 40

    assert (
        client.delete(
            f"/api/v1/families/{b.pk}/", {"password": PASSWORD}, format="json"
        ).status_code
        == 204
    )

    after = snapshot()
    added, removed, changed = diff(before, after)
    assert not added
    assert not changed
    assert removed == expected_gone
    assert_no_dangling_references(after)
    assert User.objects.filter(pk__in=[carol.pk, world["ana"].pk]).count() == 2
