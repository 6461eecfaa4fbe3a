"""The demo organisation a newcomer gets from `make demo`."""

import datetime as dt
import io
import re

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command

from workflow.models import Granularitas, JenisJabatan, JenisUnit, Pegawai, Periode, StatusPeriode, Unit
from workflow.nip import parse_nip
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
    for nip in pemprov.exclude(nip__isnull=True).values_list("nip", flat=True):
        parse_nip(nip)
    periode = Periode.objects.get(instansi__kode="PEMPROV-BKL", tahun=2026)
    assert periode.status == StatusPeriode.OPEN and periode.granularitas == Granularitas.SEMESTER
    assert [w.jenis for w in periode.jendela_set.all()] == ["periodik", "akhir"]


def test_every_demo_employee_has_an_assessor_except_the_governor(seeded):
    snap = OrgSnapshot.load(Pegawai.objects.get(user__username="gubernur").instansi)
    orphans = [p.nama for p in Pegawai.objects.filter(instansi__kode="PEMPROV-BKL") if snap.assessor_of(p) is None]
    assert orphans == [Pegawai.objects.get(user__username="gubernur").nama]


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


def test_simulated_demo_has_a_realistic_spread_and_a_published_unit(django_db_blocker, client):
    from viewflow.workflow.models import Task
    from viewflow.workflow.status import STATUS

    from workflow.models import HasilPenilaian, Skp, StatusSkp
    from workflow.selectors.scoring import annual_predikat

    call_command("seed_demo", "--simulate", stdout=io.StringIO())
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
    assert HasilPenilaian.objects.filter(dipublikasikan__isnull=False).count() == published.count()
    revised = Skp.objects.exclude(catatan_pengembalian="").exclude(status=StatusSkp.DIKEMBALIKAN)
    assert revised.exists()  # returned, revised and approved
    # every open human task has an owner or waits in an admin queue; none is lost
    assert not Task.objects.filter(status=STATUS.ERROR).exists()
    # the demo pelaksana reads their published result
    me = Skp.objects.get(pegawai__user__username__in=["197701032002071209"])
    client.force_login(me.pegawai.user)
    assert "Mengapa predikat ini" in client.get(f"/appraisal/{me.process_id}/").content.decode()
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
    before = Skp.objects.exclude(status=StatusSkp.DRAFT).count()
    call_command("seed_demo", "--simulate", stdout=io.StringIO())
    assert Skp.objects.exclude(status=StatusSkp.DRAFT).count() == before


def test_admin_bkd_has_the_rules_editor_as_the_readme_says(seeded, client):
    users = get_user_model().objects
    client.force_login(users.get(username="admin.bkd"))  # the printed password is checked above
    assert client.get("/aturan/").status_code == 200
    assert client.get("/kinerja/admin-aturan/").status_code == 200
    client.logout()
    client.force_login(users.get(username="admin.bkpsdm"))
    assert client.get("/aturan/").status_code == 403
