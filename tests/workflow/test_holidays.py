"""The holiday calendar of a government and appeal days counted in working days.

The rule pack's ``kebijakan.jenis_hari_keberatan`` says ``kalender`` (default) or ``kerja``; under
``kerja`` the appeal window, the response and decision deadlines and their reminders skip
weekends and the government's holidays, which its BKD admin loads from ``config/hari-libur/``."""

import datetime as dt
import io

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS
from viewflow.workflow.timers import fire_due_timers

from rules.services import rule_version_copy, rule_version_publish, table_rows_save
from rules.spec import RowSpec
from tests.factories import InstansiFactory
from tests.helpers import TEST_RULES_FROM, at, pack_in_force, policy_outputs, through_final_review
from workflow.flows import AppealFlow
from workflow.models import AuditAction, AuditEvent, HariLibur, JenisInstansi, PeranAdmin, Skp, StatusSkp
from workflow.selectors.calendar import days_after
from workflow.services import appeal as appeal_svc
from workflow.services.deadlines import deadlines_sweep
from workflow.services.holidays import HolidayFileError, holiday_file_parse, holiday_file_path, holidays_load
from workflow.services.roles import ensure_admin_group

pytestmark = pytest.mark.django_db
WIB = dt.timezone(dt.timedelta(hours=7))


def publish_day_kind(kind: str):
    """A new version of the rules (as a rule admin would publish it) counting appeal days as ``kind``."""
    draft = rule_version_copy(version=pack_in_force())
    table = draft.tables.get(name="kebijakan")
    table_rows_save(
        table=table,
        rows=[
            RowSpec(
                {}, policy_outputs(jenis_hari_keberatan=kind, tingkat_distribusi="tim_penilai", publikasi="langsung")
            )
        ],
    )
    case = table.test_cases.get()
    case.expected = {
        **case.expected,
        "jenis_hari_keberatan": kind,
        "tingkat_distribusi": "tim_penilai",
        "publikasi": "langsung",
    }
    case.save()
    rule_version_publish(version=draft, effective_from=TEST_RULES_FROM)


@pytest.fixture
def kerja(rules_pack):
    publish_day_kind("kerja")


@pytest.fixture
def libur(org):
    """The 2026 national holidays and cuti bersama in the org's calendar (loaded by the system)."""
    return holidays_load(instansi=org.instansi, tahun=2026, by=None)


@pytest.fixture
def published(org, opened, rules_pack):
    """The pelaksana's result, published on Wednesday 2 December 2026."""
    skp = through_final_review(org, org.pelaksana, org.kasi, lambda r: "di_atas", lambda v: "sesuai")
    assert skp.status == StatusSkp.DIPUBLIKASIKAN
    return skp


@pytest.fixture
def pemkot_admin(db):
    pemkot = InstansiFactory(kode="PEMKOT-BKL", nama="Pemerintah Kota Bengkulu", jenis=JenisInstansi.KOTA)
    user = get_user_model().objects.create_user("admin.bkpsdm", password="x", is_staff=True)
    user.groups.add(ensure_admin_group())
    PeranAdmin.objects.create(user=user, instansi=pemkot)
    return user


# --- the 2026 file and bad files -----------------------------------------------------------------


def test_the_2026_file_holds_the_skb_lists_17_national_holidays_and_8_days_of_cuti_bersama():
    entries = holiday_file_parse(holiday_file_path(2026).read_text(encoding="utf-8"), tahun=2026)
    kinds = [e.jenis for e in entries]
    assert kinds.count("libur_nasional") == 17 and kinds.count("cuti_bersama") == 8
    by_date = {e.tanggal: e for e in entries}
    assert by_date[dt.date(2026, 3, 21)].nama.startswith("Idulfitri 1447")
    assert by_date[dt.date(2026, 8, 17)].jenis == "libur_nasional"
    assert by_date[dt.date(2026, 12, 24)].jenis == "cuti_bersama"
    assert [d.day for d in sorted(by_date) if d.month == 3] == [18, 19, 20, 21, 22, 23, 24]


