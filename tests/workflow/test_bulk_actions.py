"""viewflow's bulk actions (take from the queue, give back from the inbox), with "select all": they
list and act on exactly the tasks the user's own lists show, never those of others."""

import datetime as dt
from types import SimpleNamespace

import pytest
import time_machine
from django.contrib.auth import get_user_model
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from tests.factories import InstansiFactory, PegawaiFactory, give_accounts, head, head_unit
from tests.helpers import rows, through_final_review
from workflow.flows import AppraisalFlow
from workflow.models import JenisInstansi, JenisJabatan, JenisUnit, PeranAdmin, Skp, StatusKepegawaian
from workflow.services.appeal import appeal_file
from workflow.services.appraisal import plan_submit
from workflow.services.period import periode_create
from workflow.services.period_open import period_open
from workflow.services.roles import ensure_admin_group

pytestmark = pytest.mark.django_db
JANUARY = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
MARCH = dt.datetime(2026, 3, 2, tzinfo=dt.UTC)
ROUTES = ["/appraisal/inbox/unassign/", "/appraisal/queue/assign/", "/appeal/inbox/unassign/", "/appeal/queue/assign/"]


def make_admin(username, instansi):
    user = get_user_model().objects.create_user(username, is_staff=True)
    user.groups.add(ensure_admin_group())
    PeranAdmin.objects.create(user=user, instansi=instansi)
    return user


def submit_plan(pegawai):
    """The plan goes to the assessor; returns the approval task."""
    skp = Skp.objects.get(pegawai=pegawai)
    with time_machine.travel(MARCH, tick=False):
        plan_submit(skp=skp, by=pegawai.user, pendekatan="kuantitatif", rows=rows())
    return Task.objects.get(process_id=skp.process_id, flow_task=AppraisalFlow.approve_plan)


@pytest.fixture
def kota(db, django_capture_on_commit_callbacks):
    """Pemkot Bengkulu beside the province: the Wali Kota (no account), a Kepala Dinas and a
    pelaksana, with the 2026 period opened."""
    i = InstansiFactory(kode="PEMKOT-BKL", nama="Pemerintah Kota Bengkulu", jenis=JenisInstansi.KOTA)
    root = head_unit(
        i,
        "PEMKOT",
        "Pemerintah Kota Bengkulu",
        JenisUnit.PEMERINTAH_DAERAH,
        None,
        "Wali Kota Bengkulu",
        JenisJabatan.KEPALA_DAERAH,
    )
    dinas = head_unit(
        i, "DISDIK", "Dinas Pendidikan", JenisUnit.OPD, root, "Kepala Dinas Pendidikan", JenisJabatan.JPT_PRATAMA
    )
    head(root, "Dedy Wahyudi, S.E., M.M.", status_kepegawaian=StatusKepegawaian.PEJABAT_NEGARA)
    kadis = head(dinas, "Drs. Eko Purnomo, M.Pd.")
    staff = PegawaiFactory(instansi=i, unit=dinas, nama="Rudi Lubis, S.E.")
    give_accounts(kadis, staff)
    with time_machine.travel(JANUARY, tick=False), django_capture_on_commit_callbacks(execute=True):
        period_open(periode=periode_create(instansi=i, tahun=2026), by=None)
    return SimpleNamespace(instansi=i, kadis=kadis, staff=staff, admin=make_admin("admin.bkpsdm", i))


@pytest.fixture
def appealed(org, opened, rules_pack):
    """The province's pelaksana appeals their published result: the response waits with the Kasi."""
    skp = through_final_review(org, org.pelaksana, org.kasi, lambda r: "di_atas", lambda v: "sesuai")
    with time_machine.travel(dt.datetime(2026, 12, 5, 9, tzinfo=dt.UTC), tick=False):
        return appeal_file(skp=skp, by=org.pelaksana.user, alasan="Capaian imunisasi 98% tidak dinilai.")


def owners():
    return dict(Task.objects.values_list("pk", "owner_id"))


def test_a_pelaksana_selecting_all_sees_and_takes_nothing_of_others(client, org, kota, appealed):
    submit_plan(org.kadis)  # waits in the province's queue (the Governor has no account)
    submit_plan(kota.kadis)  # and one in the city's
    others = [org.pelaksana, org.kasi, org.kabid, org.kadis, org.fungsional, kota.kadis]
    before = owners()
    client.force_login(kota.staff.user)
    for route in ROUTES:
        response = client.post(route, {"select_all": "1"})
        assert response.status_code == 200, route
        page = response.content.decode()
        for person in others:
            assert person.nama not in page and person.nip not in page, (route, person.nama)
        client.post(route, {"select_all": "1", "_confirm": "1"})
    colleague = Task.objects.get(process__skp__pegawai=org.fungsional, status=STATUS.ASSIGNED)
    for route, task in (
        ("/appraisal/inbox/unassign/", colleague),
        ("/appeal/inbox/unassign/", Task.objects.get(process_id=appealed.process_id, status=STATUS.ASSIGNED)),
    ):
        client.post(route, {"pk": [task.pk], "_confirm": "1"})
    mine = Task.objects.get(process__skp__pegawai=kota.staff, flow_task=AppraisalFlow.draft_plan).pk
    assert {pk: o for pk, o in owners().items() if pk != mine and pk in before} == {
        pk: o for pk, o in before.items() if pk != mine
    }


def test_an_admin_selecting_all_in_the_queue_takes_only_their_governments_tasks(
    client, org, opened, kota, django_assert_max_num_queries
):
    province = submit_plan(org.kadis)
    city = submit_plan(kota.kadis)
    assert province.owner_id is None and city.owner_id is None
    client.force_login(kota.admin)
    with django_assert_max_num_queries(20):
        page = client.post("/appraisal/queue/assign/", {"select_all": "1"}).content.decode()
    assert kota.kadis.nama in page and org.kadis.nama not in page
    assert "<td>Setujui SKP</td>" in page  # the step's title, in the user's language
    client.post("/appraisal/queue/assign/", {"select_all": "1", "_confirm": "1"})
    assert Task.objects.get(pk=city.pk).owner == kota.admin
    assert Task.objects.get(pk=province.pk).owner_id is None
    # and the province's admin still finds theirs in the queue
    province_admin = make_admin("admin.bkd", org.instansi)
    client.force_login(province_admin)
    page = client.post("/appraisal/queue/assign/", {"select_all": "1"}).content.decode()
    assert org.kadis.nama in page and kota.kadis.nama not in page
