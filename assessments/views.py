"""The student journey: home → four steps → results, resumable from a private link."""

from functools import lru_cache

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from config import throttle
from orientation.models import SCALES, QuestionnaireVersion
from orientation.outline import version_content
from orientation.templatetags.content import question_context

from . import services
from .forms import StartForm, StepForm
from .models import Assessment, Cohort, normalise_code
from .results import assessment_results
from .results import results_copy as copy_of_results
from .steps import load_step_state

ON_SCALE = {
    kind: frozenset(str(value) for value, _label in scale) for kind, scale in SCALES.items()
}


@lru_cache(maxsize=8192)
def _question(item, chosen, missing, language):
    # A question (its legend, simpler wording and radio buttons, and whether it still needs an
    # answer) depends on nothing else: the content item is an immutable value read per
    # language. Written once per process, twenty of them are most of a step page's work.
    return render_to_string("includes/question.html", question_context(item, chosen, missing))


def questions_html(items, chosen, missing=()):
    """Each question of a step as written by includes/question.html; `chosen` maps codes to
    answers as strings, and a question in `missing` says it needs an answer. Anything off the
    scale checks nothing (and never reaches the cache)."""
    language = get_language()
    questions = []
    for item in items:
        answer = chosen.get(item.code)
        answer = answer if answer in ON_SCALE[item.kind] else None
        questions.append(_question(item, answer, item in missing, language))
    return questions


def _get_assessment(token, *related):
    """The attempt behind a private link; 404 for anything else, tampered or deleted."""
    query = Assessment.objects.select_related("version", *related).by_token(token)
    return get_object_or_404(query)


def _get_step_state(token):
    state = load_step_state(token)
    if state is None:
        raise Http404
    return state


def _first_unfinished_step(content, answered_pks):
    for step in content.steps:
        if any(item.pk not in answered_pks for item in step.items):
            return step.number
    return None


TOO_MANY = {
    "start": gettext_lazy(
        "Beaucoup de questionnaires ont déjà été commencés depuis cet appareil ou ce réseau."
    ),
    "class-code": gettext_lazy(
        "Trop de codes de classe incorrects depuis cet appareil ou ce réseau."
    ),
}


def _private_link(request, token):
    return request.build_absolute_uri(reverse("assessments:resume", args=[token]))


SECONDS_PER_QUESTION = 9  # measured pace of a careful reader, for the home page's estimate


def questionnaire_facts():
    """What the home page promises, read from the version new students take: its steps, its
    questions, about how long it takes, whether it holds true/false questions."""
    version_id = (
        QuestionnaireVersion.objects.filter(is_current=True).values_list("pk", flat=True).first()
    )
    if version_id is None:
        return None
    content = version_content(version_id)
    questions = len(content.items)
    minutes = max(5, 5 * round(questions * SECONDS_PER_QUESTION / 60 / 5))
    return {
        "steps": len(content.steps),
        "questions": questions,
        "minutes": minutes,
        "knowledge": any(item.is_knowledge for item in content.items),
    }


def _home(request, context, status=200):
    # The language switch of a page shown in answer to a POST returns to the home page by GET.
    context = {"facts": questionnaire_facts(), "language_next": reverse("home"), **context}
    response = render(request, "assessments/home.html", context, status=status)
    return throttle.remember_client(request, response)


def home(request, code=None):
    form, status, cohort = StartForm(), 200, None
    if code is not None:
        who = throttle.who_for(request)
        wait = throttle.blocked("class-code", who)
        if wait:
            return throttle.too_many(request, TOO_MANY["class-code"], wait)
        cohort = Cohort.objects.active().filter(code=normalise_code(code)).first()
        if cohort is None:
            throttle.record("class-code", who)
            messages.error(
                request,
                _(
                    "Ce lien de classe n'existe pas ou n'est plus actif. "
                    "Tu peux commencer sans code."
                ),
            )
            status = 404
        else:
            form = StartForm(initial={"class_code": cohort.code})
    return _home(
        request,
        {"form": form, "cohort": cohort, "language_next": request.get_full_path()},
        status,
    )


