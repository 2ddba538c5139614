"""The demo loader: real organisations and signatures from the seeds, loaded idempotently."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from partners.models import (
    Agreement,
    Commitment,
    Contact,
    Membership,
    Municipality,
    Organisation,
    Signature,
    SignatureStatusChange,
)
from partners.services import signature_change_status
from portal.models import SiteSettings

DEMO_PASSWORD = "Haaglanden-demo-2026"


def load(*args):
    out = StringIO()
    call_command("load_demo", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def loaded(db):
    return load()


def signature(organisation, slug):
    return Signature.objects.get(organisation__name=organisation, agreement__slug=slug)


def row_counts():
    User = get_user_model()
    models = [
        Municipality,
        Organisation,
        Organisation.history.model,
        Agreement,
        Commitment,
        Signature,
        Signature.history.model,
        SignatureStatusChange,
        User,
        Membership,
        Contact,
    ]
    return {model.__name__: model.objects.count() for model in models}


def test_loads_the_real_organisations(loaded):
    names = set(Organisation.objects.values_list("name", flat=True))
    assert {
        "ROC Mondriaan",
        "De Haagse Hogeschool",
        "Hogeschool Inholland",
        "Gemeente Den Haag",
        "TU Delft",
        "Stichting Lucas Onderwijs",
    } <= names
    mondriaan = Organisation.objects.get(name="ROC Mondriaan")
    assert mondriaan.kind == Organisation.Kind.SCHOOL_BOARD
    assert list(mondriaan.sectors.values_list("code", flat=True)) == ["mbo"]
    assert mondriaan.municipality.cbs_code == "GM0518"
    assert Municipality.objects.filter(in_region=True, cbs_code__startswith="GM").count() >= 9


def test_aliases_in_the_seeds_resolve_to_one_organisation(loaded):
    # The 2014 list says "VNO-NCW Den Haag" and "Stichting Samenwerking Beroepsonderwijs
    # Bedrijfsleven"; the manifesto says "VNO-NCW Regio Den Haag" and "SBB".
    assert not Organisation.objects.filter(name__iexact="VNO-NCW Den Haag").exists()
    vno = Organisation.objects.get(name="VNO-NCW Regio Den Haag")
    sbb = Organisation.objects.get(name="SBB")
    for organisation in (vno, sbb):
        slugs = set(organisation.signatures.values_list("agreement__slug", flat=True))
        assert slugs == {"actieagenda-2014", "manifest-gelijke-stagekansen"}
    location = Organisation.objects.get(name="Lentiz MBO Greenport")
    assert location.parent.name == "Lentiz onderwijsgroep"


def test_westland_and_siemens_are_under_reservation_on_the_2014_agenda(loaded):
    agenda = Agreement.objects.get(slug="actieagenda-2014")
    reserved = set(
        agenda.signatures.filter(status=Signature.Status.UNDER_RESERVATION).values_list(
            "organisation__name", flat=True
        )
    )
    assert reserved == {"Gemeente Westland", "Siemens"}
    assert agenda.signatures.count() == 46
    assert agenda.commitments.count() == 8
    assert signature("Gemeente Westland", "actieagenda-2014").signed_on == agenda.date


def test_the_manifesto_has_eight_signatories_and_five_commitments(loaded):
    manifesto = Agreement.objects.get(slug="manifest-gelijke-stagekansen")
    assert manifesto.kind == Agreement.Kind.MANIFESTO
    assert manifesto.commitments.count() == 5
    signatories = set(manifesto.signatures.values_list("organisation__name", flat=True))
    assert signatories == {
        "Hogeschool Inholland",
        "De Haagse Hogeschool",
        "ROC Mondriaan",
        "Gemeente Den Haag",
        "VNO-NCW Regio Den Haag",
        "MKB Den Haag",
        "SBB",
        "ELBHO",
    }
    assert not manifesto.signatures.exclude(status=Signature.Status.SIGNED).exists()


def test_running_twice_creates_no_duplicates(loaded):
    before = row_counts()
    output = load()
    assert row_counts() == before
    assert " 0 new" in output


def test_running_again_keeps_a_changed_signature_status(loaded):
    westland = signature("Gemeente Westland", "actieagenda-2014")
    signature_change_status(signature=westland, status=Signature.Status.SIGNED, by=None)
    mondriaan = signature("ROC Mondriaan", "manifest-gelijke-stagekansen")
    signature_change_status(signature=mondriaan, status=Signature.Status.WITHDRAWN, by=None)

    load()

    assert signature("Gemeente Westland", "actieagenda-2014").status == Signature.Status.SIGNED
    mondriaan.refresh_from_db()
    assert mondriaan.status == Signature.Status.WITHDRAWN
    assert mondriaan.status_changes.count() == 2


def test_running_again_keeps_a_changed_password(loaded):
    user = get_user_model().objects.get(email="redacteur@example.org")
    user.set_password("a-password-of-my-own")
    user.save()

    output = load()

    user.refresh_from_db()
    assert user.check_password("a-password-of-my-own")
    assert not user.check_password(DEMO_PASSWORD)
    assert "(changed)" in output


def test_each_signature_has_a_first_history_row(loaded):
    signatures = Signature.objects.all()
    assert signatures.count() == 54
    for each in signatures:
        first = each.status_changes.order_by("changed_at", "pk").first()
        assert first is not None
        assert first.from_status == ""
        assert first.to_status == each.status


def test_one_user_per_role_with_the_right_membership(loaded):
    User = get_user_model()
    programme = User.objects.get(email="programma@example.org")
    desk = User.objects.get(email="loket@example.org")
    editor = User.objects.get(email="redacteur@example.org")
    viewer = User.objects.get(email="lezer@example.org")

    assert programme.is_programme_team and programme.is_staff
    assert desk.is_desk_advisor and not desk.is_staff
    assert list(editor.memberships.values_list("organisation__name", "role")) == [
        ("ROC Mondriaan", "editor")
    ]
    assert list(viewer.memberships.values_list("organisation__name", "role")) == [
        ("De Haagse Hogeschool", "viewer")
    ]
    assert not programme.memberships.exists() and not desk.memberships.exists()
    for user in (programme, desk, editor, viewer):
        assert user.check_password(DEMO_PASSWORD)
    assert Contact.objects.filter(email__endswith="@example.org").count() == 3


def test_prints_the_demo_logins(loaded):
    for email in ("programma@", "loket@", "redacteur@", "lezer@"):
        assert f"{email}example.org" in loaded
    assert DEMO_PASSWORD in loaded
    assert "actieagenda-2014" in loaded


def test_no_users_loads_only_the_registry(db):
    output = load("--no-users")
    assert Organisation.objects.filter(name="ROC Mondriaan").exists()
    assert Signature.objects.count() == 54
    assert not get_user_model().objects.exists()
    assert not Contact.objects.exists()
    assert "example.org" not in output


def test_an_existing_organisation_is_matched_by_alias_ignoring_case(db):
    existing = Organisation.objects.create(
        name="stichting samenwerking beroepsonderwijs bedrijfsleven", kind="other"
    )
    load("--no-users")
    assert not Organisation.objects.filter(name="SBB").exists()
    existing.refresh_from_db()
    assert existing.kind == "other"  # what was there is not overwritten
    assert existing.signatures.count() == 2


def test_public_texts_come_in_dutch_from_the_seeds_and_in_english(loaded):
    manifesto = Agreement.objects.get(slug="manifest-gelijke-stagekansen")
    assert manifesto.name_nl == "Haags Manifest Gelijke stagekansen"
    assert manifesto.name_en == "The Hague Manifesto for Equal Internship Opportunities"
    assert manifesto.summary_nl.startswith("Het Haags Manifest Gelijke stagekansen bundelt")
    assert manifesto.summary_en.startswith("The Hague Manifesto for Equal Internship")
    for agreement in Agreement.objects.all():
        assert agreement.name_nl and agreement.name_en and agreement.summary_en
    commitments = Commitment.objects.all()
    assert commitments.count() == 22
    for commitment in commitments:
        assert commitment.title_nl and commitment.title_en and commitment.description_en
        assert commitment.title_nl != commitment.title_en


def test_running_again_adds_missing_english_texts_and_keeps_written_ones(loaded):
    manifesto = Agreement.objects.get(slug="manifest-gelijke-stagekansen")
    manifesto.name_en = None
    manifesto.summary_en = "Our own English summary."
    manifesto.save()
    commitment = manifesto.commitments.get(number=1)
    commitment.title_en = ""
    commitment.save()

    output = load()

    manifesto.refresh_from_db()
    assert manifesto.name_en == "The Hague Manifesto for Equal Internship Opportunities"
    assert manifesto.summary_en == "Our own English summary."
    commitment.refresh_from_db()
    assert commitment.title_en.startswith("Equal internship opportunities")
    assert "English texts     52 in the data,    2 new" in output


def test_demo_site_settings_fill_only_empty_fields(db):
    site = SiteSettings.get_solo()
    site.phone = "088 123 45 67"
    site.save()

    load()

    site = SiteSettings.get_solo()
    assert site.phone == "088 123 45 67"
    assert site.street_address == "Voorbeeldstraat 1 (demo)"
    assert site.postcode == "2500 AA"
    assert site.privacy_email == "privacy@example.org"


def test_no_users_leaves_the_site_settings_alone(db):
    load("--no-users")
    site = SiteSettings.get_solo()
    assert site.street_address == ""
    assert site.phone == ""
