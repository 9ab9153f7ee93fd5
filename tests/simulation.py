"""A simulated population to measure what the rules of 2026-2 can tell (QUALITY.md V3).

No Django: the content is read from the shipped fixture into the pure modules' inputs.

The model, per student (a latent-trait model with an acquiescence factor):
- a true preferred interest area, drawn at random among the areas, and a latent interest per
  area ~ N(0, 1), plus PREFERENCE_BOOST on the preferred area;
- a latent level per category of attendus ~ N(0, 1) (correlated 0.5 through a general factor);
- an acquiescence bias ~ N(0, ACQUIESCENCE_SD) added to every agreement answer, whatever its
  direction (it pushes reverse-keyed statements up too, as real acquiescence does);
- an answer = 3 + latent + acquiescence + noise ~ N(0, NOISE_SD), rounded and kept in 1–5;
  a reverse-keyed statement uses −latent. A knowledge question is right with probability
  Φ(latent), else « je ne sais pas » or wrong.
A retest keeps every latent and the acquiescence and draws new noise.

Figures: how often the first suggestion is about the student's true area (the area weighs 2,
« important », or 3, « the heart of it », in the formation's profile); how often the profile
is said to lean at all; how often an attendu and a category keep the same band on a retest.
`python -m tests.simulation` prints them; tests pin them as floors.
"""

import json
import random
from dataclasses import dataclass
from math import erf, sqrt
from pathlib import Path

from assessments import matching, scoring
from orientation.content import (
    ContentBand,
    ContentDimension,
    ContentExpectation,
    ContentItem,
    ContentTrack,
)

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "questionnaire-2026-2.json"
PREFERENCE_BOOST = 1.5
ACQUIESCENCE_SD = 0.5
NOISE_SD = 0.8
STUDENTS = 2000
IMPORTANT = 2  # a formation's area of weight 2 (important) or 3 (the heart of it)
SEED = 2026


@dataclass(frozen=True)
class Content:
    items: tuple  # ContentItem
    expectations: tuple  # ContentExpectation
    bands: tuple  # ContentBand
    dimensions: tuple  # ContentDimension
    formations: tuple  # ContentTrack
    goals: tuple  # ContentItem naming a goal_track


def content_from_fixture(path=FIXTURE):
    """The fixture's version as the pure modules' inputs, in the content's order."""
    rows = json.loads(Path(path).read_text(encoding="utf-8"))

    def of(model):
        return [row["fields"] for row in rows if row["model"] == f"orientation.{model}"]

    def code(key):
        return key[1] if key else None

    categories = {c["code"]: c for c in of("category")}
    items = sorted(
        of("item"), key=lambda i: (categories[code(i["category"])]["position"], i["position"])
    )
    profiles = {}
    for row in of("trackdimension"):
        profiles.setdefault(code(row["track"]), {})[code(row["dimension"])] = row["weight"]
    return Content(
        items=tuple(
            ContentItem(
                i["code"],
                code(i["category"]),
                code(i["expectation"]),
                i["reverse_keyed"],
                i.get("kind", "agreement"),
                i.get("correct_answer"),
                code(i.get("mirror_of")),
            )
            for i in items
        ),
        expectations=tuple(
            ContentExpectation(e["code"], code(e["category"]))
            for e in sorted(
                of("expectation"),
                key=lambda e: (categories[code(e["category"])]["position"], e["position"]),
            )
        ),
        bands=tuple(ContentBand(b["code"], b["min_score"]) for b in of("scoreband")),
        dimensions=tuple(
            ContentDimension(
                d["code"], tuple(i["code"] for i in items if code(i.get("dimension")) == d["code"])
            )
            for d in sorted(of("interestdimension"), key=lambda d: d["position"])
        ),
        formations=tuple(
            ContentTrack(
                t["code"],
                profile=tuple(profiles.get(t["code"], {}).items()),
                after_first_diploma=t["after_first_diploma"],
                shown_with=code(t["shown_with"]),
            )
            for t in sorted(of("track"), key=lambda t: t["position"])
        ),
        goals=tuple(
            ContentItem(
                i["code"],
                code(i["category"]),
                code(i["expectation"]),
                goal_track=code(i["goal_track"]),
            )
            for i in items
            if i.get("goal_track")
        ),
    )


