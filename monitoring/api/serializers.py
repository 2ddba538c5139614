"""What the API sends and takes. The batch's items are checked here only for their JSON
types; what the values mean is checked by the spreadsheet upload's resource (see batches)."""

from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import FigureValue, Indicator, ReportingRound


class RoundSerializer(serializers.ModelSerializer):
    is_open = serializers.SerializerMethodField()
    indicators = serializers.SlugRelatedField(many=True, read_only=True, slug_field="code")

    class Meta:
        model = ReportingRound
        fields = ["year", "opens_on", "closes_on", "is_open", "indicators"]

    def get_is_open(self, round_) -> bool:
        return round_.year in self.context.get("open_years", ())


class IndicatorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Indicator
        fields = [
            "code",
            "name",
            "unit",
            "sector",
            "reporting_kinds",
            "aggregation",
            "min_value",
            "max_value",
            "decimals",
            "counts_persons",
            "description",
            "source",
        ]


class FigureSerializer(serializers.ModelSerializer):
    indicator = serializers.SlugRelatedField(read_only=True, slug_field="code")
    round = serializers.IntegerField(source="year", read_only=True)

    class Meta:
        model = FigureValue
        fields = [
            "id",
            "indicator",
            "round",
            "sector",
            "value",
            "comment",
            "status",
            "rejection_reason",
            "source",
            "updated_at",
        ]


@extend_schema_field(
    {
        "oneOf": [{"type": "number"}, {"type": "string"}],
        "description": "A number, or a string with a number in it (a decimal comma is fine).",
        "example": 12,
    }
)
class NumberField(serializers.Field):
    """A JSON number (kept exact) or a string; passed on as text to the upload's checks."""

    default_error_messages = {
        "invalid": gettext_lazy("Give the value as a number or as a string."),
    }

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | Decimal | float | str):
            self.fail("invalid")
        return data if isinstance(data, str) else str(data)

    def to_representation(self, value):
        return value


class BatchItemSerializer(serializers.Serializer):
    indicator = serializers.CharField(max_length=60, help_text="The indicator's code.")
    sector = serializers.CharField(
        max_length=16,
        required=False,
        allow_blank=True,
        default="",
        help_text="po, vo, mbo, ...; leave out when the figure covers every sector.",
    )
    value = NumberField()
    comment = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=4000,
        help_text="Required when the value changed by more than half against last year.",
    )


class BatchSerializer(serializers.Serializer):
    batch_key = serializers.RegexField(
        r"^[A-Za-z0-9._:-]{1,100}$",
        help_text=(
            "Chosen by the client, unique per organisation: sending the same batch again "
            "with the same key changes nothing and returns the first answer."
        ),
        error_messages={
            "invalid": gettext_lazy(
                "Use 1 to 100 letters, digits, dots, dashes, underscores or colons."
            )
        },
    )
    round = serializers.IntegerField(help_text="The year of an open reporting round.")
    values = BatchItemSerializer(many=True, allow_empty=False)

    def to_internal_value(self, data):
        values = data.get("values") if isinstance(data, dict) else None
        if isinstance(values, list) and len(values) > settings.API_MAX_BATCH_ITEMS:
            raise serializers.ValidationError(
                {
                    "values": [
                        _(
                            "A batch holds at most %(max)s values; this one has %(n)s. "
                            "Send it as several batches."
                        )
                        % {"max": settings.API_MAX_BATCH_ITEMS, "n": len(values)}
                    ]
                }
            )
        return super().to_internal_value(data)


class ItemErrorSerializer(serializers.Serializer):
    item = serializers.IntegerField(help_text="The item's number in `values`, from 1.")
    field = serializers.CharField(help_text="The item's field, or `item` for the whole item.")
    messages = serializers.ListField(child=serializers.CharField())


class BatchResultItemSerializer(serializers.Serializer):
    item = serializers.IntegerField()
    id = serializers.IntegerField(help_text="The figure's id (see /figures/{id}/).")
    result = serializers.ChoiceField(choices=["created", "updated", "unchanged"])


class BatchResultSerializer(serializers.Serializer):
    batch_key = serializers.CharField()
    round = serializers.IntegerField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    values = BatchResultItemSerializer(many=True)
    submitted_at = serializers.DateTimeField()


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()
    errors = ItemErrorSerializer(many=True, required=False)
