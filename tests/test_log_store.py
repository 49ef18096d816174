"""What the log records and derives, on each backend: submissions, decisions, appeals, the work
list and the KPIs on a known data set."""

# ruff: noqa: F811  (the fixtures log and log_db come from test_log_backends, by import)

from __future__ import annotations

import datetime as dt

import pytest

from pa_docs.appeal import load_denial
from pa_docs.errors import InputError
from pa_docs.log import CaseLog, compute_kpis, work_list
from tests.test_log_backends import EXAMPLES, example_case, log, log_db  # noqa: F401

D = dt.date


def test_submit_takes_the_case_fields_and_sets_follow_up_and_escalation(log: CaseLog) -> None:
    state = log.submit(
        example_case(), method="portal", on=D(2026, 11, 23), confirmation="C-9", owner="bea"
    )
    assert (state.patient, state.payer, state.item, state.line_of_business) == (
        "Daniel Okafor", "uhc", "vedolizumab", "medicaid",
    )  # fmt: skip
    assert state.status == "submitted"
    assert state.follow_up_on == D(2026, 11, 27)  # 3 business days, Thanksgiving skipped
    assert state.escalate_on == D(2026, 12, 1)
    [event] = log.history("GI-1")
    assert (event.kind, event.who, event.data["confirmation"]) == ("submit", "ann", "C-9")
    assert abs(event.at - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=5)


def test_a_case_is_submitted_once(log: CaseLog) -> None:
    log.submit(example_case(), method="portal", on=D(2026, 3, 2))
    with pytest.raises(InputError, match="already in the log"):
        log.submit(example_case(), method="fax", on=D(2026, 3, 3))
    assert log.event_count() == 1


def test_denial_with_its_file_sets_reference_and_appeal_deadline(log: CaseLog) -> None:
    log.submit(example_case("GI-2026-0311"), method="portal", on=D(2026, 11, 18))
    denial = load_denial(EXAMPLES / "crohns-vedolizumab-uhc.denial.yaml", "GI-2026-0311")
    state = log.decide("GI-2026-0311", "denied", denial=denial)
    assert state.status_on == D(2026, 11, 24)  # the notice date, when no --date
    assert state.first_decision == "denied"
    assert state.denial_reference == "UHC-PA-88231947"
    assert state.appeal_deadline == D(2027, 1, 23)  # medicaid: 60 days from the notice
    assert (state.follow_up_on, state.escalate_on) == (None, None)


def test_pended_restarts_follow_up_and_is_not_the_first_decision(log: CaseLog) -> None:
    log.submit(example_case(), method="fax", on=D(2026, 3, 2))
    pended = log.decide("GI-1", "pended", on=D(2026, 3, 4))
    assert (pended.follow_up_on, pended.escalate_on) == (D(2026, 3, 9), D(2026, 3, 11))
    assert pended.first_decision is None
    approved = log.decide(
        "GI-1", "approved", on=D(2026, 3, 10), auth_number="A-1",
        valid_from=D(2026, 3, 10), valid_through=D(2026, 9, 9),
    )  # fmt: skip
    assert (approved.first_decision, approved.first_decision_on) == ("approved", D(2026, 3, 10))
    assert approved.follow_up_on is None
    later = log.decide("GI-1", "denied", on=D(2026, 3, 20))
    assert later.first_decision == "approved"  # the first decision stays


