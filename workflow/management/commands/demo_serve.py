"""manage.py demo_serve — print the demo logins and serve the app for the demo."""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from workflow.demo.seed import print_logins


class Command(BaseCommand):
    help = "Serve the demo on http://HOST:PORT after printing the demo logins."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", default="8000")

    def handle(self, *args, host, port, **options):
        import subprocess
        import sys

        from django.conf import settings

        print_logins(self.stdout)
        # The demo has no Celery beat: a companion process fires due timers and sweeps deadlines.
        timers = subprocess.Popen(
            [sys.executable, "manage.py", "run_timers", "--loop", "30", "-v", "0"], cwd=settings.BASE_DIR
        )
        self.stdout.write(f"\nKinerja is at http://{host}:{port}/  (Ctrl+C stops it)\n")
        try:
            call_command("runserver", f"{host}:{port}", use_reloader=False)
        finally:
            timers.terminate()
