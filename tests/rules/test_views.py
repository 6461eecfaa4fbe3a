"""The rules editor through the test client: rule admins only, Indonesian by default."""

import pytest
from django.contrib.auth.models import User
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rules.models import DecisionTable, RuleSetVersion
from tests.helpers import policy_outputs


@pytest.fixture
def admin_client(client, rule_admin):
    client.force_login(rule_admin)
    return client


def published():
    return RuleSetVersion.objects.get(rule_set__key="penilaian-kinerja", number=2)  # the version in force


def table_of(version, name):
    return DecisionTable.objects.get(version=version, name=name)


def test_everyone_but_rule_admins_gets_403(client, pack, pegawai_user):
    client.force_login(pegawai_user)
    version = published()
    table = table_of(version, "predikat_kinerja")
    for url in [
        "/aturan/",
        f"/aturan/versi/{version.pk}/",
        f"/aturan/tabel/{table.pk}/",
        f"/aturan/tabel/{table.pk}/coba/",
    ]:
        assert client.get(url).status_code == 403
    assert client.post(f"/aturan/versi/{version.pk}/salin/").status_code == 403
    assert RuleSetVersion.objects.count() == 3  # the two of penilaian-kinerja and one of pp30-2019


def test_superuser_and_rule_admin_group_may_enter(client, pack, rule_admin):
    root = User.objects.create_superuser("root", password="x")
    for user in (root, rule_admin):
        client.force_login(user)
        assert client.get("/aturan/").status_code == 200


def test_the_menus_show_the_rules_editor_to_rule_admins_only_whoever_drew_them_first(client, pack, rule_admin):
    """The menu's links are drawn once per process for a language and a permission set: one
    person's drawing never shows another the rules editor."""
    someone = User.objects.create_user("pegawai.lain", password="x")
    seen = []
    for user in (someone, rule_admin, someone, rule_admin):
        client.force_login(user)
        body = client.get("/kinerja/kotak-masuk/").content.decode()
        seen.append(('href="/aturan/"' in body, "Aturan penilaian" in body))
    assert seen == [(False, False), (True, True), (False, False), (True, True)]


def test_the_version_page_counts_each_tables_rows_and_test_cases(admin_client, pack):
    import re

    version = published()
    body = admin_client.get(f"/aturan/versi/{version.pk}/").content.decode()
    tables = list(version.tables.order_by("position", "name"))
    assert len(tables) > 1
    for table in tables:
        row = re.search(
            rf"<code>{table.name}</code></td>\s*<td>[^<]*</td>\s*<td>(\d+)</td>\s*<td><a [^>]*>(\d+)</a>", body
        )
        assert row, table.name
        assert (int(row[1]), int(row[2])) == (table.rows.count(), table.test_cases.count()), table.name
    assert any(t.rows.count() != t.test_cases.count() for t in tables)  # the two columns are not the same count


def test_pages_render_in_indonesian(admin_client, pack):
    version = published()
    table = table_of(version, "predikat_kinerja")
    body = admin_client.get("/aturan/").content.decode()
    assert "Aturan penilaian" in body and "Perangkat aturan" in body
    assert "Terbit" in admin_client.get(f"/aturan/versi/{version.pk}/").content.decode()
    for url in [
        f"/aturan/tabel/{table.pk}/",
        f"/aturan/tabel/{table.pk}/uji/",
        f"/aturan/tabel/{table.pk}/coba/",
        f"/aturan/versi/{version.pk}/banding/",
        f"/aturan/versi/{version.pk}/simulasi/",
        f"/aturan/versi/{version.pk}/terbitkan/",
    ]:
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert 'lang="id"' in response.content.decode()


def copy_draft(admin_client):
    response = admin_client.post(f"/aturan/versi/{published().pk}/salin/")
    assert response.status_code == 302
    return RuleSetVersion.objects.get(rule_set__key="penilaian-kinerja", number=3)


def grid_post(rows):
    data = {}
    for i, (cond, outs, default) in enumerate(rows, start=1):
        data[f"order-{i}"] = str(i)
        for k, v in cond.items():
            data[f"c-{i}-{k}"] = v
        for k, v in outs.items():
            data[f"o-{i}-{k}"] = v
        if default:
            data[f"default-{i}"] = "1"
    return data


