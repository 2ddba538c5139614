"""The manifesto's commitments: a signatory's year, and the programme team's overview."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from partners.forms import ProgressForm
from partners.models import CommitmentProgress
from portal import access
from portal.imports import write_response

from .. import services
from ..forms.commitments import ManifestoYearForm, error_summary
from ..measurement import (
    FIRST_MANIFESTO_YEAR,
    MANIFESTO_COUNTS,
    MANIFESTO_FACTS,
    manifesto_overview,
    manifesto_signatures,
    manifesto_years,
)
from ..models import ManifestoYear


def _overview_year(request):
    current = timezone.localdate().year
    try:
        year = int(request.GET.get("year", current))
    except ValueError:
        return current
    return year if FIRST_MANIFESTO_YEAR <= year <= current + 1 else current


@access.roles_required(access.PROGRAMME_TEAM)
def overview(request):
    year = _overview_year(request)
    data = manifesto_overview(year)
    if data is None:
        raise Http404
    if request.GET.get("format") == "csv":
        return _overview_csv(data, year)
    current = timezone.localdate().year
    return render(
        request,
        "internships/commitments_overview.html",
        {**data, "year": year, "years": range(current + 1, FIRST_MANIFESTO_YEAR - 1, -1)},
    )


def _overview_csv(data, year):
    labels = {name: ManifestoYear._meta.get_field(name).verbose_name for name in MANIFESTO_COUNTS}
    labels.update(
        {name: ManifestoYear._meta.get_field(name).verbose_name for name in MANIFESTO_FACTS}
    )
    headers = [
        _("Organisation"),
        *(f"{c.number}. {c.title}" for c in data["commitments"]),
        *(str(label) for label in labels.values()),
        _("Filled in"),
    ]
    yes, no = _("yes"), _("no")
    rows = (
        [
            row.signature.organisation.name,
            *(str(state.label) for state in row.states),
            *(
                ("" if row.year is None else _cell(getattr(row.year, name), yes, no))
                for name in labels
            ),
            yes if row.is_complete else no,
        ]
        for row in data["rows"]
    )
    return write_response(
        headers, rows, file_format="csv", basename=f"{_('manifesto')}-{year}", stamp=False
    )


def _cell(value, yes, no):
    if isinstance(value, bool):
        return yes if value else no
    return "" if value is None else value


@access.roles_required(access.PARTNER_EDITOR, access.PROGRAMME_TEAM)
def commitments_edit(request, signature_pk, year):
    signature = access.get_object_for_user(
        request,
        manifesto_signatures().select_related("organisation", "agreement"),
        edit=True,
        pk=signature_pk,
    )
    if year not in manifesto_years(signature):
        raise Http404
    data = request.POST if request.method == "POST" else None
    existing = {p.commitment_id: p for p in signature.commitment_progress.filter(year=year)}
    progress_forms = [
        (
            commitment,
            ProgressForm(
                data,
                prefix=f"c{commitment.number}",
                instance=existing.get(commitment.pk)
                or CommitmentProgress(signature=signature, commitment=commitment, year=year),
            ),
        )
        for commitment in signature.agreement.commitments.all()
    ]
    year_form = ManifestoYearForm(
        data,
        prefix="year",
        instance=ManifestoYear.objects.filter(signature=signature, year=year).first()
        or ManifestoYear(signature=signature, year=year),
    )
    status = 200
    if data is not None:
        # Validate every form (no short cut), so that the page shows every error at once.
        if all([form.is_valid() for _c, form in progress_forms] + [year_form.is_valid()]):
            services.manifesto_year_save(
                signature=signature,
                year=year,
                entries={commitment: form.cleaned_data for commitment, form in progress_forms},
                figures=year_form.cleaned_data,
                by=request.user,
            )
            messages.success(
                request, _("The commitments for %(year)s have been saved.") % {"year": year}
            )
            return redirect("internships-commitments-edit", signature_pk=signature.pk, year=year)
        status = 400
    summary = error_summary(
        [(f"{c.number}. {c.title}", form) for c, form in progress_forms]
        + [(_("Figures"), year_form)]
    )
    return render(
        request,
        "internships/commitments_form.html",
        {
            "signature": signature,
            "year": year,
            "years": manifesto_years(signature),
            "progress_forms": progress_forms,
            "year_form": year_form,
            "error_summary": summary,
        },
        status=status,
    )
