"""Family rules: creating families, invitations, roles, leaving, deleting accounts.

Views and the admin call these; they hold the rules (a family always keeps an owner, an
invitation is single use) so that no entry point can bypass them.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.api import validation_error

from .models import Child, Family, Invitation, Membership, Role, User, hash_token
from .signals import membership_removed


def create_family(*, user: User, name: str, timezone_name: str) -> Membership:
    """Create a family with ``user`` as its first owner; returns the owner's membership."""
    with transaction.atomic():
        family = Family.objects.create(name=name, timezone=timezone_name, language=user.language)
        return Membership.objects.create(user=user, family=family, role=Role.OWNER)


@dataclass(frozen=True)
class IssuedInvitation:
    """An invitation with its plain token, which exists only in this answer."""

    invitation: Invitation
    token: str
    site_url: str = ""  # the app's origin (the view passes families.links.site_url)

    @property
    def url(self) -> str:
        return f"{self.site_url}/#/join/{self.token}"


def create_invitation(
    *, membership: Membership, role: str = Role.CAREGIVER, site_url: str = ""
) -> IssuedInvitation:
    """Issue a single-use invitation; only owners may invite someone as an owner.
    Its link starts with ``site_url`` (without one it is relative: ``/#/join/…``)."""
    if role == Role.OWNER and not membership.is_owner:
        raise validation_error("role", _("Only an owner can invite another owner."))
    token = secrets.token_urlsafe(24)  # 192 bits
    invitation = Invitation.objects.create(
        family=membership.family,
        role=role,
        token_hash=hash_token(token),
        created_by=membership.user,
        expires_at=timezone.now() + settings.INVITATION_TTL,
    )
    return IssuedInvitation(invitation=invitation, token=token, site_url=site_url)


def revoke_invitation(invitation: Invitation) -> Invitation:
    """Revoke a pending invitation (idempotent for an already revoked one)."""
    if invitation.accepted_at:
        raise validation_error("invitation", _("This invitation has already been used."))
    if not invitation.revoked_at:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
    return invitation


def _check_usable(invitation: Invitation) -> None:
    """Refuse an invitation that can no longer be used to join (a 400 naming ``token``)."""
    status = invitation.status
    if status == "accepted":
        raise validation_error("token", _("This invitation has already been used."))
    if status == "revoked":
        raise validation_error("token", _("This invitation was cancelled. Ask for a new link."))
    if status == "expired":
        raise validation_error("token", _("This invitation has expired. Ask for a new link."))
    inviter = (
        Membership.objects.filter(
            user_id=invitation.created_by_id, family_id=invitation.family_id
        ).first()
        if invitation.created_by_id is not None
        else None  # its issuer deleted their account
    )
    if inviter is None or (invitation.role == Role.OWNER and not inviter.is_owner):
        # Its issuer has left, or is no longer an owner (stored before that revoked it).
        raise validation_error("token", _("This invitation was cancelled. Ask for a new link."))


def preview_invitation(token: str) -> Invitation:
    """The invitation a link names, if it can still be used: the join screen shows its
    family and who invited, and asks, before anything is joined."""
    invitation = (
        Invitation.objects.select_related("family", "created_by")
        .filter(token_hash=hash_token(token))
        .first()
    )
    if invitation is None:
        raise validation_error("token", _("This invitation link is not valid."))
    _check_usable(invitation)
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
            raise validation_error("token", _("This invitation link is not valid."))
        if invitation.status == "accepted" and invitation.accepted_by_id == user.pk:
            existing = Membership.objects.filter(user=user, family=invitation.family).first()
            if existing:
                return existing  # a retried accept by the same person is harmless
        _check_usable(invitation)
        if Membership.objects.filter(user=user, family=invitation.family).exists():
            raise validation_error("token", _("You are already a member of this family."))
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
    """Change a member's role; the last owner cannot be demoted. An owner sees every
    child, so making someone owner lifts a limit to some children."""
    if role not in (Role.OWNER, Role.CAREGIVER):
        raise validation_error("role", _("Choose owner or caregiver."))
    if membership.is_sitter:
        raise validation_error("role", _("A sitter's pass decides what they may do."))
    with transaction.atomic():
        demoting = membership.role == Role.OWNER and role != Role.OWNER
        if demoting and _owners_left_without(membership) == 0:
            raise validation_error(
                "role", _("A family needs at least one owner. Make someone else owner first.")
            )
        membership.role = role
        if role == Role.OWNER and membership.limited:
            membership.limited = False
            membership.children.clear()
        membership.save(update_fields=["role", "limited"])
        if demoting:  # invitations to be an owner needed the owner role
            _revoke_access_granted_by(membership, roles=[Role.OWNER])
    return membership


