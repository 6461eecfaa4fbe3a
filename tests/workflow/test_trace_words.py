"""The rule trace on the result page in words: labels and values as people read them, the tables'
own descriptions; the condition syntax and raw codes stay in the rules editor."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from tests.helpers import through_final_review
from workflow.domain.explanation import _test_words, value_labels


@pytest.mark.parametrize(
    ("cell", "words"),
    [
        ("= di_atas", "Di Atas Ekspektasi"),
        ("di_atas", "Di Atas Ekspektasi"),
        ("in {sesuai, di_atas}", "Sesuai Ekspektasi atau Di Atas Ekspektasi"),
        ("not in {sangat_baik}", "bukan Sangat Baik"),
        ("> 0.5", "lebih dari 0,5"),
        (">= 0,75", "paling sedikit 0,75"),
        ("<= 2", "paling banyak 2"),
        ("< 1", "kurang dari 1"),
        ("!= kurang", "selain Kurang/Misconduct"),
        ("[0.5..1)", "dari 0,5 di bawah 1"),
        ("= true", "ya"),
        ("= 0", "0"),
    ],
)
def test_a_condition_cell_reads_in_words(cell, words):
    with translation.override("id"):
        labels = {k: str(v).split(" (")[0] for k, v in value_labels().items()}
        assert _test_words(cell, labels) == words


def test_labels_keep_their_translation_in_words():
    with translation.override("id"):
        assert "Di Atas Ekspektasi" in _test_words("= di_atas", value_labels())


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_result_page_explains_the_rules_in_words(client, org, opened, rules_pack):
    skp = through_final_review(org, org.pelaksana, org.kasi, lambda r: "di_atas", lambda v: "sesuai")
    client.force_login(org.pelaksana.user)
    page = visible_text(client.get(f"/appraisal/{skp.process_id}/", HTTP_ACCEPT_LANGUAGE="id").content.decode())
    rules = page[page.index("Aturan yang diterapkan") : page.index("Rencana (")]
    for raw in ("di_atas", "sangat_baik", "rating_hasil_kerja", "FIRST", "UNIQUE", "(nilai: )", "syarat ="):
        assert raw not in page, raw
    assert "Rating hasil kerja Di Atas Ekspektasi (syarat: Di Atas Ekspektasi)" in rules
    assert "Porsi RHK di atas ekspektasi 1 (syarat: lebih dari 0,5)" in rules
    assert "Predikat kinerja: Baik" in rules
    assert "Kuadran rating hasil kerja" in rules  # the table's own description
