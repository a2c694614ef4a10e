"""Endpoints for the feelings vocabulary, strategies and check-ins."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import F, Q, QuerySet
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.views import APIView

from families.scoping import SIGNED_IN, FamilyScopedMixin, FamilyScopedViewSet

from . import recording, strategies, vocabulary
from .filters import CheckInFilter, FamilyFilterBackend
from .models import CheckIn, Strategy
from .serializers import (
    CheckInChangeSerializer,
    CheckInSerializer,
    StrategySerializer,
    VocabularySerializer,
    checkin_answer,
)

UUID_PATTERN = r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"


class EmotionsView(APIView):
    """The feelings vocabulary, body areas and sensations (the same for every family)."""

    permission_classes = SIGNED_IN
    device_actions = ("get",)  # the child's own check-in shows these faces

    @extend_schema(responses=VocabularySerializer)
    @method_decorator(cache_control(private=True, max_age=3600))
    def get(self, request: Request) -> Response:
        return Response(vocabulary.as_api())


class BuiltinStrategiesAreReadOnly(permissions.BasePermission):
    message = "Built-in strategies can't be changed or deleted; add your own strategy instead."

    def has_object_permission(self, request: Request, view: Any, obj: Strategy) -> bool:
        return request.method in permissions.SAFE_METHODS or not obj.is_builtin


class StrategyViewSet(FamilyScopedViewSet):
    """Built-in strategies (read-only) and the family's own (any member may add and edit)."""

    queryset = Strategy.objects.all()
    serializer_class = StrategySerializer
    sitter_actions = ("list", "retrieve")
    permission_classes = [*FamilyScopedViewSet.permission_classes, BuiltinStrategiesAreReadOnly]

    def get_queryset(self) -> QuerySet[Strategy]:
        if getattr(self, "swagger_fake_view", False):
            return Strategy.objects.none()
        return strategies.visible_strategies(self.family).order_by(
            F("family").asc(nulls_first=True), "position", "title", "id"
        )

    def perform_create(self, serializer: BaseSerializer[Strategy]) -> None:
        serializer.save(family=self.family, created_by=self.request.user)


CONFLICT = OpenApiResponse(
    description="The id is already used by a different check-in (or another family's)."
)


@extend_schema_view(
    list=extend_schema(summary="Check-ins, newest first"),
    retrieve=extend_schema(summary="One check-in (with the caregiver's own, if coregulation)"),
)
class CheckInViewSet(
    FamilyScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Emotional check-ins of the family's children and of its caregivers themselves."""

    queryset = CheckIn.objects.select_related("strategy")
    serializer_class = CheckInSerializer
    child_field = "child"
    sitter_actions = ("list", "retrieve", "create", "partial_update")
    device_actions = ("create",)  # the child's own check-in (by_child), nothing to read
    filter_backends = [FamilyFilterBackend]
    filterset_class = CheckInFilter
    lookup_value_regex = UUID_PATTERN
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def child_filter(self, child_ids: frozenset[int]) -> Q:
        # Their children's check-ins and their own; a sitter's, from the pass's start only.
        visible = Q(child__in=child_ids) | Q(member=self.membership)
        if self.membership.sitter_pass is not None:
            visible &= Q(occurred_at__gte=self.membership.sitter_pass.starts_at)
        return visible

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        assert page is not None  # the API paginates every list (DEFAULT_PAGINATION_CLASS)
        recording.attach_partners(page)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        checkin = self.get_object()
        checkin.caregiver_checkin = recording.partner_of(checkin)
        return Response(self.get_serializer(checkin).data)

    @extend_schema(
        summary="Record a check-in (idempotent by its client-chosen id)",
        description=(
            "The client chooses `id` (a UUID), so this is safe to retry: the same `id` with "
            "the same content answers **200** with the stored check-in and creates nothing; "
            "a new one answers **201**. The same `id` with other content, or used by another "
            "family, answers **409** naming `id`.\n\n"
            "Give `child` for a child's check-in, or `member` (your own membership id) for "
            "your own. **Coregulation**: post the child's check-in with `caregiver: {id, "
            "emotion, intensity, body_areas?, note?}` — your own check-in, with its own "
            "client-chosen id. Both are stored together in one transaction and share `pair` "
            "(the child check-in's id); retries of the whole request are idempotent.\n\n"
            "With a `strategy`, `follow_up_at` is `occurred_at` plus the family's "
            "`follow_up_minutes`: that is when Tandem asks how the child is now."
        ),
        responses={
            201: CheckInSerializer,
            200: OpenApiResponse(CheckInSerializer, description="A retry: the stored check-in."),
            409: CONFLICT,
        },
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = cast(CheckInSerializer, self.get_serializer(data=request.data))
        serializer.is_valid(raise_exception=True)
        data, caregiver = serializer.to_data()
        # A clash with a stored check-in raises recording.CheckInConflict: a 409 naming the field.
        checkin, partner, created = recording.record_checkin(
            family=self.family, user=request.user, data=data, caregiver=caregiver
        )
        checkin.caregiver_checkin = partner
        return Response(
            checkin_answer(checkin),
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(
        summary="Record the follow-up (better, same or worse), or correct when it happened",
        description="`outcome` (with `outcome_emotion`) answers the follow-up; any member may. "
        "`occurred_at` moves the check-in, with its coregulation partner and an unanswered "
        "follow-up; only who recorded it, or an owner, may (else 403).",
        request=CheckInChangeSerializer,
        responses=CheckInSerializer,
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        checkin = self.get_object()
        change = CheckInChangeSerializer(data=request.data)
        change.is_valid(raise_exception=True)
        answer = change.validated_data
        if "occurred_at" in answer:
            self._require_correctable(checkin)
            checkin = recording.correct_occurred_at(checkin, answer["occurred_at"])
        if "outcome" in answer:
            recording.record_outcome(
                checkin, outcome=answer["outcome"], outcome_emotion=answer["outcome_emotion"]
            )
        checkin.caregiver_checkin = recording.partner_of(checkin)
        return Response(self.get_serializer(checkin).data)

    @extend_schema(
        summary="Delete a mistaken check-in (who recorded it, or an owner)",
        description="Its coregulation partner and pending follow-up go with it.",
    )
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        checkin = self.get_object()
        self._require_correctable(checkin)
        recording.delete_checkin(checkin)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _require_correctable(self, checkin: CheckIn) -> None:
        if not recording.may_correct(checkin, self.membership):
            raise PermissionDenied(
                _("Only who recorded this check-in, or an owner, can change it.")
            )
