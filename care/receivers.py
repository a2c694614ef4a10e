"""A sitter who opens a pass is on duty for its children until the pass ends."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver
from django.utils.translation import gettext_noop

from families.models import Membership
from families.signals import sitter_pass_opened

from .handover import log_sentence, start_duty
from .models import CareEvent, LogKind


@receiver(sitter_pass_opened)
def _sitter_on_duty(sender: Any, membership: Membership, **kwargs: Any) -> None:
    name = membership.user.display_name
    for child in membership.children.all():
        CareEvent.objects.create(
            family_id=membership.family_id,
            child=child,
            kind=LogKind.PASS_USE,
            actor=name,
            text=log_sentence(
                membership.family, gettext_noop("%(who)s opened the sitter pass."), who=name
            ),
        )
        start_duty(membership, child)
