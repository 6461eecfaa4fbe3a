"""The rules editor as the rule admin uses it (issue 17, item 11): the diff shows the changed tables
only unless asked, and a changed row that would change results of a running period is saved only
once the admin confirms, told how many results it would change."""

import re

import pytest

from rules.models import DecisionTable, RuleSetVersion
from tests.helpers import at, pack_in_force, through_final_review
from tests.rules.test_views import grid_post

pytestmark = pytest.mark.django_db

PERILAKU_ROWS = [
    ({"perilaku_di_atas": "-", "perilaku_di_bawah": ">= 4"}, {"rating": "di_bawah"}, False),
    ({"perilaku_di_atas": ">= 4", "perilaku_di_bawah": "-"}, {"rating": "di_atas"}, False),
    ({}, {"rating": "sesuai"}, True),
]


@pytest.fixture
def draft(rules_pack, admin_client):
    live = pack_in_force()
    assert admin_client.post(f"/aturan/versi/{live.pk}/salin/").status_code == 302
    return RuleSetVersion.objects.filter(rule_set__key="penilaian-kinerja", status="draft").latest("pk")


def perilaku_table(version):
    return DecisionTable.objects.get(version=version, name="rating_perilaku")


def threshold(table):
    return table.rows.get(position=1).conditions["perilaku_di_bawah"]


PREDIKAT_ROWS = [
    ({"hasil_kerja": "= di_atas", "perilaku": "= di_atas"}, {"predikat": "sangat_baik"}, False),
    ({"hasil_kerja": "= di_atas", "perilaku": "= sesuai"}, {"predikat": "baik"}, False),
    ({"hasil_kerja": "= di_atas", "perilaku": "= di_bawah"}, {"predikat": "kurang"}, False),
    ({"hasil_kerja": "= sesuai", "perilaku": "in {sesuai, di_atas}"}, {"predikat": "baik"}, False),
    ({"hasil_kerja": "= sesuai", "perilaku": "= di_bawah"}, {"predikat": "kurang"}, False),
    ({"hasil_kerja": "= di_bawah", "perilaku": "in {sesuai, di_atas}"}, {"predikat": "butuh_perbaikan"}, False),
    ({"hasil_kerja": "= di_bawah", "perilaku": "= di_bawah"}, {"predikat": "sangat_kurang"}, False),
]


@pytest.fixture
def scored(org, opened, rules_pack):
    """Two results of the running 2026 period: the pelaksana Baik (RHK above, behaviour as
    expected), the functional Baik (everything as expected)."""
    first = through_final_review(org, org.pelaksana, org.kasi, lambda r: "di_atas", lambda v: "sesuai")
    second = through_final_review(org, org.fungsional, org.kabid, lambda r: "sesuai", lambda v: "sesuai")
    assert first.hasil.predikat == second.hasil.predikat == "baik"
    return first, second


def test_a_row_change_that_alters_results_says_how_many_and_saves_only_once_confirmed(org, scored, draft, admin_client):
    table = DecisionTable.objects.get(version=draft, name="predikat_kinerja")
    rows = [list(r) for r in PREDIKAT_ROWS]
    rows[1][1] = {"predikat": "sangat_baik"}  # above / as expected: Sangat Baik (only the pelaksana)
    with at(5):
        asked = admin_client.post(f"/aturan/tabel/{table.pk}/", grid_post(rows))
    page = asked.content.decode()
    assert asked.status_code == 200 and 'class="rules-confirm"' in page
    assert "Anda mengubah 1 baris yang sudah ada" in page and "Tabel belum disimpan" in page
    assert "perubahan ini akan memutuskan 1 hasil" in page  # the pelaksana's, not the functional's
    assert "1 dari 2 hasil yang sudah dinilai akan diputuskan berbeda" in page
    assert table.rows.get(position=2).outputs["predikat"] == "baik"  # nothing saved yet
    with at(5):
        confirmed = admin_client.post(f"/aturan/tabel/{table.pk}/", {**grid_post(rows), "konfirmasi": "1"})
    assert confirmed.status_code == 302 and table.rows.get(position=2).outputs["predikat"] == "sangat_baik"
    with at(5):
        simulation = admin_client.get(f"/aturan/versi/{draft.pk}/simulasi/").content.decode()
        publish = admin_client.get(f"/aturan/versi/{draft.pk}/terbitkan/").content.decode()
    assert "Terhadap hasil periode yang sedang berjalan" in simulation
    assert re.search(r"<td>2</td><td>1</td><td>\d+</td>", simulation)  # 2 scored, 1 would change
    assert "Hasil yang akan diputuskan berbeda oleh versi ini" in publish


