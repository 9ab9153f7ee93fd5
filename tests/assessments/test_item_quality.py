"""The item-quality report as an administrator reads it, the nightly job that keeps its figures,
and the command that stores its reliability for the result pages."""

import io
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from assessments import reliability
from assessments.item_statistics import Figures, cache_key
from assessments.models import Answer, Assessment
from assessments.psychometrics import ItemReport
from orientation.models import (
    TRUE,
    Category,
    Expectation,
    InterestDimension,
    Item,
    QuestionnaireVersion,
)
from orientation.outline import questionnaire_content
from orientation.services import clone_version
from tests.assessments.factories import adviser, completed_attempt, copies
from tests.utils import log_in_verified, plain, text


def page(client, version, **headers):
    return client.get(reverse("assessments:item-quality", args=[version.pk]), **headers)


def leaning(level):
    """Answers around a level, each statement a little off it, so sets vary but cohere."""

    def value(item):
        answer = max(1, min(5, level + item.pk % 3 - 1))
        return 6 - answer if item.reverse_keyed else answer

    return value


def against(code):
    """Like `leaning`, but the statement `code` answered the other way round from the rest."""

    def at(level):
        usual = leaning(level)
        return lambda item: 6 - usual(item) if item.code == code else usual(item)

    return at


def crowd(count, levels=(2, 3, 4, 5), answers=leaning):
    """`count` completed attempts spread over `levels`, most of them copied in bulk."""
    per_level = count // len(levels)
    for level in levels:
        model = completed_attempt(value=answers(level))
        copies(model, per_level - 1, answers=dict(model.answers.values_list("item_id", "value")))


def row_of(words, statement, next_code):
    """The words of a statement's row: from its text to the next statement's code."""
    row = words[words.index(statement) :]
    return row[: row.index(next_code)]


@pytest.fixture
def clerk(db):
    """Staff who may read the report but not edit the questionnaire."""
    return get_user_model().objects.create_user("secretariat", password="x", is_staff=True)


# --- Each statement, and the way to edit it -----------------------------------------------------


def test_a_published_versions_statements_open_read_only_with_the_way_to_clone(
    admin_client, version
):
    completed_attempt()
    item = Item.objects.get(version=version, code="CG1-a")
    response = page(admin_client, version)
    assert response.status_code == 200
    assert item.statement in text(response)
    assert f'href="{reverse("admin:orientation_item_change", args=[item.pk])}"' in text(response)
    assert "voir CG1-a" in plain(response)
    assert "modifier CG1-a" not in plain(response)
    words = plain(response)
    assert "Cette version est publiée : son contenu ne change plus" in words
    assert "Clonez la version pour modifier : dans la liste, cochez-la" in words
    # The link leads to the versions list showing this one, where the clone action is.
    versions = reverse("admin:orientation_questionnaireversion_changelist")
    clone_url = f"{versions}?code__exact={version.code}"
    assert f'href="{clone_url}"' in text(response)
    listed = admin_client.get(clone_url)
    assert listed.status_code == 200
    assert "Cloner en brouillon" in text(listed) and "1 version du questionnaire" in text(listed)


def test_with_a_draft_clone_the_links_open_the_same_statement_in_the_draft(admin_client, version):
    completed_attempt()
    draft = clone_version(version, code="2026-9")
    in_draft = Item.objects.get(version=draft, code="CG1-a")
    response = page(admin_client, version)
    words = plain(response)
    assert "modifier dans le brouillon 2026-9 CG1-a" in words
    assert "où la modification se fait" in words and "Clonez la version" not in words
    edit = reverse("admin:orientation_item_change", args=[in_draft.pk])
    assert f'href="{edit}"' in text(response)
    form = admin_client.get(edit)
    assert form.status_code == 200 and 'name="statement"' in text(form)  # editable there


def test_a_drafts_report_links_straight_to_each_statement(admin_client, second):
    answered(second, [{"AID-0": 4, "AID-1": 4, "AID-2": 5}])
    aid = Item.objects.get(version=second, code="AID-0")
    response = page(admin_client, second)
    assert f'href="{reverse("admin:orientation_item_change", args=[aid.pk])}"' in text(response)
    words = plain(response)
    assert "modifier AID-0" in words and "J'aime aider, numéro 0." in words
    assert "Clonez la version" not in words


def test_staff_who_cannot_edit_statements_get_no_edit_link(client, version, clerk):
    completed_attempt()
    log_in_verified(client, clerk)
    response = page(client, version)
    assert response.status_code == 200
    assert Item.objects.get(version=version, code="CG1-a").statement in text(response)
    assert "/admin/orientation/" not in text(response)


