"""Time-driven work on real background workers: a Celery worker and Celery beat against the local
Redis fire a due viewflow timer, and the resulting task assignment e-mails its owner."""

import datetime as dt
import os
import time

import pytest
import time_machine
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from tests.helpers import approve, celery, celery_worker, database_url, redis_or_skip, stop_group
from workflow.flows import AppraisalFlow
from workflow.models import Skp

pytestmark = pytest.mark.django_db(transaction=True)
BROKER = "redis://127.0.0.1:6379/14"


@pytest.fixture
def redis_up():
    redis_or_skip(BROKER, flush=True)


def test_beat_and_a_worker_fire_a_due_timer_and_mail_the_new_task(
    org, periode, redis_up, tmp_path, django_capture_on_commit_callbacks
):
    from workflow.services.period_open import period_open

    org.pelaksana.email = "hendra@example.go.id"
    org.pelaksana.save()
    with time_machine.travel(dt.datetime(2026, 3, 1, tzinfo=dt.UTC), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            period_open(periode=periode, by=None)
        skp = approve(org, org.pelaksana, org.kasi)
    timer = Task.objects.get(process_id=skp.process_id, status=STATUS.SCHEDULED)
    assert timer.flow_task == AppraisalFlow.wait_periodic_window
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": BROKER,
        "KINERJA_TIMER_INTERVAL": "1",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(tmp_path / "mail"),
        "DJANGO_SETTINGS_MODULE": "project.settings",
        "KINERJA_VAR_DIR": str(tmp_path),
    }
    worker = celery_worker(env, "timers-test")
    beat = celery(env, "beat", "-l", "warning", "-s", str(tmp_path / "beat-schedule"))
    try:
        deadline = time.monotonic() + 60
        fired = False
        while time.monotonic() < deadline:
            if Task.objects.filter(pk=timer.pk, status=STATUS.DONE).exists():
                mails = list((tmp_path / "mail").glob("*.log")) if (tmp_path / "mail").exists() else []
                if mails:
                    fired = True
                    break
            assert worker.poll() is None, worker.stdout.read().decode()[-2000:]
            assert beat.poll() is None, beat.stdout.read().decode()[-2000:]
            time.sleep(0.5)
        assert fired, "the timer did not fire or no mail was sent within 60 s"
        review = Task.objects.get(process_id=skp.process_id, status=STATUS.ASSIGNED)
        assert review.flow_task == AppraisalFlow.self_review and review.owner == org.pelaksana.user
        text = "".join(p.read_text() for p in (tmp_path / "mail").glob("*.log"))
        assert "hendra@example.go.id" in text and "Tugas baru" in text
        assert Skp.objects.get(pk=skp.pk).status == "disetujui"
    finally:
        for proc in (beat, worker):
            stop_group(proc)
