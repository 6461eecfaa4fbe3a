"""The rules editor as the rule admin uses it (issue 17, item 11): the diff shows the changed tables
only unless asked, and a changed row of a version that would score a running period's pending
appraisals is saved only once the admin confirms, told how many appraisals it would score."""

import pytest

from rules.models import DecisionTable, RuleSetVersion
from tests.helpers import pack_in_force
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


def test_a_changed_row_is_saved_only_once_confirmed_while_a_period_is_under_way(org, opened, draft, admin_client):
    table = perilaku_table(draft)
    rows = [list(r) for r in PERILAKU_ROWS]
    rows[0][0] = {"perilaku_di_atas": "-", "perilaku_di_bawah": ">= 5"}
    asked = admin_client.post(f"/aturan/tabel/{table.pk}/", grid_post(rows))
    page = asked.content.decode()
    assert asked.status_code == 200 and 'class="rules-confirm"' in page
    assert "Anda mengubah 1 baris yang sudah ada" in page and "Tabel belum disimpan" in page
    assert f"/aturan/versi/{draft.pk}/simulasi/" in page  # the simulation says how many change
    assert 'value="&gt;= 5"' in page  # the edit is kept on the page
    assert threshold(table) == ">= 4"  # nothing saved yet
    confirmed = admin_client.post(f"/aturan/tabel/{table.pk}/", {**grid_post(rows), "konfirmasi": "1"})
    assert confirmed.status_code == 302 and threshold(table) == ">= 5"


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
