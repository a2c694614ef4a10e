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
    # A child's tablet (families.devices): no password, one family, its children only.
    is_device = models.BooleanField(default=False, db_default=False, editable=False)
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


# The longest a family may choose to wait before "How is Sam now?" (minutes).
FOLLOW_UP_MINUTES_MAX = 240


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
    # The grown-ups' PIN that leaves the child view, as Django's password hashers store
    # it (families/pin.py); "" when none is set.
    pin_hash = models.CharField(max_length=128, blank=True, default="", editable=False)
    # What a child device and the spoken step titles use: a child has no account of their
    # own. Starts as the creating owner's language.
    language = models.CharField(max_length=2, choices=Language.choices, default=DEFAULT_LANGUAGE)

    class Meta:
        verbose_name_plural = "families"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    follow_up_minutes__gte=1, follow_up_minutes__lte=FOLLOW_UP_MINUTES_MAX
                ),
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
                # The PIN is written only by families/pin.py, never by a stale copy.
                if not f.primary_key and f.name not in ("board_version", "pin_hash")
            ]
        super().save(*args, **kwargs)

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    @property
    def has_pin(self) -> bool:
        return bool(self.pin_hash)


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    CAREGIVER = "caregiver", _("Caregiver")
    SITTER = "sitter", _("Sitter")
    DEVICE = "device", _("Child device")


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
    child_device = models.ForeignKey(
        "ChildDevice", null=True, blank=True, on_delete=models.CASCADE, related_name="memberships"
    )

    class Meta:
        ordering = ["joined_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "family"], name="membership_unique"),
            models.CheckConstraint(
                condition=models.Q(role__in=["owner", "caregiver", "sitter", "device"]),
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
            # A child device's membership comes from its ChildDevice and sees only its children.
            models.CheckConstraint(
                condition=(
                    models.Q(role="device", child_device__isnull=False, limited=True)
                    | (~models.Q(role="device") & models.Q(child_device__isnull=True))
                ),
                name="membership_device_has_device",
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

    @property
    def is_device(self) -> bool:
        return self.role == Role.DEVICE


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


class MediaKind(models.TextChoices):
    IMAGE = "image", "Image"
    AUDIO = "audio", "Audio"


class Media(models.Model):
    """A photo or a voice recording of a family, stored re-encoded (``families.media``).

    ``file`` (and an image's ``thumbnail``) are storage names derived from the content's
    hash, so a URL names one content forever and may be cached as immutable. One content
    is stored once per family. ``bytes`` counts every stored file, for the family's quota.
    """

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="media")
    kind = models.CharField(max_length=8, choices=MediaKind.choices)
    file = models.CharField(max_length=200)
    thumbnail = models.CharField(max_length=200, blank=True, default="")
    content_type = models.CharField(max_length=40)
    sha256 = models.CharField(max_length=64)
    bytes = models.PositiveIntegerField()
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    uploaded_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "media"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["family", "sha256"], name="media_content_unique"),
            models.CheckConstraint(
                condition=(
                    models.Q(
                        kind="image",
                        width__gte=1,
                        height__gte=1,
                        duration_ms__isnull=True,
                    )
                    & ~models.Q(thumbnail="")
                )
                | models.Q(
                    kind="audio",
                    width__isnull=True,
                    height__isnull=True,
                    duration_ms__gte=1,
                    thumbnail="",
                ),
                name="media_kind_fields",
            ),
            models.CheckConstraint(condition=models.Q(bytes__gte=1), name="media_not_empty"),
            models.CheckConstraint(condition=~models.Q(file=""), name="media_file_set"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.pk} of {self.family_id}"

    @property
    def duration_seconds(self) -> float | None:
        return None if self.duration_ms is None else self.duration_ms / 1000


class Child(models.Model):
    """A child in a family. ``avatar`` is an emoji; ``colour`` a CSS hex colour; ``photo``
    an image of the family's media."""

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="children")
    name = models.CharField(max_length=60)
    birth_year = models.PositiveSmallIntegerField(null=True, blank=True)
    avatar = models.CharField(max_length=16, blank=True, default="🙂")
    colour = models.CharField(max_length=7, blank=True, default="#6c8ebf")
    photo = models.ForeignKey(
        Media, null=True, blank=True, on_delete=models.SET_NULL, related_name="child_photos"
    )
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


class ChildAway(models.Model):
    """A child away from the family's routines for some family-local days ("at Dad's").

    ``starts_on`` … ``ends_on`` inclusive. Ranges of one child never overlap; SQLite
    cannot express that as a constraint, so ``families.away.add_away`` holds it under a
    lock on the child.
    """

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="away_ranges")
    starts_on = models.DateField()
    ends_on = models.DateField()
    note = models.CharField(max_length=80, blank=True)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_on", "id"]
        indexes = [models.Index(fields=["child", "ends_on"], name="child_away_child_ends")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="child_away_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.child} away {self.starts_on} – {self.ends_on}"


class ChildDevice(models.Model):
    """A child's tablet: paired once with a short code, then signed in as a device user
    that sees only ``children`` and may do only what views list in ``device_actions``
    (``families.devices``). Revoking it ends its session at its next request."""

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="child_devices")
    name = models.CharField(max_length=60)
    children = models.ManyToManyField(Child, related_name="child_devices")
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # The pairing code's SHA-256 (the code itself is shown once), usable until expiry.
    code_hash = models.CharField(max_length=64, unique=True)
    code_expires_at = models.DateTimeField()
    # Set together when the tablet pairs: the code is used up from then on.
    user = models.OneToOneField(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="child_device"
    )
    paired_at = models.DateTimeField(null=True, blank=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code_expires_at__gt=models.F("created_at")),
                name="child_device_code_expires_after_creation",
            ),
            # A used code always names the device user it made, and only a used one does.
            models.CheckConstraint(
                condition=models.Q(paired_at__isnull=True, user__isnull=True)
                | models.Q(paired_at__isnull=False),
                name="child_device_user_only_when_paired",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def status(self, now: Any = None) -> str:
        """``waiting`` (for its code), ``expired`` (code unused), ``paired`` or ``revoked``."""
        now = now or timezone.now()
        if self.revoked_at is not None:
            return "revoked"
        if self.paired_at is not None:
            return "paired"
        return "waiting" if now < self.code_expires_at else "expired"
