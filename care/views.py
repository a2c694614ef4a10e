"""Duty ("I have Sam now"), handovers, and the care log per child."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from core.timeutils import family_today
from families.models import Child
from families.scoping import FamilyScopedMixin

from . import handover
from .models import Handover
from .serializers import (
    ChildDutySerializer,
    DutySerializer,
    HandoverQuerySerializer,
    HandoverSerializer,
    LogEntrySerializer,
    LogQuerySerializer,
)


class _ChildView(FamilyScopedMixin, GenericAPIView):
    queryset = Child.objects.all()  # the child in the URL (and its schema type)

    def child(self) -> Child:
        return get_object_or_404(self.visible_children(), pk=self.kwargs["child_id"])


class ChildDutyView(_ChildView):
    """``PUT``: I have this child now; ``DELETE``: I no longer do."""

    serializer_class = DutySerializer
    sitter_actions = ("put", "delete")

    @extend_schema(request=None, responses={200: DutySerializer})
    def put(self, request: Request, **kwargs: Any) -> Response:
        duty = handover.start_duty(self.membership, self.child())
        return Response(DutySerializer(duty).data)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, **kwargs: Any) -> Response:
        handover.end_duty(self.membership, self.child())
        return Response(status=status.HTTP_204_NO_CONTENT)


class DutyListView(FamilyScopedMixin, GenericAPIView):
    """Who is on duty for each child the caller sees."""

    serializer_class = ChildDutySerializer
    queryset = Child.objects.all()
    pagination_class = None
    sitter_actions = ("get",)

    @extend_schema(responses={200: ChildDutySerializer(many=True)})
    def get(self, request: Request, **kwargs: Any) -> Response:
        child_ids = list(self.visible_children().values_list("pk", flat=True))
        duties = handover.on_duty(self.family, child_ids)
        data = [
            {
                "child": child_id,
                "members": [
                    {
                        "id": d.membership_id,
                        "name": d.membership.user.display_name,
                        "since": d.since,
                    }
                    for d in duties.get(child_id, [])
                ],
            }
            for child_id in child_ids
        ]
        return Response(ChildDutySerializer(data, many=True).data)


class HandoverViewSet(
    FamilyScopedMixin, mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Handovers, newest first (``?child=`` for one child's); POST hands over."""

    queryset = Handover.objects.select_related("to_membership__user").prefetch_related("children")
    serializer_class = HandoverSerializer
    child_field = "children"
    sitter_actions = ("list", "create")

    @extend_schema(parameters=[HandoverQuerySerializer])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        queryset = super().get_queryset()
        if self.action == "list" and self.request.query_params:
            query = HandoverQuerySerializer(
                data=self.request.query_params, context=self.get_serializer_context()
            )
            query.is_valid(raise_exception=True)
            if "child" in query.validated_data:
                queryset = queryset.filter(children=query.validated_data["child"])
        if self.membership.sitter_pass is not None:  # nothing from before the pass
            queryset = queryset.filter(created_at__gte=self.membership.sitter_pass.starts_at)
        return queryset

    def perform_create(self, serializer: Any) -> None:
        data = serializer.validated_data
        serializer.instance = handover.hand_over(
            membership=self.membership,
            children=data["children"],
            note=data.get("note", ""),
            to=data.get("to"),
        )


class CareLogView(_ChildView):
    """One child's day: who ticked what, check-ins, duty changes, handovers, pass uses."""

    serializer_class = LogEntrySerializer
    pagination_class = None

    @extend_schema(parameters=[LogQuerySerializer], responses={200: LogEntrySerializer(many=True)})
    def get(self, request: Request, **kwargs: Any) -> Response:
        query = LogQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        child = self.child()
        day = query.validated_data.get("date") or family_today(self.family)
        entries = handover.care_log(self.family, child, day)
        return Response(LogEntrySerializer(entries, many=True).data)
