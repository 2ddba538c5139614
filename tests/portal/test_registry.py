"""The dashboard, the audit trail and the home page show what the apps register."""

import pytest
from django.urls import reverse

from partners.models import Agreement, Membership, Organisation
from portal import access, registry
from tests.factories import AgreementFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def clean_registries(monkeypatch):
    """Registrations made by a test disappear after it."""
    monkeypatch.setattr(registry, "_dashboard_cards", dict(registry._dashboard_cards))
    monkeypatch.setattr(registry, "_home_entries", dict(registry._home_entries))
    monkeypatch.setattr(registry, "_audited_models", dict(registry._audited_models))
    monkeypatch.setattr(registry, "_nav_items", dict(registry._nav_items))


def test_the_dashboard_shows_each_role_the_cards_the_apps_registered_for_it(clients, organisation):
    OrganisationFactory(active=False)
    active = Organisation.objects.filter(active=True).count()
    programme = clients["programme_team"].get(reverse("dashboard")).content.decode()
    assert f"{active} active organisations in the registry." in programme
    assert reverse("partners-organisation-list") in programme
    assert "Regional desk" not in programme

    desk = clients["desk_advisor"].get(reverse("dashboard")).content.decode()
    assert "Regional desk" in desk
    assert f'href="{reverse("partners-organisation-list")}"' not in desk

    editor = clients["partner_editor"].get(reverse("dashboard")).content.decode()
    assert organisation.get_absolute_url() in editor
    assert "Your role: Partner editor." in editor
    assert f'href="{reverse("partners-organisation-list")}"' not in editor


def test_a_members_topic_roles_are_shown_on_the_dashboard(editor_client, editor_user):
    Membership.objects.filter(user=editor_user).update(topics=["internship_reports"])
    page = editor_client.get(reverse("dashboard")).content.decode()
    assert "Your topic roles: Internship-report handler." in page


def test_an_app_adds_a_dashboard_card_without_touching_the_portal(
    clean_registries, clients, settings, tmp_path
):
    (tmp_path / "card.html").write_text("<article>Yearly figures: {{ data.due }}</article>")
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}
    ]
    registry.register_dashboard_card(
        "test-figures",
        template="card.html",
        rule=access.Rule([access.PARTNER_EDITOR]),
        context=lambda user: {"due": "1 March"},
    )
    assert (
        "Yearly figures: 1 March" in clients["partner_editor"].get("/dashboard/").content.decode()
    )
    assert "Yearly figures" not in clients["partner_viewer"].get("/dashboard/").content.decode()


def test_the_home_page_shows_the_apps_entries_in_order(client):
    AgreementFactory(name="Manifest gelijke stagekansen", is_public=True)
    page = client.get(reverse("home")).content.decode()
    order = [
        "I want to become a teacher",
        "I am a student and",
        "I work for a partner organisation",
        "I want to know what the region agreed",
        "Agreements in the region",
        "Manifest gelijke stagekansen",
    ]
    positions = [page.index(text) for text in order]
    assert positions == sorted(positions)


def test_an_unknown_home_slot_is_a_mistake(clean_registries):
    with pytest.raises(ValueError, match="slot"):
        registry.register_home_entry("x", template="x.html", slot="sidebar")


def test_the_audit_trail_lists_changes_to_every_registered_model(programme_client):
    OrganisationFactory(name="Stichting Audit")
    AgreementFactory(name="Akkoord Audit")
    audited = {entry.model for entry in registry.audited_models()}
    assert {Organisation, Agreement, Membership} <= audited
    page = programme_client.get(reverse("audit-trail")).content.decode()
    assert "Stichting Audit" in page and "Akkoord Audit" in page


def test_registering_a_key_again_replaces_the_entry(clean_registries):
    before = len(registry._home_entries)
    registry.register_home_entry("lokaal-desk", template="lokaal/home_entry.html", order=99)
    assert len(registry._home_entries) == before
    assert registry._home_entries["lokaal-desk"].order == 99


def _nav(client, url):
    import re

    html = client.get(url).content.decode()
    nav = html[html.index('class="site-nav"') :]
    nav = nav[: nav.index("</nav>")]
    return re.findall(r'<a href="([^"]+)"', nav)


def test_the_navigation_shows_each_role_the_items_the_apps_registered_for_it(clients):
    dashboard = reverse("dashboard")
    cases = reverse("lokaal-case-list")
    organisations = reverse("partners-organisation-list")
    mine = reverse("partners-my-organisation")
    assert _nav(clients["anonymous"], reverse("home")) == [
        reverse("home"),
        reverse("partners-public-agreement-list"),
        reverse("lokaal-intake"),
        reverse("internships-report"),
        reverse("monitoring-agenda"),
        reverse("monitoring-public-dashboard"),
        reverse("account_login"),
    ]
    programme = _nav(clients["programme_team"], dashboard)
    assert {organisations, cases, reverse("lokaal-overview"), reverse("audit-trail")} <= set(
        programme
    )
    assert mine not in programme
    advisor = _nav(clients["desk_advisor"], dashboard)
    assert advisor == [dashboard, cases, reverse("lokaal-overview")]
    assert _nav(clients["partner_editor"], dashboard) == [dashboard, mine]


def test_an_internship_report_handler_sees_the_reports(handler_client, editor_client):
    reports = reverse("internships-report-list")
    assert reports in _nav(handler_client, reverse("dashboard"))
    # Being an editor of the institution is not enough.
    assert reports not in _nav(editor_client, reverse("dashboard"))


def test_a_desk_contact_sees_the_placement_proposals(editor_client, editor_user):
    membership = editor_user.memberships.get()
    membership.topics = ["desk_contact"]
    membership.save()
    assert reverse("lokaal-match-list") in _nav(editor_client, reverse("dashboard"))


def test_the_current_page_is_marked_in_the_navigation(advisor_client):
    html = advisor_client.get(reverse("lokaal-case-list")).content.decode()
    assert f'<a href="{reverse("lokaal-case-list")}" aria-current="page">' in html


def test_an_app_adds_a_navigation_item_without_touching_the_portal(
    clean_registries, programme_client
):
    registry.register_nav_item(
        "extra",
        url_name="invitation-create",
        label="Extra",
        rule=access.Rule([access.PROGRAMME_TEAM]),
    )
    assert reverse("invitation-create") in _nav(programme_client, reverse("dashboard"))


def test_an_unknown_navigation_slot_is_a_mistake(clean_registries):
    with pytest.raises(ValueError):
        registry.register_nav_item(
            "x", url_name="home", label="x", rule=access.PUBLIC, slot="footer"
        )
