"""The questionnaire content that admins edit.

A questionnaire version owns its whole tree: categories → attendus (expectations) → items,
the tracks (BUT CS parcours and alternative formations) with the weights that tie interest
items to them, and the score bands. A version goes draft → published → archived. Only a
draft can be edited: a published or archived version is frozen, in code (here), not only
in the admin, so that every past score stays reproducible from its version. To change the
content, clone the published version into a draft, edit it, publish it.
"""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from . import content

# The labels of the answer scales (their values, and how a reverse-keyed statement is read:
# orientation/content.py).
SCALE = list(
    zip(
        content.AGREEMENT_VALUES,
        (
            _("Pas du tout d'accord"),
            _("Plutôt pas d'accord"),
            _("Ni d'accord ni pas d'accord"),
            _("Plutôt d'accord"),
            _("Tout à fait d'accord"),
        ),
        strict=True,
    )
)
TRUE, FALSE, DONT_KNOW = content.TRUE, content.FALSE, content.DONT_KNOW
KNOWLEDGE_SCALE = list(
    zip(content.KNOWLEDGE_VALUES, (_("Vrai"), _("Faux"), _("Je ne sais pas")), strict=True)
)
SCALES = {content.AGREEMENT: SCALE, content.KNOWLEDGE: KNOWLEDGE_SCALE}


class FrozenVersionError(ValidationError):
    """Raised when something tries to change content that belongs to a non-draft version."""


def _frozen_message(version):
    return _(
        "La version « %(version)s » est %(status)s : son contenu ne peut plus être modifié. "
        "Clonez-la en brouillon pour faire des changements."
    ) % {"version": version.code, "status": version.get_status_display().lower()}


class QuestionnaireVersionQuerySet(models.QuerySet):
    def current(self):
        return self.get(is_current=True)


class QuestionnaireVersionManager(models.Manager.from_queryset(QuestionnaireVersionQuerySet)):
    def get_by_natural_key(self, code):
        return self.get(code=code)


class QuestionnaireVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Brouillon")
        PUBLISHED = "published", _("Publiée")
        ARCHIVED = "archived", _("Archivée")

    # Fields that may still change once the version has left the draft state.
    LIFECYCLE_FIELDS = frozenset({"status", "is_current", "published_at", "archived_at"})

    code = models.SlugField(
        _("code"),
        max_length=40,
        unique=True,
        help_text=_("Identifiant court et stable, par exemple « 2026-1 »."),
    )
    title = models.CharField(_("titre"), max_length=200)
    status = models.CharField(
        _("statut"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    is_current = models.BooleanField(
        _("version en cours"),
        default=False,
        help_text=_("La version proposée aux nouveaux élèves. Une seule à la fois."),
    )

    class Rules(models.TextChoices):
        # Scoring and suggestion rules travel with the version, so that every stored result
        # can be recomputed exactly from its answers (assessments/services.compute_result).
        FIRST = "1", _("Règles de 2026-1 : affinité pondérée par affirmation")
        SECOND = "2", _("Règles de 2026-2 : profil d'intérêts relatif, précision mesurée")

    rules = models.CharField(
        _("règles de calcul"),
        max_length=2,
        choices=Rules.choices,
        default=Rules.SECOND,
        help_text=_("Voir docs/method.md. Les versions publiées gardent leurs règles."),
    )
    close_margin = models.PositiveSmallIntegerField(
        _("marge « proche du seuil »"),
        default=5,
        validators=[MaxValueValidator(25)],
        help_text=_(
            "Règles de 2026-1 seulement : un score à moins de ce nombre de points (sur 100) "
            "d'un seuil de bande est signalé comme proche du seuil. Les règles de 2026-2 "
            "utilisent un pas de réponse."
        ),
    )
    content_date = models.DateField(
        _("contenu mis à jour le"),
        help_text=_("Date à laquelle les informations de cette version ont été vérifiées."),
    )
    notes = models.TextField(_("notes internes"), blank=True)
    based_on = models.ForeignKey(
        "self",
        verbose_name=_("clonée depuis"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="clones",
    )
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    published_at = models.DateTimeField(_("publiée le"), null=True, blank=True)
    archived_at = models.DateTimeField(_("archivée le"), null=True, blank=True)

    objects = QuestionnaireVersionManager()

    class Meta:
        verbose_name = _("version du questionnaire")
        verbose_name_plural = _("versions du questionnaire")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"],
                condition=Q(is_current=True),
                name="one_current_version",
                violation_error_message=_("Une seule version peut être en cours."),
            ),
            models.CheckConstraint(
                condition=Q(is_current=False) | Q(status="published"),
                name="current_version_is_published",
                violation_error_message=_("Seule une version publiée peut être en cours."),
            ),
            models.CheckConstraint(
                condition=Q(close_margin__lte=25),
                name="close_margin_range",
                violation_error_message=_("La marge doit être comprise entre 0 et 25 points."),
            ),
        ]

    def __str__(self):
        return f"{self.code} — {self.title} ({self.get_status_display()})"

    def save(self, *args, **kwargs):
        self.ensure_lifecycle_only_change()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        stored = self._stored()
        if stored and stored["status"] != self.Status.DRAFT:
            raise FrozenVersionError(
                _("Une version publiée ou archivée ne peut pas être supprimée."), code="frozen"
            )
        return super().delete(*args, **kwargs)

    @property
    def is_draft(self):
        return self.status == self.Status.DRAFT

    def natural_key(self):
        return (self.code,)

    def _stored(self):
        # Read from the database, not from this instance: it may be stale.
        if not self.pk:
            return None
        fields = [field.attname for field in self._meta.concrete_fields]
        return type(self)._base_manager.filter(pk=self.pk).values(*fields).first()

    def ensure_lifecycle_only_change(self):
        """Refuse edits to a frozen version's own fields; lifecycle moves stay possible."""
        stored = self._stored()
        if not stored or stored["status"] == self.Status.DRAFT:
            return
        changed = {
            field.name
            for field in self._meta.concrete_fields
            if getattr(self, field.attname) != stored[field.attname]
        }
        if changed - self.LIFECYCLE_FIELDS:
            raise FrozenVersionError(
                _frozen_message(QuestionnaireVersion(code=stored["code"], status=stored["status"])),
                code="frozen",
            )
        allowed = {
            (self.Status.PUBLISHED, self.Status.PUBLISHED),
            (self.Status.PUBLISHED, self.Status.ARCHIVED),
            (self.Status.ARCHIVED, self.Status.ARCHIVED),
        }
        if (stored["status"], self.status) not in allowed:
            raise FrozenVersionError(
                _("Une version publiée ne peut pas redevenir un brouillon ; clonez-la."),
                code="frozen",
            )


class VersionedQuerySet(models.QuerySet):
    """Bulk writes bypass save(), so the freeze is checked here too."""

    def _ensure_all_draft(self):
        frozen = self.exclude(version__status=QuestionnaireVersion.Status.DRAFT).select_related(
            "version"
        )
        first = frozen.first()
        if first is not None:
            raise FrozenVersionError(_frozen_message(first.version), code="frozen")

    def update(self, **kwargs):
        self._ensure_all_draft()
        return super().update(**kwargs)

    def delete(self):
        self._ensure_all_draft()
        return super().delete()

    update.queryset_only = True
    delete.queryset_only = True


class VersionedManager(models.Manager.from_queryset(VersionedQuerySet)):
    def get_by_natural_key(self, version_code, code):
        return self.get(version__code=version_code, code=code)


class VersionedBase(models.Model):
    """A row that belongs to one questionnaire version and is frozen with it."""

    version = models.ForeignKey(
        QuestionnaireVersion,
        verbose_name=_("version"),
        on_delete=models.CASCADE,
        related_name="+",
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.ensure_editable()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self.ensure_editable()
        return super().delete(*args, **kwargs)

    def ensure_editable(self):
        """Refuse any write to content of a published or archived version."""
        # Both the version it goes to and the one it is stored in (read from the database,
        # since this instance may be stale) must be drafts.
        stored = type(self)._base_manager.filter(pk=self.pk).values("version_id")
        frozen = (
            QuestionnaireVersion.objects.filter(Q(pk=self.version_id) | Q(pk__in=stored))
            .exclude(status=QuestionnaireVersion.Status.DRAFT)
            .first()
        )
        if frozen is not None:
            raise FrozenVersionError(_frozen_message(frozen), code="frozen")

    def check_same_version(self, **parents):
        """Each parent must belong to this object's version (the tree never crosses versions)."""
        errors = {
            name: _("Choisissez un élément de la même version du questionnaire.")
            for name, parent in parents.items()
            if parent is not None and self.version_id and parent.version_id != self.version_id
        }
        if errors:
            raise ValidationError(errors)


class VersionedContent(VersionedBase):
    """Versioned content with a code, unique in its version: its natural key."""

    code = models.SlugField(_("code"), max_length=40)

    objects = VersionedManager()

    class Meta:
        abstract = True

    def natural_key(self):
        return (self.version.code, self.code)

    natural_key.dependencies = ["orientation.questionnaireversion"]


class Category(VersionedContent):
    class Kind(models.TextChoices):
        EXPECTATIONS = "expectations", _("Attendus")
        INTERESTS = "interests", _("Intérêts")

    name = models.CharField(_("nom"), max_length=120)
    kind = models.CharField(_("nature"), max_length=12, choices=Kind.choices)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    intro = models.TextField(
        _("introduction"), blank=True, help_text=_("Texte affiché en tête de l'étape.")
    )
    name_en = models.CharField(_("nom (anglais)"), max_length=120, blank=True)
    intro_en = models.TextField(_("introduction (anglais)"), blank=True)

    class Meta:
        verbose_name = _("catégorie")
        verbose_name_plural = _("catégories")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "code"],
                name="category_code_unique_in_version",
                violation_error_message=_("Ce code de catégorie existe déjà dans cette version."),
            ),
        ]

    def __str__(self):
        return f"{self.code} — {self.name}"


