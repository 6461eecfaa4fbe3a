"""manage.py seed_demo — the demo organisation of Pemprov Bengkulu, its users and the 2026 period
(``workflow.demo.seed``). Idempotent: a second run finds everything in place and writes nothing."""

from django.core.management.base import BaseCommand
from django.db import transaction

from workflow.demo.seed import demo_seed, print_logins


class Command(BaseCommand):
    help = "Load the demo organisation of Pemprov Bengkulu (and a small Pemkot Bengkulu) with demo logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--simulate",
            action="store_true",
            help="open the 2026 period and drive the employees through the lifecycle to a realistic spread of steps",
        )

    @transaction.atomic
    def handle(self, *args, **options):
        roles = demo_seed(out=self.stdout, simulate=options.get("simulate"))
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        if options["verbosity"] >= 2:
            print_logins(self.stdout, roles)
