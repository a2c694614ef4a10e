"""Sitter passes: creating one for chosen children and a window, opening it (a sitter's
browser is signed in as a sitter of those children), refusing it outside the window, and
revoking it (every session opened with it ends on its next request)."""

from __future__ import annotations

import io
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import segno
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from rest_framework.exceptions import PermissionDenied

from core.api import validation_error
from core.timeutils import family_local

from .models import Child, Family, Membership, PassUse, Role, SitterPass, User, hash_token
from .signals import sitter_pass_opened

MAX_PASS_LENGTH = timedelta(days=7)
# A pass may be made a little in the past (a phone's clock, a form filled in slowly).
_PAST_SLACK = timedelta(minutes=15)
SITTER_EMAIL_DOMAIN = "sitters.invalid"  # RFC 2606: never delivers


@dataclass(frozen=True)
class IssuedPass:
    """A pass with its plain token, which exists only in this answer."""

    sitter_pass: SitterPass
    token: str
    site_url: str = ""  # the app's origin (the view passes families.links.site_url)

    @property
    def url(self) -> str:
        return f"{self.site_url}/#/pass/{self.token}"

    @property
    def qr_svg(self) -> str:
        """The link as a QR code (SVG), for the owner to show on their screen."""
        out = io.BytesIO()
        segno.make(self.url, error="m").save(out, kind="svg", scale=4, border=2, xmldecl=False)
        return out.getvalue().decode()


def create_pass(
    *,
    membership: Membership,
    children: Sequence[Child],
    starts_at: datetime,
    ends_at: datetime,
    name: str = "",
    site_url: str = "",
) -> IssuedPass:
    """Issue a pass for ``children`` of the owner's family from ``starts_at`` to ``ends_at``."""
    if not children:
        raise validation_error("children", _("Choose the children the sitter looks after."))
    if any(child.family_id != membership.family_id for child in children):
        raise validation_error("children", _("Choose children from this family."))
    if ends_at <= starts_at:
        raise validation_error("ends_at", _("The end must come after the start."))
    if ends_at - starts_at > MAX_PASS_LENGTH:
        raise validation_error("ends_at", _("A pass lasts at most 7 days."))
    if ends_at <= timezone.now() - _PAST_SLACK or starts_at < timezone.now() - timedelta(days=1):
        raise validation_error("starts_at", _("Choose a window that has not passed yet."))
    token = secrets.token_urlsafe(24)  # 192 bits
    with transaction.atomic():
        sitter_pass = SitterPass.objects.create(
            family_id=membership.family_id,
            name=name.strip(),
            starts_at=starts_at,
            ends_at=ends_at,
            token_hash=hash_token(token),
            created_by_id=membership.user_id,
        )
        sitter_pass.children.set(children)
    return IssuedPass(sitter_pass=sitter_pass, token=token, site_url=site_url)


def _clock(family: Family, instant: datetime) -> str:
    local = family_local(family, instant)
    today = family_local(family, timezone.now()).date()
    # Django's date format names the day and month in the active language.
    return f"{local:%H:%M}" if local.date() == today else date_format(local, "D j M H:i")


def refusal(sitter_pass: SitterPass, family: Family) -> str:
    """Why the pass lets nobody in now ('' when it does), in words for the sitter."""
    status = sitter_pass.status()
    if status == "revoked":
        return _("This pass was cancelled. Ask the family for a new one.")
    if status == "upcoming":
        return _("This pass starts at %(time)s.") % {"time": _clock(family, sitter_pass.starts_at)}
    if status == "ended":
        return _("This pass ended at %(time)s.") % {"time": _clock(family, sitter_pass.ends_at)}
    return ""


class PassRefused(PermissionDenied):
    """A pass used outside its window, or revoked: a 403 with the reason in words, code
    ``pass_refused`` (a client tells it from other refusals by the code)."""

    default_code = "pass_refused"


def redeem(*, token: str, name: str, user_agent: str = "", language: str = "en") -> Membership:
    """Open a pass: a sitter user and membership for its children, until its end.

    Refused (``PassRefused``) outside the window or once revoked. Each opening is a
    :class:`PassUse`; the caller signs the browser in as the returned membership's user.
    """
    name = name.strip()
    if not name:
        raise validation_error("name", _("Tell the family your first name."))
    with transaction.atomic():
        sitter_pass = (
            SitterPass.objects.select_for_update()
            .select_related("family")
            .filter(token_hash=hash_token(token))
            .first()
        )
        if sitter_pass is None:
            raise validation_error("token", _("This pass link is not valid."))
        why = refusal(sitter_pass, sitter_pass.family)
        if why:
            raise PassRefused(why)
        user = User.objects.create_user(
            email=f"sitter-{uuid.uuid4().hex}@{SITTER_EMAIL_DOMAIN}",
            password=None,
            display_name=name[:60],
            language=language,
        )
        membership = Membership.objects.create(
            user=user,
            family=sitter_pass.family,
            role=Role.SITTER,
            limited=True,
            sitter_pass=sitter_pass,
        )
        membership.children.set(sitter_pass.children.all())
        PassUse.objects.create(sitter_pass=sitter_pass, name=name[:60], user_agent=user_agent)
        SitterPass.objects.filter(pk=sitter_pass.pk).update(
            uses=F("uses") + 1, last_used_at=timezone.now()
        )
        sitter_pass_opened.send(sender=SitterPass, membership=membership)
    return membership


def revoke(sitter_pass: SitterPass) -> None:
    """End the pass now: its sitters' next request is refused (the scoping re-checks the
    pass on every request; reminders and duty look at the pass too). Idempotent."""
    if sitter_pass.revoked_at is None:
        sitter_pass.revoked_at = timezone.now()
        sitter_pass.save(update_fields=["revoked_at"])