def test_grid_edit_saves_a_changed_threshold(admin_client, pack):
    draft = copy_draft(admin_client)
    table = table_of(draft, "rating_perilaku")
    data = grid_post(
        [
            ({"perilaku_di_atas": "-", "perilaku_di_bawah": ">= 5"}, {"rating": "di_bawah"}, False),
            ({"perilaku_di_atas": ">= 4", "perilaku_di_bawah": "-"}, {"rating": "di_atas"}, False),
            ({}, {"rating": "sesuai"}, True),
        ]
    )
    response = admin_client.post(f"/aturan/tabel/{table.pk}/", data)
    assert response.status_code == 302
    assert table.rows.get(position=1).conditions["perilaku_di_bawah"] == ">= 5"


def test_grid_reorders_and_deletes_rows(admin_client, pack):
    draft = copy_draft(admin_client)
    table = table_of(draft, "rating_perilaku")
    data = grid_post(
        [
            ({"perilaku_di_atas": ">= 4", "perilaku_di_bawah": "-"}, {"rating": "di_atas"}, False),
            ({"perilaku_di_atas": "-", "perilaku_di_bawah": ">= 4"}, {"rating": "di_bawah"}, False),
            ({}, {"rating": "sesuai"}, True),
            ({"perilaku_di_atas": "= 1", "perilaku_di_bawah": "-"}, {"rating": "sesuai"}, False),
        ]
    )
    data["order-1"], data["order-2"] = "2", "1"  # moved
    data["delete-4"] = "1"
    assert admin_client.post(f"/aturan/tabel/{table.pk}/", data).status_code == 302
    assert [r.outputs["rating"] for r in table.rows.order_by("position")] == ["di_bawah", "di_atas", "sesuai"]


