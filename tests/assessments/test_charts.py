"""The charts an adviser reads in one look, and a student too: values, a scale whose thresholds
say their band, stacked bars that write their percentages and name their rows."""

import html as entities
import re
from types import SimpleNamespace

from django.template.loader import render_to_string
from django.urls import reverse

from assessments.charts import bar_chart, stacked_chart
from tests.utils import log_in_verified, text

from .factories import adviser, cohort, completed_attempt, consistent

BANDS = [  # highest first, as a version's content lists them
    SimpleNamespace(code="appui", label="Point d'appui", min_score=75),
    SimpleNamespace(code="consolider", label="À consolider", min_score=50),
    SimpleNamespace(code="progres", label="Piste de progrès", min_score=0),
]
APPUI, CONSOLIDER, PROGRES = BANDS


def row(code, label, strong, mid, low):
    return SimpleNamespace(
        code=code, label=label, shares=[(APPUI, strong), (CONSOLIDER, mid), (PROGRES, low)]
    )


def plain(html):
    """Words as a screen reader reads them (tests/utils.plain, for a rendered fragment)."""
    return " ".join(entities.unescape(re.sub(r"<[^>]+>", " ", html)).split())


def test_each_stacked_segment_knows_its_band_its_share_and_whether_it_is_written():
    chart = stacked_chart([row("CG1", "Maîtrise du français", 60, 35, 5)], BANDS)
    (bar,) = chart["bars"]
    assert (bar["code"], bar["label"]) == ("CG1", "Maîtrise du français")
    assert [(s["band"], s["tone"], s["width"]) for s in bar["segments"]] == [
        ("Point d'appui", "strong", 60),
        ("À consolider", "mid", 35),
        ("Piste de progrès", "low", 5),
    ]
    # 5 % is too narrow to hold « 5 % »: said to screen readers only.
    assert [s["written"] for s in bar["segments"]] == [True, True, False]
    assert chart["ticks"] == [0, 50, 100]
    assert [entry["band"] for entry in chart["legend"]] == BANDS


def test_a_share_is_written_from_8_percent_and_on_a_phone_from_12():
    chart = stacked_chart([row("QH1", "Réflexion sur le projet", 7, 8, 85)], BANDS)
    seven, eight, most = chart["bars"][0]["segments"]
    assert not seven["written"] and eight["written"] and eight["tight"]
    assert most["written"] and not most["tight"]


def test_the_stacked_chart_has_a_visible_title_labelled_rows_percentages_and_a_scale():
    chart = stacked_chart(
        [row("CG1", "Maîtrise du français", 60, 35, 5), row("CTS1", "Parcours visé", 10, 11, 79)],
        BANDS,
    )
    html = render_to_string(
        "includes/stacked_chart.html",
        {"chart": chart, "chart_id": "spread", "title": "Répartition des élèves, par attendu"},
    )
    assert '<figcaption class="hchart-title" id="spread-title">' in html
    assert 'aria-labelledby="spread-title"' in html and "<svg" not in html
    words = plain(html)
    assert words.startswith("Répartition des élèves, par attendu Point d'appui À consolider")
    # Each row: its code, its label, then every share in words (hidden to the eye).
    assert (
        "CG1 Maîtrise du français : Point d'appui 60 %, À consolider 35 %, Piste de progrès 5 %"
        in words
    )
    written = re.findall(r'<span class="stacked-percent[^"]*">([^<]+)</span>', html)
    assert written == ["60&nbsp;%", "35&nbsp;%", "10&nbsp;%", "11&nbsp;%", "79&nbsp;%"]
    assert '<span class="stacked-percent stacked-percent-tight">10&nbsp;%' in html
    assert "stacked-segment tone-low w-5" in html  # drawn, its 5 % unwritten
    assert words.endswith("0 % 50 % 100 %")


def test_a_band_without_students_draws_no_segment_but_is_said():
    chart = stacked_chart([row("CG2", "Culture générale", 0, 40, 60)], BANDS)
    html = render_to_string(
        "includes/stacked_chart.html", {"chart": chart, "chart_id": "s", "title": "T"}
    )
    assert "tone-strong w-" not in html
    assert "Point d'appui 0 %" in plain(html)


def test_the_bar_chart_scale_names_each_band_where_it_starts():
    chart = bar_chart([("CG1 Maîtrise du français", 62, CONSOLIDER)], BANDS)
    assert [(z["band"].label, z["low"], z["width"]) for z in chart["zones"]] == [
        ("Piste de progrès", 0, 50),
        ("À consolider", 50, 25),
        ("Point d'appui", 75, 25),
    ]
    assert chart["thresholds"] == [50, 75]
    html = render_to_string(
        "includes/bar_chart.html", {"chart": chart, "chart_id": "means", "title": "Moyennes"}
    )
    words = plain(html)
    assert "CG1 Maîtrise du français 62 sur 100 · À consolider" in words
    assert "0 Piste de progrès 50 À consolider 75 Point d'appui 100" in words
    assert html.count("hchart-mark at-50") == 1 and html.count("hchart-mark at-75") == 1
    assert '<span class="hchart-zone w-25"><span class="hchart-tick">75</span>' in html


def test_a_class_dashboard_draws_both_charts_readable_alone(client, version, settings):
    owner = adviser()
    group = cohort(owner)

    def weak(item):
        return 1 if item.code.startswith("CG2") and not item.reverse_keyed else consistent(item)

    for n in range(settings.MIN_GROUP_SIZE):
        completed_attempt(group, value=weak if n < 4 else consistent)
    log_in_verified(client, owner)
    html = text(client.get(reverse("assessments:cohort", args=[group.pk])))
    spread = html[
        html.index('<figure class="stacked" aria-labelledby="spread-expectations-title"') :
    ]
    spread = spread[: spread.index("</figure>")]
    assert (
        '<figcaption class="hchart-title" id="spread-expectations-title">'
        "Répartition des élèves entre les repères, par attendu</figcaption>" in spread
    )
    words = plain(spread)
    # CG2: 4 students at 25, 6 at 75 (test_dashboard): 60 % on a strong point, 40 % to work on.
    assert re.search(
        r"CG2 [^:]+ : Point d'appui 60 %, À consolider 0 %, Piste de progrès 40 %", words
    )
    assert '<span class="stacked-percent">60\xa0%</span>' in spread
    assert "Piste de progrès 50 À consolider 75 Point d'appui" in plain(html)  # the bar charts
