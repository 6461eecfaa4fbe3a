"""Signals the rules app sends so other apps (the workflow's audit trail) can record rule changes
without ``rules`` importing them.

``rule_changed`` is sent inside the transaction of the change with keyword arguments:
  action   one of the names in ``RULE_ACTIONS``
  obj      the rule set, version, table or test case changed (for a deletion: the object as it was)
  by       the acting user, or None
  before   dict of values before the change (may be empty)
  after    dict of values after the change (may be empty)
  reason   free text (may be empty)
"""

from dataclasses import dataclass

from django.dispatch import Signal

RULE_ACTIONS = (
    "set_saved",
    "version_created",
    "version_replaced",
    "table_edited",
    "case_added",
    "case_deleted",
    "version_published",
    "version_retired",
    "version_deleted",
)

rule_changed = Signal()


def send_rule_changed(
    action: str, obj, by=None, before: dict | None = None, after: dict | None = None, reason: str = ""
) -> None:
    assert action in RULE_ACTIONS, action
    rule_changed.send(
        sender=type(obj), action=action, obj=obj, by=by, before=before or {}, after=after or {}, reason=reason
    )


@dataclass(frozen=True)
class PublishImpact:
    """One line of what a publication would change: e.g. a period whose pending results the new
    version would score (``count``) while ``kept`` results stay with the version that scored them;
    ``changed``: how many of the ``kept`` results the candidate would decide differently from the
    version in force (None when no candidate was given or it could not be evaluated)."""

    label: str
    count: int
    kept: int = 0
    current_version: str = ""
    changed: int | None = None


# Sent before a version is published, to ask the apps that score with the rules what the new
# version would change: keyword arguments ``rule_set`` (its key), ``effective_from``,
# ``effective_to`` and ``candidate`` (a ``simulate.Candidate`` or None: ``candidate.outputs({table:
# [facts, ...]})`` says what the draft would decide, to compare with ``rules.evaluate_many`` of the
# version in force); each receiver returns a list of ``PublishImpact``. ``rules`` never reads them
# itself: the publish page shows them and asks for a reason when any count is not zero, the
# table editor asks for confirmation when a changed row would change results.
publish_impact = Signal()


def publish_impact_of(*, rule_set: str, effective_from, effective_to=None, candidate=None) -> list:
    """What publishing a version of ``rule_set`` for these dates would change, per receiver."""
    found = []
    for _receiver, response in publish_impact.send(
        sender=None, rule_set=rule_set, effective_from=effective_from, effective_to=effective_to, candidate=candidate
    ):
        found.extend(response or [])
    return found


# Sent when the editor shows a table, to ask the apps that score with the rules how people name
# the choice codes the tables use (``di_atas`` → "Above expectations"); each receiver returns a
# dict of code → label in the active language. ``rules`` itself knows only the codes.
choice_labels = Signal()


def choice_labels_of() -> dict[str, str]:
    """The labels of the choice codes, from every receiver (the later one wins a clash)."""
    found: dict[str, str] = {}
    for _receiver, response in choice_labels.send(sender=None):
        found.update({str(code): str(label) for code, label in (response or {}).items()})
    return found
