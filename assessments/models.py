"""Attempts, answers and stored results.

A student is anonymous: an attempt (Assessment) is found by a random token carried in the
private link, of which only a SHA-256 digest is stored, so the database alone cannot open
anyone's results. No name, e-mail or IP address is stored. An attempt is pinned to the
questionnaire version it was taken with; its scores are computed and stored once, when it is
completed, in the same transaction as its last answers.
"""

import hashlib
import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orientation.content import SCALE_MAX, SCALE_MIN
from orientation.models import Category, Expectation, Item, QuestionnaireVersion, Track

# Unambiguous characters for codes read aloud or copied from a board: no 0/O, 1/I/L.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_code(length):
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def normalise_code(raw):
    """Codes are typed by people: ignore case, spaces and dashes."""
    return "".join(ch for ch in (raw or "").upper() if ch.isalnum())


def digest(token):
    return hashlib.sha256(token.encode()).hexdigest()


class CohortQuerySet(models.QuerySet):
    def active(self):
        return self.filter(archived_at__isnull=True)

    def for_user(self, user):
        """The cohorts an adviser owns or was invited to; an administrator's: all of them."""
        if user.is_superuser:
            return self
        invited = Cohort.members.through.objects.filter(user=user).values("cohort_id")
        return self.filter(Q(owner=user) | Q(pk__in=invited))

    def annotate_counts(self):
        # Students who joined appear only as counts.
        return self.annotate(
            n_started=models.Count("assessments"),
            n_completed=models.Count(
                "assessments", filter=Q(assessments__completed_at__isnull=False)
            ),
        )

    def free_code(self):
        """A join code no cohort uses (31^6 ≈ 887 million codes)."""
        while True:
            code = new_code(Cohort.CODE_LENGTH)
            if not Cohort.objects.filter(code=code).exists():
                return code


class Cohort(models.Model):
    """A class group an adviser gives a join code to."""

    CODE_LENGTH = 6
    MAX_SIZE = 200

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("conseiller"),
        on_delete=models.CASCADE,
        related_name="cohorts",
    )
    name = models.CharField(_("nom"), max_length=80)
    code = models.CharField(_("code d'accès"), max_length=12, unique=True)
    size = models.PositiveSmallIntegerField(
        _("élèves dans la classe"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_SIZE)],
        help_text=_("Facultatif : pour lire la participation, par exemple « 24 / 30 élèves »."),
    )
    # A professeur principal and the Psy-EN follow the same class: the owner invites the
    # others, who see what the owner sees; the owner hands the class over at the year's end.
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("conseillers invités"),
        blank=True,
        related_name="shared_cohorts",
    )
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)
    archived_at = models.DateTimeField(_("archivée le"), null=True, blank=True)

    objects = CohortQuerySet.as_manager()

    class Meta:
        verbose_name = _("cohorte")
        verbose_name_plural = _("cohortes")
        permissions = [("use_adviser_space", _("Peut utiliser l'espace conseiller"))]

    def __str__(self):
        return f"{self.name} ({self.code})"

    @property
    def is_archived(self):
        return self.archived_at is not None


class AssessmentQuerySet(models.QuerySet):
    def completed(self):
        return self.filter(completed_at__isnull=False)

    def by_token(self, token):
        return self.filter(token_digest=digest(token))


