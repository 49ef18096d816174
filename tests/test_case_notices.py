"""Warnings (names pa-docs keeps but does not know) and FILL-IN placeholders: loaded, listed
with their lines, reported by ``check`` (stderr, table, JSON), refused by ``--strict`` and by
documents."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from pa_docs.case import Case, load_case
from pa_docs.cli import main
from pa_docs.errors import CaseError

from .conftest import ROOT, case_dict

CROHNS = ROOT / "examples" / "crohns-infliximab-bcbsnd.yaml"
RA = ROOT / "examples" / "ra-infliximab-aetna.yaml"


def _line(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def _crohns_with_azathioprin(tmp_path: Path) -> tuple[Path, str]:
    """The Crohn's example with its budesonide trial taken out and azathioprine misspelt."""
    text = CROHNS.read_text(encoding="utf-8")
    start = text.index("  - drug: Entocort EC")
    end = text.index("  - drug: azathioprine")
    text = text[:start] + text[end:]
    text = text.replace("- drug: azathioprine", "- drug: azathioprin")
    p = tmp_path / "case.yaml"
    p.write_text(text, encoding="utf-8")
    return p, text


def _check_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, Any], str]:
    code = main(["check", *argv, "--format", "json"])
    out = capsys.readouterr()
    return code, json.loads(out.out) if out.out else {}, out.err


# --- unknown names are kept, warned about, and count for nothing ---------------------------------


def test_a_misspelt_drug_loads_with_a_warning_naming_its_line(tmp_path: Path) -> None:
    path, text = _crohns_with_azathioprin(tmp_path)
    case = load_case(path)
    assert case.treatments[0].drug == "azathioprin"  # kept exactly as written
    (w,) = case.warnings
    assert (w.path, w.line, w.suggestion) == (
        "treatments[0].drug",
        _line(text, "drug: azathioprin"),
        "azathioprine",
    )
    assert str(w) == (
        f"{path}:{w.line}: treatments[0].drug: 'azathioprin' is not a drug pa-docs knows, so it "
        "counts for no class; did you mean 'azathioprine'?"
    )


def test_check_reports_the_warning_and_the_misspelt_drug_counts_for_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, text = _crohns_with_azathioprin(tmp_path)
    code, data, err = _check_json(capsys, str(path))
    assert code == 1
    line = _line(text, "drug: azathioprin")
    assert err.splitlines() == [
        f"{path}:{line}: treatments[0].drug: 'azathioprin' is not a drug "
        "pa-docs knows, so it counts for no class; did you mean 'azathioprine'?"
    ]
    assert data["warnings"] == [
        {
            "path": "treatments[0].drug",
            "line": _line(text, "drug: azathioprin"),
            "message": "'azathioprin' is not a drug pa-docs knows, so it counts for no class",
            "suggestion": "azathioprine",
        }
    ]
    step = next(c for c in data["criteria"] if c["id"] == "step-immunosuppressant")
    assert step["status"] == "missing"
    assert "azathioprin (treatments[0]) is not a drug pa-docs knows" in step["reason"]
    assert [e["ref"] for e in step["evidence"]] == ["treatments[0]"]


def test_strict_turns_warnings_into_input_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, text = _crohns_with_azathioprin(tmp_path)
    with pytest.raises(CaseError) as info:
        load_case(path, strict=True)
    (problem,) = info.value.problems
    assert (problem.line, problem.field) == (_line(text, "drug: azathioprin"), "treatments[0].drug")
    assert main(["check", str(path), "--strict"]) == 2
    err = capsys.readouterr().err
    assert "pa-docs: error:" in err and "did you mean 'azathioprine'?" in err


def test_no_suggestion_for_a_name_unlike_any_known_one() -> None:
    case = Case.model_validate(
        case_dict(treatments=[{"drug": "zorbaxiflumab", "start": "2025-01-01"}])
    )
    (w,) = case.warnings
    assert w.suggestion is None and "did you mean" not in str(w)


def test_unknown_encounter_type_and_finding_are_kept_and_warned() -> None:
    case = Case.model_validate(
        case_dict(
            encounters=[{"type": "ofice_visit", "date": "2026-01-05"}],
            findings=[{"name": "daytime sleepiness", "date": "2026-01-05"}],
        )
    )
    assert case.encounters[0].type == "ofice_visit"
    by_path = {w.path: w for w in case.warnings}
    assert by_path["encounters[0].type"].suggestion == "office_visit"
    assert "no policy counts it" in by_path["findings[0].name"].message


