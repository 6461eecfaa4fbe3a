"""Concurrent clicks never duplicate work: real concurrent connections on PostgreSQL, one per process."""

import multiprocessing as mp

import pytest
from django.db import connections
from viewflow.workflow.models import Task

from tests.factories import give_accounts
from workflow.flows import AppraisalFlow
from workflow.models import Skp, StatusSkp
from workflow.services.period import periode_create

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROWS = [("utama", "Cakupan imunisasi dasar lengkap", "Persentase bayi diimunisasi", "95", "%")]


def _submit(skp_id, user_id, barrier, results):
    # A forked child must not reuse the parent's connection.
    connections.close_all()
    from django.contrib.auth import get_user_model
    from django.core.exceptions import ValidationError

    from workflow.services.appraisal import RhkInput, plan_submit

    skp = Skp.objects.get(pk=skp_id)
    user = get_user_model().objects.get(pk=user_id)
    rows = [RhkInput(jenis=j, teks=t, indikator=i, target=g, satuan=s) for j, t, i, g, s in ROWS]
    barrier.wait()
    try:
        plan_submit(skp=skp, by=user, pendekatan="kuantitatif", rows=rows)
        results.put("ok")
    except ValidationError as exc:
        results.put(" ".join(exc.messages))
    finally:
        connections.close_all()


def _open(org):
    from workflow.selectors.org import OrgSnapshot
    from workflow.services.appraisal import appraisal_open

    give_accounts(org.kasi, org.pelaksana)
    periode = periode_create(instansi=org.instansi, tahun=2026)
    return appraisal_open(pegawai=org.pelaksana, periode=periode, snap=OrgSnapshot.load(org.instansi))


def test_a_plan_submitted_twice_at_once_completes_once(org):
    skp = _open(org)
    ctx = mp.get_context("fork")
    barrier, results = ctx.Barrier(4), ctx.Queue()
    connections.close_all()
    workers = [ctx.Process(target=_submit, args=(skp.pk, org.pelaksana.user_id, barrier, results)) for _ in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    outcomes = [results.get(timeout=5) for _ in workers]
    assert outcomes.count("ok") == 1, outcomes
    assert all(o == "ok" or "tidak lagi terbuka" in o or "coba lagi" in o for o in outcomes), outcomes
    assert Task.objects.filter(process_id=skp.process_id, flow_task=AppraisalFlow.approve_plan).count() == 1
    assert Task.objects.filter(process_id=skp.process_id, flow_task=AppraisalFlow.draft_plan).count() == 1
    skp.refresh_from_db()
    assert skp.status == StatusSkp.DIAJUKAN and skp.rhk_set.count() == 1


def _open_period(periode_id, barrier, results):
    connections.close_all()
    from workflow.models import PembukaanPeriode, Periode
    from workflow.services.period_open import employees_to_open, period_open_chunk

    periode = Periode.objects.get(pk=periode_id)
    ids = list(employees_to_open(periode).values_list("pk", flat=True))
    job = PembukaanPeriode.objects.create(periode=periode, total=len(ids), chunks=1)
    barrier.wait()
    results.put(period_open_chunk(job_id=job.pk, pegawai_ids=ids, by=None))
    connections.close_all()


def test_opening_a_period_twice_at_once_creates_each_appraisal_once(org):
    give_accounts(org.sekda, org.kadis, org.kabid, org.kasi, org.pelaksana, org.fungsional)
    periode = periode_create(instansi=org.instansi, tahun=2026)
    ctx = mp.get_context("fork")
    barrier, results = ctx.Barrier(2), ctx.Queue()
    connections.close_all()
    workers = [ctx.Process(target=_open_period, args=(periode.pk, barrier, results)) for _ in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(120)
    created = [results.get(timeout=5) for _ in workers]
    assert sum(created) == 6, created
    assert Skp.objects.filter(periode=periode).count() == 6
    assert Task.objects.filter(flow_task=AppraisalFlow.draft_plan).count() == 6
