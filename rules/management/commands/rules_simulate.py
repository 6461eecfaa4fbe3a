"""``manage.py rules_simulate RULE_SET TABLE --csv FILE --candidate N [--against M | --on DATE]``."""

import datetime as dt
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from rules.errors import RuleEvaluationError
from rules.models import RuleSetVersion
from rules.selectors import version_in_force
from rules.simulate import simulate_versions


class Command(BaseCommand):
    help = "Evaluate a version (usually a draft) against CSV fact records and compare with another version."

    def add_arguments(self, parser):
        parser.add_argument("rule_set")
        parser.add_argument("table")
        parser.add_argument("--csv", required=True, help="CSV file; the header names the table's inputs")
        parser.add_argument("--candidate", type=int, required=True, help="the version to try (e.g. the draft)")
        parser.add_argument("--against", type=int, help="compare with this version number (default: in force on --on)")
        parser.add_argument("--on", help="YYYY-MM-DD for the version in force (default today)")

    def _version(self, key, number):
        obj = RuleSetVersion.objects.select_related("rule_set").filter(rule_set__key=key, number=number).first()
        if obj is None:
            raise CommandError(f"{key} has no version {number}")
        return obj

    def handle(self, *args, rule_set, table, csv, candidate, against=None, on=None, **options):
        candidate = self._version(rule_set, candidate)
        if against is not None:
            baseline = self._version(rule_set, against)
        else:
            day = dt.date.fromisoformat(on) if on else timezone.localdate()
            baseline = version_in_force(rule_set=rule_set, on=day)
            if baseline is None:
                raise CommandError(f"no version of {rule_set} is in force on {day}")
        try:
            result = simulate_versions(
                candidate=candidate, baseline=baseline, table=table, csv_text=Path(csv).read_text(encoding="utf-8")
            )
        except RuleEvaluationError as exc:
            raise CommandError(str(exc)) from exc
        out = {"candidate": str(candidate), "baseline": str(baseline), **result.to_dict()}
        self.stdout.write(json.dumps(out, ensure_ascii=False, indent=2))
