"""Filing deadlines per program and level (facts: ../shared/policies/appeals.md).

Every expected date is counted by hand in the comment beside it: "Mar 2 + 60" is 29 days left
in March (3..31), 30 in April, then 1 day into May.
"""

from __future__ import annotations

import datetime as dt

import pytest

from pa_docs._business_days import is_business_day, previous_business_day
from pa_docs.appeal import filing_deadline
from pa_docs.appeal._deadline import deadline_table
from pa_docs.errors import InputError

D = dt.date
NOTICE = D(2026, 3, 2)  # a Monday


@pytest.mark.parametrize(
    ("program", "level", "deadline", "file_by", "name"),
    [
        # medicare 1: receipt presumed Mar 7; Mar 7 + 120 = 24 + 30 + 31 + 30 = 115 -> Jul 5 (Sun);
        # Jul 4 is a Saturday and Jul 3 the observed Independence Day -> file by Thu Jul 2
        ("medicare", 1, D(2026, 7, 5), D(2026, 7, 2), "redetermination (MAC)"),
        # medicare 2: Mar 2 + 180 = 29 + 30 + 31 + 30 + 31 = 151 -> Aug 29 (Sat) -> Fri Aug 28
        ("medicare", 2, D(2026, 8, 29), D(2026, 8, 28), "reconsideration (QIC)"),
        # medicare 3-5: Mar 2 + 60 = 29 + 30 = 59 -> May 1 (Fri)
        ("medicare", 3, D(2026, 5, 1), D(2026, 5, 1), "ALJ hearing"),
        ("medicare", 4, D(2026, 5, 1), D(2026, 5, 1), "Medicare Appeals Council"),
        ("medicare", 5, D(2026, 5, 1), D(2026, 5, 1), "federal district court"),
        # part D / MA: receipt presumed Mar 7; Mar 7 + 60 = 24 + 30 = 54 -> May 6 (Wed) = Mar 2 + 65
        ("medicare_part_d", 1, D(2026, 5, 6), D(2026, 5, 6), "redetermination (plan)"),
        ("medicare_advantage", 1, D(2026, 5, 6), D(2026, 5, 6), "reconsideration (plan)"),
        # commercial internal: Mar 2 + 180 -> Aug 29 (Sat) -> Fri Aug 28
        ("commercial", 1, D(2026, 8, 29), D(2026, 8, 28), "internal appeal"),
        # commercial external: 4 months after Mar 2 -> Jul 2 (Thu)
        (
            "commercial",
            2,
            D(2026, 7, 2),
            D(2026, 7, 2),
            "external review (independent review organization)",
        ),
        # medicaid: Mar 2 + 60 -> May 1 (Fri)
        ("medicaid", 1, D(2026, 5, 1), D(2026, 5, 1), "plan appeal"),
    ],
)
def test_every_program_and_level(program, level, deadline, file_by, name):
    d = filing_deadline(program, level, NOTICE)
    assert (d.deadline, d.file_by, d.level_name, d.level, d.program) == (
        deadline, file_by, name, level, program,
    )  # fmt: skip


def test_the_table_holds_exactly_the_rows_of_appeals_md():
    table = deadline_table()
    assert {p: [r.level for r in t.levels] for p, t in table.items()} == {
        "medicare": [1, 2, 3, 4, 5],
        "medicare_part_d": [1],
        "medicare_advantage": [1],
        "commercial": [1, 2],
        "medicaid": [1],
    }


class TestReceipt:
    def test_presumed_five_days_after_the_notice(self):
        d = filing_deadline("medicare", 1, NOTICE)
        assert d.counted_from == D(2026, 3, 7)
        assert "presumed receipt 2026-03-07" in d.counted_from_how

    def test_an_earlier_received_date_is_used(self):
        # received Mar 4, before the presumed Mar 7: Mar 4 + 120 = 27 + 30 + 31 + 30 = 118 -> Jul 2
        d = filing_deadline("medicare", 1, NOTICE, D(2026, 3, 4))
        assert (d.counted_from, d.deadline) == (D(2026, 3, 4), D(2026, 7, 2))
        assert d.file_by == D(2026, 7, 2)
        assert "receipt on 2026-03-04" in d.counted_from_how

    def test_a_later_received_date_is_not_used(self):
        d = filing_deadline("medicare", 1, NOTICE, D(2026, 3, 10))
        assert (d.counted_from, d.deadline) == (D(2026, 3, 7), D(2026, 7, 5))
        assert "received_date 2026-03-10 is not earlier" in d.counted_from_how

    def test_a_received_date_equal_to_the_presumption_changes_nothing(self):
        d = filing_deadline("medicare_part_d", 1, NOTICE, D(2026, 3, 7))
        assert d.deadline == D(2026, 5, 6)

    def test_medicare_advantage_counts_from_an_earlier_receipt(self):
        # received Mar 3: Mar 3 + 60 = 28 + 30 = 58 -> May 2 (Sat) -> file by Fri May 1
        d = filing_deadline("medicare_advantage", 1, NOTICE, D(2026, 3, 3))
        assert (d.deadline, d.file_by) == (D(2026, 5, 2), D(2026, 5, 1))

    @pytest.mark.parametrize(
        ("program", "level"), [("commercial", 1), ("medicaid", 1), ("medicare", 2)]
    )
    def test_rules_counted_from_the_notice_ignore_receipt(self, program, level):
        with_receipt = filing_deadline(program, level, NOTICE, D(2026, 3, 3))
        assert with_receipt.deadline == filing_deadline(program, level, NOTICE).deadline
        assert with_receipt.counted_from == NOTICE