def test_statements_are_shown_in_the_readers_language(admin_client, second_version):
    completed_attempt()
    item = Item.objects.get(version=second_version, code="CG1-a")
    response = page(admin_client, second_version, HTTP_ACCEPT_LANGUAGE="en")
    assert item.statement_en in text(response) and item.statement not in text(response)


def test_french_left_in_an_english_page_is_marked_french(admin_client, version):
    completed_attempt()  # 2026-1 has no English statements
    item = Item.objects.get(version=version, code="CG1-a")
    response = page(admin_client, version, HTTP_ACCEPT_LANGUAGE="en")
    assert f'<span lang="fr">{item.statement}</span>' in text(response)


# --- Sections --------------------------------------------------------------------------------


def test_the_sections_cover_every_statement(admin_client, version):
    completed_attempt()
    words = plain(page(admin_client, version))
    assert words.index("Attendus") < words.index("Catégories") < words.index("Domaines d'intérêt")
    # 2026-1 has no dimension nor knowledge question, and reads interests one by one.
    assert "Domaines d'intérêt Cette version n'en a pas." in words
    assert "Questions de connaissance Cette version n'en a pas." in words
    loose = words[words.index("Affirmations d'intérêt hors domaine") :]
    assert "Lues une à une, sans ensemble" in loose and "INT — Intérêts" in loose
    for item in Item.objects.filter(version=version):
        assert item.statement in words


# --- Too few to conclude ------------------------------------------------------------------------


def test_one_response_is_too_few_said_once_and_nothing_is_flagged(admin_client, version):
    # Everyone (one student) answers 5: every statement sits at a bound, which would saturate.
    completed_attempt(value=lambda item: 5)
    response = page(admin_client, version)
    words = plain(response)
    assert words.count("trop peu pour conclure") == 1
    assert "Seulement 1 réponse complète :" in words
    assert "table-warning" not in text(response) and "quality-flag" not in text(response)
    assert "sature Presque" not in words
    assert "Calculé sur 1 questionnaire terminé " in words
    assert "1 réponse complète · α = —" in words


def test_counts_are_pluralised(admin_client, version):
    completed_attempt()
    completed_attempt(value=leaning(3))
    words = plain(page(admin_client, version))
    assert "Calculé sur 2 questionnaires terminés" in words
    assert "Seulement 2 réponses complètes :" in words
    assert "2 réponses complètes ·" in words
    assert "1 réponses" not in words and "2 réponse " not in words


def test_a_version_without_answers_says_so(admin_client, version):
    words = plain(page(admin_client, version))
    assert "Aucun questionnaire terminé pour cette version" in words
    assert "trop peu pour conclure" not in words


# --- From thirty responses: flags and what to do -----------------------------------------------


def test_from_thirty_responses_flags_show_with_their_explanation(admin_client, version):
    crowd(32)
    saturated = Item.objects.get(version=version, code="CG1-a")
    Answer.objects.filter(item=saturated).update(value=5)  # everyone: « tout à fait d'accord »
    response = page(admin_client, version)
    words = plain(response)
    assert "trop peu pour conclure" not in words
    assert "table-warning" in text(response)
    assert "0 % 100 % sature Presque tout le monde répond pareil" in row_of(
        words, saturated.statement, "CG1-b"
    )
    assert "80 % des réponses ou plus au même bout de l'échelle" in words  # the legend


def test_a_statement_that_runs_against_its_set_is_flagged_as_weakening_it(admin_client, version):
    crowd(40, levels=(1, 2, 3, 4, 5), answers=against("CG1-c"))
    contrary = Item.objects.get(version=version, code="CG1-c")
    words = plain(page(admin_client, version))
    cg1 = questionnaire_content(version).expectation("CG1")
    row = row_of(words[words.index(f"CG1 — {cg1.label}") :], contrary.statement, "CG2-")
    assert "affaiblit l'ensemble Sans elle, α passerait de" in row
    assert "elle fait baisser la cohérence de l'ensemble ; à reformuler ou à retirer." in row
    assert "discrimine mal" in row
    # Its neighbours go together: neither is flagged.
    first = Item.objects.get(version=version, code="CG1-a")
    assert "affaiblit" not in row_of(words, first.statement, "CG1-b")


def test_alpha_without_a_statement_must_gain_two_hundredths_to_flag_it():
    def line(alpha_if_deleted):
        return ItemReport(
            "a", 3, 1, 0.1, 0.1, corrected_r=0.4, alpha_if_deleted=alpha_if_deleted, scale_alpha=0.7
        )

    assert not line(0.7149).lowers_consistency  # shown 0,71: within one sample's noise
    assert line(0.72).flags == ("lowers_consistency",)


