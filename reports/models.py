"""Reports (a PDF rendered by a worker), links shared with a professional and their visits."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from families.models import Child, Family

# What a report or a share may show: the insight figures, and the notes when asked.
SECTIONS = (
    "feelings",
    "mood_meter",
    "hard_moments",
    "what_helps",
    "routines_and_feelings",
    "coregulation",
)


class ReportStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class Report(models.Model):
    """A PDF of chosen children, range and sections; ``progress`` 0-100 while it renders."""

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="reports")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    children = models.ManyToManyField(Child, related_name="+")
    first = models.DateField()
    last = models.DateField()
    sections = models.JSONField(default=list)
    include_notes = models.BooleanField(default=False)
    status = models.CharField(
        max_length=8, choices=ReportStatus.choices, default=ReportStatus.PENDING
    )
    progress = models.PositiveSmallIntegerField(default=0)
    pdf = models.BinaryField(null=True, blank=True, editable=False)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=ReportStatus.values), name="report_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="report_progress_range"
            ),
            models.CheckConstraint(
                condition=models.Q(first__lte=models.F("last")), name="report_range_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"Report {self.pk} of {self.family} ({self.status})"

    @property
    def child_ids(self) -> list[int]:
        return sorted(child.pk for child in self.children.all())


class Share(models.Model):
    """A read-only link for a professional: chosen children, range and sections, until
    ``expires_at`` (at most 90 days) or until revoked. Only the token's hash is stored."""

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="shares")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    label = models.CharField(max_length=80, blank=True)
    children = models.ManyToManyField(Child, related_name="+")
    first = models.DateField()
    last = models.DateField()
    sections = models.JSONField(default=list)
    include_notes = models.BooleanField(default=False)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("created_at")),
                name="share_expires_after_creation",
            ),
            models.CheckConstraint(
                condition=models.Q(first__lte=models.F("last")), name="share_range_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"Share {self.pk} of {self.family} ({self.status})"

    @property
    def child_ids(self) -> list[int]:
        return sorted(child.pk for child in self.children.all())

    @property
    def status(self) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "active"


class ShareVisit(models.Model):
    """One opening of a share's page or PDF, shown to the family."""

    share = models.ForeignKey(Share, on_delete=models.CASCADE, related_name="visits")
    at = models.DateTimeField(default=timezone.now)
    user_agent = models.CharField(max_length=300, blank=True)
    what = models.CharField(max_length=8, default="page")

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"Visit of share {self.share_id} at {self.at:%Y-%m-%d %H:%M}"