def test_grid_with_a_bad_cell_shows_the_message_and_saves_nothing(admin_client, pack):
    draft = copy_draft(admin_client)
    table = table_of(draft, "rating_perilaku")
    before = list(table.rows.values_list("conditions", flat=True))
    data = grid_post(
        [
            ({"perilaku_di_atas": "-", "perilaku_di_bawah": ">= empat"}, {"rating": "di_bawah"}, False),
            ({"perilaku_di_atas": "[7..4)", "perilaku_di_bawah": "-"}, {"rating": "luar_biasa"}, False),
            ({}, {"rating": "sesuai"}, True),
        ]
    )
    response = admin_client.post(f"/aturan/tabel/{table.pk}/", data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "bukan angka bulat" in body  # “empat” is not a whole number
    assert "tertukar" in body  # swapped range ends
    assert "luar_biasa" in body and "bukan kode yang diizinkan" in body  # unknown code
    assert list(table.rows.values_list("conditions", flat=True)) == before


def test_published_table_is_read_only_in_the_grid(admin_client, pack):
    table = table_of(published(), "rating_perilaku")
    response = admin_client.post(f"/aturan/tabel/{table.pk}/", grid_post([({}, {"rating": "sesuai"}, True)]))
    assert response.status_code == 400
    assert table.rows.count() == 3


def test_coba_shows_outputs_and_trace(admin_client, pack):
    table = table_of(published(), "rating_hasil_kerja")
    response = admin_client.post(
        f"/aturan/tabel/{table.pk}/coba/",
        {
            "i-porsi_rhk_di_atas": "0.8",
            "i-porsi_rhk_di_bawah": "0.2",
            "i-rhk_utama_di_bawah": "1",
            "i-porsi_rhk_utama_di_bawah": "0.34",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Baris bawaan 4 yang memutuskan" in body
    assert "sesuai" in body


def test_coba_reports_a_bad_input(admin_client, pack):
    table = table_of(published(), "predikat_kinerja")
    body = admin_client.post(
        f"/aturan/tabel/{table.pk}/coba/", {"i-hasil_kerja": "hebat", "i-perilaku": "sesuai"}
    ).content.decode()
    assert "hebat" in body and "bukan kode yang diizinkan" in body


def test_publish_gate_blocks_a_failing_draft_in_the_editor(admin_client, pack):
    draft = copy_draft(admin_client)
    table = table_of(draft, "rating_hasil_kerja")
    data = grid_post(
        [
            (
                {"porsi_rhk_di_atas": "-", "porsi_rhk_di_bawah": "> 0.5", "rhk_utama_di_bawah": "-"},
                {"rating": "di_bawah"},
                False,
            ),
            (
                {"porsi_rhk_di_atas": ">= 0.5", "porsi_rhk_di_bawah": "-", "rhk_utama_di_bawah": "= 0"},
                {"rating": "di_atas"},
                False,
            ),
            ({}, {"rating": "sesuai"}, True),
        ]
    )
    assert admin_client.post(f"/aturan/tabel/{table.pk}/", data).status_code == 302
    response = admin_client.post(f"/aturan/versi/{draft.pk}/terbitkan/", {"effective_from": "2027-01-01"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "tepat separuh di atas" in body  # the stored test case that now fails
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_publish_and_retire_from_the_editor(admin_client, pack):
    draft = copy_draft(admin_client)
    response = admin_client.post(f"/aturan/versi/{draft.pk}/terbitkan/", {"effective_from": "2027-01-01"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "published"
    assert admin_client.post(f"/aturan/versi/{draft.pk}/pensiunkan/").status_code == 302
    draft.refresh_from_db()
    assert draft.status == "retired"


def test_test_cases_can_be_added_to_a_draft(admin_client, pack):
    draft = copy_draft(admin_client)
    table = table_of(draft, "predikat_kinerja")
    data = {"name": "sesuai di bawah", "i-hasil_kerja": "sesuai", "i-perilaku": "di_bawah", "o-predikat": "kurang"}
    assert admin_client.post(f"/aturan/tabel/{table.pk}/uji/", data).status_code == 302
    assert table.test_cases.filter(name="sesuai di bawah", expected={"predikat": "kurang"}).exists()


def test_diff_marks_changed_cells(admin_client, pack):
    draft = copy_draft(admin_client)
    table = table_of(draft, "kebijakan")
    data = grid_post([({}, policy_outputs(hari_keberatan=21), False)])
    assert admin_client.post(f"/aturan/tabel/{table.pk}/", data).status_code == 302
    body = admin_client.get(f"/aturan/versi/{draft.pk}/banding/?dengan={published().pk}").content.decode()
    assert "1 baris berubah" in body
    assert '<td class="rules-changed">21</td>' in body


def test_simulation_counts_changed_outcomes(admin_client, pack):
    from django.core.files.uploadedfile import SimpleUploadedFile

    draft = copy_draft(admin_client)
    table = table_of(draft, "rating_perilaku")
    data = grid_post(
        [
            ({"perilaku_di_atas": "-", "perilaku_di_bawah": ">= 4"}, {"rating": "di_bawah"}, False),
            ({"perilaku_di_atas": ">= 3", "perilaku_di_bawah": "-"}, {"rating": "di_atas"}, False),
            ({}, {"rating": "sesuai"}, True),
        ]
    )
    assert admin_client.post(f"/aturan/tabel/{table.pk}/", data).status_code == 302
    csv = "perilaku_di_atas,perilaku_di_bawah\n3,0\n3,1\n4,0\n2,2\n"
    response = admin_client.post(
        f"/aturan/versi/{draft.pk}/simulasi/",
        {"table": "rating_perilaku", "baseline": published().pk, "data": SimpleUploadedFile("f.csv", csv.encode())},
    )
    body = response.content.decode()
    assert "2 dari 4 hasil berubah" in body
    assert "rating=sesuai" in body and "rating=di_atas" in body


# --- the engine's limit and isolation (issue 11, item 9) ------------------------------------------


def ranges_on_rhk_utama(n):
    """``n`` range rows on one input of rating_hasil_kerja, then the default row."""
    rows = [
        (
            {"porsi_rhk_di_atas": "-", "porsi_rhk_di_bawah": "-", "rhk_utama_di_bawah": f"[{i}..{i + 1})"},
            {"rating": "di_bawah"},
            False,
        )
        for i in range(n)
    ]
    return [*rows, ({}, {"rating": "sesuai"}, True)]


def coba_rhk(admin_client, table, utama):
    return admin_client.post(
        f"/aturan/tabel/{table.pk}/coba/",
        {
            "i-porsi_rhk_di_atas": "0",
            "i-porsi_rhk_di_bawah": "0",
            "i-rhk_utama_di_bawah": str(utama),
            "i-porsi_rhk_utama_di_bawah": "0",
        },
    )


def test_grid_refuses_64_range_rows_on_one_input_naming_the_engine_limit(admin_client, pack):
    draft = copy_draft(admin_client)
    table = table_of(draft, "rating_hasil_kerja")
    before = list(table.rows.values_list("conditions", flat=True))
    for n in (64, 80):
        response = admin_client.post(f"/aturan/tabel/{table.pk}/", grid_post(ranges_on_rhk_utama(n)))
        assert response.status_code == 400
        body = response.content.decode()
        assert f"{n + 1} syarat tabel ini terpenuhi sekaligus" in body
        assert "paling banyak 64 sekaligus" in body and "paling banyak 63 baris" in body
        assert list(table.rows.values_list("conditions", flat=True)) == before


def test_63_range_rows_save_and_coba_answers_at_the_top_value(admin_client, pack):
    draft = copy_draft(admin_client)
    table = table_of(draft, "rating_hasil_kerja")
    assert admin_client.post(f"/aturan/tabel/{table.pk}/", grid_post(ranges_on_rhk_utama(63))).status_code == 302
    for utama, row in ((62, "Baris 63 yang memutuskan"), (500, "Baris bawaan 64 yang memutuskan")):
        response = coba_rhk(admin_client, table, utama)
        assert response.status_code == 200
        assert row in response.content.decode()


def save_rows_directly(table, n):
    """Rows written past the editor and its validation (the admin, a script, an old version)."""
    from rules.models import TableRow

    table.rows.all().delete()
    for i, (conds, outs, default) in enumerate(ranges_on_rhk_utama(n), start=1):
        TableRow.objects.create(table=table, position=i, is_default=default, conditions=conds, outputs=outs)


def test_coba_on_64_range_rows_saved_past_validation_answers_with_the_limit(admin_client, pack):
    draft = copy_draft(admin_client)
    table = table_of(draft, "rating_hasil_kerja")
    save_rows_directly(table, 64)
    response = coba_rhk(admin_client, table, 63)
    assert response.status_code == 200
    body = response.content.decode()
    assert "paling banyak 64 sekaligus" in body
    assert coba_rhk(admin_client, table, 5).status_code == 200  # and this process still answers


@pytest.fixture
def engine_that_crashes(monkeypatch):
    """The adapter as it was before it learnt about error 303 and without the validator's limit:
    64 range rows then kill the process that evaluates them (SIGSEGV), for real."""
    import durable_rules_engine as core

    from rules import validation
    from rules.engine import Engine

    monkeypatch.setattr(validation, "_check_engine_stack", lambda spec, parsed: [])
    monkeypatch.setattr(
        Engine,
        "_drop_after_failed_assert",
        lambda self, compiled: core.delete_state(
            self._host.get_ruleset(compiled.name)._handle, f"s{next(self._sid) - 1}"
        ),
    )


def test_coba_survives_an_engine_crash_in_its_child_process(admin_client, pack, engine_that_crashes):
    draft = copy_draft(admin_client)
    table = table_of(draft, "rating_hasil_kerja")
    save_rows_directly(table, 64)
    response = coba_rhk(admin_client, table, 63)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Mesin aturan berhenti saat mencoba tabel" in body and "tidak ada yang diubah" in body
    ok = coba_rhk(admin_client, table, 5)  # the web process is alive and answers
    assert ok.status_code == 200 and "Baris 6 yang memutuskan" in ok.content.decode()


def test_simulation_survives_an_engine_crash_in_its_child_process(admin_client, pack, engine_that_crashes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    draft = copy_draft(admin_client)
    save_rows_directly(table_of(draft, "rating_hasil_kerja"), 64)
    csv = "porsi_rhk_di_atas,porsi_rhk_di_bawah,rhk_utama_di_bawah,porsi_rhk_utama_di_bawah\n0,0,63,0\n0,0,1,0\n"
    response = admin_client.post(
        f"/aturan/versi/{draft.pk}/simulasi/",
        {"table": "rating_hasil_kerja", "baseline": published().pk, "data": SimpleUploadedFile("f.csv", csv.encode())},
    )
    assert response.status_code == 200
    assert "Mesin aturan berhenti saat menyimulasikan" in response.content.decode()


# --- decimal comma (issue 11, item 17) ---------------------------------------------------------------


def test_the_editor_reads_a_decimal_comma_wherever_it_reads_a_number(admin_client, pack):
    from django.core.files.uploadedfile import SimpleUploadedFile

    draft = copy_draft(admin_client)
    table = table_of(draft, "rating_hasil_kerja")
    data = grid_post(
        [
            (
                {"porsi_rhk_di_atas": "-", "porsi_rhk_di_bawah": "[0,6..1]", "rhk_utama_di_bawah": "-"},
                {"rating": "di_bawah"},
                False,
            ),
            (
                {"porsi_rhk_di_atas": ">= 0,5", "porsi_rhk_di_bawah": "in {0; 0,25}", "rhk_utama_di_bawah": "= 0"},
                {"rating": "di_atas"},
                False,
            ),
            ({}, {"rating": "sesuai"}, True),
        ]
    )
    assert admin_client.post(f"/aturan/tabel/{table.pk}/", data).status_code == 302
    assert table.rows.get(position=2).conditions["porsi_rhk_di_atas"] == ">= 0,5"

    body = admin_client.post(
        f"/aturan/tabel/{table.pk}/coba/",
        {
            "i-porsi_rhk_di_atas": "0,5",
            "i-porsi_rhk_di_bawah": "0,25",
            "i-rhk_utama_di_bawah": "0",
            "i-porsi_rhk_utama_di_bawah": "0",
        },
    ).content.decode()
    assert "Baris 2 yang memutuskan" in body and "di_atas" in body

    case = {
        "name": "separuh",
        "i-porsi_rhk_di_atas": "0,5",
        "i-porsi_rhk_di_bawah": "0.25",
        "i-rhk_utama_di_bawah": "0",
        "i-porsi_rhk_utama_di_bawah": "0",
        "o-rating": "di_atas",
    }
    assert admin_client.post(f"/aturan/tabel/{table.pk}/uji/", case).status_code == 302
    stored = table.test_cases.get(name="separuh")
    assert stored.inputs == {
        "porsi_rhk_di_atas": 0.5,
        "porsi_rhk_di_bawah": 0.25,
        "rhk_utama_di_bawah": 0,
        "porsi_rhk_utama_di_bawah": 0,
    }
    page = admin_client.get(f"/aturan/tabel/{table.pk}/uji/").content.decode()
    assert "porsi_rhk_di_atas = 0,5" in page  # shown the Indonesian way, read either way

    csv = "porsi_rhk_di_atas;porsi_rhk_di_bawah;rhk_utama_di_bawah;porsi_rhk_utama_di_bawah\n0,5;0,25;0;0\n0,75;0;0;0\n"
    response = admin_client.post(
        f"/aturan/versi/{draft.pk}/simulasi/",
        {"table": "rating_hasil_kerja", "baseline": published().pk, "data": SimpleUploadedFile("f.csv", csv.encode())},
    )
    body = response.content.decode()
    assert "1 dari 2 hasil berubah" in body and "rating=di_atas" in body


# --- bad input gets a message, never a 500 (issue 11, item 12) ----------------------------------------


def perilaku_grid(note="", extra=None):
    data = grid_post(
        [
            ({"perilaku_di_atas": "-", "perilaku_di_bawah": ">= 4"}, {"rating": "di_bawah"}, False),
            ({"perilaku_di_atas": ">= 4", "perilaku_di_bawah": "-"}, {"rating": "di_atas"}, False),
            ({}, {"rating": "sesuai"}, True),
        ]
    )
    data["note-1"] = note
    data.update(extra or {})
    return data


NUL_PAGE = "karakter kendali (NUL)"  # the page of project.middleware.RefuseNulMiddleware


def rows_of(table):
    return list(table.rows.order_by("position").values_list("conditions", "outputs", "is_default", "note"))


def test_a_grid_note_with_a_nul_byte_or_over_300_characters_gets_a_message(admin_client, pack):
    draft = copy_draft(admin_client)
    table = table_of(draft, "rating_perilaku")
    before = rows_of(table)
    # a NUL is refused before any view by the product's one NUL guard; a long note by the grid's form
    for note, messages in (("ok\x00no", [NUL_PAGE]), ("x" * 301, ["Catatan: ", "paling banyak 300 karakter"])):
        response = admin_client.post(f"/aturan/tabel/{table.pk}/", perilaku_grid(note))
        assert response.status_code == 400
        assert all(m in response.content.decode() for m in messages)
        assert rows_of(table) == before
    assert admin_client.post(f"/aturan/tabel/{table.pk}/", perilaku_grid("x" * 300)).status_code == 302


def test_a_grid_with_altered_row_keys_or_orders_gets_a_message(admin_client, pack):
    draft = copy_draft(admin_client)
    table = table_of(draft, "rating_perilaku")
    before = rows_of(table)
    for extra, message in (({"order-\x00": "1"}, NUL_PAGE), ({"order-2": "1e309"}, "Urutan: ")):
        response = admin_client.post(f"/aturan/tabel/{table.pk}/", perilaku_grid(extra=extra))
        assert response.status_code == 400 and message in response.content.decode()
        assert rows_of(table) == before


def test_a_nul_byte_in_a_test_case_name_gets_a_message(admin_client, pack):
    draft = copy_draft(admin_client)
    table = table_of(draft, "predikat_kinerja")
    count = table.test_cases.count()
    data = {"name": "a\x00b", "i-hasil_kerja": "sesuai", "i-perilaku": "di_bawah", "o-predikat": "kurang"}
    response = admin_client.post(f"/aturan/tabel/{table.pk}/uji/", data)
    assert response.status_code == 400
    assert NUL_PAGE in response.content.decode()
    assert table.test_cases.count() == count


@pytest.mark.parametrize("junk", ["abc", "1e309", "-1", "99999999999999999999999", "1\x00"])
def test_deleting_a_test_case_by_a_junk_id_gets_a_message_and_deletes_nothing(admin_client, pack, junk):
    draft = copy_draft(admin_client)
    table = table_of(draft, "predikat_kinerja")
    count = table.test_cases.count()
    response = admin_client.post(f"/aturan/tabel/{table.pk}/uji/", {"delete": junk}, follow=True)
    assert response.status_code == (400 if "\x00" in junk else 200)
    assert (NUL_PAGE if "\x00" in junk else "Kasus uji tersebut tidak ada.") in response.content.decode()
    assert table.test_cases.count() == count


@pytest.mark.parametrize("junk", ["abc", "1e309", "0", "99999999999999999999999", "1\x00", "999999"])
def test_a_diff_against_a_junk_version_is_a_404(admin_client, pack, junk):
    draft = copy_draft(admin_client)
    expected = 400 if "\x00" in junk else 404  # a NUL is refused by the product's NUL guard first
    assert admin_client.get(f"/aturan/versi/{draft.pk}/banding/", {"dengan": junk}).status_code == expected


JUNK = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=20).map(lambda t: t + "\x00"),
    st.sampled_from(["1e309", "-1e309", "1e20", "0,5", "NaN", "inf", "[0..1e309)", "in {1e309}", ">= 1e20", "-", ""]),
    st.integers(-(10**30), 10**30).map(str),
    st.text(min_size=301, max_size=400),
)
RATINGS = {"di_bawah", "sesuai", "di_atas"}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    keys=st.lists(st.one_of(st.sampled_from(["1", "2", "n1"]), st.text(max_size=8)), max_size=4),
    cells=st.lists(JUNK, min_size=6, max_size=6),
    rating=JUNK.filter(lambda t: t.strip() not in RATINGS and t.strip() != ""),
    other=JUNK,
)
def test_junk_posted_to_the_editor_never_gives_a_500_nor_changes_the_draft(
    admin_client, pack, keys, cells, rating, other
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    draft = RuleSetVersion.objects.filter(rule_set__key="penilaian-kinerja", number=3).first() or copy_draft(
        admin_client
    )
    table = table_of(draft, "rating_perilaku")
    before = (rows_of(table), list(table.test_cases.values_list("name", "inputs", "expected")))
    grid = {}
    for key in keys:  # every row has a rating that is no code: the grid can never be saved
        grid |= {
            f"order-{key}": cells[0],
            f"c-{key}-perilaku_di_atas": cells[1],
            f"c-{key}-perilaku_di_bawah": cells[2],
            f"o-{key}-rating": rating,
            f"note-{key}": cells[3],
            f"default-{key}": cells[4],
        }
    case = {"name": other, "i-perilaku_di_atas": cells[1], "i-perilaku_di_bawah": cells[2], "o-rating": rating}
    facts_csv = f"perilaku_di_atas;perilaku_di_bawah\n{cells[1]};{other}\n".encode()
    posts = [
        (f"/aturan/tabel/{table.pk}/", grid),
        (f"/aturan/tabel/{table.pk}/uji/", case),
        (f"/aturan/tabel/{table.pk}/uji/", {"delete": other}),
        (f"/aturan/tabel/{table.pk}/coba/", {"i-perilaku_di_atas": cells[1], "i-perilaku_di_bawah": other}),
        (
            f"/aturan/versi/{draft.pk}/simulasi/",
            {"table": other, "baseline": cells[5], "data": SimpleUploadedFile("f.csv", other.encode())},
        ),
        (
            f"/aturan/versi/{draft.pk}/simulasi/",
            {"table": "rating_perilaku", "baseline": published().pk, "data": SimpleUploadedFile("f.csv", facts_csv)},
        ),
    ]
    for url, data in posts:
        assert admin_client.post(url, data).status_code < 500, (url, data)
    assert admin_client.get(f"/aturan/versi/{draft.pk}/banding/", {"dengan": other}).status_code in (200, 400, 404)
    assert (rows_of(table), list(table.test_cases.values_list("name", "inputs", "expected"))) == before