BAD_FILE = """\
tahun: 2026
hari_libur:
  - {tanggal: 2026-01-01, jenis: libur_nasional, nama: Tahun Baru 2026 Masehi}
  - {tanggal: 2026-02-30, jenis: libur_nasional, nama: Tanggal yang tidak ada}
  - {tanggal: 2026-01-01, jenis: cuti_bersama, nama: Tahun Baru lagi}
  - {tanggal: 2026-05-01, jenis: libur_kantor, nama: Hari Buruh}
  - {tanggal: 2027-01-01, jenis: libur_nasional, nama: Tahun Baru 2027}
"""


def test_a_bad_file_names_each_bad_line_in_indonesian_and_loads_nothing(org, tmp_path):
    berkas = tmp_path / "2026.yaml"
    berkas.write_text(BAD_FILE, encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError, match="Tidak ada yang dimuat"):
        call_command(
            "hari_libur", "--instansi", org.instansi.kode, "--tahun", "2026", "--berkas", str(berkas), stderr=err
        )
    out = err.getvalue()
    assert "Baris 4: “2026-02-30” bukan tanggal" in out
    assert "Baris 5: 2026-01-01 sudah tercantum di baris 3" in out
    assert "Baris 6: jenis “libur_kantor” tidak dikenal" in out
    assert "Baris 7: 2027-01-01 tidak berada di tahun 2026" in out
    assert not HariLibur.objects.exists() and not AuditEvent.objects.filter(action=AuditAction.HOLIDAYS_LOADED).exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Baris 1: berkas harus berisi"),
        ("tahun: 2026\nhari_libur: [\n", "Baris 3: berkas tidak dapat dibaca"),
        (
            "tahun: 2025\nhari_libur:\n  - {tanggal: 2026-01-01, jenis: libur_nasional, nama: X}\n",
            "Baris 1: berkas ini",
        ),
        ("tahun: 2026\nhari_libur: []\n", "daftar “hari_libur:” tidak ada atau kosong"),
        (
            "tahun: 2026\nhari_libur:\n  - {tanggal: 2026-01-01, jenis: libur_nasional, nama: ''}\n",
            "Baris 3: hari libur perlu nama",
        ),
        ("tahun: 2026\nhari_libur:\n  - {tanggal: 1-1-2026, jenis: libur_nasional, nama: X}\n", "bukan tanggal"),
        ("tahun: 2026\nhari_libur:\n  - 2026-01-01\n", "Baris 3: seharusnya berbentuk"),
    ],
)
def test_other_broken_files_are_refused_with_their_line(text, message):
    with pytest.raises(HolidayFileError) as exc:
        holiday_file_parse(text, tahun=2026)
    assert any(message in m for m in exc.value.messages), exc.value.messages


# --- loading: idempotent, audited, scoped ---------------------------------------------------------


def test_loading_twice_adds_the_year_once_and_audits_it_once(org):
    out = io.StringIO()
    call_command("hari_libur", "--instansi", org.instansi.kode, "--tahun", "2026", stdout=out)
    assert "25 hari libur ditambahkan, 0 sudah ada" in out.getvalue()
    counts = (HariLibur.objects.count(), HariLibur.history.count(), AuditEvent.objects.count())
    assert counts[:2] == (25, 25)
    event = AuditEvent.objects.get(action=AuditAction.HOLIDAYS_LOADED)
    assert event.instansi_id == org.instansi.pk and event.after["tahun"] == 2026
    assert len(event.after["ditambahkan"]) == 25 and event.actor.username == "sistem"

    out = io.StringIO()
    call_command("hari_libur", "--instansi", org.instansi.kode, "--tahun", "2026", stdout=out)
    assert "0 hari libur ditambahkan, 25 sudah ada" in out.getvalue()
    assert (HariLibur.objects.count(), HariLibur.history.count(), AuditEvent.objects.count()) == counts


