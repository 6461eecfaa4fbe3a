"""What several test modules share: drivers that take an appraisal through its lifecycle by the
services, the task pages' addresses, the organisation file the import tests build, and the
database URL a subprocess (worker, command) needs. Fixtures live in the conftest.py files."""

import copy
import csv
import datetime as dt
import io
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.db import connection
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS
from viewflow.workflow.timers import fire_due_timers

from tests.factories import give_accounts, ni_pppk_for, nip_for
from workflow.demo.org import unit_row  # noqa: F401 - the import tests build their unit rows like the demo
from workflow.models import AuditAction, JenisRhk, NilaiPerilaku, Skp, StatusSkp
from workflow.selectors.appraisal import PLAN_APPROVED, assessor_plan
from workflow.services import appeal as appeal_svc
from workflow.services import appraisal as svc
from workflow.services.org_import import COLUMNS

# --- the lifecycle, driven through the services ------------------------------------------------

MIDYEAR = dt.datetime(2026, 7, 2, 9, 0, tzinfo=dt.UTC)


MORE_IKI = [  # further indicators of an RHK: quality, time, cost
    svc.IkiInput(indikator="Persentase laporan imunisasi tanpa koreksi", aspek="kualitas", target="90", satuan="%"),
    svc.IkiInput(indikator="Waktu penyampaian laporan bulanan", aspek="waktu", target="12", satuan="bulan"),
    svc.IkiInput(indikator="Realisasi anggaran kegiatan imunisasi", aspek="biaya", target="150000000", satuan="rupiah"),
]


def rows(n_utama=2, n_tambahan=1, *, atasan=(), iki=1):
    """Plan rows: ``n_utama`` core and ``n_tambahan`` additional RHK, each with ``iki`` indicators
    (1 to 4: quantity, then quality, time, cost); the core rows support the RHK ids ``atasan`` in
    turn (the assessor's approved plan), none when empty."""
    made = [
        svc.RhkInput(
            jenis=JenisRhk.UTAMA,
            teks=f"Cakupan imunisasi dasar lengkap wilayah {i}",
            indikator="Persentase bayi diimunisasi lengkap",
            target="95",
            satuan="%",
            rhk_atasan_id=atasan[(i - 1) % len(atasan)] if atasan else None,
            iki=[copy.copy(x) for x in MORE_IKI[: iki - 1]],
        )
        for i in range(1, n_utama + 1)
    ]
    made += [
        svc.RhkInput(
            jenis=JenisRhk.TAMBAHAN,
            teks="Survei kepuasan masyarakat layanan imunisasi",
            indikator="Indeks kepuasan",
            target="80",
            satuan="indeks",
            iki=[copy.copy(x) for x in MORE_IKI[: iki - 1]],
        )
        for _ in range(n_tambahan)
    ]
    return made


EXPECTATIONS = {v: f"Ekspektasi khusus untuk nilai {v}" for v in NilaiPerilaku.values}


def plan_rows(skp, n_utama=2, n_tambahan=1, *, iki=1):
    """Rows for the plan of ``skp`` that its government accepts: when a core RHK must support the
    assessor's RHK, the assessor's plan is approved first (up the chain, ``plan_approved``) and the
    core rows support its RHK; otherwise ``rows``."""
    link = assessor_plan(skp)
    if not link.required:
        return rows(n_utama, n_tambahan, iki=iki)
    if link.waiting:
        plan_approved(link.assessor_skp)
        link = assessor_plan(skp)
    return rows(n_utama, n_tambahan, atasan=[r.pk for r in link.choices if r.jenis == JenisRhk.UTAMA], iki=iki)


def plan_approved(skp, assessor=None):
    """The plan of ``skp`` submitted (with ``plan_rows``) and approved by ``assessor`` (default:
    its assessor, given an account if the fixture left them without one, like the Governor)."""
    skp.refresh_from_db()
    if skp.status in PLAN_APPROVED:
        return skp
    if assessor is None:
        assessor = skp.penilai
        give_accounts(assessor)  # before the approval task is created, so it is theirs
    if skp.status != StatusSkp.DIAJUKAN:
        svc.plan_submit(skp=skp, by=skp.pegawai.user, pendekatan="kuantitatif", rows=plan_rows(skp))
    svc.plan_decide(skp=skp, by=assessor.user, approve=True, expectations=EXPECTATIONS)
    skp.refresh_from_db()
    return skp


