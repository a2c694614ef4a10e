"""Serializers for the vocabulary, strategies and check-ins (suggestions/insights: see
``serializers_insights``)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api import FieldTemplateMixin, datetime_text
from families.models import Child, Membership
from families.scoping import FamilyRelatedField

from . import recording, strategies, vocabulary
from .models import NOTE_MAX_LENGTH, CheckIn, Outcome, Strategy
from .strategy_catalogue import GUIDED_PATTERNS, KINDS, NOT_MEDICAL_ADVICE

QUADRANT_CHOICES = [key for key, _ in vocabulary.QUADRANTS]


# --- vocabulary ------------------------------------------------------------------------


class EmotionSerializer(serializers.Serializer):
    key = serializers.CharField()
    # (A field named like a Field attribute: the metaclass moves it out of the class.)
    label = serializers.CharField()  # type: ignore[assignment]  # declared field, not Field.label
    kid_label = serializers.CharField()
    emoji = serializers.CharField()
    energy = serializers.ChoiceField(choices=vocabulary.ENERGIES)
    pleasantness = serializers.ChoiceField(choices=vocabulary.PLEASANTNESSES)
    quadrant = serializers.ChoiceField(choices=QUADRANT_CHOICES)


class KeyLabelSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # declared field, not Field.label


class VocabularySerializer(serializers.Serializer):
    """The feelings vocabulary (``vocabulary.as_api()``); ``version`` grows with additions."""

    version = serializers.IntegerField()
    emotions = EmotionSerializer(many=True)
    quadrants = KeyLabelSerializer(many=True)
    body_areas = KeyLabelSerializer(many=True)
    sensations = KeyLabelSerializer(many=True)


def validate_emotion_key(value: str) -> str:
    """Accept only feelings from the vocabulary; the message says where to find them."""
    if value not in vocabulary.EMOTION_KEYS:
        raise serializers.ValidationError(
            _("Unknown feeling %(value)r: use a key from GET /api/v1/emotions/, e.g. 'worried'.")
            % {"value": value}
        )
    return value


# --- strategies ------------------------------------------------------------------------


@extend_schema_field({"type": "string", "enum": QUADRANT_CHOICES})
class QuadrantKeyField(serializers.CharField):
    """A quadrant key, documented as the enum it is; ``validate_energy_fit`` checks it, so
    the error names ``energy_fit`` and lists the keys."""


class StrategyTitleField(serializers.CharField):
    """A strategy's title in the reader's language (built-ins are translated by key)."""

    def to_representation(self, value: Strategy) -> str:  # type: ignore[override]  # given the strategy (source="strategy"), not a str
        return strategies.title_of(value)


class StrategySerializer(serializers.ModelSerializer):
    """A strategy; built-ins (``builtin``: true) are read-only, families add their own."""

    kind = serializers.ChoiceField(choices=KINDS)
    steps = serializers.ListField(
        child=serializers.CharField(max_length=300), min_length=1, max_length=10
    )
    fits = serializers.ListField(
        child=serializers.ChoiceField(choices=sorted(vocabulary.EMOTION_KEYS)),
        required=False,
        max_length=len(vocabulary.EMOTIONS),
    )
    energy_fit = serializers.ListField(
        child=QuadrantKeyField(),
        required=False,
        max_length=4,
        help_text="Quadrant keys: " + ", ".join(QUADRANT_CHOICES) + ".",
    )
    guided = serializers.ChoiceField(
        choices=GUIDED_PATTERNS, allow_null=True, required=False, default=None
    )
    builtin = serializers.BooleanField(source="is_builtin", read_only=True)
    not_medical_advice = serializers.SerializerMethodField()

    class Meta:
        model = Strategy
        fields = ["id", "key", *strategies.CATALOGUE_FIELDS, "builtin", "not_medical_advice"]
        read_only_fields = ["id", "key"]

    def get_not_medical_advice(self, strategy: Strategy) -> str:
        return _(NOT_MEDICAL_ADVICE)

    def to_representation(self, instance: Strategy) -> dict[str, Any]:
        return strategies.in_language(instance, super().to_representation(instance))

    def validate_title(self, value: str) -> str:
        if not value.strip():
            raise serializers.ValidationError(_("Give the strategy a title."))
        return value.strip()

    def validate_steps(self, value: list[str]) -> list[str]:
        steps = [step.strip() for step in value]
        if not all(steps):
            raise serializers.ValidationError(_("Every step needs some words."))
        return steps

    def validate_energy_fit(self, value: list[str]) -> list[str]:
        unknown = [q for q in value if q not in QUADRANT_CHOICES]
        if unknown:
            raise serializers.ValidationError(
                _("Unknown quadrant %(value)r; use %(choices)s.")
                % {"value": unknown[0], "choices": ", ".join(QUADRANT_CHOICES)}
            )
        return value

    def validate(self, attrs: dict) -> dict:
        fits = attrs.get("fits", getattr(self.instance, "fits", []))
        energy_fit = attrs.get("energy_fit")
        if "fits" in attrs:
            attrs["fits"] = list(dict.fromkeys(fits))
        if energy_fit is None and "fits" in attrs:
            # Not given: the quadrants of the feelings it fits.
            quadrants = {vocabulary.EMOTIONS_BY_KEY[key].quadrant for key in attrs["fits"]}
            attrs["energy_fit"] = [q for q in QUADRANT_CHOICES if q in quadrants]
        elif energy_fit is not None:
            attrs["energy_fit"] = list(dict.fromkeys(energy_fit))
        if not fits and not attrs.get("energy_fit", getattr(self.instance, "energy_fit", [])):
            raise serializers.ValidationError(
                {"fits": [_("Choose at least one feeling this strategy helps with.")]}
            )
        return attrs

    def create(self, validated_data: dict) -> Strategy:
        return strategies.create_strategy(**validated_data)


# --- check-ins -------------------------------------------------------------------------


class _CheckInFieldsMixin(serializers.Serializer):
    """Validation shared by a check-in and the caregiver check-in nested in it."""

    def validate_emotion(self, value: str) -> str:
        return validate_emotion_key(value)

    def validate_body_areas(self, value: list[str]) -> list[str]:
        try:
            return vocabulary.validate_body_areas(value)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from exc

    def validate_note(self, value: str) -> str:
        return value.strip()


_CHECKIN_EXTRA = {
    "intensity": {"min_value": 1, "max_value": 5},
    "note": {"max_length": NOTE_MAX_LENGTH, "required": False, "allow_blank": True},
}
_CHECKIN_READ_ONLY = [
    "pair",
    "created_by",
    "created_at",
    "follow_up_at",
    "outcome",
    "outcome_emotion",
    "outcome_at",
]


class CaregiverCheckInSerializer(
    FieldTemplateMixin, _CheckInFieldsMixin, serializers.ModelSerializer
):
    """The caregiver's own check-in, made together with the child's (coregulation)."""

    id = serializers.UUIDField()
    body_areas = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        default=list,
        max_length=vocabulary.MAX_BODY_AREAS,
    )

    class Meta:
        model = CheckIn
        fields = ["id", "member", "emotion", "intensity", "body_areas", "note", *_CHECKIN_READ_ONLY]
        read_only_fields = ["member", *_CHECKIN_READ_ONLY]
        extra_kwargs = _CHECKIN_EXTRA


class CheckInSerializer(FieldTemplateMixin, _CheckInFieldsMixin, serializers.ModelSerializer):
    """A check-in for a child (``child``) or for the caller themself (``member``).

    ``caregiver`` (with its own client-chosen ``id``) makes it a coregulation check-in: the
    caregiver's own check-in is stored with the child's, both sharing ``pair``.
    """

    id = serializers.UUIDField(
        help_text="Chosen by the client (a UUID v4); a retry with the same id is idempotent."
    )
    child = FamilyRelatedField(
        noun="child",
        queryset=Child.objects.all(),
        required=False,
        allow_null=True,
        shared_children=True,  # read for its pk only; a device's goes to the database
    )
    member = FamilyRelatedField(
        noun="member",
        queryset=Membership.objects.all(),
        required=False,
        allow_null=True,
        help_text="Your own membership id, to check in for yourself instead of a child.",
    )
    strategy = FamilyRelatedField(
        noun="strategy",
        queryset=Strategy.objects.all(),
        scope=strategies.visible_strategies,  # the built-ins too
        prepared=strategies.VISIBLE_STRATEGY,
        required=False,
        allow_null=True,
    )
    strategy_title = StrategyTitleField(
        source="strategy", read_only=True, default=None, allow_null=True
    )
    body_areas = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        default=list,
        max_length=vocabulary.MAX_BODY_AREAS,
        help_text="Body areas, optionally with a sensation: ['chest', 'tummy:fluttery'].",
    )
    caregiver = CaregiverCheckInSerializer(
        source="caregiver_checkin",
        required=False,
        allow_null=True,
        help_text="Coregulation: the caregiver's own check-in made with this child's one.",
    )

    class Meta:
        model = CheckIn
        fields = [
            "id",
            "child",
            "member",
            "emotion",
            "intensity",
            "body_areas",
            "note",
            "strategy",
            "strategy_title",
            "occurred_at",
            "caregiver",
            "by_child",
            *_CHECKIN_READ_ONLY,
        ]
        read_only_fields = _CHECKIN_READ_ONLY
        extra_kwargs = {
            **_CHECKIN_EXTRA,
            "occurred_at": {"required": False},
            "by_child": {
                "required": False,
                "help_text": "The child's own check-in, from their tablet (a child device, "
                "which may record nothing else): the feeling and its size only.",
            },
        }

    def validate_member(self, value: Membership | None) -> Membership | None:
        if value is not None and value.pk != self.context["membership"].pk:
            raise serializers.ValidationError(_("You can check in only for yourself."))
        return value

    def validate(self, attrs: dict) -> dict:
        if "occurred_at" in attrs:
            recording.check_occurred_at(attrs["occurred_at"])
        child, member = attrs.get("child"), attrs.get("member")
        if (child is None) == (member is None):
            raise serializers.ValidationError(
                {"child": [_("Choose one child, or check in for yourself with member.")]}
            )
        caregiver = attrs.get("caregiver_checkin")
        self._check_by_child(attrs)
        if caregiver is not None:
            if child is None:
                raise serializers.ValidationError(
                    {"caregiver": [_("A coregulation check-in needs the child's check-in too.")]}
                )
            if caregiver["id"] == attrs["id"]:
                raise serializers.ValidationError(
                    {"caregiver.id": [_("Use a different id for the caregiver's check-in.")]}
                )
        return attrs

    def _check_by_child(self, attrs: dict) -> None:
        """A child's tablet records only the child's own feeling and size; nobody else
        records one "by the child"."""
        by_child = attrs.get("by_child", False)
        membership = self.context.get("membership")
        if getattr(membership, "is_device", False) != by_child:
            message = (
                _("A child's tablet records only the child's own check-in: send by_child: true.")
                if by_child is False
                else _("Only the child's own tablet records a check-in by the child.")
            )
            raise serializers.ValidationError({"by_child": [message]})
        if by_child:
            for name, present in (
                ("member", attrs.get("member") is not None),
                ("caregiver", attrs.get("caregiver_checkin") is not None),
                ("strategy", attrs.get("strategy") is not None),
                ("note", bool(attrs.get("note"))),
                ("body_areas", bool(attrs.get("body_areas"))),
            ):
                if present:
                    raise serializers.ValidationError(
                        {name: [_("A child's own check-in has only a feeling and a size.")]}
                    )

    def to_data(self) -> tuple[recording.CheckInData, recording.CheckInData | None]:
        """The validated request as service inputs: the check-in and the caregiver's one."""
        attrs = dict(self.validated_data)
        caregiver = attrs.pop("caregiver_checkin", None)
        main = recording.CheckInData(
            id=attrs["id"],
            emotion=attrs["emotion"],
            intensity=attrs["intensity"],
            child=attrs.get("child"),
            member=attrs.get("member"),
            body_areas=attrs.get("body_areas", []),
            note=attrs.get("note", ""),
            strategy=attrs.get("strategy"),
            occurred_at=attrs.get("occurred_at"),
            by_child=attrs.get("by_child", False),
        )
        partner = None
        if caregiver is not None:
            partner = recording.CheckInData(
                id=caregiver["id"],
                emotion=caregiver["emotion"],
                intensity=caregiver["intensity"],
                member=self.context["membership"],
                body_areas=caregiver.get("body_areas", []),
                note=caregiver.get("note", ""),
                occurred_at=main.occurred_at,
            )
        return main, partner


