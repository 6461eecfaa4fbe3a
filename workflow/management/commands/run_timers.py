"""manage.py run_timers [--loop SECONDS] — fire due timers and sweep deadlines (once, or forever)."""

import time

from django.core.management.base import BaseCommand

from workflow.services.deadlines import run_timers


class Command(BaseCommand):
    help = "Fire viewflow's due timers and send deadline reminders and escalations."

    def add_arguments(self, parser):
        parser.add_argument("--loop", type=float, default=0, help="repeat every N seconds until stopped")

    def handle(self, *args, loop, **options):
        while True:
            result = run_timers()
            if options["verbosity"] >= 1 and (loop == 0 or any(result.values())):
                self.stdout.write(", ".join(f"{k} {v}" for k, v in result.items()))
            if not loop:
                return
            time.sleep(loop)
