"""``pa-docs check`` and ``pa-docs criteria``: exit codes, JSON shape, policy selection, errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from pa_docs.cli import main

from .conftest import ROOT, case_dict

EXAMPLES = ROOT / "examples"


def _case(tmp_path: Path, **overrides: Any) -> Path:
    p = tmp_path / "case.yaml"
    p.write_text(yaml.safe_dump(case_dict(**overrides), sort_keys=False), encoding="utf-8")
    return p


def _json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, Any]]:
    code = main(["check", *argv, "--format", "json"])
    out = capsys.readouterr().out
    return code, json.loads(out)


def test_ready_case_exits_0_with_the_json_shape(capsys: pytest.CaptureFixture[str]) -> None:
    code, data = _json(capsys, str(EXAMPLES / "ra-infliximab-aetna.yaml"))
    assert code == 0
    assert set(data) == {
        "case_id",
        "request_date",
        "request_type",
        "status",
        "policy",
        "criteria",
        "warnings",
        "to_fill",
    }
    assert data["warnings"] == data["to_fill"] == []
    assert data["status"] == "ready"
    assert data["request_date"] == "2026-11-02"
    assert set(data["policy"]) == {"id", "payer", "title", "number", "version", "effective", "url"}
    assert data["policy"]["id"] == "aetna-infliximab-ra"
    # the public contract: these fields stay (fields may be added)
    keys = {"id", "kind", "status", "text", "citation", "reason", "action", "evidence"}
    for c in data["criteria"]:
        assert keys <= set(c)
        assert set(c["message"]) == {"code", "params"}
        for e in c["evidence"]:
            assert {"ref", "date", "summary"} <= set(e)
            assert e["ref"].startswith(e["section"])
        for part in c["parts"]:
            assert {"kind", "label", "status", "message", "evidence", "parts"} <= set(part)
    serology = data["criteria"][1]
    assert serology["message"]["code"] == "any_of"
    assert [p["status"] for p in serology["parts"]] == ["met", "met", "met"]
    assert serology["parts"][0]["message"] == {"code": "lab.met", "params": {
        "lab": "labs[0]", "test": "rf", "on": "2022-05-03", "extra": []}}  # fmt: skip
    assert [c["id"] for c in data["criteria"]] == [
        "diagnosis",
        "serology",
        "step-methotrexate",
        "combination",
        "tb-screening",
        "no-other-biologic",
    ]


def test_gaps_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, data = _json(capsys, str(_case(tmp_path)))
    assert code == 1
    assert data["status"] == "gaps"
    missing = {c["id"] for c in data["criteria"] if c["status"] == "missing"}
    assert {"tb-screening", "serology", "step-methotrexate"} <= missing
    assert all(c["action"] for c in data["criteria"] if c["status"] != "met")


def test_not_met_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case = _case(tmp_path, treatments=[{"drug": "Rinvoq", "start": "2026-01-01"}])
    code, data = _json(capsys, str(case))
    assert code == 1
    assert data["status"] == "not_met"


def test_table_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(EXAMPLES / "ra-infliximab-aetna.yaml")]) == 0
    out = capsys.readouterr().out
    assert "aetna-infliximab-ra" in out and "Status: ready" in out


def test_policy_is_chosen_from_payer_item_and_diagnosis(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = _case(
        tmp_path,
        coverage={"payer": "bcbsnd"},
        request={"item": "Remicade", "diagnosis": "K50.10"},
    )
    _, data = _json(capsys, str(case))
    assert data["policy"]["id"] == "bcbsnd-infliximab-crohns"


def test_excluded_diagnosis_matches_no_policy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # M06.1 (adult-onset Still's disease) is not rheumatoid arthritis for Aetna
    case = _case(tmp_path, request={"diagnosis": "M06.1"})
    assert main(["check", str(case)]) == 2
    err = capsys.readouterr().err
    assert "no shipped or given policy applies" in err and "--policy" in err
    assert "Traceback" not in err


def test_policy_option_overrides_selection(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = _case(tmp_path, coverage={"payer": "unknown-payer"})
    code, data = _json(capsys, str(case), "--policy", "bcbsnd-infliximab-crohns")
    assert data["policy"]["id"] == "bcbsnd-infliximab-crohns"
    assert code == 1


def test_policy_without_the_request_type(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = _case(tmp_path, request={"type": "continuation"})
    assert main(["check", str(case), "--policy", "aetna-infliximab-ra"]) == 2
    assert "has no continuation criteria" in capsys.readouterr().err


def test_ambiguous_policy(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    extra = tmp_path / "mine"
    extra.mkdir()
    text = (ROOT / "criteria" / "aetna-infliximab-ra.yaml").read_text(encoding="utf-8")
    (extra / "my-aetna.yaml").write_text(
        text.replace("id: aetna-infliximab-ra", "id: my-aetna"), encoding="utf-8"
    )
    case = _case(tmp_path)
    assert main(["check", str(case), "--criteria", str(extra)]) == 2
    err = capsys.readouterr().err
    assert "several policies apply" in err
    assert "aetna-infliximab-ra" in err and "my-aetna" in err
    # naming one settles it
    assert main(["check", str(case), "--criteria", str(extra), "--policy", "my-aetna"]) == 1


def test_unknown_policy_in_the_case(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case = _case(tmp_path, request={"policy": "aetna-infliximab-rx"})
    assert main(["check", str(case)]) == 2
    err = capsys.readouterr().err
    line = case.read_text().splitlines().index("  policy: aetna-infliximab-rx") + 1
    assert err.startswith(f"pa-docs: error: {case}:{line}: request.policy: unknown policy")
    assert "'aetna-infliximab-rx'" in err


def test_unknown_policy_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(_case(tmp_path)), "--policy", "nope"]) == 2
    assert capsys.readouterr().err.startswith("pa-docs: error: --policy: unknown policy 'nope'")


BAD_INPUTS = {
    "syntax": ("case_id: T-1", "case_id: [T-1", "invalid YAML"),
    "misspelt": (
        "  member_id: M1",
        "  memberid: M1",
        "patient.memberid: unknown field; did you mean 'member_id'?",
    ),
    "wrong type": ("  name: Test Patient", "  name: [a, b]", "patient.name: Input should be"),
    "impossible date": ("request_date: '2026-11-02'", "request_date: 2026-02-30", "2026-02-30"),
    "unknown icd": ("  diagnosis: M05.79", "  diagnosis: M05.7X9", "'M05.7X9'"),
    "unknown policy": ("  diagnosis: M05.79", "  diagnosis: M05.79\n  policy: x", "unknown policy"),
    "tag": ("case_id: T-1", "case_id: !!python/object/apply:os.system ['true']", "not allowed"),
}


@pytest.mark.parametrize("name", BAD_INPUTS)
def test_bad_input_exits_2_with_one_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    old, new, says = BAD_INPUTS[name]
    p = _case(tmp_path)
    text = p.read_text()
    assert old in text
    p.write_text(text.replace(old, new))
    assert main(["check", str(p)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith(f"pa-docs: error: {p}:")  # file and line
    assert says in lines[0]


@pytest.mark.parametrize("content", [None, ""])
def test_missing_or_empty_file_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None
) -> None:
    p = tmp_path / "case.yaml"
    if content is not None:
        p.write_text(content)
    assert main(["check", str(p)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"pa-docs: error: {p}: ")
    assert len(err.strip().splitlines()) == 1


def test_bad_format_option(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(EXAMPLES / "ra-infliximab-aetna.yaml"), "--format", "xml"]) == 2
    assert "--format" in capsys.readouterr().err


def test_criteria_validate_shipped(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["criteria", "validate"]) == 0
    assert "24 policies valid" in capsys.readouterr().out


def test_criteria_list_and_show(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["criteria", "list"]) == 0
    out = capsys.readouterr().out
    assert "medicare-pap-osa" in out and "prime-dupilumab-ad" in out
    assert main(["criteria", "show", "cigna-adalimumab-psoriasis"]) == 0
    out = capsys.readouterr().out
    assert "IP0652" in out and "continuation criteria" in out
    assert main(["criteria", "show", "nope"]) == 2


def test_check_path_imports_no_heavy_module() -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from pa_docs.cli import main\n"
        f"main(['check', {str(EXAMPLES / 'ra-infliximab-aetna.yaml')!r}, '--format', 'json'])\n"
        "heavy = {'weasyprint', 'docx', 'fhir', 'simple_icd_10_cm', 'sqlalchemy', 'alembic'}\n"
        "print('HEAVY:', *sorted({m.split('.')[0] for m in sys.modules} & heavy))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip().splitlines()[-1] == "HEAVY:"
