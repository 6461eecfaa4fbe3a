"""The spreadsheets behind the pages' "Download XLSX / CSV" links: the progress per OPD, the team, the
results of a period, the audit log and the TPP payroll. Each builder turns what its page already read (with the
page's permission checks and filters) into a ``workflow.exports.Table``; the page answers
``?format=xlsx`` or ``?format=csv`` with ``workflow.exports.download``."""

from __future__ import annotations

import json
from collections.abc import Iterable
from decimal import Decimal

from django.utils.translation import gettext as _

from ..exports import Column, Table
from ..models import AuditEvent, Periode, Skp, Unit
from ..selectors.tpp import TppRow


def progress_table(*, rows: list[dict], periode: Periode) -> Table:
    """The progress per OPD (``selectors.appraisal.completion_per_opd``) of one period."""
    return Table(
        title=_("Progress per OPD"),
        columns=[
            Column(_("Period"), width=24),
            Column(_("OPD"), width=40),
            Column(_("Appraisals")),
            Column(_("Plan approved")),
            Column(_("Plan approved (%)")),
            Column(_("Published")),
            Column(_("Published (%)")),
        ],
        rows=(
            [str(periode), r["unit"].nama, r["total"], r["approved"], r["approved_pct"], r["published"]]
            + [r["published_pct"]]
            for r in rows
        ),
    )


def team_table(*, team: list, skp: list[Skp]) -> Table:
    """The assessor's team: each appraisal of the period with its step and holder, then the members
    without an appraisal in it (``selectors.appraisal.team_progress``, ``selectors.org.team_of``)."""

    def lines():
        seen = set()
        for s in skp:
            seen.add(s.pegawai_id)
            hasil = getattr(s, "hasil", None)
            yield [
                s.pegawai.nama,
                s.pegawai.nip,
                s.jabatan_nama,
                s.unit_nama,
                s.step,
                s.holder_name,
                hasil.get_predikat_display() if hasil is not None else "",
            ]
        for p in team:
            if p.pk not in seen:
                yield [p.nama, p.nip, p.jabatan.nama, p.unit.nama, "", "", ""]

    return Table(
        title=_("My team"),
        columns=[
            Column(_("Name"), width=36),
            Column(_("NIP"), text=True, width=22),
            Column(_("Position"), width=36),
            Column(_("Unit"), width=36),
            Column(_("Step"), width=30),
            Column(_("Held by"), width=30),
            Column(_("Predikat"), width=24),
        ],
        rows=lines(),
    )


def results_table(*, results: Iterable[Skp], opd_of: dict[int, Unit]) -> Table:
    """The scored appraisals of a period (``selectors.appraisal.period_results``), one row each."""
    return Table(
        title=_("Appraisal results"),
        columns=[
            Column(_("NIP"), text=True, width=22),
            Column(_("Name"), width=36),
            Column(_("Position"), width=36),
            Column(_("Unit"), width=36),
            Column(_("OPD"), width=36),
            Column(_("Assessor"), width=36),
            Column(_("Work-result rating"), width=22),
            Column(_("Behaviour rating"), width=22),
            Column(_("Predikat"), width=24),
            Column(_("Scored at (WIB)"), width=18),
            Column(_("Published at (WIB)"), width=18),
        ],
        rows=(
            [
                s.pegawai.nip,
                s.pegawai.nama,
                s.jabatan_nama,
                s.unit_nama,
                opd_of[s.unit_id].nama if s.unit_id in opd_of else "",
                s.penilai_nama,
                s.hasil.get_rating_hasil_kerja_display(),
                s.hasil.get_rating_perilaku_display(),
                s.hasil.get_predikat_display(),
                s.hasil.dihitung,
                s.hasil.dipublikasikan,
            ]
            for s in results
        ),
    )


def audit_table(*, events: Iterable[AuditEvent]) -> Table:
    """The audit events found by the admin's search (``selectors.audit.audit_search``)."""
    return Table(
        title=_("Audit log"),
        columns=[
            Column(_("No."), width=8),
            Column(_("Time (WIB)"), width=18),
            Column(_("Actor"), width=30),
            Column(_("Action"), width=30),
            Column(_("Object type"), width=16),
            Column(_("Object ID"), text=True, width=10),
            Column(_("Object"), width=40),
            Column(_("Reason"), width=40),
            Column(_("Before"), width=40),
            Column(_("After"), width=40),
            Column(_("Request ID"), text=True, width=20),
            Column(_("IP address"), text=True, width=16),
            Column(_("Hash"), text=True, width=20),
        ],
        rows=(
            [
                e.seq,
                e.time,
                e.actor_repr,
                e.get_action_display(),
                e.content_type.model if e.content_type_id else "",
                e.object_id,
                e.object_repr,
                e.reason,
                json.dumps(e.before, ensure_ascii=False),
                json.dumps(e.after, ensure_ascii=False),
                e.request_id,
                e.ip or "",
                e.hash,
            ]
            for e in events
        ),
    )


# The payroll reads the TPP file's columns: fixed Indonesian headers and predikat names, whatever
# the language of the page.
TPP_HEADERS = ("No", "Nama Pegawai", "NIP", "OPD", "Unit Kerja", "Periode Penilaian", "Predikat", "TPP (%)")
PREDIKAT_ID = {
    "sangat_baik": "Sangat Baik",
    "baik": "Baik",
    "butuh_perbaikan": "Butuh Perbaikan",
    "kurang": "Kurang/Misconduct",
    "sangat_kurang": "Sangat Kurang",
}


def _persen(value: Decimal | None) -> int | Decimal | None:
    """The TPP percentage as the number it is: 100, not 100.00 (nor 1E+2)."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else value.normalize()


def tpp_table(*, rows: list[TppRow], title: str) -> Table:
    """The TPP of one month (``selectors.tpp.tpp_rows``): the NIP as text, the percentage a number."""
    return Table(
        title=title,
        columns=[
            Column(TPP_HEADERS[0], width=6),
            Column(TPP_HEADERS[1], width=32),
            Column(TPP_HEADERS[2], text=True, width=22),
            Column(TPP_HEADERS[3], width=32),
            Column(TPP_HEADERS[4], width=32),
            Column(TPP_HEADERS[5], width=20),
            Column(TPP_HEADERS[6], width=18),
            Column(TPP_HEADERS[7]),
        ],
        rows=(
            [n, r.nama, r.nip, r.opd, r.unit, r.jendela, PREDIKAT_ID.get(r.predikat, r.predikat), _persen(r.persen)]
            for n, r in enumerate(rows, start=1)
        ),
    )
