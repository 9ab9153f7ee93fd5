"""The content editor (the Django admin) in a real Chromium, on a common laptop screen."""

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from orientation.models import Category, Expectation, Item, QuestionnaireVersion
from orientation.services import clone_version

from .conftest import assert_accessible

pytestmark = pytest.mark.browser

# 1366×768 is the most common laptop screen; the admin must fit it without sideways scrolling.
SCREEN = {"width": 1366, "height": 768}


def log_in_to_admin(page, site, user):
    phone = TOTPDevice.objects.create(user=user, name="Téléphone", confirmed=True)
    page.goto(f"{site}/admin/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "password")
    with page.expect_navigation():
        page.click("input[type=submit]")
    page.fill("#id_code", f"{totp(phone.bin_key):06d}")
    with page.expect_navigation():
        page.click("button:has-text('Vérifier')")


def page_width(page):
    return page.evaluate("document.documentElement.scrollWidth")


def test_the_drafts_pages_fit_a_laptop_screen(site, page, admin_user):
    # A draft's pages are the wide ones: their inlines hold editable textareas side by side.
    draft = clone_version(QuestionnaireVersion.objects.current(), code="2026-3")
    page.set_viewport_size(SCREEN)
    log_in_to_admin(page, site, admin_user)
    pages = {
        "attendu": Expectation.objects.filter(version=draft).first(),
        "statement": Item.objects.get(version=draft, code="CG1-a"),
        "category": Category.objects.filter(version=draft).first(),
        "version": draft,
    }
    for name, obj in pages.items():
        page.goto(f"{site}/admin/orientation/{obj._meta.model_name}/{obj.pk}/change/")
        assert page.locator("input[name=_save]").count(), name  # an editable form
        assert page_width(page) <= SCREEN["width"], name
    for query in ["", "?version=all"]:
        page.goto(f"{site}/admin/orientation/item/{query}")
        assert page_width(page) <= SCREEN["width"], query
    assert_accessible(page, "admin: every version's statements")
    page.goto(f"{site}/admin/orientation/expectation/{pages['attendu'].pk}/change/")
    assert_accessible(page, "admin: an attendu of a draft")


def test_the_version_filter_starts_on_the_version_in_use(site, page, admin_user):
    current = QuestionnaireVersion.objects.current()
    clone_version(current, code="2026-3")
    log_in_to_admin(page, site, admin_user)
    page.goto(f"{site}/admin/orientation/item/?q=CG1-a")
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 1 and "2026-2" in rows.inner_text()
    assert page.locator("#changelist-filter li.selected", has_text="2026-2 (en cours)").count()

    with page.expect_navigation():
        page.click("#changelist-filter a:has-text('Toutes les versions')")
    assert page.locator("#result_list tbody tr").count() == 3

    with page.expect_navigation():
        page.click("#changelist-filter a:has-text('2026-3 (brouillon)')")
    page.locator("#result_list tr", has_text="2026-3").locator("th a").click()
    assert page.locator("#id_statement").is_editable()


def test_deleting_published_content_is_refused_in_the_admins_look(site, page, admin_user):
    expectation = Expectation.objects.filter(version=QuestionnaireVersion.objects.current())[0]
    log_in_to_admin(page, site, admin_user)
    page.goto(f"{site}/admin/orientation/expectation/{expectation.pk}/delete/")
    assert page.url.endswith(f"/admin/orientation/expectation/{expectation.pk}/change/")
    error = page.locator(".messagelist .error")
    assert "ne peut pas être supprimé" in error.inner_text()
    assert "Clonez-la en brouillon" in error.inner_text()
    assert "lecture seule" in page.locator(".messagelist .warning").inner_text()
    assert_accessible(page, "admin: deletion refused")
