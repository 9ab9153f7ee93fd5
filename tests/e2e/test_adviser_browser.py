"""Advisers and admins in a real Chromium, with axe-core on their pages."""

import random

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from orientation.models import Item, QuestionnaireVersion
from tests.assessments.factories import PASSWORD, adviser, cohort, completed_attempt

from .conftest import assert_accessible
from .test_student_browser import answer_with_mouse, step_count

pytestmark = pytest.mark.browser


def log_in(page, site, username, password=PASSWORD):
    page.goto(f"{site}/conseiller/")
    assert_accessible(page, "login")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.press("#id_password", "Enter")  # whatever the page's language


def log_in_admin(page, site, admin_user):
    """The admin's sign-in: password, then the code of the authenticator app."""
    phone = TOTPDevice.objects.create(user=admin_user, name="Téléphone", confirmed=True)
    page.goto(f"{site}/admin/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "password")
    with page.expect_navigation():
        page.click("input[type=submit]")
    # The password alone does not open the admin: the code of the authenticator app does.
    assert "Code de vérification" in page.content()
    assert_accessible(page, "second factor")
    page.fill("#id_code", f"{totp(phone.bin_key):06d}")
    with page.expect_navigation():
        page.click("button:has-text('Vérifier')")


def test_a_student_shares_and_the_adviser_reads_the_result(site, page, browser):
    rng = random.Random(5)
    student = browser.new_context(locale="fr-FR").new_page()
    student.goto(site)
    student.click("text=Commencer le questionnaire")
    for _number in range(step_count(student)):
        answer_with_mouse(student, rng)
    with student.expect_navigation():
        student.click("text=Créer un code de partage")
    code = student.locator(".share-code").inner_text()
    assert_accessible(student, "results, shared")

    adviser("prof")
    log_in(page, site, "prof")
    assert_accessible(page, "adviser home")
    page.fill("#id_code", code)
    with page.expect_navigation():
        page.click("button:has-text('Ouvrir')")
    assert "lecture seule" in page.content()
    assert_accessible(page, "shared result, read by the adviser")

    with student.expect_navigation():
        student.click("text=Désactiver le partage")
    page.goto(f"{site}/conseiller/resultats-partages/")
    page.fill("#id_code", code)
    with page.expect_navigation():
        page.click("button:has-text('Ouvrir')")
    assert "Aucun résultat partagé ne correspond à ce code." in page.content()
    assert_accessible(page, "shared result, revoked")


def test_an_adviser_creates_a_cohort_and_reads_its_dashboard(site, page, settings):
    adviser("prof")
    log_in(page, site, "prof")
    page.click("text=Créer un groupe")
    assert_accessible(page, "cohort form")
    page.fill("#id_name", "Terminale ST2S 2")
    with page.expect_navigation():
        page.click("button:has-text('Enregistrer')")
    assert "Moins de 10 questionnaires terminés" in page.content()
    assert_accessible(page, "dashboard below the threshold")

    group = page.locator("code").first.inner_text()
    from assessments.models import Cohort

    joined = Cohort.objects.get(code=group)
    for n in range(settings.MIN_GROUP_SIZE):
        completed_attempt(joined, value=lambda item, n=n: 1 + (item.pk + n) % 5)
    page.reload()
    assert "Par attendu" in page.content()
    assert_accessible(page, "dashboard above the threshold")
    page.click("text=Afficher le code en classe")
    assert page.locator("img.project-qr").is_visible()
    assert_accessible(page, "projection page")


def test_an_adviser_turns_on_two_factor_authentication(site, page):
    adviser("prof")
    log_in(page, site, "prof")
    page.click("text=Sécurité du compte")
    assert_accessible(page, "account security")
    page.click("text=Activer la double authentification")
    assert page.locator("img.two-factor-qr").is_visible()
    assert_accessible(page, "two-factor setup")
    phone = TOTPDevice.objects.get(user__username="prof", confirmed=False)
    page.fill("#id_code", f"{totp(phone.bin_key):06d}")
    with page.expect_navigation():
        page.click("button:has-text('Activer')")
    assert page.locator(".recovery-codes li").count() == 10
    assert_accessible(page, "recovery codes")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_an_admin_edits_an_item_in_a_draft_and_publishes_it(site, page, admin_user, scheme):
    # The admin ships a dark theme: axe must pass in both.
    page.emulate_media(color_scheme=scheme)
    log_in_admin(page, site, admin_user)
    page.goto(f"{site}/admin/orientation/questionnaireversion/")
    page.locator("#result_list tr", has_text="2026-2").locator(
        "input[name=_selected_action]"
    ).check()
    page.select_option("select[name=action]", "clone_as_draft")
    with page.expect_navigation():
        page.click("button[name=index]")
    assert "Brouillon créé : 2026-3" in page.content()

    # Content lists open on the version in use: the editor picks the draft in the filter.
    page.goto(f"{site}/admin/orientation/item/?q=CG1-a")
    with page.expect_navigation():
        page.click("#changelist-filter a:has-text('2026-3 (brouillon)')")
    with page.expect_navigation(wait_until="load"):
        page.locator("#result_list tr", has_text="2026-3").locator("th a").click()
    assert_accessible(page, "admin: item of a draft")
    page.fill("#id_statement", "Je relis chaque devoir avant de le rendre.")
    with page.expect_navigation():
        page.click("input[name=_save]")

    page.goto(f"{site}/admin/orientation/questionnaireversion/")
    page.locator("#result_list tr", has_text="2026-3").locator(
        "input[name=_selected_action]"
    ).check()
    page.select_option("select[name=action]", "publish")
    with page.expect_navigation():
        page.click("button[name=index]")
    assert "La version « 2026-3 » est publiée" in page.content()
    assert_accessible(page, "admin: versions after publishing")
    # Checked once its stylesheets have loaded: a click waits only for the navigation to start,
    # and axe once read the admin's dark background without the preview's colours for it.
    with page.expect_navigation(wait_until="load"):
        page.locator("#result_list tr", has_text="2026-3").locator(
            "text=Voir comme un élève"
        ).click()
    assert_accessible(page, "admin: preview")

    current = QuestionnaireVersion.objects.current()
    assert current.code == "2026-3"
    assert Item.objects.get(version=current, code="CG1-a").statement.startswith("Je relis chaque")
    previous = QuestionnaireVersion.objects.get(code="2026-2")
    assert previous.status == "archived"
    assert Item.objects.get(version=previous, code="CG1-a").statement.startswith("Avant de rendre")
    page.goto(site)
    page.click("text=Commencer le questionnaire")
    assert "Je relis chaque devoir avant de le rendre." in page.content()


def test_a_class_dashboard_fits_a_phone_and_its_charts_read_alone(site, page, settings):
    group = cohort(adviser("prof"))
    for n in range(settings.MIN_GROUP_SIZE):
        completed_attempt(group, value=lambda item, n=n: 1 + (item.pk + n) % 5)
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, site, "prof")
    page.goto(f"{site}/conseiller/groupes/{group.pk}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # The wide tables scroll inside their own box, not the page.
    box = page.locator(".table-responsive").first
    assert box.evaluate("box => box.scrollWidth > box.clientWidth")
    spread = page.locator("figure.stacked").last
    assert spread.locator("figcaption").inner_text() == (
        "Répartition des élèves entre les repères, par attendu"
    )
    assert spread.locator(".stacked-code").first.inner_text() == "CG1"
    assert spread.locator(".stacked-percent:visible").count() > 0
    assert page.locator(".hchart-zone-name").first.is_visible()
    assert_accessible(page, "class dashboard, 390 px")

    page.set_viewport_size({"width": 1366, "height": 900})
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    # On paper the charts print, patterns and colours included.
    page.emulate_media(media="print")
    assert spread.is_visible() and page.locator("figure.hchart").first.is_visible()
    assert spread.evaluate("figure => getComputedStyle(figure).printColorAdjust") == "exact"
