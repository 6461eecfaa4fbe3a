"""The plan's shape: several IKI per RHK with their targets, the realisation per IKI with its
achievement, the link of every core RHK to the assessor's approved plan (required per government,
so the assessor's plan comes first), and behaviour expectations optional per value."""

from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import translation

from tests.helpers import (
    MIDYEAR,
    approve,
    open_task,
    plan_approved,
    plan_rows,
    rows,
    task_url,
    through_final_review,
)
from workflow.domain.achievement import capaian_persen
from workflow.models import Iki, Notifikasi, RealisasiIki, Rhk, Skp, StatusSkp
from workflow.services import appraisal as svc

pytestmark = pytest.mark.django_db


@pytest.fixture
def link_required(org):
    org.instansi.rhk_atasan_wajib = True
    org.instansi.save()
    return org


def skp_of(person):
    return Skp.objects.get(pegawai=person)


def refused(call) -> str:
    with translation.override("id"), pytest.raises(ValidationError) as caught:
        call()
    return " | ".join(caught.value.messages)


# --- several IKI per RHK ---------------------------------------------------------------------


def test_an_rhk_keeps_its_indicators_in_order_and_a_revision_drops_the_removed_ones(org, opened):
    skp = skp_of(org.pelaksana)
    svc.plan_save(skp=skp, by=org.pelaksana.user, pendekatan="kuantitatif", rows=rows(1, 1, iki=4))
    first = skp.rhk_set.get(urutan=1)
    assert [i.aspek for i in first.iki_set.all()] == ["kuantitas", "kualitas", "waktu", "biaya"]
    assert [i.target_teks for i in first.iki_set.all()][-1] == "150000000 rupiah"
    kept = list(first.iki_set.values_list("pk", flat=True))
    svc.plan_save(skp=skp, by=org.pelaksana.user, pendekatan="kuantitatif", rows=rows(1, 1, iki=2))
    assert list(first.iki_set.values_list("pk", flat=True)) == kept[:2]  # updated in place, the rest removed
    assert Iki.objects.filter(rhk__skp=skp).count() == 4


@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        (lambda r: setattr(r[0].iki[1], "target", "dua belas"), "RHK 1: IKI 3: Target dua belas bukan angka"),
        (lambda r: setattr(r[1].iki[0], "target", ""), "RHK 2: IKI 2: SKP kuantitatif memerlukan target berupa angka"),
        (lambda r: setattr(r[0].iki[0], "indikator", " "), "RHK 1: IKI 2: Isi indikator kinerja (IKI)"),
        (lambda r: setattr(r[0].iki[0], "aspek", "rasa"), "RHK 1: IKI 2: Pilih aspek indikator"),
        (lambda r: r[0].iki.extend(r[0].iki * 2), "RHK 1: Hasil kerja ini memiliki 7 indikator; paling banyak 5"),
        (lambda r: r.extend(rows(31, 0)), "SKP memuat 34 RHK; paling banyak 30 RHK"),
    ],
    ids=["non-numeric", "missing target", "no indicator", "bad aspect", "too many IKI", "too many RHK"],
)
def test_a_bad_indicator_is_refused_naming_its_rhk_and_iki_and_nothing_is_written(org, opened, spoil, message):
    skp = skp_of(org.pelaksana)
    bad = rows(2, 1, iki=3)
    spoil(bad)
    assert message in refused(
        lambda: svc.plan_submit(skp=skp, by=org.pelaksana.user, pendekatan="kuantitatif", rows=bad)
    )
    skp.refresh_from_db()
    assert skp.status == StatusSkp.DRAFT and not Rhk.objects.filter(skp=skp).exists()


# --- the link to the assessor's approved plan ----------------------------------------------------


def test_staff_cannot_submit_before_the_assessor_plan_is_approved_but_can_save_and_the_assessor_is_told(
    link_required, opened
):
    org, skp = link_required, skp_of(link_required.pelaksana)
    message = refused(lambda: svc.plan_submit(skp=skp, by=org.pelaksana.user, pendekatan="kuantitatif", rows=rows()))
    assert f"SKP pejabat penilai Anda, {org.kasi.nama}, belum disetujui" in message
    skp.refresh_from_db()
    assert skp.status == StatusSkp.DRAFT and not skp.rhk_set.exists()
    waiting = Notifikasi.objects.filter(penerima=org.kasi.user, judul="Staf Anda menunggu SKP Anda disetujui")
    assert not waiting.exists()
    with translation.override("id"):
        svc.plan_save(skp=skp, by=org.pelaksana.user, pendekatan="kuantitatif", rows=rows())
        svc.plan_save(skp=skp, by=org.pelaksana.user, pendekatan="kuantitatif", rows=rows())
    told = waiting.get()  # once, however often the draft is saved
    assert org.pelaksana.nama in told.isi


