"""``manage.py load_rules config/rules/``: load rule packs (idempotent)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from rules.loader import load_pack


class Command(BaseCommand):
    help = "Load rule packs (YAML) into the database. Running it twice changes nothing."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default="config/rules/", help="a pack file or a folder of *.yaml")

    def handle(self, *args, path, **options):
        if not Path(path).exists():
            raise CommandError(f"{path} does not exist")
        report = load_pack(Path(path))
        for label, items in (
            ("created", report.created),
            ("updated", report.updated),
            ("published", report.published),
            ("unchanged", report.unchanged),
        ):
            for item in items:
                self.stdout.write(f"{label}: {item}")
        if not report.changed:
            self.stdout.write("nothing changed")
        if report.errors:
            raise CommandError("\n".join(report.errors))
