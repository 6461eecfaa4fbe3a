"""Working days (domain.workdays): Monday to Friday minus the government's holidays, as properties
over generated dates and holiday sets, and the 2026 Lebaran week as a worked example."""

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from workflow.domain.workdays import (
    KALENDER,
    KERJA,
    add_days,
    add_working_days,
    is_working_day,
    working_days_between,
)

days = st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2035, 12, 31))
holiday_sets = st.frozensets(st.dates(min_value=dt.date(2019, 12, 1), max_value=dt.date(2036, 6, 30)), max_size=80)
counts = st.integers(min_value=0, max_value=60)

# 2026: cuti bersama Nyepi (18 Mar), Nyepi (19), cuti bersama and Idulfitri (20-24 Mar), Good Friday (3 Apr)
LEBARAN_2026 = frozenset(dt.date(2026, 3, d) for d in (18, 19, 20, 21, 22, 23, 24)) | {
    dt.date(2026, 4, 3),
    dt.date(2026, 4, 5),
}


@given(days, counts.filter(bool), holiday_sets)
def test_the_result_is_a_working_day_after_the_start(start, n, holidays):
    result = add_working_days(start, n, holidays)
    assert is_working_day(result, holidays)
    assert result > start


@given(days, counts, holiday_sets)
def test_exactly_n_working_days_lie_between_start_and_result(start, n, holidays):
    assert working_days_between(start, add_working_days(start, n, holidays), holidays) == n


@given(days, counts, counts, holiday_sets)
def test_more_days_never_give_an_earlier_date(start, a, b, holidays):
    low, high = sorted((a, b))
    assert add_working_days(start, low, holidays) <= add_working_days(start, high, holidays)


@given(days, counts, holiday_sets)
def test_working_days_never_end_before_calendar_days(start, n, holidays):
    assert add_days(start, n, KERJA, holidays) >= add_days(start, n, KALENDER, holidays)


@given(days, counts, holiday_sets, holiday_sets)
def test_more_holidays_never_give_an_earlier_date(start, n, some, more):
    assert add_working_days(start, n, some) <= add_working_days(start, n, some | more)


@given(days, counts.filter(bool), holiday_sets)
def test_going_back_lands_on_the_last_working_day_up_to_the_start(start, n, holidays):
    back = add_working_days(add_working_days(start, n, holidays), -n, holidays)
    assert back <= start and is_working_day(back, holidays)
    assert working_days_between(back, start, holidays) == 0  # no working day after it up to the start


def test_weekends_are_not_working_days():
    assert is_working_day(dt.date(2026, 12, 4))  # Friday
    assert not is_working_day(dt.date(2026, 12, 5))  # Saturday
    assert not is_working_day(dt.date(2026, 12, 6))  # Sunday
    assert add_working_days(dt.date(2026, 12, 4), 1) == dt.date(2026, 12, 7)
    assert add_working_days(dt.date(2026, 12, 5), 0) == dt.date(2026, 12, 5)


def test_fourteen_working_days_from_the_friday_before_lebaran_2026():
    # published Friday 13 March 2026: 16-17 Mar count, 18-24 Mar are holidays, 3 April is Good Friday
    start = dt.date(2026, 3, 13)
    assert add_days(start, 14, KALENDER, LEBARAN_2026) == dt.date(2026, 3, 27)
    assert add_days(start, 14, KERJA, LEBARAN_2026) == dt.date(2026, 4, 10)
    assert add_days(start, 14, KERJA) == dt.date(2026, 4, 2)  # the same without the holiday calendar


def test_an_unknown_kind_counts_calendar_days():
    assert add_days(dt.date(2026, 3, 13), 14, "", LEBARAN_2026) == dt.date(2026, 3, 27)
