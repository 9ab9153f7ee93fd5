"""The student journey in a real Chromium, with axe-core on every page and state."""

import random

import pytest
from playwright.sync_api import expect

from .conftest import assert_accessible

pytestmark = pytest.mark.browser


def answer_with_keyboard(page, value=4):
    """Tab into each radio group, arrow to the value (arrows select), Enter to submit."""
    groups = page.locator("fieldset.likert").count()
    page.focus("h1")
    answered = 0
    for _press in range(groups * 2 + 40):
        page.keyboard.press("Tab")
        kind = page.evaluate("document.activeElement.type")
        if kind == "radio":
            page.keyboard.press("Home")
            for _step in range(value - 1):
                page.keyboard.press("ArrowRight")
            answered += 1
        elif kind == "submit" and answered >= groups:
            break
    assert answered == groups
    with page.expect_navigation():
        page.keyboard.press("Enter")


def answer_with_mouse(page, rng):
    for group in page.locator("fieldset.likert").all():
        # Agreement statements offer 5 answers, knowledge questions 3.
        options = group.locator("input[type=radio]").count()
        group.locator(f"input[value='{rng.randint(min(2, options), options)}']").check()
    with page.expect_navigation():
        page.click("button[value=next]")


def step_count(page):
    """The number of steps, read from « Étape 1 sur N » on a step page."""
    return int(page.locator(".step-progress").inner_text().rsplit(" ", 1)[-1])


