"""Strategy suggestions and insights: read-only computed answers."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from core.timeutils import family_today
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
    """Per family-local day: check-ins by quadrant; top feelings; strategies that helped."""

    serializer_class = InsightsSerializer
    pagination_class = None

    @extend_schema(parameters=[InsightsQuerySerializer], responses=InsightsSerializer)
    def get(self, request: Request, family_id: int) -> Response:
        query = InsightsQuerySerializer(
            data=request.query_params, context=self.get_serializer_context()
        )
        query.is_valid(raise_exception=True)
        params = query.validated_data
        data = build_insights(
            family=self.family,
            child=params.get("child"),
            period=params["period"],
            day=params.get("date") or family_today(self.family),
        )
        return Response(InsightsSerializer(data).data)
