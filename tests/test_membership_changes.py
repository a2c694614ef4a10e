"""Leaving never destroys a family, destructive calls need the password, and what a
removed (or demoted) member had issued that grants access ends with their access."""

from __future__ import annotations

import pytest

from families.models import Family, Invitation, Membership, Role

from .conftest import client_for
from .support.factories import PASSWORD, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def invite(client, family, **body):
    response = client.post(f"/api/v1/families/{family.id}/invitations/", body)
    assert response.status_code == 201, response.json()
    return response.json()["token"]


def accept(token):
    return client_for(UserFactory()).post("/api/v1/invitations/accept/", {"token": token})


def membership(user, family):
    return Membership.objects.get(user=user, family=family)


def test_the_only_owner_cannot_leave_while_others_stay(owner_client, owner, caregiver, family):
    url = f"/api/v1/families/{family.id}/members/{membership(owner, family).id}/"
    response = owner_client.delete(url)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["role"]
    assert Family.objects.filter(pk=family.pk).exists()
    # Handing ownership over first lets them go; the family stays with the new owner.
    caregiver_url = f"/api/v1/families/{family.id}/members/{membership(caregiver, family).id}/"
    assert owner_client.patch(caregiver_url, {"role": "owner"}).status_code == 200
    assert owner_client.delete(url).status_code == 204
    assert membership(caregiver, family).role == Role.OWNER


@pytest.mark.parametrize("body", [{}, {"password": "not mine"}])
def test_deleting_a_family_needs_the_owners_password(owner_client, family, body):
    response = owner_client.delete(f"/api/v1/families/{family.id}/", body, format="json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["password"]
    assert Family.objects.filter(pk=family.pk).exists()


def test_a_removed_members_pending_invitations_are_revoked(
    owner_client, caregiver_client, caregiver, family
):
    token = invite(caregiver_client, family)
    url = f"/api/v1/families/{family.id}/members/{membership(caregiver, family).id}/"
    assert owner_client.delete(url).status_code == 204

    response = accept(token)

    assert response.status_code == 400
    assert "cancelled" in response.json()["errors"]["token"][0]
    assert Invitation.objects.get().revoked_at is not None


def test_a_member_who_left_cannot_come_back_with_their_own_invitation(
    caregiver_client, caregiver, owner, family
):
    token = invite(caregiver_client, family)
    url = f"/api/v1/families/{family.id}/members/{membership(caregiver, family).id}/"
    assert caregiver_client.delete(url).status_code == 204
    response = caregiver_client.post("/api/v1/invitations/accept/", {"token": token})
    assert response.status_code == 400
    assert not Membership.objects.filter(user=caregiver, family=family).exists()


def test_an_invitation_stored_before_its_issuer_left_is_refused(owner, caregiver, family):
    # Issued, then the issuer removed without the revocation (data from before it existed).
    token = invite(client_for(caregiver), family)
    Membership.objects.filter(user=caregiver, family=family).delete()
    assert Invitation.objects.get().revoked_at is None
    assert accept(token).status_code == 400


def test_a_demoted_owners_invitations_to_be_owner_are_revoked(owner_client, owner, family):
    second = MembershipFactory(family=family, role=Role.OWNER).user
    second_client = client_for(second)
    as_owner = invite(second_client, family, role="owner")
    as_caregiver = invite(second_client, family, role="caregiver")
    url = f"/api/v1/families/{family.id}/members/{membership(second, family).id}/"
    assert owner_client.patch(url, {"role": "caregiver"}).status_code == 200

    assert accept(as_owner).status_code == 400
    assert accept(as_caregiver).status_code == 200


def test_the_join_screen_previews_the_family_and_who_invited(owner_client, owner, family):
    token = invite(owner_client, family)
    response = client_for(None).get("/api/v1/invitations/preview/", {"token": token})
    assert response.status_code == 200
    data = response.json()
    assert data["family"] == {"id": family.id, "name": "The Riveras"}
    assert data["invited_by"] == "Alice"
    assert data["role"] == "caregiver"
    # Previewing joins nothing.
    assert Invitation.objects.get().accepted_at is None


def test_a_bad_or_used_token_preview_is_a_400_naming_token(owner_client, family):
    token = invite(owner_client, family)
    assert accept(token).status_code == 200
    for bad in (token, "nonsense"):
        response = client_for(None).get("/api/v1/invitations/preview/", {"token": bad})
        assert response.status_code == 400
        assert list(response.json()["errors"]) == ["token"]


def test_the_account_password_is_checked_not_only_present(owner_client, owner):
    response = owner_client.delete("/api/v1/auth/me/", {"password": PASSWORD + "x"}, format="json")
    assert response.status_code == 400
    assert owner.__class__.objects.filter(pk=owner.pk).exists()