def test_once_the_assessor_plan_is_approved_every_core_rhk_must_pick_one_of_its_rhk(link_required, opened):
    org = link_required
    kasi_skp = plan_approved(skp_of(org.kasi))  # the Kabid's and the Kadis's first: the chain
    assert skp_of(org.kabid).status == StatusSkp.DISETUJUI and skp_of(org.kadis).status == StatusSkp.DISETUJUI
    skp = skp_of(org.pelaksana)
    choices = svc.assessor_rhk_choices(skp)
    assert {r.skp_id for r in choices} == {kasi_skp.pk}
    message = refused(lambda: svc.plan_submit(skp=skp, by=org.pelaksana.user, pendekatan="kuantitatif", rows=rows()))
    assert "RHK 1: Pilih RHK pejabat penilai yang diintervensi" in message
    assert "RHK 3" not in message  # an additional RHK needs no link
    stranger = Rhk.objects.filter(skp__pegawai=org.kabid).first()
    message = refused(
        lambda: svc.plan_submit(
            skp=skp, by=org.pelaksana.user, pendekatan="kuantitatif", rows=rows(atasan=[stranger.pk])
        )
    )
    assert "harus salah satu RHK pejabat penilai Anda" in message
    svc.plan_submit(skp=skp, by=org.pelaksana.user, pendekatan="kuantitatif", rows=plan_rows(skp))
    skp.refresh_from_db()
    assert skp.status == StatusSkp.DIAJUKAN
    assert {r.rhk_atasan.skp_id for r in skp.rhk_set.filter(jenis="utama")} == {kasi_skp.pk}


def test_the_link_is_not_required_where_the_government_turned_it_off_or_the_assessor_has_no_plan(
    org, opened, link_required
):
    # The Kadis is assessed by the Governor, who has no SKP: nothing to pick from.
    svc.plan_submit(skp=skp_of(org.kadis), by=org.kadis.user, pendekatan="kuantitatif", rows=rows())
    org.instansi.rhk_atasan_wajib = False
    org.instansi.save()
    svc.plan_submit(skp=skp_of(org.pelaksana), by=org.pelaksana.user, pendekatan="kuantitatif", rows=rows())
    assert Skp.objects.filter(status=StatusSkp.DIAJUKAN).count() == 2


def test_a_whole_lifecycle_with_the_link_required_runs_through_the_drivers(link_required, opened, rules_pack):
    org = link_required
    skp = through_final_review(org, org.pelaksana, org.kasi, lambda r: "di_atas", lambda v: "sesuai")
    assert skp.status == StatusSkp.DIPUBLIKASIKAN
    assert all(r.rhk_atasan.skp.pegawai == org.kasi for r in skp.rhk_set.filter(jenis="utama"))


# --- behaviour expectations ----------------------------------------------------------------------


def test_expectations_are_optional_per_value_unless_the_government_requires_some(org, opened):
    skp = skp_of(org.pelaksana)
    svc.plan_submit(skp=skp, by=org.pelaksana.user, pendekatan="kuantitatif", rows=rows())
    org.instansi.ekspektasi_wajib = ["akuntabel", "kolaboratif"]
    org.instansi.save()
    skp = skp_of(org.pelaksana)
    message = refused(
        lambda: svc.plan_decide(skp=skp, by=org.kasi.user, approve=True, expectations={"akuntabel": "Tepat waktu"})
    )
    assert message == "Tulis ekspektasi untuk nilai perilaku berikut: Kolaboratif."
    org.instansi.ekspektasi_wajib = []
    org.instansi.save()
    skp = skp_of(org.pelaksana)
    svc.plan_decide(skp=skp, by=org.kasi.user, approve=True, expectations={"akuntabel": "Tepat waktu", "loyal": " "})
    assert dict(skp.ekspektasi_set.values_list("nilai", "ekspektasi")) == {"akuntabel": "Tepat waktu"}


# --- the realisation per IKI --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("aspek", "target", "realisasi", "capaian"),
    [
        ("kuantitas", "95", "90", "94.74"),
        ("kualitas", "80", "88", "110.00"),
        ("waktu", "12", "10", "120.00"),  # finished sooner than planned
        ("biaya", "100", "125", "80.00"),  # spent more than planned
        ("kuantitas", "0", "5", None),
        ("waktu", "12", "0", None),
    ],
)
def test_achievement_of_an_indicator(aspek, target, realisasi, capaian):
    got = capaian_persen(aspek=aspek, target=Decimal(target), realisasi=Decimal(realisasi))
    assert got == (Decimal(capaian) if capaian else None)


