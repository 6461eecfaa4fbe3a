"""Who gets an SKP (issue 13, item 3): employees on unpaid leave (CLTN), study leave (tugas belajar)
or suspended are left out of a period's opening with the reason shown to the admin; coming back
inside the period opens an SKP from the day after; a leave over an SKP's approved months, a leave
ending before it starts or overlapping another is refused with a message, writing nothing."""

import datetime as dt

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from tests.factories import InstansiFactory, PegawaiFactory
from tests.helpers import approve, as_csv, good_rows, person_row
from workflow.models import (
    AuditAction,
    AuditEvent,
    JenisInstansi,
    JenisKeadaan,
    KeadaanPegawai,
    PengecualianPembukaan,
    PeranAdmin,
    Skp,
    StatusSkp,
)
from workflow.services.deadlines import run_timers
from workflow.services.keadaan import keadaan_end, keadaan_record, returns_open
from workflow.services.org_import import OrgImportError, org_import, read_rows
from workflow.services.period_open import period_open
from workflow.services.roles import ensure_admin_group

pytestmark = pytest.mark.django_db

D = dt.date
TB = JenisKeadaan.TUGAS_BELAJAR


def on(day: dt.date, hour: int = 9):
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, hour, tzinfo=dt.UTC), tick=False)


def leave(pegawai, mulai, selesai=None, jenis=TB, **kwargs):
    return keadaan_record(pegawai=pegawai, jenis=jenis, tanggal_mulai=mulai, tanggal_selesai=selesai, **kwargs)


def open_on(day, periode, by, capture):
    with on(day), capture(execute=True):
        job = period_open(periode=periode, by=by)
    job.refresh_from_db()
    return job


def skps(pegawai):
    return list(Skp.objects.filter(pegawai=pegawai).order_by("urutan").values_list("urutan", "tanggal_mulai"))


# --- opening a period -------------------------------------------------------------------------


def test_an_employee_on_study_leave_is_left_out_of_the_opening_with_the_reason(
    org, periode, bkd, django_capture_on_commit_callbacks
):
    leave(org.pelaksana, D(2025, 9, 1), D(2027, 8, 31), nomor_sk="800/215/BKD/2025", by=bkd)
    job = open_on(D(2026, 1, 5), periode, bkd, django_capture_on_commit_callbacks)
    assert not Skp.objects.filter(pegawai=org.pelaksana).exists()
    assert Skp.objects.filter(pegawai=org.kasi).exists()  # everyone else is opened
    assert job.total == job.dibuat == Skp.objects.count()
    (excluded,) = PengecualianPembukaan.objects.filter(pembukaan=job)
    assert (excluded.pegawai, excluded.jenis, excluded.pada_tanggal) == (org.pelaksana, TB, D(2026, 1, 5))
    assert (excluded.tanggal_mulai, excluded.tanggal_selesai) == (D(2025, 9, 1), D(2027, 8, 31))
    event = AuditEvent.objects.get(action=AuditAction.PERIOD_OPENED)
    assert event.after["excluded"] == 1 and event.actor == bkd


def test_the_admin_sees_who_was_left_out_and_why_on_the_opening_page(
    client, org, periode, bkd, django_capture_on_commit_callbacks
):
    leave(org.pelaksana, D(2025, 9, 1), None, jenis=JenisKeadaan.DIBERHENTIKAN_SEMENTARA)
    job = open_on(D(2026, 1, 5), periode, bkd, django_capture_on_commit_callbacks)
    client.force_login(bkd)
    with translation.override("id"):
        page = client.get(reverse("kinerja:open_period_status", args=[job.pk]), HTTP_ACCEPT_LANGUAGE="id")
    html = page.content.decode()
    assert page.status_code == 200
    assert org.pelaksana.nama in html and org.pelaksana.nip in html
    assert "Diberhentikan sementara" in html and "01-09-2025" in html and "belum diketahui" in html
    progress = client.get(reverse("kinerja:open_period_status", args=[job.pk]) + "?format=json").json()
    assert progress["dikecualikan"] == 1
    rekap = client.get(reverse("kinerja:rekap") + f"?periode={periode.pk}", HTTP_ACCEPT_LANGUAGE="id")
    assert "1 pegawai tidak dibuka" in rekap.content.decode()


