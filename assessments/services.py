"""Writes of the student journey, each in one transaction.

Saving a step upserts its answers (a re-posted or double-clicked step stores each answer
once). When the step completes the questionnaire, the scores are computed and stored in the
same transaction, pinned to the attempt's version.
"""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from config import metrics
from orientation.models import QuestionnaireVersion
from orientation.outline import version_content

from . import blocks, matching, recommendation, scoring, tallies
from .models import (
    Answer,
    Assessment,
    CategoryScore,
    Cohort,
    ExpectationScore,
    digest,
    new_code,
)


class ShareCodeUnavailable(Exception):
    pass


@transaction.atomic
def start_assessment(*, cohort=None, previous=None, token=None, now=None):
    """A new attempt on the current version; returns (assessment, private token).

    A retake (`previous`, reached by its private `token`) takes over the student's link: the
    link always leads to the latest attempt of the chain, and the attempt it follows gets a
    digest of a token nobody holds, so it is reached only through its successor (results
    list the earlier attempts). The retake locks the attempt it follows: when that attempt is
    being deleted at the same moment, one of the two waits, and a retake of a deleted attempt
    raises DoesNotExist instead of pointing at a row that is gone."""
    if previous is not None:
        if not _lock(previous.pk):
            raise Assessment.DoesNotExist
        # A retake stays with its class while the class is open (it never counts in the
        # class's figures: only first questionnaires do); an archived class takes no one.
        cohort = Cohort.objects.active().filter(pk=previous.cohort_id).first()
        if token is not None:
            Assessment.objects.filter(pk=previous.pk).update(
                token_digest=digest(Assessment.new_token())
            )
    if token is None:
        token = Assessment.new_token()
    now = now or timezone.now()
    assessment = Assessment.objects.create(
        token_digest=digest(token),
        version=QuestionnaireVersion.objects.current(),
        cohort=cohort,
        previous=previous,
        started_at=now,
        updated_at=now,
    )
    return assessment, token


def save_step(assessment, values, *, saved=None, now=None):
    """Store a step's answers ({item pk: 1–5}); complete the attempt when nothing is left.
    Returns True when this step completed the questionnaire.

    `assessment` is an Assessment or a steps.StepState: both hold what is read here (pk,
    version_id, started_at, updated_at, cohort_id, previous_id). `saved`, the answers read
    with it (item pk → value), spares a read-back: every save moves updated_at, so while it is
    still the one read, the stored answers are `saved` and nothing else. A completing step is
    then scored before the transaction, so that SQLite's single write lock is held for writes
    only. When updated_at moved (another tab saved meanwhile), or without `saved`, the answers
    are read again under the lock.
    """
    now = now or timezone.now()
    content = version_content(assessment.version_id)
    if saved is not None:
        stored = _save_as_read(assessment, values, saved, content, now)
        if stored is not None:
            return stored
    return _save_and_read_back(assessment, values, content, now)


def _save_as_read(assessment, values, saved, content, now):
    """None when the attempt changed since it was read: nothing is written then."""
    answers = {**saved, **values}
    result = None
    if len(answers) == len(content.items):
        result = compute_result(content, answers, _duration(assessment, now))
    with transaction.atomic():
        # The check is the lock: on PostgreSQL a second post of the step (another tab, a
        # double click) waits on this row, then finds updated_at moved; SQLite's IMMEDIATE
        # transactions serialise writers anyway.
        as_read = Assessment.objects.filter(
            pk=assessment.pk, completed_at__isnull=True, updated_at=assessment.updated_at
        )
        changes = {"updated_at": now} if result is None else _completion(content, result, now)
        if not as_read.update(**changes):
            return None
        _upsert_answers(assessment, values)
        if result is not None:
            _store_scores(assessment, content, result, now)
    return result is not None


def _save_and_read_back(assessment, values, content, now):
    with transaction.atomic():
        # Touching the attempt only while it is open is the lock (as above): a post that
        # waited finds it completed and stores nothing.
        still_open = Assessment.objects.filter(pk=assessment.pk, completed_at__isnull=True)
        if not still_open.update(updated_at=now):
            return False
        _upsert_answers(assessment, values)
        stored = Answer.objects.filter(assessment_id=assessment.pk)
        answers = dict(stored.values_list("item_id", "value"))
        if len(answers) < len(content.items):
            return False
        result = compute_result(content, answers, _duration(assessment, now))
        still_open.update(**_completion(content, result, now))
        _store_scores(assessment, content, result, now)
    return True


