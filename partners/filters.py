import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import Agreement, Municipality, Organisation, Sector, Signature


class OrganisationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"), method="search", help_text=_("Name, board number or BRIN")
    )
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Organisation.Kind.choices)
    sector = django_filters.ModelChoiceFilter(
        label=_("Sector"), field_name="sectors", queryset=Sector.objects.all()
    )
    municipality = django_filters.ModelChoiceFilter(
        label=_("Municipality"), queryset=Municipality.objects.all()
    )
    agreement = django_filters.ModelChoiceFilter(
        label=_("Signed"), queryset=Agreement.objects.all(), method="signed"
    )
    active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = Organisation
        fields = ["q", "kind", "sector", "municipality", "agreement", "active"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(name__icontains=value) | Q(board_number=value) | Q(brin__iexact=value)
        )

    def signed(self, queryset, name, value):
        return queryset.filter(
            signatures__agreement=value,
            signatures__status__in=[Signature.Status.SIGNED, Signature.Status.UNDER_RESERVATION],
        )
