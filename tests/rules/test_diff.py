"""Comparing two versions' decision tables (rules/diff.py), without the database."""

from decimal import Decimal

import pytest

from rules.conditions import CellError, FieldType, cast_fact
from rules.diff import diff_tables, diff_versions
from rules.spec import ColumnSpec, RowSpec, TableSpec


def table(name="kebijakan", rows=(), inputs=("nilai",), outputs=("predikat",), hit_policy="first"):
    return TableSpec(
        name=name,
        hit_policy=hit_policy,
        inputs=tuple(ColumnSpec(n, "number") for n in inputs),
        outputs=tuple(ColumnSpec(n, "text") for n in outputs),
        rows=tuple(rows),
    )


ROWS = (
    RowSpec({"nilai": ">= 110"}, {"predikat": "sangat_baik"}),
    RowSpec({"nilai": "[90..110)"}, {"predikat": "baik"}),
    RowSpec({}, {"predikat": "kurang"}, is_default=True),
)


def texts(cells):
    return [(c.v, c.changed) for c in cells]


def test_identical_tables_have_no_changed_row_or_cell():
    diff = diff_tables("kebijakan", table(rows=ROWS), table(rows=ROWS))
    assert diff.changed_rows == 0 and not diff.schema_changed
    assert diff.cols_a == diff.cols_b == ["nilai", "predikat"]
    assert [texts(r.a) for r in diff.rows] == [
        [(">= 110", False), ("sangat_baik", False)],
        [("[90..110)", False), ("baik", False)],
        [("-", False), ("kurang", False)],  # the default row tests no input
    ]


def test_a_changed_cell_is_marked_on_both_sides_and_counts_its_row_once():
    changed = (ROWS[0], RowSpec({"nilai": "[95..110)"}, {"predikat": "baik"}), ROWS[2])
    diff = diff_tables("kebijakan", table(rows=ROWS), table(rows=changed))
    assert diff.changed_rows == 1
    assert [r.changed for r in diff.rows] == [False, True, False]
    assert texts(diff.rows[1].a) == [("[90..110)", True), ("baik", False)]
    assert texts(diff.rows[1].b) == [("[95..110)", True), ("baik", False)]


def test_a_row_on_one_side_only_is_changed_in_full():
    diff = diff_tables("kebijakan", table(rows=ROWS[:2]), table(rows=ROWS))
    last = diff.rows[2]
    assert last.n == 3 and last.changed and last.a == []
    assert texts(last.b) == [("-", True), ("kurang", True)]


def test_a_row_that_becomes_the_default_row_is_changed_even_with_the_same_cells():
    plain = RowSpec({}, {"predikat": "kurang"})
    diff = diff_tables("kebijakan", table(rows=[plain]), table(rows=[ROWS[2]]))
    assert diff.rows[0].changed and diff.changed_rows == 1


def test_new_columns_and_a_new_hit_policy_show_as_a_schema_change():
    diff = diff_tables(
        "kebijakan", table(rows=ROWS), table(rows=ROWS, inputs=("nilai", "perilaku"), hit_policy="unique")
    )
    assert diff.schema_changed and (diff.policy_a, diff.policy_b) == ("first", "unique")
    assert diff.cols_b == ["nilai", "perilaku", "predikat"]
    assert texts(diff.rows[0].b)[1] == ("-", True)  # the new input: not tested, and absent on the left


def test_versions_pair_tables_by_name_and_a_table_in_one_version_only_is_all_new():
    diff = diff_versions([table("a", ROWS)], [table("b", ROWS), table("a", ROWS)])
    assert [t.name for t in diff] == ["a", "b"]
    assert diff[0].changed_rows == 0
    added = diff[1]
    assert added.cols_a == [] and added.policy_a == "—" and added.schema_changed
    assert added.changed_rows == 3 and all(c.changed for r in added.rows for c in r.b)


@pytest.mark.parametrize("value", [Decimal("97.5"), 97.5, 97])
def test_a_numeric_fact_may_be_a_decimal_a_float_or_an_int(value):
    assert cast_fact(value, FieldType("capaian", "number")) == 97.5 or value == 97


@pytest.mark.parametrize("value", ["97.5", True, None])
def test_a_numeric_fact_that_is_text_a_boolean_or_missing_is_refused(value):
    with pytest.raises(CellError) as exc:
        cast_fact(value, FieldType("capaian", "number"))
    assert exc.value.code == "wrong_type"
