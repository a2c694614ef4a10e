"""Child devices: an owner sets up a tablet for chosen children with a short pairing
code, the tablet pairs with it (its browser is signed in as a device user that sees only
those children), owners list and revoke devices (a revoked device is out at its next
request)."""

from __future__ import annotations

import hashlib
import io
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

import segno
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.api import validation_error

from .models import Child, ChildDevice, Family, Membership, Role, User

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read off a screen
CODE_LENGTH = 8
CODE_VALID_FOR = timedelta(minutes=10)
DEVICE_EMAIL_DOMAIN = "devices.invalid"  # RFC 2606: never delivers
# How stale ``last_seen_at`` may get before a request writes it again: one write a
# minute at most, not one per poll of the Today board.
LAST_SEEN_EVERY = timedelta(minutes=1)


def normalise_code(code: str) -> str:
    """What the child's grown-up typed, as stored: upper case, without spaces or dashes."""
    return "".join(ch for ch in code.upper() if ch not in " -")


def hash_code(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


@dataclass(frozen=True)
class IssuedDevice:
    """A new device with its plain pairing code, which exists only in this answer."""

    device: ChildDevice
    code: str
    site_url: str = ""

    @property
    def pair_url(self) -> str:
        return f"{self.site_url}/#/pair-device/{self.code}"

    @property
    def qr_svg(self) -> str:
        """The pairing link as a QR code (SVG), for the tablet's camera."""
        out = io.BytesIO()
        segno.make(self.pair_url, error="m").save(out, kind="svg", scale=4, border=2, xmldecl=False)
        return out.getvalue().decode()


def create_device(
    *, membership: Membership, name: str, children: Sequence[Child], site_url: str = ""
) -> IssuedDevice:
    """A device for ``children`` of the owner's family, waiting for its code (valid
    ``CODE_VALID_FOR``, single use)."""
    name = name.strip()
    if not name:
        raise validation_error("name", _("Give the tablet a name, e.g. “Sam's tablet”."))
    if not children:
        raise validation_error("children", _("Choose the children who use this tablet."))
    if any(child.family_id != membership.family_id for child in children):
        raise validation_error("children", _("Choose children from this family."))
    now = timezone.now()
    with transaction.atomic():
        while True:  # a clash of two waiting codes is a 1 in 2**40 event; draw again
            code = new_code()
            if not ChildDevice.objects.filter(code_hash=hash_code(code)).exists():
                break
        device = ChildDevice.objects.create(
            family_id=membership.family_id,
            name=name,
            created_by_id=membership.user_id,
            code_hash=hash_code(code),
            code_expires_at=now + CODE_VALID_FOR,
        )
        device.children.set(children)
    return IssuedDevice(device=device, code=code, site_url=site_url)


def pair(*, code: str) -> Membership:
    """Use a pairing code: a device user and its membership for the device's children.

    A wrong, expired, used or revoked code is a 400 naming ``code``. The caller signs the
    browser in as the returned membership's user.
    """
    with transaction.atomic():
        device = (
            ChildDevice.objects.select_for_update()
            .select_related("family")
            .filter(code_hash=hash_code(code))
            .first()
        )
        if device is None:
            raise validation_error("code", _("This code is not right. Check it and try again."))
        if device.revoked_at is not None:
            raise validation_error("code", _("This tablet was removed. Make a new code."))
        if device.paired_at is not None:
            raise validation_error("code", _("This code was already used. Make a new one."))
        now = timezone.now()
        if now >= device.code_expires_at:
            raise validation_error("code", _("This code has expired. Make a new one."))
        user = User.objects.create_user(
            email=f"device-{uuid.uuid4().hex}@{DEVICE_EMAIL_DOMAIN}",
            password=None,
            display_name=device.name[:80],
            is_device=True,
            language=device.family.language,  # a child's screen speaks the family's language
        )
        membership = Membership.objects.create(
            user=user, family=device.family, role=Role.DEVICE, limited=True, child_device=device
        )
        membership.children.set(device.children.all())
        device.user = user
        device.paired_at = device.last_seen_at = now
        device.save(update_fields=["user", "paired_at", "last_seen_at"])
    return membership


def follow_family_language(family: Family) -> None:
    """The family's tablets speak its language (their screens and the spoken steps)."""
    User.objects.filter(is_device=True, memberships__family=family).exclude(
        language=family.language
    ).update(language=family.language)


def revoke(device: ChildDevice) -> None:
    """Remove the tablet now: its user can no longer sign in (Django's session check
    refuses an inactive user), so its next request is anonymous. Idempotent."""
    with transaction.atomic():
        if device.revoked_at is None:
            device.revoked_at = timezone.now()
            device.save(update_fields=["revoked_at"])
        if device.user_id is not None:
            User.objects.filter(pk=device.user_id).update(is_active=False)


def seen(device: ChildDevice) -> None:
    """Note that the tablet is in use (at most one write per ``LAST_SEEN_EVERY``)."""
    now = timezone.now()
    if device.last_seen_at is None or now - device.last_seen_at >= LAST_SEEN_EVERY:
        ChildDevice.objects.filter(pk=device.pk).update(last_seen_at=now)
        device.last_seen_at = now


def forget_device_user(sender: object, instance: ChildDevice, **kwargs: object) -> None:
    """A tablet's user belongs to nothing else: it goes with its device (a deleted family
    takes its tablets with it)."""
    if instance.user_id is not None:
        User.objects.filter(pk=instance.user_id, is_device=True).delete()
