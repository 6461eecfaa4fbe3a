"""The admins' overdue page: every open task is listed, held or not, and reassignment answers bad
input with a message on the page."""

import datetime as dt

import pytest
import time_machine
from django.contrib.auth import get_user_model
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from tests.helpers import rows
from workflow.flows import AppraisalFlow
from workflow.models import AuditEvent, PeranAdmin, Skp
from workflow.services.appraisal import plan_submit
from workflow.services.roles import ensure_admin_group

pytestmark = pytest.mark.django_db
MARCH = dt.datetime(2026, 3, 2, tzinfo=dt.UTC)


@pytest.fixture
def admin(org):
    user = get_user_model().objects.create_user("admin.bkd", is_staff=True)
    user.groups.add(ensure_admin_group())
    PeranAdmin.objects.create(user=user, instansi=org.instansi)
    return user


@pytest.fixture
def vacant_task(org, opened):
    """The Kepala Dinas's plan waits for approval with nobody holding it: the Governor, who assesses
    the Kepala Dinas, has no account, so the task sits in the admins' queue."""
    skp = Skp.objects.get(pegawai=org.kadis)
    with time_machine.travel(MARCH, tick=False):
        plan_submit(skp=skp, by=org.kadis.user, pendekatan="kuantitatif", rows=rows())
    task = Task.objects.get(process_id=skp.process_id, flow_task=AppraisalFlow.approve_plan)
    assert task.owner_id is None and task.status == STATUS.NEW
    return task


def test_a_task_nobody_holds_is_listed_as_waiting_for_a_holder(client, org, admin, vacant_task):
    client.force_login(admin)
    with time_machine.travel(MARCH, tick=False):
        response = client.get("/kinerja/terlambat/?semua=1")
    assert response.status_code == 200
    page = response.content.decode()
    assert f'value="{vacant_task.pk}"' in page and org.kadis.nama in page
    assert "Belum ada pemegang (antrean)" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kepada": "abc", "alasan": "Pegawai cuti"}, "Pilih pegawai yang menerima tugas"),
        ({"kepada": "", "alasan": "Pegawai cuti"}, "Pilih pegawai yang menerima tugas"),
        ({"alasan": "Pegawai\x00cuti"}, "karakter kendali (NUL)"),  # refused before any view (400)
        ({"tugas": ["abc"], "alasan": "Pegawai cuti"}, "Pilih minimal satu tugas"),
        ({"tugas": [], "alasan": "Pegawai cuti"}, "Pilih minimal satu tugas"),
    ],
)
def test_bad_reassignment_input_gets_a_message_and_changes_nothing(client, org, admin, opened, data, message):
    client.force_login(admin)
    with time_machine.travel(MARCH, tick=False):
        draft = Task.objects.get(process__skp__pegawai=org.pelaksana, status=STATUS.ASSIGNED)
        posted = {"tugas": [draft.pk], "kepada": org.kabid.pk, **data}
        events = AuditEvent.objects.count()
        response = client.post("/kinerja/terlambat/", posted)
    assert response.status_code == (400 if "\x00" in data.get("alasan", "") else 200)
    assert message in response.content.decode()
    assert Task.objects.get(pk=draft.pk).owner == org.pelaksana.user
    assert AuditEvent.objects.count() == events


def test_a_task_of_another_government_cannot_be_chosen(client, org, admin, opened):
    from tests.factories import InstansiFactory
    from workflow.models import JenisInstansi

    kota = InstansiFactory(kode="PEMKOT-BKL", nama="Pemerintah Kota Bengkulu", jenis=JenisInstansi.KOTA)
    PeranAdmin.objects.filter(user=admin).update(instansi=kota)
    client.force_login(admin)
    draft = Task.objects.get(process__skp__pegawai=org.pelaksana, status=STATUS.ASSIGNED)
    response = client.post("/kinerja/terlambat/", {"tugas": [draft.pk], "kepada": org.kabid.pk, "alasan": "x"})
    assert response.status_code == 200
    assert Task.objects.get(pk=draft.pk).owner == org.pelaksana.user
