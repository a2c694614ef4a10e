"""``families/{id}/media/``: upload a photo or a recording, read it back, delete it.

Files are served by the app, through the family's scoping (another family's media, or
one only a hidden child uses, is a 404), as private immutable responses under their
content-hashed names, with single ``Range`` requests for audio players that need them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from core.parsers import BoundedMultiPartParser

from . import media as rules
from .media import media_url
from .models import Media, MediaKind
from .scoping import FamilyScopedMixin
from .users import request_user

CACHE_CONTROL = "private, max-age=31536000, immutable"
CHUNK = 64 * 1024
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


class MediaUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        allow_empty_file=True,  # an empty file is refused by media.py, naming `file`
        help_text="The photo (JPEG, PNG, WebP, GIF) or the recording (WebM, MP4, Ogg).",
    )
    kind = serializers.ChoiceField(choices=MediaKind.choices)


class MediaSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="The file (content-hashed name).")
    thumbnail_url = serializers.SerializerMethodField(help_text="Images: a 256 px version.")
    duration_seconds = serializers.FloatField(read_only=True, allow_null=True)

    class Meta:
        model = Media
        fields = [
            "id",
            "kind",
            "url",
            "thumbnail_url",
            "content_type",
            "width",
            "height",
            "duration_seconds",
            "bytes",
            "created_at",
        ]
        read_only_fields = fields

    def get_url(self, media: Media) -> str:
        return media_url(media.family_id, media.pk, media.file) or ""

    def get_thumbnail_url(self, media: Media) -> str | None:
        return media_url(media.family_id, media.pk, media.thumbnail)


class MediaViewSet(
    FamilyScopedMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The family's photos and voice recordings."""

    queryset = Media.objects.all()
    serializer_class = MediaSerializer
    parser_classes = [BoundedMultiPartParser]
    child_field = "pk"  # see child_filter: a media is about the children that use it
    sitter_actions = ("retrieve", "file")
    device_actions = ("retrieve", "file")  # a tablet shows its children's pictures
    http_method_names = ["get", "post", "delete", "head", "options"]

    @staticmethod
    def upload_limit() -> int:
        """The largest body an upload may declare (the largest file and the form's parts)."""
        largest = max(settings.MEDIA_IMAGE_UPLOAD_MAX_BYTES, settings.MEDIA_AUDIO_MAX_BYTES)
        return int(largest + 64 * 1024)

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        # An <img> or an <audio> may accept only images or audio: the file is written by
        # serve() whatever it accepts, and errors are JSON, never a 406.
        return super().perform_content_negotiation(request, force=True)

    def child_filter(self, child_ids: frozenset[int]) -> Q:
        visible = Media.objects.filter(
            rules.visible_media(child_ids, request_user(self.request).pk)
        )
        return Q(pk__in=visible.values("pk"))

    @extend_schema(
        request={"multipart/form-data": MediaUploadSerializer},
        responses={201: MediaSerializer, 200: MediaSerializer},
        description="Checked by content: a file that is not an image or a recording Tandem "
        "can read, an empty one, one too large or too long, or one over the family's quota "
        "is a 400 naming `file`, and nothing is stored. The same content again answers the "
        "stored media (200).",
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        upload = MediaUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        media, created = rules.save_media(
            family=self.family,
            kind=upload.validated_data["kind"],
            upload=upload.validated_data["file"],
            user=request_user(request),
        )
        return Response(
            MediaSerializer(media).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(
        responses={
            (200, "*/*"): OpenApiResponse(OpenApiTypes.BINARY, description="The file."),
            (206, "*/*"): OpenApiResponse(OpenApiTypes.BINARY, description="A byte range."),
            304: OpenApiResponse(description="Not modified."),
            416: OpenApiResponse(description="The range is outside the file."),
        },
        description="The file itself (as its `url`): private, immutable, `Range` supported.",
    )
    def retrieve(  # type: ignore[override]  # the file itself, not a serializer's JSON
        self, request: Request, *args: Any, **kwargs: Any
    ) -> HttpResponseBase:
        media = self.get_object()
        return serve(request, media, media.file)

    @extend_schema(
        responses={
            (200, "*/*"): OpenApiResponse(OpenApiTypes.BINARY, description="The file."),
            (206, "*/*"): OpenApiResponse(OpenApiTypes.BINARY, description="A byte range."),
            304: OpenApiResponse(description="Not modified."),
            416: OpenApiResponse(description="The range is outside the file."),
        },
        operation_id="families_media_file_retrieve",
        description="A stored file of the media by its content-hashed name (`url`, "
        "`thumbnail_url`); another name is a 404.",
    )
    def file(self, request: Request, *args: Any, name: str = "", **kwargs: Any) -> HttpResponseBase:
        media = self.get_object()
        for stored in rules.stored_names(media):
            if stored.rsplit("/", 1)[-1] == name:
                return serve(request, media, stored)
        raise NotFound(_("No such file."))

    def perform_destroy(self, instance: Media) -> None:
        instance.delete()  # references are cleared (SET_NULL); files go on commit

    def get_queryset(self) -> QuerySet[Media]:
        return super().get_queryset()


def serve(request: Request, media: Media, name: str) -> HttpResponseBase:
    """Stream one stored file: whole, or the single byte range asked for."""
    content_type = "image/webp" if name.endswith(".webp") else media.content_type
    etag = f'"{media.sha256[:32]}{"t" if name.endswith("-thumb.webp") else ""}"'
    if request.headers.get("If-None-Match") == etag:
        response: HttpResponseBase = HttpResponse(status=304)
        return _headers(response, etag)
    files = rules.storage()
    try:
        size = files.size(name)
    except (OSError, ValueError):  # a file lost from the storage: as if it never was
        raise NotFound(_("No such file.")) from None
    wanted = request.headers.get("Range", "")
    match = _RANGE.match(wanted.strip()) if wanted else None
    start, end = 0, size - 1
    partial = False
    if match and (match.group(1) or match.group(2)):
        first, last = match.group(1), match.group(2)
        if first:
            start = int(first)
            end = min(int(last), size - 1) if last else size - 1
        else:  # the last N bytes
            start = max(0, size - int(last))
        if start >= size or start > end:
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{size}"
            return _headers(response, etag)
        partial = True
    handle = files.open(name, "rb")
    response = StreamingHttpResponse(
        _read(handle, start, end - start + 1),
        status=206 if partial else 200,
        content_type=content_type,
    )
    response["Content-Length"] = str(end - start + 1)
    if partial:
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    return _headers(response, etag)


def _headers(response: HttpResponseBase, etag: str) -> HttpResponseBase:
    response["Cache-Control"] = CACHE_CONTROL
    response["ETag"] = etag
    response["Accept-Ranges"] = "bytes"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    return response


def _read(handle: Any, start: int, length: int) -> Iterator[bytes]:
    try:
        handle.seek(start)
        while length > 0:
            chunk = handle.read(min(CHUNK, length))
            if not chunk:
                break
            length -= len(chunk)
            yield chunk
    finally:
        handle.close()