def test_the_self_review_stores_each_indicator_realisation_with_its_achievement(org, opened):
    with time_machine.travel(MIDYEAR, tick=False):
        skp = approve(org, org.pelaksana, org.kasi)
        skp.rhk_set.first().iki_set.create(
            urutan=2, aspek="kualitas", indikator="Mutu layanan", target_kualitatif="Baik"
        )
        rhk = list(skp.rhk_set.prefetch_related("iki_set"))
        first, mutu = rhk[0].iki_set.all()
        inputs = [svc.RealisasiInput(rhk_id=r.pk, realisasi="Capaian semester I") for r in rhk]
        inputs[0].iki = {first.pk: "abc", mutu.pk: "Sangat baik"}
        message = refused(lambda: svc.self_review_submit(skp=skp, by=org.pelaksana.user, rows=inputs))
        assert message == "RHK 1, IKI 1: realisasi abc bukan angka; targetnya berupa angka."
        assert not RealisasiIki.objects.exists() and not skp.evaluasi_set.exists()
        inputs[0].iki = {first.pk: "90", mutu.pk: "Sangat baik"}
        svc.self_review_submit(skp=skp, by=org.pelaksana.user, rows=inputs)
    got = {r.iki_id: (r.nilai_angka, r.nilai_teks, r.capaian) for r in RealisasiIki.objects.all()}
    assert got == {first.pk: (Decimal("90"), "", Decimal("94.74")), mutu.pk: (None, "Sangat baik", None)}


# --- the pages ----------------------------------------------------------------------------------


def plan_post(rows, submit=True):
    data = {
        "skp-pendekatan": "kuantitatif",
        "rhk-TOTAL_FORMS": str(len(rows)),
        "rhk-INITIAL_FORMS": "0",
        "rhk-MIN_NUM_FORMS": "0",
        "rhk-MAX_NUM_FORMS": "30",
    }
    for i, row in enumerate(rows):
        data.update({f"rhk-{i}-{k}": v for k, v in row.items()})
    data["ajukan" if submit else "simpan"] = "1"
    return data


THREE_IKI = {
    "jenis": "utama",
    "teks": "Cakupan imunisasi dasar lengkap",
    "aspek": "kuantitas",
    "indikator": "Persentase bayi diimunisasi lengkap",
    "target": "95",
    "satuan": "%",
    "aspek_2": "kualitas",
    "indikator_2": "Persentase laporan tanpa koreksi",
    "target_2": "90",
    "satuan_2": "%",
    "aspek_3": "waktu",
    "indikator_3": "Waktu penyampaian laporan",
    "target_3": "12",
    "satuan_3": "bulan",
}


def test_the_plan_page_takes_an_rhk_with_three_indicators_and_names_the_row_of_a_bad_one(client, org, opened):
    skp = skp_of(org.pelaksana)
    client.force_login(org.pelaksana.user)
    task = open_task(skp)
    body = client.post(task_url(task), plan_post([dict(THREE_IKI, target_3="setahun")])).content.decode()
    assert "RHK 1: IKI 3: Target setahun bukan angka" in body and not skp.rhk_set.exists()
    body = client.post(task_url(task), plan_post([dict(THREE_IKI, aspek_2="rasa")])).content.decode()
    assert "Baris 1: Aspek IKI 2:" in body and not skp.rhk_set.exists()
    assert client.post(task_url(task), plan_post([THREE_IKI])).status_code == 302
    assert [i.indikator for i in skp.rhk_set.get().iki_set.all()] == [
        "Persentase bayi diimunisasi lengkap",
        "Persentase laporan tanpa koreksi",
        "Waktu penyampaian laporan",
    ]


def test_the_pages_say_who_waits_for_whom_when_the_link_is_required(client, link_required, opened):
    org = link_required
    client.force_login(org.pelaksana.user)
    page = client.get(task_url(open_task(skp_of(org.pelaksana)))).content.decode()
    assert f"SKP pejabat penilai Anda, {org.kasi.nama}, belum disetujui." in page
    client.force_login(org.kasi.user)
    page = client.get(task_url(open_task(skp_of(org.kasi)))).content.decode()
    assert "1 staf Anda menunggu SKP Anda disetujui:" in page and org.pelaksana.nama in page
    # once the Kasi's plan is approved the employee picks from it
    kasi_skp = plan_approved(skp_of(org.kasi))
    client.force_login(org.pelaksana.user)
    page = client.get(task_url(open_task(skp_of(org.pelaksana)))).content.decode()
    assert "belum disetujui" not in page
    first = kasi_skp.rhk_set.first()
    assert f'<option value="{first.pk}">1. {first.teks}' in page