def test_appeal_flow_and_next_level_deadline(log: CaseLog) -> None:
    log.submit(example_case(lob="commercial"), method="portal", on=D(2026, 3, 2))
    log.decide("GI-1", "denied", on=D(2026, 3, 9))
    appealed = log.appeal("GI-1", level=1, on=D(2026, 3, 12))
    assert (appealed.status, appealed.appeal_deadline) == ("appealed", None)
    with pytest.raises(InputError, match="open level 1 appeal"):
        log.decide("GI-1", "approved", on=D(2026, 3, 13))
    upheld = log.appeal_outcome("GI-1", "upheld", on=D(2026, 4, 10))
    assert upheld.status == "denied"
    assert upheld.appeal_deadline == D(2026, 8, 10)  # external review: 4 months
    log.appeal("GI-1", level=2, on=D(2026, 4, 20))
    won = log.appeal_outcome("GI-1", "overturned", on=D(2026, 5, 1), auth_number="EXT-7")
    assert (won.status, won.auth_number) == ("approved", "EXT-7")
    assert [(a.level, a.outcome) for a in won.appeals] == [(1, "upheld"), (2, "overturned")]
    kinds = [e.kind for e in log.history("GI-1")]
    assert kinds == ["submit", "decision", "appeal", "appeal_outcome", "appeal", "appeal_outcome"]


@pytest.mark.parametrize(
    ("action", "message"),
    [
        (lambda log: log.decide("GI-9", "approved", on=D(2026, 3, 3)), "not in the log"),
        (lambda log: log.decide("GI-1", "approved", on=D(2026, 3, 1)), "before the submission"),
        (lambda log: log.decide("GI-1", "denied", auth_number="X"), "go with approved"),
        (lambda log: log.appeal("GI-1", level=1, on=D(2026, 3, 3)), "only a denied case"),
        (lambda log: log.appeal_outcome("GI-1", "upheld", on=D(2026, 3, 3)), "no open appeal"),
        (lambda log: log.note("GI-1", "  "), "empty"),
    ],
)
def test_refused_commands_change_nothing(log: CaseLog, action: object, message: str) -> None:
    log.submit(example_case(), method="portal", on=D(2026, 3, 2))
    before = log.get("GI-1")
    with pytest.raises(InputError, match=message):
        action(log)  # type: ignore[operator]
    assert log.get("GI-1") == before
    assert log.event_count() == 1


def _approved(log: CaseLog, case_id: str, submitted: dt.date, through: dt.date) -> None:
    log.submit(example_case(case_id), method="epa", on=submitted, owner="ann")
    log.decide(case_id, "approved", on=submitted, valid_from=submitted, valid_through=through)


def test_work_list(log: CaseLog) -> None:
    as_of = D(2026, 3, 16)  # a Monday
    log.submit(example_case("FOLLOW-TODAY"), method="fax", on=D(2026, 3, 11), owner="ann")
    log.submit(example_case("FOLLOW-LATE"), method="fax", on=D(2026, 3, 10), owner="bob")
    log.submit(example_case("ESCALATE"), method="fax", on=D(2026, 3, 6), owner="ann")
    log.submit(example_case("NOT-YET"), method="fax", on=D(2026, 3, 12), owner="ann")
    log.submit(example_case("APPEAL-SOON", lob="medicaid"), method="fax", on=D(2026, 1, 2))
    log.decide("APPEAL-SOON", "denied", on=D(2026, 1, 20))  # deadline 2026-03-21, a Saturday
    log.submit(example_case("APPEAL-LATER", lob="medicaid"), method="fax", on=D(2026, 1, 2))
    log.decide("APPEAL-LATER", "denied", on=D(2026, 1, 29))  # deadline 2026-03-30: 14 days
    log.submit(example_case("APPEAL-FAR", lob="medicaid"), method="fax", on=D(2026, 1, 2))
    log.decide("APPEAL-FAR", "denied", on=D(2026, 1, 30))  # deadline 2026-03-31: 15 days
    _approved(log, "AUTH-30", D(2025, 10, 1), D(2026, 4, 15))
    _approved(log, "AUTH-31", D(2025, 10, 1), D(2026, 4, 16))
    _approved(log, "AUTH-GONE", D(2025, 10, 1), D(2026, 3, 15))

    items = work_list(log.all_cases(), as_of)
    got = [(i.case_id, i.kind, i.due_on, i.days) for i in items]
    assert got == [
        ("ESCALATE", "escalation", D(2026, 3, 13), -3),
        ("FOLLOW-LATE", "follow_up", D(2026, 3, 13), -3),
        ("FOLLOW-TODAY", "follow_up", D(2026, 3, 16), 0),
        ("APPEAL-SOON", "appeal_deadline", D(2026, 3, 21), 5),
        ("APPEAL-LATER", "appeal_deadline", D(2026, 3, 30), 14),
        ("AUTH-30", "auth_expiring", D(2026, 4, 15), 30),
    ]
    assert "file the appeal by 2026-03-20" in items[3].action  # the Friday before
    mine = work_list(log.all_cases(), as_of, owner="ann")
    assert [i.case_id for i in mine] == ["ESCALATE", "FOLLOW-TODAY", "AUTH-30"]


