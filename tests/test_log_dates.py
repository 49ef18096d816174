"""Business days (US federal holidays, weekends) and appeal deadlines."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pa_docs.log import add_business_days, appeal_deadline_for, business_days_between
from pa_docs.log._dates import is_business_day, previous_business_day

D = dt.date


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (D(2026, 11, 20), 3, D(2026, 11, 25)),  # Friday: over the weekend
        (D(2026, 11, 23), 3, D(2026, 11, 27)),  # over Thanksgiving (Thursday 26th)
        (D(2026, 11, 23), 5, D(2026, 12, 1)),  # Thanksgiving and a weekend
        (D(2026, 7, 2), 1, D(2026, 7, 6)),  # Friday 3rd is Independence Day observed
        (D(2026, 12, 24), 1, D(2026, 12, 28)),  # Christmas on a Friday
        (D(2026, 12, 31), 1, D(2027, 1, 4)),  # New Year's Day 2027 on a Friday, across years
        (D(2026, 1, 16), 1, D(2026, 1, 20)),  # Martin Luther King Jr. Day on Monday
        (D(2026, 11, 21), 1, D(2026, 11, 23)),  # from a Saturday
        (D(2026, 11, 20), 0, D(2026, 11, 20)),
    ],
)
def test_add_business_days_skips_weekends_and_federal_holidays(
    start: dt.date, n: int, expected: dt.date
) -> None:
    assert add_business_days(start, n) == expected


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (D(2026, 11, 20), D(2026, 11, 23), 1),  # Friday to Monday
        (D(2026, 11, 20), D(2026, 11, 20), 0),
        (D(2026, 11, 25), D(2026, 11, 27), 1),  # Thanksgiving between
        (D(2026, 1, 12), D(2026, 1, 20), 5),  # Martin Luther King Jr. Day between
        (D(2026, 12, 18), D(2027, 1, 4), 9),  # Christmas and New Year's Day
    ],
)
def test_business_days_between(start: dt.date, end: dt.date, expected: int) -> None:
    assert business_days_between(start, end) == expected


def test_business_days_between_refuses_an_end_before_the_start() -> None:
    with pytest.raises(ValueError, match="before"):
        business_days_between(D(2026, 3, 2), D(2026, 3, 1))


def test_previous_business_day() -> None:
    assert previous_business_day(D(2026, 11, 26)) == D(2026, 11, 25)  # Thanksgiving
    assert previous_business_day(D(2026, 7, 5)) == D(2026, 7, 2)  # Sunday after the 3rd observed
    assert previous_business_day(D(2026, 7, 6)) == D(2026, 7, 6)


@given(st.dates(D(2020, 1, 1), D(2035, 12, 31)), st.integers(0, 60))
def test_adding_then_counting_business_days_round_trips(start: dt.date, n: int) -> None:
    end = add_business_days(start, n)
    assert business_days_between(start, end) == n
    assert n == 0 or is_business_day(end)


NOTICE = D(2026, 11, 24)


@pytest.mark.parametrize(
    ("lob", "kwargs", "expected"),
    [
        ("commercial", {}, D(2027, 5, 23)),  # 180 days from the notice
        ("medicaid", {}, D(2027, 1, 23)),  # 60 days
        ("medicare", {}, D(2027, 3, 29)),  # 120 days from receipt presumed 5 days after notice
        ("medicare", {"received_date": D(2026, 11, 27)}, D(2027, 3, 27)),  # earlier receipt
        ("medicare", {"received_date": D(2026, 12, 5)}, D(2027, 3, 29)),  # later: presumption
        # later Medicare levels count from the decision notice, as appeals.md states them
        ("medicare", {"level": 2}, D(2027, 5, 23)),  # reconsideration: 180 days
        ("medicare", {"level": 3}, D(2027, 1, 23)),  # ALJ hearing: 60 days
        ("medicare_part_d", {}, D(2027, 1, 28)),  # 65 days from the notice
        ("medicare_advantage", {}, D(2027, 1, 28)),
        ("commercial", {"level": 2}, D(2027, 3, 24)),  # external review: 4 months
        ("medicaid", {"level": 2}, None),  # no rule in the table
    ],
)
def test_appeal_deadline(lob: str, kwargs: dict[str, object], expected: dt.date | None) -> None:
    assert appeal_deadline_for(lob, NOTICE, **kwargs) == expected  # type: ignore[arg-type]


def test_four_months_ends_on_the_last_day_of_a_shorter_month() -> None:
    assert appeal_deadline_for("commercial", D(2026, 10, 31), level=2) == D(2027, 2, 28)