def _upsert_answers(assessment, values):
    # A re-posted or double-clicked step stores each answer once.
    Answer.objects.bulk_create(
        [Answer(assessment_id=assessment.pk, item_id=pk, value=v) for pk, v in values.items()],
        update_conflicts=True,
        unique_fields=["assessment", "item"],
        update_fields=["value"],
    )


def _duration(assessment, now):
    return int((now - assessment.started_at).total_seconds())


def compute_result(content, answers_by_pk, duration_seconds):
    """The whole result of an attempt, as JSON-ready values (pure given its inputs), with the
    rules of the attempt's version: a stored result is always recomputed exactly."""
    items = content.items
    by_code = {item.code: answers_by_pk[item.pk] for item in items}
    scores = scoring.score_answers(
        answers=by_code,
        items=items,
        expectations=content.expectations,
        bands=content.bands,
        margin=content.close_margin,
        duration_seconds=duration_seconds,
        rules=content.rules,
    )
    flags = scores.flags
    interests = {i.code: by_code[i.code] for i in items if i.expectation is None}
    if content.rules == scoring.RULES_FIRST:
        suggestions = _first_rules_suggestions(content, interests)
    else:
        suggestions = _suggestions(content, interests)
    return {
        "rules": content.rules,
        "expectations": {
            code: _expectation_json(r, content.rules) for code, r in scores.expectations.items()
        },
        "categories": {
            code: {"score": value, "band": scoring.band_for(value, content.bands).code}
            for code, value in scores.categories.items()
        },
        "overall": scores.overall,
        **suggestions,
        # Stored under « quality » since the first results: the key stays.
        "quality": {
            "straight_lining": flags.straight_lining,
            "too_fast": flags.too_fast,
            "contradictory": flags.contradictory,
            "straight_lined_steps": list(flags.straight_lined_steps),
            "contradictory_expectations": list(flags.contradictory_expectations),
        },
        "duration_seconds": duration_seconds,
    }


def _expectation_json(result, rules):
    stored = {"score": result.score, "band": result.band, "near": result.near_threshold}
    if rules != scoring.RULES_FIRST:
        stored["side"] = result.near_side
    return stored


def _first_rules_suggestions(content, interests):
    ranked = recommendation.rank_tracks(interests, content.tracks, content.weights)
    suggestions = recommendation.suggest(ranked, content.tracks)
    return {
        "suggestions": [_fit_json(fit) for fit in suggestions],
        "ranking": [{"code": fit.code, "fit": fit.fit, "level": fit.level} for fit in ranked],
        "nothing_stands_out": recommendation.nothing_stands_out(suggestions),
    }


def _suggestions(content, interests):
    result = matching.suggest(
        interests,
        dimensions=content.dimensions,
        formations=content.tracks,
        goals=[item for item in content.items if item.goal_track],
    )

    def as_json(fit):
        return {
            "code": fit.code,
            "fit": fit.fit,
            "leader": fit.leader,
            "goal": fit.goal,
            "companion_of": fit.companion_of,
            "reasons": [list(reason) for reason in fit.reasons],
        }

    return {
        "verdict": result.verdict,
        "suggestions": [as_json(fit) for fit in result.first],
        "later": [as_json(fit) for fit in result.later],
        "ranking": [{"code": fit.code, "fit": fit.fit} for fit in result.ranking],
        "dimensions": result.dimensions,
        "nothing_stands_out": result.verdict == matching.FLAT,
    }


def _fit_json(fit):
    return {
        "code": fit.code,
        "fit": fit.fit,
        "level": fit.level,
        "reasons": [[r.item, r.value, r.weight] for r in fit.reasons],
        "companion_of": fit.companion_of,
    }


def top_suggestion(result):
    """The formation a result puts first, for class counts: none when the profile is flat or
    tied (rules 2), since then no formation comes first."""
    suggestions = result["suggestions"]
    if not suggestions or result.get("verdict") in (matching.FLAT, matching.TIE):
        return None
    return suggestions[0]["code"]


def _completion(content, result, now):
    """The attempt's columns set when it completes: the whole result, and a few columns for
    class and national counts."""
    track_pk = {track.code: track.pk for track in content.tracks}
    flags = {name: result["quality"][name] for name in tallies.FLAGS}
    return {
        "completed_at": now,
        "updated_at": now,
        "result": result,
        "overall_score": result["overall"],
        "top_track_id": track_pk.get(top_suggestion(result)),
        **{f"flag_{name}": value for name, value in flags.items()},
    }


