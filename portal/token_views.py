"""Pages to make, list and revoke partner-API tokens (portal.api).

The programme team manages every organisation's tokens; a partner manages those of the
organisations where they may give a token a scope (the figures submitters). A token of
another organisation is a 404.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from portal import access, api
from portal.token_forms import ApiTokenForm, grantable_organisations


def _token_for_user(request, pk):
    return get_object_or_404(api.tokens_for(request.user), pk=pk)


@access.login_required
def token_list(request):
    page = Paginator(api.tokens_for(request.user), 50).get_page(request.GET.get("page"))
    labels = dict(api.scope_choices())
    for token in page:
        token.scope_labels = [str(labels.get(key, key)) for key in token.scopes]
    return render(
        request,
        "portal/token_list.html",
        {"page": page, "may_create": grantable_organisations(request.user).exists()},
    )


@access.login_required
def token_create(request):
    if not grantable_organisations(request.user).exists():
        raise PermissionDenied
    form = ApiTokenForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        token, key = api.issue_token(created_by=request.user, **form.cleaned_data)
        response = render(request, "portal/token_created.html", {"token": token, "key": key})
        # The key is shown once: no cache, no back button showing it again (Django's never-
        # cache headers include no-store).
        add_never_cache_headers(response)
        return response
    return render(request, "portal/token_form.html", {"form": form})


@access.login_required
def token_revoke(request, pk):
    token = _token_for_user(request, pk)
    if request.method == "POST":
        api.revoke_token(token, by=request.user)
        messages.success(
            request, _("The token “%(name)s” has been revoked.") % {"name": token.name}
        )
        return redirect("portal-token-list")
    return render(request, "portal/token_revoke.html", {"token": token})