def approve(org, person, assessor):
    """The plan of ``person`` submitted and approved by ``assessor`` (their assessor's plan first,
    when the government requires the link)."""
    return plan_approved(Skp.objects.get(pegawai=person), assessor)


def through_final_review(org, person, assessor, rhk_rating, perilaku_rating, **final):
    """Drive one appraisal from plan to the annual review with the given ratings."""
    with time_machine.travel(MIDYEAR, tick=False):
        skp = approve(org, person, assessor)
        inputs = [svc.RealisasiInput(rhk_id=r.pk, realisasi="Capaian semester I") for r in skp.rhk_set.all()]
        svc.self_review_submit(skp=skp, by=person.user, rows=inputs)
        svc.review_submit(skp=skp, by=assessor.user, rhk_feedback={}, perilaku={})
    with time_machine.travel(dt.datetime(2026, 12, 2, 9, tzinfo=dt.UTC), tick=False):
        fire_due_timers()
        inputs = [svc.RealisasiInput(rhk_id=r.pk, realisasi="Capaian akhir 97%") for r in skp.rhk_set.all()]
        svc.self_review_submit(skp=skp, by=person.user, rows=inputs, final=True)
        rhk = {r.pk: svc.FeedbackInput("Baik", rhk_rating(r)) for r in skp.rhk_set.all()}
        perilaku = {v: svc.FeedbackInput("", perilaku_rating(v)) for v in NilaiPerilaku.values}
        svc.final_review_submit(skp=skp, by=assessor.user, rhk_feedback=rhk, perilaku=perilaku, **final)
    skp.refresh_from_db()
    return skp


def at(day, hour=9):
    """Travel to a day of December 2026 (after the annual review: publication, appeals)."""
    return time_machine.travel(dt.datetime(2026, 12, day, hour, tzinfo=dt.UTC), tick=False)


# --- the audit story: one appraisal from plan to a decided appeal ------------------------------

RETURN_NOTE = "Target cakupan terlalu rendah, naikkan ke 98%."
APPEAL_REASON = "Capaian imunisasi 98% belum tercermin."
DECISION_REASON = "Penilaian sudah sesuai bukti dukung."


def whole_lifecycle(org, person, assessor):
    """Plan, return, revise, approve, midyear review, annual review, scored, published."""
    skp = Skp.objects.get(pegawai=person)
    with time_machine.travel(MIDYEAR, tick=True):
        svc.plan_submit(skp=skp, by=person.user, pendekatan="kuantitatif", rows=plan_rows(skp))
        svc.plan_decide(skp=skp, by=assessor.user, approve=False, note=RETURN_NOTE)
        revised = plan_rows(skp)
        revised[0].target = "98"
        svc.plan_submit(skp=skp, by=person.user, pendekatan="kuantitatif", rows=revised)
        svc.plan_decide(skp=skp, by=assessor.user, approve=True, expectations=EXPECTATIONS)
        done = [svc.RealisasiInput(rhk_id=r.pk, realisasi="Capaian semester I") for r in skp.rhk_set.all()]
        svc.self_review_submit(skp=skp, by=person.user, rows=done)
        svc.review_submit(skp=skp, by=assessor.user, rhk_feedback={}, perilaku={})
    with time_machine.travel(dt.datetime(2026, 12, 2, 9, tzinfo=dt.UTC), tick=True):
        fire_due_timers()  # a timer: no user acts, the system does
        done = [svc.RealisasiInput(rhk_id=r.pk, realisasi="Capaian akhir 97%") for r in skp.rhk_set.all()]
        svc.self_review_submit(skp=skp, by=person.user, rows=done, final=True)
        svc.final_review_submit(
            skp=skp,
            by=assessor.user,
            rhk_feedback={r.pk: svc.FeedbackInput("Baik", "sesuai") for r in skp.rhk_set.all()},
            perilaku={v: svc.FeedbackInput("", "di_atas") for v in NilaiPerilaku.values},
            rating_hasil_kerja="di_atas",
            alasan_hasil_kerja="Capaian luar biasa saat KLB campak",
        )
    # The employee appeals; the assessor responds; the assessor's superior upholds the result.
    skp.refresh_from_db()
    with time_machine.travel(dt.datetime(2026, 12, 5, 9, tzinfo=dt.UTC), tick=True):
        keberatan = appeal_svc.appeal_file(skp=skp, by=person.user, alasan=APPEAL_REASON)
        appeal_svc.appeal_respond(keberatan=keberatan, by=assessor.user, tanggapan="Penilaian sesuai bukti.")
        superior = keberatan.pemutus
        appeal_svc.appeal_decide(keberatan=keberatan, by=superior.user, uphold=True, alasan=DECISION_REASON)
    skp.refresh_from_db()
    return skp


