"""The English agreement page with a text that has no English version yet: the Dutch text is
marked lang="nl" and the page still passes axe-core (WCAG 3.1.2, language of parts)."""

import pytest
from django.urls import reverse

from partners.models import Commitment
from tests.browser.test_accessibility import assert_accessible, open_page, switch_language

pytestmark = pytest.mark.browser


def test_english_agreement_page_marks_dutch_texts_and_passes_axe(page, public_agreement):
    # Set every language explicitly: the fixture was created in whatever language was active.
    public_agreement.name_nl = "Haags manifest gelijke stagekansen"
    public_agreement.name_en = "The Hague Manifesto for Equal Internship Opportunities"
    public_agreement.summary_nl = "Samen tegen stagediscriminatie."
    public_agreement.summary_en = ""
    public_agreement.save()
    public_agreement.commitments.filter(number=1).update(
        title_nl="Een duidelijke meldprocedure", title_en=None
    )
    Commitment.objects.create(
        agreement=public_agreement,
        number=2,
        title_nl="Scholing voor stagebegeleiders",
        title_en="Training for internship supervisors",
    )
    open_page(page, reverse("home"))
    switch_language(page, "en")
    open_page(page, reverse("partners-public-agreement", args=[public_agreement.slug]))

    assert page.locator("main h1").inner_text() == public_agreement.name_en
    assert page.locator("main h1 [lang]").count() == 0
    # The summary and the first commitment have no English version yet.
    marked = page.locator('main [lang="nl"]')
    assert marked.count() == 2
    assert marked.nth(0).inner_text() == "Samen tegen stagediscriminatie."
    assert marked.nth(1).inner_text() == "Een duidelijke meldprocedure"
    assert page.get_by_text("Training for internship supervisors").is_visible()
    assert_accessible(page)