def test_an_admins_own_entry_on_a_national_date_is_kept(org):
    HariLibur.objects.create(
        instansi=org.instansi, tanggal=dt.date(2026, 8, 17), nama="HUT RI ke-81", jenis="libur_daerah"
    )
    report = holidays_load(instansi=org.instansi, tahun=2026, by=None)
    assert len(report.added) == 24 and report.kept == [dt.date(2026, 8, 17)]
    assert HariLibur.objects.get(tanggal=dt.date(2026, 8, 17)).nama == "HUT RI ke-81"


def test_the_bkd_admin_loads_the_year_through_the_page(client, org, bkd):
    client.force_login(bkd)
    page = client.get("/kinerja/hari-libur/").content.decode()
    assert "Muat hari libur nasional" in page and "Belum ada hari libur" in page
    assert "/kinerja/hari-libur/" in client.get("/kinerja/rekap/").content.decode()  # in the menu
    response = client.post("/kinerja/hari-libur/", {"instansi": org.instansi.pk, "tahun": 2026}, follow=True)
    body = response.content.decode()
    assert "25 hari libur tahun 2026 ditambahkan ke kalender Pemerintah Provinsi Bengkulu" in body
    assert "Hari Raya Waisak 2570 BE" in body and "Cuti bersama" in body and "31-05-2026" in body
    assert AuditEvent.objects.get(action=AuditAction.HOLIDAYS_LOADED).actor == bkd
    assert HariLibur.history.filter(history_user=bkd).count() == 25
    again = client.post("/kinerja/hari-libur/", {"instansi": org.instansi.pk, "tahun": 2026}, follow=True)
    assert "sudah ada di kalender Pemerintah Provinsi Bengkulu; tidak ada yang berubah" in again.content.decode()
    assert (
        HariLibur.objects.count() == 25 and AuditEvent.objects.filter(action=AuditAction.HOLIDAYS_LOADED).count() == 1
    )


@pytest.mark.parametrize("tahun", ["2099", "", "abc", "1e309", "２０２６"])
def test_junk_on_the_page_gets_a_message_and_writes_nothing(client, org, bkd, tahun):
    client.force_login(bkd)
    response = client.post("/kinerja/hari-libur/", {"instansi": org.instansi.pk, "tahun": tahun})
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert not HariLibur.objects.exists()


def test_an_employee_has_no_holiday_page(client, org, opened):
    client.force_login(org.pelaksana.user)
    assert client.get("/kinerja/hari-libur/").status_code == 403
    assert client.post("/kinerja/hari-libur/", {"instansi": org.instansi.pk, "tahun": 2026}).status_code == 403
    assert not HariLibur.objects.exists()


def test_another_governments_admin_neither_sees_nor_changes_this_governments_holidays(client, org, libur, pemkot_admin):
    client.force_login(pemkot_admin)
    mine = org.instansi.pk
    page = client.get(f"/kinerja/hari-libur/?instansi={mine}&tahun=2026").content.decode()
    assert "Pemerintah Kota Bengkulu" in page and "Hari Raya Waisak" not in page and "Pemerintah Provinsi" not in page
    refused = client.post("/kinerja/hari-libur/", {"instansi": mine, "tahun": 2026})
    assert refused.status_code == 200 and "Masukkan pilihan yang valid" in refused.content.decode()
    listing = client.get("/admin/workflow/harilibur/").content.decode()
    assert "Waisak" not in listing
    waisak = HariLibur.objects.get(tanggal=dt.date(2026, 5, 31))
    assert client.get(f"/admin/workflow/harilibur/{waisak.pk}/change/").status_code == 404
    data = {"instansi": mine, "tanggal": "2026-05-31", "nama": "Diubah", "jenis": "libur_daerah"}
    assert client.post(f"/admin/workflow/harilibur/{waisak.pk}/change/", data).status_code == 404
    assert client.post(f"/admin/workflow/harilibur/{waisak.pk}/delete/", {"post": "yes"}).status_code == 404
    added = client.post("/admin/workflow/harilibur/add/", {**data, "tanggal": "2026-06-02"})
    assert added.status_code == 200  # their own government only: the choice is refused
    waisak.refresh_from_db()
    assert waisak.nama == "Hari Raya Waisak 2570 BE" and HariLibur.objects.count() == 25
    with pytest.raises(PermissionDenied):
        holidays_load(instansi=org.instansi, tahun=2026, by=pemkot_admin)