def checkin_answer(checkin: CheckIn) -> dict[str, Any]:
    """``checkin`` in the shape ``CheckInSerializer`` documents, written directly: a new
    check-in answers this (``tests/test_checkins_api.py`` holds the two to the same JSON):
    the serializer walked its fields again to write what the request already holds."""
    partner: CheckIn | None = getattr(checkin, "caregiver_checkin", None)
    return {
        "id": str(checkin.pk),
        "child": checkin.child_id,
        **_felt(checkin),
        "strategy": checkin.strategy_id,
        "strategy_title": strategies.title_of(checkin.strategy) if checkin.strategy else None,
        "occurred_at": datetime_text(checkin.occurred_at),
        "caregiver": None
        if partner is None
        else {"id": str(partner.pk), **_felt(partner), **_recorded(partner)},
        "by_child": checkin.by_child,
        **_recorded(checkin),
    }


def _felt(checkin: CheckIn) -> dict[str, Any]:
    return {
        "member": checkin.member_id,
        "emotion": checkin.emotion,
        "intensity": checkin.intensity,
        "body_areas": list(checkin.body_areas),
        "note": checkin.note,
    }


def _recorded(checkin: CheckIn) -> dict[str, Any]:
    return {
        "pair": None if checkin.pair is None else str(checkin.pair),
        "created_by": checkin.created_by_id,
        "created_at": datetime_text(checkin.created_at),
        "follow_up_at": datetime_text(checkin.follow_up_at),
        "outcome": checkin.outcome,
        "outcome_emotion": checkin.outcome_emotion,
        "outcome_at": datetime_text(checkin.outcome_at),
    }


class CheckInChangeSerializer(serializers.Serializer):
    """What can change after a check-in: the follow-up answer (any member), and the time it
    happened (who recorded it, or an owner)."""

    outcome = serializers.ChoiceField(choices=Outcome.choices, required=False)
    outcome_emotion = serializers.CharField(
        max_length=32, required=False, allow_blank=True, default=""
    )
    occurred_at = serializers.DateTimeField(
        required=False, help_text="Correct when it happened (who recorded it, or an owner)."
    )

    def validate_outcome_emotion(self, value: str) -> str:
        return validate_emotion_key(value) if value else value

    def validate(self, attrs: dict) -> dict:
        extra = sorted(set(self.initial_data) - set(self.fields))
        if extra:
            message = _(
                "Only outcome, outcome_emotion and occurred_at can change after a check-in."
            )
            raise serializers.ValidationError({name: [message] for name in extra})
        if "outcome" not in attrs and "occurred_at" not in attrs:
            raise serializers.ValidationError({"outcome": [_("Give the follow-up answer.")]})
        if "occurred_at" in attrs:
            recording.check_occurred_at(attrs["occurred_at"])
        return attrs
