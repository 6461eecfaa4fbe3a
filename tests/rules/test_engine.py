"""The durable_rules adapter: same answers as a plain reading of the table, strict facts,
flat memory over many evaluations."""

import gc
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rules.api import decide, decide_many
from rules.compiler import VersionRef, compile_table
from rules.conditions import CellError, parse_condition
from rules.engine import get_engine
from rules.errors import InvalidFacts, RuleEvaluationError
from rules.spec import ColumnSpec, RowSpec, TableSpec

from .conftest import table

REF = VersionRef("uji", 1)
CODES = ["p", "q", "r"]
NUMBERS = [-2, -1, -0.5, 0, 0.5, 1, 2, 3]


def cell_for(col_type):
    if col_type == "boolean":
        return st.sampled_from(["-", "= true", "= false"])
    if col_type == "enum":
        return st.one_of(
            st.just("-"),
            st.sampled_from(CODES).map(lambda c: f"= {c}"),
            st.lists(st.sampled_from(CODES), min_size=1, max_size=3, unique=True).map(
                lambda cs: "in {" + ", ".join(cs) + "}"
            ),
        )
    ints = st.integers(-2, 3)
    num = ints if col_type == "integer" else st.sampled_from(NUMBERS)
    ranges = st.tuples(ints, ints, st.sampled_from("[("), st.sampled_from("])")).filter(lambda t: t[0] < t[1])
    return st.one_of(
        st.just("-"),
        num.map(lambda v: f"= {v}"),
        st.tuples(st.sampled_from(["<", "<=", ">", ">="]), num).map(lambda t: f"{t[0]} {t[1]}"),
        ranges.map(lambda t: f"{t[2]}{t[0]}..{t[1]}{t[3]}"),
        st.lists(ints, min_size=1, max_size=3, unique=True).map(lambda vs: "in {" + ", ".join(map(str, vs)) + "}"),
    )


def readable(cell, col):
    """Cells that do not parse (e.g. the empty integer range (0..1)) become "any"."""
    try:
        parse_condition(cell, col.field_type)
    except CellError:
        return "-"
    return cell


@st.composite
def tables_and_facts(draw):
    types = draw(st.lists(st.sampled_from(["number", "integer", "enum", "boolean"]), min_size=1, max_size=3))
    inputs = tuple(ColumnSpec(f"x{i}", t, choices=tuple(CODES) if t == "enum" else ()) for i, t in enumerate(types))
    n_rows = draw(st.integers(1, 6))
    rows = [
        RowSpec({c.name: readable(draw(cell_for(c.type)), c) for c in inputs}, {"o": str(i)}) for i in range(n_rows)
    ]
    if draw(st.booleans()):
        rows.append(RowSpec({}, {"o": "99"}, is_default=True))
    spec = TableSpec(
        "prop",
        draw(st.sampled_from(["FIRST", "UNIQUE"])),
        inputs=inputs,
        outputs=(ColumnSpec("o", "integer"),),
        rows=tuple(rows),
    )

    def value(col):
        if col.type == "boolean":
            return st.booleans()
        if col.type == "enum":
            return st.sampled_from(CODES)
        if col.type == "integer":
            return st.integers(-3, 4)
        return st.one_of(st.sampled_from(NUMBERS), st.floats(-3, 4, allow_nan=False))

    facts = draw(st.lists(st.fixed_dictionaries({c.name: value(c) for c in inputs}), min_size=1, max_size=8))
    return spec, facts


def outcome(fn):
    try:
        return fn().outputs
    except RuleEvaluationError as exc:
        return ("error", exc.message)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables_and_facts())
def test_durable_rules_agrees_with_the_plain_reading(case):
    spec, facts_list = case
    compiled = compile_table(spec, REF, prefix="prop", check=False)
    engine = get_engine()
    try:
        for facts in facts_list:
            cast = compiled.cast(facts)
            assert sorted(engine.match(compiled, cast)) == compiled.plain_match(cast)
            assert outcome(lambda f=facts: decide(compiled, f)) == outcome(lambda f=facts: compiled.evaluate_plain(f))
        batch = decide_many(compiled, facts_list)
        for facts, got in zip(facts_list, batch, strict=True):
            want = outcome(lambda f=facts: compiled.evaluate_plain(f))
            assert (got.outputs if not isinstance(got, RuleEvaluationError) else ("error", got.message)) == want
    finally:
        engine.discard(compiled.name)


