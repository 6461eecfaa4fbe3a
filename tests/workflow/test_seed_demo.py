"""The demo organisation a newcomer gets from `make demo`."""

import datetime as dt
import io
import re

import pytest
import time_machine
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from workflow.demo.org import provinsi_rows
from workflow.models import Granularitas, JenisJabatan, JenisUnit, Pegawai, Periode, StatusPeriode, Unit
from workflow.nip import nomor_induk_check
from workflow.selectors.org import OrgSnapshot

pytestmark = pytest.mark.django_db

OPD_FROM_DOMAIN = [
    "Badan Kepegawaian Daerah",
    "Inspektorat Daerah",
    "Badan Perencanaan Pembangunan Daerah",
    "Dinas Pendidikan dan Kebudayaan",
    "Dinas Kesehatan",
    "Dinas Tenaga Kerja dan Transmigrasi",
    "Dinas Komunikasi, Informatika dan Statistik",
]


def history_rows() -> int:
    return sum(m.objects.count() for m in apps.get_models() if m.__name__.startswith("Historical"))


@pytest.fixture
def seeded(django_db_blocker):
    out = io.StringIO()
    call_command("seed_demo", stdout=out, verbosity=2)
    return out.getvalue()


def test_demo_builds_pemprov_bengkulu(seeded):
    pemprov = Pegawai.objects.filter(instansi__kode="PEMPROV-BKL")
    assert pemprov.filter(aktif=True).count() >= 300
    opd = set(Unit.objects.filter(jenis=JenisUnit.OPD, instansi__kode="PEMPROV-BKL").values_list("nama", flat=True))
    assert set(OPD_FROM_DOMAIN) <= opd and len(opd) >= 8
    for jenis in JenisJabatan.values:
        assert pemprov.filter(jabatan__jenis=jenis).exists(), jenis
    for nip, status in pemprov.exclude(nip__isnull=True).values_list("nip", "status_kepegawaian"):
        nomor_induk_check(nip, status)  # a PPPK has a real NI PPPK, a PNS a NIP
    pppk = pemprov.filter(status_kepegawaian="PPPK")
    assert pppk.count() >= 50 and all(nip[12:14] == "21" for nip in pppk.values_list("nip", flat=True))
    # state officials sign in by the username the import gave them
    assert set(Pegawai.objects.filter(nip__isnull=True).values_list("user__username", flat=True)) == {
        "gubernur",
        "walikota",
    }
    periode = Periode.objects.get(instansi__kode="PEMPROV-BKL", tahun=2026)
    assert periode.status == StatusPeriode.OPEN and periode.granularitas == Granularitas.SEMESTER
    assert [w.jenis for w in periode.jendela_set.all()] == ["periodik", "akhir"]


def test_demo_names_read_as_written_and_every_appointment_lies_in_the_past(seeded):
    names = list(Unit.objects.values_list("nama", flat=True))
    assert not [n for n in names if re.search(r"\b(I+)\b \1\b", n) or n != n.strip()]
    assert "Seksi Bina Marga I PUPR" in names and "Bidang Bina Marga PUPR" in names
    for nip in Pegawai.objects.exclude(nip__isnull=True).exclude(nip="").values_list("nip", flat=True):
        appointed = dt.date(int(nip[8:12]), int(nip[12:14]) if nip[12:14] != "21" else 1, 1)
        assert appointed < dt.date(2026, 1, 1), nip


def test_every_demo_employee_has_an_assessor_except_the_governor(seeded):
    snap = OrgSnapshot.load(Pegawai.objects.get(user__username="gubernur").instansi)
    orphans = [p.nama for p in Pegawai.objects.filter(instansi__kode="PEMPROV-BKL") if snap.assessor_of(p) is None]
    assert orphans == [Pegawai.objects.get(user__username="gubernur").nama]


