"""Who may open which view. Every URL pattern has a rule; a test walks them all.

Views declare their rule with a decorator from this module. Third-party views (allauth,
the admin, the language switch) get theirs from THIRD_PARTY_RULES, by module.

Inside an organisation a member is an editor or a viewer, and may also hold topic roles
(`Membership.topics`) that open sensitive data of one topic, such as internship reports.
Apps declare their topics with `register_topic()` in their `AppConfig.ready()`; forms, the
admin and invitation acceptance offer and validate exactly the registered ones.
"""

from functools import wraps
from typing import NamedTuple

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

PROGRAMME_TEAM = "programme_team"
DESK_ADVISOR = "desk_advisor"
PARTNER_EDITOR = "partner_editor"
PARTNER_VIEWER = "partner_viewer"
ALL_ROLES = (PROGRAMME_TEAM, DESK_ADVISOR, PARTNER_EDITOR, PARTNER_VIEWER)
PARTNER_ROLES = (PARTNER_EDITOR, PARTNER_VIEWER)


# Topic roles ---------------------------------------------------------------------------

_topics = {}


def register_topic(key, label):
    """Declare a topic role; `label` is a lazy translation shown in forms and the admin."""
    if key in _topics and _topics[key] != label:
        raise ValueError(f"The topic role {key!r} is already registered with another label.")
    _topics[key] = label


def topic_choices():
    """(key, label) of every registered topic role, in registration order."""
    return list(_topics.items())


def clean_topics(keys):
    """The topic keys without duplicates, in registration order; unknown keys are refused."""
    if not isinstance(keys, list | tuple | set | frozenset) or not all(
        isinstance(key, str) for key in keys
    ):
        raise ValidationError(_("Choose topic roles from the list."), code="invalid_topics")
    unknown = sorted(str(key) for key in set(keys) - set(_topics))
    if unknown:
        raise ValidationError(
            _("Unknown topic role: %(keys)s.") % {"keys": ", ".join(unknown)},
            code="unknown_topic",
        )
    return [key for key in _topics if key in keys]


# Rules ---------------------------------------------------------------------------------


class Rule:
    """`roles` is None for a public view; otherwise the roles that may open it.

    With a `topic`, a partner needs that topic role in one of their organisations as well;
    the programme team needs no topic role.
    """

    def __init__(self, roles=None, *, topic=None, label=""):
        self.roles = None if roles is None else frozenset(roles)
        self.topic = topic
        self.label = label

    @property
    def is_public(self):
        return self.roles is None

    def allows(self, user):
        if self.roles is None:
            return True
        if not user.is_authenticated:
            return False
        roles = roles_of(user)
        if not self.roles & roles:
            return False
        return self.topic is None or PROGRAMME_TEAM in roles or self.topic in topics_of(user)

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


class Member(NamedTuple):
    """A user's place in one organisation."""

    role: str
    topics: frozenset


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
            for member in memberships_of(user).values():
                roles.add(PARTNER_EDITOR if member.role == "editor" else PARTNER_VIEWER)
        cached = user._portal_roles = frozenset(roles)
    return cached


def memberships_of(user):
    """{organisation id: Member(role, topics)} of a partner user, loaded once per request."""
    cached = getattr(user, "_portal_memberships", None)
    if cached is None:
        cached = user._portal_memberships = {
            organisation_id: Member(role, frozenset(topics or ()))
            for organisation_id, role, topics in user.memberships.order_by().values_list(
                "organisation_id", "role", "topics"
            )
        }
    return cached


def topics_of(user):
    """Every topic role `user` holds in any organisation."""
    return frozenset().union(*(member.topics for member in memberships_of(user).values()))


class ProgrammeTeamPermissions:
    """An authentication backend that only answers permission questions: the programme
    team may do everything in the admin, as the role table says, without a superuser flag
    or per-model permissions kept up to date by hand. It never authenticates anyone."""

    def authenticate(self, request, **credentials):
        return None

    def get_user(self, user_id):
        return None

    def has_perm(self, user_obj, perm, obj=None):
        return user_obj.is_active and user_obj.is_programme_team

    def has_module_perms(self, user_obj, app_label):
        return user_obj.is_active and user_obj.is_programme_team


# Everything under /admin/ is the Django admin, which lets only is_staff users (the
# programme team, see User.save) past its login, whatever view serves the URL. Logging out
# ends only the caller's own session, so anyone may (first matching prefix wins).
ROUTE_RULES = {"admin/logout/": PUBLIC, "admin/": ADMIN}


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


def topic_required(topic):
    """The programme team, and partners who hold `topic` in one of their organisations.

    Which organisation's objects they then see is up to `get_object_for_user(topic=...)`.
    """
    return _guard(Rule([PROGRAMME_TEAM, *PARTNER_ROLES], topic=topic, label=f"topic {topic}"))


# Objects -------------------------------------------------------------------------------


def is_member(user, organisation, *, edit=False, topic=None):
    """Whether `user` may see (edit: change; topic: with that topic role) `organisation`'s data.

    `organisation` is an Organisation or its primary key.
    """
    if PROGRAMME_TEAM in roles_of(user):
        return True
    if not user.is_authenticated:
        return False
    member = memberships_of(user).get(getattr(organisation, "pk", organisation))
    if member is None:
        return False
    return (not edit or member.role == "editor") and (topic is None or topic in member.topics)


def _organisation_id(obj, via):
    if not via:
        return obj.pk
    *path, last = via.split("__")
    for step in path:
        obj = getattr(obj, step)
    return getattr(obj, f"{last}_id")


def get_object_for_user(
    request,
    queryset_or_model,
    *,
    edit=False,
    topic=None,
    via="organisation",
    or_parent=False,
    **lookup,
):
    """The object `lookup` finds, if the user may see it through the organisation it belongs to.

    `via` is the path from the object to its organisation ("organisation",
    "signature__organisation"; "" when the object is the organisation). Strangers get a 404,
    so that they cannot tell which objects exist; a member who may see the organisation but
    not do this (a viewer asking to change, a member without the `topic` role) gets a 403.
    The programme team may do everything.

    With `or_parent`, the members of the organisation's parent (a school location's board)
    may act for it too; a stranger to both gets the answer the organisation itself gave.
    """
    if or_parent:
        try:
            return get_object_for_user(
                request, queryset_or_model, edit=edit, topic=topic, via=via, **lookup
            )
        except (Http404, PermissionDenied) as error:
            refused = error
        parent = f"{via}__parent" if via else "parent"
        try:
            return get_object_for_user(
                request, queryset_or_model, edit=edit, topic=topic, via=parent, **lookup
            )
        except Http404:
            raise refused from None
    queryset = getattr(queryset_or_model, "_default_manager", queryset_or_model).all()
    if "__" in via:
        # Load the steps to the organisation with the object, not one query per step.
        queryset = queryset.select_related(via.rsplit("__", 1)[0])
    obj = get_object_or_404(queryset, **lookup)
    user = request.user
    if PROGRAMME_TEAM in roles_of(user):
        return obj
    organisation_id = _organisation_id(obj, via)
    if not is_member(user, organisation_id):
        raise Http404
    if not is_member(user, organisation_id, edit=edit, topic=topic):
        raise PermissionDenied
    return obj
