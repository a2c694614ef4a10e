"""Private calendar feeds (iCalendar) of a member: the family's routines, one child's, or
those of the children the member is on duty for."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from families.models import Child, Family, Membership


class FeedScope(models.TextChoices):
    FAMILY = "family", _("The whole family")
    CHILD = "child", _("One child")
    DUTY = "duty", _("The children I'm on duty for")


class CalendarFeed(models.Model):
    """A secret URL a calendar app subscribes to. Only the token's SHA-256 is stored;
    the feed belongs to a membership and goes with it (removing the member kills it)."""

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="calendar_feeds")
    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    scope = models.CharField(max_length=8, choices=FeedScope.choices)
    child = models.ForeignKey(
        Child, null=True, blank=True, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # What the feed last answered and since when: the ETag and Last-Modified of the .ics
    # (a deletion leaves no timestamp of its own, so the change is noticed by its hash).
    content_hash = models.CharField(max_length=64, blank=True)
    content_changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(scope__in=["family", "child", "duty"]),
                name="calendar_feed_scope_valid",
            ),
            # A child feed names its child; the others name none.
            models.CheckConstraint(
                condition=models.Q(scope="child", child__isnull=False)
                | (~models.Q(scope="child") & models.Q(child__isnull=True)),
                name="calendar_feed_child_iff_child_scope",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scope} feed of {self.membership}"
