"""Who is on duty for a child, handovers between adults, and the care log's own entries."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from families.models import Child, Family, Membership


class Duty(models.Model):
    """``membership`` has ``child`` now ("I have Sam now"), since ``since``.

    While anyone is on duty for a child, that child's reminders go to them only. A
    sitter's duty ends with the pass's window (``care.duty`` ignores it afterwards).
    """

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="+")
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="duties")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="duties")
    since = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["since", "id"]
        constraints = [
            models.UniqueConstraint(fields=["child", "membership"], name="duty_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.membership} has {self.child}"


class Handover(models.Model):
    """Care passing from one adult to the next, with a summary of what happened since the
    outgoing adult's duty began and their note. ``automatic``: a sitter's pass ended."""

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="+")
    children = models.ManyToManyField(Child, related_name="handovers")
    from_membership = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_name = models.CharField(max_length=60)
    to_membership = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(max_length=1000, blank=True)
    summary = models.JSONField(default=dict)
    automatic = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["family", "-created_at"], name="handover_family_recent")]

    def __str__(self) -> str:
        return f"Handover from {self.from_name}"


class LogKind(models.TextChoices):
    TICK = "tick", _("Step done")
    CHECKIN = "checkin", _("Check-in")
    DUTY_START = "duty_start", _("On duty")
    DUTY_END = "duty_end", _("Off duty")
    HANDOVER = "handover", _("Handover")
    PASS_USE = "pass_use", _("Sitter pass opened")


class CareEvent(models.Model):
    """A care-log entry that has no row of its own elsewhere: duty changes, handovers and
    pass openings (ticks and check-ins are read from their own tables)."""

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="+")
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="care_events")
    at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=16, choices=LogKind.choices)
    actor = models.CharField(max_length=60)
    text = models.CharField(max_length=200)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["child", "at"], name="care_event_child_at")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["duty_start", "duty_end", "handover", "pass_use"]),
                name="care_event_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.text