def test_the_bkd_admin_adds_a_regional_holiday_in_the_admin_audited_and_once_per_date(client, org, bkd, libur):
    client.force_login(bkd)
    data = {
        "instansi": org.instansi.pk,
        "tanggal": "2026-11-18",
        "nama": "HUT Provinsi Bengkulu",
        "jenis": "libur_daerah",
    }
    assert client.post("/admin/workflow/harilibur/add/", data).status_code == 302
    added = HariLibur.objects.get(tanggal=dt.date(2026, 11, 18))
    event = AuditEvent.objects.get(action=AuditAction.ADMIN_ADDED, object_id=str(added.pk))
    assert event.actor == bkd and event.after["nama"] == "HUT Provinsi Bengkulu"
    twice = client.post("/admin/workflow/harilibur/add/", {**data, "nama": "Lagi"})
    assert (
        twice.status_code == 200
        and "Kalender instansi sudah memiliki hari libur pada tanggal ini" in twice.content.decode()
    )
    assert HariLibur.objects.filter(tanggal=dt.date(2026, 11, 18)).count() == 1


# --- working days in the appeal deadlines ------------------------------------------------------


def test_a_result_published_before_lebaran_may_be_appealed_longer_under_working_days(org, published, libur):
    """Published on Friday 13 March 2026: 14 calendar days end on 27 March; 14 working days skip
    the weekends, the Nyepi and Lebaran week (18-24 March) and Good Friday: 10 April."""
    hasil = published.hasil
    hasil.dipublikasikan = dt.datetime(2026, 3, 13, 10, tzinfo=WIB)
    hasil.save(update_fields=["dipublikasikan"])
    skp = Skp.objects.get(pk=published.pk)
    kalender = timezone.localtime(appeal_svc.appeal_deadline(skp))
    assert kalender.date() == dt.date(2026, 3, 27)
    publish_day_kind("kerja")
    kerja = timezone.localtime(appeal_svc.appeal_deadline(Skp.objects.get(pk=published.pk)))
    assert kerja.date() == dt.date(2026, 4, 10) and kerja > kalender
    assert (kerja.hour, kerja.minute) == (23, 59)


def test_without_holidays_working_days_skip_only_weekends(org, kerja, published):
    hasil = published.hasil
    hasil.dipublikasikan = dt.datetime(2026, 3, 13, 10, tzinfo=WIB)
    hasil.save(update_fields=["dipublikasikan"])
    assert timezone.localtime(appeal_svc.appeal_deadline(Skp.objects.get(pk=published.pk))).date() == dt.date(
        2026, 4, 2
    )


def test_a_calendar_full_of_holidays_still_gives_the_right_day(org):
    start = dt.date(2026, 9, 1)
    for n in range(120):  # four months of regional holidays: beyond the span looked at first
        HariLibur.objects.create(
            instansi=org.instansi, tanggal=start + dt.timedelta(days=n), nama=f"Libur {n}", jenis="libur_daerah"
        )
    assert days_after(instansi_id=org.instansi.pk, start=dt.date(2026, 8, 31), days=1, kind="kerja") == dt.date(
        2026, 12, 30
    )
    assert days_after(instansi_id=org.instansi.pk, start=dt.date(2026, 12, 30), days=-2, kind="kerja") == dt.date(
        2026, 8, 28
    )


