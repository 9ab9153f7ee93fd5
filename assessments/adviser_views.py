"""The adviser space: cohorts, dashboards, shared results, exports, item quality.

Every lookup goes through the adviser's own cohorts (admins: all), so another adviser's
cohort is a 404, never a page.
"""

from datetime import timedelta
from functools import wraps

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from config import throttle
from orientation.models import QuestionnaireVersion
from orientation.outline import questionnaire_content

from . import audit, exports, stats
from .accounts import is_adviser
from .forms import CohortForm, DashboardFilterForm, ShareCodeForm
from .models import AdviserAccess, Assessment, Cohort, ShareLookup
from .quality import version_quality
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
    return get_object_or_404(Cohort.objects.for_user(request.user), pk=pk)


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
    cohort = _get_cohort_for_user(request, pk)
    cohort.archived_at = None if cohort.is_archived else timezone.now()
    cohort.save(update_fields=["archived_at"])
    if cohort.is_archived:
        messages.success(request, _("Groupe archivé : son code ne permet plus de le rejoindre."))
    else:
        messages.success(request, _("Groupe réactivé : son code fonctionne de nouveau."))
    return redirect("assessments:cohort", pk=cohort.pk)


@adviser_required
def cohort_dashboard(request, pk):
    cohort = _get_cohort_for_user(request, pk)
    context, _scope, _content = _dashboard_context(request, cohort)
    audit.record(
        request, AdviserAccess.Action.DASHBOARD, f"{cohort.code} {request.GET.urlencode()}"
    )
    status = 400 if context["board"] is None else 200
    return render(request, "adviser/cohort.html", {**context, "cohort": cohort}, status=status)


@adviser_required
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
    attempts = stats.scoped_assessments(request.user, **{**scope, "version": content.version_id})
    return exports.stream_csv(
        f"reperes-{stem}-reponses.csv", exports.attempt_rows(attempts, content, _labels())
    )


@adviser_required
def cohort_export(request, pk):
    cohort = _get_cohort_for_user(request, pk)
    url = reverse("assessments:cohort", args=[cohort.pk])
    return _export(request, cohort, "aggregates", url)


@adviser_required
def overview_export(request, kind):
    return _export(request, None, kind, reverse("assessments:overview"))


@adviser_required
def shared_results(request):
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
        form.add_error(None, _("Trop de codes incorrects : réessayez dans 15 minutes."))
        return render(request, "adviser/shared_lookup.html", {"form": form}, status=429)
    assessment = None
    if form.is_valid():
        assessment = (
            Assessment.objects.completed()
            .select_related("version", "previous")
            .filter(share_code=form.cleaned_data["code"])
            .first()
        )
    ShareLookup.objects.create(adviser=request.user, succeeded=assessment is not None)
    if assessment is not None:
        audit.record(request, AdviserAccess.Action.SHARED_RESULT, exports.pseudonym(assessment.pk))
    if assessment is None:
        throttle.record("share-code", who)
        # Unknown, revoked or malformed: the same answer, so codes cannot be probed.
        form.add_error(None, _("Aucun résultat partagé ne correspond à ce code."))
        return render(request, "adviser/shared_lookup.html", {"form": form}, status=404)
    context = {**assessment_results(assessment), "read_only": True}
    return render(request, context["template"], context)


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
