"""``pa-docs criteria validate``: every problem as file:line: message, exit 2 when there is any;
and the shipped policies' public contract (ids)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pa_docs.cli import main
from pa_docs.errors import PolicyError
from pa_docs.policy import Policy, load_policies, validate_folder

from .conftest import ROOT

CRITERIA = ROOT / "criteria"

# (file, text to replace, replacement, words the problem must contain)
BREAKAGES = [
    (
        "bcbsnd-infliximab-crohns",
        "{kind: age, min: 18}",
        "{kind: age, minimum: 18}",
        "unknown field",
    ),
    ("aetna-infliximab-ra", "min_days: 90", "min_days: ninety", "'ninety'"),
    ("uhc-vedolizumab-crohns", "instrument: hbi,", "instrument: hbx,", "unknown instrument 'hbx'"),
    ("prime-dupilumab-ad", 'value: ">= 16"', 'value: "=> 16"', "expected a comparison"),
    (
        "bcbsms-biologics-psoriasis",
        "name: psoriasis_sensitive_area",
        "name: sensitive",
        "unknown finding",
    ),
    (
        "cigna-adalimumab-psoriasis",
        "drugs: [methotrexate, cyclosporine, acitretin]",
        "drugs: [methotrexate, cyclosporin-x, acitretin]",
        "unknown drug 'cyclosporin-x'",
    ),
]


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    folder = tmp_path / "criteria"
    folder.mkdir()
    for name, old, new, _ in BREAKAGES:
        text = (CRITERIA / f"{name}.yaml").read_text(encoding="utf-8")
        assert old in text, (name, old)
        (folder / f"{name}.yaml").write_text(text.replace(old, new, 1), encoding="utf-8")
    (folder / "syntax.yaml").write_text("id: [broken\n", encoding="utf-8")
    (folder / "empty.yaml").write_text("", encoding="utf-8")
    (folder / "tag.yaml").write_text("id: !!python/object/apply:os.system ['true']\n")
    # a valid policy in a file named after another id
    text = (CRITERIA / "medicare-oxygen.yaml").read_text(encoding="utf-8")
    (folder / "oxygen.yaml").write_text(text, encoding="utf-8")
    return folder


def test_shipped_policies_are_valid() -> None:
    count, problems = validate_folder()
    assert problems == []
    assert count == 24


def test_every_problem_with_its_file_and_line(broken: Path) -> None:
    count, problems = validate_folder(broken)
    assert count == 10
    text = "\n".join(map(str, problems))
    for name, _, _, words in BREAKAGES:
        (p,) = [p for p in problems if p.file and p.file.endswith(f"{name}.yaml")]
        assert words in p.message, p
    assert re.search(r"syntax\.yaml:\d+: invalid YAML", text)
    assert re.search(r"empty\.yaml: the file is empty", text)
    assert re.search(r"tag\.yaml:1: YAML tag .* is not allowed", text)
    assert re.search(r"oxygen\.yaml:1: id: file name should be medicare-oxygen\.yaml", text)


def test_problems_point_at_the_offending_line(broken: Path) -> None:
    _, problems = validate_folder(broken)
    for name, _, new, _ in BREAKAGES:
        (p,) = [p for p in problems if p.file and p.file.endswith(f"{name}.yaml")]
        lines = (broken / f"{name}.yaml").read_text().splitlines()
        assert p.line is not None
        assert new in lines[p.line - 1], (p, lines[p.line - 1])


def test_cli_validate_exits_2_and_lists_every_problem(
    broken: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["criteria", "validate", str(broken)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1] == f"{len(BREAKAGES) + 4} problem(s) in 10 file(s)"
    for line in err[:-1]:
        assert re.match(rf"{re.escape(str(broken))}/[\w.-]+\.yaml(:\d+)?: ", line), line
    assert "Traceback" not in "\n".join(err)


def test_cli_validate_a_valid_folder_exits_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("medicare-oxygen", "medicare-pap-osa"):
        (tmp_path / f"{name}.yaml").write_text((CRITERIA / f"{name}.yaml").read_text())
    assert main(["criteria", "validate", str(tmp_path)]) == 0
    assert "2 policies valid" in capsys.readouterr().out


def test_cli_validate_missing_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["criteria", "validate", str(tmp_path / "nope")]) == 2
    assert "criteria folder not found" in capsys.readouterr().err


def test_extra_folder_cannot_redefine_a_shipped_id(tmp_path: Path) -> None:
    (tmp_path / "aetna-infliximab-ra.yaml").write_text(
        (CRITERIA / "aetna-infliximab-ra.yaml").read_text()
    )
    with pytest.raises(PolicyError, match="already defined"):
        load_policies([tmp_path])


def test_policy_and_criterion_ids_are_stable(policies: dict[str, Policy]) -> None:
    ids = {
        pid: ([c.id for c in p.initial], [c.id for c in p.continuation])
        for pid, p in policies.items()
    }
    assert ids == {
        "aetna-infliximab-ra": (
            [
                "diagnosis",
                "serology",
                "step-methotrexate",
                "combination",
                "tb-screening",
                "no-other-biologic",
            ],
            [],
        ),
        "bcbsms-biologics-psoriasis": (["diagnosis", "age", "extent", "step-conventional"], []),
        "bcbsnd-infliximab-crohns": (["diagnosis", "age", "step-immunosuppressant"], []),
        "cigna-adalimumab-psoriasis": (
            ["diagnosis", "age", "prescriber", "step-systemic"],
            ["on-therapy", "response"],
        ),
        "medicare-oxygen": (["qualifying-test", "group"], []),
        "medicare-pap-osa": (
            ["face-to-face", "sleep-test", "diagnosis"],
            ["re-evaluation", "adherence"],
        ),
        "prime-dupilumab-ad": (["diagnosis", "severity", "step-topicals", "no-other-biologic"], []),
        "uhc-vedolizumab-crohns": (
            ["diagnosis", "disease-activity", "step-conventional", "dosing"],
            [],
        ),
        # issue #14
        "aetna-spine-mri": (["indication"], []),
        "bcbsnd-mepolizumab-asthma": (
            ["age", "diagnosis", "controllers", "uncontrolled", "eosinophils", "no-other-biologic"],
            [],
        ),
        "bcbsnd-risankizumab-crohns": (["label", "step-tnf"], []),
        "cigna-alirocumab-ascvd": (["ascvd", "statin"], ["on-therapy", "response"]),
        "cigna-tralokinumab-ad": (
            ["diagnosis", "age", "extent", "step-topical-steroid", "prescriber"],
            ["on-therapy", "response"],
        ),
        "cigna-upadacitinib-ra": (
            ["diagnosis", "age", "step-tnf", "prescriber"],
            ["on-therapy", "response"],
        ),
        "cigna-wegovy-weight": (
            ["age", "lifestyle-trial", "bmi", "lifestyle-concomitant"],
            ["age", "bmi", "weight-loss", "lifestyle-concomitant"],
        ),
        "humana-glp1-t2d": (["indication"], []),
        "medicare-cgm": (
            ["diabetes", "insulin-or-hypoglycemia", "visit"],
            ["on-cgm", "six-month-visit"],
        ),
        "medicare-insulin-pump": (["criterion-a-or-b", "insulinopenia"], []),
        "medmutual-tofacitinib-uc": (
            ["diagnosis", "age", "step-tnf", "prescriber"],
            ["on-therapy", "response"],
        ),
        "uhc-adalimumab-ra-psa": (
            ["diagnosis", "step-therapy", "no-other-immunomodulator", "prescriber"],
            ["response", "no-other-immunomodulator"],
        ),
        "uhc-erenumab-migraine": (
            ["diagnosis", "frequency", "step-preventives", "no-other-cgrp"],
            ["response", "no-other-cgrp"],
        ),
        "uhc-omalizumab-asthma": (
            [
                "diagnosis",
                "uncontrolled",
                "ige",
                "allergen-test",
                "controllers",
                "no-other-biologic",
                "prescriber",
            ],
            ["response", "controllers", "no-other-biologic"],
        ),
        "wha-glp1-t2d": (["diagnosis", "step-metformin"], []),
        "wha-guselkumab-psoriasis": (
            ["diagnosis", "extent", "step-topical", "prescriber"],
            ["response"],
        ),
    }
