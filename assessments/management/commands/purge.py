from django.core.management import BaseCommand

from assessments.retention import purge


class Command(BaseCommand):
    help = (
        "Supprime les questionnaires terminés depuis plus de RETENTION_DAYS jours et les "
        "questionnaires abandonnés (non terminés, inactifs depuis 30 jours)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Compter sans rien supprimer.")

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
