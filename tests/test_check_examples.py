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
    # issue #14: each new policy has a ready example and one with gaps (or not_met) per request
    # type; the file's header says which gaps
    "ad-tralokinumab-cigna-continuation": ("cigna-tralokinumab-ad", "continuation", "ready", {}),
    "ad-tralokinumab-cigna-gaps": (
        "cigna-tralokinumab-ad",
        "initial",
        "gaps",
        {"extent": "missing", "step-topical-steroid": "missing"},
    ),
    "ad-tralokinumab-cigna": ("cigna-tralokinumab-ad", "initial", "ready", {}),
    "ascvd-alirocumab-cigna-continuation": ("cigna-alirocumab-ascvd", "continuation", "ready", {}),
    "ascvd-alirocumab-cigna-gaps": (
        "cigna-alirocumab-ascvd",
        "initial",
        "gaps",
        {"statin": "missing"},
    ),
    "ascvd-alirocumab-cigna": ("cigna-alirocumab-ascvd", "initial", "ready", {}),
    "asthma-mepolizumab-bcbsnd-gaps": (
        "bcbsnd-mepolizumab-asthma",
        "initial",
        "gaps",
        {"uncontrolled": "missing", "eosinophils": "missing"},
    ),
    "asthma-mepolizumab-bcbsnd": ("bcbsnd-mepolizumab-asthma", "initial", "ready", {}),
    "asthma-omalizumab-uhc-continuation": ("uhc-omalizumab-asthma", "continuation", "ready", {}),
    "asthma-omalizumab-uhc-gaps": (
        "uhc-omalizumab-asthma",
        "initial",
        "gaps",
        {"ige": "missing"},
    ),
    "asthma-omalizumab-uhc": ("uhc-omalizumab-asthma", "initial", "ready", {}),
    "cgm-medicare-continuation": ("medicare-cgm", "continuation", "ready", {}),
    "cgm-medicare-gaps": (
        "medicare-cgm",
        "initial",
        "gaps",
        {"insulin-or-hypoglycemia": "missing", "visit": "missing"},
    ),
    "cgm-medicare": ("medicare-cgm", "initial", "ready", {}),
    "crohns-risankizumab-bcbsnd-gaps": (
        "bcbsnd-risankizumab-crohns",
        "initial",
        "gaps",
        {"step-tnf": "missing"},
    ),
    "crohns-risankizumab-bcbsnd": ("bcbsnd-risankizumab-crohns", "initial", "ready", {}),
    "insulin-pump-medicare-gaps": (
        "medicare-insulin-pump",
        "initial",
        "gaps",
        {"insulinopenia": "missing"},
    ),
    "insulin-pump-medicare": ("medicare-insulin-pump", "initial", "ready", {}),
    "lumbar-mri-aetna-gaps": (
        "aetna-spine-mri",
        "initial",
        "gaps",
        {"indication": "missing"},
    ),
    "lumbar-mri-aetna": ("aetna-spine-mri", "initial", "ready", {}),
    "migraine-erenumab-uhc-continuation": ("uhc-erenumab-migraine", "continuation", "ready", {}),
    "migraine-erenumab-uhc-gaps": (
        "uhc-erenumab-migraine",
        "initial",
        "gaps",
        {"frequency": "missing", "step-preventives": "missing"},
    ),
    "migraine-erenumab-uhc": ("uhc-erenumab-migraine", "initial", "ready", {}),
    "obesity-semaglutide-cigna-continuation": ("cigna-wegovy-weight", "continuation", "ready", {}),
    "obesity-semaglutide-cigna-gaps": (
        "cigna-wegovy-weight",
        "initial",
        "gaps",
        {"lifestyle-trial": "missing", "lifestyle-concomitant": "missing"},
    ),
    "obesity-semaglutide-cigna": ("cigna-wegovy-weight", "initial", "ready", {}),
    "obesity-semaglutide-humana-not-met": (
        "humana-glp1-t2d",
        "initial",
        "not_met",
        {"indication": "not_met"},
    ),
    "psa-adalimumab-uhc-gaps": (
        "uhc-adalimumab-ra-psa",
        "initial",
        "gaps",
        {"step-therapy": "missing", "prescriber": "missing"},
    ),
    "psoriasis-guselkumab-wha-continuation": (
        "wha-guselkumab-psoriasis",
        "continuation",
        "ready",
        {},
    ),
    "psoriasis-guselkumab-wha-gaps": (
        "wha-guselkumab-psoriasis",
        "initial",
        "gaps",
        {"extent": "missing"},
    ),
    "psoriasis-guselkumab-wha": ("wha-guselkumab-psoriasis", "initial", "ready", {}),
    "ra-adalimumab-uhc-continuation": ("uhc-adalimumab-ra-psa", "continuation", "ready", {}),
    "ra-adalimumab-uhc": ("uhc-adalimumab-ra-psa", "initial", "ready", {}),
    "ra-upadacitinib-cigna-continuation": ("cigna-upadacitinib-ra", "continuation", "ready", {}),
    "ra-upadacitinib-cigna-gaps": (
        "cigna-upadacitinib-ra",
        "initial",
        "gaps",
        {"step-tnf": "missing"},
    ),
    "ra-upadacitinib-cigna": ("cigna-upadacitinib-ra", "initial", "ready", {}),
    "t2d-semaglutide-wha": ("wha-glp1-t2d", "initial", "ready", {}),
    "t2d-tirzepatide-humana": ("humana-glp1-t2d", "initial", "ready", {}),
    "t2d-tirzepatide-wha-gaps": (
        "wha-glp1-t2d",
        "initial",
        "gaps",
        {"diagnosis": "missing"},
    ),
    "uc-tofacitinib-medmutual-continuation": (
        "medmutual-tofacitinib-uc",
        "continuation",
        "ready",
        {},
    ),
    "uc-tofacitinib-medmutual-gaps": (
        "medmutual-tofacitinib-uc",
        "initial",
        "gaps",
        {"step-tnf": "missing", "prescriber": "missing"},
    ),
    "uc-tofacitinib-medmutual": ("medmutual-tofacitinib-uc", "initial", "ready", {}),
}

