"""Strategies (built-in and each family's own) and emotional check-ins."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from families.models import Child, Family, Membership

from . import vocabulary
from .strategy_catalogue import GUIDED_PATTERNS, KINDS

NOTE_MAX_LENGTH = 1000


class Strategy(models.Model):
    """A calming strategy. ``family`` is null for the built-in catalogue every family sees.

    Built-ins are kept in sync with ``strategy_catalogue.BUILTIN_STRATEGIES`` (data
    migration, ``post_migrate`` and ``manage.py sync_strategies``); families add their own.
    """

    family = models.ForeignKey(
        Family, null=True, blank=True, on_delete=models.CASCADE, related_name="strategies"
    )
    key = models.SlugField(max_length=60)
    title = models.CharField(max_length=120)
    kind = models.CharField(max_length=16, choices=[(k, k.capitalize()) for k in KINDS])
    summary = models.CharField(max_length=300, blank=True)
    steps = models.JSONField(default=list)
    fits = models.JSONField(default=list, help_text="Emotion keys this strategy suits.")
    energy_fit = models.JSONField(default=list, help_text="Quadrant keys this strategy suits.")
    age_note = models.CharField(max_length=200, blank=True)
    guided = models.CharField(
        max_length=16, blank=True, null=True, choices=[(g, g) for g in GUIDED_PATTERNS]
    )
    caregiver_first = models.BooleanField(default=False)
    # Position in the built-in catalogue, so lists keep the catalogue's order.
    position = models.PositiveSmallIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "strategies"
        ordering = ["family_id", "position", "title", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["family", "key"],
                condition=models.Q(family__isnull=False),
                name="strategy_key_unique_per_family",
            ),
            models.UniqueConstraint(
                fields=["key"],
                condition=models.Q(family__isnull=True),
                name="strategy_key_unique_builtin",
            ),
            models.CheckConstraint(condition=models.Q(kind__in=KINDS), name="strategy_kind_valid"),
            models.CheckConstraint(
                condition=models.Q(guided__isnull=True)
                | models.Q(guided="")
                | models.Q(guided__in=GUIDED_PATTERNS),
                name="strategy_guided_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_builtin(self) -> bool:
        return self.family_id is None


class Outcome(models.TextChoices):
    BETTER = "better", gettext_lazy("Better")
    SAME = "same", gettext_lazy("About the same")
    WORSE = "worse", gettext_lazy("Worse")


class CheckIn(models.Model):
    """One emotional check-in, for a child or for a caregiver (``member``) themself.

    The client chooses ``id`` so a retried ``POST`` finds the stored row instead of creating
    a second one. A coregulation check-in is two rows (the child's and the caregiver's own)
    sharing ``pair``, which is the child check-in's id.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # No single-column indexes for family and child: the composite indexes below start
    # with them, and every index is one more write on each check-in.
    family = models.ForeignKey(
        Family, on_delete=models.CASCADE, related_name="checkins", db_index=False
    )
    child = models.ForeignKey(
        Child,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="checkins",
        db_index=False,
    )
    # A caregiver's own check-in; it leaves with them when they leave the family.
    member = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.CASCADE, related_name="checkins"
    )
    emotion = models.CharField(max_length=32)
    intensity = models.PositiveSmallIntegerField()
    body_areas = models.JSONField(default=list, blank=True)
    note = models.TextField(max_length=NOTE_MAX_LENGTH, blank=True)
    strategy = models.ForeignKey(
        Strategy, null=True, blank=True, on_delete=models.SET_NULL, related_name="checkins"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    occurred_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(auto_now_add=True)
    # Not indexed: follow-ups are found through their ScheduledReminder, never by this.
    follow_up_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=8, choices=Outcome.choices, null=True, blank=True)
    outcome_emotion = models.CharField(max_length=32, blank=True)
    outcome_at = models.DateTimeField(null=True, blank=True)
    pair = models.UUIDField(null=True, blank=True, db_index=True)
    # Made by the child on their own tablet: the child's feeling and size only, no
    # caregiver half; the history shows it as "Sam said".
    by_child = models.BooleanField(default=False, db_default=False)
    # Not a column: the caregiver's own half of a coregulation check-in, set by the views
    # (recording.attach_partners, partner_of) for CheckInSerializer to show.
    caregiver_checkin: CheckIn | None

    class Meta:
        verbose_name = "check-in"
        ordering = ["-occurred_at", "-created_at"]
        indexes = [
            models.Index(fields=["family", "-occurred_at"], name="checkin_family_time"),
            models.Index(fields=["child", "strategy"], name="checkin_child_strategy"),
            # The dispatch tick's scan for new check-ins awaiting a follow-up row
            # (reminders.followups.materialise): only those with a follow-up time.
            models.Index(
                fields=["created_at"],
                condition=models.Q(follow_up_at__isnull=False),
                name="checkin_follow_up_new",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(child__isnull=False, member__isnull=True)
                    | models.Q(child__isnull=True, member__isnull=False)
                ),
                name="checkin_exactly_one_subject",
            ),
            models.CheckConstraint(
                condition=models.Q(intensity__gte=1, intensity__lte=5),
                name="checkin_intensity_range",
            ),
            models.CheckConstraint(
                condition=models.Q(outcome__isnull=True) | models.Q(outcome__in=Outcome.values),
                name="checkin_outcome_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(by_child=False)
                | models.Q(child__isnull=False, pair__isnull=True, strategy__isnull=True),
                name="checkin_by_child_is_the_childs_alone",
            ),
        ]

    def __str__(self) -> str:
        who = self.child or self.member
        return f"{who}: {self.emotion} ({self.intensity})"

    def clean(self) -> None:
        """The vocabulary lives in code, so the database cannot check it: do it here."""
        errors: dict[str, str] = {}
        if self.emotion not in vocabulary.EMOTION_KEYS:
            errors["emotion"] = _("Unknown feeling %(value)r.") % {"value": self.emotion}
        if self.outcome_emotion and self.outcome_emotion not in vocabulary.EMOTION_KEYS:
            errors["outcome_emotion"] = _("Unknown feeling %(value)r.") % {
                "value": self.outcome_emotion
            }
        if errors:
            raise ValidationError(errors)
