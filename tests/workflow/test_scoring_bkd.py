"""Scoring as a BKD runs it (issue 14, items 2, 3 and 5): a unit head's work-result rating follows
their unit's organisation predikat, more than half of the core RHK below expectations gives "below"
whatever the additional RHK, and a functional official's result shows the credit points of the
year (per SKP, by the months it covers, added up)."""

import datetime as dt

import pytest
import time_machine
from viewflow.workflow.timers import fire_due_timers

from rules.services import rule_version_copy, rule_version_publish, table_rows_save
from rules.spec import RowSpec
from tests.helpers import (
    EXPECTATIONS,
    MIDYEAR,
    TEST_RULES_FROM,
    approve,
    at,
    open_task,
    pack_in_force,
    plan_rows,
    policy_outputs,
    task_url,
    through_final_review,
)
from workflow.domain.scoring import credit_points, months_covered
from workflow.models import CapaianOrganisasi, HasilPenilaian, JenisRhk, Skp, StatusSkp
from workflow.selectors.scoring import credit_points_of
from workflow.services import appraisal as svc

pytestmark = pytest.mark.django_db


def all_below(r):
    return "di_bawah"


def sesuai(v):
    return "sesuai"


def capaian(org, unit, predikat):
    periode = Skp.objects.filter(pegawai=org.kasi).first().periode
    return CapaianOrganisasi.objects.create(periode=periode, unit=unit, predikat=predikat)


def publish_policy(**changes):
    """Version 2 of the rules from 2026 on, with the policy row changed as a rule admin would."""
    draft = rule_version_copy(version=pack_in_force())
    table = draft.tables.get(name="kebijakan")
    # one-by-one publication per assessor's team, as the fixtures' rules (tests/helpers.load_rules_one_by_one)
    changes = {"tingkat_distribusi": "tim_penilai", "publikasi": "langsung", **changes}
    table_rows_save(table=table, rows=[RowSpec({}, policy_outputs(**changes))])
    case = table.test_cases.get()
    case.expected = {k: v for k, v in case.expected.items() if k not in changes}
    case.save()
    rule_version_publish(version=draft, effective_from=TEST_RULES_FROM)


def head_to_final_review(org):
    """The head of the seksi (kasi) through the year up to the annual review by the kabid; the
    traveller stays in December until stopped."""
    with time_machine.travel(MIDYEAR, tick=False):
        skp = approve(org, org.kasi, org.kabid)
        rows = [svc.RealisasiInput(rhk_id=r.pk, realisasi="Capaian semester I") for r in skp.rhk_set.all()]
        svc.self_review_submit(skp=skp, by=org.kasi.user, rows=rows)
        svc.review_submit(skp=skp, by=org.kabid.user, rhk_feedback={}, perilaku={})
    traveller = time_machine.travel(dt.datetime(2026, 12, 2, 9, tzinfo=dt.UTC), tick=False)
    traveller.start()
    fire_due_timers()
    rows = [svc.RealisasiInput(rhk_id=r.pk, realisasi="Capaian akhir seksi") for r in skp.rhk_set.all()]
    svc.self_review_submit(skp=skp, by=org.kasi.user, rows=rows, final=True)
    return skp, traveller


def review_post(skp, rhk="di_bawah", perilaku="sesuai", **final):
    data = {f"rating_{r.pk}": rhk for r in skp.rhk_set.all()}
    data.update({f"umpan_balik_{r.pk}": "Catatan" for r in skp.rhk_set.all()})
    data.update({f"rating_{v}": perilaku for v in EXPECTATIONS})
    return {**data, **final}


# --- item 2: unit heads ---------------------------------------------------------------------------