def test_the_table_lists_warnings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path, _ = _crohns_with_azathioprin(tmp_path)
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr().out
    assert "Warnings (1):" in out and "did you mean 'azathioprine'?" in out


# --- FILL-IN placeholders ------------------------------------------------------------------------


def _with_placeholders(tmp_path: Path, *needles: tuple[str, str]) -> tuple[Path, str]:
    text = RA.read_text(encoding="utf-8")
    for old, new in needles:
        assert old in text, old
        text = text.replace(old, new, 1)
    p = tmp_path / "case.yaml"
    p.write_text(text, encoding="utf-8")
    return p, text


def test_placeholders_load_and_are_listed_with_their_lines(tmp_path: Path) -> None:
    member = yaml.safe_load(RA.read_text(encoding="utf-8"))["patient"]["member_id"]
    path, text = _with_placeholders(
        tmp_path, (f"member_id: {member}", "member_id: FILL-IN"), ("payer: aetna", "payer: FILL-IN")
    )
    case = load_case(path)
    assert [(f.path, f.line, f.what) for f in case.to_fill] == [
        ("patient.member_id", _line(text, "member_id: FILL-IN"), "member ID"),
        ("coverage.payer", _line(text, "payer: FILL-IN"), "payer"),
    ]
    assert case.is_to_fill("coverage.payer") and not case.is_to_fill("patient.name")


def test_check_answers_what_it_can_but_is_never_ready_with_placeholders(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    member = yaml.safe_load(RA.read_text(encoding="utf-8"))["patient"]["member_id"]
    path, text = _with_placeholders(tmp_path, (f"member_id: {member}", "member_id: FILL-IN"))
    code, data, _ = _check_json(capsys, str(path))
    assert code == 1 and data["status"] == "gaps"
    assert {c["status"] for c in data["criteria"]} == {"met"}  # every criterion still answered
    assert data["to_fill"] == [
        {"path": "patient.member_id", "line": _line(text, "FILL-IN"), "what": "member ID"}
    ]
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr().out
    assert "Still to fill (1):" in out and "patient.member_id" in out


def test_a_placeholder_diagnosis_makes_the_diagnosis_criterion_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = RA.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    dx = data["request"]["diagnosis"]
    path, _ = _with_placeholders(tmp_path, (f"diagnosis: {dx}", "diagnosis: FILL-IN"))
    loaded = load_case(path)
    # the record's diagnoses list the code too: drop them to see the request's own placeholder
    bare = loaded.model_copy(update={"diagnoses": []})
    from pa_docs.check import check_case
    from pa_docs.policy import load_policies

    result = check_case(bare, load_policies()["aetna-infliximab-ra"])
    verdict = next(v for v in result.verdicts if v.id == "diagnosis")
    assert verdict.status.value == "missing"
    assert "request.diagnosis" in (verdict.action or "")


def test_policy_selection_says_which_placeholder_stops_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, _ = _with_placeholders(tmp_path, ("payer: aetna", "payer: FILL-IN"))
    assert main(["check", str(path)]) == 2
    assert "coverage.payer is still to fill (FILL-IN)" in capsys.readouterr().err
    code, data, _ = _check_json(capsys, str(path), "--policy", "aetna-infliximab-ra")
    assert code == 1 and data["to_fill"][0]["path"] == "coverage.payer"


@pytest.mark.parametrize("command", ["packet", "letter"])
def test_documents_refuse_placeholders_and_write_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    member = yaml.safe_load(RA.read_text(encoding="utf-8"))["patient"]["member_id"]
    path, _ = _with_placeholders(tmp_path, (f"member_id: {member}", "member_id: FILL-IN"))
    out = tmp_path / f"out.{command}.html"
    assert main([command, str(path), "--format", "html", "-o", str(out)]) == 1
    assert "patient.member_id" in capsys.readouterr().err
    assert not out.exists() and list(tmp_path.iterdir()) == [path]


def test_a_chart_of_everyday_drugs_beside_a_complete_ra_record_is_ready(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = yaml.safe_load(RA.read_text(encoding="utf-8"))
    data["treatments"] += [
        {"drug": "lisinopril", "dose": "10 mg daily", "start": "2020-01-06"},
        {"drug": "metformin", "dose": "500 mg twice daily", "start": "2021-03-01"},
        {"drug": "mesalamine", "dose": "2.4 g daily", "start": "2019-05-20"},
    ]
    path = tmp_path / "case.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    case = load_case(path)
    assert case.warnings == ()
    assert [t.known for t in case.treatments[-3:]] == [True, True, True]
    code, result, err = _check_json(capsys, str(path))
    assert (code, result["status"], result["warnings"], err) == (0, "ready", [], "")
