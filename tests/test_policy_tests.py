"""Policy tests: the shipped policies pass their own tests, and a broken policy fails by name."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pa_docs.authoring._tests import merge, run_folder
from pa_docs.cli import main
from pa_docs.errors import PolicyError

from .conftest import ROOT

CRITERIA = ROOT / "criteria"


@pytest.fixture(scope="module")
def report():  # type: ignore[no-untyped-def]
    return run_folder(CRITERIA)


def test_every_shipped_policy_test_passes(report) -> None:  # type: ignore[no-untyped-def]
    failed = {o.name: o.problems for o in report.outcomes if not o.ok}
    assert not failed


def test_every_shipped_policy_has_tests_for_each_verdict(report) -> None:  # type: ignore[no-untyped-def]
    """Every criterion is expected met, and missing where it can be, by at least one case."""
    assert not report.untested
    assert report.coverage_gaps == []
    # and not_met wherever the record can contradict the criterion. These cannot be: a branch
    # that asks only for tests to have been done, or for a finding, or for an encounter before
    # a test, is never contradicted (no record of it is missing, not a failure); a positive TB
    # test is answered by treatment, never refused.
    cannot_fail = {
        ("aetna-infliximab-ra", "serology"),  # "RF, anti-CCP and CRP or ESR tested"
        ("aetna-infliximab-ra", "tb-screening"),  # positive: document the treatment
        ("bcbsms-biologics-psoriasis", "extent"),  # or a sensitive area (a finding)
        ("medicare-pap-osa", "face-to-face"),  # an encounter before the test
        ("prime-dupilumab-ad", "severity"),  # or a difficult-to-treat area (a finding)
        ("uhc-vedolizumab-crohns", "step-conventional"),  # or corticosteroid dependence
        # issue #14
        ("aetna-spine-mri", "indication"),  # or a red flag (a finding)
        ("bcbsnd-mepolizumab-asthma", "uncontrolled"),  # or exacerbations (events to find)
        ("cigna-alirocumab-ascvd", "statin"),  # or statin rhabdomyolysis (a finding)
        ("medicare-cgm", "insulin-or-hypoglycemia"),  # or hypoglycemic events (to find)
        ("medicare-cgm", "visit"),  # a visit in the window
        ("medicare-cgm", "six-month-visit"),  # a visit in the window
        ("uhc-adalimumab-ra-psa", "step-therapy"),  # an ended adalimumab is a previous biologic
        ("uhc-omalizumab-asthma", "uncontrolled"),  # or steroid bursts (events to find)
        ("wha-guselkumab-psoriasis", "extent"),  # or a sensitive site (a finding)
    }
    for pid, criteria in report.coverage.items():
        for cid, seen in criteria.items():
            if (pid, cid) not in cannot_fail:
                assert "not_met" in seen, f"{pid}: no test expects {cid} to be not_met"


def _copy(tmp_path: Path, policy_id: str) -> Path:
    folder = tmp_path / "criteria"
    (folder / "tests").mkdir(parents=True)
    shutil.copy(CRITERIA / f"{policy_id}.yaml", folder)
    shutil.copytree(CRITERIA / "tests" / policy_id, folder / "tests" / policy_id)
    return folder


def test_breaking_one_threshold_fails_naming_the_case(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _copy(tmp_path, "medicare-pap-osa")
    assert main(["criteria", "test", str(folder)]) == 0
    policy = folder / "medicare-pap-osa.yaml"
    text = policy.read_text()
    assert 'value: [">= 15"]' in text
    policy.write_text(text.replace('value: [">= 15"]', 'value: [">= 16"]'))
    capsys.readouterr()
    assert main(["criteria", "test", str(folder)]) == 1
    out = capsys.readouterr().out
    assert "FAIL medicare-pap-osa/ahi-15-with-30-events-threshold" in out
    assert "sleep-test: expected met, got not_met" in out
    assert "medicare-pap-osa/ready-ahi-28" in out  # the table lists the passing cases too


def test_the_shipped_tests_run_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["criteria", "test"]) == 0
    out = capsys.readouterr().out
    assert "medicare-oxygen/group-i-sleep-without-minutes" in out
    assert " policy tests pass" in out and "fail" not in out.split("\n")[-2]


def test_a_bad_test_file_is_an_input_error_with_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _copy(tmp_path, "medicare-pap-osa")
    bad = folder / "tests" / "medicare-pap-osa" / "bad.yaml"
    bad.write_text("about: a typo\nexpect:\n  status: ready\n  verdicts: {sleep-test: mett}\n")
    assert main(["criteria", "test", str(folder)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:4" in err and "expect.verdicts.sleep-test" in err


def test_expecting_an_unknown_criterion_is_an_error(tmp_path: Path) -> None:
    folder = _copy(tmp_path, "medicare-pap-osa")
    bad = folder / "tests" / "medicare-pap-osa" / "bad.yaml"
    bad.write_text("about: unknown id\nexpect: {status: ready, verdicts: {sleep-study: met}}\n")
    with pytest.raises(PolicyError, match="sleep-study"):
        run_folder(folder)


def test_merge_replaces_lists_and_removes_nulls() -> None:
    base = {"request": {"item": "cpap", "codes": ["E0601"]}, "labs": [1, 2], "scores": [3]}
    over = {"request": {"codes": ["E0470"]}, "labs": [9], "scores": None}
    assert merge(base, over) == {"request": {"item": "cpap", "codes": ["E0470"]}, "labs": [9]}
    assert base["labs"] == [1, 2]  # the base is not changed
