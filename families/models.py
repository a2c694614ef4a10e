"""Users, families, memberships with roles, invitations and children."""

from __future__ import annotations

import hashlib
import secrets
import zoneinfo
from typing import Any, ClassVar

from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.languages import DEFAULT as DEFAULT_LANGUAGE
from core.languages import Language


def validate_timezone(value: str) -> None:
    """Accept only IANA time-zone names that ``zoneinfo`` knows (e.g. ``Europe/Madrid``)."""
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("“%(value)s” is not a known IANA time zone, e.g. Europe/Madrid."),
            params={"value": value},
        )


class UserManager(BaseUserManager["User"]):
    """Users log in with their e-mail address; there is no username."""

    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: object) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A caregiver's account. Logs in by e-mail; ``display_name`` is what others see."""

    # Removing inherited fields (Django's documented way) is beyond what the stubs can type.
    username = None  # type: ignore[assignment]  # no username: e-mail logs in
    first_name = None  # type: ignore[assignment]  # display_name instead
    last_name = None  # type: ignore[assignment]  # display_name instead
    email = models.EmailField("e-mail address", unique=True)
    display_name = models.CharField(max_length=80)
    # What the PWA, pushes and e-mails to this member speak; the default at sign-up comes
    # from the browser's Accept-Language.
    language = models.CharField(max_length=2, choices=Language.choices, default=DEFAULT_LANGUAGE)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["display_name"]
    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]  # by e-mail, not username

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
            models.CheckConstraint(
                condition=models.Q(language__in=Language.values), name="user_language_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.email


def new_board_version() -> int:
    """A random version for a family's Today board (see ``Family.board_version``)."""
    return secrets.randbits(63)


class Family(models.Model):
    """A household whose caregivers share routines, children and check-ins."""

    name = models.CharField(max_length=80)
    timezone = models.CharField(max_length=64, validators=[validate_timezone])
    # Minutes after a check-in with a strategy before Tandem asks "How is Sam now?".
    follow_up_minutes = models.PositiveSmallIntegerField(default=10)
    created_at = models.DateTimeField(auto_now_add=True)
    # A fresh random number whenever the Today board's content changes, written in the
    # changing transaction: the board cache keys on it (routines/board.py). Random, not a
    # counter, so a rolled-back or restored database can never bring back a version that
    # was cached with other content. Never written by save().
    board_version = models.PositiveBigIntegerField(default=new_board_version, editable=False)
    # What a child device and the spoken step titles use: a child has no account of their
    # own. Starts as the creating owner's language.
    language = models.CharField(max_length=2, choices=Language.choices, default=DEFAULT_LANGUAGE)

    class Meta:
        verbose_name_plural = "families"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(follow_up_minutes__gte=1, follow_up_minutes__lte=240),
                name="family_follow_up_minutes_range",
            ),
            models.CheckConstraint(
                condition=models.Q(language__in=Language.values), name="family_language_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A full save of an instance loaded before a tick must not roll the board's
        # version back (its cached board would be served again): leave it to SQL.
        if not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key and f.name != "board_version"
            ]
        super().save(*args, **kwargs)

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    CAREGIVER = "caregiver", _("Caregiver")
    SITTER = "sitter", _("Sitter")


class Membership(models.Model):
    """A user's place in a family, with the role that decides what they may change.

    ``limited``: the member sees only ``children`` (an owner set it, or a sitter's pass);
    otherwise every child of the family. A sitter's membership comes from a
    :class:`SitterPass` and lasts as long as the pass's window.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.CAREGIVER)
    joined_at = models.DateTimeField(auto_now_add=True)
    limited = models.BooleanField(default=False)
    children: models.ManyToManyField[Child, Any] = models.ManyToManyField(
        "Child", blank=True, related_name="limited_memberships"
    )
    sitter_pass = models.ForeignKey(
        "SitterPass", null=True, blank=True, on_delete=models.CASCADE, related_name="memberships"
    )

    class Meta:
        ordering = ["joined_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "family"], name="membership_unique"),
            models.CheckConstraint(
                condition=models.Q(role__in=["owner", "caregiver", "sitter"]),
                name="membership_role_valid",
            ),
            # A sitter always comes with a pass and sees only its children; nobody else has one.
            models.CheckConstraint(
                condition=(
                    models.Q(role="sitter", sitter_pass__isnull=False, limited=True)
                    | (~models.Q(role="sitter") & models.Q(sitter_pass__isnull=True))
                ),
                name="membership_sitter_has_pass",
            ),
            models.CheckConstraint(
                condition=~models.Q(role="owner", limited=True), name="membership_owner_sees_all"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.family} ({self.role})"

    @property
    def is_owner(self) -> bool:
        return self.role == Role.OWNER

    @property
    def is_sitter(self) -> bool:
        return self.role == Role.SITTER


def hash_token(token: str) -> str:
    """The stored form of an invitation token: its SHA-256, so a database leak reveals none."""
    return hashlib.sha256(token.encode()).hexdigest()


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def pending(self) -> InvitationQuerySet:
        return self.filter(
            accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )


INVITABLE_ROLES = [
    (Role.OWNER.value, Role.OWNER.label),
    (Role.CAREGIVER.value, Role.CAREGIVER.label),
]


class Invitation(models.Model):
    """A single-use link that lets someone join a family with a role."""

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="invitations")
    role = models.CharField(max_length=16, choices=INVITABLE_ROLES, default=Role.CAREGIVER)
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=["owner", "caregiver"]), name="invitation_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Invitation to {self.family} as {self.role} ({self.status})"

    @property
    def status(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"


class Child(models.Model):
    """A child in a family. ``avatar`` is an emoji; ``colour`` a CSS hex colour."""

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="children")
    name = models.CharField(max_length=60)
    birth_year = models.PositiveSmallIntegerField(null=True, blank=True)
    avatar = models.CharField(max_length=16, blank=True, default="🙂")
    colour = models.CharField(max_length=7, blank=True, default="#6c8ebf")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "children"
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(birth_year__isnull=True)
                | models.Q(birth_year__gte=1990, birth_year__lte=2100),
                name="child_birth_year_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SitterPass(models.Model):
    """A time-limited, revocable way in for a sitter: no account, no password.

    The owner shares a link with the token (shown once; only its hash is stored); whoever
    opens it in the window gives a first name and that browser is signed in as a sitter of
    ``children`` until ``ends_at`` (``families.sitters``).
    """

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="sitter_passes")
    name = models.CharField(max_length=80, blank=True)
    children = models.ManyToManyField(Child, related_name="sitter_passes")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    uses = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="sitter_pass_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name or f"Pass {self.pk}"

    def status(self, now: Any = None) -> str:
        """``upcoming``, ``active``, ``ended`` or ``revoked``."""
        now = now or timezone.now()
        if self.revoked_at is not None:
            return "revoked"
        if now < self.starts_at:
            return "upcoming"
        if now >= self.ends_at:
            return "ended"
        return "active"


class PassUse(models.Model):
    """One opening of a sitter pass: when, by which browser, under which name."""

    sitter_pass = models.ForeignKey(SitterPass, on_delete=models.CASCADE, related_name="visits")
    at = models.DateTimeField(auto_now_add=True)
    name = models.CharField(max_length=60)
    user_agent = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} opened {self.sitter_pass} at {self.at:%Y-%m-%d %H:%M}"