def test_the_result_page_and_the_appeal_window_follow_working_days(client, org, libur, kerja, published):
    """Published on Wednesday 2 December: 14 working days end on 22 December (calendar: 16)."""
    client.force_login(org.pelaksana.user)
    with at(5):
        page = client.get(f"/appraisal/{published.process_id}/").content.decode()
        assert "sampai 22-12-2026" in page and "hari kerja: Sabtu, Minggu dan hari libur tidak dihitung" in page
        form = client.get(f"/kinerja/keberatan/{published.pk}/").content.decode()
        assert "22-12-2026" in form and "hari kerja" in form
    with at(17):
        fire_due_timers()  # the calendar window would have closed
    assert Skp.objects.get(pk=published.pk).status == StatusSkp.DIPUBLIKASIKAN
    with at(23):
        fire_due_timers()
    assert Skp.objects.get(pk=published.pk).status == StatusSkp.FINAL


def test_under_calendar_days_the_page_says_nothing_of_working_days(client, org, published, libur):
    client.force_login(org.pelaksana.user)
    with at(5):
        page = client.get(f"/appraisal/{published.process_id}/").content.decode()
    assert "sampai 16-12-2026" in page and "hari kerja" not in page


def test_the_appeals_response_decision_and_reminder_count_working_days(org, libur, kerja, published):
    """Filed on Saturday 5 December: the response is due 5 working days later (Friday 11th); the
    decision, asked on Monday 7th, 14 working days later, past cuti bersama and Christmas (29th),
    with its reminder 3 working days before (22nd), not on the Saturday before (26th)."""
    with at(5):
        keberatan = appeal_svc.appeal_file(skp=published, by=org.pelaksana.user, alasan="Capaian tidak dihitung.")
    respond = Task.objects.get(process_id=keberatan.process_id, flow_task=AppealFlow.respond)
    assert timezone.localtime(respond.tenggat.jatuh_tempo) == dt.datetime(2026, 12, 11, 16, tzinfo=WIB)
    with at(7):
        appeal_svc.appeal_respond(keberatan=keberatan, by=org.kasi.user, tanggapan="Sudah sesuai bukti.")
    decide = Task.objects.get(process_id=keberatan.process_id, flow_task=AppealFlow.decide)
    assert timezone.localtime(decide.tenggat.jatuh_tempo) == dt.datetime(2026, 12, 29, 16, tzinfo=WIB)
    assert timezone.localtime(decide.tenggat.ingatkan_pada) == dt.datetime(2026, 12, 22, 16, tzinfo=WIB)
    with time_machine.travel(dt.datetime(2026, 12, 22, 8, tzinfo=dt.UTC), tick=False):
        deadlines_sweep()
    decide.tenggat.refresh_from_db()
    assert decide.tenggat.diingatkan is None  # 15:00 WIB: not yet
    with time_machine.travel(dt.datetime(2026, 12, 22, 9, 30, tzinfo=dt.UTC), tick=False):
        deadlines_sweep()
    decide.tenggat.refresh_from_db()
    assert decide.tenggat.diingatkan is not None
    assert decide.status in (STATUS.NEW, STATUS.ASSIGNED)


def test_an_unanswered_appeal_waits_five_working_days_for_the_response(org, libur, kerja, published):
    with at(5):  # Saturday
        keberatan = appeal_svc.appeal_file(skp=published, by=org.pelaksana.user, alasan="Saya tidak setuju.")
    with at(10, hour=12):  # Thursday 19:00 WIB: under calendar days the response would be late
        fire_due_timers()
    assert Task.objects.filter(process_id=keberatan.process_id, flow_task=AppealFlow.respond, status=STATUS.ASSIGNED)
    with at(11, hour=10):  # Friday 17:00 WIB, past 16:00
        fire_due_timers()
    assert Task.objects.get(
        process_id=keberatan.process_id, flow_task=AppealFlow.decide, status__in=[STATUS.NEW, STATUS.ASSIGNED]
    )