_SEED = {
    "ra-infliximab-aetna",
    "ra-infliximab-aetna-tb-positive",
    "psoriasis-adalimumab-cigna",
    "psoriasis-adalimumab-cigna-continuation",
    "psoriasis-secukinumab-bcbsms",
    "psoriasis-ustekinumab-bcbsms-bsa6",
    "crohns-infliximab-bcbsnd",
    "crohns-vedolizumab-uhc",
    "oxygen-concentrator-medicare",
    "oxygen-concentrator-medicare-supplier",
    "osa-cpap-medicare",
    "osa-cpap-medicare-continuation",
    "dupilumab-ad-prime",
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


def test_every_shipped_policy_and_request_type_has_an_example(
    policies: dict[str, Policy],
) -> None:
    covered = {(p, t) for p, t, _, _ in OWN.values()}
    assert covered == {(p.id, t) for p in policies.values() for t in p.request_types}
    assert {p.stem for p in case_files(EXAMPLES)} == set(OWN)


def test_every_new_policy_has_an_example_with_gaps() -> None:
    """Issue #14: beside a ready example, one whose header names each gap ("visit missing")."""
    new = {p for name, (p, _, _, _) in OWN.items() if name not in _SEED}
    with_gaps = {p for p, _, status, gaps in OWN.values() if status != "ready" and gaps}
    assert new <= with_gaps
    for name, (_, _, status, gaps) in OWN.items():
        if status != "ready" and name not in _SEED:
            header = (EXAMPLES / f"{name}.yaml").read_text(encoding="utf-8").split("\ncase_id")[0]
            for criterion, verdict in gaps.items():
                assert f"{criterion} {verdict}" in header, (name, criterion)


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