class TestClosedDays:
    def test_saturday(self):
        # the shared example: medicaid, notice Nov 24 2026 + 60 = 6 + 31 + 23 -> Sat Jan 23 2027
        d = filing_deadline("medicaid", 1, D(2026, 11, 24), D(2026, 11, 27))
        assert (d.deadline, d.file_by) == (D(2027, 1, 23), D(2027, 1, 22))
        assert d.falls_on_closed_day

    def test_sunday(self):
        # commercial external: Oct 31 2026 + 4 months -> Feb 28 2027 (Sun) -> Fri Feb 26
        d = filing_deadline("commercial", 2, D(2026, 10, 31))
        assert (d.deadline, d.file_by) == (D(2027, 2, 28), D(2027, 2, 26))

    def test_federal_holiday_on_a_weekday(self):
        # medicaid: Mar 26 + 60 = 5 + 30 + 25 -> Mon May 25 2026, Memorial Day -> Fri May 22
        d = filing_deadline("medicaid", 1, D(2026, 3, 26))
        assert (d.deadline, d.file_by) == (D(2026, 5, 25), D(2026, 5, 22))

    def test_christmas(self):
        # medicaid: Oct 26 + 60 = 5 + 30 + 25 -> Fri Dec 25 2026 -> Thu Dec 24
        d = filing_deadline("medicaid", 1, D(2026, 10, 26))
        assert (d.deadline, d.file_by) == (D(2026, 12, 25), D(2026, 12, 24))

    def test_a_business_day_is_kept(self):
        assert previous_business_day(D(2026, 5, 1)) == D(2026, 5, 1)

    def test_observed_holiday_counts_as_closed(self):
        assert not is_business_day(D(2026, 7, 3))  # Independence Day observed (Jul 4 is a Saturday)
        assert is_business_day(D(2026, 7, 2))


class TestFourMonths:
    def test_month_end_clamps_to_february_28(self):
        assert filing_deadline("commercial", 2, D(2026, 10, 31)).deadline == D(2027, 2, 28)

    def test_month_end_clamps_to_february_29_in_a_leap_year(self):
        assert filing_deadline("commercial", 2, D(2027, 10, 31)).deadline == D(2028, 2, 29)

    def test_same_day_four_months_later(self):
        # Jun 30 2026 -> Oct 30 2026 (Fri); Oct 31 exists but the day is the 30th
        assert filing_deadline("commercial", 2, D(2026, 6, 30)).deadline == D(2026, 10, 30)


class TestLevelsThatFollow:
    def test_medicare_lists_the_later_levels_with_their_amounts(self):
        d = filing_deadline("medicare", 1, NOTICE)
        assert [n.level for n in d.next_levels] == [2, 3, 4, 5]
        assert d.next_levels[1].amount_in_controversy == "$200 (2026)"
        assert d.next_levels[3].amount_in_controversy == "$1,960 (2026)"
        assert filing_deadline("medicare", 5, NOTICE).next_levels == []

    def test_amount_in_controversy_of_the_level_itself(self):
        assert filing_deadline("medicare", 3, NOTICE).amount_in_controversy == "$200 (2026)"
        assert filing_deadline("medicare", 1, NOTICE).amount_in_controversy is None

    @pytest.mark.parametrize(
        ("program", "level", "last_internal"),
        [
            ("commercial", 1, True),  # external review follows
            ("commercial", 2, False),
            ("medicare", 1, True),  # the QIC (qualified independent contractor) follows
            ("medicare", 2, False),
            ("medicaid", 1, False),  # appeals.md lists nothing after the plan appeal
            ("medicare_part_d", 1, False),
        ],
    )
    def test_last_internal_level(self, program, level, last_internal):
        assert filing_deadline(program, level, NOTICE).is_last_internal is last_internal

    @pytest.mark.parametrize(
        ("program", "level", "independent"),
        [("commercial", 2, True), ("medicare", 2, True), ("commercial", 1, False)],
    )
    def test_independent_levels(self, program, level, independent):
        assert filing_deadline(program, level, NOTICE).independent is independent

    def test_decision_time_and_rule_cite_the_source(self):
        d = filing_deadline("medicare_part_d", 1, NOTICE)
        assert d.decision_time == "7 days standard, 72 hours expedited"
        assert "42 CFR 423.582" in d.rule and "65 days from the notice date" in d.rule


class TestNotCovered:
    @pytest.mark.parametrize(
        ("program", "level", "covered"),
        [
            ("medicare_part_d", 2, "1 (redetermination (plan))"),
            ("medicare_advantage", 3, "1 (reconsideration (plan))"),
            ("medicaid", 2, "1 (plan appeal)"),
            ("commercial", 3, "1 (internal appeal), 2 (external review"),
        ],
    )
    def test_a_level_outside_the_table_is_an_input_error(self, program, level, covered):
        with pytest.raises(InputError) as e:
            filing_deadline(program, level, NOTICE, file="d.yaml")
        msg = str(e.value)
        assert msg.startswith("d.yaml: appeal_level: ")
        assert f"appeal level {level} for {program} is not covered by appeals.md" in msg
        assert covered in msg

    def test_unknown_program(self):
        with pytest.raises(InputError, match="no appeal deadlines for program 'tricare'"):
            filing_deadline("tricare", 1, NOTICE)


class TestDaysLeft:
    def test_counts_calendar_days_to_the_deadline(self):
        d = filing_deadline("medicaid", 1, NOTICE)  # May 1
        assert d.days_left(D(2026, 4, 1)) == 30
        assert d.days_left(D(2026, 5, 1)) == 0 and not d.is_past(D(2026, 5, 1))
        assert d.days_left(D(2026, 5, 4)) == -3 and d.is_past(D(2026, 5, 4))
