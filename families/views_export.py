"""Export endpoints: the family's data as a JSON download (the check-ins' CSV is in
``checkins.views_export``, on the same base).

Any member may export (they can read all of it in the app anyway). Both are streamed
(``families.export``), throttled per user (``THROTTLE_EXPORT``) and marked ``no-store`` so
neither a proxy nor the service worker keeps a copy of a family's data.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.http import StreamingHttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.request import Request
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from . import export
from .scoping import FamilyScopedMixin
from .serializers_export import family_export_serializer
from .users import request_user


class _JsonErrorsNegotiation(BaseContentNegotiation):
    """Errors are always JSON, whatever ``Accept`` says (the file itself is not rendered)."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None


class ExportView(FamilyScopedMixin, APIView):
    """A streamed download of a family's data: throttled, ``no-store``, errors in JSON."""

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "export"
    whole_family_only = True  # nothing of a child a member may not see leaves in a file
    content_negotiation_class = _JsonErrorsNegotiation

    def download(self, chunks: Iterator[str], content_type: str, filename: str):
        response = StreamingHttpResponse(
            (chunk.encode() for chunk in chunks), content_type=content_type
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["Cache-Control"] = "no-store"
        return response


class FamilyExportView(ExportView):
    """All of the family's data as one JSON file (any member)."""

    @extend_schema(
        operation_id="families_export_retrieve",
        responses={200: family_export_serializer()},
        description="Downloads as `tandem-<family>-<date>.json`. Includes the requesting "
        "user's own push subscriptions (push service host only) and no invitation tokens.",
    )
    def get(self, request: Request, family_id: int) -> StreamingHttpResponse:
        family = self.family
        return self.download(
            export.family_export_json(family, request_user(request)),
            "application/json",
            export.export_filename(family, "json"),
        )
