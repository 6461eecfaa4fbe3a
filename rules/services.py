"""Writes to rule sets: drafts, copies, row edits, test cases, publish and retire.

Every service is keyword-only, runs in one transaction and records the acting user in history.
A refused write raises RuleSetError carrying every reason (validation problems, gate failures)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .choices import VersionStatus
from .compiler import VersionRef
from .conditions import CellError, cast_fact
from .errors import RuleSetError
from .gate import publish_gate
from .models import DecisionTable, RuleSet, RuleSetVersion, TableInput, TableOutput, TableRow, TableTestCase
from .selectors import next_version_number, table_spec, version_specs, version_tables
from .signals import send_rule_changed
from .spec import CaseSpec, RowSpec, TableSpec, version_hash
from .validation import Problem, validate_table


def _by(obj, by):
    if by is not None:
        obj._history_user = by
    return obj


def _require_draft(version: RuleSetVersion) -> None:
    if version.status != VersionStatus.DRAFT:
        raise RuleSetError(
            _("Version %(version)s is %(status)s and cannot be changed; copy it into a new draft.")
            % {"version": version, "status": version.get_status_display()}
        )


@transaction.atomic
def rule_set_ensure(*, key: str, title: str, description: str = "", by=None) -> RuleSet:
    """The rule set with ``key``, created or updated (only written when something differs)."""
    rule_set = RuleSet.objects.filter(key=key).first()
    if rule_set is None:
        rule_set = RuleSet(key=key)
    elif rule_set.title == title and rule_set.description == description:
        return rule_set
    rule_set.title, rule_set.description = title, description
    _by(rule_set, by).save()
    send_rule_changed("set_saved", rule_set, by, after={"key": key, "title": title})
    return rule_set


def _write_tables(version: RuleSetVersion, specs: list[TableSpec], by) -> None:
    for position, spec in enumerate(specs):
        table = _by(
            DecisionTable(
                version=version,
                name=spec.name,
                title=spec.title,
                description=spec.description,
                hit_policy=spec.hit_policy,
                position=position,
            ),
            by,
        )
        table.save()
        for i, col in enumerate(spec.inputs):
            _by(
                TableInput(
                    table=table,
                    name=col.name,
                    label=col.label,
                    type=col.type,
                    choices=list(col.choices),
                    minimum=col.minimum,
                    maximum=col.maximum,
                    position=i,
                ),
                by,
            ).save()
        for i, col in enumerate(spec.outputs):
            _by(
                TableOutput(
                    table=table, name=col.name, label=col.label, type=col.type, choices=list(col.choices), position=i
                ),
                by,
            ).save()
        _write_rows(table, spec.rows, by)
        for case in spec.tests:
            _by(TableTestCase(table=table, name=case.name, inputs=case.inputs, expected=case.expected), by).save()


def _write_rows(table: DecisionTable, rows, by) -> None:
    for i, row in enumerate(rows, start=1):
        _by(
            TableRow(
                table=table,
                position=i,
                is_default=row.is_default,
                conditions=dict(row.conditions),
                outputs=dict(row.outputs),
                note=row.note,
            ),
            by,
        ).save()


def _validate_all(specs: list[TableSpec]) -> list[Problem]:
    problems = [p for spec in specs for p in validate_table(spec)]
    names = [s.name for s in specs]
    for name in {n for n in names if names.count(n) > 1}:
        problems.append(Problem("duplicate", _("Two tables are named “%(name)s”.") % {"name": name}, name))
    return problems


@transaction.atomic
def rule_version_create(
    *, rule_set: RuleSet, specs: list[TableSpec], note: str = "", number: int | None = None, by=None
) -> RuleSetVersion:
    """A new draft holding ``specs``. Invalid tables are refused: nothing is saved."""
    problems = _validate_all(specs)
    if problems:
        raise RuleSetError(_("The tables are not valid."), problems)
    version = _by(
        RuleSetVersion(rule_set=rule_set, number=number or next_version_number(rule_set=rule_set), note=note), by
    )
    version.save()
    _write_tables(version, specs, by)
    send_rule_changed("version_created", version, by, after={"number": version.number, "tables": len(specs)})
    return version


@transaction.atomic
def rule_version_replace_content(*, version: RuleSetVersion, specs: list[TableSpec], by=None) -> RuleSetVersion:
    """Replace every table of a draft (the pack loader's update of a draft)."""
    _require_draft(version)
    problems = _validate_all(specs)
    if problems:
        raise RuleSetError(_("The tables are not valid."), problems)
    for table in version.tables.all():
        table.delete()
    _write_tables(version, specs, by)
    send_rule_changed("version_replaced", version, by, after={"number": version.number, "tables": len(specs)})
    return version


@transaction.atomic
def rule_version_copy(*, version: RuleSetVersion, by=None) -> RuleSetVersion:
    """Editing a published (or retired) version: a new draft with the same content."""
    rule_set = RuleSet.objects.select_for_update().get(pk=version.rule_set_id)
    specs = version_specs(version=version)
    draft = _by(
        RuleSetVersion(
            rule_set=rule_set,
            number=next_version_number(rule_set=rule_set),
            based_on=version,
            note=_("Copy of version %(number)s") % {"number": version.number},
        ),
        by,
    )
    draft.save()
    _write_tables(draft, specs, by)
    send_rule_changed("version_created", draft, by, after={"number": draft.number, "based_on": version.number})
    return draft


@transaction.atomic
def table_rows_save(*, table: DecisionTable, rows: list[RowSpec], by=None) -> DecisionTable:
    """Replace the rows of a draft table after validating the whole table with them.
    Any problem refuses the edit and nothing is saved."""
    table = DecisionTable.objects.select_related("version").get(pk=table.pk)
    _require_draft(table.version)
    current = table_spec(table)
    spec = TableSpec(
        current.name,
        current.hit_policy,
        current.title,
        current.description,
        current.inputs,
        current.outputs,
        tuple(rows),
    )
    problems = validate_table(spec)
    if problems:
        raise RuleSetError(_("The table is not valid; nothing was saved."), problems)
    old_rows = table.rows.count()
    for row in table.rows.all():
        _by(row, by).delete()
    _write_rows(table, rows, by)
    send_rule_changed("table_edited", table, by, before={"rows": old_rows}, after={"rows": len(rows)})
    return table


def _check_case(spec: TableSpec, case: CaseSpec) -> list[str]:
    errors = []
    names = {c.name for c in spec.inputs}
    for name in sorted(set(case.inputs) - names):
        errors.append(_("Unknown input “%(name)s”.") % {"name": name})
    for col in spec.inputs:
        if col.name not in case.inputs:
            errors.append(_("Missing input: %(names)s.") % {"names": col.name})
            continue
        try:
            cast_fact(case.inputs[col.name], col.field_type)
        except CellError as exc:
            errors.append(exc.message)
    for name, value in case.expected.items():
        col = spec.output(name)
        if col is None:
            errors.append(_("Unknown output “%(name)s”.") % {"name": name})
            continue
        try:
            cast_fact(value, col.field_type)
        except CellError as exc:
            errors.append(exc.message)
    if not case.expected:
        errors.append(_("A test case needs at least one expected output."))
    return errors


@transaction.atomic
def table_case_add(
    *, table: DecisionTable, name: str, inputs: dict[str, Any], expected: dict[str, Any], by=None
) -> TableTestCase:
    table = DecisionTable.objects.select_related("version").get(pk=table.pk)
    _require_draft(table.version)
    errors = _check_case(table_spec(table), CaseSpec(name, inputs, expected))
    if errors:
        raise RuleSetError(_("The test case is not valid."), errors)
    case = _by(TableTestCase(table=table, name=name, inputs=inputs, expected=expected), by)
    case.save()
    send_rule_changed("case_added", case, by, after={"name": name, "inputs": inputs, "expected": expected})
    return case


@transaction.atomic
def table_case_delete(*, case: TableTestCase, by=None) -> None:
    _require_draft(case.table.version)
    send_rule_changed("case_deleted", case, by, before={"name": case.name})
    _by(case, by).delete()


@transaction.atomic
def rule_version_publish(
    *,
    version: RuleSetVersion,
    effective_from: dt.date,
    effective_to: dt.date | None = None,
    by=None,
    reason: str = "",
) -> RuleSetVersion:
    """Publish a draft from ``effective_from``. The gate (validation, scratch registration, stored
    test cases, boundary smoke test) must pass; otherwise the version stays a draft and the
    RuleSetError lists why. A published open-ended version that started earlier is closed the day
    before; any other overlap is refused.

    At most one version in force per date: PostgreSQL enforces it with an exclusion constraint;
    on every database this service serialises publishes of a rule set by locking its row
    (SELECT ... FOR UPDATE; SQLite's IMMEDIATE transactions serialise all writers) and checks
    overlaps under that lock."""
    rule_set = RuleSet.objects.select_for_update().get(pk=version.rule_set_id)
    version = RuleSetVersion.objects.select_for_update().select_related("rule_set").get(pk=version.pk)
    _require_draft(version)
    if effective_to is not None and effective_to < effective_from:
        raise RuleSetError(_("The end date must not be before the start date."))
    specs = version_specs(version=version)
    digest = version_hash(specs)
    problems = publish_gate(specs, VersionRef(rule_set.key, version.number, version.pk, digest, VersionStatus.DRAFT))
    if problems:
        raise RuleSetError(_("The version did not pass the publish checks and stays a draft."), problems)

    version.effective_from, version.effective_to = effective_from, effective_to
    version.status = VersionStatus.PUBLISHED
    for other in version.overlapping_published().select_for_update():
        if effective_to is None and other.effective_from < effective_from:
            other.effective_to = effective_from - dt.timedelta(days=1)
            _by(other, by).save(update_fields=["effective_to"])
        else:
            raise RuleSetError(
                _("Version %(number)s is already in force from %(start)s to %(end)s, which overlaps.")
                % {
                    "number": other.number,
                    "start": other.effective_from.isoformat(),
                    "end": other.effective_to.isoformat() if other.effective_to else _("open end"),
                }
            )
    version.content_hash = digest
    version.published_at = timezone.now()
    version.published_by = by if getattr(by, "pk", None) else None
    version.publish_reason = reason
    _by(version, by).save()
    send_rule_changed(
        "version_published",
        version,
        by,
        before={"status": VersionStatus.DRAFT},
        after={
            "status": version.status,
            "effective_from": effective_from,
            "effective_to": effective_to,
            "content_hash": digest,
        },
        reason=reason,
    )
    return version


@transaction.atomic
def rule_version_retire(*, version: RuleSetVersion, by=None) -> RuleSetVersion:
    """Take a published version out of force. Results scored with it keep pointing at it."""
    version = RuleSetVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != VersionStatus.PUBLISHED:
        raise RuleSetError(_("Only a published version can be retired."))
    version.status = VersionStatus.RETIRED
    _by(version, by).save(update_fields=["status"])
    send_rule_changed(
        "version_retired", version, by, before={"status": VersionStatus.PUBLISHED}, after={"status": version.status}
    )
    return version


@transaction.atomic
def rule_version_delete_draft(*, version: RuleSetVersion, by=None) -> None:
    version = RuleSetVersion.objects.select_for_update().get(pk=version.pk)
    _require_draft(version)
    for table in version_tables(version=version):
        table.delete()
    send_rule_changed("version_deleted", version, by, before={"number": version.number})
    _by(version, by).delete()
