"""Composition: all_of and any_of over every combination of part statuses, and the case status."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from pa_docs.check import CaseStatus, CheckResult, Status, Verdict
from pa_docs.kinds import Evidence, Result, Wording, msg
from pa_docs.kinds import compose_all as all_of
from pa_docs.kinds import compose_any as any_of
from pa_docs.policy import Policy

# the words of these tests' messages: a message's code is its sentence
WORDS = Wording({w: w for w in ["part 0 is met.", "part 1 is met.", "part 2 is met.",
    "part 0 is not_met.", "part 1 is not_met.", "part 2 is not_met.", "part 0 is missing.",
    "part 1 is missing.", "part 2 is missing.", "fix part 0.", "fix part 1.", "fix part 2.",
    "BSA 6.", "no.", "no finding.", "Find the finding.", "no CDAI.", "HBI 11.", "ok.",
    "too short.", "Try longer.", "none.", "Find.", "r."]})  # fmt: skip


def _r(status: Status, reason: str, action: str | None = None, **kw: object) -> Result:
    return Result(status, msg(reason), msg(action) if action else None, **kw)  # type: ignore[arg-type]


M, N, X = Status.met, Status.not_met, Status.missing
COMBOS = [c for n in (1, 2, 3) for c in itertools.product((M, N, X), repeat=n)]


def _parts(statuses: tuple[Status, ...]) -> list[Result]:
    return [
        _r(s, f"part {i} is {s.value}.", None if s is M else f"fix part {i}.")
        for i, s in enumerate(statuses)
    ]


def _expected_all(statuses: tuple[Status, ...]) -> Status:
    if N in statuses:
        return N
    return X if X in statuses else M


def _expected_any(statuses: tuple[Status, ...]) -> Status:
    if M in statuses:
        return M
    return X if X in statuses else N


@pytest.mark.parametrize("statuses", COMBOS, ids=lambda c: "-".join(s.value for s in c))
def test_all_of_table(statuses: tuple[Status, ...]) -> None:
    assert all_of(_parts(statuses)).status is _expected_all(statuses)


@pytest.mark.parametrize("statuses", COMBOS, ids=lambda c: "-".join(s.value for s in c))
def test_any_of_table(statuses: tuple[Status, ...]) -> None:
    assert any_of(_parts(statuses)).status is _expected_any(statuses)


def test_any_of_missing_points_to_the_branches_without_evidence() -> None:
    # BSA 6% fails the >= 10 branch; the sensitive-area branch has no record: look for it.
    r = any_of([_r(N, "BSA 6.", "no."), _r(X, "no finding.", "Find the finding.")])
    assert r.status is X
    assert WORDS.action(r) == "Find the finding."
    assert WORDS.reason(r) == "BSA 6. no finding."


def test_any_of_met_keeps_the_label_and_evidence_of_the_met_branch() -> None:
    ev = Evidence("scores", 0, None)
    r = any_of([_r(X, "no CDAI."), _r(M, "HBI 11.", evidence=[ev], label="HBI at least 8")])
    assert r.status is M
    assert WORDS.reason(r) == "HBI at least 8: HBI 11."
    assert WORDS.action(r) is None
    assert r.evidence == [ev]
    assert [p.status for p in r.parts] == [X, M]  # the parts stay, as data


def test_all_of_not_met_names_only_the_failing_parts() -> None:
    r = all_of([_r(M, "ok."), _r(N, "too short.", "Try longer."), _r(X, "none.", "Find.")])
    assert r.status is N
    assert WORDS.reason(r) == "too short."
    assert WORDS.action(r) == "Try longer."


def test_a_sentence_is_said_once_in_a_verdict() -> None:
    # the same resting result judged twice (Group I and Group II) is named once
    same = _r(X, "none.", "Find.")
    r = any_of([same, all_of([_r(X, "no finding.", "Find the finding."), same], "Group II")])
    assert WORDS.reason(r) == "none. Group II: no finding."
    assert WORDS.action(r) == "Find. Or: Find the finding."


def _result(policy: Policy, *statuses: Status) -> CheckResult:
    crit = policy.initial[0]
    verdicts = [Verdict(crit, _r(s, "r."), WORDS) for s in statuses]
    return CheckResult("C", dt.date(2026, 1, 1), "initial", policy, verdicts)


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ((M, M), CaseStatus.ready),
        ((M, X), CaseStatus.gaps),
        ((X, N), CaseStatus.not_met),
        ((M, N), CaseStatus.not_met),
        ((X, X), CaseStatus.gaps),
    ],
)
def test_case_status(
    policies: dict[str, Policy], statuses: tuple[Status, ...], expected: CaseStatus
) -> None:
    result = _result(policies["aetna-infliximab-ra"], *statuses)
    assert result.status is expected
    assert [v.status for v in result.gaps] == [s for s in statuses if s is not M]
