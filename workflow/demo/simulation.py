"""Drive the demo organisation through the lifecycle with the same services the pages use, to a
realistic spread of steps: plans still drafted, submitted, returned and revised, approved; midyear
reviews done; one division (Bidang P2P of Dinas Kesehatan) and its Kepala Dinas scored and
published, where one pelaksana moved from one seksi to the other on 1 October (a mid-year
transfer: two SKP, each rated by its own assessor, and one predikat for the year), calibrated by
the Kepala Dinas and published as one unit (the shipped rules' ``publikasi: setelah_kalibrasi``);
and the Kepala Dinas's appeal waiting in the Governor's inbox: the Governor assesses a JPT and, as
the assessor's superior, decides the appeal too. Deterministic for a given seed.

Windows in their time: periodic reviews are driven only once their window has opened by the demo's
date; the annual window keeps its own date (1 December) for everyone but the pilot division above,
for which the BKD opens it ahead of time (the reason is on the window's history) and then puts it
back, so every other appraisal reviewed at midyear waits for the annual window like in a real year."""

from __future__ import annotations

import datetime as dt
import random
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from ..models import (
    CapaianOrganisasi,
    JenisJabatan,
    JenisJendela,
    JenisRhk,
    Kalibrasi,
    NilaiPerilaku,
    PeranAdmin,
    Periode,
    PredikatOrganisasi,
    Skp,
    StatusSkp,
    Unit,
)
from ..selectors.appraisal import assessor_plan, current_window
from ..selectors.capaian import unit_heads
from ..selectors.distribution import distribution_unit
from ..selectors.kalibrasi import period_policy
from ..selectors.org import org_snapshot
from ..selectors.period import forget_period_windows
from ..services import appeal as appeal_svc
from ..services import appraisal as svc
from ..services.kalibrasi import kalibrasi_publish
from ..services.mutasi import pegawai_transfer
from .org import OPD, provinsi_rows

# Every appraisal in this unit subtree (Bidang P2P of Dinas Kesehatan) goes all the way to publication.
PUBLISHED_UNIT_CODE = "DINKES-B1"
# So does the head of this unit (the Kepala Dinas Kesehatan, a JPT assessed by the Governor), who
# then appeals: the Governor's response is given, his decision waits in his inbox.
JPT_APPEAL_UNIT_CODE = "DINKES"
JPT_APPEAL_REASON = (
    "Capaian cakupan imunisasi dasar lengkap 98% dan penanganan KLB campak belum tercermin dalam "
    "rating hasil kerja; mohon ditinjau kembali."
)
JPT_APPEAL_RESPONSE = "Penilaian telah mempertimbangkan bukti dukung yang disampaikan hingga Desember."
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


# The OPD abbreviations the demo's unit names end in ("Seksi Bina Marga I PUPR"): a plan names
# the unit's subject, "layanan Bina Marga I", not "layanan bina marga i pupr".
ABBREVIATIONS = {singkat for _kode, _nama, singkat, *_rest in OPD}


def _topic(skp: Skp) -> str:
    """The subject of the employee's unit, in its own (proper) case, for the plan's sentences."""
    name = skp.unit_nama
    for prefix in ("Seksi ", "Subbagian ", "Bidang ", "Bagian ", "Sekretariat ", "Kepala "):
        name = name.removeprefix(prefix)
    head, _sep, last = name.rpartition(" ")
    return head if head and last in ABBREVIATIONS else name


# Each rating follows the achievement it rates (shared/domain.md: "di atas" above the target,
# "sesuai" on it, "di bawah" short of it): the simulated realisation is drawn first, the
# assessor's rating read from it, so no RHK at 100 % is "di bawah" and none at 94 % "di atas".
ACHIEVEMENT_BANDS = {"di_bawah": (85, 94), "sesuai": (95, 104), "di_atas": (105, 115)}


def rating_for(percent: int) -> str:
    """The rating an assessor gives an RHK realised at ``percent`` of its target."""
    return "di_bawah" if percent < 95 else "sesuai" if percent < 105 else "di_atas"


def _achievements(rhk, rng: random.Random, scale: list[str]) -> dict[int, int]:
    """A percentage of target for each RHK, in the band of a rating drawn from ``scale``."""
    return {r.pk: rng.randint(*ACHIEVEMENT_BANDS[rng.choice(scale)]) for r in rhk}


