"""The Today board and step completions (idempotent PUT = done, DELETE = undo)."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.cache import get_conditional_response
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from core.timeutils import family_today
from families.scoping import FamilyScopedMixin
from families.users import request_user

from . import runs
from .board import board_json
from .models import RoutineRun, RoutineStep
from .serializers_runs import BoardSerializer, RunSerializer, TodayQuerySerializer, run_answer


class TodayView(FamilyScopedMixin, GenericAPIView):
    """Each child's routines on a family-local day, in time order, with now/next steps."""

    serializer_class = BoardSerializer
    sitter_actions = ("get",)
    device_actions = ("get",)  # the child's board on their tablet

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "date", OpenApiTypes.DATE, description="YYYY-MM-DD; default: the family's today"
            )
        ],
        responses={
            200: BoardSerializer,
            304: OpenApiResponse(description="Unchanged since the `ETag` in If-None-Match."),
        },
    )
    def get(self, request: Request, **kwargs: object) -> HttpResponse:
        day = None
        if request.query_params:
            query = TodayQuerySerializer(data=request.query_params)
            query.is_valid(raise_exception=True)
            day = query.validated_data.get("date")
        # Already rendered as BoardSerializer documents it, and cached until it changes
        # (for a member who sees only some children, only theirs).
        etag, body = board_json(
            self.family, day or family_today(self.family), child_ids=self.visible_child_ids
        )
        response = get_conditional_response(request, etag=etag) or HttpResponse(
            body, content_type="application/json"
        )
        response["ETag"] = etag
        # The phone's browser keeps it but asks every time (the Today screen polls).
        response["Cache-Control"] = "private, no-cache"
        return response


class _CompletionView(FamilyScopedMixin, GenericAPIView):
    queryset = RoutineRun.objects.all()
    family_field = "routine__family"
    child_field = "child"
    sitter_actions = ("put", "delete")
    device_actions = ("put", "delete")  # the child ticks their own steps
    serializer_class = RunSerializer

    def _set(self, done: bool) -> Response:
        # The tick's answer already holds what the serializer shows: no re-read.
        return Response(run_answer(self._set_done(done)))

    def _set_done(self, done: bool) -> runs.RunState:
        raise NotImplementedError

    @extend_schema(request=None, responses=RunSerializer, summary="Mark the step done")
    def put(self, request: Request, **kwargs: object) -> Response:
        return self._set(True)

    @extend_schema(request=None, responses={200: RunSerializer}, summary="Undo the step")
    def delete(self, request: Request, **kwargs: object) -> Response:
        return self._set(False)


class RunStepCompletionView(_CompletionView):
    """``PUT`` marks a step of a run done, ``DELETE`` undoes it; both answer the run."""

    def _set_done(self, done: bool) -> runs.RunState:
        run = get_object_or_404(
            self.get_queryset().select_related("routine"), pk=self.kwargs["run"]
        )
        step = get_object_or_404(RoutineStep, pk=self.kwargs["step"], routine_id=run.routine_id)
        return runs.set_step_done(
            run=run, step=step, done=done, user=request_user(self.request) if done else None
        )


class DayStepCompletionView(_CompletionView):
    """The same, addressed by routine, child and day: what an offline phone replays.

    The run is created on the way if needed, so no run id has to be known beforehand.
    """

    def _set_done(self, done: bool) -> runs.RunState:
        routine_id, child_id = self.kwargs["routine"], self.kwargs["child"]
        target = runs.find_day_tick(
            self.family,
            routine_id=routine_id,
            step_id=self.kwargs["step"],
            child_id=child_id,
            day=self.kwargs["date"],
        )
        visible = self.visible_child_ids
        if target is None:
            raise Http404
        if not target.child_found or (visible is not None and child_id not in visible):
            raise Http404
        return runs.set_step_done_on_day(
            family=self.family,
            routine_id=routine_id,
            child_id=child_id,
            day=self.kwargs["date"],
            target=target,
            done=done,
            user=request_user(self.request),
        )