def known_data_set(log: CaseLog) -> None:
    """Six cases over January and February 2026; the expected KPIs are worked out by hand."""

    def case(case_id: str, payer: str, owner: str | None, submitted: dt.date) -> None:
        log.submit(example_case(case_id, payer), method="portal", on=submitted, owner=owner)

    case("A", "uhc", "ann", D(2026, 1, 5))
    log.decide("A", "approved", on=D(2026, 1, 8))  # 3 business days
    case("B", "uhc", "ann", D(2026, 1, 12))
    log.decide("B", "pended", on=D(2026, 1, 13))
    log.decide("B", "approved", on=D(2026, 1, 20))  # 5: Martin Luther King Jr. Day skipped
    case("C", "aetna", "bob", D(2026, 1, 14))
    log.decide("C", "denied", on=D(2026, 1, 21))  # 4
    log.appeal("C", level=1, on=D(2026, 1, 22))
    log.appeal_outcome("C", "overturned", on=D(2026, 2, 10))
    case("D", "aetna", "bob", D(2026, 2, 2))
    log.decide("D", "denied", on=D(2026, 2, 9))  # 5
    log.appeal("D", level=1, on=D(2026, 2, 10))
    log.appeal_outcome("D", "upheld", on=D(2026, 3, 1))
    case("E", "aetna", "ann", D(2026, 2, 16))
    log.decide("E", "approved", on=D(2026, 2, 23))  # 5: Washington's Birthday skipped
    case("F", "uhc", None, D(2026, 2, 20))  # no decision yet


def test_kpis_on_a_known_data_set(log: CaseLog) -> None:
    known_data_set(log)
    report = compute_kpis(log.all_cases(), team_cost=3000)
    o = report.overall
    assert (o.submissions, o.decided, o.first_pass_approved) == (6, 5, 3)
    assert o.first_pass_approval_rate == 0.6
    assert (o.turnaround_mean_days, o.turnaround_median_days) == (4.4, 5.0)
    assert (o.appeals_decided, o.appeals_overturned, o.appeal_success_rate) == (2, 1, 0.5)
    assert o.cost_per_pa == 500.0

    aetna, uhc = report.by_payer["aetna"], report.by_payer["uhc"]
    assert (aetna.first_pass_approval_rate, aetna.turnaround_mean_days) == (0.3333, 4.67)
    assert aetna.appeal_success_rate == 0.5
    assert (uhc.first_pass_approval_rate, uhc.turnaround_median_days) == (1.0, 4.0)
    assert uhc.appeal_success_rate is None  # no appeal: no rate, not 0
    assert list(report.by_owner) == ["(none)", "ann", "bob"]
    assert report.by_owner["ann"].first_pass_approval_rate == 1.0
    assert report.by_owner["bob"].first_pass_approval_rate == 0.0
    assert report.by_month["2026-01"].first_pass_approval_rate == 0.6667
    assert report.by_month["2026-02"].first_pass_approval_rate == 0.5


def test_kpis_of_a_period(log: CaseLog) -> None:
    known_data_set(log)
    report = compute_kpis(log.all_cases(), period_from=D(2026, 2, 1), period_to=D(2026, 2, 28))
    assert report.overall.submissions == 3  # D, E, F
    assert report.overall.first_pass_approval_rate == 0.5
    assert report.overall.cost_per_pa is None  # no team cost given
    assert list(report.by_month) == ["2026-02"]
