from django.core.exceptions import ValidationError
from django.core.management import BaseCommand, CommandError

from orientation.loading import DEFAULT_FIXTURES, load_all


class Command(BaseCommand):
    help = (
        "Charge les versions du questionnaire livrées dans fixtures/ (ou le fichier donné) et "
        "publie chacune, dans l'ordre : la dernière devient la version en cours, les "
        "précédentes sont archivées. Une version déjà présente garde son contenu ; seuls les "
        "textes anglais et les versions simplifiées qui lui manquent sont ajoutés."
    )

    def add_arguments(self, parser):
        parser.add_argument("fixtures", nargs="*", default=[str(f) for f in DEFAULT_FIXTURES])

    def handle(self, *args, fixtures, **options):
        for path in fixtures:
            try:
                ((version, created),) = load_all([path])
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from error
            if created:
                self.stdout.write(self.style.SUCCESS(f"Version {version.code} chargée et publiée."))
            else:
                self.stdout.write(f"Version {version.code} déjà présente : rien à faire.")
