"""Public texts in Dutch and English: the English version where there is one, otherwise the
Dutch one marked lang="nl" (WCAG 3.1.2), on every page that shows them."""

import pytest
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import translation

from partners.forms import AgreementForm
from partners.models import Agreement, Commitment, Organisation
from tests.factories import SignatureFactory

DUTCH = {"HTTP_ACCEPT_LANGUAGE": "nl"}


@pytest.fixture
def agreement(db):
    """An agreement translated throughout, with one commitment that has no English yet."""
    agreement = Agreement.objects.create(
        slug="manifest",
        kind=Agreement.Kind.MANIFESTO,
        name_nl="Haags manifest",
        name_en="Hague manifesto",
        summary_nl="Samen tegen stagediscriminatie.",
        summary_en="Together against internship discrimination.",
    )
    Commitment.objects.create(
        agreement=agreement,
        number=1,
        title_nl="Een meldprocedure",
        title_en="A reporting procedure",
        description_nl="Elke instelling heeft er een.",
        description_en="Every institution has one.",
    )
    Commitment.objects.create(
        agreement=agreement,
        number=2,
        title_nl="Scholing voor begeleiders",
        description_nl="Trainingen voor stagebegeleiders.",
    )
    return agreement


def render(text, **context):
    return Template("{% load translations %}" + text).render(Context(context))


def test_english_page_shows_the_english_texts(client, agreement):
    html = client.get(reverse("partners-public-agreement", args=["manifest"])).content.decode()
    assert "<h1>Hague manifesto</h1>" in html
    assert '<p class="lead">Together against internship discrimination.</p>' in html
    assert "<strong>A reporting procedure</strong><br>Every institution has one." in html
    assert "Haags manifest" not in html


def test_english_page_marks_a_missing_english_text_as_dutch(client, agreement):
    html = client.get(reverse("partners-public-agreement", args=["manifest"])).content.decode()
    assert '<strong><span lang="nl">Scholing voor begeleiders</span></strong>' in html
    assert '<span lang="nl">Trainingen voor stagebegeleiders.</span>' in html
    # Only the untranslated texts are marked.
    assert html.count('<span lang="nl">') == 2


def test_english_page_without_any_english_shows_the_dutch_marked(client, agreement):
    agreement.name_en = None
    agreement.summary_en = ""
    agreement.save()
    html = client.get(reverse("partners-public-agreement", args=["manifest"])).content.decode()
    assert '<h1><span lang="nl">Haags manifest</span></h1>' in html
    assert '<p class="lead"><span lang="nl">Samen tegen stagediscriminatie.</span></p>' in html


def test_dutch_page_shows_dutch_without_a_language_wrapper(agreement):
    response = Client(**DUTCH).get(reverse("partners-public-agreement", args=["manifest"]))
    html = response.content.decode()
    assert '<html lang="nl">' in html
    assert "<h1>Haags manifest</h1>" in html
    assert "<strong>Scholing voor begeleiders</strong>" in html
    assert "<span lang=" not in html
    assert "Hague manifesto" not in html


def test_public_agreement_list_uses_the_english_texts(client, agreement):
    other = Agreement.objects.create(
        slug="agenda", kind=Agreement.Kind.ACTION_AGENDA, name_nl="Actieagenda", summary_nl=""
    )
    assert other.name_en is None
    html = client.get(reverse("partners-public-agreement-list")).content.decode()
    assert ">Hague manifesto</a>" in html
    assert "<p>Together against internship discrimination.</p>" in html
    assert '><span lang="nl">Actieagenda</span></a>' in html


def test_home_page_uses_the_english_texts(client, agreement):
    agreement.summary_en = ""
    agreement.save()
    html = client.get(reverse("home")).content.decode()
    assert ">Hague manifesto</a></h3>" in html
    assert '<p><span lang="nl">Samen tegen stagediscriminatie.</span></p>' in html


def test_public_agreement_list_shortens_a_long_summary_without_breaking_the_marking(
    client, agreement
):
    agreement.summary_nl = " ".join(["woord"] * 60)
    agreement.summary_en = ""
    agreement.save()
    html = client.get(reverse("partners-public-agreement-list")).content.decode()
    assert '<p><span lang="nl">' + " ".join(["woord"] * 40) + " …</span></p>" in html


def test_staff_agreement_page_uses_the_english_texts(programme_client, agreement):
    html = programme_client.get(reverse("partners-agreement-detail", args=["manifest"]))
    html = html.content.decode()
    assert "<h1>Hague manifesto</h1>" in html
    assert '<strong><span lang="nl">Scholing voor begeleiders</span></strong>' in html


