"""Exceptions of the rules app. Plain Python: importable from anywhere without app loading."""

from __future__ import annotations

from django.utils.translation import gettext as _


class RuleEvaluationError(Exception):
    """An evaluation failed. Names the rule set, the table and (where known) the row, so the
    message is actionable for an admin reading a log or an appraisal's error page."""

    def __init__(self, message: str, *, rule_set: str = "", table: str = "", row: int | None = None):
        self.message = str(message)
        self.rule_set = rule_set
        self.table = table
        self.row = row
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = []
        if self.rule_set:
            where.append(_("rule set %(key)s") % {"key": self.rule_set})
        if self.table:
            where.append(_("table %(table)s") % {"table": self.table})
        if self.row is not None:
            where.append(_("row %(row)s") % {"row": self.row})
        return f"{self.message} ({', '.join(where)})" if where else self.message


class InvalidFacts(RuleEvaluationError):
    """The facts handed in do not fit the table's declared inputs (missing, unknown, wrong type)."""


class RuleSetError(Exception):
    """A write to rule sets was refused. ``problems`` lists every reason (for the editor)."""

    def __init__(self, message: str, problems: list | None = None):
        self.message = str(message)
        self.problems = list(problems or [])
        super().__init__(self.message)
