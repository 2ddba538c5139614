"""What the apps contribute to the portal's shared pages, registered in `AppConfig.ready()`.

The portal's pages list what is registered here instead of importing the apps: the main
navigation, the dashboard's cards, the models in the audit trail and the home page's
entries. (Retention policies register in `portal.retention`, topic roles in
`portal.access`, importers in `portal.imports`.) Registering a key twice replaces the
entry, so a reloaded app config does not show a card twice.
"""

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class DashboardCard:
    key: str
    template: str
    rule: Any  # a portal.access.Rule: who sees the card
    context: Any = None  # callable(user) -> dict, given to the template as `data`
    order: int = 100


@dataclass(frozen=True)
class AuditedModel:
    model: Any
    label: Any  # callable(historical record) -> str
    related: tuple = ()  # related fields to load with the history records


@dataclass(frozen=True)
class HomeEntry:
    key: str
    template: str
    slot: str = "card"  # "card": "Where can we help you?"; "section": below the cards
    context: Any = None  # callable() -> dict; the same for every visitor (pages are cached)
    order: int = 100


@dataclass(frozen=True)
class Shown:
    """A registered entry ready for the template: `{% include shown.template with data=... %}`."""

    template: str
    data: dict = field(default_factory=dict)


@dataclass(frozen=True)
class NavItem:
    key: str
    url_name: str
    label: Any  # a lazy translation
    rule: Any  # a portal.access.Rule: who sees the item
    slot: str = "member"  # "member": logged-in users; "public": visitors who are not
    order: int = 100


_nav_items = {}
_dashboard_cards = {}
_audited_models = {}
_home_entries = {}


def register_nav_item(key, *, url_name, label, rule, slot="member", order=100):
    if slot not in ("member", "public"):
        raise ValueError(f"Unknown navigation slot {slot!r}: use 'member' or 'public'.")
    _nav_items[key] = NavItem(key, url_name, label, rule, slot, order)


def nav_items(user):
    """The main navigation's items for `user`, in order: the public ones for visitors."""
    slot = "member" if user.is_authenticated else "public"
    items = sorted(
        (item for item in _nav_items.values() if item.slot == slot),
        key=lambda item: (item.order, item.key),
    )
    return [item for item in items if item.rule.allows(user)]


def register_dashboard_card(key, *, template, rule, context=None, order=100):
    _dashboard_cards[key] = DashboardCard(key, template, rule, context, order)


def register_audited_model(model, *, label, related=()):
    _audited_models[model._meta.label] = AuditedModel(model, label, tuple(related))


def register_home_entry(key, *, template, slot="card", context=None, order=100):
    if slot not in ("card", "section"):
        raise ValueError(f"Unknown home page slot {slot!r}: use 'card' or 'section'.")
    _home_entries[key] = HomeEntry(key, template, slot, context, order)


def dashboard_cards(user):
    """The cards `user` may see, in order, with their data."""
    cards = sorted(_dashboard_cards.values(), key=lambda card: (card.order, card.key))
    return [
        Shown(card.template, card.context(user) if card.context else {})
        for card in cards
        if card.rule.allows(user)
    ]


def audited_models():
    return list(_audited_models.values())


def home_entries(slot):
    entries = sorted(
        (entry for entry in _home_entries.values() if entry.slot == slot),
        key=lambda entry: (entry.order, entry.key),
    )
    return [Shown(entry.template, entry.context() if entry.context else {}) for entry in entries]
