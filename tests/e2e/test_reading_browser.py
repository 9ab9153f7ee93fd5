"""Reading and coming back, in a real Chromium: English, simpler words, read aloud, one link."""

import random

import pytest
from playwright.sync_api import expect

from orientation.models import Item
from orientation.outline import clear_content_cache

from .conftest import assert_accessible
from .test_student_browser import answer_with_mouse, step_count

pytestmark = pytest.mark.browser

# A browser with one French voice, whose speech is recorded instead of heard.
WITH_A_VOICE = """
(() => {
  window.__spoken = [];
  const voices = [{name: "Test", lang: "fr-FR", default: true, localService: true}];
  const synth = {
    getVoices: () => voices,
    speak: (utterance) => window.__spoken.push([utterance.text, utterance.lang]),
    cancel: () => {},
    addEventListener: () => {},
  };
  Object.defineProperty(window, "speechSynthesis", {value: synth, configurable: true});
  window.SpeechSynthesisUtterance = function (text) { this.text = text; this.lang = ""; };
})();
"""
# A browser with speech synthesis but no voice installed.
WITHOUT_A_VOICE = WITH_A_VOICE.replace(
    '[{name: "Test", lang: "fr-FR", default: true, localService: true}]', "[]"
)


def begin(page, site, label="Commencer le questionnaire"):
    page.goto(site)
    with page.expect_navigation():
        page.click(f"text={label}")


def results_on_a_screen(browser, site, width, height, seed):
    """A new student's results, answered at random on a screen of this size."""
    page = browser.new_context(locale="fr-FR", viewport={"width": width, "height": height})
    page = page.new_page()
    begin(page, site)
    rng = random.Random(seed)
    for _number in range(step_count(page)):
        answer_with_mouse(page, rng)
    assert page.url.endswith("/resultats/")
    return page


def outside_french(page):
    """The text of the page's main part, leaving out what is marked lang="fr"."""
    return page.evaluate(
        "(() => { const main = document.querySelector('main').cloneNode(true);"
        " main.querySelectorAll('[lang=fr]').forEach(e => e.remove());"
        " return main.innerText; })()"
    )


def test_an_english_journey_leaves_no_french_statement_unmarked(site, browser):
    # One statement without its translation shows in French, marked as French (the base
    # manager steps around the guard of published versions, as a draft's edit would).
    untranslated = Item.objects.get(version__code="2026-2", code="CG1-a")
    Item._base_manager.filter(pk=untranslated.pk).update(statement_en="")
    clear_content_cache()
    french = set(Item.objects.filter(version__code="2026-2").values_list("statement", flat=True))
    page = browser.new_context(locale="en-GB").new_page()
    page.goto(site)
    assert page.locator("html").get_attribute("lang") == "en"
    assert_accessible(page, "home in English")
    with page.expect_navigation():
        page.click("text=Start the questionnaire")
    with page.expect_navigation():
        page.click("button[value=next]")  # nothing answered: the errors, in English
    assert page.title().startswith("Error: ")
    assert_accessible(page, "English step with errors")
    marked = []
    for number in range(1, step_count(page) + 1):
        assert f"Step {number} of" in page.locator(".step-progress").inner_text()
        for statement in page.locator("legend .statement").all():
            inside = statement.locator("[lang=fr]")
            if inside.count():
                marked.append(inside.inner_text())
            else:
                assert statement.inner_text() not in french
        assert_accessible(page, f"English step {number}")
        answer_with_mouse(page, random.Random(number))
    assert marked == [untranslated.statement]

    assert page.url.endswith("/resultats/")
    assert "Your results" in page.content()
    words = outside_french(page)
    for french_text in ("Point d'appui", "Compétences générales", "Tes résultats", " : "):
        assert french_text not in words
    assert "In short" in words and "out of 100" in words
    assert_accessible(page, "results in English")
    page.goto(page.url + "?vue=impression")
    assert_accessible(page, "print view in English")


