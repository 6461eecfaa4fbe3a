"""Calibration (kalibrasi): with the shipped policy (``tingkat_distribusi: opd``,
``publikasi: setelah_kalibrasi``) scored results wait for the unit's calibration; the head of the
OPD (or the BKD admin) adjusts ratings with a reason on one page and publishes the whole unit."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from tests.factories import JenisJabatan, JenisUnit, PegawaiFactory, give_accounts, head, head_unit
from tests.helpers import TEST_RULES_FROM, pack_in_force, through_final_review
from workflow.domain.distribution import pattern_bounds, people_of
from workflow.flows import AppraisalFlow
from workflow.models import AuditAction, AuditEvent, CapaianOrganisasi, Jabatan, Kalibrasi, Skp, StatusSkp

pytestmark = pytest.mark.django_db
REASON = "Capaian seksi di bawah target renstra."


@pytest.fixture
def seksi(org):
    """Two more seksi of Bidang P2P, each with its Kasi and a pelaksana (before the period opens)."""
    staff = Jabatan.objects.create(instansi=org.instansi, nama="Pengadministrasi Umum", jenis=JenisJabatan.PELAKSANA)
    made = []
    for n in (2, 3):
        unit = head_unit(
            org.instansi,
            f"DINKES-B1-{n}",
            f"Seksi {n}",
            JenisUnit.SEKSI,
            org.bidang,
            f"Kepala Seksi {n}",
            JenisJabatan.PENGAWAS,
        )
        kasi = head(unit, f"Kasi {n}")
        pelaksana = PegawaiFactory(instansi=org.instansi, unit=unit, jabatan=staff, nama=f"Pelaksana {n}")
        give_accounts(kasi, pelaksana)
        made.append((kasi, pelaksana))
    return made


def waiting_task(skp):
    return Task.objects.filter(process_id=skp.process_id, flow_task=AppraisalFlow.wait_calibration, status=STATUS.NEW)


def score_three(org, seksi, ratings=("sesuai", "sesuai", "sesuai")):
    people = [(org.pelaksana, org.kasi), *((p, k) for k, p in seksi)]
    return [
        through_final_review(org, person, assessor, lambda r, rt=rating: rt, lambda v, rt=rating: rt)
        for (person, assessor), rating in zip(people, ratings, strict=True)
    ]


def test_an_opd_rated_baik_is_calibrated_and_published_as_one_unit(
    client, org, seksi, shipped_rules_pack, periode, opened, django_capture_on_commit_callbacks
):
    CapaianOrganisasi.objects.create(periode=periode, unit=org.dinkes, predikat="baik")
    skps = score_three(org, seksi)
    for skp in skps:  # scored, not published: each waits for the OPD's calibration
        assert skp.status == StatusSkp.DINILAI and skp.hasil.predikat == "baik" and skp.hasil.dipublikasikan is None
        assert waiting_task(skp).count() == 1

    # a Kasi heads no OPD: no calibration for them
    client.force_login(org.kasi.user)
    assert "Dinas Kesehatan" not in client.get("/kinerja/kalibrasi/").content.decode()
    assert client.get(f"/kinerja/kalibrasi/{periode.pk}/{org.dinkes.pk}/").status_code == 403

    client.force_login(org.kadis.user)
    listing = client.get("/kinerja/kalibrasi/").content.decode()
    assert "Dinas Kesehatan" in listing
    url = f"/kinerja/kalibrasi/{periode.pk}/{org.dinkes.pk}/"
    page = client.get(url).content.decode()
    total = Skp.objects.filter(
        periode=periode, unit__in=[org.dinkes, org.bidang, org.seksi, *(k.unit for k, _p in seksi)]
    )
    assert f"3 dari {total.count()} pegawai dinilai" in page
    assert "Baik" in page and "70 %" in page and "Hendra Safitri" in page and "Pelaksana 3" in page

    last = skps[2]
    # a change without a reason: refused, nothing changed
    data = {"versi": "0", f"hk_{last.pk}": "di_bawah", f"pr_{last.pk}": "sesuai", "simpan": "1"}
    page = client.post(url, data, follow=True).content.decode()
    assert "alasan" in page.lower()
    last.hasil.refresh_from_db()
    assert last.hasil.predikat == "baik"

    data[f"alasan_{last.pk}"] = REASON
    client.post(url, data)
    last.hasil.refresh_from_db()
    assert last.hasil.rating_hasil_kerja == "di_bawah" and last.hasil.predikat != "baik"
    event = AuditEvent.objects.get(action=AuditAction.KALIBRASI_CHANGED)
    assert event.reason == REASON and event.before["predikat"] == "baik"
    assert Kalibrasi.objects.get(unit=org.dinkes).versi == 1

    # a page that is no longer current is refused, never applied over the change
    stale = {"versi": "0", f"hk_{skps[0].pk}": "di_atas", f"pr_{skps[0].pk}": "sesuai", f"alasan_{skps[0].pk}": "x"}
    page = client.post(url, stale, follow=True).content.decode()
    assert "Muat ulang" in page or "muat ulang" in page
    skps[0].hasil.refresh_from_db()
    assert skps[0].hasil.rating_hasil_kerja == "sesuai"

    with (
        time_machine.travel(dt.datetime(2026, 12, 5, 9, tzinfo=dt.UTC), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        page = client.post(url, {"versi": "1", "publikasikan": "1"}, follow=True).content.decode()
    assert "3 hasil" in page
    for skp in skps:
        skp.refresh_from_db()
        skp.hasil.refresh_from_db()
        assert skp.status == StatusSkp.DIPUBLIKASIKAN and skp.hasil.dipublikasikan is not None
        assert not waiting_task(skp).exists()
        assert Task.objects.filter(process_id=skp.process_id, flow_task=AppraisalFlow.appeal_window).exists()
    assert AuditEvent.objects.filter(action=AuditAction.KALIBRASI_PUBLISHED).count() == 1
    assert "Dinas Kesehatan" not in client.get("/kinerja/kalibrasi/").content.decode()


def _blocking_rules():
    from rules.services import rule_version_copy, rule_version_publish, table_rows_save
    from rules.spec import RowSpec

    draft = rule_version_copy(version=pack_in_force())
    from tests.helpers import policy_outputs

    outputs = policy_outputs(distribusi_memblokir=True)
    table_rows_save(table=draft.tables.get(name="kebijakan"), rows=[RowSpec({}, outputs)])
    case = draft.tables.get(name="kebijakan").test_cases.get()
    case.expected = {**case.expected, "distribusi_memblokir": True}
    case.save()
    rule_version_publish(version=draft, effective_from=TEST_RULES_FROM)


def test_a_calibration_still_breaching_a_blocking_pattern_cannot_publish(
    client, org, seksi, shipped_rules_pack, periode, opened, django_capture_on_commit_callbacks
):
    _blocking_rules()
    CapaianOrganisasi.objects.create(periode=periode, unit=org.dinkes, predikat="butuh_perbaikan")
    skps = score_three(org, seksi, ratings=("di_atas", "di_atas", "sesuai"))
    # scoring does not send anyone back under calibration: all wait
    assert all(s.status == StatusSkp.DINILAI for s in skps)
    admin = org_admin(org)
    client.force_login(admin)
    url = f"/kinerja/kalibrasi/{periode.pk}/{org.dinkes.pk}/"
    page = client.post(url, {"versi": "0", "publikasikan": "1"}, follow=True).content.decode()
    # at most 10 % Sangat Baik of the OPD's employees is 1 person; 2 are rated so
    assert "Sangat Baik" in page and "1 terlalu banyak" in page
    assert not Skp.objects.filter(pk__in=[s.pk for s in skps], status=StatusSkp.DIPUBLIKASIKAN).exists()
    data = {"versi": "0", f"hk_{skps[1].pk}": "sesuai", f"pr_{skps[1].pk}": "sesuai", f"alasan_{skps[1].pk}": REASON}
    client.post(url, data)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"versi": "1", "publikasikan": "1"})
    assert Skp.objects.filter(pk__in=[s.pk for s in skps], status=StatusSkp.DIPUBLIKASIKAN).count() == 3


def org_admin(org):
    from django.contrib.auth import get_user_model

    from workflow.models import PeranAdmin
    from workflow.services.roles import ensure_admin_group

    user = get_user_model().objects.create_user("admin.bkd.kal", password="Rahasia-2026!", is_staff=True)
    user.groups.add(ensure_admin_group())
    PeranAdmin.objects.create(user=user, instansi=org.instansi)
    return user


def test_the_unit_head_does_not_calibrate_their_own_result(org, shipped_rules_pack, periode, opened):
    from django.core.exceptions import ValidationError

    from workflow.services.kalibrasi import RatingChange, kalibrasi_change

    CapaianOrganisasi.objects.create(periode=periode, unit=org.seksi, predikat="baik")
    skp = through_final_review(org, org.kasi, org.kabid, lambda r: "sesuai", lambda v: "sesuai")
    assert skp.status == StatusSkp.DINILAI
    with pytest.raises(ValidationError, match="sendiri|own"):
        kalibrasi_change(
            periode=periode,
            unit=org.dinkes,
            versi=0,
            changes=[RatingChange(skp.pk, "di_atas", "sesuai", REASON)],
            by=_as_head(org, org.kasi),
        )


def _as_head(org, person):
    """Make ``person`` the acting head of Dinas Kesehatan for this check (they calibrate the OPD)."""
    from workflow.models import JenisPenugasan, PenugasanPlt

    org.instansi.plt_boleh_menilai = True
    org.instansi.save()
    PenugasanPlt.objects.create(
        pegawai=person,
        jabatan=org.dinkes.jabatan_kepala,
        jenis=JenisPenugasan.PLT,
        tanggal_mulai=dt.date(2020, 1, 1),
        tanggal_selesai=dt.date(2030, 1, 1),
        nomor_sk="800/1/2026",
    )
    return person.user


@pytest.mark.parametrize(
    ("share", "total", "rounding", "people"),
    [
        (0.7, 5, "terdekat", 4),
        (0.7, 5, "ke_bawah", 3),
        (0.1, 30, "ke_atas", 3),
        (0.1, 4, "ke_atas", 1),
        (0.1, 4, "terdekat", 0),
    ],
)
def test_shares_become_whole_people_as_the_policy_rounds(share, total, rounding, people):
    assert people_of(share, total, rounding) == people
    bound = pattern_bounds(counts={}, total=total, pattern={"max_baik": share}, complete=True, rounding=rounding)[0]
    assert bound.limit == people


def test_a_kasi_with_one_subordinate_is_not_in_breach_under_opd_level(org, seksi, shipped_rules_pack, periode, opened):
    """Under the team level a Kasi's only subordinate rated Baik breaks "at least 1 Butuh Perbaikan";
    counted with the whole OPD, nothing is judged until the OPD is scored."""
    CapaianOrganisasi.objects.create(periode=periode, unit=org.dinkes, predikat="baik")
    skp = through_final_review(org, org.pelaksana, org.kasi, lambda r: "sesuai", lambda v: "sesuai")
    assert skp.hasil.peringatan_distribusi == "" and skp.status == StatusSkp.DINILAI


def _change(periode_id, unit_id, skp_id, user_id, rating, barrier, results):
    from django.db import connections

    connections.close_all()  # a forked child must not reuse the parent's connection
    from django.contrib.auth import get_user_model
    from django.core.exceptions import ValidationError

    from workflow.models import Periode, Unit
    from workflow.services.kalibrasi import RatingChange, kalibrasi_change

    user = get_user_model().objects.get(pk=user_id)
    barrier.wait()
    try:
        kalibrasi_change(
            periode=Periode.objects.get(pk=periode_id),
            unit=Unit.objects.get(pk=unit_id),
            versi=0,
            changes=[RatingChange(skp_id, rating, "sesuai", REASON)],
            by=user,
        )
        results.put(("ok", skp_id))
    except ValidationError as exc:
        results.put((" ".join(exc.messages), skp_id))
    finally:
        connections.close_all()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_admins_calibrating_one_unit_at_once_never_lose_a_change(org, seksi, shipped_rules_pack, periode, opened):
    """Both pages showed version 0: one change is applied, the other refused with a message (the
    admin reloads and sees the first change); neither is applied over the other unseen."""
    import multiprocessing as mp

    from django.db import connections

    CapaianOrganisasi.objects.create(periode=periode, unit=org.dinkes, predikat="baik")
    skps = score_three(org, seksi)
    admins = [org_admin(org), _second_admin(org)]
    ctx = mp.get_context("fork")
    barrier, results = ctx.Barrier(2), ctx.Queue()
    connections.close_all()
    workers = [
        ctx.Process(target=_change, args=(periode.pk, org.dinkes.pk, skp.pk, admin.pk, "di_bawah", barrier, results))
        for skp, admin in zip(skps[:2], admins, strict=True)
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    outcomes = [results.get(timeout=5) for _ in workers]
    applied = [skp_id for outcome, skp_id in outcomes if outcome == "ok"]
    refused = [outcome for outcome, _skp_id in outcomes if outcome != "ok"]
    assert len(applied) == 1 and len(refused) == 1 and "Muat ulang" in refused[0], outcomes
    changed = {s.pk for s in skps if s.hasil.__class__.objects.get(skp=s).rating_hasil_kerja == "di_bawah"}
    assert changed == set(applied)
    assert Kalibrasi.objects.get(unit=org.dinkes).versi == 1
    assert AuditEvent.objects.filter(action=AuditAction.KALIBRASI_CHANGED).count() == 1


def _second_admin(org):
    from django.contrib.auth import get_user_model

    from workflow.models import PeranAdmin

    user = get_user_model().objects.create_user("admin.bkd.dua", password="Rahasia-2026!", is_staff=True)
    PeranAdmin.objects.create(user=user, instansi=org.instansi)
    return user


# --- the calibration task in the unit head's inbox (``flows.KalibrasiFlow``) -------------------


def calibration_tasks(unit, **filters):
    from workflow.flows import KalibrasiFlow

    return Task.objects.filter(
        flow_task=KalibrasiFlow.calibrate, process__tugas_kalibrasi__kalibrasi__unit=unit, **filters
    )


def test_the_opd_head_gets_one_calibration_task_that_opens_the_page_and_publication_completes_it(
    client, org, seksi, shipped_rules_pack, periode, opened, django_capture_on_commit_callbacks
):
    CapaianOrganisasi.objects.create(periode=periode, unit=org.dinkes, predikat="baik")
    skps = score_three(org, seksi)
    # three results wait: one task, in the Kepala Dinas's inbox
    task = calibration_tasks(org.dinkes).get()
    assert task.status == STATUS.ASSIGNED and task.owner == org.kadis.user

    client.force_login(org.kasi.user)  # a Kasi sees nothing of it and cannot open it
    assert "Dinas Kesehatan" not in client.get("/kalibrasi/inbox/").content.decode()
    execute = f"/kalibrasi/{task.process_id}/calibrate/{task.pk}/execute/"
    assert client.get(execute).status_code == 403

    client.force_login(org.kadis.user)
    inbox = client.get("/kalibrasi/inbox/").content.decode()
    assert "Dinas Kesehatan" in inbox and f"/kalibrasi/{task.process_id}/calibrate/{task.pk}/" in inbox
    # the one inbox lists it beside the appraisal tasks (found by its unit's name), and every page's menu counts it
    link = f"/kalibrasi/{task.process_id}/calibrate/{task.pk}/"
    assert link in client.get("/kinerja/kotak-masuk/").content.decode()
    assert link in client.get("/kinerja/kotak-masuk/", {"q": "kesehatan"}).content.decode()
    assert link not in client.get("/kinerja/kotak-masuk/", {"q": "Sekretariat"}).content.decode()
    assert "kinerja-badge--inbox" in client.get("/appraisal/inbox/").content.decode()
    page = client.get(execute, follow=True)
    assert page.redirect_chain[-1][0] == f"/kinerja/kalibrasi/{periode.pk}/{org.dinkes.pk}/"
    assert "3 dari" in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/kinerja/kalibrasi/{periode.pk}/{org.dinkes.pk}/", {"versi": "0", "publikasikan": "1"})
    task.refresh_from_db()
    assert task.status == STATUS.DONE and task.owner == org.kadis.user
    assert all(Skp.objects.get(pk=s.pk).status == StatusSkp.DIPUBLIKASIKAN for s in skps)
    assert "Dinas Kesehatan" not in client.get("/kalibrasi/inbox/").content.decode()
    # the finished task's page still shows to the head
    assert client.get(f"/kalibrasi/{task.process_id}/").status_code == 200


def test_an_admin_publishing_completes_the_heads_task_and_a_late_result_opens_the_next(
    client, org, seksi, shipped_rules_pack, periode, opened, django_capture_on_commit_callbacks
):
    CapaianOrganisasi.objects.create(periode=periode, unit=org.dinkes, predikat="baik")
    score_three(org, seksi)[:2]
    admin = org_admin(org)
    client.force_login(admin)
    assert "Dinas Kesehatan" in client.get("/kalibrasi/tasks/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/kinerja/kalibrasi/{periode.pk}/{org.dinkes.pk}/", {"versi": "0", "publikasikan": "1"})
    done = calibration_tasks(org.dinkes).get()
    assert done.status == STATUS.DONE and done.owner == admin

    # a result scored after the publication waits for the next one: a new task for the head
    late = through_final_review(org, org.kasi, org.kabid, lambda r: "sesuai", lambda v: "sesuai")
    assert late.status == StatusSkp.DINILAI
    fresh = calibration_tasks(org.dinkes, status=STATUS.ASSIGNED).get()
    assert fresh.owner == org.kadis.user and fresh.pk != done.pk


def test_nobody_outside_the_unit_takes_its_calibration_task(org, seksi, shipped_rules_pack, periode, opened):
    from workflow.flows import KalibrasiFlow

    CapaianOrganisasi.objects.create(periode=periode, unit=org.dinkes, predikat="baik")
    through_final_review(org, org.pelaksana, org.kasi, lambda r: "sesuai", lambda v: "sesuai")
    task = calibration_tasks(org.dinkes).get()
    node = KalibrasiFlow.calibrate
    assert node.refusal(org.kadis.user, task) is None
    assert "Dinas Kesehatan" in node.refusal(org.kasi.user, task)
    task.owner = org.kasi.user  # reassigned by mistake: still cannot execute it
    assert not node.can_execute(org.kasi.user, task)


def test_the_team_page_shows_the_pattern_at_the_opd_level_with_the_whole_unit(
    client, org, seksi, shipped_rules_pack, periode, opened
):
    CapaianOrganisasi.objects.create(periode=periode, unit=org.dinkes, predikat="baik")
    score_three(org, seksi)
    total = Skp.objects.filter(
        periode=periode, unit__in=[org.dinkes, org.bidang, org.seksi, *(k.unit for k, _p in seksi)]
    ).count()
    client.force_login(org.kasi.user)  # a Kasi with one subordinate: judged with the whole OPD
    page = client.get("/kinerja/tim/").content.decode()
    assert "Dinas Kesehatan — pola berlaku pada tingkat ini (Perangkat daerah (OPD))" in page
    assert f"Pola menghitung seluruh pegawai unit, bukan hanya tim Anda: 3 dari {total} sudah dinilai." in page
    assert "Hasil menunggu kalibrasi unit dan dipublikasikan bersama." in page
    assert "dinilai setelah seluruh unit dinilai" in page  # the OPD is not complete yet
    assert "Buka kalibrasi unit" not in page  # a Kasi does not calibrate the OPD
    client.force_login(org.kadis.user)
    page = client.get("/kinerja/tim/").content.decode()
    assert f"/kinerja/kalibrasi/{periode.pk}/{org.dinkes.pk}/" in page and "Buka kalibrasi unit" in page