def _iki_at(rhk, percent: int) -> dict[int, str]:
    """Each numeric indicator of ``rhk`` realised at ``percent`` of its target."""
    return {
        iki.pk: f"{(iki.target_angka * percent / 100):.2f}" for iki in rhk.iki_set.all() if iki.target_angka is not None
    }


# The first RHK of every plan has three indicators (quantity, quality, time), as SKP often do.
MORE_INDICATORS = [
    svc.IkiInput("Persentase dokumen {topic} tanpa koreksi", "kualitas", "90", "%"),
    svc.IkiInput("Waktu penyelesaian laporan {topic}", "waktu", "12", "bulan"),
]


def _plan_rows(skp: Skp, rng: random.Random) -> list[svc.RhkInput]:
    topic = _topic(skp)
    supported = [r.pk for r in svc.assessor_rhk_choices(skp) if r.jenis == JenisRhk.UTAMA]
    rows = []
    for i in range(rng.randint(2, 4)):
        indicator, target, unit = INDICATORS[(i + skp.pk) % len(INDICATORS)]
        more = [svc.IkiInput(m.indikator.format(topic=topic), m.aspek, m.target, m.satuan) for m in MORE_INDICATORS]
        rows.append(
            svc.RhkInput(
                jenis=JenisRhk.UTAMA if i < 2 else JenisRhk.TAMBAHAN,
                teks=RESULTS[(i + skp.pk) % len(RESULTS)].format(topic=topic),
                indikator=indicator.format(topic=topic),
                aspek="kuantitas" if unit != "indeks" else "kualitas",
                target=target,
                satuan=unit,
                rhk_atasan_id=supported[i % len(supported)] if supported and i < 2 else None,
                iki=more if i == 0 else [],
            )
        )
    return rows


def _feedback(percent: int) -> str:
    if percent < 95:
        return f"Capaian {percent}% belum memenuhi target; perkuat bukti dukung dan jadwal kegiatan."
    if percent > 104:
        return f"Capaian {percent}% melampaui target dengan bukti dukung yang lengkap."
    return f"Capaian {percent}% sesuai target dan bukti dukung."


def _iki_realisation(rhk, rng: random.Random, low: int, high: int) -> dict[int, str]:
    """A figure for each numeric indicator: ``low``–``high`` % of its target."""
    return {
        iki.pk: f"{(iki.target_angka * rng.randint(low, high) / 100):.2f}"
        for iki in rhk.iki_set.all()
        if iki.target_angka is not None
    }


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
    published = Unit.objects.filter(instansi_id=periode.instansi_id, kode=PUBLISHED_UNIT_CODE).first()
    leads_published = {u.pk for u in published.ancestors()} if published else set()
    moving = _transfer_candidate(drafts)
    # Bidang P2P and its Kepala Dinas first, through to publication, while the annual window is
    # open for them alone; then everyone else, in the period's own time: periodic reviews whose
    # window has opened, and the annual review waiting for its window (a Timer) like a real year.
    early = [s for s in drafts if _published_here(s)]
    with _annual_window_opened_early(periode):
        for skp in early:
            if skp is not moving:
                with transaction.atomic():
                    _drive(skp, rng, report, leads_published)
        if moving is not None:
            with transaction.atomic():
                _drive_transfer(moving, periode, rng, report, leads_published)
        _calibrate(periode, report)
        _jpt_appeal(periode, report)
    for skp in drafts:
        if skp is not moving and not _published_here(skp):
            with transaction.atomic():
                _drive(skp, rng, report, leads_published)
    return report


# Why the annual window is opened ahead of its date, and put back, recorded in the window's history.
EARLY_WINDOW_REASON = "Penilaian akhir lebih awal: Bidang P2P Dinas Kesehatan (percontohan)"
WINDOW_BACK_REASON = "Kembali ke jadwal setelah percontohan Bidang P2P Dinas Kesehatan"


