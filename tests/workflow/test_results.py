"""What the result pages say once results are published, appealed and final: progress per OPD,
the team page and the explanation of a predikat."""

import datetime as dt
import re

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.utils.html import strip_tags
from viewflow.workflow.timers import fire_due_timers

from tests.workflow.test_lifecycle import through_final_review
from workflow.models import PeranAdmin, StatusSkp
from workflow.services import appeal as svc
from workflow.services.roles import ensure_admin_group

pytestmark = pytest.mark.django_db


def at(day, hour=9):
    return time_machine.travel(dt.datetime(2026, 12, day, hour, tzinfo=dt.UTC), tick=False)


@pytest.fixture
def admin(org):
    user = get_user_model().objects.create_user("admin.bkd", is_staff=True)
    user.groups.add(ensure_admin_group())
    PeranAdmin.objects.create(user=user, instansi=org.instansi)
    return user


def rekap_row(client, opd: str) -> list[str]:
    """The cells of the OPD's row on the progress page, as text."""
    body = client.get("/kinerja/rekap/").content.decode()
    row = next(r for r in re.findall(r"<tr>(.*?)</tr>", body, re.S) if f"<td>{opd}</td>" in r)
    return [" ".join(strip_tags(cell).split()) for cell in re.findall(r"<td>(.*?)</td>", row, re.S)]


def test_progress_per_opd_counts_results_under_appeal_and_final_as_approved_and_published(client, org, opened,
                                                                                          rules_pack, admin):
    """Two published results in Dinas Kesehatan: one is appealed (then decided), the other's window
    closes unused. Both stay counted as plan approved and published at every stage."""
    client.force_login(admin)
    appealed = through_final_review(org, org.pelaksana, org.kasi, lambda r: "di_atas", lambda v: "sesuai")
    quiet = through_final_review(org, org.kasi, org.kabid, lambda r: "sesuai", lambda v: "sesuai")
    assert rekap_row(client, "Dinas Kesehatan") == ["Dinas Kesehatan", "5", "2 (40%)", "2 (40%)"]
    with at(5):
        keberatan = svc.appeal_file(skp=appealed, by=org.pelaksana.user, alasan="Capaian tidak dinilai.")
    assert rekap_row(client, "Dinas Kesehatan") == ["Dinas Kesehatan", "5", "2 (40%)", "2 (40%)"]
    with at(6):
        svc.appeal_respond(keberatan=keberatan, by=org.kasi.user, tanggapan="Sudah sesuai bukti.")
        svc.appeal_decide(keberatan=keberatan, by=org.kabid.user, uphold=True, alasan="Penilaian sesuai bukti.")
    with at(17):
        fire_due_timers()  # the other appeal window closes unused
    appealed.refresh_from_db()
    quiet.refresh_from_db()
    assert appealed.status == quiet.status == StatusSkp.FINAL
    assert rekap_row(client, "Dinas Kesehatan") == ["Dinas Kesehatan", "5", "2 (40%)", "2 (40%)"]


def test_status_order_reaches_later_stages():
    assert set(StatusSkp.reached(StatusSkp.DIPUBLIKASIKAN)) == {"dipublikasikan", "keberatan", "final"}
    assert StatusSkp.DIKEMBALIKAN not in StatusSkp.reached(StatusSkp.DISETUJUI)
    assert StatusSkp.FINAL in StatusSkp.reached(StatusSkp.DISETUJUI)


def team_step(client, nama: str) -> list[str]:
    body = client.get("/kinerja/tim/").content.decode()
    table = body[body.index("kinerja-team-skp"):]
    row = next(r for r in re.findall(r"<tr>(.*?)</tr>", table, re.S) if nama in r)
    return [" ".join(strip_tags(cell).split()) for cell in re.findall(r"<td>(.*?)</td>", row, re.S)]


def test_the_team_page_shows_the_appeal_then_the_final_result_not_the_appeal_window(client, org, opened, rules_pack):
    skp = through_final_review(org, org.pelaksana, org.kasi, lambda r: "di_atas", lambda v: "sesuai")
    client.force_login(org.kasi.user)
    with at(3):
        assert team_step(client, org.pelaksana.nama)[1] == "Masa keberatan"  # published, window open
    with at(5):
        keberatan = svc.appeal_file(skp=skp, by=org.pelaksana.user, alasan="Capaian tidak dinilai.")
        _nama, step, holder, _predikat = team_step(client, org.pelaksana.nama)
        assert (step, holder) == ("Tanggapi keberatan", "Anda")  # the appeal's step, held by the assessor
    with at(6):
        svc.appeal_respond(keberatan=keberatan, by=org.kasi.user, tanggapan="Sudah sesuai bukti.")
        _nama, step, holder, _predikat = team_step(client, org.pelaksana.nama)
        assert step == "Putuskan keberatan" and holder == org.kabid.nama
        svc.appeal_decide(keberatan=keberatan, by=org.kabid.user, uphold=False, rating_hasil_kerja="di_atas",
                          rating_perilaku="di_atas", alasan="Perilaku melayani terbukti di atas ekspektasi.")
        page = client.get("/kinerja/tim/").content.decode()
        _nama, step, holder, predikat = team_step(client, org.pelaksana.nama)
    assert (step, holder, predikat) == ("Final", "—", "Sangat Baik")
    assert "Masa keberatan" not in page