def test_a_changed_row_that_alters_no_result_saves_without_asking(org, scored, draft, admin_client):
    table = perilaku_table(draft)
    rows = [list(r) for r in PERILAKU_ROWS]
    rows[0][0] = {"perilaku_di_atas": "-", "perilaku_di_bawah": ">= 5"}  # nobody was rated below
    with at(5):
        assert admin_client.post(f"/aturan/tabel/{table.pk}/", grid_post(rows)).status_code == 302
    assert threshold(table) == ">= 5"


def test_results_changed_counts_each_result_once_in_one_batch(org, scored, draft, django_assert_max_num_queries):
    from rules.simulate import draft_candidate
    from rules.spec import RowSpec
    from workflow.selectors.rule_impact import results_changed

    periode = scored[0].periode
    everything_kurang = [RowSpec(dict(cond), {"predikat": "kurang"}, False, "") for cond, _o, _d in PREDIKAT_ROWS]
    candidate = draft_candidate(version=draft, table="predikat_kinerja", rows=everything_kurang)
    with django_assert_max_num_queries(6):
        assert results_changed(periods=[periode], candidate=candidate) == {periode.pk: 2}
    unchanged = draft_candidate(version=draft)
    assert results_changed(periods=[periode], candidate=unchanged) == {periode.pk: 0}
    only_default = draft_candidate(
        version=draft, table="predikat_kinerja", rows=[RowSpec({}, {"predikat": "baik"}, True)]
    )
    assert results_changed(periods=[periode], candidate=only_default) is None  # invalid: not compared


def test_an_added_row_or_no_running_period_saves_without_asking(rules_pack, draft, admin_client):
    table = perilaku_table(draft)
    rows = [list(r) for r in PERILAKU_ROWS]
    rows[0][0] = {"perilaku_di_atas": "-", "perilaku_di_bawah": ">= 5"}
    assert admin_client.post(f"/aturan/tabel/{table.pk}/", grid_post(rows)).status_code == 302  # no period
    assert threshold(table) == ">= 5"


def test_a_changed_note_needs_no_confirmation(org, opened, draft, admin_client):
    table = perilaku_table(draft)
    data = {**grid_post(PERILAKU_ROWS), "note-1": "Empat nilai atau lebih di bawah ekspektasi"}
    assert admin_client.post(f"/aturan/tabel/{table.pk}/", data).status_code == 302  # the results stay
    assert table.rows.get(position=1).note == "Empat nilai atau lebih di bawah ekspektasi"


def test_the_diff_shows_the_changed_tables_unless_asked_for_all(draft, admin_client):
    table = perilaku_table(draft)
    rows = [list(r) for r in PERILAKU_ROWS]
    rows[0][0] = {"perilaku_di_atas": "-", "perilaku_di_bawah": ">= 5"}
    assert admin_client.post(f"/aturan/tabel/{table.pk}/", grid_post(rows)).status_code == 302
    live = pack_in_force()
    changed = admin_client.get(f"/aturan/versi/{draft.pk}/banding/?dengan={live.pk}").content.decode()
    assert "rating_perilaku — 1 baris berubah" in changed and "predikat_kinerja —" not in changed
    assert "tampilkan semua" in changed
    every = admin_client.get(f"/aturan/versi/{draft.pk}/banding/?dengan={live.pk}&semua=1").content.decode()
    assert "rating_perilaku — 1 baris berubah" in every and "predikat_kinerja — 0 baris berubah" in every
    assert admin_client.get(f"/aturan/versi/{draft.pk}/banding/?semua=junk").status_code in (200, 404)


def test_the_grid_shows_column_labels_beside_their_codes_and_labels_every_cell(draft, admin_client):
    body = admin_client.get(f"/aturan/tabel/{perilaku_table(draft).pk}/").content.decode()
    assert "Jumlah perilaku di bawah ekspektasi<br><small><code>perilaku_di_bawah</code>" in body
    assert 'aria-label="Baris 1: Jumlah perilaku di bawah ekspektasi"' in body


def test_the_grid_shows_the_words_of_choice_codes_beside_the_syntax(draft, admin_client):
    table = DecisionTable.objects.get(version=draft, name="predikat_kinerja")
    body = admin_client.get(f"/aturan/tabel/{table.pk}/", HTTP_ACCEPT_LANGUAGE="id").content.decode()
    header = body[body.index("<thead>") : body.index("</thead>")]
    assert "<code>di_atas</code> (Di Atas Ekspektasi)" in header  # the codes to type, with their words
    assert "<code>sangat_baik</code> (Sangat Baik)" in header
    cells = re.findall(r'class="rules-cell-words">([^<]*)<', body)
    assert "= Di Atas Ekspektasi" in cells and "in {Sesuai Ekspektasi, Di Atas Ekspektasi}" in cells
    assert "Sangat Baik" in cells and "Butuh Perbaikan" in cells
    assert not [c for c in cells if "_" in c]  # no raw code outside the syntax itself
    assert 'value="= di_atas"' in body  # the syntax stays editable as it is
