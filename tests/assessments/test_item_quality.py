"""The item-quality report as an administrator reads it, and the command that stores its
reliability for the result pages."""

import io
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from assessments import reliability
from assessments.models import Answer, Assessment, digest
from orientation.models import (
    TRUE,
    Category,
    Expectation,
    InterestDimension,
    Item,
    QuestionnaireVersion,
)
from orientation.outline import questionnaire_content
from tests.assessments.factories import completed_attempt, copies
from tests.utils import log_in_verified, plain, text


def page(client, version):
    return client.get(reverse("assessments:item-quality", args=[version.pk]))


def leaning(level):
    """Answers around a level, each statement a little off it, so sets vary but cohere."""

    def value(item):
        answer = max(1, min(5, level + item.pk % 3 - 1))
        return 6 - answer if item.reverse_keyed else answer

    return value


def crowd(count, levels=(2, 3, 4, 5)):
    """`count` completed attempts spread over `levels`, most of them copied in bulk."""
    per_level = count // len(levels)
    for level in levels:
        model = completed_attempt(value=leaning(level))
        answers = list(model.answers.values_list("item_id", "value"))
        Answer.objects.bulk_create(
            Answer(assessment=copy, item_id=item, value=value)
            for copy in copies(model, per_level - 1)
            for item, value in answers
        )


@pytest.fixture
def clerk(db):
    """Staff who may read the report but not edit the questionnaire."""
    return get_user_model().objects.create_user("secretariat", password="x", is_staff=True)


def test_an_admin_sees_each_statement_and_a_link_to_edit_it(admin_client, version):
    completed_attempt()
    item = Item.objects.get(version=version, code="CG1-a")
    response = page(admin_client, version)
    assert response.status_code == 200
    assert item.statement in text(response)
    edit = reverse("admin:orientation_item_change", args=[item.pk])
    assert f'href="{edit}"' in text(response)
    assert "modifier CG1-a" in plain(response)


def test_staff_who_cannot_edit_statements_get_no_edit_link(client, version, clerk):
    completed_attempt()
    log_in_verified(client, clerk)
    response = page(client, version)
    assert response.status_code == 200
    assert Item.objects.get(version=version, code="CG1-a").statement in text(response)
    assert "/admin/orientation/item/" not in text(response)


def test_the_sections_are_attendus_categories_and_interest_dimensions(admin_client, version):
    completed_attempt()
    words = plain(page(admin_client, version))
    assert words.index("Attendus") < words.index("Catégories") < words.index("Domaines d'intérêt")
    # 2026-1 measures interests statement by statement: the section says there is none.
    assert "Domaines d'intérêt Cette version n'en a pas." in words


def test_one_response_is_too_few_said_once_and_nothing_is_flagged(admin_client, version):
    # Everyone (one student) answers 5: every statement sits at a bound, which would saturate.
    completed_attempt(value=lambda item: 5)
    response = page(admin_client, version)
    words = plain(response)
    assert words.count("trop peu pour conclure") == 1
    assert "Seulement 1 réponse complète" in words
    assert "table-warning" not in text(response)
    assert "Calculé sur 1 questionnaire terminé " in words
    assert "1 réponse complète · α = —" in words


def test_counts_are_pluralised(admin_client, version):
    completed_attempt()
    completed_attempt(value=leaning(3))
    words = plain(page(admin_client, version))
    assert "Calculé sur 2 questionnaires terminés" in words
    assert "Seulement 2 réponses complètes" in words
    assert "2 réponses complètes ·" in words


def test_a_version_without_answers_says_so(admin_client, version):
    words = plain(page(admin_client, version))
    assert "Aucun questionnaire terminé pour cette version" in words
    assert "trop peu pour conclure" not in words


def test_from_thirty_responses_flags_show_with_their_explanation(admin_client, version):
    crowd(32)
    saturated = Item.objects.get(version=version, code="CG1-a")
    Answer.objects.filter(item=saturated).update(value=5)  # everyone: « tout à fait d'accord »
    response = page(admin_client, version)
    words = plain(response)
    assert "trop peu pour conclure" not in words
    assert "table-warning" in text(response)
    row = words[words.index(saturated.statement) :]
    assert "0 % 100 % sature" in row[: row.index("CG1-b")]
    assert "80 % des réponses ou plus au même bout de l'échelle" in words  # the legend


def test_the_report_shows_alpha_its_interval_omega_and_spearman_brown(admin_client, version):
    crowd(32)
    words = plain(page(admin_client, version))
    assert "intervalle à 95 % :" in words and "ω =" in words
    # CG7 has two statements in 2026-1: Spearman–Brown, and what 3 or 4 would give.
    cg7 = words[words.index("CG7 —") :]
    assert "Spearman–Brown =" in cg7[:300] and "3 affirmations → α ≈" in cg7[:400]


@pytest.mark.parametrize("respondents", [1, 40])
def test_query_count_does_not_grow_with_the_answers(
    admin_client, version, respondents, django_assert_num_queries
):
    crowd(respondents, levels=(3,)) if respondents > 1 else completed_attempt()
    page(admin_client, version)  # reads the published content once per process
    # session, user, version, audit log, the answers:
    with django_assert_num_queries(5):
        assert page(admin_client, version).status_code == 200