def no_horizontal_scroll(page):
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def test_keyboard_only_journey_with_errors_results_and_print(site, page):
    page.goto(site)
    assert_accessible(page, "home")
    for _press in range(60):
        page.keyboard.press("Tab")
        if (
            page.evaluate("document.activeElement.textContent.trim()")
            == "Commencer le questionnaire"
        ):
            break
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/etape/1/" in page.url
    assert_accessible(page, "step 1, empty")

    # Submitting with nothing answered: the summary gets the focus and links to the statements.
    page.focus("button[value=next]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    # Browsers move autofocus at their next rendering update, just after the load event.
    expect(page.locator("#error-summary")).to_be_focused()
    assert page.title().startswith("Erreur")
    assert_accessible(page, "step 1 with errors")

    steps = step_count(page)
    assert steps == 5  # the current version, 2026-2
    for number in range(1, steps + 1):
        assert f"Étape {number} sur {steps}" in page.content()
        if number > 1:
            assert_accessible(page, f"step {number}")
        answer_with_keyboard(page)
    assert page.url.endswith("/resultats/")
    assert_accessible(page, "results")
    # « Plutôt d'accord » with every interest statement: a profile that does not lean yet.
    assert "ne penchent pas encore" in page.content()

    page.goto(page.url + "?vue=impression")
    assert_accessible(page, "print view")
    page.emulate_media(media="print")
    assert not page.locator(".results-actions").is_visible()
    assert page.locator(".print-only").is_visible()
    assert page.locator("#partage").is_hidden()


def test_a_step_with_missing_answers_keeps_the_others(site, page):
    page.goto(site)
    page.click("text=Commencer le questionnaire")
    groups = page.locator("fieldset.likert")
    for index in range(groups.count() - 1):
        groups.nth(index).locator("input[value='5']").check()
    with page.expect_navigation():
        page.click("button[value=next]")
    assert "Il manque une réponse" in page.content()
    assert page.locator("input[value='5']:checked").count() == groups.count() - 1
    page.click("#error-summary a")
    assert page.evaluate("document.activeElement.type") == "radio"
    assert_accessible(page, "one answer missing")


def test_leaving_after_step_two_and_resuming_in_another_browser(site, browser):
    rng = random.Random(2)
    first = browser.new_context(locale="fr-FR").new_page()
    first.goto(site)
    first.click("text=Commencer le questionnaire")
    answer_with_mouse(first, rng)
    answer_with_mouse(first, rng)
    link = first.locator(".private-link-url").inner_text()
    first.context.close()

    other = browser.new_context(locale="fr-FR").new_page()
    other.goto(link)
    assert "/etape/3/" in other.url
    for _number in range(3, step_count(other) + 1):
        answer_with_mouse(other, rng)
    assert other.url.endswith("/resultats/")
    assert "Tes résultats" in other.content()


def test_the_journey_on_a_320_pixel_screen(site, browser):
    rng = random.Random(3)
    page = browser.new_context(locale="fr-FR", viewport={"width": 320, "height": 640}).new_page()
    page.goto(site)
    assert no_horizontal_scroll(page)
    page.click("text=Commencer le questionnaire")
    for _number in range(step_count(page)):
        assert no_horizontal_scroll(page)
        answer_with_mouse(page, rng)
    assert page.url.endswith("/resultats/")
    assert no_horizontal_scroll(page)
    assert_accessible(page, "results at 320 px")


@pytest.mark.parametrize(
    "path",
    [
        "confidentialite/",
        "accessibilite/",
        "mentions-legales/",
        "methode/",
        "c/INCONNU/",
        "nulle-part/",
    ],
)
@pytest.mark.parametrize("language", ["fr", "en"])
def test_public_pages_and_error_pages_are_accessible(site, page, path, language):
    page.context.add_cookies([{"name": "django_language", "value": language, "url": site}])
    page.goto(f"{site}/{path}")
    assert page.locator("html").get_attribute("lang") == language
    assert_accessible(page, f"{path} ({language})")


def test_the_english_interface_is_accessible(site, page):
    page.goto(site)
    with page.expect_navigation():
        page.click("text=English version")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Start the questionnaire" in page.content()
    assert_accessible(page, "home in English")


def test_the_print_view_shows_its_button_and_way_back_on_screen(site, page):
    page.goto(site)
    page.click("text=Commencer le questionnaire")
    for _number in range(step_count(page)):
        answer_with_mouse(page, random.Random(7))
    page.goto(page.url + "?vue=impression")
    assert page.locator("button[data-print]").is_visible()
    assert page.locator("text=Retour à la page de résultats").is_visible()
    page.emulate_media(media="print")
    assert not page.locator("button[data-print]").is_visible()


def test_every_control_kind_shares_the_strong_focus_ring(site, page):
    page.goto(site)
    page.click("text=Commencer le questionnaire")
    rings = {}
    for name, selector in {
        "radio": "fieldset.likert input[type=radio]",
        "button": "button[value=next]",
        "link": "a.skip-link, main a",
        "disclosure": "details.simpler summary",
        "copy button": "button.copy-link",
    }.items():
        page.locator(selector).first.focus()
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Tab")
        rings[name] = page.evaluate(
            "(() => { const s = getComputedStyle(document.activeElement);"
            " return [s.outlineStyle, s.outlineWidth, s.outlineColor]; })()"
        )
    # 3 px of #1a1a1a: 17.4:1 against white (WCAG 2.2 focus appearance asks 3:1).
    assert set(map(tuple, rings.values())) == {("solid", "3px", "rgb(26, 26, 26)")}, rings


def test_a_wrong_class_code_on_a_phone_puts_the_error_first_and_in_focus(site, browser):
    page = browser.new_context(locale="fr-FR", viewport={"width": 320, "height": 640}).new_page()
    page.goto(site)
    page.fill("#id_class_code", "ZZZZZZ")
    with page.expect_navigation():
        page.click("text=Commencer le questionnaire")
    expect(page.locator("#error-summary")).to_be_focused()
    assert page.title().startswith("Erreur")
    box = page.locator("#error-summary").bounding_box()
    assert box["y"] < 640  # on the first screen
    assert_accessible(page, "wrong class code at 320 px")
    # The language switch after this POST comes back to the home page, in English.
    with page.expect_navigation():
        page.click("text=English version")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Start the questionnaire" in page.content()


def test_an_error_link_s_anchor_does_not_follow_the_student_to_the_next_step(site, page):
    page.goto(site)
    page.click("text=Commencer le questionnaire")
    groups = page.locator("fieldset.likert")
    for index in range(groups.count() - 1):
        groups.nth(index).locator("input[value='4']").check()
    with page.expect_navigation():
        page.click("button[value=next]")
    page.click("#error-summary a")
    assert "#" in page.url
    groups.last.locator("input[value='4']").check()
    with page.expect_navigation():
        page.click("button[value=next]")
    assert page.url.endswith("/etape/2/")