def test_the_demo_has_a_cabang_dinas_with_two_schools_whose_teachers_the_kepala_sekolah_assesses(seeded):
    cabdin = Unit.objects.get(jenis=JenisUnit.CABANG_DINAS, instansi__kode="PEMPROV-BKL")
    assert cabdin.parent.nama == "Dinas Pendidikan dan Kebudayaan"
    schools = Unit.objects.filter(jenis=JenisUnit.SEKOLAH, parent=cabdin)
    assert schools.count() == 2
    snap = OrgSnapshot.load(cabdin.instansi)
    kacabdin = snap.holder_of(cabdin)
    for school in schools:
        kepsek = snap.holder_of(school)
        assert kepsek.jabatan.jenis == JenisJabatan.FUNGSIONAL and kepsek.jabatan.jenjang
        assert snap.assessor_of(kepsek) == kacabdin
        teachers = Pegawai.objects.filter(unit=school).exclude(pk=kepsek.pk)
        assert teachers.count() >= 3
        for guru in teachers:
            assert guru.jabatan.nama.startswith("Guru ") and guru.jabatan.jenjang
            assert snap.assessor_of(guru) == kepsek and snap.assessor_superior_of(guru) == kacabdin
    assert "Kepala SMA Negeri 2 Kota Bengkulu (Kepala Sekolah" in seeded


def test_running_it_twice_changes_nothing(seeded):
    before = (history_rows(), Pegawai.objects.count(), Unit.objects.count())
    call_command("seed_demo", stdout=io.StringIO())
    assert (history_rows(), Pegawai.objects.count(), Unit.objects.count()) == before


def test_every_printed_demo_login_works(seeded, client):
    password = re.search(r"password for all: (\S+)\)", seeded).group(1)
    usernames = re.findall(r"^  (\S+)\s{2,}", seeded, flags=re.MULTILINE)
    assert {"admin", "admin.bkd", "gubernur"} <= set(usernames) and len(usernames) >= 9
    for username in usernames:
        client.logout()
        # Through the login page: the axes backend needs the request (client.login gives it none).
        signed_in = client.post("/accounts/login/", {"username": username, "password": password})
        assert signed_in.status_code == 302, username
        assert client.get("/appraisal/inbox/").status_code == 200, username
    client.post("/accounts/login/", {"username": "admin.bkd", "password": password})
    assert client.get("/admin/workflow/pegawai/").status_code == 200


# The simulation drives the 2026 period up to "today": a fixed day after the mid-year transfer
# (1 October) and before the annual window (1 December), so the spread asserted below holds
# whatever the date the tests run on. The clock ticks: timers compare due dates with it.
SIMULATED_TODAY = dt.datetime(2026, 11, 16, 2, tzinfo=dt.UTC)


