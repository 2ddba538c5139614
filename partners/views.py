from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal import access
from portal.accesslog import log_access
from portal.cache import cache_public_page
from portal.forms import OrganisationInvitationForm
from portal.imports import export_response
from portal.selectors import history_with_changes
from portal.services import invitation_create

from . import selectors, services
from .filters import OrganisationFilter
from .forms import (
    AgreementForm,
    ContactForm,
    ExportForm,
    OrganisationForm,
    ProgressForm,
    SignatureForm,
    SignatureStatusForm,
)
from .models import Agreement, CommitmentProgress, Contact, Membership, Organisation, Signature
from .resources import OrganisationResource, SignatureResource

STAFF = (access.PROGRAMME_TEAM,)
MEMBERS = (access.PROGRAMME_TEAM, *access.PARTNER_ROLES)


# Organisations


@access.roles_required(*STAFF)
def organisation_list(request):
    filterset = OrganisationFilter(request.GET, queryset=selectors.organisations_for_list())
    # No distinct(): each filter matches an organisation at most once (one sector; one
    # signature per organisation and agreement), and DISTINCT would count every row.
    organisations = filterset.qs.order_by("name", "pk")
    page = Paginator(organisations, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "partners/organisation_list.html",
        {"filter": filterset, "page": page, "query": query.urlencode(), "export": ExportForm()},
    )


@access.roles_required(*MEMBERS)
def my_organisation(request):
    organisations = list(selectors.organisations_of(request.user))
    if len(organisations) == 1:
        return redirect(organisations[0])
    return render(request, "partners/my_organisations.html", {"organisations": organisations})


@access.roles_required(*MEMBERS)
def organisation_detail(request, pk):
    organisation = access.get_object_for_user(
        request, selectors.organisation_detail(), via="", pk=pk
    )
    is_staff = access.PROGRAMME_TEAM in access.roles_of(request.user)
    contacts = organisation.contacts.all()
    if contacts:
        log_access(request, organisation, action="view_contacts")
    context = {
        "organisation": organisation,
        "contacts": contacts,
        "can_edit": access.is_member(request.user, organisation, edit=True),
        "is_staff": is_staff,
    }
    if is_staff:
        context["history"] = history_with_changes(selectors.organisation_history(organisation))
    return render(request, "partners/organisation_detail.html", context)


@access.roles_required(*STAFF)
def organisation_create(request):
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        organisation = services.organisation_save(
            organisation=form.instance, sectors=form.cleaned_data["sectors"]
        )
        messages.success(request, _("%(name)s has been added.") % {"name": organisation})
        return redirect(organisation)
    return render(request, "partners/organisation_form.html", {"form": form})


@access.roles_required(*STAFF)
def organisation_edit(request, pk):
    organisation = get_object_or_404(Organisation, pk=pk)
    form = OrganisationForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        services.organisation_save(organisation=organisation, sectors=form.cleaned_data["sectors"])
        messages.success(request, _("The changes have been saved."))
        return redirect(organisation)
    return render(
        request, "partners/organisation_form.html", {"form": form, "organisation": organisation}
    )


@access.roles_required(*STAFF)
def organisation_invite(request, pk):
    organisation = get_object_or_404(Organisation, pk=pk)
    form = OrganisationInvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation_create(
                invited_by=request.user, organisation=organisation, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("The invitation to %(email)s has been sent.") % form.cleaned_data
            )
            return redirect(organisation)
    return render(
        request, "partners/organisation_invite.html", {"form": form, "organisation": organisation}
    )


@access.roles_required(*STAFF)
@require_POST
def membership_delete(request, pk):
    membership = get_object_or_404(Membership.objects.select_related("organisation", "user"), pk=pk)
    services.membership_delete(membership=membership)
    messages.success(request, _("%(user)s no longer has access.") % {"user": membership.user})
    return redirect(membership.organisation)


# Contacts


@access.roles_required(*MEMBERS)
def contact_create(request, pk):
    organisation = access.get_object_for_user(request, Organisation, edit=True, via="", pk=pk)
    form = ContactForm(request.POST or None, instance=Contact(organisation=organisation))
    if request.method == "POST" and form.is_valid():
        services.contact_save(contact=form.instance, request=request)
        messages.success(request, _("The contact person has been added."))
        return redirect(organisation)
    return render(
        request, "partners/contact_form.html", {"form": form, "organisation": organisation}
    )


@access.roles_required(*MEMBERS)
def contact_edit(request, pk):
    contact = access.get_object_for_user(
        request, Contact.objects.select_related("organisation"), edit=True, pk=pk
    )
    form = ContactForm(request.POST or None, instance=contact)
    if request.method == "POST" and form.is_valid():
        services.contact_save(contact=contact, request=request)
        messages.success(request, _("The changes have been saved."))
        return redirect(contact.organisation)
    return render(
        request,
        "partners/contact_form.html",
        {"form": form, "organisation": contact.organisation, "contact": contact},
    )


@access.roles_required(*MEMBERS)
@require_POST
def contact_delete(request, pk):
    contact = access.get_object_for_user(
        request, Contact.objects.select_related("organisation"), edit=True, pk=pk
    )
    services.contact_delete(contact=contact, request=request)
    messages.success(request, _("The contact person has been deleted."))
    return redirect(contact.organisation)


# Agreements and signatures


@access.roles_required(*STAFF)
def agreement_list(request):
    return render(
        request,
        "partners/agreement_list.html",
        {"agreements": selectors.agreements_with_counts(), "export": ExportForm()},
    )


@access.roles_required(*STAFF)
def agreement_detail(request, slug):
    agreement = get_object_or_404(Agreement, slug=slug)
    return render(
        request,
        "partners/agreement_detail.html",
        {
            "agreement": agreement,
            "commitments": agreement.commitments.all(),
            "signatures": selectors.agreement_signatures(agreement),
        },
    )


