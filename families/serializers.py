"""Serializers for accounts, families, members, invitations and children."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core import languages

from .media import media_url
from .models import (
    FOLLOW_UP_MINUTES_MAX,
    INVITABLE_ROLES,
    Child,
    ChildDevice,
    Family,
    Invitation,
    MediaKind,
    Membership,
    Role,
    User,
    validate_timezone,
)
from .scoping import FamilyMediaField, FamilyRelatedField

# A CSS hex colour or nothing; the pattern is also the schema's (a client can check it).
COLOUR = RegexValidator(r"^(#[0-9a-fA-F]{6})?$", _("Use a colour like #6c8ebf."))


class MembershipSummarySerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(source="family.id", read_only=True)
    name = serializers.CharField(source="family.name", read_only=True)
    timezone = serializers.CharField(source="family.timezone", read_only=True)
    language = serializers.CharField(
        source="family.language",
        read_only=True,
        help_text="The family's language: a child's screen and spoken step titles use it.",
    )
    member = serializers.IntegerField(source="pk", read_only=True, help_text="My membership id.")

    class Meta:
        model = Membership
        fields = ["id", "name", "timezone", "language", "role", "member"]


class DeviceChildSerializer(serializers.ModelSerializer):
    class Meta:
        model = Child
        fields = ["id", "name", "avatar", "colour"]


class DeviceFamilySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    timezone = serializers.CharField()
    has_pin = serializers.BooleanField(help_text="Whether a PIN guards leaving the child view.")


class DeviceSummarySerializer(serializers.ModelSerializer):
    """A child's tablet as it sees itself: its family and the children it shows."""

    family = DeviceFamilySerializer()
    children = DeviceChildSerializer(many=True)

    class Meta:
        model = ChildDevice
        fields = ["id", "name", "family", "children"]


class UserSerializer(serializers.ModelSerializer):
    """The signed-in user with the families they belong to; ``device`` is set when the
    browser is a child's tablet (then the app shows only the child view)."""

    families = MembershipSummarySerializer(source="memberships", many=True, read_only=True)
    device = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "email", "display_name", "language", "families", "device"]
        read_only_fields = ["id", "email"]
        extra_kwargs = {"display_name": {"max_length": 80, "allow_blank": False}}

    @extend_schema_field(DeviceSummarySerializer(allow_null=True))
    def get_device(self, user: User) -> dict[str, Any] | None:
        if not user.is_device:  # a person: no query
            return None
        device = (
            ChildDevice.objects.select_related("family")
            .prefetch_related("children")
            .filter(user=user, revoked_at__isnull=True)
            .first()
        )
        return DeviceSummarySerializer(device).data if device is not None else None


class SignupSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(write_only=True, max_length=128, trim_whitespace=False)
    display_name = serializers.CharField(max_length=80)

    def validate_email(self, value: str) -> str:
        value = value.strip().lower()
        if User.objects.filter(email__iexact=value).exists():
            raise serializers.ValidationError(_("An account with this e-mail already exists."))
        return value

    def validate(self, attrs: dict) -> dict:
        candidate = User(email=attrs["email"], display_name=attrs["display_name"])
        try:
            password_validation.validate_password(attrs["password"], candidate)
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"password": list(exc.messages)}) from exc
        return attrs

    def create(self, validated_data: dict) -> User:
        # Until they choose, a member speaks what their browser asked for.
        return User.objects.create_user(**validated_data, language=languages.current())


class LoginSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=128, trim_whitespace=False)


class PasswordChangeSerializer(serializers.Serializer):
    old_password = serializers.CharField(max_length=128, trim_whitespace=False)
    new_password = serializers.CharField(max_length=128, trim_whitespace=False)


class PasswordResetSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)


class PasswordResetConfirmSerializer(serializers.Serializer):
    uid = serializers.CharField(max_length=64)
    token = serializers.CharField(max_length=128)
    new_password = serializers.CharField(max_length=128, trim_whitespace=False)


class FamilySerializer(serializers.ModelSerializer):
    """A family as one of its members sees it; ``role`` is the caller's own role."""

    role = serializers.SerializerMethodField()
    timezone = serializers.CharField(max_length=64, validators=[validate_timezone])
    has_pin = serializers.BooleanField(
        read_only=True, help_text="Whether a PIN guards leaving the child view."
    )

    class Meta:
        model = Family
        fields = [
            "id",
            "name",
            "timezone",
            "follow_up_minutes",
            "language",
            "role",
            "has_pin",
            "created_at",
        ]
        read_only_fields = ["id", "has_pin", "created_at"]
        extra_kwargs = {"follow_up_minutes": {"min_value": 1, "max_value": FOLLOW_UP_MINUTES_MAX}}

    def get_role(self, family: Family) -> str:
        role = getattr(family, "my_role", None)
        if role is None:
            role = self.context["roles"].get(family.pk, "")
        return role

    def validate_name(self, value: str) -> str:
        if not value.strip():
            raise serializers.ValidationError(_("Give the family a name."))
        return value.strip()