def test_a_unit_heads_rating_follows_the_organisation_on_the_final_review_page(client, org, opened, rules_pack):
    """Every RHK of the kasi rated below, yet their seksi is Istimewa: the page says the rating
    follows the organisation, the suggestion is "above", departing from it is refused even with a
    reason, and the result and its explanation name the unit-head table."""
    capaian(org, org.seksi, "istimewa")
    skp, traveller = head_to_final_review(org)
    try:
        client.force_login(org.kabid.user)
        task = open_task(skp)
        page = client.get(task_url(task)).content.decode()
        assert "memimpin unit" in page and "Istimewa" in page and "Di Atas Ekspektasi" in page
        suggestion = client.post(f"/kinerja/saran/{skp.pk}/", review_post(skp)).json()
        assert suggestion["hasil_kerja"] == "di_atas"

        refused = client.post(
            task_url(task),
            review_post(skp, rating_hasil_kerja="di_bawah", alasan_hasil_kerja="Semua RHK di bawah ekspektasi."),
        )
        assert "tidak dapat diubah" in refused.content.decode()
        assert open_task(skp).pk == task.pk and not HasilPenilaian.objects.filter(skp=skp).exists()

        client.post(task_url(task), review_post(skp))
        skp.refresh_from_db()
        assert skp.status == StatusSkp.DIPUBLIKASIKAN
        assert (skp.hasil.rating_hasil_kerja, skp.hasil.predikat) == ("di_atas", "baik")
        assert skp.hasil.trace[0]["table"] == "rating_hasil_kerja_pimpinan"

        client.force_login(org.kasi.user)
        page = client.get(f"/appraisal/{skp.process_id}/").content.decode()
        assert "Rating hasil kerja pimpinan unit" in page  # the table that decided, by its title
        assert "memimpin unit" in page and "predikat organisasi unitnya (Istimewa)" in page
    finally:
        traveller.stop()


@pytest.mark.parametrize(("organisasi", "expected"), [("baik", "sesuai"), ("kurang", "di_bawah")])
def test_the_scoring_service_rates_a_unit_head_by_the_organisation(org, opened, rules_pack, organisasi, expected):
    capaian(org, org.seksi, organisasi)
    skp = through_final_review(org, org.kasi, org.kabid, lambda r: "di_atas", sesuai)
    assert skp.hasil.rating_hasil_kerja == expected
    assert skp.hasil.fakta["kepala_unit"] is True and skp.hasil.fakta["predikat_organisasi"] == organisasi


def test_only_the_heads_own_unit_counts_and_only_for_the_head(org, opened, rules_pack):
    """The bidang above has a predikat, the seksi none: the kasi is rated by their RHK (not by an
    inherited predikat). The pelaksana of a seksi with a predikat is rated by their RHK too."""
    capaian(org, org.bidang, "istimewa")
    head = through_final_review(org, org.kasi, org.kabid, all_below, sesuai)
    assert head.hasil.rating_hasil_kerja == "di_bawah" and "kepala_unit" not in head.hasil.fakta
    capaian(org, org.seksi, "istimewa")
    staff = through_final_review(org, org.pelaksana, org.kasi, all_below, sesuai)
    assert staff.hasil.rating_hasil_kerja == "di_bawah"


def test_the_policy_switch_off_rates_a_unit_head_by_their_rhk(org, opened, rules_pack):
    publish_policy(hasil_kerja_pimpinan_dari_organisasi=False)
    capaian(org, org.seksi, "istimewa")
    skp = through_final_review(org, org.kasi, org.kabid, all_below, sesuai)
    assert skp.hasil.rating_hasil_kerja == "di_bawah" and skp.hasil.trace[0]["table"] == "rating_hasil_kerja"


def test_the_policy_may_let_the_assessor_depart_with_a_reason(org, opened, rules_pack):
    publish_policy(hasil_kerja_pimpinan_boleh_diubah=True)
    capaian(org, org.seksi, "istimewa")
    skp = through_final_review(
        org,
        org.kasi,
        org.kabid,
        all_below,
        sesuai,
        rating_hasil_kerja="sesuai",
        alasan_hasil_kerja="Capaian seksi terutama berkat bidang lain.",
    )
    assert (skp.rating_hasil_kerja_saran, skp.hasil.rating_hasil_kerja) == ("di_atas", "sesuai")


# --- item 3: the "sesuai" clause --------------------------------------------------------------------


