"""Opening a period holds back the new processes, tasks and SKP of a chunk and inserts them per
table when the chunk's savepoint ends, with ids taken from the tables' sequences
(``services.audit.inserts_prenumbered``): the rows, their history and their events are what opening
one appraisal at a time writes, a clash undoes the chunk's savepoint, and the statements of a chunk
do not grow with its employees."""

import datetime as dt

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from viewflow.workflow.models import Process, Task

from tests.factories import JabatanFactory, PegawaiFactory, give_accounts
from workflow.flows import AppraisalFlow
from workflow.models import AppraisalProcess, AuditEvent, Notifikasi, PembukaanPeriode, Skp, TenggatTugas
from workflow.selectors.org import OrgSnapshot
from workflow.services.appraisal import appraisal_open
from workflow.services.audit import audit_batch, inserts_prenumbered
from workflow.services.period_open import period_open_chunk

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def _job(periode, people) -> PembukaanPeriode:
    return PembukaanPeriode.objects.create(periode=periode, total=len(people), chunks=1)


def _staff(org, n):
    people = PegawaiFactory.create_batch(
        n, instansi=org.instansi, unit=org.seksi, jabatan=JabatanFactory(instansi=org.instansi)
    )
    give_accounts(*people)
    return people


def shape(skp: Skp) -> dict:
    """What opening wrote for ``skp``, with the person's own values said relative to the person."""
    skp = Skp.objects.select_related("pegawai", "process").get(pk=skp.pk)
    tasks = list(Task.objects.filter(process_id=skp.process_id).order_by("pk"))
    user_id = skp.pegawai.user_id
    history = skp.history.get()
    return {
        "process": (skp.process.flow_class, skp.process.status, skp.process.data),
        "process_history": AppraisalProcess.history.filter(id=skp.process_id).count(),
        "tasks": [
            (
                t.flow_task,
                t.flow_task_type,
                t.status,
                t.owner_id == user_id if t.owner_id else None,
                t.owner_permission,
                t.token,
                t.started is not None,
                t.finished is not None,
                [str(p.flow_task) for p in t.previous.all()],
                TenggatTugas.objects.filter(task=t).values_list("jatuh_tempo", flat=True).first(),
            )
            for t in tasks
        ],
        "task_history": sorted(
            (str(node), status, kind)
            for node, status, kind in Task.history.filter(id__in=[t.pk for t in tasks]).values_list(
                "flow_task", "status", "history_type"
            )
        ),
        "skp": (skp.status, skp.urutan, skp.tanggal_mulai, skp.tanggal_selesai, skp.penilai_id is not None),
        # the history row holds what the row holds, its dates included
        "skp_history": (history.history_type, history.status, history.process_id == skp.process_id),
        "skp_history_dates": (history.dibuat == skp.dibuat, history.diubah == skp.diubah),
        "events": list(
            AuditEvent.objects.filter(object_id=str(skp.pk), content_type__model="skp").values_list("action", flat=True)
        ),
        "notifications": Notifikasi.objects.filter(penerima_id=user_id).count(),
    }


def test_a_chunk_writes_what_opening_one_appraisal_at_a_time_writes(org, periode):
    one, two, alone = _staff(org, 3)
    with time_machine.travel(dt.datetime(2026, 1, 5, 8, tzinfo=dt.UTC), tick=False):  # the same due dates
        period_open_chunk(job_id=_job(periode, [one, two]).pk, pegawai_ids=[one.pk, two.pk], by=None, nomor=0)
        with transaction.atomic(), audit_batch():
            single = appraisal_open(pegawai=alone, periode=periode, snap=OrgSnapshot.load(org.instansi.pk), by=None)
    chunked = Skp.objects.get(periode=periode, pegawai=one)
    expected = shape(single)
    assert expected["tasks"][1][:6] == (
        AppraisalFlow.draft_plan,
        "HUMAN",
        "ASSIGNED",
        True,
        "workflow.manage_appraisal",
        "start",
    )
    assert expected["skp_history_dates"] == (True, True)
    assert shape(chunked) == expected
    assert shape(Skp.objects.get(periode=periode, pegawai=two)) == expected
    # the ids came from the tables' sequences: a row inserted afterwards takes the next one
    assert Skp.objects.filter(periode=periode).order_by("pk").last().pk == single.pk


def test_a_row_saved_again_inside_the_block_is_inserted_once_as_it_was_last_saved():
    with transaction.atomic():
        with inserts_prenumbered(Process):
            process = AppraisalProcess(flow_class=AppraisalFlow)
            process.save()
            held = process.pk
            assert held is not None
            assert not Process.objects.filter(pk=held).exists()  # held back until the block ends
            process.status = "CANCELED"
            process.save(update_fields=["status"])
            process.save()
        assert list(Process.objects.filter(pk=held).values_list("status", flat=True)) == ["CANCELED"]


def test_a_clash_among_the_held_rows_raises_when_the_block_ends_and_its_savepoint_undoes_them(org, periode):
    (person,) = _staff(org, 1)
    snap = OrgSnapshot.load(org.instansi.pk)
    processes = Process.objects.count()
    with transaction.atomic():
        with (
            pytest.raises(IntegrityError),
            transaction.atomic(),
            audit_batch(),
            inserts_prenumbered(Process, Task, Skp),
        ):
            # the same employee opened twice without looking first: the second SKP breaks the
            # unique (period, employee, number) once both are written
            appraisal_open(pegawai=person, periode=periode, snap=snap, checked=True, savepoint=False)
            appraisal_open(pegawai=person, periode=periode, snap=snap, checked=True, savepoint=False)
        assert not Skp.objects.filter(pegawai=person).exists()
        assert Process.objects.count() == processes
        # the transaction around the savepoint goes on
        assert appraisal_open(pegawai=person, periode=periode, snap=snap) is not None


def test_the_statements_of_a_chunk_do_not_grow_with_its_employees(org, periode):
    small, large = _staff(org, 3), _staff(org, 30)
    counts = []
    for nomor, people in enumerate((small, large)):
        job = _job(periode, people)
        with CaptureQueriesContext(connection) as queries:
            assert period_open_chunk(job_id=job.pk, pegawai_ids=[p.pk for p in people], by=None, nomor=nomor) == len(
                people
            )
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    assert Skp.objects.filter(periode=periode).count() == 33