A = AuditAction
EXPECTED_STORY = [  # what whole_lifecycle records: (action, who acted, status before → after)
    (A.APPRAISAL_OPENED, "admin", None, StatusSkp.DRAFT),
    (A.PLAN_SUBMITTED, "employee", StatusSkp.DRAFT, StatusSkp.DIAJUKAN),
    (A.PLAN_RETURNED, "assessor", StatusSkp.DIAJUKAN, StatusSkp.DIKEMBALIKAN),
    (A.PLAN_SUBMITTED, "employee", StatusSkp.DIKEMBALIKAN, StatusSkp.DIAJUKAN),
    (A.PLAN_APPROVED, "assessor", StatusSkp.DIAJUKAN, StatusSkp.DISETUJUI),
    (A.SELF_REVIEW_SUBMITTED, "employee", StatusSkp.DISETUJUI, StatusSkp.EVALUASI_PERIODIK),
    (A.REVIEW_SUBMITTED, "assessor", None, None),
    (A.FINAL_SELF_REVIEW_SUBMITTED, "employee", StatusSkp.EVALUASI_PERIODIK, StatusSkp.EVALUASI_AKHIR),
    (A.FINAL_REVIEW_SUBMITTED, "assessor", None, None),
    (A.APPRAISAL_SCORED, "system", StatusSkp.EVALUASI_AKHIR, StatusSkp.DINILAI),
    (A.APPRAISAL_PUBLISHED, "system", StatusSkp.DINILAI, StatusSkp.DIPUBLIKASIKAN),
    (A.APPEAL_FILED, "employee", StatusSkp.DIPUBLIKASIKAN, StatusSkp.KEBERATAN),
    (A.APPEAL_RESPONDED, "assessor", None, None),
    (A.APPEAL_DECIDED, "superior", StatusSkp.KEBERATAN, StatusSkp.FINAL),
]


# --- task pages --------------------------------------------------------------------------------


def task_url(task):
    return f"/appraisal/{task.process_id}/{task.flow_task.name}/{task.pk}/execute/"


def open_task(skp):
    return Task.objects.get(process_id=skp.process_id, status=STATUS.ASSIGNED)


# --- the organisation file of the import tests --------------------------------------------------

NIP_KASI, NIP_STAFF, NIP_STAFF2 = nip_for(501), nip_for(502), ni_pppk_for(503)  # the third is a PPPK


def person_row(kode_unit, nip, nama, jabatan, jenis, kepala="tidak", jenjang="", status="PNS", aktif="ya", username=""):
    return {
        "tipe": "pegawai",
        "kode_unit": kode_unit,
        "nip": nip,
        "nama": nama,
        "status_kepegawaian": status,
        "jabatan": jabatan,
        "jenis_jabatan": jenis,
        "jenjang": jenjang,
        "kepala_unit": kepala,
        "aktif": aktif,
        "username": username,
    }


def good_rows():
    return [
        unit_row("DINKES", "Dinas Kesehatan", "", "opd", "Kepala Dinas Kesehatan", "jpt_pratama"),
        unit_row("DINKES-S1", "Seksi Imunisasi", "DINKES", "seksi", "Kepala Seksi Imunisasi", "pengawas"),
        person_row("DINKES-S1", NIP_KASI, "Zulkifli Wijaya, S.K.M.", "Kepala Seksi Imunisasi", "pengawas", kepala="ya"),
        person_row("DINKES-S1", NIP_STAFF, "Hendra Safitri, S.Si.", "Pengelola Program Imunisasi", "pelaksana"),
        person_row(
            "DINKES-S1",
            NIP_STAFF2,
            "Dewi Hakim, S.K.M.",
            "Epidemiolog Kesehatan Ahli Muda",
            "fungsional",
            jenjang="ahli_muda",
            status="PPPK",
        ),
    ]