def _phi(x):
    return 0.5 * (1 + erf(x / sqrt(2)))


def _answer(rng, latent, bias):
    return max(1, min(5, round(3 + latent + bias + rng.gauss(0, NOISE_SD))))


def _student(rng, content):
    areas = [d.code for d in content.dimensions]
    preferred = rng.choice(areas)
    interest = {a: rng.gauss(0, 1) + (PREFERENCE_BOOST if a == preferred else 0) for a in areas}
    general = rng.gauss(0, 1)
    categories = {item.step for item in content.items if item.expectation}
    level = {c: sqrt(0.5) * general + sqrt(0.5) * rng.gauss(0, 1) for c in categories}
    return preferred, interest, level, rng.gauss(0, ACQUIESCENCE_SD)


def answer_sheet(rng, content, interest, level, bias):
    dimension_of = {code: d.code for d in content.dimensions for code in d.items}
    answers = {}
    for item in content.items:
        if item.kind == scoring.KNOWLEDGE:
            if rng.random() < _phi(level[item.step]):
                answers[item.code] = item.correct
            else:
                answers[item.code] = rng.choice((3, 3 - item.correct))
        elif item.expectation:
            latent = -level[item.step] if item.reverse_keyed else level[item.step]
            answers[item.code] = _answer(rng, latent, bias)
        elif item.code in dimension_of:
            answers[item.code] = _answer(rng, interest[dimension_of[item.code]], bias)
        else:  # a goal statement: no stated goal in this population
            answers[item.code] = _answer(rng, -1, bias)
    return answers


def _suggest(content, answers):
    interests = {i.code: answers[i.code] for i in content.items if i.expectation is None}
    return matching.suggest(interests, content.dimensions, content.formations, content.goals)


def _scores(content, answers):
    return scoring.score_answers(
        answers, content.items, content.expectations, content.bands, 0, rules="2"
    )


def simulate(content=None, students=STUDENTS, seed=SEED):
    content = content or content_from_fixture()
    profiles = {f.code: dict(f.profile) for f in content.formations}
    rng = random.Random(seed)
    matched = leaning = strongest = same_attendus = same_categories = attendus = categories = 0
    bands = list(content.bands)
    for _n in range(students):
        preferred, interest, level, bias = _student(rng, content)
        strongest += max(interest, key=interest.get) == preferred
        first = answer_sheet(rng, content, interest, level, bias)
        second = answer_sheet(rng, content, interest, level, bias)
        suggestion = _suggest(content, first)
        if suggestion.verdict != matching.FLAT:
            leaning += 1
            first_profile = profiles[suggestion.first[0].code] if suggestion.first else {}
            if first_profile.get(preferred, 0) >= IMPORTANT:
                matched += 1
        before, after = _scores(content, first), _scores(content, second)
        for code, result in before.expectations.items():
            attendus += 1
            same_attendus += result.band == after.expectations[code].band
        for code, score in before.categories.items():
            categories += 1
            same_categories += (
                scoring.band_for(score, bands).code
                == scoring.band_for(after.categories[code], bands).code
            )
    return {
        "students": students,
        "first_suggestion_matches": matched / students,
        "leaning": leaning / students,
        "matches_when_leaning": matched / leaning if leaning else 0.0,
        # The model's own ceiling: how often the preferred area is also the strongest interest.
        "preferred_is_strongest": strongest / students,
        "same_attendu_band_on_retest": same_attendus / attendus,
        "same_category_band_on_retest": same_categories / categories,
    }


if __name__ == "__main__":
    for name, value in simulate().items():
        print(f"{name}: {value:.3f}" if isinstance(value, float) else f"{name}: {value}")