def test_another_governments_admin_cannot_see_the_left_out(
    client, org, periode, bkd, django_capture_on_commit_callbacks
):
    leave(org.pelaksana, D(2025, 9, 1), D(2027, 8, 31))
    job = open_on(D(2026, 1, 5), periode, bkd, django_capture_on_commit_callbacks)
    other = get_user_model().objects.create_user("admin.bkpsdm", is_staff=True)
    PeranAdmin.objects.create(user=other, instansi=InstansiFactory(kode="PEMKOT-BKL", jenis=JenisInstansi.KOTA))
    client.force_login(other)
    response = client.get(reverse("kinerja:open_period_status", args=[job.pk]))
    assert response.status_code == 404 and org.pelaksana.nama not in response.content.decode()


def test_a_leave_ended_before_the_opening_gives_an_skp_from_the_return_date(
    org, periode, django_capture_on_commit_callbacks
):
    leave(org.pelaksana, D(2025, 9, 1), D(2026, 1, 2), jenis=JenisKeadaan.CLTN)
    job = open_on(D(2026, 1, 5), periode, None, django_capture_on_commit_callbacks)
    assert skps(org.pelaksana) == [(1, D(2026, 1, 3))]
    assert skps(org.kasi) == [(1, D(2026, 1, 1))]
    assert not job.pengecualian_set.exists()


def test_a_leave_starting_after_the_reference_date_does_not_leave_anyone_out(
    org, periode, django_capture_on_commit_callbacks
):
    leave(org.pelaksana, D(2026, 6, 1), D(2026, 11, 30), jenis=JenisKeadaan.CLTN)
    open_on(D(2026, 1, 5), periode, None, django_capture_on_commit_callbacks)
    assert skps(org.pelaksana) == [(1, D(2026, 1, 1))]


def test_opening_costs_the_same_queries_for_one_or_many_people_on_leave(org, periode):
    """No query per employee left out: the exclusions are found and written in bulk."""
    people = [PegawaiFactory(instansi=org.instansi, unit=org.seksi) for _ in range(12)]
    leave(people[0], D(2025, 9, 1), None)

    def count():
        with on(D(2026, 1, 5)), CaptureQueriesContext(connection) as queries:
            period_open(periode=periode, by=None)  # the chunks run on commit: not here
        return len(queries)

    count()  # the first opening also opens the period
    one = count()
    for p in people[1:]:
        leave(p, D(2025, 9, 1), None)
    assert count() == one
    assert PengecualianPembukaan.objects.count() == 1 + 1 + 12


# --- coming back --------------------------------------------------------------------------------


def test_recording_the_end_of_a_leave_that_is_over_opens_an_skp_from_the_day_after(
    org, periode, bkd, django_capture_on_commit_callbacks
):
    away = leave(org.pelaksana, D(2025, 9, 1), None)
    open_on(D(2026, 1, 5), periode, bkd, django_capture_on_commit_callbacks)
    with on(D(2026, 9, 10)):
        keadaan_end(keadaan=away, tanggal_selesai=D(2026, 8, 31), by=bkd)
    (skp,) = Skp.objects.filter(pegawai=org.pelaksana)
    assert (skp.urutan, skp.tanggal_mulai, skp.tanggal_selesai) == (1, D(2026, 9, 1), D(2026, 12, 31))
    assert skp.penilai == org.kasi and skp.status == StatusSkp.DRAFT
    task = Task.objects.get(process_id=skp.process_id, status=STATUS.ASSIGNED)
    assert task.owner == org.pelaksana.user and task.flow_task.name == "draft_plan"
    actions = list(AuditEvent.objects.filter(actor=bkd).order_by("seq").values_list("action", flat=True))
    assert actions[-2:] == [AuditAction.KEADAAN_CHANGED, AuditAction.APPRAISAL_OPENED]


