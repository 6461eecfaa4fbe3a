"""The one way an appraisal's state changes: every step that changes an SKP saves it and records
its audit event through ``skp_transition``, so the status, the history row's actor and the event
cannot disagree or be forgotten."""

from __future__ import annotations

from collections.abc import Iterable

from ..models import Skp
from .audit import audit_record


def skp_transition(
    *,
    skp: Skp,
    action: str,
    by=None,
    status: str | None = None,
    fields: Iterable[str] = (),
    before: dict | None = None,
    after: dict | None = None,
    reason: str = "",
    change_reason: str = "",
) -> None:
    """Save ``skp`` and append one audit event ``action``, in the caller's transaction.

    ``status``: the new status (a step that keeps the status, like a review, passes none: then the
    event carries no status either). ``fields``: other fields the step has set on ``skp``.
    ``by``: the actor of the history row and the event — the acting user when None; a step run by
    the system inside someone's request (scoring, publication) names the system user.
    ``before``/``after``: the step's own values beside the status. ``reason`` goes to the event,
    ``change_reason`` to the history row."""
    old = skp.status
    if status is not None:
        skp.status = status
    if by is not None:
        skp._history_user = by  # simple-history's way to name the actor of one save
    if change_reason:
        skp._change_reason = change_reason[:100]
    skp.save(update_fields=[*(["status"] if status is not None else []), *fields, "diubah"])
    if status is not None:
        before = {"status": old, **(before or {})}
        after = {"status": skp.status, **(after or {})}
    audit_record(action=action, obj=skp, by=by, before=before, after=after, reason=reason)