def test_two_core_rhk_below_and_three_additional_above_give_below(org, opened, rules_pack):
    with time_machine.travel(MIDYEAR, tick=False):
        skp = Skp.objects.get(pegawai=org.pelaksana)
        svc.plan_submit(
            skp=skp, by=org.pelaksana.user, pendekatan="kuantitatif", rows=plan_rows(skp, n_utama=2, n_tambahan=3)
        )
    skp = through_final_review(
        org, org.pelaksana, org.kasi, lambda r: "di_bawah" if r.jenis == JenisRhk.UTAMA else "di_atas", sesuai
    )
    assert skp.hasil.fakta["porsi_rhk_di_atas"] == 0.6 and skp.hasil.fakta["porsi_rhk_utama_di_bawah"] == 1
    assert (skp.rating_hasil_kerja_saran, skp.hasil.predikat) == ("di_bawah", "butuh_perbaikan")


# --- item 5: credit points ----------------------------------------------------------------------------


def test_months_covered_count_each_month_by_its_share_of_days():
    assert months_covered(dt.date(2026, 1, 1), dt.date(2026, 6, 30)) == 6
    assert months_covered(dt.date(2026, 1, 1), dt.date(2026, 12, 31)) == 12
    split = months_covered(dt.date(2026, 1, 1), dt.date(2026, 7, 15)) + months_covered(
        dt.date(2026, 7, 16), dt.date(2026, 12, 31)
    )
    assert split == pytest.approx(12)
    assert credit_points(koefisien=25, persentase=100, months=6) == 12.5


def score_fungsional(org, *, until):
    """The functional official (Ahli Muda, coefficient 25) with an SKP covering January to ``until``,
    scored Baik (100 %)."""
    Skp.objects.filter(pegawai=org.fungsional).update(tanggal_selesai=until)
    return through_final_review(org, org.fungsional, org.kabid, lambda r: "sesuai", sesuai)


def test_a_functional_officials_result_shows_the_credit_points_of_half_a_year(client, org, opened, rules_pack):
    skp = score_fungsional(org, until=dt.date(2026, 6, 30))
    assert (skp.jabatan_jenjang, skp.hasil.predikat) == ("ahli_muda", "baik")
    points = credit_points_of(pegawai_id=org.fungsional.pk, periode_id=skp.periode_id)
    assert points.total == 12.5 and points.rincian[0].bulan == 6  # 25 × 100 % × 6 / 12
    with at(3):
        client.force_login(org.fungsional.user)
        page = client.get(f"/appraisal/{skp.process_id}/").content.decode()
    assert "Angka kredit tahun ini" in page and "Angka kredit: 12,5" in page
    assert "Ahli Muda" in page and "01-01-2026 – 30-06-2026" in page


def test_two_skps_of_a_year_add_up(client, org, opened, rules_pack):
    """Transferred on 1 July: the second SKP (Sangat Baik, 150 %) adds 25 × 150 % × 6 / 12."""
    first = score_fungsional(org, until=dt.date(2026, 6, 30))
    fields = {f.name: getattr(first, f.name) for f in Skp._meta.concrete_fields if f.name not in ("id", "process")}
    second = Skp.objects.create(
        **{**fields, "urutan": 2, "tanggal_mulai": dt.date(2026, 7, 1), "tanggal_selesai": dt.date(2026, 12, 31)}
    )
    HasilPenilaian.objects.create(
        skp=second,
        rating_hasil_kerja="di_atas",
        rating_perilaku="di_atas",
        predikat="sangat_baik",
        rule_set="penilaian-kinerja",
        rule_version="1",
        trace=first.hasil.trace,
        dipublikasikan=first.hasil.dipublikasikan,
    )
    points = credit_points_of(pegawai_id=org.fungsional.pk, periode_id=first.periode_id)
    assert [line.angka_kredit for line in points.rincian] == [12.5, 18.75] and points.total == 31.25
    with at(3):
        client.force_login(org.fungsional.user)
        page = client.get(f"/appraisal/{first.process_id}/").content.decode()
    assert "Angka kredit: 31,25" in page


def test_no_credit_points_for_a_structural_official(client, org, opened, rules_pack):
    skp = through_final_review(org, org.pelaksana, org.kasi, lambda r: "sesuai", sesuai)
    assert credit_points_of(pegawai_id=org.pelaksana.pk, periode_id=skp.periode_id) is None
