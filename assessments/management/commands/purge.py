from django.core.management import BaseCommand
from django.db import transaction
from django.utils.translation import ngettext

from assessments import tallies
from assessments.item_statistics import refresh_reports
from assessments.retention import purge


class Command(BaseCommand):
    help = (
        "Supprime les questionnaires terminés depuis plus de RETENTION_DAYS jours et les "
        "questionnaires abandonnés (non terminés, inactifs depuis 30 jours). Puis recompte les "
        "chiffres nationaux (décomptes quotidiens) et, pour chaque version publiée, le rapport "
        "de qualité des affirmations (gardé en cache, lu par la page du rapport) sur les "
        "questionnaires qui restent. À lancer chaque nuit."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Compter sans rien supprimer ni recalculer."
        )

    def handle(self, *args, dry_run, **options):
        counts = purge(dry_run=dry_run)
        verb = "seraient supprimés" if dry_run else "supprimés"
        self.stdout.write(
            f"Questionnaires terminés {verb} : {counts['completed']} ; "
            f"abandonnés {verb} : {counts['abandoned']} ; "
            f"consultations par code {verb} : {counts['lookups']} ; "
            f"connexions du personnel {verb} : {counts['logins']} ; "
            f"entrées du journal d'audit {verb} : {counts['audit']}."
        )
        if dry_run:
            return
        with transaction.atomic():
            build = tallies.rebuild()
        self.stdout.write(f"Chiffres nationaux recomptés le {build.built_at:%Y-%m-%d %H:%M}.")
        for version, figures in refresh_reports():
            self.stdout.write(
                ngettext(
                    "Rapport de qualité recalculé : version %(code)s, %(n)d questionnaire.",
                    "Rapport de qualité recalculé : version %(code)s, %(n)d questionnaires.",
                    figures.respondents,
                )
                % {"code": version.code, "n": figures.respondents}
            )
