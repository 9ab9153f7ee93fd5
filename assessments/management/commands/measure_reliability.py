from django.core.management import BaseCommand, CommandError

from assessments.item_statistics import version_quality
from assessments.reliability import MIN_RESPONDENTS
from orientation.models import QuestionnaireVersion


class Command(BaseCommand):
    help = (
        "Mesure la fidélité (α) et l'écart type des scores d'une version et les garde pour les "
        f"pages de résultats (à partir de {MIN_RESPONDENTS} questionnaires terminés)."
    )

    def create_parser(self, prog_name, subcommand, **kwargs):
        # Django's own --version (its release number) gives way to the questionnaire's.
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser):
        parser.add_argument(
            "--version", dest="code", help="code de la version (par défaut : la version en cours)"
        )

    def handle(self, *args, code=None, **options):
        versions = QuestionnaireVersion.objects.all()
        try:
            version = versions.get(code=code) if code else versions.current()
        except QuestionnaireVersion.DoesNotExist as error:
            raise CommandError(f"Aucune version « {code or 'en cours'} ».") from error
        report = version_quality(version)
        stored = report["stored"]
        if not stored:
            self.stdout.write(
                f"Version {version.code} : questionnaires terminés : {report['respondents']} "
                f"(il en faut {MIN_RESPONDENTS}) ; les valeurs a priori restent en place."
            )
            return
        self.stdout.write(f"Version {version.code} : {len(stored)} fidélités gardées.")
        for (kind, scale_code), precision in sorted(stored.items()):
            self.stdout.write(f"  {kind} {scale_code} : α = {precision.alpha}, SD = {precision.sd}")
