"""Signal receivers: keep scheduled reminders in step with routines, check-ins, families.

Other apps never import ``reminders``; they save their models and send their signals,
and these receivers run in the same transaction as the change, so the schedule can never
be committed out of step with what the family sees.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save, pre_delete, pre_save
from django.dispatch import receiver
from django.utils import timezone, translation

from care.handover import handover_created
from care.models import Handover
from checkins.models import CheckIn
from families.models import Family, Membership
from families.signals import membership_removed
from routines.models import Routine

from . import child_checkins, digest, followups, messages, routine_reminders
from .models import Delivery, DeliveryState, ReminderKind, ReminderState, ScheduledReminder


@receiver(handover_created)
def _handover_made(
    sender: Any, handover: Handover, recipients: list[Membership], **kwargs: Any
) -> None:
    """Tell the next adult (or the owners) by push, through the ledger, at the next tick."""
    now = timezone.now()
    child_names = [c.name for c in handover.children.all()]

    def payload_for(membership: Membership) -> dict[str, str]:
        with translation.override(membership.user.language):  # one row per recipient
            return messages.handover_payload(
                family_id=handover.family_id,
                handover_id=handover.pk,
                from_name=handover.from_name,
                child_names=child_names,
                note=handover.note,
            )

    ScheduledReminder.objects.bulk_create(
        ScheduledReminder(
            kind=ReminderKind.HANDOVER,
            family_id=handover.family_id,
            user_id=membership.user_id,
            fire_at=now,
            occurrence_at=now,
            payload=payload_for(membership),
        )
        for membership in recipients
    )


@receiver(membership_removed)
def _member_left(sender: Any, membership: Any, **kwargs: Any) -> None:
    """A member who left gets nothing more from this family."""
    ScheduledReminder.objects.filter(
        family_id=membership.family_id,
        user_id=membership.user_id,
        state=ReminderState.PENDING,
    ).delete()
    Delivery.objects.filter(
        user_id=membership.user_id,
        reminder__family_id=membership.family_id,
        state=DeliveryState.PENDING,
    ).update(state=DeliveryState.FAILED, error="No longer a member of the family.")


@receiver(pre_save, sender=Family)
def _remember_timezone(sender: Any, instance: Family, **kwargs: Any) -> None:
    fields = kwargs.get("update_fields")
    if instance.pk and not kwargs.get("raw") and (fields is None or "timezone" in fields):
        instance._reminders_old_timezone = (  # type: ignore[attr-defined]  # scratch, pre to post save
            Family.objects.filter(pk=instance.pk).values_list("timezone", flat=True).first()
        )


@receiver(post_save, sender=Family)
def _timezone_changed(sender: Any, instance: Family, created: bool, **kwargs: Any) -> None:
    """Wall-clock routine times stay put: their UTC fire times move with the zone."""
    old = getattr(instance, "_reminders_old_timezone", None)
    if created or kwargs.get("raw") or old is None or old == instance.timezone:
        return
    routine_reminders.sync_routines(
        Routine.objects.filter(family=instance).select_related("family")
    )
    digest.sync_families([instance.pk])  # Sunday 19:00 stays 19:00 in the new zone


@receiver(post_save, sender=Routine)
def _routine_saved(sender: Any, instance: Routine, raw: bool = False, **kwargs: Any) -> None:
    # In the saving transaction (not after commit): a crash can never leave a routine
    # committed without its reminders.
    if not raw:
        routine_reminders.sync_routine(instance)


@receiver(pre_delete, sender=Routine)
def _routine_deleted(sender: Any, instance: Routine, **kwargs: Any) -> None:
    routine_reminders.forget_routine(instance.pk)


@receiver(post_save, sender=CheckIn)
def _checkin_saved(
    sender: Any, instance: CheckIn, created: bool = False, raw: bool = False, **kwargs: Any
) -> None:
    # Created with follow_up_at → ask later; answered (outcome) → do not ask any more.
    if not raw:
        followups.sync_follow_up(instance, created=created)
        if created and instance.by_child:  # the child asked for a grown-up
            child_checkins.notify(instance)


@receiver(pre_delete, sender=CheckIn)
def _checkin_deleted(sender: Any, instance: CheckIn, **kwargs: Any) -> None:
    followups.forget_follow_up(instance.pk)
