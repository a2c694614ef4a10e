"""Routine endpoints: routines with nested steps, runs, history."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from core.timeutils import family_today
from families.models import Child
from families.scoping import FamilyScopedViewSet

from .history import routine_history
from .models import Routine
from .routines import delete_routine
from .runs import run_state, start_run
from .serializers import RoutineSerializer, steps_with_media
from .serializers_runs import (
    HistoryQuerySerializer,
    RoutineHistorySerializer,
    RunSerializer,
    StartRunSerializer,
    run_answer,
)

HISTORY_DEFAULT_DAYS = 28


class RoutineViewSet(FamilyScopedViewSet):
    """The family's routines, each with its ordered steps (written in the same request)."""

    queryset = Routine.objects.select_related("family").prefetch_related(
        Prefetch("steps", queryset=steps_with_media()),
        Prefetch("children", queryset=Child.objects.only("id")),
    )
    serializer_class = RoutineSerializer
    child_field = "children"
    sitter_actions = ("list", "retrieve", "runs")

    def get_serializer_class(self) -> type:
        if self.action == "runs":
            return StartRunSerializer
        if self.action == "history":
            return HistoryQuerySerializer
        return RoutineSerializer

    def perform_update(self, serializer: BaseSerializer[Routine]) -> None:
        assert serializer.instance is not None
        self._require_every_child_visible(serializer.instance)
        serializer.save()

    def perform_destroy(self, instance: Routine) -> None:
        self._require_every_child_visible(instance)
        delete_routine(instance)

    def _require_every_child_visible(self, routine: Routine) -> None:
        # A member who sees only Sam must not rewrite (or delete) Lu's side of a routine.
        visible = self.visible_child_ids
        # (The through table: routine.children holds only the visible side, prefetched.)
        links = Routine.children.through.objects.filter(routine_id=routine.pk)
        if visible is not None and links.exclude(child_id__in=visible).exists():
            raise PermissionDenied(_("This routine is also for a child you don't look after."))

    @extend_schema(
        request=StartRunSerializer,
        responses={200: RunSerializer, 201: RunSerializer},
        summary="Start (or fetch) a child's run of this routine on a day",
    )
    @action(detail=True, methods=["post"])
    def runs(self, request: Request, pk: str | None = None, **kwargs: object) -> Response:
        routine = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        day = serializer.validated_data.get("date") or family_today(self.family)
        run, created = start_run(routine=routine, child=serializer.validated_data["child"], day=day)
        return Response(
            run_answer(run_state(run)),
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "from", str, description="First day, YYYY-MM-DD (default: 4 weeks ago)"
            ),
            OpenApiParameter("to", str, description="Last day, YYYY-MM-DD (default: today)"),
            OpenApiParameter("child", int, description="Only this child"),
        ],
        responses=RoutineHistorySerializer,
        summary="Per-day completion, streaks and completion rate",
    )
    @action(detail=True, methods=["get"])
    def history(self, request: Request, pk: str | None = None, **kwargs: object) -> Response:
        routine = self.get_object()
        query = self.get_serializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        last = query.validated_data.get("to") or family_today(self.family)
        first = query.validated_data.get("from") or last - timedelta(days=HISTORY_DEFAULT_DAYS - 1)
        history = routine_history(routine, first, last, child=query.validated_data.get("child"))
        return Response(RoutineHistorySerializer(history).data)

    def get_queryset(self) -> QuerySet[Routine]:
        queryset = super().get_queryset()
        # Only the caller's side of a routine shared with a child they may not see.
        children = Child.objects.all()
        if self.visible_child_ids is not None:
            children = children.filter(pk__in=self.visible_child_ids)
        if self.action in ("runs", "history"):
            return queryset.prefetch_related(None).prefetch_related(
                Prefetch("children", queryset=children)
            )
        return queryset.prefetch_related(None).prefetch_related(
            Prefetch("steps", queryset=steps_with_media()),
            Prefetch("children", queryset=children.only("id")),
        )
