from django.core.exceptions import ValidationError
from django.core.management import BaseCommand, CommandError

from orientation.loading import DEFAULT_FIXTURE, load_questionnaire


class Command(BaseCommand):
    help = (
        "Charge le questionnaire depuis fixtures/ et le publie. Sans effet si cette version "
        "existe déjà : une version publiée ne change jamais."
    )

    def add_arguments(self, parser):
        parser.add_argument("fixture", nargs="?", default=str(DEFAULT_FIXTURE))

    def handle(self, *args, fixture, **options):
        try:
            version, created = load_questionnaire(fixture)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        if created:
            self.stdout.write(self.style.SUCCESS(f"Version {version.code} chargée et publiée."))
        else:
            self.stdout.write(f"Version {version.code} déjà présente : rien à faire.")