@access.roles_required(*STAFF)
def agreement_create(request):
    return _agreement_form(request, Agreement())


@access.roles_required(*STAFF)
def agreement_edit(request, slug):
    return _agreement_form(request, get_object_or_404(Agreement, slug=slug))


def _agreement_form(request, agreement):
    form = AgreementForm(request.POST or None, instance=agreement)
    if request.method == "POST" and form.is_valid():
        agreement = form.save()
        messages.success(request, _("The agreement has been saved."))
        return redirect(agreement)
    return render(request, "partners/agreement_form.html", {"form": form, "agreement": agreement})


@access.roles_required(*STAFF)
def signature_create(request, slug):
    agreement = get_object_or_404(Agreement, slug=slug)
    form = SignatureForm(request.POST or None, agreement=agreement)
    if request.method == "POST" and form.is_valid():
        try:
            services.signature_create(agreement=agreement, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The signature has been recorded."))
            return redirect(agreement)
    return render(request, "partners/signature_form.html", {"form": form, "agreement": agreement})


@access.roles_required(*MEMBERS)
def signature_detail(request, pk):
    signature = access.get_object_for_user(
        request, Signature.objects.select_related("organisation", "agreement"), pk=pk
    )
    year = _year(request.GET.get("year"))
    progress = {
        p.commitment_id: p
        for p in signature.commitment_progress.filter(year=year).select_related("updated_by")
    }
    commitments = [(c, progress.get(c.pk)) for c in signature.agreement.commitments.all()]
    is_staff = access.PROGRAMME_TEAM in access.roles_of(request.user)
    return render(
        request,
        "partners/signature_detail.html",
        {
            "signature": signature,
            "year": year,
            "years": range(timezone.localdate().year, signature_first_year(signature) - 1, -1),
            "commitments": commitments,
            "status_changes": signature.status_changes.select_related("changed_by"),
            "status_form": (
                SignatureStatusForm(signature=signature, user=request.user) if is_staff else None
            ),
            "can_edit": access.is_member(request.user, signature.organisation, edit=True),
        },
    )


def signature_first_year(signature):
    start = signature.signed_on or signature.agreement.date
    return start.year if start else timezone.localdate().year - 1


def _year(value):
    current = timezone.localdate().year
    try:
        year = int(value)
    except (TypeError, ValueError):
        return current
    return year if 2000 <= year <= current + 1 else current


@access.roles_required(*STAFF)
@require_POST
def signature_transition(request, pk):
    signature = get_object_or_404(Signature, pk=pk)
    form = SignatureStatusForm(request.POST, signature=signature, user=request.user)
    if form.is_valid():
        try:
            services.signature_change_status(
                signature=signature,
                status=form.cleaned_data["status"],
                by=request.user,
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("The status is now “%(status)s”.") % {"status": signature.get_status_display()},
            )
    else:
        messages.error(request, _("Choose one of the statuses offered."))
    return redirect("partners-signature-detail", pk=signature.pk)


@access.roles_required(*MEMBERS)
def progress_edit(request, pk, year):
    signature = access.get_object_for_user(
        request, Signature.objects.select_related("organisation", "agreement"), edit=True, pk=pk
    )
    if year != _year(year):
        raise Http404
    existing = {p.commitment_id: p for p in signature.commitment_progress.filter(year=year)}
    commitments = list(signature.agreement.commitments.all())
    forms = [
        (
            commitment,
            ProgressForm(
                request.POST or None,
                prefix=f"c{commitment.pk}",
                instance=existing.get(commitment.pk)
                or CommitmentProgress(signature=signature, commitment=commitment, year=year),
            ),
        )
        for commitment in commitments
    ]
    if request.method == "POST" and all(form.is_valid() for _c, form in forms):
        services.progress_save(
            signature=signature,
            year=year,
            entries={commitment: form.cleaned_data for commitment, form in forms},
            by=request.user,
        )
        messages.success(request, _("The progress for %(year)s has been saved.") % {"year": year})
        return redirect(f"{signature.get_absolute_url()}?year={year}")
    return render(
        request,
        "partners/progress_form.html",
        {"signature": signature, "year": year, "forms": forms},
    )


# Public pages


@access.public
@cache_public_page
def public_agreement_list(request):
    return render(
        request,
        "partners/public_agreement_list.html",
        {"agreements": selectors.public_agreements()},
    )


@access.public
@cache_public_page
def public_agreement(request, slug):
    agreement = get_object_or_404(Agreement, slug=slug, is_public=True)
    return render(
        request,
        "partners/public_agreement.html",
        {
            "agreement": agreement,
            "commitments": agreement.commitments.all(),
            "signatures": selectors.agreement_signatures(agreement, public=True),
        },
    )


# Import and export


def _export_format(request):
    form = ExportForm(request.GET)
    return form.cleaned_data["format"] if form.is_valid() else "xlsx"


@access.roles_required(*STAFF)
def export_organisations(request):
    queryset = OrganisationFilter(request.GET, queryset=Organisation.objects.all()).qs
    resource = OrganisationResource()
    return export_response(
        resource,
        resource.get_export_queryset().filter(pk__in=queryset.values("pk")),
        file_format=_export_format(request),
        basename="organisaties",
    )


@access.roles_required(*STAFF)
def export_signatures(request):
    resource = SignatureResource()
    queryset = resource.get_export_queryset()
    if request.GET.get("agreement"):
        queryset = queryset.filter(agreement__slug=request.GET["agreement"])
    return export_response(
        resource, queryset, file_format=_export_format(request), basename="ondertekeningen"
    )
