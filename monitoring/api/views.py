"""The partner API's figures endpoints (/api/v1/): rounds, indicators, the token's own
figures and batches, and the public open data. See docs/api.md."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.response import Response

from portal.api import ApiMixin, ApiView

from .. import opendata
from ..importers import open_rounds
from ..models import FigureBatch, FigureValue, Indicator, ReportingRound
from . import batches
from .serializers import (
    BatchResultSerializer,
    BatchSerializer,
    ErrorSerializer,
    FigureSerializer,
    IndicatorSerializer,
    RoundSerializer,
)

READ = "figures:read"
SUBMIT = "figures:submit"
ERRORS = {
    401: OpenApiResponse(ErrorSerializer, description="No token, or not a valid one."),
    403: OpenApiResponse(ErrorSerializer, description="The token lacks the scope."),
    429: OpenApiResponse(ErrorSerializer, description="Too many requests; see Retry-After."),
}


class Pagination(LimitOffsetPagination):
    default_limit = 500
    max_limit = 5000


@extend_schema(tags=["rounds"], responses={200: RoundSerializer(many=True), **ERRORS})
class RoundList(ApiMixin, generics.ListAPIView):
    """The reporting rounds, newest first, with the indicators each asks for."""

    required_scopes = READ
    serializer_class = RoundSerializer
    queryset = ReportingRound.objects.prefetch_related("indicators").order_by("-year")

    def get_serializer_context(self):
        open_years = set(open_rounds().values_list("year", flat=True))
        return super().get_serializer_context() | {"open_years": open_years}


@extend_schema(tags=["indicators"], responses={200: IndicatorSerializer(many=True), **ERRORS})
class IndicatorList(ApiMixin, generics.ListAPIView):
    """The indicators partners report, with their unit, bounds and decimals."""

    required_scopes = READ
    serializer_class = IndicatorSerializer
    queryset = Indicator.objects.exclude(reporting_kinds=[]).order_by("position", "code")


@extend_schema(tags=["indicators"], responses={200: IndicatorSerializer, 404: ErrorSerializer})
class IndicatorDetail(ApiMixin, generics.RetrieveAPIView):
    required_scopes = READ
    serializer_class = IndicatorSerializer
    queryset = Indicator.objects.exclude(reporting_kinds=[])
    lookup_field = "code"


@extend_schema(
    tags=["figures"],
    parameters=[
        OpenApiParameter("round", int, description="Only this year's figures."),
        OpenApiParameter("indicator", str, description="Only this indicator (its code)."),
        OpenApiParameter(
            "status", str, enum=FigureValue.Status.values, description="Only this status."
        ),
    ],
    responses={200: FigureSerializer(many=True), 400: ErrorSerializer, **ERRORS},
)
class FigureList(ApiMixin, generics.ListAPIView):
    """The token's organisation's figures, newest round first."""

    required_scopes = READ
    serializer_class = FigureSerializer
    pagination_class = Pagination

    def get_queryset(self):
        figures = (
            FigureValue.objects.filter(organisation=self.request.user.organisation)
            .select_related("indicator")
            .order_by("-year", "indicator__code", "sector")
        )
        params = self.request.query_params
        if params.get("round"):
            try:
                figures = figures.filter(year=int(params["round"]))
            except ValueError:
                raise exceptions.ValidationError(
                    {"round": [_("Give the round as a year, e.g. 2026.")]}
                ) from None
        if params.get("indicator"):
            figures = figures.filter(indicator__code=params["indicator"])
        if params.get("status"):
            if params["status"] not in FigureValue.Status.values:
                raise exceptions.ValidationError(
                    {
                        "status": [
                            _("Use one of: %(values)s.")
                            % {"values": ", ".join(FigureValue.Status.values)}
                        ]
                    }
                )
            figures = figures.filter(status=params["status"])
        return figures


@extend_schema(tags=["figures"], responses={200: FigureSerializer, 404: ErrorSerializer, **ERRORS})
class FigureDetail(ApiMixin, generics.RetrieveAPIView):
    """One of the organisation's figures; another organisation's is not found (404)."""

    required_scopes = READ
    serializer_class = FigureSerializer

    def get_queryset(self):
        return FigureValue.objects.filter(
            organisation=self.request.user.organisation
        ).select_related("indicator")


class BatchCreate(ApiView):
    required_scopes = SUBMIT

    @extend_schema(
        tags=["figures"],
        request=BatchSerializer,
        responses={
            201: BatchResultSerializer,
            400: OpenApiResponse(ErrorSerializer, description="Nothing was saved; see errors."),
            409: OpenApiResponse(ErrorSerializer, description="The batch key was used before."),
            413: ErrorSerializer,
            **ERRORS,
        },
        summary="Submit a batch of figures",
        description=(
            "Saves every value or none, after the spreadsheet upload's checks (bounds, "
            "decimals, the 50 % change rule with its comment, duplicates). Sending the same "
            "batch again with its batch_key changes nothing and returns the first answer "
            "(with the header Idempotent-Replayed: true)."
        ),
    )
    def post(self, request):
        if not isinstance(request.data, dict):
            return Response(
                {
                    "detail": _("The body must be a JSON object with batch_key, round and values."),
                    "code": "not_an_object",
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        serializer = BatchSerializer(data=request.data)
        if not serializer.is_valid():
            return _invalid(serializer.errors)
        data = serializer.validated_data
        try:
            answer, replayed = batches.submit(
                request.user,
                key=data["batch_key"],
                year=data["round"],
                items=data["values"],
                digest=batches.body_hash(request.data),
            )
        except batches.BatchRefused as refused:
            return Response(refused.as_data(), status=refused.status)
        response = Response(answer, status=status.HTTP_201_CREATED)
        if replayed:
            response["Idempotent-Replayed"] = "true"
        return response


def _invalid(errors):
    """The serializer's errors, with the items' errors as [{item, field, messages}]."""
    data = {"detail": _("The request is not valid; nothing was saved."), "code": "invalid"}
    listed = []
    errors = dict(errors)
    values = errors.pop("values", None)
    # DRF gives a list's errors as {index: item's errors} and {"non_field_errors": [...]}
    # for the list itself (say, an empty one); a list of messages when it is not a list.
    if isinstance(values, dict):
        for index in sorted(key for key in values if isinstance(key, int)):
            item = values[index]  # a list of messages when the item is not an object
            fields = item.items() if isinstance(item, dict) else [("item", item)]
            for field, messages in fields:
                field = "item" if field == "non_field_errors" else field
                listed.append({"item": index + 1, "field": field, "messages": list(messages)})
        for key in (key for key in values if not isinstance(key, int)):
            errors.setdefault("values", []).extend(values[key])
    elif values is not None:
        errors["values"] = values
    for field, messages in errors.items():
        listed.append({"item": None, "field": field, "messages": list(messages)})
    data["errors"] = listed
    return Response(data, status=status.HTTP_400_BAD_REQUEST)


@extend_schema(
    tags=["figures"], responses={200: BatchResultSerializer, 404: ErrorSerializer, **ERRORS}
)
class BatchDetail(ApiView):
    """The answer to an earlier batch of this organisation, by its key."""

    required_scopes = READ

    def get(self, request, key):
        batch = get_object_or_404(FigureBatch, organisation=request.user.organisation, key=key)
        return Response(batch.response)


@extend_schema(
    tags=["open data"], auth=[], responses={200: OpenApiTypes.OBJECT, 429: ErrorSerializer}
)
class OpenDataFigures(ApiView):
    """The approved public aggregates, with small counts suppressed as on the public
    dashboard. No token needed."""

    def get(self, request):
        data = opendata.metadata() | {
            "fields": list(opendata.FIELDS),
            "rows": list(opendata.rows()),
        }
        return Response(data, headers={"Access-Control-Allow-Origin": "*"})


@extend_schema(
    tags=["open data"], auth=[], responses={200: OpenApiTypes.OBJECT, 429: ErrorSerializer}
)
class OpenDataIndicators(ApiView):
    """The public indicators' definitions. No token needed."""

    def get(self, request):
        return Response(
            {"indicators": opendata.indicator_definitions()},
            headers={"Access-Control-Allow-Origin": "*"},
        )
