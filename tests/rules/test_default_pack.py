"""The default pack (PermenPANRB 6/2022): every cell of the predikat matrix, the hasil kerja rule
at its boundaries, and the other tables, evaluated through rules.evaluate."""

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

import rules
from rules.models import RuleSet, RuleSetVersion, TableRow

ON = dt.date(2026, 6, 30)  # version 2 of the pack (version 1 ends on 2025-12-31)

MATRIX = {
    ("di_atas", "di_bawah"): "kurang",
    ("di_atas", "sesuai"): "baik",
    ("di_atas", "di_atas"): "sangat_baik",
    ("sesuai", "di_bawah"): "kurang",
    ("sesuai", "sesuai"): "baik",
    ("sesuai", "di_atas"): "baik",
    ("di_bawah", "di_bawah"): "sangat_kurang",
    ("di_bawah", "sesuai"): "butuh_perbaikan",
    ("di_bawah", "di_atas"): "butuh_perbaikan",
}


@pytest.mark.parametrize(("cell", "predikat"), MATRIX.items(), ids=[f"{h}-{p}" for h, p in MATRIX])
def test_every_cell_of_the_predikat_matrix(pack, cell, predikat):
    hasil, perilaku = cell
    decision = rules.evaluate(
        "penilaian-kinerja", "predikat_kinerja", {"hasil_kerja": hasil, "perilaku": perilaku}, on=ON
    )
    assert decision.outputs == {"predikat": predikat}
    assert decision.version.number == 2
    assert decision.trace[0]["inputs"] == {"hasil_kerja": hasil, "perilaku": perilaku}


def rating(atas, bawah, utama_bawah, utama=3):
    facts = {
        "porsi_rhk_di_atas": atas,
        "porsi_rhk_di_bawah": bawah,
        "rhk_utama_di_bawah": utama_bawah,
        "porsi_rhk_utama_di_bawah": utama_bawah / utama,
    }
    return rules.evaluate("penilaian-kinerja", "rating_hasil_kerja", facts, on=ON).outputs["rating"]


def test_exactly_half_above_is_not_most(pack):
    assert rating(0.5, 0, 0) == "sesuai"
    assert rating(0.5, 0.5, 0) == "sesuai"
    assert rating(0, 0.5, 0) == "sesuai"


def test_just_over_half_above_is_di_atas(pack):
    assert rating(0.51, 0, 0) == "di_atas"
    assert rating(0.51, 0.49, 0) == "di_atas"


def test_one_rhk_utama_below_with_most_above_is_sesuai(pack):
    assert rating(0.8, 0.2, 1) == "sesuai"


def test_most_below_is_di_bawah(pack):
    assert rating(0.2, 0.51, 0) == "di_bawah"
    assert rating(0, 1, 3) == "di_bawah"


def test_two_utama_below_are_not_made_up_by_three_tambahan_above(pack):
    """2 RHK Utama below, 3 RHK Tambahan above: most RHK are above, yet the core of the job failed."""
    assert rating(0.6, 0.4, 2, utama=2) == "di_bawah"
    assert rating(0.6, 0.4, 1, utama=2) == "sesuai"  # exactly half of the Utama below is not more than half


def test_default_row_decides_with_trace(pack):
    decision = rules.evaluate(
        "penilaian-kinerja",
        "rating_hasil_kerja",
        {"porsi_rhk_di_atas": 0.5, "porsi_rhk_di_bawah": 0, "rhk_utama_di_bawah": 0, "porsi_rhk_utama_di_bawah": 0},
        on=ON,
    )
    assert decision.trace[0]["row"] == 4 and decision.trace[0]["default"] is True


@pytest.mark.parametrize(
    ("organisasi", "expected"),
    [
        ("istimewa", "di_atas"),
        ("baik", "sesuai"),
        ("butuh_perbaikan", "di_bawah"),
        ("kurang", "di_bawah"),
        ("sangat_kurang", "di_bawah"),
    ],
)
def test_unit_head_rating_follows_the_organisation(pack, organisasi, expected):
    decision = rules.evaluate(
        "penilaian-kinerja", "rating_hasil_kerja_pimpinan", {"predikat_organisasi": organisasi}, on=ON
    )
    assert decision.outputs == {"rating": expected}


@pytest.mark.parametrize(
    ("atas", "bawah", "expected"),
    [(4, 0, "di_atas"), (3, 0, "sesuai"), (3, 4, "di_bawah"), (0, 3, "sesuai"), (7, 0, "di_atas")],
)
def test_rating_perilaku_more_than_half_of_seven(pack, atas, bawah, expected):
    decision = rules.evaluate(
        "penilaian-kinerja", "rating_perilaku", {"perilaku_di_atas": atas, "perilaku_di_bawah": bawah}, on=ON
    )
    assert decision.outputs["rating"] == expected


def test_angka_kredit_and_policy_and_distribution(pack):
    ak = rules.evaluate(
        "penilaian-kinerja", "angka_kredit", {"jenjang": "ahli_madya", "predikat": "butuh_perbaikan"}, on=ON
    )
    assert ak.outputs == {"koefisien": 37.5, "persentase": 75.0}
    policy = rules.evaluate("penilaian-kinerja", "kebijakan", {}, on=ON)
    assert policy.outputs == {
        "hari_keberatan": 14,
        "hari_keputusan_keberatan": 14,
        "distribusi_memblokir": False,
        "jenis_hari_keberatan": "kalender",
        "hasil_kerja_pimpinan_dari_organisasi": True,
        "hasil_kerja_pimpinan_boleh_diubah": False,
        "tingkat_distribusi": "opd",
        "publikasi": "setelah_kalibrasi",
        "pembulatan_distribusi": "terdekat",
    }
    pola = rules.evaluate("penilaian-kinerja", "pola_distribusi", {"predikat_organisasi": "sangat_kurang"}, on=ON)
    assert pola.outputs["max_sangat_baik"] == 0 and pola.outputs["min_sangat_kurang"] == 0.6


