"""Load rule packs (YAML) into the database, idempotently.

A pack file holds one rule set (key, title, description) and its versions, each with its tables.
Loading again changes nothing when nothing changed. A draft in the database is brought in line
with the pack; a published version is never changed in place: a pack that differs from it is
reported (give the changed rules a new version number).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.db import transaction
from django.utils.translation import gettext as _

from .choices import VersionStatus
from .errors import RuleSetError
from .models import RuleSetVersion
from .selectors import version_content_hash
from .services import rule_set_ensure, rule_version_create, rule_version_publish, rule_version_replace_content
from .spec import TableSpec, version_hash


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    published: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.published)


def pack_files(path: Path) -> list[Path]:
    path = Path(path)
    if path.is_file():
        return [path]
    return sorted([*path.glob("*.yaml"), *path.glob("*.yml")])


def _date(value) -> dt.date | None:
    if value in (None, ""):
        return None
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def load_pack(path: Path, *, by=None) -> LoadReport:
    report = LoadReport()
    for file in pack_files(path):
        data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        try:
            _load_rule_set(data, report, by)
        except (RuleSetError, ValueError, KeyError) as exc:
            problems = getattr(exc, "problems", [])
            report.errors.append(f"{file.name}: {exc} " + "; ".join(str(p) for p in problems))
    return report


@transaction.atomic
def _load_rule_set(data: dict, report: LoadReport, by) -> None:
    rule_set = rule_set_ensure(
        key=data["key"], title=data.get("title", data["key"]), description=data.get("description", ""), by=by
    )
    for vdata in data.get("versions") or []:
        number = int(vdata["number"])
        label = f"{rule_set.key} v{number}"
        specs = [TableSpec.from_dict(t) for t in vdata.get("tables") or []]
        digest = version_hash(specs)
        want_published = vdata.get("status", VersionStatus.DRAFT) == VersionStatus.PUBLISHED
        version = RuleSetVersion.objects.filter(rule_set=rule_set, number=number).first()
        if version is None:
            version = rule_version_create(
                rule_set=rule_set, specs=specs, note=vdata.get("note", ""), number=number, by=by
            )
            report.created.append(label)
        elif version.status == VersionStatus.DRAFT:
            if version_content_hash(version=version) != digest:
                rule_version_replace_content(version=version, specs=specs, by=by)
                report.updated.append(label)
            elif not want_published:
                report.unchanged.append(label)
        else:
            if version.content_hash != digest:
                report.errors.append(
                    _("%(label)s is %(status)s and differs from the pack; give the changed rules a new version number.")
                    % {"label": label, "status": version.get_status_display()}
                )
            else:
                report.unchanged.append(label)
            continue
        if want_published:
            rule_version_publish(
                version=version,
                effective_from=_date(vdata["effective_from"]),
                effective_to=_date(vdata.get("effective_to")),
                by=by,
            )
            report.published.append(label)