class Assessment(models.Model):
    """One attempt at the questionnaire."""

    token_digest = models.CharField(_("empreinte du lien privé"), max_length=64, unique=True)
    version = models.ForeignKey(
        QuestionnaireVersion,
        verbose_name=_("version"),
        on_delete=models.PROTECT,
        related_name="assessments",
    )
    cohort = models.ForeignKey(
        Cohort,
        verbose_name=_("cohorte"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assessments",
    )
    previous = models.ForeignKey(
        "self",
        verbose_name=_("passation précédente"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="retakes",
    )
    started_at = models.DateTimeField(_("commencée le"), default=timezone.now)
    updated_at = models.DateTimeField(_("modifiée le"), default=timezone.now)
    completed_at = models.DateTimeField(_("terminée le"), null=True, blank=True)
    share_code = models.CharField(
        _("code de partage"), max_length=12, null=True, blank=True, unique=True
    )
    shared_at = models.DateTimeField(_("partagée le"), null=True, blank=True)
    # Stored at completion (see services.complete_assessment): the whole result, for the
    # results page, and a few columns for aggregates.
    result = models.JSONField(_("résultat"), null=True, blank=True, editable=False)
    overall_score = models.PositiveSmallIntegerField(_("score global"), null=True, blank=True)
    top_track = models.ForeignKey(
        Track,
        verbose_name=_("formation suggérée en premier"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The class block this questionnaire was counted in when completed (assessments/blocks.py):
    # first questionnaires of a class only, never a retake.
    block = models.ForeignKey(
        "Block",
        verbose_name=_("bloc de classe"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    flag_straight_lining = models.BooleanField(_("réponses identiques"), default=False)
    flag_too_fast = models.BooleanField(_("trop rapide"), default=False)
    flag_contradictory = models.BooleanField(_("réponses contradictoires"), default=False)

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("passation")
        verbose_name_plural = _("passations")
        indexes = [
            models.Index(fields=["cohort", "completed_at"], name="assessment_cohort_done"),
            models.Index(fields=["version", "completed_at"], name="assessment_version_done"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(overall_score__isnull=True) | Q(overall_score__lte=100),
                name="assessment_overall_range",
            ),
            models.CheckConstraint(
                condition=Q(completed_at__isnull=True) | Q(result__isnull=False),
                name="completed_assessment_has_result",
            ),
        ]

    def __str__(self):
        state = _("terminée") if self.completed_at else _("en cours")
        return f"#{self.pk} ({state})"

    @classmethod
    def new_token(cls):
        # 32 random bytes: 256 bits, well above the 128 the private link needs.
        return secrets.token_urlsafe(32)

    @property
    def is_completed(self):
        return self.completed_at is not None


class Block(models.Model):
    """Completed questionnaires of one class, whatever version each student took, in the order
    they were completed: a block fills up to MIN_GROUP_SIZE, then closes for good. First
    questionnaires and retakes fill blocks of their own: class figures count closed blocks of
    first questionnaires; a before/after comparison may set retake blocks beside them
    (assessments/blocks.py)."""

    cohort = models.ForeignKey(
        Cohort, verbose_name=_("cohorte"), on_delete=models.CASCADE, related_name="blocks"
    )
    retake = models.BooleanField(_("questionnaires refaits"), default=False)
    number = models.PositiveIntegerField(_("numéro"))
    closed_at = models.DateTimeField(_("complet le"), null=True, blank=True)

    class Meta:
        verbose_name = _("bloc de classe")
        verbose_name_plural = _("blocs de classe")
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "retake", "number"], name="one_block_number_a_class"
            ),
            models.UniqueConstraint(
                fields=["cohort", "retake"],
                condition=Q(closed_at__isnull=True),
                name="one_open_block_a_class",
            ),
        ]

    def __str__(self):
        return f"{self.cohort_id}{'R' if self.retake else ''} #{self.number}"


class Answer(models.Model):
    assessment = models.ForeignKey(
        Assessment, verbose_name=_("passation"), on_delete=models.CASCADE, related_name="answers"
    )
    item = models.ForeignKey(
        Item, verbose_name=_("affirmation"), on_delete=models.PROTECT, related_name="answers"
    )
    value = models.PositiveSmallIntegerField(
        _("réponse"), validators=[MinValueValidator(SCALE_MIN), MaxValueValidator(SCALE_MAX)]
    )

    class Meta:
        verbose_name = _("réponse")
        verbose_name_plural = _("réponses")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "item"], name="one_answer_per_item"),
            models.CheckConstraint(
                condition=Q(value__gte=SCALE_MIN, value__lte=SCALE_MAX), name="answer_on_the_scale"
            ),
        ]

    def __str__(self):
        return f"{self.item_id} = {self.value}"