@require_POST
def start(request):
    """Starts an attempt. Creation is rate-limited per browser, per address and for the site,
    so that nobody fills a class with made-up questionnaires in a hurry (QUALITY.md, privacy);
    a wrong class code counts towards the code-probing limit."""
    who = throttle.who_for(request)
    # A wrong-code streak blocks joining by code, never starting without one (the « sans code »
    # button posts the refused code along).
    with_code = request.POST.get("class_code", "").strip() and "without_code" not in request.POST
    checks = ["start", "class-code"] if with_code else ["start"]
    for action in checks:
        wait = throttle.blocked(action, who)
        if wait:
            return throttle.too_many(request, TOO_MANY[action], wait)
    form = StartForm(request.POST, staff=request.user.is_authenticated)
    if "without_code" in request.POST:
        form = StartForm({})
    if not form.is_valid():
        if form.has_error("class_code", "unknown_code"):
            throttle.record("class-code", who)
        return _home(request, {"form": form, "offer_without_code": True}, 400)
    throttle.record("start", who)
    assessment, token = services.start_assessment(cohort=form.cleaned_data["class_code"])
    return throttle.remember_client(request, redirect("assessments:step", token=token, number=1))


@never_cache
def resume(request, token):
    state = _get_step_state(token)
    if state.completed:
        return redirect("assessments:results", token=token)
    content = version_content(state.version_id)
    first_open = _first_unfinished_step(content, state.saved.keys())
    return redirect("assessments:step", token=token, number=first_open or 1)


@never_cache
def step(request, token, number):
    state = _get_step_state(token)
    if state.completed:
        return redirect("assessments:results", token=token)
    content = version_content(state.version_id)
    if not 1 <= number <= len(content.steps):
        raise Http404
    first_open = _first_unfinished_step(content, state.saved.keys()) or len(content.steps)
    if number > first_open:
        # Steps are taken in order; a later one opens once the earlier ones are answered.
        return redirect("assessments:step", token=token, number=first_open)
    current = content.step(number)
    if request.method == "POST":
        return _post_step(request, token, state, content, current)
    # Compared as strings: a re-displayed post holds strings, stored answers are numbers.
    chosen = {
        item.code: str(state.saved[item.pk]) for item in current.items if item.pk in state.saved
    }
    return _render_step(request, token, content, current, chosen)


def _post_step(request, token, state, content, current):
    going_back = request.POST.get("direction") == "back"
    form = StepForm(request.POST, items=current.items, partial=going_back)
    if not form.is_valid():
        chosen = {item.code: form.data.get(item.code) for item in current.items}
        if form.tampered:
            return _render_step(request, token, content, current, chosen, form, 400)
        # A step with answers missing keeps the ones given: the page says so, and it is true
        # (the step cannot complete the questionnaire, since some are missing).
        kept = form.answers_by_pk()
        if kept:
            services.save_step(state, kept, saved=state.saved)
        return _render_step(request, token, content, current, chosen, form, kept=bool(kept))
    answers = form.answers_by_pk()
    if services.save_step(state, answers, saved=state.saved):
        return redirect("assessments:results", token=token)
    return redirect(
        "assessments:step", token=token, number=_after(content, current, state, answers, going_back)
    )


def _after(content, current, state, answers, going_back):
    """The step a saved step leads to."""
    if going_back:
        return max(current.number - 1, 1)
    if current.number < len(content.steps):
        # « Enregistrer et continuer » goes to the next step, even after going back.
        return current.number + 1
    return _first_unfinished_step(content, state.saved.keys() | answers.keys()) or current.number


def _render_step(request, token, content, current, chosen, form=None, status=200, kept=False):
    missing = [item for item in current.items if form is not None and form.has_error(item.code)]
    context = {
        "kept": kept,
        "content": content,
        "step": current,
        "questions": questions_html(current.items, chosen, missing),
        "errors": form.errors if form is not None else None,
        "non_field_errors": form.non_field_errors() if form is not None else None,
        "missing": missing,
        "nothing_answered": len(missing) == len(current.items),
        "progress": round(100 * (current.number - 1) / len(content.steps)),
        "private_link": _private_link(request, token),
        "is_last": current.number == len(content.steps),
    }
    return render(request, "assessments/step.html", context, status=status)


