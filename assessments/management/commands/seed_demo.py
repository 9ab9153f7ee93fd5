from django.conf import settings
from django.core.management import BaseCommand, CommandError

from assessments.demo import DEMO_PASSWORD, DEMO_USERNAME, seed_demo


class Command(BaseCommand):
    help = "Crée un conseiller de démonstration, des groupes et des questionnaires synthétiques."

    def add_arguments(self, parser):
        parser.add_argument("--attempts", type=int, default=300)

    def handle(self, *args, attempts, **options):
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo ne s'exécute qu'en développement (DJANGO_DEBUG=1) : il crée un "
                "compte au mot de passe connu."
            )
        _adviser, cohorts, completed = seed_demo(attempts=attempts)
        self.stdout.write(
            self.style.SUCCESS(
                f"{completed} questionnaires terminés dans {len(cohorts)} groupes. "
                f"Connexion : /conseiller/login/ avec {DEMO_USERNAME} / {DEMO_PASSWORD}"
            )
        )
