"""The adviser space: cohorts, dashboards, shared results, exports, item quality.

Every lookup goes through the adviser's own cohorts (admins: all), so another adviser's
cohort is a 404, never a page.
"""

from datetime import timedelta
from functools import wraps

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from config import throttle
from config.db import read_alias, reads_from_replica
from orientation.models import QuestionnaireVersion
from orientation.outline import questionnaire_content

from . import audit, exports, services, stats
from .accounts import is_adviser
from .charts import band_tones
from .forms import (
    CohortForm,
    ColleagueForm,
    CompareForm,
    DashboardFilterForm,
    HandoverForm,
    ShareCodeForm,
)
from .item_statistics import version_quality
from .models import AdviserAccess, Assessment, Cohort, ShareLookup
from .results import assessment_results

LOOKUP_WINDOW = timedelta(minutes=15)
LOOKUP_FAILURES_ALLOWED = 10


def adviser_required(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_adviser(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _get_cohort_for_user(request, pk):
    return get_object_or_404(Cohort.objects.for_user(request.user).select_related("owner"), pk=pk)


def _get_cohort_for_owner(request, pk):
    """A cohort the user is responsible for: invited advisers read it, only its owner (or an
    administrator) shares it, hands it over or archives it."""
    cohort = _get_cohort_for_user(request, pk)
    if cohort.owner_id != request.user.pk and not request.user.is_superuser:
        raise PermissionDenied
    return cohort


def _dashboard_context(request, cohort=None):
    """The filters and the figures; invalid filters give the form with its errors and no
    figures (never the unfiltered figures under an error)."""
    form = DashboardFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    scope = {
        "cohort": cohort,
        "version": filters.get("version"),
        "date_from": filters.get("date_from"),
        "date_to": filters.get("date_to"),
    }
    # The labels are the chosen version's, or the current one's.
    content = questionnaire_content(scope["version"] or form.current)
    board = None
    if not form.errors:
        figures = stats.figures_for(request.user, **scope)
        board = stats.dashboard(figures, content, form.versions.values())
    return {"form": form, "version": scope["version"], "board": board}, scope, content


@adviser_required
@reads_from_replica
def adviser_home(request):
    cohorts = (
        Cohort.objects.for_user(request.user)
        .select_related("owner")
        .annotate_counts()
        .order_by("archived_at", "-created_at")
    )
    return render(request, "adviser/home.html", {"cohorts": cohorts, "share_form": ShareCodeForm()})


@adviser_required
def cohort_create(request):
    form = CohortForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        cohort = form.save(commit=False)
        cohort.owner = request.user
        cohort.code = Cohort.objects.free_code()
        cohort.save()
        messages.success(
            request, _("Groupe créé. Donnez le code %(code)s à vos élèves.") % {"code": cohort.code}
        )
        return redirect("assessments:cohort", pk=cohort.pk)
    return render(
        request, "adviser/cohort_form.html", {"form": form}, status=400 if form.errors else 200
    )


@adviser_required
def cohort_rename(request, pk):
    cohort = _get_cohort_for_user(request, pk)
    form = CohortForm(request.POST if request.method == "POST" else None, instance=cohort)
    if form.is_valid():
        form.save()
        messages.success(request, _("Groupe renommé."))
        return redirect("assessments:cohort", pk=cohort.pk)
    return render(
        request,
        "adviser/cohort_form.html",
        {"form": form, "cohort": cohort},
        status=400 if form.errors else 200,
    )


@require_POST
@adviser_required
def cohort_archive(request, pk):
    cohort = _get_cohort_for_owner(request, pk)
    cohort.archived_at = None if cohort.is_archived else timezone.now()
    cohort.save(update_fields=["archived_at"])
    if cohort.is_archived:
        messages.success(request, _("Groupe archivé : son code ne permet plus de le rejoindre."))
    else:
        messages.success(request, _("Groupe réactivé : son code fonctionne de nouveau."))
    return redirect("assessments:cohort", pk=cohort.pk)


def _is_owner(request, cohort):
    return cohort.owner_id == request.user.pk or request.user.is_superuser


@adviser_required
@reads_from_replica
def cohort_dashboard(request, pk):
    cohort = _get_cohort_for_user(request, pk)
    context, _scope, _content = _dashboard_context(request, cohort)
    audit.record(
        request, AdviserAccess.Action.DASHBOARD, f"{cohort.code} {request.GET.urlencode()}"
    )
    status = 400 if context["board"] is None else 200
    context.update(cohort=cohort, is_owner=_is_owner(request, cohort))
    return render(request, "adviser/cohort.html", context, status=status)


@adviser_required
def cohort_sharing(request, pk, invite=None, handover=None):
    """Who follows the class; its owner invites colleagues or hands it over from here."""
    cohort = _get_cohort_for_user(request, pk)
    context = {
        "cohort": cohort,
        "members": list(cohort.members.order_by("username")),
        "is_owner": _is_owner(request, cohort),
        "invite_form": invite or ColleagueForm(cohort=cohort, prefix="invite"),
        "handover_form": handover or HandoverForm(cohort=cohort, prefix="handover"),
    }
    status = 400 if invite or handover else 200
    return render(request, "adviser/sharing.html", context, status=status)


@adviser_required
@reads_from_replica
def cohort_report(request, pk):
    """The class report to print (conseil de classe, Parcoursup workshop): the dashboard's
    figures without its controls, with activities for teachers; small-group rules apply."""
    cohort = _get_cohort_for_user(request, pk)
    context, _scope, _content = _dashboard_context(request, cohort)
    audit.record(request, AdviserAccess.Action.REPORT, f"{cohort.code} {request.GET.urlencode()}")
    context.update(cohort=cohort, today=timezone.localdate())
    status = 400 if context["board"] is None else 200
    return render(request, "adviser/report.html", context, status=status)


@adviser_required
@reads_from_replica
def cohort_compare(request, pk):
    """Before/after for a class, each side made of whole blocks (assessments/blocks.py): its
    first questionnaires against its retakes, or two periods that share no block."""
    cohort = _get_cohort_for_user(request, pk)
    form = CompareForm(request.GET or {"mode": CompareForm.RETAKE})
    context = {"cohort": cohort, "form": form, "sides": None}
    if form.is_valid():
        audit.record(
            request,
            AdviserAccess.Action.DASHBOARD,
            f"{cohort.code} compare {request.GET.urlencode()}",
        )
        context.update(_comparison(request, cohort, form.cleaned_data))
    status = 200 if form.is_valid() else 400
    return render(request, "adviser/compare.html", context, status=status)


def _comparison(request, cohort, chosen):
    scope = stats.scoped_assessments(request.user, cohort=cohort)
    published = DashboardFilterForm()  # the published and archived versions, in one query
    versions, content = published.versions, questionnaire_content(published.current)
    if chosen["mode"] == CompareForm.RETAKE:
        sides = [{}, {"retake": True}]
    else:
        sides = [
            {"date_from": chosen["before_from"], "date_to": chosen["before_to"]},
            {"date_from": chosen["after_from"], "date_to": chosen["after_to"]},
        ]
    figures = [
        stats.BlockFigures(scope, min_size=settings.MIN_GROUP_SIZE, **side) for side in sides
    ]
    # Whole blocks on each side, and never the same block on both: a block touching both
    # periods would be compared with itself.
    shared = set(figures[0].blocks) & set(figures[1].blocks)
    boards = [stats.dashboard(side, content, versions.values()) for side in figures]
    comparable = not shared and not any(board.suppressed for board in boards)
    return {
        "sides": boards,
        "shared_blocks": bool(shared),
        "categories": stats.changes(boards[0].categories, boards[1].categories)
        if comparable
        else [],
        "expectations": stats.changes(boards[0].expectations, boards[1].expectations)
        if comparable
        else [],
        "comparable": comparable,
        "retake": chosen["mode"] == CompareForm.RETAKE,
    }


@require_POST
@adviser_required
def cohort_invite(request, pk):
    cohort = _get_cohort_for_owner(request, pk)
    form = ColleagueForm(request.POST, cohort=cohort, prefix="invite")
    if not form.is_valid():
        return cohort_sharing(request, cohort.pk, invite=form)
    colleague = form.cleaned_data["username"]
    cohort.members.add(colleague)
    audit.record(request, AdviserAccess.Action.SHARING, f"{cohort.code} +{colleague.username}")
    messages.success(
        request,
        _("%(name)s voit maintenant ce groupe, comme vous.") % {"name": colleague.username},
    )
    return redirect("assessments:cohort-sharing", pk=cohort.pk)


@require_POST
@adviser_required
def cohort_remove_member(request, pk, user_pk):
    """The owner takes a colleague off the class; an invited colleague may leave it."""
    cohort = _get_cohort_for_user(request, pk)
    leaving = user_pk == request.user.pk
    if not leaving and cohort.owner_id != request.user.pk and not request.user.is_superuser:
        raise PermissionDenied
    colleague = get_object_or_404(cohort.members, pk=user_pk)
    cohort.members.remove(colleague)
    audit.record(request, AdviserAccess.Action.SHARING, f"{cohort.code} -{colleague.username}")
    if leaving:
        messages.success(request, _("Vous ne suivez plus ce groupe."))
        return redirect("assessments:adviser-home")
    messages.success(request, _("%(name)s ne voit plus ce groupe.") % {"name": colleague.username})
    return redirect("assessments:cohort-sharing", pk=cohort.pk)


@require_POST
@adviser_required
def cohort_handover(request, pk):
    """At the end of the year: the class goes to a colleague, figures and code included."""
    cohort = _get_cohort_for_owner(request, pk)
    form = HandoverForm(request.POST, cohort=cohort, prefix="handover")
    if not form.is_valid():
        return cohort_sharing(request, cohort.pk, handover=form)
    colleague, previous = form.cleaned_data["username"], cohort.owner
    services.hand_over(cohort, colleague, keep_access=form.cleaned_data["keep_access"])
    audit.record(
        request,
        AdviserAccess.Action.HANDOVER,
        f"{cohort.code} {previous.username} → {colleague.username}",
    )
    messages.success(
        request,
        _("Groupe transmis à %(name)s, qui en est désormais responsable.")
        % {"name": colleague.username},
    )
    if form.cleaned_data["keep_access"] or request.user.is_superuser:
        return redirect("assessments:cohort", pk=cohort.pk)
    return redirect("assessments:adviser-home")


@adviser_required
@reads_from_replica
def overview(request):
    context, _scope, _content = _dashboard_context(request)
    audit.record(request, AdviserAccess.Action.DASHBOARD, f"* {request.GET.urlencode()}")
    return render(
        request, "adviser/overview.html", context, status=400 if context["board"] is None else 200
    )


@adviser_required
def cohort_project(request, pk):
    cohort = _get_cohort_for_user(request, pk)
    link = request.build_absolute_uri(reverse("assessments:join", args=[cohort.code]))
    qr = segno.make(link, error="m").svg_data_uri(scale=8, border=2, dark="#000", light="#fff")
    return render(request, "adviser/project.html", {"cohort": cohort, "link": link, "qr": qr})


def _labels():
    return {
        "section": _("rubrique"),
        "code": _("code"),
        "label": _("libellé"),
        "n": _("effectif"),
        # "moyenne" alone is also a level of affinity ("medium"): the column is the mean.
        "mean": pgettext("colonne d'export", "moyenne"),
        "share": _("% des questionnaires terminés"),
        "category": _("catégorie"),
        "expectation": _("attendu"),
        "track": _("formation suggérée en premier"),
        "other_tracks": _("autres formations (moins de 3 élèves chacune)"),
        "undecided": _("aucune formation ne ressort encore"),
        "flag": _("qualité des réponses"),
        "week": _("période"),
        "straight_lining": _("réponses identiques"),
        "straight_lining_help": _("la même réponse à toutes les affirmations d'une étape"),
        "too_fast": _("trop rapide"),
        "too_fast_help": _("moins de deux secondes par affirmation en moyenne"),
        "contradictory": _("réponses contradictoires"),
        "contradictory_help": _(
            "d'accord avec une affirmation et avec son contraire (ou en désaccord avec les "
            "deux), sur au moins trois paires"
        ),
        "pseudonym": _("pseudonyme"),
        "version": _("version"),
        "month": _("mois"),
        "overall": _("score global"),
    }


def _export(request, cohort, kind, back):
    """A dashboard's figures as CSV or XLSX; one row per questionnaire (CSV) only for
    administrators, over everything (never a class), with no date finer than the month and no
    class (exports)."""
    if kind == "rows" and (cohort is not None or not request.user.is_superuser):
        raise PermissionDenied
    context, scope, content = _dashboard_context(request, cohort)
    board = context["board"]
    if board is None:
        messages.error(request, _("Corrigez les filtres avant d'exporter."))
        return redirect(back)
    if board.suppressed:
        messages.error(
            request,
            _(
                "Pas d'export sous %(n)d questionnaires terminés : "
                "les élèves pourraient être reconnus."
            )
            % {"n": board.min_group_size},
        )
        return redirect(back)
    stem = cohort.code if cohort else "ensemble"
    xlsx = kind == "aggregates" and request.GET.get("format") == "xlsx"
    audit.record(
        request,
        AdviserAccess.Action.EXPORT,
        f"{stem} {kind}{' xlsx' if xlsx else ''} {request.GET.urlencode()}",
    )
    if xlsx:
        return exports.xlsx_response(
            f"reperes-{stem}-agregats.xlsx",
            cohort.name if cohort else _("Ensemble"),
            exports.dashboard_rows(board, _labels()),
        )
    if kind == "aggregates":
        return exports.stream_csv(
            f"reperes-{stem}-agregats.csv", exports.dashboard_rows(board, _labels())
        )
    # One row per questionnaire needs one version's statements: the chosen or current one.
    attempts = stats.scoped_assessments(
        request.user, **{**scope, "version": content.version_id}
    ).using(read_alias())  # read after this view returns, while the file streams
    return exports.stream_csv(
        f"reperes-{stem}-reponses.csv", exports.attempt_rows(attempts, content, _labels())
    )


@adviser_required
@reads_from_replica
def cohort_export(request, pk):
    cohort = _get_cohort_for_user(request, pk)
    url = reverse("assessments:cohort", args=[cohort.pk])
    return _export(request, cohort, "aggregates", url)


@adviser_required
@reads_from_replica
def overview_export(request, kind):
    return _export(request, None, kind, reverse("assessments:overview"))


@adviser_required
def shared_results(request):
    """The form for a student's share code. A good code leads (303) to the page of the results,
    so that a refresh reads the page again without posting the code or counting a lookup."""
    if request.method != "POST":
        return render(request, "adviser/shared_lookup.html", {"form": ShareCodeForm()})
    form = ShareCodeForm(request.POST)
    since = timezone.now() - LOOKUP_WINDOW
    failures = ShareLookup.objects.filter(
        adviser=request.user, at__gte=since, succeeded=False
    ).count()
    who = throttle.who_for(request)
    if failures >= LOOKUP_FAILURES_ALLOWED or throttle.blocked("share-code", who):
        # Per account (ShareLookup), and per address and for the site (several accounts).
        context = {
            "form": form,
            "error": _("Trop de codes incorrects : réessayez dans 15 minutes."),
        }
        return render(request, "adviser/shared_lookup.html", context, status=429)
    assessment = None
    if form.is_valid():
        assessment = (
            Assessment.objects.completed()
            .filter(share_code=form.cleaned_data["code"])
            .only("pk", "share_code")
            .first()
        )
    if assessment is None:
        return _no_shared_result(request, form, who)
    ShareLookup.objects.create(adviser=request.user, succeeded=True)
    response = redirect("assessments:shared-result", pk=assessment.pk, key=_shared_key(assessment))
    response.status_code = 303
    return response


def _shared_key(assessment):
    """The page's key: derived from the share code, so the page lives exactly as long as the
    code (revoked, replaced or deleted: a 404). The code itself never goes in a URL, which
    logs and histories keep (QUALITY.md S7): 128 bits of keyed hash, which the logs blank
    (config/redaction.py, deploy/nginx.conf) as they blank any long token."""
    value = f"{assessment.pk}:{assessment.share_code}"
    return salted_hmac("assessments.shared-result", value, algorithm="sha256").hexdigest()[:32]


def _no_shared_result(request, form, who):
    """A failed lookup, typed or in a page's address: counted, and the same answer whether the
    code is unknown, revoked or malformed, so that codes cannot be probed."""
    ShareLookup.objects.create(adviser=request.user, succeeded=False)
    throttle.record("share-code", who)
    context = {"form": form, "error": _("Aucun résultat partagé ne correspond à ce code.")}
    response = render(request, "adviser/shared_lookup.html", context, status=404)
    response["Referrer-Policy"] = "no-referrer"
    return response


@adviser_required
def shared_result(request, pk, key):
    """A student's shared results, written for the adviser; each opening is in the audit log.
    Its address is a secret as long as the share lasts: no Referer leaves it, and like every
    adviser page it is never cached (config/middleware.py)."""
    assessment = (
        Assessment.objects.completed()
        .select_related("version", "previous")
        .filter(pk=pk, share_code__isnull=False)
        .first()
    )
    if assessment is None or not constant_time_compare(key, _shared_key(assessment)):
        return _no_shared_result(request, ShareCodeForm(), throttle.who_for(request))
    audit.record(request, AdviserAccess.Action.SHARED_RESULT, exports.pseudonym(assessment.pk))
    results = assessment_results(assessment)
    context = {**results, "reading": _shared_reading(results)}
    response = render(request, "adviser/shared_result.html", context)
    response["Referrer-Policy"] = "no-referrer"
    return response


def _shared_reading(results):
    """The student's results as the adviser's page reads them, the same for both sets of rules:
    categories and attendus with their band's tone, and what the response-quality flags name.
    Rules 2 never give an attendu a score out of 100 (docs/method.md): its band, and whether
    one answer decides it."""
    content, assessment = results["content"], results["assessment"]
    stored = assessment.result
    second = "verdict" in results  # only rules 2 give a verdict on the formations
    tones = band_tones(content.bands)
    before = assessment.previous.completed_at if results["has_comparison"] else None

    def attendu(row):
        return {
            "row": row,
            "tone": tones[row.band.code],
            "score": None if second else row.score,
            "near": row.near_note if second else row.near,
            # Rules 2: a reliable change (+1, 0, −1); rules 1: the difference in points.
            "change": row.change if second else row.delta,
            "statements": row.statements if second else [],
        }

    categories = [
        {
            "name": category.name,
            "band": category.band,
            "tone": tones[category.band.code],
            "score": category.score,
            "interval": (category.low, category.high) if second else None,
            "borderline": category.borderline if second else None,
            "change": category.change if second else None,
            "attendus": [attendu(row) for row in category.expectations],
        }
        for category in results["categories"]
    ]
    # (band, count, how many hold by one answer): rules 1 do not say the last.
    band_counts = [entry if second else (*entry, 0) for entry in results["band_counts"]]
    quality = stored["quality"]
    names = {step.code: step.name for step in content.steps}
    labels = {expectation.code: expectation.label for expectation in content.expectations}
    duration = stored.get("duration_seconds")
    return {
        "second_rules": second,
        "categories": categories,
        "band_counts": band_counts,
        "total": len(results["expectation_rows"]),
        "tones": [(b, tones[b.code]) for b in sorted(content.bands, key=lambda b: -b.min_score)],
        "before": before,
        "too_fast": quality["too_fast"],
        "seconds_per_statement": duration / len(content.items) if duration else None,
        "straight_steps": [names[c] for c in quality.get("straight_lined_steps", []) if c in names],
        "straight_lining": quality["straight_lining"],
        "contradictory": quality["contradictory"],
        "contradictory_attendus": [
            labels[c] for c in quality.get("contradictory_expectations", []) if c in labels
        ],
    }


@login_required
def item_quality(request, version_pk):
    if not request.user.is_staff:
        # Signed in but not staff (an adviser): the 403 page, not a login they are past.
        raise PermissionDenied
    version = get_object_or_404(QuestionnaireVersion, pk=version_pk)
    audit.record(request, AdviserAccess.Action.ITEM_QUALITY, version.code)
    can_edit = request.user.has_perm("orientation.change_item")
    report = version_quality(version, cached=True, links=can_edit)
    tables = report["tables"]
    one_by_one = _("Lues une à une, sans ensemble : ni α ni r corrigé, seulement leur dispersion.")
    context = {
        "version": version,
        "report": report,
        "sections": [
            (_("Attendus"), tables["expectations"], ""),
            (_("Questions de connaissance"), tables["knowledge"], ""),
            (_("Catégories"), tables["categories"], ""),
            (_("Domaines d'intérêt"), tables["dimensions"], ""),
            (_("Affirmations d'intérêt hors domaine"), tables["loose"], one_by_one),
        ],
        "can_edit": can_edit,
    }
    return render(request, "adviser/item_quality.html", context)