@never_cache
def results(request, token):
    """The latest results behind a private link, with the earlier attempts of the same student
    listed by date; `?passation=N` shows the Nth of those (a retake takes over the link:
    services.start_assessment)."""
    assessment = _get_assessment(token, "previous")
    if not assessment.is_completed:
        return redirect("assessments:resume", token=token)
    earlier = services.earlier_attempts(assessment)
    shown = assessment
    wanted = request.GET.get("passation")
    if wanted is not None:
        shown = next((attempt for n, attempt in earlier if str(n) == wanted), None)
        if shown is None:
            raise Http404
        shown = Assessment.objects.select_related("version", "previous").get(pk=shown.pk)
    context = {
        **assessment_results(shown),
        "token": token,
        "private_link": _private_link(request, token),
        "print_view": request.GET.get("vue") == "impression",
        "earlier_attempts": earlier,
        "viewing_earlier": shown is not assessment,
    }
    return render(request, context["template"], context)


@never_cache
def results_copy(request, token):
    """The student's own copy of a rules-2 result, as a JSON file (docs/results-schema.md)."""
    assessment = _get_assessment(token, "previous")
    if not assessment.is_completed:
        return redirect("assessments:resume", token=token)
    context = assessment_results(assessment)
    if context["template"] != "assessments/results.html":
        raise Http404  # results of 2026-1 keep the page they had, without a file copy
    response = JsonResponse(
        copy_of_results(assessment, context), json_dumps_params={"ensure_ascii": False}
    )
    day = assessment.completed_at.date().isoformat()
    response["Content-Disposition"] = f'attachment; filename="reperes-resultats-{day}.json"'
    return response


@require_POST
def share(request, token):
    assessment = _get_assessment(token)
    if not assessment.is_completed:
        return redirect("assessments:resume", token=token)
    try:
        code = services.share_assessment(assessment)
    except Assessment.DoesNotExist:
        raise Http404 from None
    messages.success(
        request,
        _(
            "Ton code de partage est %(code)s. Donne-le à ton conseiller ; "
            "tu peux le désactiver quand tu veux."
        )
        % {"code": code},
    )
    return redirect(reverse("assessments:results", args=[token]) + "#partage")


@require_POST
def revoke(request, token):
    assessment = _get_assessment(token)
    try:
        services.revoke_share(assessment)
    except Assessment.DoesNotExist:
        raise Http404 from None
    messages.success(request, _("Le partage est désactivé : le code ne fonctionne plus."))
    return redirect(reverse("assessments:results", args=[token]) + "#partage")


@never_cache
def delete(request, token):
    assessment = _get_assessment(token)
    if request.method == "POST":
        deleted = services.delete_assessment(assessment)
        if not deleted:
            raise Http404
        if deleted > 1:
            message = _(
                "Tes réponses et tes résultats ont été supprimés définitivement, avec ceux de "
                "tes autres passations et tes codes de partage."
            )
        else:
            message = _("Tes réponses et tes résultats ont été supprimés définitivement.")
        messages.success(request, message)
        return redirect("home")
    context = {
        "assessment": assessment,
        "token": token,
        "attempts": len(services.attempt_chain(assessment.pk)),
    }
    return render(request, "assessments/delete.html", context)


@require_POST
def retake(request, token):
    previous = _get_assessment(token)
    if not previous.is_completed:
        return redirect("assessments:resume", token=token)
    # A retake is a new attempt: limited like any start.
    refused = throttle.take(request, "start", throttle.who_for(request), TOO_MANY["start"])
    if refused:
        return refused
    try:
        services.start_assessment(previous=previous, token=token)
    except Assessment.DoesNotExist:
        raise Http404 from None
    # The same private link: it now leads to this new attempt, and from it to the earlier ones.
    messages.info(
        request,
        _(
            "C'est parti pour un nouveau questionnaire. Ton lien privé ne change pas : il mène "
            "toujours à ton dernier questionnaire, et de là aux précédents."
        ),
    )
    return redirect("assessments:step", token=token, number=1)
