"""A child's own check-in from their tablet: tell the grown-ups on duty for the child
(or, when nobody is, every member who wants reminders) by push, through the ledger."""

from __future__ import annotations

from functools import partial

from django.utils import timezone

from care.handover import duty_by_child
from checkins import vocabulary
from checkins.models import CheckIn

from . import messages
from .models import ReminderKind, ScheduledReminder
from .recipients import member_prefs, route


def notify(checkin: CheckIn) -> None:
    """One reminder per chosen grown-up, due now, in the check-in's transaction.

    Called once, when the check-in is created: a retried request finds the stored check-in
    and creates nothing (``checkins.recording``), and
    ``reminder_child_checkin_once_per_user`` holds it in the database. Quiet hours do not
    hold it back (the dispatcher plans it like a handover); members who turned reminders
    off are left out as for every reminder.
    """
    assert checkin.child is not None  # a by-child check-in always names its child
    child = checkin.child
    prefs = member_prefs([checkin.family_id]).get(checkin.family_id, [])
    chosen = route(prefs, [child.pk], duty_by_child([checkin.family_id]))
    payload = messages.localized(
        partial(
            messages.child_checkin_payload,
            family_id=checkin.family_id,
            checkin_id=str(checkin.pk),
            child_id=child.pk,
            child_name=child.name,
            emotion=checkin.emotion,
            kid_word=vocabulary.get_emotion(checkin.emotion).kid_label,
            intensity=checkin.intensity,
        ),
        {p.language for p in chosen},
    )
    now = timezone.now()
    ScheduledReminder.objects.bulk_create(
        ScheduledReminder(
            kind=ReminderKind.CHILD_CHECKIN,
            family_id=checkin.family_id,
            user_id=p.user_id,
            checkin=checkin,
            fire_at=now,
            occurrence_at=now,
            payload=payload,
        )
        for p in chosen
    )