class Expectation(VersionedContent):
    """An official Parcoursup attendu, with its verbatim wording and our advice."""

    category = models.ForeignKey(
        Category,
        verbose_name=_("catégorie"),
        on_delete=models.CASCADE,
        related_name="expectations",
    )
    official_wording = models.TextField(
        _("libellé officiel"),
        help_text=_("Le texte de l'attendu national Parcoursup, recopié mot pour mot."),
    )
    label = models.CharField(_("libellé court"), max_length=80)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    advice = models.TextField(
        _("conseils"),
        help_text=_("Au moins deux actions concrètes, une par ligne."),
    )
    label_en = models.CharField(_("libellé court (anglais)"), max_length=80, blank=True)
    official_wording_en = models.TextField(
        _("libellé officiel (traduction anglaise)"),
        blank=True,
        help_text=_("Montrée à côté du texte officiel, qui reste en français."),
    )
    advice_en = models.TextField(_("conseils (anglais)"), blank=True)

    class Meta:
        verbose_name = _("attendu")
        verbose_name_plural = _("attendus")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "code"],
                name="expectation_code_unique_in_version",
                violation_error_message=_("Ce code d'attendu existe déjà dans cette version."),
            ),
        ]

    def __str__(self):
        return f"{self.code} — {self.label}"

    def clean(self):
        self.check_same_version(category=self.category if self.category_id else None)
        if self.category_id and self.category.kind != Category.Kind.EXPECTATIONS:
            raise ValidationError(
                {"category": _("Un attendu doit appartenir à une catégorie d'attendus.")}
            )
        if len(self.advice_actions) < 2:
            raise ValidationError(
                {"advice": _("Écrivez au moins deux actions concrètes, une par ligne.")}
            )

    @property
    def advice_actions(self):
        return [line.strip() for line in self.advice.splitlines() if line.strip()]


