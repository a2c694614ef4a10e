"""Strategy suggestions and insights: read-only computed answers."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import validation_error
from core.timeutils import family_today
from families.models import Child
from families.scoping import FamilyScopedMixin

from . import vocabulary
from .insights import build_insights
from .serializers_insights import (
    InsightsQuerySerializer,
    InsightsSerializer,
    SuggestionQuerySerializer,
    SuggestionsSerializer,
)
from .strategy_catalogue import NOT_MEDICAL_ADVICE
from .suggestions import suggest


class SuggestionsView(FamilyScopedMixin, GenericAPIView):
    """Calming strategies ranked for a child's feeling, each with the reason it is suggested."""

    serializer_class = SuggestionsSerializer
    pagination_class = None
    sitter_actions = ("get",)

    @extend_schema(parameters=[SuggestionQuerySerializer], responses=SuggestionsSerializer)
    def get(self, request: Request, family_id: int) -> Response:
        query = SuggestionQuerySerializer(
            data=request.query_params, context=self.get_serializer_context()
        )
        query.is_valid(raise_exception=True)
        params = query.validated_data
        child = params.get("child")
        suggestions = suggest(
            family=self.family,
            emotion=params["emotion"],
            intensity=params["intensity"],
            child=child,
            caregiver_emotion=params.get("caregiver_emotion"),
            caregiver_intensity=params.get("caregiver_intensity"),
            limit=params["limit"],
        )
        data = {
            "emotion": vocabulary.EMOTIONS_BY_KEY[params["emotion"]].as_dict(),
            "intensity": params["intensity"],
            "child": child,
            "not_medical_advice": NOT_MEDICAL_ADVICE,
            "suggestions": suggestions,
        }
        return Response(SuggestionsSerializer(data).data)


class InsightsView(FamilyScopedMixin, GenericAPIView):
    """Per family-local day: check-ins by quadrant; top feelings; strategies that helped;
    mood meter, hard moments, what helps with what, routines and feelings, coregulation.
    A week or month around ``date``, or the custom range ``from`` … ``to``."""

    serializer_class = InsightsSerializer
    pagination_class = None

    @extend_schema(parameters=[InsightsQuerySerializer], responses=InsightsSerializer)
    def get(self, request: Request, family_id: int) -> Response:
        query = InsightsQuerySerializer(
            data=request.query_params, context=self.get_serializer_context()
        )
        query.is_valid(raise_exception=True)
        params = query.validated_data
        custom = "from" in params
        child = params.get("child")
        if child is None and self.visible_child_ids is not None:
            # "All children" means every child of the family: only for who sees them all.
            if len(self.visible_child_ids) != 1:
                raise validation_error("child", _("Choose one of the children you look after."))
            child = Child.objects.get(pk=next(iter(self.visible_child_ids)))
        data = build_insights(
            family=self.family,
            child=child,
            period="custom" if custom else params["period"],
            day=params.get("date") or family_today(self.family),
            first=params.get("from"),
            last=params.get("to"),
            routine=params.get("routine"),
        )
        return Response(InsightsSerializer(data).data)
