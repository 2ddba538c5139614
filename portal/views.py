import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from portal import access, imports, registry, selectors
from portal.cache import cache_public_page
from portal.forms import AcceptInvitationForm, InvitationForm
from portal.models import ImportUpload, Invitation
from portal.services import invitation_accept, invitation_create

logger = logging.getLogger(__name__)


@access.public
@cache_public_page
def home(request):
    return render(
        request,
        "portal/home.html",
        {"cards": registry.home_entries("card"), "sections": registry.home_entries("section")},
    )


@access.public
def privacy(request):
    return render(request, "portal/privacy.html", {"retention": settings.RETENTION_DAYS})


@access.public
def accessibility(request):
    return render(request, "portal/accessibility.html")


@access.public
def contact(request):
    return render(request, "portal/contact.html")


@access.login_required
def dashboard(request):
    return render(request, "portal/dashboard.html", selectors.dashboard_for(request.user))


@access.public
@never_cache
def healthz(request):
    """200 when the database and the broker answer, 503 naming the part that does not."""
    checks = {"database": _check_database(), "broker": _check_broker()}
    healthy = all(state in ("ok", "in-process") for state in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", **checks}, status=200 if healthy else 503
    )


def _check_database():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        logger.exception("Health check: database unreachable")
        return "unreachable"
    return "ok"


def _check_broker():
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "in-process"
    from kombu import Connection

    try:
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=2) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception:
        logger.exception("Health check: broker unreachable")
        return "unreachable"
    return "ok"


@access.roles_required(access.PROGRAMME_TEAM)
def invitation_list(request):
    invitations = Invitation.objects.select_related("organisation", "invited_by")
    page = Paginator(invitations, 50).get_page(request.GET.get("page"))
    return render(request, "portal/invitation_list.html", {"page": page})


@access.roles_required(access.PROGRAMME_TEAM)
def invitation_create_view(request):
    form = InvitationForm(request.POST or None, initial=request.GET.dict())
    if request.method == "POST" and form.is_valid():
        invitation_create(invited_by=request.user, **form.cleaned_data)
        messages.success(
            request, _("The invitation to %(email)s has been sent.") % form.cleaned_data
        )
        return redirect("invitation-list")
    return render(request, "portal/invitation_form.html", {"form": form})


@access.public
def invitation_accept_view(request, token):
    invitation = get_object_or_404(Invitation, token=token)
    if not invitation.is_usable:
        return render(request, "portal/invitation_unusable.html", status=410)
    has_account = selectors.user_exists(invitation.email)
    form = (
        None if has_account else AcceptInvitationForm(request.POST or None, email=invitation.email)
    )
    if request.method == "POST" and (form is None or form.is_valid()):
        data = form.cleaned_data if form else {}
        try:
            user = invitation_accept(
                invitation=invitation,
                password=data.get("password1", ""),
                first_name=data.get("first_name", ""),
                last_name=data.get("last_name", ""),
            )
        except ValidationError as error:
            messages.error(request, error.messages[0])
            return redirect("home")
        if has_account:
            messages.success(request, _("The invitation has been accepted. Log in to continue."))
            return redirect("account_login")
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome! Your account is ready."))
        return redirect("dashboard")
    return render(
        request,
        "portal/invitation_accept.html",
        {"invitation": invitation, "form": form, "has_account": has_account},
    )


@access.roles_required(access.PROGRAMME_TEAM)
def audit_trail(request):
    page = Paginator(selectors.audit_entries(), 50).get_page(request.GET.get("page"))
    return render(request, "portal/audit_trail.html", {"page": page})


# Import and export


def _importer_for_user(request, key):
    """The registered importer, if the user may use it: 404 for an unknown key, else 403."""
    try:
        importer = imports.get_importer(key)
    except imports.UnknownImporter as error:
        raise Http404 from error
    if not importer.allows(request.user):
        raise PermissionDenied
    return importer


@access.login_required
def import_upload(request, importer):
    importer = _importer_for_user(request, importer)
    form = imports.UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            stashed = importer.stash(user=request.user, upload=form.cleaned_data["file"])
        except imports.ImportFileError as error:
            form.add_error("file", str(error))
        else:
            return redirect("import-preview", importer=importer.key, pk=stashed.pk)
    return render(
        request,
        "portal/import_upload.html",
        {"form": form, "importer": importer, "columns": importer.columns()},
    )


@access.login_required
def import_preview(request, importer, pk):
    importer = _importer_for_user(request, importer)
    stashed = get_object_or_404(ImportUpload, pk=pk, user=request.user, importer=importer.key)
    if request.method == "POST":
        selected = None
        if importer.per_row and request.POST.get("apply") == "selected":
            selected = set(request.POST.getlist("row"))
        if selected == set():
            messages.error(request, _("Tick the rows to apply, or apply all rows at once."))
            return redirect("import-preview", importer=importer.key, pk=stashed.pk)
        try:
            preview = importer.confirm(stashed, selected=selected)
        except imports.ImportFileError as error:
            messages.error(request, str(error))
            return redirect("import-upload", importer=importer.key)
        if not preview.has_errors:
            messages.success(request, importer.done_message(preview))
            return redirect(importer.done_url_name)
        messages.error(request, _("Nothing has been imported: correct the rows marked wrong."))
    else:
        try:
            preview = importer.dry_run(stashed)
        except imports.ImportFileError as error:
            messages.error(request, str(error))
            return redirect("import-upload", importer=importer.key)
    return render(
        request,
        importer.preview_template,
        {"importer": importer, "stashed": stashed, "preview": preview},
    )


@access.login_required
def import_template(request, importer, file_format):
    importer = _importer_for_user(request, importer)
    if file_format not in ("csv", "xlsx") or not importer.offers_template:
        raise Http404
    return importer.template_response(file_format)
