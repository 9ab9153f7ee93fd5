from django import forms
from django.utils.translation import gettext_lazy as _

from orientation.models import SCALES

from .models import Cohort, normalise_code

# Fields a step form legitimately receives besides the answers.
STEP_CONTROL_FIELDS = {"csrfmiddlewaretoken", "direction"}


class StartForm(forms.Form):
    class_code = forms.CharField(
        label=_("Code de ta classe (facultatif)"),
        help_text=_("Si ton professeur t'a donné un code, saisis-le ; sinon, laisse vide."),
        required=False,
        max_length=20,
    )

    def __init__(self, *args, staff=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.staff = staff

    def clean_class_code(self):
        code = normalise_code(self.cleaned_data["class_code"])
        if not code:
            return None
        if self.staff:
            # An adviser trying the questionnaire must not add made-up answers to a class.
            raise forms.ValidationError(
                _(
                    "Vous êtes connecté(e) à l'espace conseiller : un questionnaire commencé "
                    "ici ne peut pas rejoindre une classe. Commencez sans code, ou "
                    "déconnectez-vous."
                ),
                code="staff",
            )
        cohort = Cohort.objects.active().filter(code=code).first()
        if cohort is None:
            raise forms.ValidationError(
                _(
                    "Ce code de classe n'existe pas ou n'est plus actif. Vérifie-le auprès de "
                    "ton professeur, ou commence sans code."
                ),
                code="unknown_code",
            )
        return cohort


def _answer_field(scale, required):
    return forms.TypedChoiceField(
        choices=scale,
        coerce=int,
        empty_value=None,
        required=required,
        error_messages={
            "required": _("Choisis une réponse."),
            "invalid_choice": _("Cette réponse ne fait pas partie des réponses proposées."),
        },
    )


# Module-level, not class attributes: a Form's metaclass would take those for its own fields.
# One field per kind of question and (required, optional).
ANSWER = {kind: _answer_field(scale, required=True) for kind, scale in SCALES.items()}
OPTIONAL_ANSWER = {kind: _answer_field(scale, required=False) for kind, scale in SCALES.items()}


class StepForm(forms.Form):
    """One required answer per question of the step, on its own scale; nothing else is
    accepted.

    The form only validates (the step template renders the radios), and a field keeps no state
    between requests, so one field object serves every statement: building twenty fields on
    each post cost more than the rest of the form's work.
    """

    def __init__(self, *args, items, partial=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            self.fields[item.code] = (OPTIONAL_ANSWER if partial else ANSWER)[item.kind]

    def clean(self):
        cleaned = super().clean()
        expected = set(self.fields) | STEP_CONTROL_FIELDS
        unexpected = set(self.data) - expected
        if unexpected:
            raise forms.ValidationError(
                _(
                    "Ce formulaire contient des réponses à des questions qui ne sont pas sur "
                    "cette page. Recharge la page et réponds de nouveau."
                ),
                code="unexpected",
            )
        return cleaned

    @property
    def tampered(self):
        """Errors a person using the page cannot cause: unknown fields, off-scale values."""
        return self.has_error(forms.forms.NON_FIELD_ERRORS, "unexpected") or any(
            self.has_error(name, "invalid_choice") for name in self.fields
        )

    def answers_by_pk(self):
        return {
            item.pk: self.cleaned_data[item.code]
            for item in self.items
            if self.cleaned_data.get(item.code) is not None
        }


class CohortForm(forms.ModelForm):
    class Meta:
        model = Cohort
        fields = ["name", "size"]
        labels = {"name": _("Nom du groupe"), "size": _("Nombre d'élèves dans la classe")}
        help_texts = {
            "name": _("Par exemple « Terminale ST2S 2 — 2026 ». Évitez les noms d'élèves."),
        }


class ColleagueForm(forms.Form):
    """Names another adviser by username: to invite them to a class, or hand it over."""

    username = forms.CharField(
        label=_("Identifiant du collègue"),
        max_length=150,
        help_text=_("L'identifiant avec lequel votre collègue se connecte à Repères."),
    )

    def __init__(self, *args, cohort, **kwargs):
        super().__init__(*args, **kwargs)
        self.cohort = cohort

    def clean_username(self):
        from django.contrib.auth import get_user_model

        from .accounts import is_adviser

        username = self.cleaned_data["username"].strip()
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        # The same answer for an unknown account and one that is no adviser: no probing.
        if user is None or not is_adviser(user):
            raise forms.ValidationError(_("Aucun conseiller n'a cet identifiant."))
        if user.pk == self.cohort.owner_id:
            raise forms.ValidationError(_("Ce conseiller est déjà responsable du groupe."))
        return user


class HandoverForm(ColleagueForm):
    keep_access = forms.BooleanField(
        label=_("Garder l'accès au groupe après l'avoir transmis"), required=False
    )


class DashboardFilterForm(forms.Form):
    version = forms.TypedChoiceField(
        label=_("Version du questionnaire"), coerce=int, required=False, empty_value=None
    )
    date_from = forms.DateField(
        label=_("Commencés à partir du"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = forms.DateField(
        label=_("jusqu'au"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        from orientation.models import QuestionnaireVersion

        super().__init__(*args, **kwargs)
        # One query for the choices and the default (the current version).
        self.versions = {
            v.pk: v
            for v in QuestionnaireVersion.objects.exclude(status=QuestionnaireVersion.Status.DRAFT)
        }
        self.current = next((v for v in self.versions.values() if v.is_current), None)
        # Figures are read across versions (assessments/stats.py): a version only narrows them.
        self.fields["version"].choices = [("", _("Toutes les versions"))] + [
            (pk, str(v)) for pk, v in self.versions.items()
        ]

    def clean_version(self):
        pk = self.cleaned_data["version"]
        return self.versions.get(pk) if pk else None

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(_("La date de début doit précéder la date de fin."))
        return cleaned


class ShareCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code de partage de l'élève"),
        max_length=20,
        help_text=_("Huit caractères, par exemple K7MQ-2PXA ; majuscules et tirets facultatifs."),
    )

    def clean_code(self):
        return normalise_code(self.cleaned_data["code"])


class CompareForm(forms.Form):
    """A before/after for a class: its first questionnaires against its retakes, or two
    periods of its first questionnaires."""

    RETAKE, PERIODS = "retake", "periods"
    mode = forms.ChoiceField(
        label=_("Comparer"),
        choices=[
            (RETAKE, _("les premiers questionnaires et les questionnaires refaits")),
            (PERIODS, _("deux périodes")),
        ],
        initial=RETAKE,
        widget=forms.RadioSelect,
    )
    before_from = forms.DateField(
        label=_("Avant : commencés du"), required=False, widget=forms.DateInput({"type": "date"})
    )
    before_to = forms.DateField(
        label=_("au"), required=False, widget=forms.DateInput({"type": "date"})
    )
    after_from = forms.DateField(
        label=_("Après : commencés du"), required=False, widget=forms.DateInput({"type": "date"})
    )
    after_to = forms.DateField(
        label=_("au"), required=False, widget=forms.DateInput({"type": "date"})
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("mode") != self.PERIODS:
            return cleaned
        dates = [
            cleaned.get(name) for name in ("before_from", "before_to", "after_from", "after_to")
        ]
        if not all(dates):
            raise forms.ValidationError(_("Indiquez le début et la fin des deux périodes."))
        if dates[0] > dates[1] or dates[2] > dates[3]:
            raise forms.ValidationError(_("Chaque période doit commencer avant de finir."))
        if dates[1] >= dates[2]:
            raise forms.ValidationError(
                _("La période « après » doit commencer après la fin de la période « avant ».")
            )
        return cleaned