@contextmanager
def _annual_window_opened_early(periode: Periode):
    """The annual window of ``periode`` open from yesterday while the block runs, then back to its
    own dates: the BKD reviews one division (a pilot) ahead of the year's end, and nobody else is
    offered the annual review before its time. Both changes carry the reason in the window's
    history. When the window has opened already (the demo run after 1 December), nothing moves."""
    window = periode.jendela_set.filter(jenis=JenisJendela.AKHIR).first()
    today = timezone.localdate()
    if window is None or window.dibuka <= today:
        yield
        return
    dibuka, ditutup = window.dibuka, window.ditutup
    _move_window(window, today - dt.timedelta(days=1), max(ditutup, today + dt.timedelta(days=30)), EARLY_WINDOW_REASON)
    try:
        yield
    finally:
        _move_window(window, dibuka, ditutup, WINDOW_BACK_REASON)


def _move_window(window, dibuka: dt.date, ditutup: dt.date, reason: str) -> None:
    window.dibuka, window.ditutup = dibuka, ditutup
    window._change_reason = reason[:100]
    window.save()
    forget_period_windows()


def _published_here(skp: Skp) -> bool:
    """The appraisals driven all the way to publication."""
    kode = skp.unit.kode
    return kode.startswith(PUBLISHED_UNIT_CODE) or (kode == JPT_APPEAL_UNIT_CODE and skp.pegawai.is_kepala_unit)


def _calibrate(periode: Periode, report: SimulationReport) -> None:
    """Under publication after calibration, the head of each unit with waiting results (else an
    admin of the government) publishes the unit at once, as they would from the calibration page."""
    policy = period_policy(periode)
    if not policy.calibrated:
        return
    units = {}
    for skp in Skp.objects.filter(periode=periode, status=StatusSkp.DINILAI).select_related("pegawai", "periode"):
        unit = distribution_unit(skp=skp, tingkat=policy.tingkat)
        if unit is not None:
            units[unit.pk] = unit
    admin = PeranAdmin.objects.filter(instansi_id=periode.instansi_id).select_related("user").first()
    snap = org_snapshot(periode.instansi_id)
    for unit in units.values():
        heads = [p.user for p in unit_heads(snap, unit) if p.user_id]
        by = heads[0] if heads else (admin.user if admin else None)
        if by is None:
            continue
        kalibrasi = Kalibrasi.objects.filter(periode=periode, unit=unit).first()
        kalibrasi_publish(periode=periode, unit=unit, versi=kalibrasi.versi if kalibrasi else 0, by=by)
        report.add("calibrated_units")


def _jpt_appeal(periode: Periode, report: SimulationReport) -> None:
    """The Kepala Dinas appeals his published result; the Governor, his assessor, responds; the
    decision waits in the Governor's inbox (he is also the assessor's superior)."""
    skp = next(
        (
            s
            for s in Skp.objects.filter(
                periode=periode, unit__kode=JPT_APPEAL_UNIT_CODE, status=StatusSkp.DIPUBLIKASIKAN
            ).select_related("pegawai__user", "pegawai__unit", "penilai__user")
            if s.pegawai.is_kepala_unit and s.pegawai.user_id
        ),
        None,
    )
    if skp is None:
        return
    with transaction.atomic():
        keberatan = appeal_svc.appeal_file(skp=skp, by=skp.pegawai.user, alasan=JPT_APPEAL_REASON)
        if keberatan.penanggap is not None and keberatan.penanggap.user_id:
            appeal_svc.appeal_respond(keberatan=keberatan, by=keberatan.penanggap.user, tanggapan=JPT_APPEAL_RESPONSE)
    report.add("jpt_appeal_awaiting_decision")


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
    achieved = _achievements(rhk, rng, ["sesuai", "di_atas"])
    svc.self_review_submit(
        skp=skp,
        by=employee,
        final=True,
        rows=[svc.RealisasiInput(rhk_id=r.pk, realisasi=f"{note}: {achieved[r.pk]}% dari target") for r in rhk],
    )
    ratings = {r.pk: svc.FeedbackInput("Capaian sesuai bukti dukung.", rating_for(achieved[r.pk])) for r in rhk}
    perilaku = {v: svc.FeedbackInput("", "sesuai") for v in NilaiPerilaku.values}
    svc.final_review_submit(skp=skp, by=assessor, rhk_feedback=ratings, perilaku=perilaku)