def test_a_future_end_opens_the_skp_on_the_return_day_from_the_timers_once(
    org, periode, django_capture_on_commit_callbacks
):
    away = leave(org.pelaksana, D(2025, 9, 1), None)
    open_on(D(2026, 1, 5), periode, None, django_capture_on_commit_callbacks)
    with on(D(2026, 3, 2)):
        keadaan_end(keadaan=away, tanggal_selesai=D(2026, 6, 30))
    assert skps(org.pelaksana) == []
    with on(D(2026, 6, 30), hour=10):  # 17:00 WIB
        assert run_timers()["returns"] == 0
    with on(D(2026, 7, 1)):
        assert run_timers()["returns"] == 1
        assert run_timers()["returns"] == 0
    with on(D(2026, 7, 20)):
        assert returns_open() == 0
    assert skps(org.pelaksana) == [(1, D(2026, 7, 1))]


def test_no_return_skp_for_someone_still_away_or_whom_the_period_was_not_opened_for(
    org, periode, django_capture_on_commit_callbacks
):
    first = leave(org.pelaksana, D(2025, 9, 1), None, jenis=JenisKeadaan.CLTN)
    open_on(D(2026, 1, 5), periode, None, django_capture_on_commit_callbacks)
    newcomer = PegawaiFactory(instansi=org.instansi, unit=org.seksi)  # added after the opening
    leave(newcomer, D(2026, 2, 1), D(2026, 3, 31))
    with on(D(2026, 3, 20)):
        keadaan_end(keadaan=first, tanggal_selesai=D(2026, 3, 31))
        leave(org.pelaksana, D(2026, 4, 1), D(2026, 4, 30), jenis=JenisKeadaan.DIBERHENTIKAN_SEMENTARA)
    with on(D(2026, 4, 2)):  # the first return day is covered by the suspension
        assert run_timers()["returns"] == 0
    with on(D(2026, 5, 1)):  # back; the newcomer, whom the period was never opened for, gets nothing
        assert run_timers()["returns"] == 1
    assert skps(org.pelaksana) == [(1, D(2026, 5, 1))]
    assert skps(newcomer) == []


# --- bad input ----------------------------------------------------------------------------------


def test_a_leave_over_the_approved_months_of_an_skp_is_refused_and_nothing_written(org, opened):
    with on(D(2026, 2, 2)):
        approve(org, org.pelaksana, org.kasi)
    events = AuditEvent.objects.count()
    with translation.override("id"), pytest.raises(ValidationError) as refused:
        leave(org.pelaksana, D(2026, 6, 1), None)
    message = " ".join(refused.value.message_dict["tanggal_mulai"])
    assert "SKP 2026" in message and "01-01-2026 – 31-12-2026" in message and "disetujui" in message
    assert not KeadaanPegawai.objects.exists() and AuditEvent.objects.count() == events
    # Ending before the approved months start is fine.
    leave(org.pelaksana, D(2025, 9, 1), D(2025, 12, 31))


def test_a_leave_over_an_skp_still_being_planned_is_recorded(org, opened):
    leave(org.pelaksana, D(2026, 6, 1), None)
    assert KeadaanPegawai.objects.filter(pegawai=org.pelaksana).count() == 1


def test_a_leave_ending_before_it_starts_is_refused(org):
    with translation.override("id"), pytest.raises(ValidationError) as refused:
        leave(org.pelaksana, D(2026, 6, 1), D(2026, 5, 31))
    assert "sebelum tanggal mulai" in " ".join(refused.value.message_dict["tanggal_selesai"])
    assert not KeadaanPegawai.objects.exists()


def test_overlapping_leaves_of_one_employee_are_refused(org):
    leave(org.pelaksana, D(2026, 1, 1), D(2026, 6, 30), jenis=JenisKeadaan.CLTN)
    with translation.override("id"), pytest.raises(ValidationError) as refused:
        leave(org.pelaksana, D(2026, 6, 30), None)
    assert "CLTN" in " ".join(refused.value.message_dict["tanggal_mulai"])
    assert KeadaanPegawai.objects.count() == 1
    leave(org.pelaksana, D(2026, 7, 1), None)  # the next day is free
    leave(org.kasi, D(2026, 6, 30), None)  # and so is another employee


# --- the import ---------------------------------------------------------------------------------


def keadaan_rows(**keadaan):
    rows = good_rows()
    rows[3].update(keadaan)  # Hendra Safitri, the staff member
    return rows


