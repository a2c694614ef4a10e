"""Family rules: creating families, invitations, roles, leaving, deleting accounts.

Views and the admin call these; they hold the rules (a family always keeps an owner, an
invitation is single use) so that no entry point can bypass them.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.api import validation_error

from .models import Family, Invitation, Membership, Role, User, hash_token
from .signals import membership_removed


def create_family(*, user: User, name: str, timezone_name: str) -> Membership:
    """Create a family with ``user`` as its first owner; returns the owner's membership."""
    with transaction.atomic():
        family = Family.objects.create(name=name, timezone=timezone_name)
        return Membership.objects.create(user=user, family=family, role=Role.OWNER)


@dataclass(frozen=True)
class IssuedInvitation:
    """An invitation with its plain token, which exists only in this answer."""

    invitation: Invitation
    token: str

    @property
    def url(self) -> str:
        return f"{settings.SITE_URL}/#/join/{self.token}"


def create_invitation(*, membership: Membership, role: str = Role.CAREGIVER) -> IssuedInvitation:
    """Issue a single-use invitation; only owners may invite someone as an owner."""
    if role == Role.OWNER and not membership.is_owner:
        raise validation_error("role", "Only an owner can invite another owner.")
    token = secrets.token_urlsafe(24)  # 192 bits
    invitation = Invitation.objects.create(
        family=membership.family,
        role=role,
        token_hash=hash_token(token),
        created_by=membership.user,
        expires_at=timezone.now() + settings.INVITATION_TTL,
    )
    return IssuedInvitation(invitation=invitation, token=token)


def revoke_invitation(invitation: Invitation) -> Invitation:
    """Revoke a pending invitation (idempotent for an already revoked one)."""
    if invitation.accepted_at:
        raise validation_error("invitation", "This invitation has already been used.")
    if not invitation.revoked_at:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
    return invitation


def accept_invitation(*, user: User, token: str) -> Membership:
    """Join the invitation's family. Expired, revoked or used invitations are refused."""
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update()
            .select_related("family")
            .filter(token_hash=hash_token(token))
            .first()
        )
        if invitation is None:
            raise validation_error("token", "This invitation link is not valid.")
        status = invitation.status
        if status == "accepted":
            existing = Membership.objects.filter(user=user, family=invitation.family).first()
            if invitation.accepted_by_id == user.pk and existing:
                return existing  # a retried accept by the same person is harmless
            raise validation_error("token", "This invitation has already been used.")
        if status == "revoked":
            raise validation_error("token", "This invitation was cancelled. Ask for a new link.")
        if status == "expired":
            raise validation_error("token", "This invitation has expired. Ask for a new link.")
        if Membership.objects.filter(user=user, family=invitation.family).exists():
            raise validation_error("token", "You are already a member of this family.")
        membership = Membership.objects.create(
            user=user, family=invitation.family, role=invitation.role
        )
        invitation.accepted_by = user
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_by", "accepted_at"])
        return membership


def _owners_left_without(membership: Membership) -> int:
    return (
        Membership.objects.select_for_update()
        .filter(family_id=membership.family_id, role=Role.OWNER)
        .exclude(pk=membership.pk)
        .count()
    )


def change_role(*, membership: Membership, role: str) -> Membership:
    """Change a member's role; the last owner cannot be demoted."""
    if role not in Role.values:
        raise validation_error("role", f"Choose one of: {', '.join(Role.values)}.")
    with transaction.atomic():
        demoting = membership.role == Role.OWNER and role != Role.OWNER
        if demoting and _owners_left_without(membership) == 0:
            raise validation_error(
                "role", "A family needs at least one owner. Make someone else owner first."
            )
        membership.role = role
        membership.save(update_fields=["role"])
    return membership


def remove_membership(membership: Membership) -> None:
    """Remove a member (or let them leave). The last owner cannot go while others stay.

    The member's access ends at once: every request re-checks membership, and listeners of
    ``membership_removed`` (reminders) drop what belonged to this membership.
    """
    with transaction.atomic():
        others = Membership.objects.filter(family_id=membership.family_id).exclude(pk=membership.pk)
        if (
            membership.role == Role.OWNER
            and others.exists()
            and _owners_left_without(membership) == 0
        ):
            raise validation_error(
                "role", "A family needs at least one owner. Make someone else owner first."
            )
        family = membership.family
        membership.delete()
        membership_removed.send(sender=Membership, membership=membership)
        if not others.exists():
            family.delete()  # nobody is left to see it


def delete_account(user: User) -> None:
    """Delete a user and what is theirs; a family where they are the sole owner goes too.

    Families where another owner remains keep their shared data (routines, children,
    check-ins), which belongs to the family rather than to this caregiver.
    """
    with transaction.atomic():
        for membership in Membership.objects.select_related("family").filter(user=user):
            owners = Membership.objects.filter(family_id=membership.family_id, role=Role.OWNER)
            if membership.is_owner and not owners.exclude(pk=membership.pk).exists():
                membership.family.delete()
            else:
                membership.delete()
                membership_removed.send(sender=Membership, membership=membership)
        user.delete()
