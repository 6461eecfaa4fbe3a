"""Each kind of malformed table is rejected with its own message, per row and cell."""

import pytest

from rules.conditions import CellError, FieldType, coerce_text, parse_condition, parse_value
from rules.validation import validate_table

from .conftest import table

NUM = FieldType("a", "number")
INT = FieldType("n", "integer")
ENUM = FieldType("e", "enum", ("p", "q", "r"))
BOOL = FieldType("b", "boolean")


@pytest.mark.parametrize(
    ("text", "spec", "value", "expected"),
    [
        ("-", NUM, 5, True),
        ("", NUM, 5, True),
        ("= 5", NUM, 5.0, True),
        ("5", NUM, 5.0, True),
        ("< 5", NUM, 4.99, True),
        ("< 5", NUM, 5.0, False),
        ("<= 5", NUM, 5.0, True),
        ("> 0.5", NUM, 0.5, False),
        (">= 0.5", NUM, 0.5, True),
        ("[1..2)", NUM, 1.0, True),
        ("[1..2)", NUM, 2.0, False),
        ("(1..2]", NUM, 1.0, False),
        ("(1..2]", NUM, 2.0, True),
        ("in {1, 3}", INT, 3, True),
        ("in {p, q}", ENUM, "q", True),
        ("in {p, q}", ENUM, "r", False),
        ("= ya", BOOL, True, True),
        ("false", BOOL, True, False),
    ],
)
def test_condition_syntax_reads_as_documented(text, spec, value, expected):
    assert parse_condition(text, spec).matches(value) is expected


@pytest.mark.parametrize(
    ("text", "spec", "code"),
    [
        ("= abc", NUM, "wrong_type"),
        ("1.5", INT, "wrong_type"),
        ("= z", ENUM, "unknown_code"),
        ("< p", ENUM, "wrong_type"),
        ("[1..2)", BOOL, "wrong_type"),
        ("[5..1)", NUM, "swapped_range"),
        ("[1..1)", NUM, "empty_range"),
        ("(1..2)", INT, "empty_range"),
        ("in {}", NUM, "syntax"),
        ("1..2", NUM, "syntax"),
        ("= maybe", BOOL, "wrong_type"),
    ],
)
def test_bad_cells_are_rejected_with_a_code(text, spec, code):
    with pytest.raises(CellError) as exc:
        parse_condition(text, spec)
    assert exc.value.code == code
    assert exc.value.message


def codes(spec):
    return {(p.code, p.row, p.field) for p in validate_table(spec)}


def test_string_in_a_number_cell_names_row_and_cell():
    problems = validate_table(
        table(rows=[{"when": {"a": "= abc"}, "then": {"o": 1}}, {"default": True, "then": {"o": 0}}])
    )
    assert [(p.code, p.row, p.field) for p in problems] == [("wrong_type", 1, "a")]
    assert "abc" in problems[0].message and "number" in problems[0].message


def test_unknown_input_is_reported():
    assert ("unknown_input", 1, "zz") in codes(
        table(rows=[{"when": {"zz": "1"}, "then": {"o": 1}}, {"default": True, "then": {"o": 0}}])
    )


def test_unknown_enum_code_is_reported():
    spec = table(
        inputs=[{"name": "e", "type": "enum", "choices": ["p", "q"]}],
        rows=[{"when": {"e": "= z"}, "then": {"o": 1}}, {"default": True, "then": {"o": 0}}],
    )
    assert ("unknown_code", 1, "e") in codes(spec)


def test_swapped_range_is_reported():
    assert ("swapped_range", 1, "a") in codes(
        table(rows=[{"when": {"a": "[5..1)"}, "then": {"o": 1}}, {"default": True, "then": {"o": 0}}])
    )


def test_wrong_output_type_is_reported():
    assert ("wrong_type", 1, "o") in codes(
        table(rows=[{"when": {"a": "< 0"}, "then": {"o": "x"}}, {"default": True, "then": {"o": 0}}])
    )


def test_table_with_no_rows_is_rejected():
    problems = validate_table(table(rows=[]))
    assert [p.code for p in problems] == ["no_rows"]
    assert "no rows" in problems[0].message


def test_overlapping_rows_under_unique_are_reported_with_an_example():
    spec = table(
        hit_policy="UNIQUE",
        rows=[
            {"when": {"a": "[0..10)"}, "then": {"o": 1}},
            {"when": {"a": ">= 5"}, "then": {"o": 2}},
            {"default": True, "then": {"o": 0}},
        ],
    )
    problems = [p for p in validate_table(spec) if p.code == "overlap"]
    assert len(problems) == 1 and problems[0].row == 2
    assert "a = 5" in problems[0].message


def test_touching_ranges_do_not_overlap():
    spec = table(
        hit_policy="UNIQUE", rows=[{"when": {"a": "< 5"}, "then": {"o": 1}}, {"when": {"a": ">= 5"}, "then": {"o": 2}}]
    )
    assert validate_table(spec) == []


def test_unreachable_row_under_first_is_reported():
    spec = table(
        inputs=[{"name": "a", "type": "number"}, {"name": "b", "type": "boolean"}],
        rows=[
            {"when": {"a": "< 10"}, "then": {"o": 1}},
            {"when": {"a": "[2..3]", "b": "true"}, "then": {"o": 2}},
            {"default": True, "then": {"o": 0}},
        ],
    )
    assert ("unreachable", 2, None) in codes(spec)