def test_the_report_shows_alpha_its_interval_omega_and_spearman_brown(admin_client, version):
    crowd(32)
    words = plain(page(admin_client, version))
    assert "intervalle à 95 % :" in words and "ω =" in words
    # CG7 has two statements in 2026-1: Spearman–Brown, and what 3 or 4 would give.
    cg7 = words[words.index("CG7 —") :]
    assert "Spearman–Brown =" in cg7[:300] and "3 affirmations → α ≈" in cg7[:400]


# --- Who may read it ------------------------------------------------------------------------------


def test_a_signed_in_adviser_who_is_not_staff_gets_the_403_page(client, version):
    client.force_login(adviser())
    response = page(client, version)
    assert response.status_code == 403
    assert "Accès refusé" in plain(response)


def test_an_anonymous_visitor_is_sent_to_login(client, version):
    response = page(client, version)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# --- Kept figures: the nightly job fills them, the page reads them ------------------------------


def test_the_nightly_purge_keeps_the_figures_that_the_page_then_reads(admin_client, version):
    completed_attempt()
    out = io.StringIO()
    call_command("purge", stdout=out)
    kept = cache.get(cache_key(version))
    assert isinstance(kept, Figures) and kept.respondents == 1
    assert f"Rapport de qualité recalculé : version {version.code}, 1 questionnaire" in (
        out.getvalue()
    )
    completed_attempt()  # not counted until the next run
    words = plain(page(admin_client, version))
    assert "Calculé sur 1 questionnaire terminé" in words and "recalculés chaque nuit" in words
    call_command("purge", stdout=io.StringIO())
    assert "Calculé sur 2 questionnaires terminés" in plain(page(admin_client, version))


def test_a_dry_run_of_the_purge_leaves_the_figures_alone(version):
    completed_attempt()
    call_command("purge", "--dry-run", stdout=io.StringIO())
    assert cache.get(cache_key(version)) is None


def test_the_purge_says_it_refreshes_the_report():
    from assessments.management.commands.purge import Command

    assert "rapport de qualité des affirmations" in Command.help


def test_a_page_without_kept_figures_computes_and_keeps_them(admin_client, version):
    completed_attempt()
    assert cache.get(cache_key(version)) is None
    page(admin_client, version)
    assert cache.get(cache_key(version)).respondents == 1


def test_a_drafts_figures_are_computed_at_each_visit_and_never_kept(admin_client, second):
    answered(second, [{"AID-0": 4, "AID-1": 4, "AID-2": 5}])
    assert "Chiffres calculés à l'ouverture de la page." in plain(page(admin_client, second))
    answered(second, [{"AID-0": 2, "AID-1": 1, "AID-2": 2}])
    assert "Calculé sur 2 questionnaires terminés" in plain(page(admin_client, second))
    assert cache.get(cache_key(second)) is None


@pytest.mark.parametrize("respondents", [1, 40])
def test_query_count_does_not_grow_with_the_answers(
    admin_client, version, respondents, django_assert_num_queries
):
    crowd(respondents, levels=(3,)) if respondents > 1 else completed_attempt()
    page(admin_client, version)  # measures and keeps the figures
    # session, user, version, audit log, the kept figures, the statements in a draft:
    with django_assert_num_queries(6):
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
    like = Assessment(version=version, completed_at=timezone.now(), result={})
    copies(like, len(rows), answers=[{items[code]: v for code, v in row.items()} for row in rows])


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
    knowledge = words[words.index("Questions de connaissance") :]
    assert knowledge.index("CTS1 — Connaître") < knowledge.index("Catégories")
    assert "α (KR-20) =" in knowledge[:120]
    assert "Réussite r corrigé (discrimination) α sans l'item" in knowledge
    # CTS1-0: right twice out of three → 67 % right, 33 % wrong; its discrimination: r with the
    # rest (CTS1-1, CTS1-2 right 1, 0, 0 times) = 0.50.
    row = row_of(knowledge, "Vrai ou faux, numéro 0.", "CTS1-1")
    assert "67 % 0,50" in row and row.endswith("33 % ")


def test_the_knowledge_check_is_flagged_too_easy_from_thirty_responses(admin_client, second):
    rows = [{"CTS1-0": 1, "CTS1-1": 1 + n % 2, "CTS1-2": 1 + n % 3 // 2} for n in range(30)]
    answered(second, rows)
    words = plain(page(admin_client, second))
    row = row_of(words, "Vrai ou faux, numéro 0.", "CTS1-1")
    assert "100 %" in row and "trop facile Presque tout le monde la réussit" in row


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
    knowledge = words[words.index("Questions de connaissance") :]
    assert "CTS1 —" in knowledge[:120] and "α (KR-20)" in knowledge[:400]
    # The goal statements belong to no dimension: reported one by one.
    loose = words[words.index("Affirmations d'intérêt hors domaine") :]
    for item in Item.objects.filter(version=second_version, goal_track__isnull=False):
        assert item.statement in loose