@pytest.fixture
def compiled():
    spec = table(
        inputs=[
            {"name": "a", "type": "number", "min": 0, "max": 100},
            {"name": "e", "type": "enum", "choices": ["p", "q"]},
        ],
        rows=[
            {"when": {"a": "< 50", "e": "= p"}, "then": {"o": 1}},
            {"when": {"a": ">= 50"}, "then": {"o": 2}},
            {"default": True, "then": {"o": 0}},
        ],
    )
    return compile_table(spec, REF)


@pytest.mark.parametrize(
    ("facts", "message"),
    [
        ({"a": "10", "e": "p"}, "must be a number"),
        ({"a": True, "e": "p"}, "must be a number"),
        ({"a": 10, "e": "z"}, "not an allowed code"),
        ({"a": 10}, "Missing input: e"),
        ({"a": 10, "e": "p", "b": 1}, "Unknown input: b"),
        ({"a": 101, "e": "p"}, "outside"),
    ],
)
def test_bad_facts_are_errors_not_silent_comparisons(compiled, facts, message):
    with pytest.raises(InvalidFacts, match=message) as exc:
        decide(compiled, facts)
    assert exc.value.table == "t" and "uji v1" in str(exc.value)


def test_trace_names_the_row_and_the_inputs(compiled):
    decision = decide(compiled, {"a": 10, "e": "p"})
    assert decision.outputs == {"o": 1}
    assert decision.trace == [
        {
            "table": "t",
            "row": 1,
            "default": False,
            "conditions": {"a": "< 50", "e": "= p"},
            "inputs": {"a": 10.0, "e": "p"},
            "outputs": {"o": 1},
        }
    ]


def test_unique_double_match_names_the_row():
    spec = table(
        hit_policy="UNIQUE",
        rows=[
            {"when": {"a": "< 5"}, "then": {"o": 1}},
            {"when": {"a": "< 9"}, "then": {"o": 2}},
            {"default": True, "then": {"o": 0}},
        ],
    )
    compiled = compile_table(spec, REF, check=False)
    with pytest.raises(RuleEvaluationError) as exc:
        decide(compiled, {"a": 1})
    assert exc.value.row == 2 and "UNIQUE" in exc.value.message


