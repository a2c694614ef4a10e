"""Families, members and roles, invitations, children."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from families.models import Invitation, Membership, Role

from .conftest import client_for
from .support.factories import PASSWORD, ChildFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_creating_a_family_makes_me_its_owner(owner_client):
    r = owner_client.post("/api/v1/families/", {"name": "The Kims", "timezone": "Asia/Seoul"})
    assert r.status_code == 201, r.json()
    assert r.json()["role"] == "owner"
    assert r.json()["timezone"] == "Asia/Seoul"
    names = [f["name"] for f in owner_client.get("/api/v1/families/").json()["results"]]
    assert names == ["The Kims", "The Riveras"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "X", "timezone": "Mars/Olympus"}, "timezone"),
        ({"name": "X", "timezone": ""}, "timezone"),
        ({"name": "  ", "timezone": "UTC"}, "name"),
        ({"timezone": "UTC"}, "name"),
        ({"name": "X" * 81, "timezone": "UTC"}, "name"),
    ],
)
def test_family_bad_input_names_the_field(owner_client, body, field):
    r = owner_client.post("/api/v1/families/", body)
    assert r.status_code == 400
    assert list(r.json()["errors"]) == [field]


def test_only_owners_rename_or_delete_a_family(owner_client, caregiver_client, family):
    url = f"/api/v1/families/{family.id}/"
    assert caregiver_client.patch(url, {"name": "Nope"}).status_code == 403
    assert caregiver_client.delete(url, {"password": PASSWORD}, format="json").status_code == 403
    r = owner_client.patch(url, {"name": "Rivera-Lopez", "timezone": "Europe/Lisbon"})
    assert r.status_code == 200
    assert r.json()["name"] == "Rivera-Lopez"
    assert owner_client.delete(url, {"password": PASSWORD}, format="json").status_code == 204


def test_a_user_can_belong_to_several_families(caregiver, family, other_family):
    MembershipFactory(user=caregiver, family=other_family)
    ids = {f["id"] for f in client_for(caregiver).get("/api/v1/families/").json()["results"]}
    assert ids == {family.id, other_family.id}


def test_outsiders_get_404_for_the_family(outsider_client, family):
    assert outsider_client.get(f"/api/v1/families/{family.id}/").status_code == 404
    assert outsider_client.get(f"/api/v1/families/{family.id}/children/").status_code == 404
    assert outsider_client.get("/api/v1/families/999999/").status_code == 404


def test_anonymous_is_refused(anon_client, family):
    assert anon_client.get("/api/v1/families/").status_code == 403
    assert anon_client.get(f"/api/v1/families/{family.id}/members/").status_code == 403


# --- members and roles ---------------------------------------------------------------


def test_owner_changes_roles_and_removes_members(owner_client, caregiver, family):
    m = Membership.objects.get(user=caregiver)
    r = owner_client.patch(f"/api/v1/families/{family.id}/members/{m.id}/", {"role": "owner"})
    assert r.status_code == 200
    assert r.json()["role"] == "owner"
    r = owner_client.patch(f"/api/v1/families/{family.id}/members/{m.id}/", {"role": "king"})
    assert r.status_code == 400
    assert "role" in r.json()["errors"]
    assert owner_client.delete(f"/api/v1/families/{family.id}/members/{m.id}/").status_code == 204
    assert not Membership.objects.filter(pk=m.pk).exists()


def test_caregivers_cannot_change_roles_or_remove_others(caregiver_client, owner, family):
    m = Membership.objects.get(user=owner)
    url = f"/api/v1/families/{family.id}/members/{m.id}/"
    assert caregiver_client.patch(url, {"role": "caregiver"}).status_code == 403
    assert caregiver_client.delete(url).status_code == 403


def test_the_last_owner_cannot_be_demoted_or_leave(owner_client, owner, caregiver, family):
    m = Membership.objects.get(user=owner)
    url = f"/api/v1/families/{family.id}/members/{m.id}/"
    r = owner_client.patch(url, {"role": "caregiver"})
    assert r.status_code == 400
    assert "role" in r.json()["errors"]
    r = owner_client.delete(url)
    assert r.status_code == 400
    assert "owner" in r.json()["detail"]


def test_anyone_can_leave_and_loses_access_at_once(caregiver_client, caregiver, owner, family):
    m = Membership.objects.get(user=caregiver)
    assert (
        caregiver_client.delete(f"/api/v1/families/{family.id}/members/{m.id}/").status_code == 204
    )
    assert caregiver_client.get(f"/api/v1/families/{family.id}/children/").status_code == 404


def test_a_removed_member_loses_access_immediately(owner_client, caregiver, family):
    bob = client_for(caregiver)
    assert bob.get(f"/api/v1/families/{family.id}/").status_code == 200
    m = Membership.objects.get(user=caregiver)
    owner_client.delete(f"/api/v1/families/{family.id}/members/{m.id}/")
    assert bob.get(f"/api/v1/families/{family.id}/").status_code == 404


def test_the_only_member_cannot_leave_and_so_delete_the_family(owner_client, owner, family):
    m = Membership.objects.get(user=owner)
    r = owner_client.delete(f"/api/v1/families/{family.id}/members/{m.id}/")
    assert r.status_code == 400
    assert list(r.json()["errors"]) == ["family"]
    assert "Delete family" in r.json()["detail"]
    assert owner_client.get(f"/api/v1/families/{family.id}/").status_code == 200


# --- invitations ---------------------------------------------------------------------


def invite(client, family, **body):
    r = client.post(f"/api/v1/families/{family.id}/invitations/", body)
    assert r.status_code == 201, r.json()
    return r.json()


def test_invitation_token_is_shown_once_and_only_its_hash_is_stored(owner_client, family):
    created = invite(owner_client, family)
    assert len(created["token"]) >= 22  # ≥128 bits, URL-safe
    assert created["url"].endswith(f"/#/join/{created['token']}")
    stored = Invitation.objects.get()
    assert created["token"] not in stored.token_hash
    listed = owner_client.get(f"/api/v1/families/{family.id}/invitations/").json()["results"]
    assert "token" not in listed[0]
    assert listed[0]["status"] == "pending"


def test_accepting_an_invitation_joins_the_family(owner_client, family):
    created = invite(owner_client, family)
    newcomer = client_for(UserFactory())
    r = newcomer.post("/api/v1/invitations/accept/", {"token": created["token"]})
    assert r.status_code == 200
    assert r.json() == {"family": {"id": family.id, "name": "The Riveras"}, "role": "caregiver"}
    assert newcomer.get(f"/api/v1/families/{family.id}/").json()["role"] == "caregiver"
    # a retried accept by the same person is harmless
    assert (
        newcomer.post("/api/v1/invitations/accept/", {"token": created["token"]}).status_code == 200
    )


def test_an_invitation_is_single_use(owner_client, family):
    created = invite(owner_client, family)
    client_for(UserFactory()).post("/api/v1/invitations/accept/", {"token": created["token"]})
    r = client_for(UserFactory()).post("/api/v1/invitations/accept/", {"token": created["token"]})
    assert r.status_code == 400
    assert "used" in r.json()["errors"]["token"][0]


def test_expired_invitations_are_refused(owner_client, family):
    created = invite(owner_client, family)
    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=1)):
        r = client_for(UserFactory()).post(
            "/api/v1/invitations/accept/", {"token": created["token"]}
        )
    assert r.status_code == 400
    assert "expired" in r.json()["errors"]["token"][0]


def test_revoked_invitations_are_refused_and_only_owners_revoke(
    owner_client, caregiver_client, family
):
    created = invite(owner_client, family)
    url = f"/api/v1/families/{family.id}/invitations/{created['id']}/"
    assert caregiver_client.delete(url).status_code == 403
    assert owner_client.delete(url).status_code == 204
    r = client_for(UserFactory()).post("/api/v1/invitations/accept/", {"token": created["token"]})
    assert r.status_code == 400
    assert "cancelled" in r.json()["errors"]["token"][0]


def test_unknown_token_and_existing_member(owner_client, caregiver_client, family):
    r = caregiver_client.post("/api/v1/invitations/accept/", {"token": "nonsense"})
    assert r.status_code == 400
    assert "token" in r.json()["errors"]
    created = invite(owner_client, family)
    r = caregiver_client.post("/api/v1/invitations/accept/", {"token": created["token"]})
    assert r.status_code == 400
    assert "already a member" in r.json()["detail"]


def test_caregivers_invite_caregivers_but_not_owners(caregiver_client, family):
    assert invite(caregiver_client, family)["role"] == "caregiver"
    r = caregiver_client.post(f"/api/v1/families/{family.id}/invitations/", {"role": "owner"})
    assert r.status_code == 400
    assert "role" in r.json()["errors"]


def test_owner_invitation_gives_owner_role(owner_client, family):
    created = invite(owner_client, family, role="owner")
    user = UserFactory()
    client_for(user).post("/api/v1/invitations/accept/", {"token": created["token"]})
    assert Membership.objects.get(user=user).role == Role.OWNER


# --- children ------------------------------------------------------------------------


def test_children_crud(caregiver_client, family):
    base = f"/api/v1/families/{family.id}/children/"
    r = caregiver_client.post(base, {"name": "Sam", "birth_year": 2019, "avatar": "🦊"})
    assert r.status_code == 201, r.json()
    cid = r.json()["id"]
    assert caregiver_client.patch(f"{base}{cid}/", {"name": "Samuel"}).json()["name"] == "Samuel"
    assert [c["name"] for c in caregiver_client.get(base).json()["results"]] == ["Samuel"]
    assert caregiver_client.delete(f"{base}{cid}/").status_code == 204


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "Sam", "birth_year": 1800}, "birth_year"),
        ({"name": "Sam", "birth_year": "soon"}, "birth_year"),
        ({"name": "Sam", "colour": "red"}, "colour"),
    ],
)
def test_children_bad_input(caregiver_client, family, body, field):
    r = caregiver_client.post(f"/api/v1/families/{family.id}/children/", body)
    assert r.status_code == 400
    assert field in r.json()["errors"]


def test_another_familys_child_is_404(caregiver_client, other_family):
    other_child = ChildFactory(family=other_family)
    r = caregiver_client.get(f"/api/v1/families/{other_family.id}/children/{other_child.id}/")
    assert r.status_code == 404


def test_path_without_trailing_slash_accepts_post(caregiver_client, family):
    r = caregiver_client.post(f"/api/v1/families/{family.id}/children", {"name": "Sam"})
    assert r.status_code == 201


def test_patching_a_member_without_a_role_changes_nothing(owner_client, caregiver, family):
    """Regression (permission matrix): an empty PATCH was a 500."""
    m = Membership.objects.get(user=caregiver)
    r = owner_client.patch(f"/api/v1/families/{family.id}/members/{m.id}/", {})
    assert r.status_code == 200
    assert r.json()["role"] == "caregiver"
