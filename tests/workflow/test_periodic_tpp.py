"""Periodic predikat and the regional allowance (TPP): a period with monthly windows, three months
of periodic reviews each ending with the two ratings, a predikat and a TPP percentage (from the
rule pack's ``tpp`` table), the explanation on the appraisal page, and the BKD admin's export."""

import csv
import datetime as dt
import io

import openpyxl
import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from viewflow.workflow.timers import fire_due_timers

from tests.factories import give_accounts
from tests.helpers import open_task, plan_approved, task_url
from workflow.models import (
    AuditAction,
    AuditEvent,
    Evaluasi,
    Granularitas,
    HasilPeriodik,
    NilaiPerilaku,
    Skp,
)
from workflow.services import appraisal as svc
from workflow.services.period import periode_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def periode(org):
    """The period of 2026 with monthly periodic reviews."""
    give_accounts(org.sekda, org.kadis, org.kabid, org.kasi, org.pelaksana, org.fungsional)
    org.gubernur.user = None
    return periode_create(instansi=org.instansi, tahun=2026, granularitas=Granularitas.BULANAN)


def month_review(skp, person, assessor, month, *, rhk="", perilaku="", self_review=True, **kept):
    """The self-review and the review of the window covering ``month`` (it opens on the 1st of the
    next month), with every RHK rated ``rhk`` and every value ``perilaku`` (empty: not rated)."""
    with time_machine.travel(dt.datetime(2026, month + 1, 2, 9, tzinfo=dt.UTC), tick=False):
        fire_due_timers()
        if self_review:
            rows = [svc.RealisasiInput(rhk_id=r.pk, realisasi=f"Capaian bulan {month}") for r in skp.rhk_set.all()]
            svc.self_review_submit(skp=skp, by=person.user, rows=rows)
        return svc.review_submit(
            skp=skp,
            by=assessor.user,
            rhk_feedback={r.pk: svc.FeedbackInput("", rhk) for r in skp.rhk_set.all()},
            perilaku={v: svc.FeedbackInput("", perilaku) for v in NilaiPerilaku.values},
            **kept,
        )


@pytest.fixture
def three_months(org, rules_pack, opened):
    """January to March of the pelaksana, reviewed by the Kepala Seksi."""
    person, assessor = org.pelaksana, org.kasi
    with time_machine.travel(dt.datetime(2026, 1, 20, 9, tzinfo=dt.UTC), tick=False):
        skp = plan_approved(Skp.objects.get(pegawai=person), assessor)
    month_review(skp, person, assessor, 1)  # no interim ratings: meets expectations
    month_review(skp, person, assessor, 2, rhk="di_atas", perilaku="di_atas")
    with pytest.raises(ValidationError, match="tuliskan alasannya"):  # departing without a reason
        month_review(skp, person, assessor, 3, rhk="di_bawah", perilaku="sesuai", rating_perilaku="di_bawah")
    month_review(
        skp,
        person,
        assessor,
        3,
        rhk="di_bawah",
        perilaku="sesuai",
        rating_perilaku="di_bawah",
        alasan_perilaku="Dua kali mangkir dari piket KLB",
        self_review=False,
    )
    return skp


def results(skp):
    return list(HasilPeriodik.objects.filter(evaluasi__skp=skp).order_by("evaluasi__jendela__urutan"))


def test_three_monthly_windows_end_with_ratings_predikat_and_tpp(three_months):
    got = [
        (h.evaluasi.jendela.nama, h.rating_hasil_kerja, h.rating_perilaku, h.predikat, h.tpp_persen)
        for h in results(three_months)
    ]
    assert got == [
        ("Bulan 1 2026", "sesuai", "sesuai", "baik", 100),
        ("Bulan 2 2026", "di_atas", "di_atas", "sangat_baik", 100),
        ("Bulan 3 2026", "di_bawah", "di_bawah", "sangat_kurang", 40),
    ]
    march = results(three_months)[2]
    assert march.rating_perilaku_saran == "sesuai" and march.alasan_perilaku == "Dua kali mangkir dari piket KLB"
    assert [d["table"] for d in march.trace] == ["rating_hasil_kerja", "rating_perilaku", "predikat_kinerja", "tpp"]
    assert march.rule_set == "penilaian-kinerja" and march.rule_version == "2"
    # audited: the review's event carries the result, the history its author
    event = AuditEvent.objects.filter(action=AuditAction.REVIEW_SUBMITTED).order_by("-pk").first()
    assert event.after["predikat"] == "sangat_kurang" and event.after["tpp_persen"] == "40.00"
    assert event.reason == "Dua kali mangkir dari piket KLB"
    assert march.history.first().history_user == three_months.penilai.user


def test_a_rejected_review_writes_nothing(three_months):
    # the rejected March attempt left no review, result or event of its own: one each per window
    assert Evaluasi.objects.filter(skp=three_months, dinilai__isnull=False).count() == 3
    assert AuditEvent.objects.filter(action=AuditAction.REVIEW_SUBMITTED).count() == 3


def test_the_appraisal_page_explains_each_window_from_its_trace(client, three_months):
    client.force_login(three_months.pegawai.user)
    page = client.get(f"/appraisal/{three_months.process_id}/").content.decode()
    assert "Persentase TPP menurut predikat" in page  # the tpp table's title, from the stored trace
    assert "Predikat kinerja pegawai" in page and "Rating perilaku kerja" in page
    assert "Dua kali mangkir dari piket KLB" in page


