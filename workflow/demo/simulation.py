"""Drive the demo organisation through the lifecycle with the same services the pages use, to a
realistic spread of steps: plans still drafted, submitted, returned and revised, approved; midyear
reviews done; and one division (Bidang P2P of Dinas Kesehatan) scored and published, where one
pelaksana moved from one seksi to the other on 1 October (a mid-year transfer: two SKP, each rated
by its own assessor, and one predikat for the year). Deterministic for a given seed."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from ..models import (
    CapaianOrganisasi,
    JenisJabatan,
    JenisJendela,
    JenisRhk,
    NilaiPerilaku,
    PeranAdmin,
    Periode,
    PredikatOrganisasi,
    Skp,
    StatusSkp,
    Unit,
)
from ..services import appraisal as svc
from ..services.mutasi import pegawai_transfer
from .org import provinsi_rows

# Every appraisal in this unit subtree (Bidang P2P of Dinas Kesehatan) goes all the way to publication.
PUBLISHED_UNIT_CODE = "DINKES-B1"
# The organisation predikat the Governor set for Dinas Kesehatan: its units' results are checked
# against the pattern for "Baik" (at most 70 % Baik, at least one Butuh Perbaikan or Kurang).
ORGANISATION_PREDIKAT = {"DINKES": PredikatOrganisasi.BAIK}
RESULTS = [
    "Meningkatnya kualitas layanan {topic}",
    "Tersusunnya laporan kinerja {topic} tepat waktu",
    "Terlaksananya pembinaan dan monitoring {topic}",
    "Meningkatnya kepuasan masyarakat atas layanan {topic}",
]
INDICATORS = [
    ("Persentase kegiatan {topic} yang terlaksana sesuai jadwal", "95", "%"),
    ("Jumlah laporan {topic} yang disampaikan tepat waktu", "12", "laporan"),
    ("Indeks kepuasan masyarakat atas layanan {topic}", "80", "indeks"),
    ("Persentase rekomendasi {topic} yang ditindaklanjuti", "90", "%"),
]
# The demo's mid-year transfer: the last pelaksana of the first seksi moves to the second seksi of
# Bidang P2P on 1 October (nine months against three: the first SKP decides the year's predikat).
TRANSFER_FROM, TRANSFER_TO, TRANSFER_ON = "DINKES-B1-1", "DINKES-B1-2", (10, 1)
RETURN_NOTES = [
    "Target belum terukur; gunakan angka capaian yang jelas.",
    "Kaitkan RHK utama dengan RHK atasan yang diintervensi.",
    "Indikator kualitas perlu ditambahkan untuk layanan publik.",
]


@dataclass
class SimulationReport:
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, key: str) -> None:
        self.counts[key] = self.counts.get(key, 0) + 1


def _topic(skp: Skp) -> str:
    name = skp.unit_nama
    for prefix in ("Seksi ", "Subbagian ", "Bidang ", "Bagian ", "Sekretariat ", "Kepala "):
        name = name.removeprefix(prefix)
    return name.lower()


def _plan_rows(skp: Skp, rng: random.Random) -> list[svc.RhkInput]:
    topic = _topic(skp)
    supported = [r.pk for r in svc.assessor_rhk_choices(skp) if r.jenis == JenisRhk.UTAMA]
    rows = []
    for i in range(rng.randint(2, 4)):
        indicator, target, unit = INDICATORS[(i + skp.pk) % len(INDICATORS)]
        rows.append(
            svc.RhkInput(
                jenis=JenisRhk.UTAMA if i < 2 else JenisRhk.TAMBAHAN,
                teks=RESULTS[(i + skp.pk) % len(RESULTS)].format(topic=topic),
                indikator=indicator.format(topic=topic),
                aspek="kuantitas" if unit != "indeks" else "kualitas",
                target=target,
                satuan=unit,
                rhk_atasan_id=supported[i % len(supported)] if supported and i < 2 else None,
            )
        )
    return rows


def _assessor_user(skp: Skp):
    return skp.penilai.user if skp.penilai_id and skp.penilai.user_id else None


def _depth(skp: Skp) -> int:
    return len(skp.unit.ancestors()) + (0 if skp.pegawai.is_kepala_unit else 1)


def simulate_demo(*, periode: Periode, seed: int = 2026) -> SimulationReport:
    """Runs once per period: when any appraisal of the period has moved on, it does nothing."""
    rng = random.Random(seed)
    report = SimulationReport()
    if Skp.objects.filter(periode=periode).exclude(status=StatusSkp.DRAFT).exists():
        return report
    # The demo shows finished results: the BKD opens the annual window early for the demo period.
    final_window = periode.jendela_set.filter(jenis=JenisJendela.AKHIR).first()
    today = timezone.localdate()
    if final_window and final_window.dibuka > today:
        final_window.dibuka = today - dt.timedelta(days=1)
        final_window.ditutup = max(final_window.ditutup, today + dt.timedelta(days=30))
        final_window.save()
    for unit in Unit.objects.filter(instansi_id=periode.instansi_id, kode__in=ORGANISATION_PREDIKAT):
        CapaianOrganisasi.objects.get_or_create(
            periode=periode, unit=unit, defaults={"predikat": ORGANISATION_PREDIKAT[unit.kode]}
        )
    drafts = [
        s
        for s in Skp.objects.filter(periode=periode, status=StatusSkp.DRAFT).select_related(
            "pegawai__user", "pegawai__unit", "pegawai__jabatan", "unit", "penilai__user"
        )
        if not s.rhk_set.exists()
    ]
    # Heads first, so subordinates can link their RHK to their assessor's approved plan.
    drafts.sort(key=lambda s: (_depth(s), s.pk))
    moving = _transfer_candidate(drafts)
    for skp in drafts:
        if skp is not moving:
            with transaction.atomic():
                _drive(skp, rng, report)
    if moving is not None:
        with transaction.atomic():
            _drive_transfer(moving, periode, rng, report)
    return report


def _transfer_candidate(drafts: list[Skp]) -> Skp | None:
    """A pelaksana of the first seksi who is not one of the printed demo logins (they stay put)."""
    _rows, roles = provinsi_rows()
    staff = [
        s
        for s in drafts
        if s.unit.kode == TRANSFER_FROM
        and s.pegawai.jabatan.jenis == JenisJabatan.PELAKSANA
        and s.pegawai.user_id
        and s.pegawai.nip not in roles.values()
    ]
    return staff[-1] if staff else None


def _rate(skp: Skp, rng: random.Random, *, note: str) -> None:
    """The final self-review and the annual review of ``skp`` by its assessor."""
    employee, assessor = skp.pegawai.user, _assessor_user(skp)
    rhk = list(skp.rhk_set.all())
    svc.self_review_submit(
        skp=skp,
        by=employee,
        final=True,
        rows=[svc.RealisasiInput(rhk_id=r.pk, realisasi=f"{note}: {rng.randint(85, 110)}% dari target") for r in rhk],
    )
    ratings = {r.pk: svc.FeedbackInput("Capaian sesuai bukti dukung.", rng.choice(["sesuai", "di_atas"])) for r in rhk}
    perilaku = {v: svc.FeedbackInput("", "sesuai") for v in NilaiPerilaku.values}
    svc.final_review_submit(skp=skp, by=assessor, rhk_feedback=ratings, perilaku=perilaku)


def _drive_transfer(skp: Skp, periode: Periode, rng: random.Random, report: SimulationReport) -> None:
    """Plan and midyear review in the first seksi, the transfer on 1 October by the BKD admin, the
    first SKP rated by the old Kasi for January–September, the second planned, approved and rated
    by the new Kasi for October–December."""
    tanggal = min(dt.date(periode.tahun, *TRANSFER_ON), timezone.localdate())
    target = Unit.objects.filter(instansi_id=periode.instansi_id, kode=TRANSFER_TO).first()
    if target is None or tanggal <= skp.tanggal_mulai:
        _drive(skp, rng, report)
        return
    employee, assessor = skp.pegawai.user, _assessor_user(skp)
    expectations = dict.fromkeys(NilaiPerilaku.values, "Menunjukkan perilaku ini dalam tugas sehari-hari")
    svc.plan_submit(skp=skp, by=employee, pendekatan="kuantitatif", rows=_plan_rows(skp, rng))
    svc.plan_decide(skp=skp, by=assessor, approve=True, expectations=expectations)
    rhk = list(skp.rhk_set.all())
    svc.self_review_submit(
        skp=skp, by=employee, rows=[svc.RealisasiInput(rhk_id=r.pk, realisasi="Capaian semester I: 55%") for r in rhk]
    )
    svc.review_submit(skp=skp, by=assessor, rhk_feedback={}, perilaku={})
    admin = PeranAdmin.objects.filter(instansi_id=periode.instansi_id).select_related("user").first()
    outcome = pegawai_transfer(
        pegawai=skp.pegawai,
        unit=target,
        jabatan=skp.pegawai.jabatan,
        tanggal=tanggal,
        by=admin.user if admin is not None else None,
        alasan="SK Kepala Dinas Kesehatan tentang mutasi pegawai",
    )
    skp.refresh_from_db()
    _rate(skp, rng, note="Capaian Januari–September")
    for new in outcome.opened:
        svc.plan_submit(skp=new, by=employee, pendekatan="kuantitatif", rows=_plan_rows(new, rng))
        svc.plan_decide(skp=new, by=_assessor_user(new), approve=True, expectations=expectations)
        _rate(new, rng, note="Capaian Oktober–Desember")
    report.add("transferred")


def _drive(skp: Skp, rng: random.Random, report: SimulationReport) -> None:
    employee, assessor = skp.pegawai.user, _assessor_user(skp)
    in_published_unit = skp.unit.kode.startswith(PUBLISHED_UNIT_CODE)
    roll = rng.random()
    if not in_published_unit and roll < 0.10:
        report.add("drafting")
        return
    if employee is None:
        report.add("no_account")
        return
    svc.plan_submit(skp=skp, by=employee, pendekatan="kuantitatif", rows=_plan_rows(skp, rng))
    if assessor is None:
        report.add("waiting_in_queue")
        return
    if not in_published_unit and roll < 0.20:
        report.add("submitted")
        return
    expectations = {
        v: f"Menunjukkan perilaku {label.lower()} dalam tugas sehari-hari" for v, label in NilaiPerilaku.choices
    }
    if not in_published_unit and roll < 0.32:
        svc.plan_decide(skp=skp, by=assessor, approve=False, note=rng.choice(RETURN_NOTES))
        if roll < 0.26:
            report.add("returned")
            return
        svc.plan_submit(skp=skp, by=employee, pendekatan="kuantitatif", rows=_plan_rows(skp, rng))
        report.add("returned_and_revised")
    svc.plan_decide(skp=skp, by=assessor, approve=True, expectations=expectations)
    if not in_published_unit and roll < 0.55:
        report.add("approved")
        return
    rhk = list(skp.rhk_set.all())
    svc.self_review_submit(
        skp=skp,
        by=employee,
        rows=[
            svc.RealisasiInput(
                rhk_id=r.pk,
                realisasi=f"Capaian semester I: {rng.randint(40, 60)}% dari target",
                bukti_tautan="https://example.go.id/bukti/semester-1",
            )
            for r in rhk
        ],
    )
    if not in_published_unit and roll < 0.70:
        report.add("midyear_self_review")
        return
    feedback = {r.pk: svc.FeedbackInput("Pertahankan progres dan lengkapi bukti dukung.", "sesuai") for r in rhk}
    svc.review_submit(skp=skp, by=assessor, rhk_feedback=feedback, perilaku={})
    if not in_published_unit:
        report.add("midyear_reviewed")
        return
    svc.self_review_submit(
        skp=skp,
        by=employee,
        final=True,
        rows=[
            svc.RealisasiInput(rhk_id=r.pk, realisasi=f"Capaian akhir: {rng.randint(85, 110)}% dari target")
            for r in rhk
        ],
    )
    scale = ["di_bawah", "sesuai", "sesuai", "di_atas", "di_atas"]
    ratings = {r.pk: svc.FeedbackInput("Capaian sesuai bukti dukung.", rng.choice(scale)) for r in rhk}
    perilaku = {v: svc.FeedbackInput("", rng.choice(scale[1:])) for v in NilaiPerilaku.values}
    svc.final_review_submit(skp=skp, by=assessor, rhk_feedback=ratings, perilaku=perilaku)
    report.add("published")