class WorkshopActivity(VersionedBase):
    """An activity for a teacher to work on an attendu with a whole class: the class report
    (« bilan de la classe ») proposes these for the attendus a class should work on. Written
    for teachers, never shown to students; not scored."""

    MIN_MINUTES, MAX_MINUTES = 20, 50

    expectation = models.ForeignKey(
        Expectation,
        verbose_name=_("attendu"),
        on_delete=models.CASCADE,
        related_name="workshops",
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    title = models.CharField(_("titre"), max_length=120)
    minutes = models.PositiveSmallIntegerField(
        _("durée (minutes)"),
        validators=[MinValueValidator(MIN_MINUTES), MaxValueValidator(MAX_MINUTES)],
        help_text=_("Une activité tient dans une heure de cours : de 20 à 50 minutes."),
    )
    preparation = models.TextField(
        _("à préparer"), help_text=_("Le matériel, les documents, les fiches à imprimer.")
    )
    steps = models.TextField(
        _("déroulé"), help_text=_("Trois à cinq étapes courtes, une par ligne, avec leur durée.")
    )
    outcome = models.TextField(
        _("ce que les élèves produisent"),
        help_text=_("Une trace concrète : un paragraphe, une liste, une grille, un court oral."),
    )
    title_en = models.CharField(_("titre (anglais)"), max_length=120, blank=True)
    preparation_en = models.TextField(_("à préparer (anglais)"), blank=True)
    steps_en = models.TextField(_("déroulé (anglais)"), blank=True)
    outcome_en = models.TextField(_("ce que les élèves produisent (anglais)"), blank=True)

    objects = VersionedQuerySet.as_manager()

    class Meta:
        verbose_name = _("activité d'atelier")
        verbose_name_plural = _("activités d'atelier")
        ordering = ["expectation", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(minutes__gte=20, minutes__lte=50),
                name="workshop_minutes_range",
                violation_error_message=_("Une activité dure de 20 à 50 minutes."),
            ),
        ]

    def __str__(self):
        return f"{self.title} ({self.minutes} min)"

    def clean(self):
        self.check_same_version(expectation=self.expectation if self.expectation_id else None)


class InterestDimension(VersionedContent):
    """An interest area (« aider et accompagner », « petite enfance »…) measured by at least
    three statements; formations are profiled over these areas (assessments/matching.py)."""

    name = models.CharField(_("nom"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    name_en = models.CharField(_("nom (anglais)"), max_length=120, blank=True)
    description_en = models.TextField(_("description (anglais)"), blank=True)

    class Meta:
        verbose_name = _("domaine d'intérêt")
        verbose_name_plural = _("domaines d'intérêt")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "code"],
                name="dimension_code_unique_in_version",
                violation_error_message=_("Ce code de domaine existe déjà dans cette version."),
            ),
        ]

    def __str__(self):
        return f"{self.code} — {self.name}"