def import_(rows, instansi=None, **kwargs):
    return org_import(instansi=instansi or InstansiFactory(), rows=read_rows(as_csv(rows), "org.csv"), **kwargs)


def test_the_import_records_a_leave_and_a_rerun_writes_nothing():
    rows = keadaan_rows(
        keadaan="Tugas belajar", keadaan_mulai="01-09-2025", keadaan_selesai="2027-08-31", keadaan_nomor_sk="800/1"
    )
    report = import_(rows)
    assert report.keadaan == 1
    away = KeadaanPegawai.objects.get()
    assert (away.jenis, away.tanggal_mulai, away.tanggal_selesai, away.nomor_sk) == (
        TB,
        D(2025, 9, 1),
        D(2027, 8, 31),
        "800/1",
    )
    history = KeadaanPegawai.history.count()
    assert import_(rows).keadaan == 0 and KeadaanPegawai.history.count() == history
    rows[3]["keadaan_selesai"] = "2026-08-31"  # the end is now known: the same status, changed
    assert import_(rows).keadaan == 1
    assert KeadaanPegawai.objects.get().tanggal_selesai == D(2026, 8, 31)


def test_bad_leave_rows_are_all_reported_by_row_and_column_and_nothing_is_written():
    rows = good_rows() + [
        person_row("DINKES-S1", "199105202015042002", "Lina Marlina", "Pengelola", "pelaksana")
        | {"keadaan": "cuti_besar", "keadaan_mulai": "2026-02-01"},
        person_row("DINKES-S1", "198511302010121003", "Irwan Saputra", "Pengelola", "pelaksana")
        | {"keadaan": "cltn", "keadaan_mulai": "2026-08-01", "keadaan_selesai": "2026-07-31"},
        person_row("DINKES-S1", "198903122014031001", "Rudi Hartono", "Pengelola", "pelaksana")
        | {"keadaan": "cltn", "keadaan_mulai": "31/02/2026"},
        person_row("DINKES-S1", "199001012015031004", "Agus Santoso", "Pengelola", "pelaksana")
        | {"keadaan_mulai": "2026-01-01"},
    ]
    with translation.override("id"), pytest.raises(OrgImportError) as refused:
        import_(rows)
    errors = refused.value.errors
    assert any(e.startswith("Baris 7:") and "cuti_besar" in e for e in errors), errors
    assert any(e.startswith("Baris 8:") and "keadaan_selesai" in e and "sebelum" in e for e in errors), errors
    assert any(e.startswith("Baris 9:") and "31/02/2026" in e and "bukan tanggal" in e for e in errors), errors
    assert any(e.startswith("Baris 10:") and "keadaan kosong" in e for e in errors), errors
    assert not KeadaanPegawai.objects.exists()


def test_an_imported_leave_over_approved_months_or_another_leave_is_refused_by_row(org, opened):
    from tests.helpers import NIP_STAFF

    with on(D(2026, 2, 2)):
        approve(org, org.pelaksana, org.kasi)
    leave(org.kabid, D(2026, 1, 1), None, jenis=JenisKeadaan.CLTN)
    rows = [
        person_row("SEKSI", org.pelaksana.nip, org.pelaksana.nama, org.pelaksana.jabatan.nama, "pelaksana")
        | {"keadaan": "tugas_belajar", "keadaan_mulai": "2026-03-01"},
        person_row("BIDANG", org.kabid.nip, org.kabid.nama, org.kabid.jabatan.nama, "administrator", kepala="ya")
        | {"keadaan": "tugas_belajar", "keadaan_mulai": "2026-03-01"},
    ]
    rows[0]["kode_unit"], rows[1]["kode_unit"] = org.seksi.kode, org.bidang.kode
    with translation.override("id"), pytest.raises(OrgImportError) as refused:
        import_(rows, instansi=org.instansi)
    errors = refused.value.errors
    assert any(e.startswith("Baris 2: keadaan_mulai:") and "SKP 2026" in e for e in errors), errors
    assert any(e.startswith("Baris 3: keadaan_mulai:") and "CLTN" in e for e in errors), errors
    assert KeadaanPegawai.objects.count() == 1 and NIP_STAFF


# --- the Django admin ---------------------------------------------------------------------------


