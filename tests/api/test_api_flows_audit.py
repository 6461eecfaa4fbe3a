"""The API beyond the appraisal's own steps (issue 16): a unit's calibration task is in the head's
task list with the unit as its subject (done on its page in the product), and what a token does is
recorded in the audit trail with the token, not only its user."""

import pytest

from tests.helpers import plan_rows
from workflow.models import AuditAction, AuditEvent, Skp, StatusSkp
from workflow.services import appraisal as svc
from workflow.services.kalibrasi import kalibrasi_task_open

pytestmark = pytest.mark.django_db


def test_the_heads_calibration_task_is_listed_with_its_unit(org, shipped_rules_pack, opened, token_of, client_for):
    skp = Skp.objects.get(pegawai=org.pelaksana)
    tugas = kalibrasi_task_open(skp=skp)
    assert tugas is not None
    unit = tugas.kalibrasi.unit
    head = client_for(token_of(org.kadis.user))
    rows = head.get("/api/v1/tasks/").json()["results"]
    row = next(r for r in rows if r["flow"] == "kalibrasi")
    assert row["step"] == "calibrate" and row["process_id"] == tugas.process_id
    assert row["unit"] == {"id": unit.pk, "nama": unit.nama} and row["pegawai"] is None
    assert row["summary"] == f"{unit.nama} — {skp.periode.tahun}"
    detail = head.get(f"/api/v1/tasks/{row['id']}/")
    assert detail.status_code == 200 and detail.json()["unit"]["id"] == unit.pk
    # acting on it is the calibration page's business: a 400 that says so, nothing done
    refused = head.post(f"/api/v1/tasks/{row['id']}/", {}, format="json")
    assert refused.status_code == 400 and "buka di aplikasi" in refused.json()["message"]
    assert any(r["id"] == row["id"] for r in head.get("/api/v1/tasks/").json()["results"])
    # somebody else does not see it
    other = client_for(token_of(org.kasi.user))
    assert all(r["flow"] != "kalibrasi" for r in other.get("/api/v1/tasks/").json()["results"])
    assert other.get(f"/api/v1/tasks/{row['id']}/").status_code == 404


def test_an_event_written_through_the_api_names_the_token(org, opened, token_of, client_for, client):
    skp = Skp.objects.get(pegawai=org.pelaksana)
    svc.plan_submit(skp=skp, by=org.pelaksana.user, pendekatan="kuantitatif", rows=plan_rows(skp))
    secret = token_of(org.kasi.user, nama="Aplikasi kasi")
    prefix = secret.split("_")[1]
    assessor = client_for(secret)
    task = next(t for t in assessor.get("/api/v1/tasks/").json()["results"] if t["step"] == "approve_plan")
    done = assessor.post(f"/api/v1/tasks/{task['id']}/", {"keputusan": "setujui", "catatan": ""}, format="json")
    assert done.status_code == 200, done.content
    skp.refresh_from_db()
    assert skp.status == StatusSkp.DISETUJUI
    event = AuditEvent.objects.get(action=AuditAction.PLAN_APPROVED, object_id=str(skp.pk))
    assert event.actor == org.kasi.user
    assert f"knj_{prefix}" in event.actor_repr and "Aplikasi kasi" in event.actor_repr
    # the audit log read through the API shows it; the pages' own events do not carry a token
    submitted = AuditEvent.objects.filter(action=AuditAction.PLAN_SUBMITTED, object_id=str(skp.pk)).get()
    assert "token API" not in submitted.actor_repr
    # the appraisal's history page shows it too
    client.force_login(org.kasi.user)
    assert f"token API knj_{prefix}: Aplikasi kasi" in client.get(f"/kinerja/riwayat/{skp.pk}/").content.decode()
    # nothing leaks into the next request on the same thread
    from workflow.services.audit import current_via

    assert current_via() == ""
