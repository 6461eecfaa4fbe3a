"""``manage.py rules_eval RULE_SET TABLE --facts '{json}' [--on YYYY-MM-DD] [--number N]``."""

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError

from rules.api import evaluate, evaluate_version
from rules.errors import RuleEvaluationError
from rules.models import RuleSetVersion


class Command(BaseCommand):
    help = "Evaluate one decision table and print outputs, version and trace as JSON."

    def add_arguments(self, parser):
        parser.add_argument("rule_set")
        parser.add_argument("table")
        parser.add_argument("--facts", required=True, help="a JSON object of input values")
        parser.add_argument("--on", help="the date whose version in force decides (YYYY-MM-DD); default today")
        parser.add_argument("--number", type=int, help="evaluate this version number (drafts too) instead")

    def handle(self, *args, rule_set, table, facts, on=None, number=None, **options):
        try:
            data = json.loads(facts)
        except json.JSONDecodeError as exc:
            raise CommandError(f"--facts is not valid JSON: {exc}") from exc
        try:
            day = dt.date.fromisoformat(on) if on else None
        except ValueError as exc:
            raise CommandError(f"--on must be YYYY-MM-DD: {exc}") from exc
        try:
            if number is not None:
                obj = (
                    RuleSetVersion.objects.select_related("rule_set")
                    .filter(rule_set__key=rule_set, number=number)
                    .first()
                )
                if obj is None:
                    raise CommandError(f"{rule_set} has no version {number}")
                decision = evaluate_version(obj, table, data)
            else:
                decision = evaluate(rule_set, table, data, on=day)
        except RuleEvaluationError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(json.dumps(decision.to_dict(), ensure_ascii=False, default=str))
