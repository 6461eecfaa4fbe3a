"""The holiday calendar of a government: reading a year's national holidays and cuti bersama from
its file in ``config/hari-libur/`` (``<year>.yaml``) and loading them into one government's
calendar, idempotently and audited. Regional holidays and corrections are made in the Django admin
(audited there, ``project.admin_base``).

A file is read whole before anything is written: a bad date, a duplicate date, an unknown kind or
a missing name is reported with its line, in the user's language, and nothing is loaded."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import AuditAction, HariLibur, Instansi, JenisHariLibur
from ..selectors.org import admin_instansi_ids
from .audit import acting_as, audit_record
from .system import SYSTEM_USERNAME

FILE_NAME = re.compile(r"^(\d{4})\.ya?ml$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ENTRY_KEYS = {"tanggal", "nama", "jenis"}
NAME_MAX = HariLibur._meta.get_field("nama").max_length


class HolidayFileError(ValidationError):
    """A holiday file that cannot be loaded; ``messages`` names each problem with its line."""


@dataclass(frozen=True)
class HolidayEntry:
    tanggal: dt.date
    nama: str
    jenis: str
    baris: int


@dataclass
class HolidayLoadReport:
    tahun: int
    berkas: str
    added: list[dt.date] = field(default_factory=list)
    kept: list[dt.date] = field(default_factory=list)  # already in the calendar: left as they are


def holiday_dir() -> Path:
    return Path(settings.BASE_DIR) / "config" / "hari-libur"


def holiday_years() -> list[int]:
    """The years a national holiday file is shipped for, newest first."""
    folder = holiday_dir()
    found = (FILE_NAME.match(p.name) for p in folder.iterdir()) if folder.is_dir() else ()
    return sorted({int(m.group(1)) for m in found if m}, reverse=True)


def holiday_file_path(tahun: int) -> Path:
    for suffix in ("yaml", "yml"):
        path = holiday_dir() / f"{tahun}.{suffix}"
        if path.is_file():
            return path
    raise HolidayFileError(_("There is no national holiday file for %(year)s.") % {"year": tahun})


def _line(node) -> int:
    return node.start_mark.line + 1


def _scalar(node) -> str | None:
    return node.value.strip() if isinstance(node, yaml.ScalarNode) else None


def _entry(node, tahun: int | None, problems: list[str]) -> HolidayEntry | None:
    line = _line(node)
    if not isinstance(node, yaml.MappingNode):
        problems.append(_("Line %(line)d: expected “{tanggal: …, jenis: …, nama: …}”.") % {"line": line})
        return None
    values = {}
    for key_node, value_node in node.value:
        key = _scalar(key_node)
        if key not in ENTRY_KEYS:
            problems.append(_("Line %(line)d: unknown field “%(field)s”.") % {"line": _line(key_node), "field": key})
            continue
        values[key] = _scalar(value_node)
    ok = True
    text = values.get("tanggal") or ""
    try:
        if not ISO_DATE.match(text):
            raise ValueError
        tanggal = dt.date.fromisoformat(text)
    except ValueError:
        problems.append(
            _("Line %(line)d: “%(value)s” is not a date (write YYYY-MM-DD, e.g. 2026-08-17).")
            % {"line": line, "value": text[:40]}
        )
        ok, tanggal = False, None
    if tanggal is not None and tahun is not None and tanggal.year != tahun:
        problems.append(
            _("Line %(line)d: %(date)s is not in %(year)s.")
            % {"line": line, "date": tanggal.isoformat(), "year": tahun}
        )
        ok = False
    jenis = values.get("jenis") or ""
    if jenis not in JenisHariLibur.values:
        problems.append(
            _("Line %(line)d: unknown kind “%(value)s” (allowed: %(allowed)s).")
            % {"line": line, "value": jenis[:40], "allowed": ", ".join(JenisHariLibur.values)}
        )
        ok = False
    nama = values.get("nama") or ""
    if not nama or len(nama) > NAME_MAX or "\x00" in nama:
        problems.append(
            _("Line %(line)d: the holiday needs a name of at most %(max)d characters.")
            % {"line": line, "max": NAME_MAX}
        )
        ok = False
    return HolidayEntry(tanggal=tanggal, nama=nama, jenis=jenis, baris=line) if ok else None


def holiday_file_parse(text: str, *, tahun: int | None = None) -> list[HolidayEntry]:
    """The holidays of a file's text, or ``HolidayFileError`` listing every problem by line.
    ``tahun``: the year every date must fall in (else the file's own ``tahun``)."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark is not None else 1
        raise HolidayFileError(
            _("Line %(line)d: the file cannot be read (%(problem)s).")
            % {"line": line, "problem": getattr(exc, "problem", None) or _("not YAML")}
        ) from None
    if not isinstance(root, yaml.MappingNode):
        raise HolidayFileError(_("Line 1: the file must hold “tahun:” and a list “hari_libur:”."))
    fields = {_scalar(k): v for k, v in root.value}
    problems: list[str] = []
    year_node = fields.get("tahun")
    if year_node is not None:
        text_year = _scalar(year_node) or ""
        if not (text_year.isdigit() and len(text_year) == 4):
            problems.append(
                _("Line %(line)d: “%(value)s” is not a year.") % {"line": _line(year_node), "value": text_year[:10]}
            )
        elif tahun is not None and int(text_year) != tahun:
            problems.append(
                _("Line %(line)d: the file is for %(found)s, not %(year)s.")
                % {"line": _line(year_node), "found": text_year, "year": tahun}
            )
        elif tahun is None:
            tahun = int(text_year)
    items = fields.get("hari_libur")
    if not isinstance(items, yaml.SequenceNode) or not items.value:
        line = _line(items) if items is not None else 1
        raise HolidayFileError(
            [*problems, _("Line %(line)d: the list “hari_libur:” is missing or empty.") % {"line": line}]
        )
    entries: list[HolidayEntry] = []
    seen: dict[dt.date, int] = {}
    for node in items.value:
        entry = _entry(node, tahun, problems)
        if entry is None:
            continue
        if entry.tanggal in seen:
            problems.append(
                _("Line %(line)d: %(date)s is already listed on line %(first)d (one line per date).")
                % {"line": entry.baris, "date": entry.tanggal.isoformat(), "first": seen[entry.tanggal]}
            )
            continue
        seen[entry.tanggal] = entry.baris
        entries.append(entry)
    if problems:
        raise HolidayFileError(problems)
    return entries


def holiday_file_read(path: Path, *, tahun: int | None = None) -> list[HolidayEntry]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        raise HolidayFileError(_("The holiday file %(name)s cannot be read.") % {"name": Path(path).name}) from None
    return holiday_file_parse(text, tahun=tahun)


def holidays_load(*, instansi: Instansi, tahun: int, by, path: Path | None = None) -> HolidayLoadReport:
    """Load the national holidays and cuti bersama of ``tahun`` (from ``config/hari-libur/`` or
    ``path``) into ``instansi``'s calendar. Dates already in the calendar are left as they are (an
    admin's own entry wins), so loading again changes nothing; what is added is one audit event."""
    if (
        by is not None
        and getattr(by, "username", None) != SYSTEM_USERNAME
        and instansi.pk not in admin_instansi_ids(by)
    ):
        raise PermissionDenied(_("Only an admin of this government can change its holiday calendar."))
    path = Path(path) if path is not None else holiday_file_path(tahun)
    entries = holiday_file_read(path, tahun=tahun)
    report = HolidayLoadReport(tahun=tahun, berkas=path.name)
    with transaction.atomic(), acting_as(by):
        # One load at a time per government (the unique date would refuse the second anyway).
        Instansi.objects.select_for_update().filter(pk=instansi.pk).first()
        existing = set(
            HariLibur.objects.filter(instansi=instansi, tanggal__year=tahun).values_list("tanggal", flat=True)
        )
        for entry in entries:
            if entry.tanggal in existing:
                report.kept.append(entry.tanggal)
                continue
            HariLibur.objects.create(instansi=instansi, tanggal=entry.tanggal, nama=entry.nama, jenis=entry.jenis)
            report.added.append(entry.tanggal)
        if report.added:
            audit_record(
                action=AuditAction.HOLIDAYS_LOADED,
                obj=instansi,
                by=by,
                after={
                    "tahun": tahun,
                    "berkas": report.berkas,
                    "ditambahkan": [d.isoformat() for d in report.added],
                    "sudah_ada": len(report.kept),
                },
                instansi_id=instansi.pk,
            )
    return report
