from django.core.management import BaseCommand
from django.db import transaction

from assessments import tallies
from assessments.models import DailyTally


class Command(BaseCommand):
    help = (
        "Recompte les décomptes quotidiens du tableau de bord national à partir des "
        "questionnaires enregistrés. La tâche de nuit (purge) le fait ; à lancer aussi après "
        "une restauration, ou pour avoir des chiffres à jour tout de suite."
    )

    def handle(self, *args, **options):
        with transaction.atomic():
            tallies.rebuild()
        self.stdout.write(f"Décomptes recalculés : {DailyTally.objects.count()} lignes.")