def test_approval_page_offers_seven_optional_expectations_and_marks_the_required(client, org, opened):
    skp = skp_of(org.pelaksana)
    svc.plan_submit(skp=skp, by=org.pelaksana.user, pendekatan="kuantitatif", rows=rows(1, 0, iki=3))
    org.instansi.ekspektasi_wajib = ["akuntabel"]
    org.instansi.save()
    client.force_login(org.kasi.user)
    page = client.get(task_url(open_task(skp))).content.decode()
    assert page.count("(opsional)") == 6 and page.count("(wajib)") == 1
    assert "Waktu penyampaian laporan bulanan" in page  # the third IKI of the plan
    response = client.post(task_url(open_task(skp)), {"keputusan": "setujui", "ekspektasi_akuntabel": "Tepat waktu"})
    assert response.status_code == 302 and skp.ekspektasi_set.count() == 1


def test_review_and_appraisal_pages_show_each_indicator_achievement(client, org, opened):
    with time_machine.travel(MIDYEAR, tick=False):
        skp = approve(org, org.pelaksana, org.kasi)
        client.force_login(org.pelaksana.user)
        url = task_url(open_task(skp))
        page = client.get(url).content.decode()
        rhk = list(skp.rhk_set.prefetch_related("iki_set"))
        iki = rhk[0].iki_set.get()
        assert f'name="iki_{iki.pk}"' in page
        # the other RHK's indicators, each with its own figure: 71, 72, ...
        figures = {i.pk: str(70 + n) for n, i in enumerate((i for r in rhk[1:] for i in r.iki_set.all()), 1)}
        others = {f"iki_{pk}": figure for pk, figure in figures.items()}
        data = {f"realisasi_{r.pk}": "Capaian semester I" for r in rhk} | others | {f"iki_{iki.pk}": "abc"}
        page = client.post(url, data).content.decode()
        assert "RHK 1, IKI 1: realisasi abc bukan angka" in page and not RealisasiIki.objects.exists()
        assert client.post(url, data | {f"iki_{iki.pk}": "90,25"}).status_code == 302
        client.force_login(org.kasi.user)
        page = client.get(task_url(open_task(skp))).content.decode()
        assert "90,25 %" in page and "95 % dari target" in page
        page = client.get(f"/appraisal/{skp.process_id}/").content.decode()
        assert "Persentase bayi diimunisasi lengkap: 90,25 % (95 % dari target)" in page
    # each achievement in its own RHK's row of the review, once
    review_rows = page.split("<tr><td>")[1:]
    figures[iki.pk] = "90,25"
    for realisasi in RealisasiIki.objects.select_related("iki__rhk"):
        shown = f"{realisasi.iki.indikator[:40]}: {figures[realisasi.iki_id]} {realisasi.iki.satuan}"
        holding = [row for row in review_rows if shown in row]
        assert len(holding) == 1 and holding[0].startswith(f"{realisasi.iki.rhk.urutan}. "), shown
    assert page.count('class="kinerja-iki-realisasi"') == RealisasiIki.objects.count() > 2


def test_the_plan_rows_fields_are_named_for_screen_readers_in_the_readers_language(client, org, opened):
    """Each field of the plan grid carries its column and row as its accessible name, in the page's
    language (the names are worked out once per language and row: a page in one language never
    shows the other's), the template row for a new RHK too."""
    task = open_task(skp_of(org.pelaksana))
    client.force_login(org.pelaksana.user)
    for _ in range(2):
        client.cookies["django_language"] = "id"
        page = client.get(task_url(task)).content.decode()
        assert 'aria-label="Aspek IKI 2 · RHK 1"' in page and 'aria-label="Target IKI 5 · RHK 2"' in page
        assert 'aria-label="Aspek IKI 1 · RHK baru"' in page and "Aspect of IKI" not in page
        client.cookies["django_language"] = "en"
        page = client.get(task_url(task)).content.decode()
        assert 'aria-label="Aspect of IKI 2 · RHK 1"' in page and 'aria-label="Target of IKI 5 · RHK 2"' in page
        assert 'aria-label="Aspect of IKI 1 · new RHK"' in page and "Aspek IKI" not in page
