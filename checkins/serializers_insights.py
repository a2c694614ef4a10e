"""Query and response serializers for suggestions and insights."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import serializers

from core.api import BoundedDateField
from families.models import Child
from families.scoping import FamilyRelatedField

from .insights import PERIOD_CHOICES, PERIODS
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
    routine = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**63 - 1,
        help_text="The routine 'routines and feelings' compares (default: the bedtime one).",
    )

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        # ``from`` is a Python keyword: declared here. Both given: a custom range.
        fields["from"] = BoundedDateField(
            required=False, help_text="First family-local day of a custom range (with to)."
        )
        fields["to"] = BoundedDateField(
            required=False, help_text="Last family-local day of a custom range (inclusive)."
        )
        return fields

    def validate(self, attrs: dict) -> dict:
        if ("from" in attrs) != ("to" in attrs):
            missing = "to" if "from" in attrs else "from"
            raise serializers.ValidationError({missing: [_("Give both from and to.")]})
        return attrs


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


class MoodQuadrantSerializer(KeyLabelSerializer):
    count = serializers.IntegerField()


class MoodPointSerializer(EmotionSerializer):
    intensity = serializers.IntegerField(help_text="1 (a little) to 5 (very).")
    count = serializers.IntegerField()


class MoodMeterSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    quadrants = MoodQuadrantSerializer(many=True)
    points = MoodPointSerializer(
        many=True, help_text="Check-ins per feeling and intensity, most frequent first."
    )


class KeyNumberLabelSerializer(serializers.Serializer):
    key = serializers.IntegerField()
    label = serializers.CharField()  # type: ignore[assignment]  # declared field, not Field.label


class TimeOfDaySerializer(KeyLabelSerializer):
    start = serializers.IntegerField(help_text="First family-local hour.")
    end = serializers.IntegerField(help_text="Hour it ends (exclusive).")


class HeatCellSerializer(serializers.Serializer):
    weekday = serializers.IntegerField(help_text="ISO weekday, Monday = 1.")
    time = serializers.CharField(help_text="A key of times.")
    count = serializers.IntegerField()


class HardMomentsSerializer(serializers.Serializer):
    quadrant = serializers.CharField()
    total = serializers.IntegerField()
    max = serializers.IntegerField()
    weekdays = KeyNumberLabelSerializer(many=True)
    times = TimeOfDaySerializer(many=True)
    cells = HeatCellSerializer(many=True, help_text="Every weekday × time, in that order.")


class HelpsStrategySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    key = serializers.CharField()
    title = serializers.CharField()
    used = serializers.IntegerField()
    tried = serializers.IntegerField(help_text="Uses with an answered follow-up.")
    helped = serializers.IntegerField(help_text="Follow-ups answered 'better'.")
    helped_share = serializers.FloatField(
        allow_null=True, help_text="helped / tried; null when too few tries to tell."
    )
    enough = serializers.BooleanField(help_text="False: too few to tell.")


class WhatHelpsSerializer(serializers.Serializer):
    quadrant = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # declared field, not Field.label
    strategies = HelpsStrategySerializer(many=True)


class RoutineRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class DaysBucketSerializer(serializers.Serializer):
    days = serializers.IntegerField(help_text="Days compared.")
    checkins = serializers.IntegerField(help_text="Big unpleasant check-ins on those days.")
    per_day = serializers.FloatField(allow_null=True, help_text="Null: too few days to tell.")
    enough = serializers.BooleanField()


class RoutinesAndFeelingsSerializer(serializers.Serializer):
    routine = RoutineRefSerializer(allow_null=True)
    routines = RoutineRefSerializer(many=True, help_text="Routines one may compare instead.")
    after_completed = DaysBucketSerializer()
    after_not_completed = DaysBucketSerializer()
    min_days = serializers.IntegerField()


class CoregulationGroupSerializer(serializers.Serializer):
    checkins = serializers.IntegerField()
    answered = serializers.IntegerField()
    better = serializers.IntegerField()
    same = serializers.IntegerField()
    worse = serializers.IntegerField()
    better_share = serializers.FloatField(allow_null=True)
    enough = serializers.BooleanField()


class CoregulationSerializer(serializers.Serializer):
    calm = CoregulationGroupSerializer(help_text="The caregiver checked in calm.")
    not_calm = CoregulationGroupSerializer()
    min_tries = serializers.IntegerField()


class SummaryHelpedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    helped = serializers.IntegerField(help_text="Follow-ups answered 'better'.")
    tried = serializers.IntegerField(help_text="Follow-ups answered.")


class SummaryRoutineSerializer(RoutineRefSerializer):
    kept = serializers.IntegerField(help_text="Scheduled days it was completed.")
    scheduled = serializers.IntegerField(help_text="Scheduled days that are over (or kept).")


class WeekSummarySerializer(serializers.Serializer):
    child = CheckInChildSerializer()
    checkin_days = serializers.IntegerField(help_text="Days with at least one check-in.")
    calm_days = serializers.IntegerField(
        help_text="Days with check-ins and none of a big unpleasant feeling."
    )
    helped = SummaryHelpedSerializer(
        allow_null=True, help_text="The strategy that helped most; null: none helped."
    )
    routine = SummaryRoutineSerializer(
        allow_null=True, help_text="The child's bedtime (default) routine; null: none."
    )


class InsightsSerializer(serializers.Serializer):
    child = CheckInChildSerializer(allow_null=True)
    period = serializers.ChoiceField(choices=PERIOD_CHOICES)
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
    mood_meter = MoodMeterSerializer()
    hard_moments = HardMomentsSerializer()
    what_helps = WhatHelpsSerializer(many=True, help_text="One entry per quadrant.")
    routines_and_feelings = RoutinesAndFeelingsSerializer()
    coregulation = CoregulationSerializer()
    min_tries = serializers.IntegerField(help_text="Fewer tries than this: too few to tell.")
    summary = WeekSummarySerializer(
        many=True, help_text="Per child, the figures of the weekly digest, in name order."
    )