def _drive_transfer(
    skp: Skp, periode: Periode, rng: random.Random, report: SimulationReport, leads_published: set[int]
) -> None:
    """Plan and midyear review in the first seksi, the transfer on 1 October by the BKD admin, the
    first SKP rated by the old Kasi for January–September, the second planned, approved and rated
    by the new Kasi for October–December."""
    tanggal = min(dt.date(periode.tahun, *TRANSFER_ON), timezone.localdate())
    target = Unit.objects.filter(instansi_id=periode.instansi_id, kode=TRANSFER_TO).first()
    if target is None or tanggal <= skp.tanggal_mulai:
        _drive(skp, rng, report, leads_published)
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


def _periodic_window_open(skp: Skp) -> bool:
    """Whether the SKP's next periodic review window has opened by the demo's date: a periodic
    review covers months that have passed (a demo run before July stops at approved plans)."""
    window = current_window(skp, kind=JenisJendela.PERIODIK)
    return window is not None and window.dibuka <= timezone.localdate()


def _drive(skp: Skp, rng: random.Random, report: SimulationReport, leads_published: set[int]) -> None:
    employee, assessor = skp.pegawai.user, _assessor_user(skp)
    # the published unit, and the heads above it whose approved plans its plans support
    in_published_unit = _published_here(skp)
    must_approve = in_published_unit or (skp.pegawai.is_kepala_unit and skp.unit_id in leads_published)
    roll = rng.random()
    if not must_approve and roll < 0.10:
        report.add("drafting")
        return
    if employee is None:
        report.add("no_account")
        return
    if assessor_plan(skp).waiting:
        # the assessor's plan is not approved yet: the employee saves a draft (the assessor is told)
        svc.plan_save(skp=skp, by=employee, pendekatan="kuantitatif", rows=_plan_rows(skp, rng))
        report.add("waiting_for_assessor_plan")
        return
    svc.plan_submit(skp=skp, by=employee, pendekatan="kuantitatif", rows=_plan_rows(skp, rng))
    if assessor is None:
        report.add("waiting_in_queue")
        return
    if not must_approve and roll < 0.20:
        report.add("submitted")
        return
    # expectations may be given per value (none is required by default): the demo gives four
    expectations = {
        v: f"Menunjukkan perilaku {label.lower()} dalam tugas sehari-hari" for v, label in NilaiPerilaku.choices[:4]
    }
    if not must_approve and roll < 0.32:
        svc.plan_decide(skp=skp, by=assessor, approve=False, note=rng.choice(RETURN_NOTES))
        if roll < 0.26:
            report.add("returned")
            return
        svc.plan_submit(skp=skp, by=employee, pendekatan="kuantitatif", rows=_plan_rows(skp, rng))
        report.add("returned_and_revised")
    svc.plan_decide(skp=skp, by=assessor, approve=True, expectations=expectations)
    if (not in_published_unit and roll < 0.55) or not _periodic_window_open(skp):
        report.add("approved")
        return
    rhk = list(skp.rhk_set.prefetch_related("iki_set"))
    svc.self_review_submit(
        skp=skp,
        by=employee,
        rows=[
            svc.RealisasiInput(
                rhk_id=r.pk,
                realisasi=f"Capaian semester I: {rng.randint(40, 60)}% dari target tahunan",
                bukti_tautan="https://example.go.id/bukti/semester-1",
                iki=_iki_realisation(r, rng, 40, 60),
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
    scale = ["di_bawah", "sesuai", "sesuai", "di_atas", "di_atas"]
    achieved = _achievements(rhk, rng, scale)
    svc.self_review_submit(
        skp=skp,
        by=employee,
        final=True,
        rows=[
            svc.RealisasiInput(
                rhk_id=r.pk, realisasi=f"Capaian akhir: {achieved[r.pk]}% dari target", iki=_iki_at(r, achieved[r.pk])
            )
            for r in rhk
        ],
    )
    ratings = {r.pk: svc.FeedbackInput(_feedback(achieved[r.pk]), rating_for(achieved[r.pk])) for r in rhk}
    perilaku = {v: svc.FeedbackInput("", rng.choice(scale[1:])) for v in NilaiPerilaku.values}
    svc.final_review_submit(skp=skp, by=assessor, rhk_feedback=ratings, perilaku=perilaku)
    report.add("published")