class ExpectationScore(models.Model):
    """An attendu's score in a completed attempt (kept for class aggregates)."""

    assessment = models.ForeignKey(
        Assessment,
        verbose_name=_("passation"),
        on_delete=models.CASCADE,
        related_name="expectation_scores",
    )
    expectation = models.ForeignKey(
        Expectation, verbose_name=_("attendu"), on_delete=models.PROTECT, related_name="+"
    )
    score = models.PositiveSmallIntegerField(_("score"))
    band = models.CharField(_("bande"), max_length=40)

    class Meta:
        verbose_name = _("score d'attendu")
        verbose_name_plural = _("scores d'attendus")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "expectation"], name="one_score_per_expectation"
            ),
            models.CheckConstraint(condition=Q(score__lte=100), name="expectation_score_range"),
        ]

    def __str__(self):
        return f"{self.expectation_id}: {self.score}"


class CategoryScore(models.Model):
    """A category's score in a completed attempt (kept for class aggregates)."""

    assessment = models.ForeignKey(
        Assessment,
        verbose_name=_("passation"),
        on_delete=models.CASCADE,
        related_name="category_scores",
    )
    category = models.ForeignKey(
        Category, verbose_name=_("catégorie"), on_delete=models.PROTECT, related_name="+"
    )
    score = models.PositiveSmallIntegerField(_("score"))
    band = models.CharField(_("bande"), max_length=40)

    class Meta:
        verbose_name = _("score de catégorie")
        verbose_name_plural = _("scores de catégories")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "category"], name="one_score_per_category"
            ),
            models.CheckConstraint(condition=Q(score__lte=100), name="category_score_range"),
        ]

    def __str__(self):
        return f"{self.category_id}: {self.score}"


class ShareLookup(models.Model):
    """An adviser's attempt to open shared results, kept to rate-limit guessing."""

    adviser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("conseiller"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    at = models.DateTimeField(_("le"), default=timezone.now)
    succeeded = models.BooleanField(_("réussie"), default=False)

    class Meta:
        verbose_name = _("consultation par code")
        verbose_name_plural = _("consultations par code")
        indexes = [models.Index(fields=["adviser", "at"], name="share_lookup_recent")]

    def __str__(self):
        return f"{self.adviser_id} {self.at:%Y-%m-%d %H:%M}"


class DailyTally(models.Model):
    """A running count for the national dashboard: per version, per day the attempts were
    started, per measure (see assessments/tallies.py for the measures and their upkeep)."""

    version = models.ForeignKey(
        QuestionnaireVersion,
        verbose_name=_("version"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    day = models.DateField(_("jour"))
    code = models.CharField(_("mesure"), max_length=100)
    n = models.IntegerField(_("nombre"), default=0)
    total = models.BigIntegerField(_("somme des scores"), default=0)

    class Meta:
        verbose_name = _("décompte quotidien")
        verbose_name_plural = _("décomptes quotidiens")
        constraints = [
            models.UniqueConstraint(fields=["version", "day", "code"], name="one_tally_per_day")
        ]

    def __str__(self):
        return f"{self.day} {self.code}: {self.n}"


class SummaryBuild(models.Model):
    """When the national summary (DailyTally) was last counted: one row."""

    built_at = models.DateTimeField(_("calculé le"))

    class Meta:
        verbose_name = _("calcul des chiffres nationaux")
        verbose_name_plural = _("calculs des chiffres nationaux")

    def __str__(self):
        return f"{self.built_at:%Y-%m-%d %H:%M}"


class AdviserAccess(models.Model):
    """Who read what: dashboards opened, exports, shared results opened (QUALITY.md S8).

    Administrators read it in the admin; the purge keeps it AUDIT_RETENTION_DAYS. It names the
    adviser, never a student: a shared result is recorded by its attempt's pseudonym."""

    class Action(models.TextChoices):
        DASHBOARD = "dashboard", _("tableau de bord ouvert")
        EXPORT = "export", _("export CSV")
        SHARED_RESULT = "shared_result", _("résultat partagé ouvert")
        ITEM_QUALITY = "item_quality", _("rapport de qualité ouvert")
        REPORT = "report", _("bilan de classe ouvert")
        SHARING = "sharing", _("partage d'un groupe modifié")
        HANDOVER = "handover", _("groupe transmis")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("compte"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    username = models.CharField(_("identifiant"), max_length=150)
    at = models.DateTimeField(_("le"), default=timezone.now, db_index=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    target = models.CharField(_("objet"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("accès d'un conseiller")
        verbose_name_plural = _("journal des accès des conseillers")
        ordering = ["-at"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action} {self.target}"
