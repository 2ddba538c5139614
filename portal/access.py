"""Who may open which view. Every URL pattern has a rule; a test walks them all.

Views declare their rule with a decorator from this module. Third-party views (allauth,
the admin, the language switch) get theirs from THIRD_PARTY_RULES, by module.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

PROGRAMME_TEAM = "programme_team"
DESK_ADVISOR = "desk_advisor"
PARTNER_EDITOR = "partner_editor"
PARTNER_VIEWER = "partner_viewer"
ALL_ROLES = (PROGRAMME_TEAM, DESK_ADVISOR, PARTNER_EDITOR, PARTNER_VIEWER)
PARTNER_ROLES = (PARTNER_EDITOR, PARTNER_VIEWER)


class Rule:
    """`roles` is None for a public view; otherwise the roles that may open it."""

    def __init__(self, roles=None, *, label=""):
        self.roles = None if roles is None else frozenset(roles)
        self.label = label

    @property
    def is_public(self):
        return self.roles is None

    def allows(self, user):
        if self.roles is None:
            return True
        return user.is_authenticated and bool(self.roles & roles_of(user))

    def __repr__(self):
        return f"Rule({self.label or sorted(self.roles or ['public'])})"


PUBLIC = Rule(label="public")
# allauth's own views: the public log-in pages, and account pages that allauth itself
# protects with login_required.
AUTH_PAGES = Rule(label="allauth")
ADMIN = Rule([PROGRAMME_TEAM], label="admin")

THIRD_PARTY_RULES = {
    "allauth.": AUTH_PAGES,
    "django.contrib.admin.": ADMIN,
    "django.views.i18n": PUBLIC,
}


def roles_of(user):
    """The set of role names `user` has; cached on the user for the request."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_portal_roles", None)
    if cached is None:
        roles = set()
        if user.is_desk_advisor:
            roles.add(DESK_ADVISOR)
        if user.is_programme_team:
            # The programme team passes every rule a partner role passes: no query needed.
            roles.add(PROGRAMME_TEAM)
        else:
            for role in set(memberships_of(user).values()):
                roles.add(PARTNER_EDITOR if role == "editor" else PARTNER_VIEWER)
        cached = user._portal_roles = frozenset(roles)
    return cached


def memberships_of(user):
    """{organisation id: member role} of a partner user, loaded once per request."""
    cached = getattr(user, "_portal_memberships", None)
    if cached is None:
        cached = user._portal_memberships = dict(
            user.memberships.order_by().values_list("organisation_id", "role")
        )
    return cached


# Everything under /admin/ is the Django admin, which lets only is_staff users (the
# programme team, see User.save) past its login, whatever view serves the URL.
ROUTE_RULES = {"admin/": ADMIN}


def rule_for(callback, route=""):
    """The access rule of a resolved view, or None when it has none."""
    for prefix, route_rule in ROUTE_RULES.items():
        if route.startswith(prefix):
            return route_rule
    view = getattr(callback, "view_class", None) or callback
    rule = getattr(callback, "access_rule", None) or getattr(view, "access_rule", None)
    if rule is not None:
        return rule
    module = getattr(view, "__module__", "") or ""
    for prefix, third_party_rule in THIRD_PARTY_RULES.items():
        if module.startswith(prefix):
            return third_party_rule
    return None


def _guard(rule):
    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not rule.is_public:
                if not request.user.is_authenticated:
                    return redirect_to_login(request.get_full_path())
                if not rule.allows(request.user):
                    raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.access_rule = rule
        return wrapper

    return decorator


def public(view):
    return _guard(PUBLIC)(view)


def roles_required(*roles):
    return _guard(Rule(roles))


def login_required(view):
    """Any logged-in user; the view decides what to show for the role."""
    return _guard(Rule(ALL_ROLES, label="any role"))(view)


def is_member(user, organisation, *, edit=False):
    """Whether `user` may see (or, with edit, change) `organisation`'s data."""
    if user.is_programme_team:
        return True
    role = memberships_of(user).get(organisation.pk)
    return role == "editor" if edit else role is not None
