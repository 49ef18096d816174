"""Shared fixtures: the shipped policies, a case factory, and a one-criterion checker."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pa_docs.case import Case
from pa_docs.check import CheckResult, Verdict, check_case
from pa_docs.policy import Policy, load_policies

ROOT = Path(__file__).resolve().parents[1]
SHARED_EXAMPLES = ROOT.parent / "shared" / "examples"

# A valid minimal case; each test overrides what it is about.
BASE_CASE: dict[str, Any] = {
    "case_id": "T-1",
    "request_date": "2026-11-02",
    "patient": {"name": "Test Patient", "birth_date": "1971-03-14", "member_id": "M1"},
    "coverage": {"payer": "aetna"},
    "prescriber": {"name": "Test Prescriber, MD", "npi": "1234567893"},
    "request": {"item": "infliximab", "diagnosis": "M05.79"},
}
_NESTED = ("patient", "coverage", "prescriber", "request")

MakeCase = Callable[..., Case]
Judge = Callable[[Case, str, str], Verdict]


def case_dict(**overrides: Any) -> dict[str, Any]:
    """BASE_CASE with ``overrides``: the nested blocks are merged, every other field replaced."""
    data = copy.deepcopy(BASE_CASE)
    for key, value in overrides.items():
        if key in _NESTED:
            data[key] = {**data[key], **value}
        else:
            data[key] = value
    return data


@pytest.fixture(scope="session")
def policies() -> dict[str, Policy]:
    return load_policies()


@pytest.fixture
def make_case() -> MakeCase:
    def make(**overrides: Any) -> Case:
        return Case.model_validate(case_dict(**overrides))

    return make


@pytest.fixture
def check(policies: dict[str, Policy]) -> Callable[[Case, str], CheckResult]:
    def run(case: Case, policy_id: str) -> CheckResult:
        return check_case(case, policies[policy_id])

    return run


@pytest.fixture
def judge(check: Callable[[Case, str], CheckResult]) -> Judge:
    """The verdict on one criterion of a shipped policy."""

    def one(case: Case, policy_id: str, criterion_id: str) -> Verdict:
        result = check(case, policy_id)
        return next(v for v in result.verdicts if v.id == criterion_id)

    return one


@pytest.fixture
def shared_examples() -> Path:
    if not SHARED_EXAMPLES.is_dir():
        pytest.skip(f"shared examples not found at {SHARED_EXAMPLES} (checkout ../shared)")
    return SHARED_EXAMPLES
