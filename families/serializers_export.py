"""The shape of a family export (``GET families/{id}/export/``): the header and families' own
sections here, the other sections in each app's ``export`` module.

``families.export`` renders each row through these serializers while it streams, so the
OpenAPI schema and the file people download come from one definition. Rows are plain
dicts from ``QuerySet.values()`` (no model instances), which DRF fields read like objects.
References to other rows are ids under the API's names (``child``, ``created_by``…);
``members`` maps user ids to names. Users who have since left appear as bare ids or null.
"""

from __future__ import annotations

from rest_framework import serializers

from core.api import NULLABLE
from core.contributions import export_sections

from .models import MediaKind, Role


class ExportFamilySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    timezone = serializers.CharField(help_text="IANA time zone of the family's local dates.")
    follow_up_minutes = serializers.IntegerField(
        help_text="Minutes after a check-in with a strategy before the follow-up question."
    )
    created_at = serializers.DateTimeField()


class ExportMemberSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The membership id (``member`` in check-ins).")
    user = serializers.IntegerField(source="user_id")
    display_name = serializers.CharField(source="user__display_name")
    email = serializers.EmailField(source="user__email")
    role = serializers.ChoiceField(choices=Role.choices)
    joined_at = serializers.DateTimeField()


class ExportChildSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    birth_year = serializers.IntegerField(**NULLABLE)
    avatar = serializers.CharField(allow_blank=True)
    colour = serializers.CharField(allow_blank=True)
    photo = serializers.IntegerField(source="photo_id", help_text="A media id.", **NULLABLE)
    created_at = serializers.DateTimeField()


class ExportAwaySerializer(serializers.Serializer):
    """A range of days a child was (or will be) away, inclusive family-local dates."""

    id = serializers.IntegerField()
    child = serializers.IntegerField(source="child_id")
    note = serializers.CharField(allow_blank=True)
    created_by = serializers.IntegerField(source="created_by_id", **NULLABLE)
    created_at = serializers.DateTimeField()

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields["from"] = serializers.DateField(source="starts_on")
        fields["to"] = serializers.DateField(source="ends_on")
        return fields


class ExportMediaSerializer(serializers.Serializer):
    """A photo or recording with its bytes (the stored file, base64). Thumbnails are left
    out: an import makes them again from the photo."""

    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=MediaKind.choices)
    content_type = serializers.CharField()
    sha256 = serializers.CharField(help_text="SHA-256 of the file's bytes.")
    bytes = serializers.IntegerField(help_text="Size in storage, thumbnail included.")
    width = serializers.IntegerField(**NULLABLE)
    height = serializers.IntegerField(**NULLABLE)
    duration_seconds = serializers.FloatField(**NULLABLE)
    created_at = serializers.DateTimeField()
    data = serializers.CharField(help_text="The file, base64.")  # type: ignore[assignment]  # a field named like Serializer.data


class ExportInvitationSerializer(serializers.Serializer):
    """An invitation without its token hash (the token itself was never stored)."""

    id = serializers.IntegerField()
    role = serializers.ChoiceField(choices=Role.choices)
    status = serializers.ChoiceField(choices=["pending", "accepted", "revoked", "expired"])
    created_by = serializers.IntegerField(source="created_by_id", **NULLABLE)
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    accepted_by = serializers.IntegerField(source="accepted_by_id", **NULLABLE)
    accepted_at = serializers.DateTimeField(allow_null=True)
    revoked_at = serializers.DateTimeField(allow_null=True)


def family_export_serializer() -> type[serializers.Serializer]:
    """The whole file as one serializer (for the schema): the header, then every section
    the apps registered, in file order."""
    fields: dict[str, serializers.Field] = {
        "format": serializers.CharField(help_text="``tandem-export/1``."),
        "exported_at": serializers.DateTimeField(),
        "exported_by": serializers.IntegerField(help_text="The user id of who asked for it."),
        "family": ExportFamilySerializer(),
    }
    fields.update({section.name: section.field() for section in export_sections()})
    return type(
        "FamilyExportSerializer",
        (serializers.Serializer,),
        {
            **fields,
            "__doc__": "Everything a family has stored in Tandem (documentation of the "
            "streamed file).",
            "__module__": __name__,
        },
    )
