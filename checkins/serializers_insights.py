"""Query and response serializers for suggestions and insights."""

from __future__ import annotations

from rest_framework import serializers

from core.api import BoundedDateField
from families.models import Child
from families.scoping import FamilyRelatedField

from .insights import PERIODS
from .serializers import (
    EmotionSerializer,
    KeyLabelSerializer,
    StrategySerializer,
    validate_emotion_key,
)


class CheckInChildSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


# --- suggestions -----------------------------------------------------------------------


class SuggestionQuerySerializer(serializers.Serializer):
    emotion = serializers.CharField(help_text="The child's feeling (a vocabulary key).")
    intensity = serializers.IntegerField(min_value=1, max_value=5, default=3)
    child = FamilyRelatedField(
        noun="child",
        queryset=Child.objects.all(),
        required=False,
        allow_null=True,
        help_text="Rank by what helped this child before.",
    )
    caregiver_emotion = serializers.CharField(
        required=False,
        help_text="The caregiver's own feeling; high-energy unpleasant puts a "
        "caregiver-first step on top.",
    )
    caregiver_intensity = serializers.IntegerField(min_value=1, max_value=5, required=False)
    limit = serializers.IntegerField(min_value=1, max_value=20, default=5)

    def validate_emotion(self, value: str) -> str:
        return validate_emotion_key(value)

    def validate_caregiver_emotion(self, value: str) -> str:
        return validate_emotion_key(value)


class SuggestionSerializer(serializers.Serializer):
    strategy = StrategySerializer()
    reason = serializers.CharField(help_text='Why it is suggested, e.g. "helped Sam 4 of 5 times".')
    fit = serializers.IntegerField(
        help_text="2: fits the feeling; 1: fits its energy and pleasantness."
    )
    helped = serializers.IntegerField(help_text="Follow-ups answered 'better' for this child.")
    tried = serializers.IntegerField(help_text="Follow-ups answered for this child.")
    pinned = serializers.BooleanField(help_text="A caregiver-first step put on top.")


class SuggestionsSerializer(serializers.Serializer):
    emotion = EmotionSerializer()
    intensity = serializers.IntegerField()
    child = CheckInChildSerializer(allow_null=True)
    not_medical_advice = serializers.CharField()
    suggestions = SuggestionSerializer(many=True)


# --- insights --------------------------------------------------------------------------


class InsightsQuerySerializer(serializers.Serializer):
    child = FamilyRelatedField(
        noun="child",
        queryset=Child.objects.all(),
        required=False,
        allow_null=True,
        help_text="Leave out for all the family's children.",
    )
    period = serializers.ChoiceField(choices=PERIODS, default="week")
    date = BoundedDateField(
        required=False, help_text="Any family-local day in the period (default: today)."
    )


class QuadrantCountsSerializer(serializers.Serializer):
    high_unpleasant = serializers.IntegerField()
    high_pleasant = serializers.IntegerField()
    low_unpleasant = serializers.IntegerField()
    low_pleasant = serializers.IntegerField()


class InsightDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    total = serializers.IntegerField()
    quadrants = QuadrantCountsSerializer()


class FeelingCountSerializer(EmotionSerializer):
    count = serializers.IntegerField()


class StrategyRateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    key = serializers.CharField()
    title = serializers.CharField()
    used = serializers.IntegerField()
    tried = serializers.IntegerField(help_text="Uses with an answered follow-up.")
    helped = serializers.IntegerField(help_text="Follow-ups answered 'better'.")
    helped_rate = serializers.FloatField(allow_null=True, help_text="helped / tried, 0 to 1.")


class InsightRoutineDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    runs = serializers.IntegerField()
    completed = serializers.IntegerField()


class InsightsSerializer(serializers.Serializer):
    child = CheckInChildSerializer(allow_null=True)
    period = serializers.ChoiceField(choices=PERIODS)
    start = serializers.DateField()
    end = serializers.DateField()
    total = serializers.IntegerField()
    quadrants = KeyLabelSerializer(many=True, help_text="The quadrants, in chart order.")
    days = InsightDaySerializer(many=True)
    feelings = FeelingCountSerializer(many=True, help_text="Most frequent feelings first.")
    strategies = StrategyRateSerializer(many=True, help_text="Highest helped-rate first.")
    routines = InsightRoutineDaySerializer(
        many=True, help_text="Routine runs per day; empty when there are no routines."
    )
