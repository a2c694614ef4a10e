"""``POST families/import/``: a new family from a Tandem export file (``families.imports``)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from .imports import import_family, read_file
from .scoping import SIGNED_IN
from .users import request_user


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="A Tandem export (the JSON of GET families/{id}/export/)."
    )
    name = serializers.CharField(
        required=False, max_length=80, help_text="The new family's name (default: the file's)."
    )


class ImportedFamilySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ImportedMemberSerializer(serializers.Serializer):
    name = serializers.CharField()
    role = serializers.CharField()


class ImportResultSerializer(serializers.Serializer):
    family = ImportedFamilySerializer()
    counts = serializers.DictField(
        child=serializers.IntegerField(), help_text="Rows written per section of the file."
    )
    members = ImportedMemberSerializer(
        many=True, help_text="The file's other members, by name: they have no account here."
    )


class FamilyImportView(APIView):
    """Create a new family from an export file, the caller its owner (all or nothing)."""

    permission_classes = SIGNED_IN
    parser_classes = [MultiPartParser]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "import"

    @extend_schema(
        operation_id="families_import_create",
        request={"multipart/form-data": ImportUploadSerializer},
        responses={201: ImportResultSerializer},
        description="Validated before anything is written: a bad or foreign file is a 400 "
        "naming where it is wrong (e.g. `checkins.12.child`).",
    )
    def post(self, request: Request) -> Response:
        upload = ImportUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        doc = read_file(upload.validated_data["file"])
        result = import_family(
            user=request_user(request), doc=doc, name=upload.validated_data.get("name")
        )
        body = {
            "family": {"id": result.family.pk, "name": result.family.name},
            "counts": result.counts,
            "members": result.members,
        }
        return Response(ImportResultSerializer(body).data, status=status.HTTP_201_CREATED)