def _store_scores(assessment, content, result, now):
    """What completing writes beside the attempt's row: its class block, its scores."""
    # Counted for /metrics once committed: a completion rolled back was never stored.
    transaction.on_commit(metrics.count_completion)
    if assessment.cohort_id is not None:
        # A class's first questionnaires make its figures, in blocks; its retakes fill blocks
        # of their own, for before/after comparisons (assessments/blocks.py).
        blocks.join(
            assessment.pk, assessment.cohort_id, now=now, retake=assessment.previous_id is not None
        )
    expectation_pk = {e.code: e.pk for e in content.expectations}
    ExpectationScore.objects.bulk_create(
        ExpectationScore(
            assessment_id=assessment.pk,
            expectation_id=expectation_pk[code],
            score=value["score"],
            band=value["band"],
        )
        for code, value in result["expectations"].items()
    )
    category_pk = {step.code: step.pk for step in content.steps}
    CategoryScore.objects.bulk_create(
        CategoryScore(
            assessment_id=assessment.pk,
            category_id=category_pk[code],
            score=value["score"],
            band=value["band"],
        )
        for code, value in result["categories"].items()
    )


def _lock(*pks):
    """Locks these attempts' rows until the transaction ends (PostgreSQL; SQLite's IMMEDIATE
    transactions already hold the single write lock); returns the ids that still exist."""
    return set(
        Assessment.objects.select_for_update().filter(pk__in=pks).values_list("pk", flat=True)
    )


@transaction.atomic
def share_assessment(assessment, *, now=None):
    """The completed attempt's share code: the one it has, or a new one. A double click or two
    tabs therefore show the same, working code; after a revocation the next share makes a new
    one. Raises DoesNotExist when the attempt was deleted meanwhile."""
    current = (
        Assessment.objects.select_for_update()
        .filter(pk=assessment.pk, completed_at__isnull=False)
        .values("share_code")
        .first()
    )
    if current is None:
        raise Assessment.DoesNotExist
    if current["share_code"]:
        return current["share_code"]
    for _attempt in range(10):
        code = new_code(8)
        if not Assessment.objects.filter(share_code=code).exists():
            break
    else:  # pragma: no cover - 31^8 codes make this practically impossible
        raise ShareCodeUnavailable
    Assessment.objects.filter(pk=assessment.pk).update(
        share_code=code, shared_at=now or timezone.now()
    )
    return code


def revoke_share(assessment):
    """Raises DoesNotExist when the attempt was deleted meanwhile."""
    if not Assessment.objects.filter(pk=assessment.pk).update(share_code=None, shared_at=None):
        raise Assessment.DoesNotExist


def earlier_attempts(assessment):
    """The completed attempts this one follows, latest first: (number in the chain, attempt).
    One query a link of the chain."""
    earlier = []
    previous_id = assessment.previous_id
    while previous_id is not None:
        attempt = (
            Assessment.objects.filter(pk=previous_id)
            .only("pk", "previous_id", "completed_at", "version_id")
            .first()
        )
        if attempt is None:
            break
        if attempt.completed_at is not None:
            earlier.append(attempt)
        previous_id = attempt.previous_id
    return [(len(earlier) - index, attempt) for index, attempt in enumerate(earlier)]


def attempt_chain(assessment_id):
    """Every attempt linked to this one by retakes, before and after it (one query a link)."""
    chain, frontier = set(), {assessment_id}
    while frontier:
        chain |= frontier
        linked = Assessment.objects.filter(
            Q(pk__in=frontier) | Q(previous__in=frontier)
        ).values_list("pk", "previous_id")
        frontier = {pk for row in linked for pk in row if pk is not None} - chain
    return chain


@transaction.atomic
def delete_assessment(assessment):
    """Really delete a student's attempts: this one and every attempt of the same chain of
    retakes (earlier and later), with their answers, scores and share codes, in one
    transaction (the national summary forgets them at its next count). Returns how many
    attempts were deleted (0 when another request deleted them first)."""
    if not _lock(assessment.pk):
        return 0
    chain = _lock(*attempt_chain(assessment.pk))
    Assessment.objects.filter(pk__in=chain).delete()
    return len(chain)


@transaction.atomic
def hand_over(cohort, colleague, *, keep_access=False):
    """The class goes to a colleague, its code and figures with it; the former owner stays
    as an invited colleague if asked."""
    previous = cohort.owner
    cohort.owner = colleague
    cohort.save(update_fields=["owner"])
    cohort.members.remove(colleague)
    if keep_access:
        cohort.members.add(previous)