def rss_kb() -> int:
    with open(f"/proc/{os.getpid()}/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def test_20000_evaluations_keep_memory_flat(compiled):
    facts = [{"a": float(i % 100), "e": "pq"[i % 2]} for i in range(1000)]
    for f in facts:  # warm up: allocator pools, caches
        decide(compiled, f)
    gc.collect()
    before = rss_kb()
    for _ in range(20):
        for f in facts:
            decide(compiled, f)
    gc.collect()
    growth = rss_kb() - before
    # 20,000 sessions: without delete_state the engine would fail after 1024 of them.
    assert growth < 4096, f"RSS grew by {growth} kB over 20,000 evaluations"


# --- the engine's real limit (rules/network.py) ---------------------------------------------------


def _ge_rows(field, n, other=None):
    return [{"when": {field: f">= {i}", **({other: "-"} if other else {})}, "then": {"o": i}} for i in range(n)]


def _two_inputs(rows):
    return table(
        inputs=[{"name": "a", "type": "number"}, {"name": "b", "type": "number"}],
        rows=[*rows, {"default": True, "then": {"o": -1}}],
    )


LIMIT_CASES = {
    "63 ranges on one input": (
        table(
            rows=[
                *[{"when": {"a": f"[{i}..{i + 1})"}, "then": {"o": i}} for i in range(63)],
                {"default": True, "then": {"o": -1}},
            ]
        ),
        [{"a": 62.5}, {"a": 1000}],
    ),
    "64 ranges on one input": (
        table(
            rows=[
                *[{"when": {"a": f"[{i}..{i + 1})"}, "then": {"o": i}} for i in range(64)],
                {"default": True, "then": {"o": -1}},
            ]
        ),
        [{"a": 63.5}],
    ),
    "40 + 40 comparisons on two inputs": (
        _two_inputs(_ge_rows("a", 40, "b") + _ge_rows("b", 40, "a")),
        [{"a": 1000, "b": 1000}],
    ),
    "63 overlapping ranges, both bounds holding": (
        table(
            rows=[
                *[{"when": {"a": f"[{i}..{1000 + i})"}, "then": {"o": i}} for i in range(63)],
                {"default": True, "then": {"o": -1}},
            ]
        ),
        [{"a": 500}],
    ),
    "64 in-lists sharing a value": (
        table(
            rows=[
                *[{"when": {"a": f"in {{1, {i + 2}}}"}, "then": {"o": i}} for i in range(64)],
                {"default": True, "then": {"o": -1}},
            ]
        ),
        [{"a": 1}],
    ),
    "65 in-lists sharing a value": (
        table(
            rows=[
                *[{"when": {"a": f"in {{1, {i + 2}}}"}, "then": {"o": i}} for i in range(65)],
                {"default": True, "then": {"o": -1}},
            ]
        ),
        [{"a": 1}],
    ),
    "40 pending ranges, then a shared bound with 30 children": (
        table(
            rows=[
                *[{"when": {"a": f"[{-100 - i}..{-99 - i})"}, "then": {"o": i}} for i in range(40)],
                *[{"when": {"a": f"[0..{i + 1})"}, "then": {"o": i}} for i in range(30)],
                {"default": True, "then": {"o": -1}},
            ]
        ),
        [{"a": 0}],
    ),
}


def _raw_engine_run(spec, facts_list, conn):
    """In a forked child: the stock durable_rules calls (assert, then delete the session), as the
    adapter made them before it learnt to survive error 303."""
    import json

    import durable_rules_engine as core

    from rules.engine import Engine

    compiled = compile_table(spec, REF, prefix="limit", check=False)
    engine = Engine()
    engine.register(compiled)
    handle = engine._host.get_ruleset(compiled.name)._handle
    for i, facts in enumerate(facts_list):
        sid = f"x{i}"
        try:
            result = core.assert_fact(handle, json.dumps({**compiled.cast(facts), "sid": sid, "_k": 1}))
            engine._drain(handle, result[1])
        except core.error:
            conn.send("error 303")
        finally:
            core.delete_state(handle, sid)
    conn.send("ok")


@pytest.mark.parametrize("name", LIMIT_CASES)
def test_the_validator_refuses_exactly_what_the_engine_cannot_match(name):
    import multiprocessing

    from rules.validation import validate_table

    spec, facts_list = LIMIT_CASES[name]
    refused = "too_many_ranges" in {p.code for p in validate_table(spec)}
    ctx = multiprocessing.get_context("fork")
    receiver, sender = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_raw_engine_run, args=(spec, facts_list, sender))
    child.start()
    sender.close()
    child.join(60)
    said = receiver.recv() if receiver.poll(0) else None
    survived = child.exitcode == 0 and said == "ok"
    assert refused == (not survived), (name, refused, child.exitcode, said)


def test_a_failed_assert_costs_an_error_not_the_process():
    """Error 303 in this very process: the adapter drops the ruleset instead of deleting the
    half-written session, answers with an error, and evaluates the table again afterwards."""
    spec, _facts = LIMIT_CASES["64 ranges on one input"]
    compiled = compile_table(spec, REF, prefix="survive", check=False)
    engine = get_engine()
    try:
        for _ in range(3):
            with pytest.raises(RuleEvaluationError, match="303"):
                engine.match(compiled, compiled.cast({"a": 63.5}))
            assert decide(compiled, {"a": 2.5}).outputs == {"o": 2}
        with pytest.raises(RuleEvaluationError, match="303"):
            decide_many(compiled, [{"a": 1.5}, {"a": 63.5}])
        assert [d.outputs for d in decide_many(compiled, [{"a": 1.5}, {"a": -5}])] == [{"o": 1}, {"o": -1}]
    finally:
        engine.discard(compiled.name)