class MemberSerializer(serializers.ModelSerializer):
    user_id = serializers.IntegerField(source="user.id", read_only=True)
    display_name = serializers.CharField(source="user.display_name", read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)
    role = serializers.ChoiceField(choices=INVITABLE_ROLES, required=False)
    children = FamilyRelatedField(
        noun="child",
        queryset=Child.objects.all(),
        many=True,
        required=False,
        help_text="The children this member sees; [] means every child (owners always do).",
    )

    class Meta:
        model = Membership
        fields = ["id", "user_id", "display_name", "email", "role", "children", "joined_at"]
        read_only_fields = ["id", "joined_at"]

    def to_representation(self, instance: Membership) -> dict[str, Any]:
        data = super().to_representation(instance)
        if not instance.limited:
            data["children"] = []
        return data


class InvitationSerializer(serializers.ModelSerializer):
    role = serializers.ChoiceField(choices=INVITABLE_ROLES, default=Role.CAREGIVER)
    status = serializers.CharField(read_only=True)
    created_by = serializers.CharField(source="created_by.display_name", read_only=True)

    class Meta:
        model = Invitation
        fields = ["id", "role", "status", "created_by", "created_at", "expires_at"]
        read_only_fields = ["id", "created_at", "expires_at"]


class IssuedInvitationSerializer(serializers.Serializer):
    """The answer to creating an invitation: the only place the token is ever shown."""

    id = serializers.IntegerField(source="invitation.id")
    token = serializers.CharField()
    url = serializers.CharField()
    role = serializers.CharField(source="invitation.role")
    expires_at = serializers.DateTimeField(source="invitation.expires_at")


class AcceptInvitationSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=128)


class FamilyRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class InvitationPreviewSerializer(serializers.Serializer):
    """What the join screen shows before asking: which family, who invited, as what."""

    family = FamilyRefSerializer()
    invited_by = serializers.SerializerMethodField(help_text="The inviter's display name.")
    role = serializers.ChoiceField(choices=Role.choices)
    expires_at = serializers.DateTimeField()

    def get_invited_by(self, invitation: Invitation) -> str:
        inviter = invitation.created_by
        return (inviter.display_name or inviter.email) if inviter else ""


class AcceptedInvitationSerializer(serializers.Serializer):
    """The membership an accepted invitation made: which family, in which role."""

    family = FamilyRefSerializer()
    role = serializers.ChoiceField(choices=Role.choices)


class ChildSerializer(serializers.ModelSerializer):
    photo = FamilyMediaField(kind=MediaKind.IMAGE, help_text="A photo's media id, or null.")
    photo_url = serializers.SerializerMethodField()
    photo_thumbnail_url = serializers.SerializerMethodField()

    class Meta:
        model = Child
        fields = [
            "id",
            "name",
            "birth_year",
            "avatar",
            "colour",
            "photo",
            "photo_url",
            "photo_thumbnail_url",
        ]
        extra_kwargs = {
            "birth_year": {"min_value": 1990, "max_value": 2100},
            "colour": {"validators": [COLOUR]},
        }

    def validate_name(self, value: str) -> str:
        if not value.strip():
            raise serializers.ValidationError(_("Give the child a name."))
        return value.strip()

    def get_photo_url(self, child: Child) -> str | None:
        photo = child.photo
        return media_url(photo.family_id, photo.pk, photo.file) if photo else None

    def get_photo_thumbnail_url(self, child: Child) -> str | None:
        photo = child.photo
        return media_url(photo.family_id, photo.pk, photo.thumbnail) if photo else None


class ConfirmPasswordSerializer(serializers.Serializer):
    """The current password, which a destructive call (delete account or family) needs."""

    password = serializers.CharField(write_only=True, trim_whitespace=False, max_length=4096)


class PinSerializer(serializers.Serializer):
    """The family PIN: 4 to 8 digits, as a string (leading zeros count)."""

    pin = serializers.RegexField(
        r"^[0-9]{4,8}$",
        max_length=8,
        trim_whitespace=False,
        write_only=True,
        error_messages={"invalid": "A PIN is 4 to 8 digits."},
    )
