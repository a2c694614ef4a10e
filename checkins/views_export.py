"""The family's check-ins as a CSV download (``families/{id}/export/checkins.csv``)."""

from __future__ import annotations

from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.request import Request

from families.export import export_filename
from families.views_export import ExportView

from . import export


class CheckInsCsvView(ExportView):
    """The family's check-ins as CSV (any member), family-local dates."""

    @extend_schema(
        operation_id="families_export_checkins_csv",
        responses={
            (200, "text/csv"): OpenApiResponse(
                response=OpenApiTypes.STR,
                description="UTF-8 (with BOM), a header row, one row per check-in. Cells "
                "that would start a formula are prefixed with a quote.",
            )
        },
    )
    def get(self, request: Request, family_id: int) -> StreamingHttpResponse:
        family = self.family
        return self.download(
            export.checkins_csv(family),
            "text/csv; charset=utf-8",
            export_filename(family, "csv", part="checkins"),
        )