def test_results_follow_the_reader_s_text_size_without_scrolling_sideways(site, browser):
    page = results_on_a_screen(browser, site, 640, 720, seed=8)
    # Text at twice the size, as a reader's setting or 200 % zoom on a 1280 px screen gives.
    page.evaluate("document.documentElement.style.fontSize = '200%'")
    for summary in page.locator("details > summary").all():
        summary.click()
    assert page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )
    label = page.locator(".hchart-label").first
    assert float(label.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 32


def test_the_simpler_wording_opens_without_javascript(site, browser):
    page = browser.new_context(locale="fr-FR", java_script_enabled=False).new_page()
    begin(page, site)
    first = page.locator("fieldset.likert").first
    code = first.get_attribute("id").removeprefix("q-")
    simpler = first.locator("details.simpler")
    expect(simpler.locator("p")).to_be_hidden()
    simpler.locator("summary").click()
    expect(simpler.locator("p")).to_be_visible()
    expected = Item.objects.get(version__code="2026-2", code=code).simple_statement
    assert simpler.locator("p").inner_text() == expected
    # Nothing of the script: no « Écouter », no copy button; the form still works.
    assert page.locator("button.listen, button.copy-link").count() == 0
    answer_with_mouse(page, random.Random(1))
    assert page.url.endswith("/etape/2/")
    # (axe runs as a script: the same page is checked with JavaScript in the other tests.)


def test_read_aloud_is_offered_with_a_voice_and_absent_without(site, browser):
    with_voice = browser.new_context(locale="fr-FR")
    with_voice.add_init_script(WITH_A_VOICE)
    page = with_voice.new_page()
    begin(page, site)
    buttons = page.locator("button.listen")
    expect(buttons.first).to_be_visible()
    assert buttons.count() == page.locator("fieldset.likert").count()
    buttons.nth(1).click()
    expect(buttons.nth(1)).to_have_attribute("aria-pressed", "true")
    [(spoken, lang)] = page.evaluate("window.__spoken")
    statement = page.locator("legend .statement").nth(1).inner_text()
    assert spoken.startswith(statement) and spoken.endswith("Tout à fait d'accord")
    assert lang == "fr"
    assert_accessible(page, "step with read-aloud")

    without_voice = browser.new_context(locale="fr-FR")
    without_voice.add_init_script(WITHOUT_A_VOICE)
    silent = without_voice.new_page()
    begin(silent, site)
    silent.wait_for_load_state("load")
    assert silent.locator("fieldset.likert").count() > 0
    assert silent.locator("button.listen").count() == 0


def test_a_retake_keeps_one_link_that_leads_to_the_latest_results(site, browser):
    page = browser.new_context(locale="fr-FR", viewport={"width": 375, "height": 667}).new_page()
    begin(page, site)
    # The private link is on the first screen of step 1, with its copy button.
    assert page.locator(".private-link").bounding_box()["y"] < 667
    expect(page.locator("button.copy-link")).to_be_visible()
    link = page.locator(".private-link-url").inner_text()
    rng = random.Random(4)
    for _number in range(step_count(page)):
        answer_with_mouse(page, rng)
    with page.expect_navigation():
        page.click("#refaire button")
    assert "Ton lien privé ne change pas" in page.content()
    assert page.locator(".private-link-url").inner_text() == link
    for _number in range(step_count(page)):
        answer_with_mouse(page, rng)

    # The old bookmark, elsewhere: the latest results, the earlier ones listed by date.
    elsewhere = browser.new_context(locale="fr-FR").new_page()
    elsewhere.goto(link)
    assert elsewhere.url.endswith("/resultats/")
    assert elsewhere.locator(".hchart-before").count() == 3  # last time, under each category
    assert "depuis le" in elsewhere.locator(".glance").inner_text()
    assert_accessible(elsewhere, "results of a retake")
    with elsewhere.expect_navigation():
        elsewhere.locator("[aria-labelledby=history-title] a").first.click()
    assert "pas les derniers" in elsewhere.content()
    assert elsewhere.locator("#refaire").count() == 0
    assert_accessible(elsewhere, "earlier results")


def test_back_then_continue_goes_to_the_next_step(site, page):
    begin(page, site)
    answer_with_mouse(page, random.Random(5))
    assert page.url.endswith("/etape/2/")
    with page.expect_navigation():
        page.click("button[value=back]")
    assert page.url.endswith("/etape/1/")
    with page.expect_navigation():
        page.click("button[value=next]")
    assert page.url.endswith("/etape/2/")


def test_an_incomplete_step_resumes_elsewhere_with_its_saved_answers(site, browser):
    first = browser.new_context(locale="fr-FR").new_page()
    begin(first, site)
    groups = first.locator("fieldset.likert")
    answered = groups.count() - 3
    for index in range(answered):
        groups.nth(index).locator("input[value='2']").check()
    with first.expect_navigation():
        first.click("button[value=next]")
    assert "Tes autres réponses sont enregistrées." in first.content()
    link = first.locator(".private-link-url").inner_text()
    first.context.close()

    other = browser.new_context(locale="fr-FR").new_page()
    other.goto(link)
    assert other.url.endswith("/etape/1/")
    assert other.locator("input[value='2']:checked").count() == answered


def test_the_results_first_screen_on_a_phone_says_the_essentials(site, browser):
    page = results_on_a_screen(browser, site, 320, 640, seed=6)
    glance = page.locator(".glance")
    assert glance.bounding_box()["y"] < 640
    assert glance.locator("li").count() == 3  # the three categories of attendus, each with its band
    # What stays in view before the details is a few phone screens, not twenty.
    top_of_details = page.locator("section.more").bounding_box()["y"]
    assert top_of_details < 7 * 640, top_of_details
    for summary in page.locator("section.more details > summary").all():
        summary.click()
    assert_accessible(page, "results with every detail open")