@time_machine.travel(SIMULATED_TODAY, tick=True)
def test_simulated_demo_has_a_realistic_spread_and_a_published_unit(django_db_blocker, client):
    from viewflow.workflow.models import Task
    from viewflow.workflow.status import STATUS

    from workflow.models import HasilPenilaian, Skp, StatusSkp
    from workflow.selectors.scoring import annual_predikat

    out = io.StringIO()
    call_command("seed_demo", "--simulate", stdout=out, verbosity=2)
    statuses = set(Skp.objects.values_list("status", flat=True))
    assert {
        StatusSkp.DRAFT,
        StatusSkp.DIAJUKAN,
        StatusSkp.DIKEMBALIKAN,
        StatusSkp.DISETUJUI,
        StatusSkp.EVALUASI_PERIODIK,
        StatusSkp.DIPUBLIKASIKAN,
    } <= statuses
    published = Skp.objects.filter(status=StatusSkp.DIPUBLIKASIKAN)
    assert published.count() >= 10 and {s.unit.kode[:9] for s in published} == {"DINKES-B1"}
    # ... and the Kepala Dinas, whose appeal waits for the Governor's decision
    appealed = Skp.objects.get(status=StatusSkp.KEBERATAN)
    assert appealed.unit.kode == "DINKES" and appealed.pegawai.jabatan.jenis == "jpt_pratama"
    assert HasilPenilaian.objects.filter(dipublikasikan__isnull=False).count() == published.count() + 1
    revised = Skp.objects.exclude(catatan_pengembalian="").exclude(status=StatusSkp.DIKEMBALIKAN)
    assert revised.exists()  # returned, revised and approved
    # the plan's shape: an RHK with three IKI, each core RHK of staff supporting the assessor's approved
    # RHK, an achievement per indicator, and staff waiting for their assessor's plan (who was told)
    from django.db.models import Count

    from workflow.models import Notifikasi, RealisasiIki, Rhk

    assert Rhk.objects.annotate(n=Count("iki_set")).filter(n=3).exists()
    submitted = Rhk.objects.filter(jenis="utama", skp__penilai__skp_set__isnull=False).exclude(skp__status="draft")
    assert submitted.exists() and not submitted.filter(rhk_atasan__isnull=True).exists()
    assert RealisasiIki.objects.filter(capaian__isnull=False).exists()
    assert Notifikasi.objects.filter(tautan__contains="#menunggu-").exists()
    # every open human task has an owner or waits in an admin queue; none is lost
    assert not Task.objects.filter(status=STATUS.ERROR).exists()
    # Windows in their time: only Bidang P2P and its Kepala Dinas were reviewed ahead of the annual
    # window (opened early for them, with the reason in the window's history, then put back); nobody
    # else is offered the annual review before the window's date, and the midyear-reviewed wait for it.
    from workflow.models import JenisJendela

    periode = Periode.objects.get(instansi__kode="PEMPROV-BKL", tahun=2026)
    annual = periode.jendela_set.get(jenis=JenisJendela.AKHIR)
    assert (annual.dibuka, annual.ditutup) == (dt.date(2026, 12, 1), dt.date(2027, 1, 14))
    today = dt.date.today()
    open_tasks = list(Task.objects.exclude(status__in=[STATUS.DONE, STATUS.CANCELED]))
    finals = [t for t in open_tasks if t.flow_task.name in ("final_self_review", "final_review")]
    waiting = [t for t in open_tasks if t.flow_task.name == "wait_final_window"]
    periodic = [t for t in open_tasks if t.flow_task.name in ("self_review", "review")]
    if today < annual.dibuka:
        assert not finals
        assert len(waiting) >= 20 and Skp.objects.filter(status=StatusSkp.EVALUASI_PERIODIK).exists()
        changes = annual.history.exclude(history_change_reason=None)
        reasons = set(changes.values_list("history_change_reason", flat=True))
        assert reasons and all("Bidang P2P" in r for r in reasons)
        assert annual.history.filter(dibuka__lte=today).exists()  # the pilot's early opening is on record
    first_periodic = periode.jendela_set.filter(jenis=JenisJendela.PERIODIK).order_by("dibuka").first()
    if today < first_periodic.dibuka:
        assert not periodic and not Skp.objects.filter(status=StatusSkp.EVALUASI_PERIODIK).exists()
    # the demo pelaksana reads their published result
    _, roles = provinsi_rows()
    me = Skp.objects.get(pegawai__user__username=roles["pelaksana"])  # a PPPK, signing in by the NI PPPK
    assert me.pegawai.status_kepegawaian == "PPPK"
    client.force_login(me.pegawai.user)
    assert "Mengapa predikat ini" in client.get(f"/appraisal/{me.process_id}/").content.decode()
    # The Governor signs in with the printed login, finds the Kepala Dinas's appeal in his inbox
    # (he assessed him and, as the assessor's superior, decides) and decides it.
    from workflow.models import Keberatan, StatusKeberatan

    password = re.search(r"password for all: (\S+)\)", out.getvalue()).group(1)
    assert re.search(r"^  gubernur\s+Gubernur", out.getvalue(), flags=re.MULTILINE)
    keberatan = Keberatan.objects.select_related("skp__pegawai", "pemutus__user").get()
    assert keberatan.pemutus.user.username == "gubernur" and keberatan.skp.penilai == keberatan.pemutus
    client.logout()
    assert client.post("/accounts/login/", {"username": "gubernur", "password": password}).status_code == 302
    assert keberatan.skp.pegawai.nama in client.get("/appeal/inbox/").content.decode()
    decide = Task.objects.get(process_id=keberatan.process_id, status=STATUS.ASSIGNED)
    assert decide.flow_task.name == "decide" and decide.owner.username == "gubernur"
    url = f"/appeal/{decide.process_id}/decide/{decide.pk}/execute/"
    assert client.get(url).status_code == 200
    decided = client.post(url, {"keputusan": "kuatkan", "alasan": "Penilaian sudah sesuai bukti dukung."})
    assert decided.status_code == 302
    assert Keberatan.objects.get().status == StatusKeberatan.DIKUATKAN
    # the mid-year transfer: two SKP, each rated by its own assessor, and one predikat for the year
    second = Skp.objects.get(urutan=2)
    first = Skp.objects.get(pegawai=second.pegawai, urutan=1)
    assert (first.tanggal_selesai, second.tanggal_mulai) == (dt.date(2026, 9, 30), dt.date(2026, 10, 1))
    assert first.penilai != second.penilai and first.unit != second.unit
    assert {first.status, second.status} == {StatusSkp.DIPUBLIKASIKAN}
    annual = annual_predikat(pegawai_id=second.pegawai_id, periode=second.periode)
    assert annual.predikat == first.hasil.predikat and annual.decisive == first  # nine months against three
    client.force_login(second.pegawai.user)
    page = client.get(f"/appraisal/{second.process_id}/").content.decode()
    assert "Tahun 2026: beberapa SKP" in page and "Predikat tahunan" in page
    # It reads like real data: each rating follows the realisation it rates, the plans name their
    # unit in its own case, and the two demo people with an address get their mail (the console).
    from workflow.models import RealisasiRhk

    # the annual ratings (a midyear review rates progress: about half the year's target is on track)
    rated = RealisasiRhk.objects.filter(realisasi__regex=r"^Capaian (akhir|Januari|Oktober)").exclude(rating="")
    assert rated.count() >= 20
    for realisasi in rated:
        percent = int(re.search(r"(\d+)% dari target", realisasi.realisasi).group(1))
        expected = "di_bawah" if percent < 95 else "sesuai" if percent < 105 else "di_atas"
        assert realisasi.rating == expected, (realisasi.realisasi, realisasi.rating)
    assert Rhk.objects.filter(teks__contains="Surveilans dan Imunisasi").exists()
    # (in Python: SQLite's LIKE ignores case)
    assert not any(" dinkes" in teks for teks in Rhk.objects.values_list("teks", flat=True))
    # (each notification is mailed once its transaction commits: on the console in the demo; the
    # test's own transaction never commits, so here the notifications to those addresses count)
    with_email = set(Pegawai.objects.exclude(email="").values_list("email", flat=True))
    assert len(with_email) >= 1 and Notifikasi.objects.filter(penerima__email__in=with_email).exists()
    before = Skp.objects.exclude(status=StatusSkp.DRAFT).count()
    call_command("seed_demo", "--simulate", stdout=io.StringIO())
    assert Skp.objects.exclude(status=StatusSkp.DRAFT).count() == before
    # The demo's employee on study leave was left out of the opening, and the BKD admin sees why.
    from workflow.models import PengecualianPembukaan

    (away,) = PengecualianPembukaan.objects.all()
    assert away.jenis == "tugas_belajar" and not Skp.objects.filter(pegawai=away.pegawai).exists()
    client.force_login(get_user_model().objects.get(username="admin.bkd"))
    status_page = reverse("kinerja:open_period_status", args=[away.pembukaan_id])
    page = client.get(status_page, HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert away.pegawai.nama in page and "Tugas belajar" in page and "31-08-2027" in page


def test_the_demo_has_an_employee_on_study_leave_the_admin_sees(seeded, client):
    from workflow.models import KeadaanPegawai
    from workflow.services.period_open import employees_left_out, employees_to_open

    (away,) = KeadaanPegawai.objects.all()
    assert away.jenis == "tugas_belajar" and away.pegawai.unit.kode.startswith("DIKBUD")
    periode = Periode.objects.get(instansi__kode="PEMPROV-BKL", tahun=2026)
    assert [k.pegawai for k in employees_left_out(periode)] == [away.pegawai]
    assert not employees_to_open(periode).filter(pk=away.pegawai_id).exists()
    client.force_login(get_user_model().objects.get(username="admin.bkd"))
    listing = client.get("/admin/workflow/keadaanpegawai/", HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert away.pegawai.nama in listing and "Tugas belajar" in listing


def test_admin_bkd_has_the_rules_editor_as_the_readme_says(seeded, client):
    users = get_user_model().objects
    client.force_login(users.get(username="admin.bkd"))  # the printed password is checked above
    assert client.get("/aturan/").status_code == 200
    assert client.get("/kinerja/admin-aturan/").status_code == 200
    client.logout()
    client.force_login(users.get(username="admin.bkpsdm"))
    assert client.get("/aturan/").status_code == 403
