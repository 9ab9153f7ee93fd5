"""An adviser's school year in a real Chromium: a shared class, its report printed on one or
two A4 pages in both languages, a before/after, a handover; axe on every page state."""

import re

import pytest

from assessments.models import Cohort
from tests.assessments.factories import adviser, cohort, completed_attempt
from tests.assessments.test_class_year import high, low, retake

from .conftest import assert_accessible
from .test_adviser_browser import log_in, log_in_admin

pytestmark = pytest.mark.browser


def pdf_pages(page):
    return len(re.findall(rb"/Type\s*/Page[^s]", page.pdf(format="A4", print_background=True)))


def test_an_advisers_year_with_a_class(site, page, browser, settings):
    principale, _psy_en = adviser("principale"), adviser("psy-en")
    group = cohort(principale, name="Terminale ST2S 1")
    Cohort.objects.filter(pk=group.pk).update(size=30)
    firsts = [completed_attempt(group, value=low) for _n in range(settings.MIN_GROUP_SIZE)]
    for attempt in firsts:
        retake(attempt, high)

    log_in(page, site, "principale")
    page.goto(f"{site}/conseiller/groupes/{group.pk}/")
    assert "Participation : 10 / 30 élèves" in page.content()
    assert_accessible(page, "class page")
    with page.expect_navigation():
        page.click("text=Inviter un collègue ou transmettre le groupe")
    assert_accessible(page, "sharing page")
    page.fill("#id_invite-username", "inconnu")
    with page.expect_navigation():
        page.click("button:has-text('Inviter')")
    assert "Aucun conseiller n'a cet identifiant." in page.content()
    assert_accessible(page, "invitation refused")
    page.fill("#id_invite-username", "psy-en")
    with page.expect_navigation():
        page.click("button:has-text('Inviter')")
    assert "psy-en, sur invitation" in page.content()

    page.goto(f"{site}/conseiller/groupes/{group.pk}/")
    with page.expect_navigation():
        page.click("text=Imprimer le bilan de la classe")
    assert "Trois attendus à travailler ensemble" in page.content()
    assert_accessible(page, "class report")
    assert 1 <= pdf_pages(page) <= 2

    english = browser.new_context(locale="en-GB").new_page()
    log_in(english, site, "psy-en")
    english.goto(f"{site}/conseiller/groupes/{group.pk}/bilan/")
    assert "Class report — Terminale ST2S 1" in english.content()
    assert_accessible(english, "class report in English, opened by the invited colleague")
    assert 1 <= pdf_pages(english) <= 2

    page.goto(f"{site}/conseiller/groupes/{group.pk}/")
    with page.expect_navigation():
        page.click("text=Avant / après")
    assert "hausse nette" in page.content()
    assert_accessible(page, "before and after: first questionnaires and retakes")

    page.goto(f"{site}/conseiller/groupes/{group.pk}/partage/")
    page.fill("#id_handover-username", "psy-en")
    with page.expect_navigation():
        page.click("button:has-text('Transmettre')")
    assert_accessible(page, "after the handover")
    assert Cohort.objects.get(pk=group.pk).owner.username == "psy-en"

    english.goto(f"{site}/conseiller/groupes/{group.pk}/")
    with english.expect_navigation():
        english.click("button:has-text('Archive')")
    english.goto(f"{site}/conseiller/groupes/{group.pk}/projeter/")
    assert group.code not in english.content()
    assert_accessible(english, "projection page of an archived class")


def test_the_item_quality_report_and_a_refused_comparison_are_accessible(site, page, admin_user):
    from orientation.models import QuestionnaireVersion

    group = cohort(adviser("principale"))
    for _n in range(3):
        completed_attempt(group, value=low)
    log_in_admin(page, site, admin_user)
    current = QuestionnaireVersion.objects.current()
    page.goto(f"{site}/conseiller/qualite/{current.pk}/")
    assert "Seulement 3 réponses complètes : trop peu pour conclure" in page.inner_text("main")
    assert_accessible(page, "item-quality report with few answers")

    page.goto(
        f"{site}/conseiller/groupes/{group.pk}/avant-apres/?mode=periods"
        "&before_from=2026-10-01&before_to=2026-10-31&after_from=2026-09-01&after_to=2026-09-30"
    )
    assert "doit commencer après la fin" in page.content()
    assert_accessible(page, "before/after with periods in the wrong order")