def test_row_covered_by_several_earlier_rows_is_unreachable():
    spec = table(
        rows=[
            {"when": {"a": "< 0"}, "then": {"o": 1}},
            {"when": {"a": ">= 0"}, "then": {"o": 2}},
            {"when": {"a": "[-1..1]"}, "then": {"o": 3}},
        ]
    )
    assert ("unreachable", 3, None) in codes(spec)


def test_uncovered_inputs_without_default_are_reported():
    spec = table(rows=[{"when": {"a": "< 0"}, "then": {"o": 1}}])
    problems = [p for p in validate_table(spec) if p.code == "uncovered"]
    assert problems and "a = 0" in problems[0].message


def test_declared_bounds_count_for_coverage():
    spec = table(
        inputs=[{"name": "n", "type": "integer", "min": 0, "max": 7}],
        rows=[{"when": {"n": ">= 4"}, "then": {"o": 1}}, {"when": {"n": "[0..3]"}, "then": {"o": 0}}],
    )
    assert validate_table(spec) == []


def range_rows(field, n, start=0):
    return [{"when": {field: f"[{i + start}..{i + start + 1})"}, "then": {"o": i}} for i in range(n)]


def test_63_range_rows_on_one_input_pass_and_64_are_refused_naming_the_limit():
    ok = table(rows=[*range_rows("a", 63), {"default": True, "then": {"o": 0}}])
    assert validate_table(ok) == []
    for n in (64, 65, 100):
        spec = table(rows=[*range_rows("a", n), {"default": True, "then": {"o": 0}}])
        problems = [p for p in validate_table(spec) if p.code == "too_many_ranges"]
        assert [(p.row, p.field) for p in problems] == [(None, "a")]
        assert f"{n + 1} conditions" in problems[0].message and "at most 64 at once" in problems[0].message
        assert "at most 63 rows" in problems[0].message


def test_without_a_default_row_the_catch_all_counts_the_same():
    spec = table(rows=[*range_rows("a", 63), {"when": {"a": "-"}, "then": {"o": 0}}])
    assert validate_table(spec) == []
    spec = table(
        rows=range_rows("a", 64, start=-1)
        + [{"when": {"a": "< -1"}, "then": {"o": 0}}, {"when": {"a": ">= 63"}, "then": {"o": 0}}]
    )
    assert "too_many_ranges" in {p.code for p in validate_table(spec)}


def test_the_limit_is_per_table_not_per_input():
    rows = [{"when": {"a": f">= {i}", "b": "-"}, "then": {"o": i}} for i in range(40)]
    rows += [{"when": {"a": "-", "b": f">= {i}"}, "then": {"o": i}} for i in range(40)]
    spec = table(
        inputs=[{"name": "a", "type": "number"}, {"name": "b", "type": "number"}],
        rows=[*rows, {"default": True, "then": {"o": 0}}],
    )
    assert "too_many_ranges" in {p.code for p in validate_table(spec)}


def test_ranges_count_once_and_declared_bounds_limit_what_holds():
    overlapping = [{"when": {"a": f"[{i}..{1000 + i})"}, "then": {"o": i}} for i in range(63)]
    assert validate_table(table(rows=[*overlapping, {"default": True, "then": {"o": 0}}])) == []
    # 100 range rows, but the input never exceeds 50: at most 51 lower bounds hold at once.
    bounded = table(
        inputs=[{"name": "a", "type": "integer", "min": 0, "max": 50}],
        rows=[*range_rows("a", 100), {"default": True, "then": {"o": 0}}],
    )
    assert "too_many_ranges" not in {p.code for p in validate_table(bounded)}


def test_default_row_must_be_last():
    spec = table(rows=[{"default": True, "then": {"o": 0}}, {"when": {"a": "< 0"}, "then": {"o": 1}}])
    assert ("default_position", 1, None) in codes(spec)


def test_missing_output_value_is_reported():
    assert ("missing_output", 1, "o") in codes(
        table(rows=[{"when": {"a": "< 0"}, "then": {}}, {"default": True, "then": {"o": 0}}])
    )


# --- decimal comma (issue 11, item 17) ---------------------------------------------------------------

NUM = FieldType("a", "number")


@pytest.mark.parametrize(
    ("text", "point"),
    [("[0,5..1)", "[0.5..1)"), (">= 0,5", ">= 0.5"), ("0,25", "0.25"), ("= ,5", "= .5"), ("< -1,5", "< -1.5")],
)
def test_a_decimal_comma_reads_like_a_decimal_point(text, point):
    comma, dot = parse_condition(text, NUM), parse_condition(point, NUM)
    assert (comma.kind, comma.values, comma.interval) == (dot.kind, dot.values, dot.interval)


def test_lists_split_on_semicolons_when_they_have_any_else_on_commas():
    assert parse_condition("in {0,5; 1}", NUM).values == (0.5, 1.0)
    assert parse_condition("in {1,2}", NUM).values == (1.0, 2.0)  # unchanged meaning of old tables
    assert parse_condition("in {1, 2,5}", NUM).values == (1.0, 2.0, 5.0)
    assert parse_condition("in {sesuai; di_atas}", FieldType("e", "enum", ("sesuai", "di_atas"))).values == (
        "sesuai",
        "di_atas",
    )


def test_non_finite_and_malformed_numbers_are_refused():
    for text in ("1e309", "-1e400", "0,5,5", "1.000,5", "nan", "inf"):
        with pytest.raises(CellError):
            parse_value(text, NUM)
    assert coerce_text("0,5", NUM) == 0.5