def set_member_children(membership: Membership, children: Sequence[Child]) -> Membership:
    """Limit a caregiver to ``children`` (empty: every child of the family)."""
    if membership.is_sitter:
        raise validation_error("children", _("A sitter sees the children of their pass."))
    if membership.is_owner and children:
        raise validation_error("children", _("An owner sees every child."))
    if any(child.family_id != membership.family_id for child in children):
        raise validation_error("children", _("Choose children from this family."))
    with transaction.atomic():
        membership.limited = bool(children)
        membership.save(update_fields=["limited"])
        membership.children.set(children)
    return membership


def _revoke_access_granted_by(membership: Membership, *, roles: Sequence[str] = ()) -> None:
    """Revoke the pending invitations ``membership``'s user issued in its family (only those
    for ``roles``, when given): what a member made that grants access ends with their own
    access (or with the owner role it needed)."""
    pending = Invitation.objects.pending().filter(
        family_id=membership.family_id, created_by_id=membership.user_id
    )
    if roles:
        pending = pending.filter(role__in=roles)
    pending.update(revoked_at=timezone.now())


def remove_membership(membership: Membership) -> None:
    """Remove a member (or let them leave). Leaving never deletes a family: the last owner
    cannot go while others stay, and the only member deletes it with ``delete_family``.

    The member's access ends at once: every request re-checks membership, the invitations
    they issued are revoked, and listeners of ``membership_removed`` (reminders) drop what
    belonged to this membership.
    """
    with transaction.atomic():
        others = Membership.objects.filter(family_id=membership.family_id).exclude(pk=membership.pk)
        if not others.exists():
            raise validation_error(
                "family",
                _(
                    "You are the only member of %(family)s. To remove it with all its data, "
                    "use Delete family."
                )
                % {"family": membership.family.name},
            )
        if membership.role == Role.OWNER and _owners_left_without(membership) == 0:
            raise validation_error(
                "role", _("A family needs at least one owner. Make someone else owner first.")
            )
        _revoke_access_granted_by(membership)
        membership.delete()
        membership_removed.send(sender=Membership, membership=membership)


def confirm_password(user: User, password: str) -> None:
    """Destructive calls carry the current password: a session left open is not enough."""
    if not password or not user.check_password(password):
        raise validation_error("password", _("Enter your current password to confirm."))


def delete_family(family: Family, *, user: User, password: str) -> None:
    """Delete a family with everything in it (an owner, with their password)."""
    confirm_password(user, password)
    family.delete()


def delete_account(user: User, *, password: str) -> None:
    """Delete a user (with their password) and what is theirs.

    Families where others remain keep their shared data (routines, children, check-ins),
    which belongs to the family rather than to this caregiver; a family whose only owner
    this is, with other members, is refused (hand ownership over first, so no family is
    lost by its owner leaving). A family where this is the only member goes with them.
    """
    confirm_password(user, password)
    with transaction.atomic():
        memberships = list(Membership.objects.select_related("family").filter(user=user))
        for membership in memberships:
            others = Membership.objects.filter(family_id=membership.family_id).exclude(
                pk=membership.pk
            )
            if (
                membership.is_owner
                and others.exists()
                and not others.filter(role=Role.OWNER).exists()
            ):
                raise validation_error(
                    "families",
                    _(
                        "You are the only owner of %(family)s. Make someone else owner "
                        "first, then delete your account."
                    )
                    % {"family": membership.family.name},
                )
        for membership in memberships:
            if Membership.objects.filter(family_id=membership.family_id).count() == 1:
                membership.family.delete()  # nobody else was in it
            else:
                _revoke_access_granted_by(membership)
                membership.delete()
                membership_removed.send(sender=Membership, membership=membership)
        user.delete()