def as_csv(rows, delimiter=",") -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, delimiter=delimiter)
    writer.writeheader()
    for row in rows:
        writer.writerow({c: row.get(c, "") for c in COLUMNS})
    return out.getvalue().encode()


# --- subprocesses ------------------------------------------------------------------------------


def database_url() -> str:
    """The URL of the test database, for a worker or command started in a subprocess."""
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(s['NAME']).resolve()}"
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def redis_or_skip(url: str, *, flush: bool = False):
    """A client of the Redis database ``url`` (emptied first with ``flush``); the test is skipped
    when Redis is not running, except in CI, where that is a failure."""
    import redis

    client = redis.Redis.from_url(url)
    try:
        client.flushdb() if flush else client.ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    return client


def celery(env: dict, *args: str) -> subprocess.Popen:
    """``celery -A project <args>`` (a worker or beat) in its own process group, so ``stop_group``
    ends it whole; its output is kept for a failing assertion to show."""
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "project", *args],
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def celery_worker(env: dict, name: str, concurrency: int = 1) -> subprocess.Popen:
    """A real Celery worker (prefork, ``concurrency`` children) named ``name``."""
    return celery(
        env,
        "worker",
        "-c",
        str(concurrency),
        "-l",
        "warning",
        "--without-gossip",
        "--without-mingle",
        "-n",
        f"{name}@%h",
    )


def stop_group(process: subprocess.Popen) -> None:
    """SIGTERM to the process group, SIGKILL if it has not ended within 20 s."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)


# --- the rule pack's policy row ----------------------------------------------------------------


def policy_outputs(**changes) -> dict:
    """The ``kebijakan`` row of the shipped pack as the rules editor stores it (values as text),
    with ``changes``: tests that publish a new policy change only what they test, and keep
    passing when the pack's policy gains an output."""
    import yaml

    pack = Path(__file__).resolve().parent.parent / "config" / "rules" / "penilaian-kinerja.yaml"
    # the pack's newest version: the one in force for the tests' 2026 periods
    tables = yaml.safe_load(pack.read_text(encoding="utf-8"))["versions"][-1]["tables"]
    row = next(t for t in tables if t["name"] == "kebijakan")["rows"][0]["then"]
    text = {k: (str(v).lower() if isinstance(v, bool) else str(v)) for k, v in row.items()}
    return {**text, **{k: (str(v).lower() if isinstance(v, bool) else str(v)) for k, v in changes.items()}}


# The pack's version 2 is in force from 2026-01-01 (version 1 ends the day before); a version a
# test publishes for its 2026 period takes over the day after (one day cannot start two versions).
TEST_RULES_FROM = dt.date(2026, 1, 2)


def pack_in_force():
    """The shipped pack's newest published version (the one in force for the tests' 2026 periods)."""
    from rules.models import RuleSetVersion, VersionStatus

    return (
        RuleSetVersion.objects.filter(rule_set__key="penilaian-kinerja", status=VersionStatus.PUBLISHED)
        .order_by("-number")
        .first()
    )


SHIPPED_POLICY = "tingkat_distribusi: opd, publikasi: setelah_kalibrasi"
ONE_BY_ONE_POLICY = "tingkat_distribusi: tim_penilai, publikasi: langsung"


def load_rules_one_by_one(pack_dir, tmp_dir):
    """Load the shipped rule pack with the policy of one-by-one publication checked per assessor's
    team (``publikasi: langsung``, ``tingkat_distribusi: tim_penilai``) instead of calibration."""
    import io
    import shutil
    from pathlib import Path

    from django.core.management import call_command

    target = Path(tmp_dir) / "rules-one-by-one"
    shutil.copytree(pack_dir, target)
    for path in target.glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace(SHIPPED_POLICY, ONE_BY_ONE_POLICY), encoding="utf-8")
    call_command("load_rules", str(target), stdout=io.StringIO())
