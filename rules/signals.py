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
