"""Scoring rules: versioned decision tables evaluated by durable_rules.

``rules.evaluate(rule_set, table, facts, on=date)`` is the interface for other apps. The package
imports nothing at load time (models cannot be imported before the app registry is ready); the
names below resolve lazily from ``rules.api``.
"""

_LAZY = {
    "Decision",
    "VersionRef",
    "RuleEvaluationError",
    "InvalidFacts",
    "evaluate_many",
    "evaluate_version",
    "version_on",
    "table_specs",
    "version_by_id",
}


def evaluate(rule_set, table, facts, *, on=None):
    """Evaluate ``table`` of the version of ``rule_set`` in force on ``on``; see rules.api.evaluate."""
    from .api import evaluate as _evaluate

    return _evaluate(rule_set, table, facts, on=on)


def __getattr__(name):
    if name in _LAZY:
        from . import api

        return getattr(api, name)
    raise AttributeError(name)
