from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce

from .models import Agreement, Contact, Organisation, Sector, Signature


def organisations_for_list():
    """Organisations with everything the list shows, in a fixed number of queries."""
    return (
        Organisation.objects.select_related("municipality", "parent")
        .prefetch_related("sectors")
        .annotate(
            # A subquery, not a join: computed only for the rows of the page shown.
            signature_count=Coalesce(
                Subquery(
                    Signature.objects.filter(organisation=OuterRef("pk"))
                    .exclude(status=Signature.Status.WITHDRAWN)
                    .order_by()
                    .values("organisation")
                    .annotate(n=Count("pk"))
                    .values("n")
                ),
                0,
            )
        )
    )


def organisation_detail():
    """Organisations with everything the detail page shows, prefetched."""
    return Organisation.objects.select_related("municipality", "parent").prefetch_related(
        "sectors",
        Prefetch("locations", queryset=Organisation.objects.only("pk", "name", "parent")),
        Prefetch(
            "signatures",
            queryset=Signature.objects.select_related("agreement").order_by(
                "-agreement__date", "agreement__name"
            ),
        ),
        Prefetch(
            "contacts", queryset=Contact.objects.filter(ended_on__isnull=True).order_by("name")
        ),
        Prefetch("memberships", queryset=_memberships()),
    )


def _memberships():
    from .models import Membership

    return Membership.objects.select_related("user").order_by("user__email")


def memberships_with_organisation(user):
    """A partner user's memberships, each with its organisation."""
    from .models import Membership

    return Membership.objects.filter(user=user).select_related("organisation")


def organisations_of(user):
    """The organisations a partner user belongs to."""
    return Organisation.objects.filter(memberships__user=user).order_by("name")


def organisation_history(organisation, limit=30):
    return organisation.history.select_related("history_user").order_by("-history_date")[:limit]


def agreement_signatures(agreement, *, public=False):
    signatures = agreement.signatures.select_related(
        "organisation", "organisation__municipality"
    ).order_by("organisation__name")
    if public:
        signatures = signatures.exclude(status=Signature.Status.WITHDRAWN)
    return signatures


def public_agreements():
    return Agreement.objects.filter(is_public=True).annotate(
        signatory_count=Count(
            "signatures", filter=~Q(signatures__status=Signature.Status.WITHDRAWN)
        )
    )


def agreements_with_counts():
    return Agreement.objects.annotate(
        signed_count=Count("signatures", filter=Q(signatures__status=Signature.Status.SIGNED)),
        reservation_count=Count(
            "signatures", filter=Q(signatures__status=Signature.Status.UNDER_RESERVATION)
        ),
        withdrawn_count=Count(
            "signatures", filter=Q(signatures__status=Signature.Status.WITHDRAWN)
        ),
    )


def register_partner_counts(sectors=("po", "vo", "mbo")):
    """Per sector, the region's school boards and locations in the registry as synced from
    DUO's register (partners.duo): the active locations in the region's municipalities and
    the boards that run them. One query."""
    counted = {
        row["sector"]: row
        for row in Organisation.objects.filter(
            kind=Organisation.Kind.SCHOOL_LOCATION,
            active=True,
            municipality__in_region=True,
            register_values__sector__in=sectors,
        )
        .values(sector=KT("register_values__sector"))
        .annotate(locations=Count("pk"), boards=Count("parent", distinct=True))
    }
    return [
        {
            "sector": code,
            "label": Sector.Code(code).label,
            "boards": counted.get(code, {}).get("boards", 0),
            "locations": counted.get(code, {}).get("locations", 0),
        }
        for code in sectors
    ]
