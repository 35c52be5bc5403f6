"""REST shapes of the homework conversation. Serializers describe and parse; the rules live
in ``conversations.services``."""

from rest_framework import serializers

from conversations.models import (
    AgreementStatus,
    Decision,
    ItemReview,
    MissedReason,
    MissedReasonKind,
    Outcome,
    PlanAgreement,
    SessionConversation,
)
from conversations.quality import MAX_LEVEL

_LEVEL = {"required": False, "allow_null": True, "min_value": 0, "max_value": MAX_LEVEL}


class ItemReviewSerializer(serializers.ModelSerializer):
    class Meta:
        model = ItemReview
        fields = [
            "id",
            "conversation",
            "session",
            "assignment",
            "client",
            "outcome",
            "learned",
            "obstacles",
            "reason",
            "reason_text",
            "decision",
            "quantity",
            "quality",
            "effort",
            "skill_when_upset",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ItemReviewWriteSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    learned = serializers.CharField(required=False, allow_blank=True, max_length=4000, default="")
    obstacles = serializers.CharField(required=False, allow_blank=True, max_length=4000, default="")
    reason = serializers.ChoiceField(
        choices=MissedReasonKind.choices, required=False, allow_blank=True, default=""
    )
    reason_text = serializers.CharField(
        required=False, allow_blank=True, max_length=500, default=""
    )
    decision = serializers.ChoiceField(choices=Decision.choices, default=Decision.KEEP)
    quantity = serializers.IntegerField(**_LEVEL, help_text="0–2: none, some, all of it.")
    quality = serializers.IntegerField(**_LEVEL, help_text="0–2: not, partly, as agreed.")
    effort = serializers.IntegerField(**_LEVEL, help_text="0–2: little, some, sustained.")
    skill_when_upset = serializers.IntegerField(
        **_LEVEL, help_text="0–2: not yet, once or partly, when it mattered."
    )

    def service_kwargs(self) -> dict:
        data = dict(self.validated_data)
        levels = {
            name: data.pop(name, None)
            for name in ("quantity", "quality", "effort", "skill_when_upset")
        }
        return {**data, "levels": levels}


class ItemReviewCreateSerializer(ItemReviewWriteSerializer):
    conversation = serializers.UUIDField()
    assignment = serializers.UUIDField()


class ConversationSerializer(serializers.ModelSerializer):
    held_on = serializers.DateField(source="session.held_on", read_only=True)
    items = ItemReviewSerializer(many=True, read_only=True)

    class Meta:
        model = SessionConversation
        fields = [
            "id",
            "client",
            "session",
            "held_on",
            "client_involved",
            "praise_given",
            "difficulties_discussed",
            "plan_adjusted",
            "agreed_note",
            "finished_at",
            "items",
            "created_at",
        ]
        read_only_fields = fields


class ConversationStartSerializer(serializers.Serializer):
    client = serializers.UUIDField()


class ConversationFinishSerializer(serializers.Serializer):
    client_involved = serializers.BooleanField()
    praise_given = serializers.BooleanField()
    difficulties_discussed = serializers.BooleanField()
    plan_adjusted = serializers.BooleanField()
    agreed_note = serializers.CharField(
        required=False, allow_blank=True, max_length=4000, default=""
    )


class PlanAgreementSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlanAgreement
        fields = [
            "id",
            "assignment",
            "client",
            "status",
            "proposed_change",
            "confidence",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class PlanAgreementCreateSerializer(serializers.Serializer):
    assignment = serializers.UUIDField()
    status = serializers.ChoiceField(choices=AgreementStatus.choices)
    proposed_change = serializers.CharField(
        required=False, allow_blank=True, max_length=1000, default=""
    )
    confidence = serializers.IntegerField(min_value=0, max_value=10)


class MissedReasonSerializer(serializers.ModelSerializer):
    class Meta:
        model = MissedReason
        fields = ["id", "occurrence", "assignment", "client", "reason", "text", "created_at"]
        read_only_fields = fields


class MissedReasonCreateSerializer(serializers.Serializer):
    occurrence = serializers.UUIDField()
    reason = serializers.ChoiceField(choices=MissedReasonKind.choices)
    text = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")
