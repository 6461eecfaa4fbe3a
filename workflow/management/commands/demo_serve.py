"""manage.py demo_serve — print the demo logins and serve the app for the demo."""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from .seed_demo import print_logins


class Command(BaseCommand):
    help = "Serve the demo on http://HOST:PORT after printing the demo logins."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", default="8000")

    def handle(self, *args, host, port, **options):
        print_logins(self.stdout)
        self.stdout.write(f"\nKinerja is at http://{host}:{port}/  (Ctrl+C stops it)\n")
        call_command("runserver", f"{host}:{port}", use_reloader=False)
