"""Reports (a PDF rendered by a worker) and shares, under ``families/{id}/``; the share
link's own pages, which need no account (``share/{token}/``)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from checkins.insights import build_insights
from core.timeutils import family_local
from families.links import site_url
from families.scoping import FamilyScopedMixin
from families.users import request_user

from . import rendering, services, tasks
from .models import Report, ReportStatus, Share
from .serializers import (
    ReportCreateSerializer,
    ReportSerializer,
    ShareCreatedSerializer,
    ShareCreateSerializer,
    SharedDataSerializer,
    ShareSerializer,
    VisitSerializer,
)

GONE = _("This link has expired or was revoked. Ask the family for a new one.")
PDF = OpenApiResponse(OpenApiTypes.BINARY, description="application/pdf")


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


class ReportViewSet(
    FamilyScopedMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """PDF reports: ``POST`` queues one (202), ``GET`` shows its progress, ``pdf/`` is it."""

    queryset = Report.objects.defer("pdf").prefetch_related("children")
    serializer_class = ReportSerializer
    whole_family_only = True  # a report may hold any child: members who see every child
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "report"

    @extend_schema(request=ReportCreateSerializer, responses={202: ReportSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = ReportCreateSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        data = body.validated_data
        report = services.create_report(
            family=self.family,
            user=request_user(request),
            children=data["children"],
            first=data["from"],
            last=data["to"],
            sections=data["sections"],
            include_notes=data["include_notes"],
            enqueue=tasks.render_report.delay,
        )
        report.refresh_from_db()
        return Response(ReportSerializer(report).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses={200: PDF})
    @action(detail=True, methods=["get"])
    def pdf(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
        report = self.get_object()
        content = Report.objects.filter(pk=report.pk).values_list("pdf", flat=True).get()
        if report.status != ReportStatus.DONE or content is None:
            raise NotFound(_("The report is not ready yet."))
        return _pdf(bytes(content), f"tandem-report-{report.first}-{report.last}.pdf")


class ShareViewSet(
    FamilyScopedMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.ListModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Read-only links for a professional: create (the token shown once), list with their
    status, revoke (``DELETE``: the link answers 410 at once), and their visits."""

    queryset = (
        Share.objects.prefetch_related("children")
        .annotate(visit_count=Count("visits"))
        .order_by("-created_at", "-id")
    )
    serializer_class = ShareSerializer
    whole_family_only = True  # a share may hold any child: members who see every child

    @extend_schema(request=ShareCreateSerializer, responses={201: ShareCreatedSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = ShareCreateSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        data = body.validated_data
        made = services.create_share(
            family=self.family,
            user=request_user(request),
            children=data["children"],
            first=data["from"],
            last=data["to"],
            sections=data["sections"],
            include_notes=data["include_notes"],
            expires_at=data["expires_at"],
            label=data["label"],
        )
        answer = {
            "id": made.share.pk,
            "token": made.token,
            "url": f"{site_url(request)}/share/{made.token}/",
            "expires_at": made.share.expires_at,
        }
        return Response(ShareCreatedSerializer(answer).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance: Share) -> None:
        services.revoke_share(instance)

    @extend_schema(responses={200: VisitSerializer(many=True)})
    @action(detail=True, methods=["get"], pagination_class=None)
    def visits(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        share = self.get_object()
        return Response(VisitSerializer(share.visits.all()[:500], many=True).data)


# --- The link itself: no account, read-only, noindex, never cached -----------------------


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _gone() -> HttpResponse:
    return _private(HttpResponse(GONE, status=410, content_type="text/plain; charset=utf-8"))


def _gone_json() -> HttpResponse:
    """The API's 410, in the one error shape."""
    return _private(JsonResponse({"detail": GONE, "code": "gone", "errors": {}}, status=410))


class _ShareLinkView(APIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "share"

    def share_context(self, share: Share) -> dict[str, Any]:
        return rendering.page_context(
            family=share.family,
            children=list(share.children.order_by("name", "id")),
            first=share.first,
            last=share.last,
            sections=share.sections,
            include_notes=share.include_notes,
        )

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        return _private(super().finalize_response(request, response, *args, **kwargs))


class SharePageView(_ShareLinkView):
    """The page a professional opens: the shared children's insights and the PDF link."""

    schema = None  # an HTML page, not part of the API

    def get(self, request: Request, token: str) -> HttpResponse:
        share = services.live_share(token)
        if share is None:
            return _gone()
        services.record_visit(share, user_agent=request.headers.get("User-Agent", ""), what="page")
        html = rendering.render_html(
            self.share_context(share),
            share=share,
            expires_local=family_local(share.family, share.expires_at),
            pdf_url=f"/share/{token}/report.pdf",
        )
        return HttpResponse(html)


class SharePdfView(_ShareLinkView):
    """The share's PDF report, rendered when asked."""

    @extend_schema(responses={200: PDF, 410: OpenApiResponse(description="Expired or revoked.")})
    def get(self, request: Request, token: str) -> HttpResponse:
        share = services.live_share(token)
        if share is None:
            return _gone_json()
        services.record_visit(share, user_agent=request.headers.get("User-Agent", ""), what="pdf")
        return _pdf(rendering.render_pdf(self.share_context(share)), "tandem-report.pdf")


class ShareDataView(_ShareLinkView):
    """The share's insights as JSON: only its children, range and sections."""

    @extend_schema(
        responses={
            200: SharedDataSerializer,
            410: OpenApiResponse(description="Expired or revoked."),
        }
    )
    def get(self, request: Request, token: str) -> Response | HttpResponse:
        share = services.live_share(token)
        if share is None:
            return _gone_json()
        services.record_visit(share, user_agent=request.headers.get("User-Agent", ""), what="data")
        children = []
        for child in share.children.order_by("name", "id"):
            data = build_insights(
                family=share.family,
                child=child,
                period="custom",
                first=share.first,
                last=share.last,
            )
            children.append(
                {
                    "child": {"id": child.pk, "name": child.name},
                    **{key: data[key] for key in share.sections if key in data},
                    "days": data["days"] if "feelings" in share.sections else [],
                }
            )
        body = {
            "label": share.label,
            "from": share.first,
            "to": share.last,
            "expires_at": share.expires_at,
            "sections": share.sections,
            "children": children,
        }
        return Response(body)


class SharePagePdfView(SharePdfView):
    """The same PDF at the page's own address (``/share/{token}/report.pdf``)."""

    schema = None  # documented once, under /api/v1/share/{token}/report.pdf