@pytest.fixture
def bkd_in(client, bkd):
    bkd.groups.add(ensure_admin_group())
    client.force_login(bkd)
    return client


def admin_post(client, **data):
    return client.post(reverse("admin:workflow_keadaanpegawai_add"), data, HTTP_ACCEPT_LANGUAGE="id")


def test_an_admin_records_a_leave_in_the_django_admin_through_the_service(bkd_in, org, bkd):
    response = admin_post(
        bkd_in, pegawai=org.pelaksana.pk, jenis="cltn", tanggal_mulai="2026-02-01", tanggal_selesai="", nomor_sk="800/9"
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    away = KeadaanPegawai.objects.get()
    assert away.jenis == JenisKeadaan.CLTN and away.tanggal_selesai is None
    assert AuditEvent.objects.filter(action=AuditAction.KEADAAN_RECORDED, actor=bkd).count() == 1
    page = bkd_in.get(reverse("admin:workflow_pegawai_change", args=[org.pelaksana.pk]), HTTP_ACCEPT_LANGUAGE="id")
    assert "CLTN" in page.content.decode() and "800/9" in page.content.decode()


def test_the_django_admin_refuses_a_leave_over_approved_months_in_indonesian(bkd_in, org, opened):
    with on(D(2026, 2, 2)):
        approve(org, org.pelaksana, org.kasi)
    response = admin_post(bkd_in, pegawai=org.pelaksana.pk, jenis="tugas_belajar", tanggal_mulai="2026-09-01")
    assert response.status_code == 200
    assert "SKP 2026" in response.content.decode() and "disetujui" in response.content.decode()
    overlap = admin_post(
        bkd_in, pegawai=org.kasi.pk, jenis="cltn", tanggal_mulai="2026-09-01", tanggal_selesai="2026-08-01"
    )
    assert "sebelum tanggal mulai" in overlap.content.decode()
    assert not KeadaanPegawai.objects.exists()


def test_the_django_admin_offers_only_the_admins_own_employees(bkd_in, org):
    stranger = PegawaiFactory(instansi=InstansiFactory(kode="PEMKOT-BKL", jenis=JenisInstansi.KOTA))
    response = admin_post(bkd_in, pegawai=stranger.pk, jenis="cltn", tanggal_mulai="2026-02-01")
    assert response.status_code == 200 and not KeadaanPegawai.objects.exists()


# --- junk ---------------------------------------------------------------------------------------

JUNK = ["", " ", "\x00", "ya", "2026-13-01", "2026-02-30", "31-12-9999", "0000-00-00", "<script>", "'; DROP", "x" * 300]


def junk():
    from hypothesis import strategies as st

    return st.one_of(st.sampled_from(JUNK + JenisKeadaan.values + ["2026-03-01", "01-03-2026"]), st.text(max_size=30))


def test_junk_in_the_leave_columns_is_answered_with_messages_never_a_crash():
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    @settings(max_examples=40, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
    @given(
        st.fixed_dictionaries({c: junk() for c in ("keadaan", "keadaan_mulai", "keadaan_selesai", "keadaan_nomor_sk")})
    )
    def attempt(values):
        rows = keadaan_rows(**values)
        try:
            import_(rows, dry_run=True)
        except OrgImportError as exc:
            assert exc.errors and all(e.startswith(("Row ", "Baris ", "Missing", "Unknown")) for e in exc.errors)
        assert not KeadaanPegawai.objects.exists()

    attempt()


def test_junk_posted_to_the_django_admin_leave_form_never_crashes_or_writes(bkd_in, org):
    from django.db import transaction
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    fields = {"pegawai": st.sampled_from(["", "0", str(org.pelaksana.pk), "abc"])} | {
        f: junk() for f in ("jenis", "tanggal_mulai", "tanggal_selesai", "nomor_sk", "keterangan")
    }

    @settings(max_examples=30, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
    @given(st.fixed_dictionaries(fields))
    def attempt(data):
        with transaction.atomic():
            response = admin_post(bkd_in, **data)
            assert response.status_code < 500
            if response.status_code != 302:
                assert not KeadaanPegawai.objects.exists()
            transaction.set_rollback(True)

    attempt()
