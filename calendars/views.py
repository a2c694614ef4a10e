"""Calendar feeds: a member's feeds under ``families/{id}/calendar-feeds/``, and the feed
itself at ``cal/{token}.ics`` (no account, no cookie: the token is the secret)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from django.db.models import QuerySet
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.http import http_date, parse_http_date_safe
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import BaseParser
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from families.links import site_url
from families.scoping import FamilyScopedMixin

from . import feeds
from .models import CalendarFeed
from .serializers import FeedCreateSerializer, FeedSerializer, IssuedFeedSerializer

# Calendar apps poll subscriptions; an hour keeps them and any cache in between near.
MAX_AGE_SECONDS = 3600


def _issued(request: Request, issued: feeds.IssuedFeed) -> dict[str, Any]:
    """The answer with the feed's URL, which exists only now (only its hash is stored)."""
    url = f"{site_url(request._request)}/api/v1/cal/{issued.token}.ics"
    feed: Any = issued.feed
    feed.url, feed.webcal_url = url, "webcal://" + url.split("://", 1)[1]
    return dict(IssuedFeedSerializer(feed).data)


class CalendarFeedViewSet(
    FamilyScopedMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The caller's own calendar feeds: create (the URL is shown only then), list,
    regenerate (a new URL; the old one is 404), delete (revoke: 404 at once)."""

    queryset = CalendarFeed.objects.filter(revoked_at__isnull=True)
    serializer_class = FeedSerializer

    def get_queryset(self) -> QuerySet[CalendarFeed]:
        queryset = super().get_queryset()
        if getattr(self, "swagger_fake_view", False):
            return queryset
        return queryset.filter(membership=self.membership).order_by("created_at", "id")

    @extend_schema(request=FeedCreateSerializer, responses={201: IssuedFeedSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = FeedCreateSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        issued = feeds.create_feed(
            membership=self.membership,
            scope=body.validated_data["scope"],
            child=body.validated_data.get("child"),
        )
        return Response(_issued(request, issued), status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: IssuedFeedSerializer})
    @action(detail=True, methods=["post"])
    def regenerate(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        issued = feeds.regenerate(self.get_object())
        return Response(_issued(request, issued))

    def perform_destroy(self, instance: CalendarFeed) -> None:
        feeds.revoke(instance)


class _AnyAccept(BaseContentNegotiation):
    """Calendar apps ask for ``text/calendar`` (or anything): the feed answers its .ics
    whatever they accept, and errors as JSON."""

    def select_parser(self, request: Request, parsers: Iterable[BaseParser]) -> Any:
        return next(iter(parsers), None)

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: Any = None
    ) -> Any:
        renderer = next(iter(renderers))
        return renderer, renderer.media_type


class CalendarFileView(APIView):
    """A feed's calendar (RFC 5545). Answers ``If-None-Match`` / ``If-Modified-Since``
    with 304; a revoked, regenerated or unknown token is a 404."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    content_negotiation_class = _AnyAccept
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "calendar"

    @extend_schema(
        responses={
            (200, "text/calendar"): OpenApiResponse(OpenApiTypes.STR, description="The .ics"),
            304: OpenApiResponse(description="Not modified since the ETag or date sent."),
            404: OpenApiResponse(description="Unknown, regenerated or revoked."),
        },
    )
    def get(self, request: Request, token: str) -> HttpResponse:
        feed = feeds.live_feed(token)
        children = feeds.feed_children(feed) if feed is not None else None
        if feed is None or children is None:
            raise NotFound(_("No such calendar."))
        body = feeds.cached_body(
            feed, children, urlsplit(site_url(request._request)).hostname or "tandem"
        )
        etag, changed = feeds.record_version(feed, body)
        headers = {
            "ETag": etag,
            "Last-Modified": http_date(changed.timestamp()),
            "Cache-Control": f"private, max-age={MAX_AGE_SECONDS}",
            "X-Robots-Tag": "noindex",
        }
        match = request.headers.get("If-None-Match")
        since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
        if (match is not None and etag in [t.strip() for t in match.split(",")] + ["*"]) or (
            match is None and since is not None and since >= int(changed.timestamp())
        ):
            not_modified = HttpResponseNotModified()
            for key, value in headers.items():
                not_modified[key] = value
            return not_modified
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = 'inline; filename="tandem.ics"'
        for key, value in headers.items():
            response[key] = value
        return response