def export(client, periode, month, fmt, opd=""):
    return client.get("/kinerja/tpp/", {"periode": periode.pk, "bulan": month, "opd": opd, "format": fmt})


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def read_csv(response) -> list[list[str]]:
    """The shared export's CSV: UTF-8 with a byte order mark, ``;`` between fields."""
    return list(csv.reader(io.StringIO(body(response).decode("utf-8-sig"), newline=""), delimiter=";"))


def test_bkd_exports_each_month_as_xlsx_and_csv(client, org, bkd, periode, three_months):
    client.force_login(bkd)
    nip = org.pelaksana.nip
    expected = {1: ("Baik", 100), 2: ("Sangat Baik", 100), 3: ("Sangat Kurang", 40)}
    for month, (predikat, persen) in expected.items():
        response = export(client, periode, month, "xlsx", org.dinkes.pk)
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        sheet = openpyxl.load_workbook(io.BytesIO(body(response))).active
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0] == ("No", "Nama Pegawai", "NIP", "OPD", "Unit Kerja", "Periode Penilaian", "Predikat", "TPP (%)")
        assert rows[1:] == [
            (1, org.pelaksana.nama, nip, "Dinas Kesehatan", org.seksi.nama, f"Bulan {month} 2026", predikat, persen)
        ]
        assert sheet.cell(row=2, column=3).data_type == "s"  # the NIP stays text
        response = export(client, periode, month, "csv")
        assert response["Content-Type"].startswith("text/csv")
        table = read_csv(response)
        assert table[0][2] == "NIP" and table[1][2].replace(" ", "") == nip and table[1][6:] == [predikat, str(persen)]


def test_export_cells_cannot_run_as_formulas(client, org, bkd, periode, three_months):
    org.pelaksana.nama = '=HYPERLINK("http://x")'
    org.pelaksana.save()
    client.force_login(bkd)
    sheet = openpyxl.load_workbook(io.BytesIO(body(export(client, periode, 1, "xlsx")))).active
    assert sheet.cell(row=2, column=2).value == '\'=HYPERLINK("http://x")'
    table = read_csv(export(client, periode, 1, "csv"))
    assert table[1][1].startswith("'=")


def test_export_query_count_does_not_grow_with_rows(client, org, bkd, periode, three_months):
    client.force_login(bkd)
    window = Evaluasi.objects.get(skp=three_months, jendela__urutan=1).jendela
    with CaptureQueriesContext(connection) as one:
        assert len(read_csv(export(client, periode, 1, "csv"))) == 2
    base = HasilPeriodik.objects.get(evaluasi__skp=three_months, evaluasi__jendela=window)
    for skp in Skp.objects.filter(periode=periode).exclude(pk=three_months.pk):
        ev = Evaluasi.objects.create(skp=skp, jendela=window)
        HasilPeriodik.objects.create(
            evaluasi=ev,
            rating_hasil_kerja="sesuai",
            rating_perilaku="sesuai",
            predikat="baik",
            tpp_persen=100,
            rule_set=base.rule_set,
            rule_version=base.rule_version,
        )
    with CaptureQueriesContext(connection) as many:
        rows = read_csv(export(client, periode, 1, "csv"))
    assert len(rows) > 4
    assert len(many.captured_queries) == len(one.captured_queries)


def test_export_is_for_admins_of_the_government_only(client, org, bkd, periode, three_months):
    client.force_login(org.kasi.user)
    assert export(client, periode, 1, "xlsx").status_code == 403
    from django.contrib.auth import get_user_model

    from tests.factories import InstansiFactory
    from workflow.models import PeranAdmin

    other = get_user_model().objects.create_user("admin.lain", password="Rahasia-2026!", is_staff=True)
    PeranAdmin.objects.create(user=other, instansi=InstansiFactory(kode="PEMKOT-BKL", nama="Pemerintah Kota Bengkulu"))
    client.force_login(other)
    response = export(client, periode, 1, "xlsx")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert "Pilih periode" in response.content.decode()  # a period of their own government


@pytest.mark.parametrize(
    "query",
    [
        {"periode": "x", "bulan": "1", "format": "xlsx"},
        {"bulan": "13", "format": "csv"},
        {"bulan": "1", "format": "pdf"},
        {"bulan": "12", "format": "csv"},
        {"bulan": "1", "format": "csv", "opd": "999999"},
    ],
)
def test_export_junk_answers_with_a_message(client, bkd, periode, query):
    client.force_login(bkd)
    query = {"periode": periode.pk, **query}
    response = client.get("/kinerja/tpp/", query)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert 'class="errorlist' in response.content.decode()


def test_periodic_review_form_refuses_departing_without_reason(client, org, rules_pack, opened):
    person, assessor = org.pelaksana, org.kasi
    with time_machine.travel(dt.datetime(2026, 1, 20, 9, tzinfo=dt.UTC), tick=False):
        skp = plan_approved(Skp.objects.get(pegawai=person), assessor)
    with time_machine.travel(dt.datetime(2026, 2, 2, 9, tzinfo=dt.UTC), tick=False):
        fire_due_timers()
        rows = [svc.RealisasiInput(rhk_id=r.pk, realisasi="Capaian") for r in skp.rhk_set.all()]
        svc.self_review_submit(skp=skp, by=person.user, rows=rows)
        client.force_login(assessor.user)
        url = task_url(open_task(skp))
        page = client.get(url)
        assert page.status_code == 200 and "Rating untuk jendela ini" in page.content.decode()
        response = client.post(url, {"rating_hasil_kerja": "di_atas"})
        assert response.status_code == 200
        assert "Rating hasil kerja Anda berbeda dari saran" in response.content.decode()
        response = client.post(url, {"rating_hasil_kerja": "junk"})
        assert response.status_code == 200
    assert not HasilPeriodik.objects.exists()
