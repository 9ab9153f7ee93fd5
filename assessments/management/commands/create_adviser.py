import getpass

from django.core.management import BaseCommand, CommandError

from assessments.accounts import create_adviser


class Command(BaseCommand):
    help = "Crée un compte conseiller (groupe « Conseillers ») pour l'espace conseiller."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--password", help="Sinon demandé au clavier (préférable : pas d'historique)."
        )

    def handle(self, *args, username, email, password, **options):
        if password is None:
            password = getpass.getpass("Mot de passe : ")
            if password != getpass.getpass("Encore une fois : "):
                raise CommandError("Les deux mots de passe diffèrent.")
        try:
            create_adviser(username=username, email=email, password=password)
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Conseiller « {username} » créé."))