def test_signature_page_uses_the_english_texts(programme_client, agreement):
    signature = SignatureFactory(
        agreement=agreement, organisation=Organisation.objects.create(name="ROC", kind="other")
    )
    html = programme_client.get(reverse("partners-signature-detail", args=[signature.pk]))
    html = html.content.decode()
    assert '<p class="lead">Hague manifesto: ' in html
    assert "<td>1. A reporting procedure</td>" in html
    assert '<td>2. <span lang="nl">Scholing voor begeleiders</span></td>' in html


def test_the_tag_escapes_the_text(agreement):
    agreement.name_en = "<b>Hague</b> manifesto"
    assert render('{% translated a "name" %}', a=agreement) == (
        "&lt;b&gt;Hague&lt;/b&gt; manifesto"
    )
    agreement.name_en = None
    agreement.name_nl = "<b>Haags</b>"
    assert render('{% translated a "name" %}', a=agreement) == (
        '<span lang="nl">&lt;b&gt;Haags&lt;/b&gt;</span>'
    )


def test_the_tag_shows_an_untranslated_field_as_it_is(agreement):
    assert render('{% translated a "slug" %}', a=agreement) == "manifest"
    organisation = Organisation(name="A & B")
    assert render('{% translated o "name" %}', o=organisation) == "A &amp; B"
    assert render('{% translated o "name" %}', o=None) == ""


def test_the_tag_falls_back_to_english_when_the_dutch_is_missing(agreement):
    commitment = Commitment(agreement=agreement, number=3, title_nl=None, title_en="Only English")
    with translation.override("nl"):
        assert render('{% translated c "title" %}', c=commitment) == (
            '<span lang="en">Only English</span>'
        )


def test_the_agreement_form_edits_both_languages(programme_client, agreement):
    url = reverse("partners-agreement-edit", args=["manifest"])
    page = programme_client.get(url).content.decode()
    for name in ("name_nl", "name_en", "summary_nl", "summary_en"):
        assert f'name="{name}"' in page
    response = programme_client.post(
        url,
        {
            "name_nl": "Haags manifest",
            "name_en": "",
            "slug": "manifest",
            "kind": "manifesto",
            "summary_nl": "Nieuwe samenvatting.",
            "summary_en": "New summary.",
            "is_public": "on",
        },
    )
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.name_nl == "Haags manifest"
    assert agreement.name_en is None
    assert agreement.summary_nl == "Nieuwe samenvatting."
    assert agreement.summary_en == "New summary."


def test_several_agreements_may_lack_an_english_name(agreement):
    data = {"slug": "", "kind": "other", "name_en": "  "}
    for number in (1, 2):
        form = AgreementForm({**data, "slug": f"a{number}", "name_nl": f"Overeenkomst {number}"})
        assert form.is_valid(), form.errors
        assert form.save().name_en is None


def test_the_dutch_name_is_required_and_unique(agreement):
    form = AgreementForm({"slug": "b", "kind": "other", "name_nl": "", "name_en": "Manifesto"})
    assert not form.is_valid()
    assert "name_nl" in form.errors
    form = AgreementForm({"slug": "b", "kind": "other", "name_nl": "Haags  manifest"})
    assert not form.is_valid()
    assert form.errors["name_nl"] == ["An agreement with this Dutch name already exists."]


def test_the_admin_edits_both_languages_of_agreements_and_commitments(programme_user, agreement):
    programme_user.is_superuser = True
    programme_user.save()
    client = Client()
    client.force_login(programme_user)
    html = client.get(reverse("admin:partners_agreement_change", args=[agreement.pk]))
    html = html.content.decode()
    for name in ("name_nl", "name_en", "summary_nl", "summary_en"):
        assert f'name="{name}"' in html
    assert 'name="commitments-0-title_en"' in html
    assert 'name="commitments-0-description_nl"' in html


def test_other_staff_pages_use_the_english_texts(programme_client, agreement):
    organisation = Organisation.objects.create(name="ROC", kind="other")
    signature = SignatureFactory(agreement=agreement, organisation=organisation)
    pages = {
        reverse("partners-agreement-list"): ">Hague manifesto</a>",
        reverse("partners-signature-create", args=["manifest"]): "Hague manifesto</p>",
        reverse("partners-agreement-edit", args=["manifest"]): "Edit Hague manifesto</h1>",
        reverse("partners-organisation-detail", args=[organisation.pk]): (
            "<td>Hague manifesto</td>"
        ),
        reverse("partners-progress-edit", args=[signature.pk, 2026]): (
            '<legend>2. <span lang="nl">Scholing voor begeleiders</span></legend>'
        ),
    }
    for url, expected in pages.items():
        html = programme_client.get(url).content.decode()
        assert expected in html, url