# --- A version of rules « 2 »: interest dimensions and knowledge questions ----------------------


@pytest.fixture
def second(db):
    """A small draft of rules « 2 »: one interest dimension, one attendu of knowledge."""
    draft = QuestionnaireVersion.objects.create(
        code="essai-2", title="Essai", rules="2", content_date=date(2026, 12, 1)
    )
    interests = Category.objects.create(
        version=draft, code="INT", name="Intérêts", kind="interests", position=2
    )
    skills = Category.objects.create(
        version=draft, code="CTS", name="Compétences", kind="expectations", position=1
    )
    attendu = Expectation.objects.create(
        version=draft,
        code="CTS1",
        category=skills,
        label="Connaître le travail social",
        official_wording="…",
        advice="Lire.\nDemander.",
    )
    helping = InterestDimension.objects.create(version=draft, code="AID", name="Aider")
    for n in range(3):
        Item.objects.create(
            version=draft,
            code=f"AID-{n}",
            category=interests,
            dimension=helping,
            statement=f"J'aime aider, numéro {n}.",
            position=n,
        )
        Item.objects.create(
            version=draft,
            code=f"CTS1-{n}",
            category=skills,
            expectation=attendu,
            kind=Item.Kind.KNOWLEDGE,
            correct_answer=TRUE,
            explanation="Parce que.",
            statement=f"Vrai ou faux, numéro {n}.",
            position=n,
        )
    return draft


def answered(version, rows):
    """Completed attempts of `version` with these answers ({item code: value} each)."""
    items = dict(Item.objects.filter(version=version).values_list("code", "pk"))
    now = timezone.now()
    attempts = Assessment.objects.bulk_create(
        Assessment(
            # 64 characters, as the column holds (PostgreSQL checks the length; SQLite does not).
            token_digest=digest(f"{version.code}-{n}"),
            version=version,
            completed_at=now,
            result={},
        )
        for n in range(len(rows))
    )
    Answer.objects.bulk_create(
        Answer(assessment=attempt, item_id=items[code], value=value)
        for attempt, row in zip(attempts, rows, strict=True)
        for code, value in row.items()
    )


def test_interest_dimensions_and_knowledge_questions_are_reported(admin_client, second):
    # Knowledge answers: 1 vrai (right), 2 faux, 3 je ne sais pas (wrong).
    answered(
        second,
        [
            {"AID-0": 5, "AID-1": 4, "AID-2": 5, "CTS1-0": 1, "CTS1-1": 1, "CTS1-2": 3},
            {"AID-0": 2, "AID-1": 1, "AID-2": 2, "CTS1-0": 1, "CTS1-1": 2, "CTS1-2": 2},
            {"AID-0": 3, "AID-1": 3, "AID-2": 4, "CTS1-0": 2, "CTS1-1": 3, "CTS1-2": 2},
        ],
    )
    words = plain(page(admin_client, second))
    dimensions = words[words.index("Domaines d'intérêt") :]
    assert "AID — Aider" in dimensions and "J'aime aider, numéro 1." in dimensions
    assert "3 réponses complètes · α =" in dimensions
    knowledge = words[words.index("CTS1 — Connaître") :]
    assert "α (KR-20) =" in knowledge[:80]
    # CTS1-0: right twice out of three → 33 % wrong, 67 % right.
    row = knowledge[knowledge.index("Vrai ou faux, numéro 0.") :]
    assert "33 % faux 67 % justes" in row[: row.index("numéro 1.")]


# --- measure_reliability ------------------------------------------------------------------------


def test_the_command_keeps_the_measured_reliability_from_200_respondents(version):
    crowd(reliability.MIN_RESPONDENTS)
    out = io.StringIO()
    call_command("measure_reliability", stdout=out)
    stored = reliability.precision_for(version.pk)
    assert stored and all(p.measured for p in stored.values())
    assert f"Version {version.code} : {len(stored)} fidélités gardées." in out.getvalue()
    cg = stored[("category", "CG")]
    assert f"category CG : α = {cg.alpha}, SD = {cg.sd}" in out.getvalue()


def test_the_command_keeps_the_priors_below_200_respondents(version):
    completed_attempt()
    out = io.StringIO()
    call_command("measure_reliability", "--version", version.code, stdout=out)
    assert "questionnaires terminés : 1 (il en faut 200)" in out.getvalue()
    assert reliability.precision_for(version.pk) == {}


def test_the_command_refuses_an_unknown_version(version):
    with pytest.raises(CommandError, match="Aucune version « 1999-9 »"):
        call_command("measure_reliability", "--version", "1999-9", stdout=io.StringIO())


def test_content_2026_2_has_a_table_for_each_interest_dimension(admin_client, second_version):
    completed_attempt(value=lambda item: TRUE if item.is_knowledge else 4)
    content = questionnaire_content(second_version)
    words = plain(page(admin_client, second_version))
    dimensions = words[words.index("Domaines d'intérêt") :]
    assert content.dimensions
    for dimension in content.dimensions:
        assert f"{dimension.code} — {dimension.name}" in dimensions
    knowledge = words[words.index("CTS1 —") :]
    assert "α (KR-20)" in knowledge[:120]