class Item(VersionedContent):
    """One question: a statement rated on the agreement scale, or a true/false fact."""

    class Kind(models.TextChoices):
        AGREEMENT = content.AGREEMENT, _("Affirmation (accord, 5 réponses)")
        KNOWLEDGE = content.KNOWLEDGE, _("Question de connaissance (vrai, faux, je ne sais pas)")

    category = models.ForeignKey(
        Category, verbose_name=_("catégorie"), on_delete=models.CASCADE, related_name="items"
    )
    expectation = models.ForeignKey(
        Expectation,
        verbose_name=_("attendu"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="items",
        help_text=_("Obligatoire pour une affirmation d'attendu ; vide pour un intérêt."),
    )
    kind = models.CharField(
        _("type de question"), max_length=10, choices=Kind.choices, default=Kind.AGREEMENT
    )
    statement = models.TextField(_("affirmation"))
    statement_en = models.TextField(_("affirmation (anglais)"), blank=True)
    simple_statement = models.TextField(
        _("version simplifiée"),
        blank=True,
        help_text=_(
            "La même affirmation en une phrase courte et des mots courants, dans le même sens : "
            "l'élève peut l'afficher sous l'affirmation."
        ),
    )
    simple_statement_en = models.TextField(_("version simplifiée (anglais)"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    dimension = models.ForeignKey(
        InterestDimension,
        verbose_name=_("domaine d'intérêt"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="items",
        help_text=_("Pour une affirmation d'intérêt : le domaine qu'elle mesure."),
    )
    mirror_of = models.OneToOneField(
        "self",
        verbose_name=_("contraire de"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mirrored_by",
        help_text=_(
            "Pour une affirmation formulée à l'envers : l'affirmation du même attendu dont "
            "elle dit exactement le contraire. Seules ces paires servent à repérer des "
            "réponses contradictoires."
        ),
    )
    goal_track = models.ForeignKey(
        "Track",
        verbose_name=_("formation visée"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="goal_items",
        help_text=_(
            "Pour une affirmation qui énonce un objectif (« je veux devenir assistant(e) de "
            "service social ») : la formation qui y mène. Un élève qui y adhère plus qu'au "
            "reste de ses réponses voit cette formation en premier."
        ),
    )
    correct_answer = models.PositiveSmallIntegerField(
        _("bonne réponse"),
        null=True,
        blank=True,
        choices=[(TRUE, _("Vrai")), (FALSE, _("Faux"))],
        help_text=_("Pour une question de connaissance."),
    )
    explanation = models.TextField(
        _("explication"),
        blank=True,
        help_text=_("Pour une question de connaissance : la bonne réponse expliquée, sourcée."),
    )
    explanation_en = models.TextField(_("explication (anglais)"), blank=True)
    reverse_keyed = models.BooleanField(
        _("formulée à l'envers"),
        default=False,
        help_text=_(
            "Cochez si « tout à fait d'accord » traduit un point faible (score = 6 − réponse)."
        ),
    )

    class Meta:
        verbose_name = _("affirmation")
        verbose_name_plural = _("affirmations")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "code"],
                name="item_code_unique_in_version",
                violation_error_message=_("Ce code d'affirmation existe déjà dans cette version."),
            ),
            models.CheckConstraint(
                condition=~Q(statement=""),
                name="item_statement_not_empty",
                violation_error_message=_("L'affirmation ne peut pas être vide."),
            ),
        ]

    def __str__(self):
        return f"{self.code} — {self.statement[:60]}"

    def clean(self):
        category = self.category if self.category_id else None
        expectation = self.expectation if self.expectation_id else None
        self.check_same_version(
            category=category,
            expectation=expectation,
            dimension=self.dimension if self.dimension_id else None,
            mirror_of=self.mirror_of if self.mirror_of_id else None,
            goal_track=self.goal_track if self.goal_track_id else None,
        )
        self._clean_kind()
        self._clean_mirror()
        if category is None:
            return
        if category.kind == Category.Kind.EXPECTATIONS and expectation is None:
            raise ValidationError(
                {"expectation": _("Une affirmation d'attendu doit être rattachée à un attendu.")}
            )
        if category.kind == Category.Kind.INTERESTS and expectation is not None:
            raise ValidationError(
                {"expectation": _("Une affirmation d'intérêt n'est rattachée à aucun attendu.")}
            )
        if expectation is not None and expectation.category_id != category.pk:
            raise ValidationError(
                {"expectation": _("L'attendu doit appartenir à la même catégorie.")}
            )
        if category.kind == Category.Kind.EXPECTATIONS and self.dimension_id:
            raise ValidationError(
                {"dimension": _("Seule une affirmation d'intérêt mesure un domaine d'intérêt.")}
            )

    def _clean_kind(self):
        if self.kind == self.Kind.KNOWLEDGE:
            errors = {}
            if self.correct_answer is None:
                errors["correct_answer"] = _("Indiquez la bonne réponse : vrai ou faux.")
            if not self.explanation.strip():
                errors["explanation"] = _("Expliquez la bonne réponse : l'élève la lira.")
            if self.reverse_keyed:
                errors["reverse_keyed"] = _("Une question de connaissance n'a pas de sens inverse.")
            if self.expectation_id is None:
                errors["expectation"] = _("Une question de connaissance mesure un attendu.")
            if errors:
                raise ValidationError(errors)
        elif self.correct_answer is not None:
            raise ValidationError(
                {"correct_answer": _("Seule une question de connaissance a une bonne réponse.")}
            )

    def _clean_mirror(self):
        if not self.mirror_of_id:
            return
        partner = self.mirror_of
        if partner.pk == self.pk:
            raise ValidationError(
                {"mirror_of": _("Une affirmation n'est pas son propre contraire.")}
            )
        if not self.reverse_keyed or partner.reverse_keyed:
            raise ValidationError(
                {
                    "mirror_of": _(
                        "Une paire de contraires relie une affirmation formulée à l'envers à "
                        "une affirmation formulée à l'endroit."
                    )
                }
            )
        if partner.expectation_id != self.expectation_id or self.expectation_id is None:
            raise ValidationError({"mirror_of": _("Les deux contraires mesurent le même attendu.")})


class Track(VersionedContent):
    """A formation the results may suggest: a BUT CS parcours or an alternative."""

    class Kind(models.TextChoices):
        BUT_CS = "but_cs", _("Parcours du BUT Carrières sociales")
        STATE_DIPLOMA = "state_diploma", _("Diplôme d'État du travail social")
        HEALTH = "health", _("Diplôme d'État paramédical")
        BTS = "bts", _("BTS")
        UNIVERSITY = "university", _("Formation universitaire")
        OTHER = "other", _("Autre formation")

    name = models.CharField(_("nom officiel"), max_length=200)
    short_name = models.CharField(_("nom court"), max_length=60)
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices)
    level = models.PositiveSmallIntegerField(
        _("niveau (cadre national)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(3), MaxValueValidator(8)],
        help_text=_(
            "Niveau du cadre national des certifications, de 3 à 8 ; vide pour une formation "
            "qui n'est pas inscrite au RNCP."
        ),
    )
    duration = models.CharField(_("durée"), max_length=80)
    access = models.CharField(_("accès"), max_length=200, blank=True)
    description = models.TextField(_("description"))
    suits = models.TextField(_("pour qui"), help_text=_("À qui cette formation convient."))
    official_url = models.URLField(_("lien officiel"), max_length=300)
    name_en = models.CharField(_("nom officiel (anglais)"), max_length=200, blank=True)
    short_name_en = models.CharField(_("nom court (anglais)"), max_length=60, blank=True)
    duration_en = models.CharField(_("durée (anglais)"), max_length=80, blank=True)
    access_en = models.CharField(_("accès (anglais)"), max_length=200, blank=True)
    description_en = models.TextField(_("description (anglais)"), blank=True)
    suits_en = models.TextField(_("pour qui (anglais)"), blank=True)
    caveat = models.TextField(
        _("mise en garde"),
        blank=True,
        help_text=_("Affichée à chaque fois que cette formation est suggérée."),
    )
    facts_date = models.DateField(_("informations vérifiées le"))
    after_first_diploma = models.BooleanField(
        _("après un premier diplôme"),
        default=False,
        help_text=_(
            "Cochez pour une formation qui n'est pas ouverte juste après le bac (licence "
            "professionnelle, DECESF…) : elle n'est jamais proposée comme premier vœu, mais "
            "comme étape suivante, avec sa première étape."
        ),
    )
    first_step = models.TextField(
        _("première étape"),
        blank=True,
        help_text=_("Ce qu'un lycéen fait d'abord pour y arriver (par exemple « un BTS ESF »)."),
    )
    caveat_en = models.TextField(_("mise en garde (anglais)"), blank=True)
    first_step_en = models.TextField(_("première étape (anglais)"), blank=True)
    expectations = models.ManyToManyField(
        Expectation,
        verbose_name=_("attendus qui comptent le plus"),
        blank=True,
        related_name="tracks",
        help_text=_("Les attendus rappelés à l'élève quand cette formation lui est suggérée."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    shown_with = models.ForeignKey(
        "self",
        verbose_name=_("toujours proposer avec"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_(
            "Quand cette formation est suggérée, celle-ci l'est aussi, juste après (par exemple "
            "le DEASS avec le BUT parcours assistance sociale)."
        ),
    )

    class Meta:
        verbose_name = _("formation")
        verbose_name_plural = _("formations")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "code"],
                name="track_code_unique_in_version",
                violation_error_message=_("Ce code de formation existe déjà dans cette version."),
            ),
            models.CheckConstraint(
                condition=Q(level__isnull=True) | Q(level__gte=3, level__lte=8),
                name="track_level_range",
                violation_error_message=_("Le niveau doit être compris entre 3 et 8."),
            ),
        ]

    def __str__(self):
        return self.short_name

    def clean(self):
        companion = self.shown_with if self.shown_with_id else None
        self.check_same_version(shown_with=companion)
        if companion is not None and companion.pk == self.pk:
            raise ValidationError({"shown_with": _("Une formation ne s'accompagne pas elle-même.")})


class TrackDimensionManager(models.Manager.from_queryset(VersionedQuerySet)):
    def get_by_natural_key(self, version_code, track_code, dimension_code):
        return self.get(
            version__code=version_code, track__code=track_code, dimension__code=dimension_code
        )


class TrackDimension(VersionedBase):
    """How much a formation is about an interest area (its profile; rules of 2026-2)."""

    track = models.ForeignKey(
        Track, verbose_name=_("formation"), on_delete=models.CASCADE, related_name="profile"
    )
    dimension = models.ForeignKey(
        InterestDimension,
        verbose_name=_("domaine d'intérêt"),
        on_delete=models.CASCADE,
        related_name="profile",
    )
    weight = models.PositiveSmallIntegerField(
        _("poids"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(3)],
        help_text=_("1 = une part du métier, 2 = important, 3 = le cœur de la formation."),
    )

    objects = TrackDimensionManager()

    class Meta:
        verbose_name = _("domaine d'une formation")
        verbose_name_plural = _("profil des formations")
        constraints = [
            models.UniqueConstraint(
                fields=["track", "dimension"],
                name="profile_unique_per_track_dimension",
                violation_error_message=_("Ce domaine a déjà un poids pour cette formation."),
            ),
            models.CheckConstraint(
                condition=Q(weight__gte=1, weight__lte=3),
                name="profile_weight_range",
                violation_error_message=_("Le poids doit être compris entre 1 et 3."),
            ),
        ]

    def __str__(self):
        return f"{self.track} ← {self.dimension.code} (×{self.weight})"

    def natural_key(self):
        return (self.version.code, self.track.code, self.dimension.code)

    natural_key.dependencies = ["orientation.track", "orientation.interestdimension"]

    def clean(self):
        track = self.track if self.track_id else None
        dimension = self.dimension if self.dimension_id else None
        self.check_same_version(track=track, dimension=dimension)


class TrackWeightManager(models.Manager.from_queryset(VersionedQuerySet)):
    def get_by_natural_key(self, version_code, track_code, item_code):
        return self.get(version__code=version_code, track__code=track_code, item__code=item_code)


class TrackWeight(VersionedBase):
    """How much agreeing with an interest item points towards a track."""

    track = models.ForeignKey(
        Track, verbose_name=_("formation"), on_delete=models.CASCADE, related_name="weights"
    )
    item = models.ForeignKey(
        Item, verbose_name=_("affirmation"), on_delete=models.CASCADE, related_name="weights"
    )
    weight = models.PositiveSmallIntegerField(
        _("poids"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(3)],
        help_text=_("1 = indice, 2 = important, 3 = décisif."),
    )

    objects = TrackWeightManager()

    class Meta:
        verbose_name = _("poids d'une affirmation")
        verbose_name_plural = _("poids des affirmations")
        constraints = [
            models.UniqueConstraint(
                fields=["track", "item"],
                name="weight_unique_per_track_item",
                violation_error_message=_(
                    "Cette affirmation a déjà un poids pour cette formation."
                ),
            ),
            models.CheckConstraint(
                condition=Q(weight__gte=1, weight__lte=3),
                name="weight_range",
                violation_error_message=_("Le poids doit être compris entre 1 et 3."),
            ),
        ]

    def __str__(self):
        return f"{self.track} ← {self.item.code} (×{self.weight})"

    def natural_key(self):
        return (self.version.code, self.track.code, self.item.code)

    natural_key.dependencies = ["orientation.track", "orientation.item"]

    def clean(self):
        track = self.track if self.track_id else None
        item = self.item if self.item_id else None
        self.check_same_version(track=track, item=item)


class ScoreBand(VersionedContent):
    """A band of attendu scores (0–100) with the message students read."""

    label = models.CharField(_("libellé"), max_length=60)
    min_score = models.PositiveSmallIntegerField(
        _("score minimal"),
        validators=[MaxValueValidator(100)],
        help_text=_("La bande commence à ce score (sur 100) inclus."),
    )
    message = models.TextField(_("message"))
    label_en = models.CharField(_("libellé (anglais)"), max_length=60, blank=True)
    message_en = models.TextField(_("message (anglais)"), blank=True)

    class Meta:
        verbose_name = _("bande de score")
        verbose_name_plural = _("bandes de score")
        ordering = ["-min_score", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "code"],
                name="band_code_unique_in_version",
                violation_error_message=_("Ce code de bande existe déjà dans cette version."),
            ),
            models.UniqueConstraint(
                fields=["version", "min_score"],
                name="band_min_unique_in_version",
                violation_error_message=_("Deux bandes ne peuvent pas commencer au même score."),
            ),
            models.CheckConstraint(
                condition=Q(min_score__lte=100),
                name="band_min_score_range",
                violation_error_message=_("Le score minimal doit être compris entre 0 et 100."),
            ),
        ]

    def __str__(self):
        return f"{self.label} (≥ {self.min_score})"
