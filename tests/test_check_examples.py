"""The example cases check as their READMEs say, and their JSON verdicts match the snapshots."""

from __future__ import annotations

from pathlib import Path

import pytest
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.json import JSONSnapshotExtension

from pa_docs.case import load_case
from pa_docs.check import check_case
from pa_docs.policy import Policy, select_policy

from .conftest import ROOT

EXAMPLES = ROOT / "examples"


def case_files(folder: Path) -> list[Path]:
    """The example cases: not the denials (*.denial.yaml) nor the practice profile beside them."""
    return sorted(
        p
        for p in folder.glob("*.yaml")
        if not p.name.endswith(".denial.yaml") and p.stem != "practice-profile"
    )


# example -> (policy chosen from the case, request type, status, criteria that are not met)
OWN = {
    "ra-infliximab-aetna": ("aetna-infliximab-ra", "initial", "ready", {}),
    "ra-infliximab-aetna-tb-positive": (
        "aetna-infliximab-ra",
        "initial",
        "gaps",
        {"tb-screening": "missing"},
    ),
    "psoriasis-adalimumab-cigna": ("cigna-adalimumab-psoriasis", "initial", "ready", {}),
    "psoriasis-adalimumab-cigna-continuation": (
        "cigna-adalimumab-psoriasis",
        "continuation",
        "ready",
        {},
    ),
    "psoriasis-secukinumab-bcbsms": ("bcbsms-biologics-psoriasis", "initial", "ready", {}),
    "psoriasis-ustekinumab-bcbsms-bsa6": (
        "bcbsms-biologics-psoriasis",
        "initial",
        "gaps",
        {"extent": "missing"},
    ),
    "crohns-infliximab-bcbsnd": ("bcbsnd-infliximab-crohns", "initial", "ready", {}),
    "crohns-vedolizumab-uhc": ("uhc-vedolizumab-crohns", "initial", "ready", {}),
    "oxygen-concentrator-medicare": ("medicare-oxygen", "initial", "ready", {}),
    "oxygen-concentrator-medicare-supplier": (
        "medicare-oxygen",
        "initial",
        "gaps",
        {"qualifying-test": "missing", "group": "missing"},
    ),
    "osa-cpap-medicare": ("medicare-pap-osa", "initial", "ready", {}),
    "osa-cpap-medicare-continuation": ("medicare-pap-osa", "continuation", "ready", {}),
    "dupilumab-ad-prime": ("prime-dupilumab-ad", "initial", "ready", {}),
}

# ../shared/examples/README.md
SHARED = {
    "ra-infliximab-aetna": ("aetna-infliximab-ra", "initial", "ready", {}),
    "crohns-vedolizumab-uhc": ("uhc-vedolizumab-crohns", "initial", "ready", {}),
    "osa-cpap-medicare": ("medicare-pap-osa", "initial", "ready", {}),
}


@pytest.fixture
def snapshot_json(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    return snapshot.use_extension(JSONSnapshotExtension)


def _check(path: Path, policies: dict[str, Policy]) -> dict[str, object]:
    case = load_case(path)
    return check_case(case, select_policy(case, policies)).to_dict()


def _assert_expected(
    data: dict[str, object], expected: tuple[str, str, str, dict[str, str]]
) -> None:
    policy_id, request_type, status, gaps = expected
    assert data["policy"]["id"] == policy_id  # type: ignore[index]
    assert data["request_type"] == request_type
    assert data["status"] == status
    criteria = data["criteria"]
    assert isinstance(criteria, list)
    assert {c["id"]: c["status"] for c in criteria if c["status"] != "met"} == gaps


def test_every_shipped_policy_and_request_type_has_an_example() -> None:
    covered = {(p, t) for p, t, _, _ in OWN.values()}
    assert covered == {
        ("aetna-infliximab-ra", "initial"),
        ("bcbsms-biologics-psoriasis", "initial"),
        ("bcbsnd-infliximab-crohns", "initial"),
        ("cigna-adalimumab-psoriasis", "initial"),
        ("cigna-adalimumab-psoriasis", "continuation"),
        ("medicare-oxygen", "initial"),
        ("medicare-pap-osa", "initial"),
        ("medicare-pap-osa", "continuation"),
        ("prime-dupilumab-ad", "initial"),
        ("uhc-vedolizumab-crohns", "initial"),
    }
    assert {p.stem for p in case_files(EXAMPLES)} == set(OWN)


@pytest.mark.parametrize("name", sorted(OWN))
def test_own_example(
    name: str, policies: dict[str, Policy], snapshot_json: SnapshotAssertion
) -> None:
    data = _check(EXAMPLES / f"{name}.yaml", policies)
    _assert_expected(data, OWN[name])
    assert data == snapshot_json


@pytest.mark.parametrize("name", sorted(SHARED))
def test_shared_example(
    name: str,
    shared_examples: Path,
    policies: dict[str, Policy],
    snapshot_json: SnapshotAssertion,
) -> None:
    data = _check(shared_examples / f"{name}.yaml", policies)
    _assert_expected(data, SHARED[name])
    assert data == snapshot_json


def test_shared_osa_is_ready_through_the_ahi_5_to_14_path_with_hypertension(
    shared_examples: Path, policies: dict[str, Policy]
) -> None:
    data = _check(shared_examples / "osa-cpap-medicare.yaml", policies)
    (sleep,) = [c for c in data["criteria"] if c["id"] == "sleep-test"]  # type: ignore[attr-defined]
    assert sleep["status"] == "met"
    assert sleep["reason"].startswith("AHI or RDI 5 to 14")
    assert "hypertension: I10" in sleep["reason"]