def test_old_bands_ship_unpublished(pack):
    old = RuleSetVersion.objects.get(rule_set__key="penilaian-kinerja-pp30-2019")
    assert old.status == "draft"
    with pytest.raises(rules.RuleEvaluationError, match="No published version"):
        rules.evaluate("penilaian-kinerja-pp30-2019", "predikat_nilai", {"nilai_kinerja": 100}, on=ON)
    assert rules.evaluate_version(old, "predikat_nilai", {"nilai_kinerja": 90}).outputs == {"predikat": "baik"}


def test_loading_twice_changes_nothing(pack):
    from rules.loader import load_pack

    from .conftest import PACK

    counts = (RuleSet.history.count(), RuleSetVersion.history.count(), TableRow.history.count())
    report = load_pack(PACK)
    assert not report.changed and not report.errors
    assert (RuleSet.history.count(), RuleSetVersion.history.count(), TableRow.history.count()) == counts


def test_rules_eval_prints_outputs_version_and_trace(pack, capsys):
    call_command(
        "rules_eval",
        "penilaian-kinerja",
        "predikat_kinerja",
        "--facts",
        '{"hasil_kerja": "sesuai", "perilaku": "di_atas"}',
        "--on",
        "2024-01-01",
    )
    out = json.loads(capsys.readouterr().out)
    assert out["outputs"] == {"predikat": "baik"}
    assert out["version"]["rule_set"] == "penilaian-kinerja" and out["version"]["number"] == 1
    assert out["trace"][0]["row"] == 4


def test_rules_eval_reports_a_missing_input_clearly(pack):
    with pytest.raises(CommandError, match="Missing input: perilaku"):
        call_command("rules_eval", "penilaian-kinerja", "predikat_kinerja", "--facts", '{"hasil_kerja": "sesuai"}')


def test_rules_simulate_counts_changes(pack, tmp_path, capsys):
    csv = tmp_path / "nilai.csv"
    csv.write_text("nilai_kinerja\n95\n110\n30\n", encoding="utf-8")
    call_command(
        "rules_simulate",
        "penilaian-kinerja-pp30-2019",
        "predikat_nilai",
        "--csv",
        str(csv),
        "--candidate",
        "1",
        "--against",
        "1",
    )
    out = json.loads(capsys.readouterr().out)
    assert out["total"] == 3 and out["changed"] == 0 and out["errors"] == 0


TPP_PLACEHOLDERS = {"sangat_baik": 100, "baik": 100, "butuh_perbaikan": 80, "kurang": 60, "sangat_kurang": 40}


@pytest.mark.parametrize(("predikat", "persen"), TPP_PLACEHOLDERS.items())
def test_tpp_table_gives_a_percentage_for_every_predikat(pack, predikat, persen):
    decision = rules.evaluate("penilaian-kinerja", "tpp", {"predikat": predikat}, on=ON)
    assert decision.outputs == {"persen": persen}


def _tpp_spec():
    import yaml

    from rules.spec import TableSpec

    from .conftest import PACK

    data = yaml.safe_load((PACK / "penilaian-kinerja.yaml").read_text(encoding="utf-8"))
    table = next(t for t in data["versions"][-1]["tables"] if t["name"] == "tpp")
    return TableSpec.from_dict(table)


def test_tpp_table_says_its_defaults_are_placeholders_for_the_governor_regulation():
    spec = _tpp_spec()
    assert "Peraturan Gubernur" in spec.description and "sementara" in spec.description.lower()
    assert [t.name for t in spec.tests] == ["sangat baik", "baik", "butuh perbaikan", "kurang", "sangat kurang"]


def test_tpp_table_without_a_row_for_one_predikat_fails_validation():
    from rules.validation import validate_table

    spec = _tpp_spec()
    assert validate_table(spec) == []
    data = spec.to_dict()
    data["rows"] = [r for r in data["rows"] if "butuh_perbaikan" not in str(r.get("when"))]
    problems = validate_table(type(spec).from_dict(data))
    assert problems and "butuh_perbaikan" in str(problems[0])


def test_version_1_stays_as_published_and_version_2_takes_over_in_2026(pack):
    """A published version never changes: the tables added since (tpp, predikat_tahunan, the unit
    head's rating, the calibration policy) are version 2, in force from 2026-01-01."""
    v1, v2 = RuleSetVersion.objects.filter(rule_set__key="penilaian-kinerja").order_by("number")
    assert (v1.effective_from, v1.effective_to) == (dt.date(2023, 1, 1), dt.date(2025, 12, 31))
    assert (v2.effective_from, v2.effective_to) == (dt.date(2026, 1, 1), None)
    new = {"tpp", "predikat_tahunan", "rating_hasil_kerja_pimpinan"}
    assert not new & set(v1.tables.values_list("name", flat=True))
    assert new <= set(v2.tables.values_list("name", flat=True))
    old_policy = rules.evaluate("penilaian-kinerja", "kebijakan", {}, on=dt.date(2025, 6, 30))
    assert old_policy.version.number == 1 and "tingkat_distribusi" not in old_policy.outputs
    assert rules.evaluate("penilaian-kinerja", "kebijakan", {}, on=ON).outputs["tingkat_distribusi"] == "opd"
