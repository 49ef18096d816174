"""Authoring policies: skeletons, diffs, JSON Schemas, currency against the CMS index, the
last-reviewed warning, the practice's time-of-need convention, and quoting by provenance."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from pa_docs.authoring._currency import currency, read_index
from pa_docs.authoring._schema import json_schema
from pa_docs.cli import main
from pa_docs.errors import InputError
from pa_docs.policy import load_policies, load_policy
from tests.fixtures.documents.support import build, example, flat, pdf_text, render

from .conftest import ROOT, case_dict

CRITERIA = ROOT / "criteria"
MCD = ROOT.parent / "shared" / "data" / "external" / "cms-mcd" / "documents_latest.csv"


def _plain(x: Any) -> Any:
    """YAML data as an editor's JSON Schema validator sees it (dates are strings)."""
    if isinstance(x, dict):
        return {k: _plain(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_plain(v) for v in x]
    return x.isoformat() if isinstance(x, dt.date) else x


# ---------------------------------------------------------------------------- criteria new


def test_new_writes_a_skeleton_whose_test_passes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "criteria"
    assert main(["criteria", "new", "acme-drug-x", "--dir", str(folder)]) == 0
    policy = folder / "acme-drug-x.yaml"
    text = policy.read_text()
    assert "# acme-drug-x" in text and "provenance: summary" in text and "TODO" in text
    assert load_policy(policy).id == "acme-drug-x"
    assert (folder / "tests" / "acme-drug-x" / "_base.yaml").is_file()
    capsys.readouterr()
    assert main(["criteria", "test", str(folder)]) == 0
    assert "acme-drug-x/ready" in capsys.readouterr().out


def test_new_never_overwrites_and_checks_the_id(tmp_path: Path) -> None:
    folder = tmp_path / "criteria"
    assert main(["criteria", "new", "acme-drug-x", "--dir", str(folder)]) == 0
    before = (folder / "acme-drug-x.yaml").read_text()
    assert main(["criteria", "new", "acme-drug-x", "--dir", str(folder)]) == 2
    assert (folder / "acme-drug-x.yaml").read_text() == before
    assert main(["criteria", "new", "Acme Drug", "--dir", str(folder)]) == 2


# ---------------------------------------------------------------------------- criteria diff


def _changed_copy(tmp_path: Path, name: str, *edits: tuple[str, str]) -> Path:
    text = (CRITERIA / name).read_text()
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new)
    out = tmp_path / name
    out.write_text(text)
    return out


def test_diff_names_thresholds_windows_drug_lists_and_criteria(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    new = _changed_copy(
        tmp_path,
        "cigna-adalimumab-psoriasis.yaml",
        ("last_reviewed: 2026-12-02", "last_reviewed: 2027-01-15"),
        ("      min_days: 90\n", "      min_days: 120\n"),
        ("            - apremilast\n", ""),
        ("      within: {days: 90}", "      within: {days: 120}"),
        ("  - id: prescriber\n", "  - id: prescriber-specialty\n"),
    )
    assert (
        main(["criteria", "diff", str(CRITERIA / "cigna-adalimumab-psoriasis.yaml"), str(new)]) == 1
    )
    out = capsys.readouterr().out
    assert "last_reviewed: 2026-12-02 -> 2027-01-15" in out
    assert (
        "initial: changed step-systemic: minimum length rule.of[0] (traditional systemic agent)"
        in out
    )
    assert "min_days: 90 -> 120" in out
    biologic = "rule.of[1] (prior biologic for psoriasis, apremilast or deucravacitinib)"
    assert f"drug list {biologic}.drugs: - apremilast" in out
    assert "continuation: changed response: window rule.within: 90 days -> 120 days" in out
    assert "initial: added prescriber-specialty (prescriber)" in out
    assert "initial: removed prescriber (prescriber)" in out


def test_diff_of_a_policy_with_itself_is_empty(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(CRITERIA / "medicare-oxygen.yaml")
    assert main(["criteria", "diff", path, path]) == 0
    assert "no differences" in capsys.readouterr().out


def test_a_new_policy_version_is_reported_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Criteria inherit the version from their document: the diff says it at the top only."""
    new = _changed_copy(tmp_path, "medicare-pap-osa.yaml", ('version: "52"', 'version: "53"'))
    assert main(["criteria", "diff", str(CRITERIA / "medicare-pap-osa.yaml"), str(new)]) == 1
    lines = capsys.readouterr().out.splitlines()[2:]
    assert lines == ["version: 52 -> 53"]


# ---------------------------------------------------------------------------- schema


@pytest.fixture(scope="module")
def policy_schema() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(json_schema("policy"))


def test_every_shipped_policy_and_test_case_fits_the_schemas(
    policy_schema: jsonschema.Draft202012Validator,
) -> None:
    for f in sorted(CRITERIA.glob("*.yaml")):
        errors = list(policy_schema.iter_errors(_plain(yaml.safe_load(f.read_text()))))
        assert not errors, (f.name, [e.message for e in errors[:3]])
    case = jsonschema.Draft202012Validator(json_schema("case"))
    cases = [p for p in (ROOT / "examples").glob("*.yaml")
             if not p.name.endswith(".denial.yaml") and p.stem != "practice-profile"]  # fmt: skip
    for f in sorted(cases):
        errors = list(case.iter_errors(_plain(yaml.safe_load(f.read_text()))))
        assert not errors, (f.name, [e.message for e in errors[:3]])


def test_the_policy_schema_rejects_what_the_loader_rejects(
    policy_schema: jsonschema.Draft202012Validator,
) -> None:
    data = _plain(yaml.safe_load((CRITERIA / "medicare-pap-osa.yaml").read_text()))
    assert policy_schema.is_valid(data)
    typo = json.loads(json.dumps(data))
    typo["initial"][0]["sorce"] = typo["initial"][0].pop("source")
    assert not policy_schema.is_valid(typo)
    bad = json.loads(json.dumps(data))
    bad["initial"][1]["rule"]["of"][0]["value"] = ["at least 15"]
    assert not policy_schema.is_valid(bad)
    unsure = json.loads(json.dumps(data))
    unsure["initial"][0]["source"]["provenance"] = "hearsay"
    assert not policy_schema.is_valid(unsure)


def test_schema_command_prints_described_schemas(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "policy"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert "last_reviewed" in schema["required"]
    source = schema["$defs"]["Source"]["properties"]
    assert "payer's own document" in source["provenance"]["description"]
    assert main(["schema", "case"]) == 0
    assert json.loads(capsys.readouterr().out)["title"] == "Case"
    assert main(["schema", "denial"]) == 2


# ---------------------------------------------------------------------------- currency

_HEADER = (
    "contractor_name_type,document_display_id,document_id,document_type,document_version,"
    "effective_date,note,retirement_date,title,updated_on,updated_on_sort,url\n"
)


def _row(display: str, kind: str, version: int, effective: str, note: str = "",
         retired: str = "N/A") -> str:  # fmt: skip
    return (
        f'"CGS Administrators, LLC\n(DME MAC)\n\nNoridian Healthcare Solutions, LLC\n(DME MAC)",'
        f"{display},{display[1:]},{kind},{version},{effective},{note},{retired},"
        f'"Title, with a comma",01/01/2025,20250101000000,https://www.cms.gov/x\n'
    )


def test_currency_reads_the_index_quirks(tmp_path: Path) -> None:
    index = tmp_path / "documents_latest.csv"
    index.write_text(
        _HEADER
        + _row("L33718", "LCD", 52, "01/01/2024")
        + _row("L33718", "LCD", 53, "09/07/2027", note="Future")  # the same id, pending
        + _row("A52467", "Article", 55, "03/01/2026")  # newer than the 54 cited
        + _row("L33797", "LCD", 50, "04/01/2023", note="Retired", retired="06/26/2026")
    )
    rows = read_index(index)
    assert [r.version for r in rows["L33718"]] == [52, 53]
    assert rows["L33718"][0].retired is None  # N/A
    policies = [load_policy(CRITERIA / "medicare-pap-osa.yaml"),
                load_policy(CRITERIA / "medicare-oxygen.yaml")]  # fmt: skip
    found = {r.document: r for r in currency(policies, rows, dt.date(2026, 12, 2))}
    assert found["L33718"].status == "current" and found["L33718"].current == 52
    assert "version 53 takes effect 2027-09-07" in found["L33718"].detail
    assert found["A52467"].status == "outdated" and found["A52467"].current == 55
    assert found["L33797"].status == "retired" and "2026-06-26" in found["L33797"].detail
    assert found["A52514"].status == "not in index"


def test_a_file_that_is_not_the_index_is_an_input_error(tmp_path: Path) -> None:
    bad = tmp_path / "x.csv"
    bad.write_text("id,version\nL33718,52\n")
    with pytest.raises(InputError, match="not the CMS MCD index"):
        read_index(bad)
    dates = tmp_path / "y.csv"
    dates.write_text(_HEADER + _row("L33718", "LCD", 52, "2024-01-01"))
    with pytest.raises(InputError, match="MM/DD/YYYY") as err:
        read_index(dates)
    assert err.value.problems[0].line == 2


@pytest.mark.skipif(not MCD.is_file(), reason="the CMS MCD index is not beside the checkout")
def test_currency_on_the_real_index(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["criteria", "currency", "--mcd", str(MCD), "--as-of", "2026-12-02",
                 "--format", "json"])  # fmt: skip
    doc = json.loads(capsys.readouterr().out)
    got = {(d["policy"], d["document"]): d for d in doc["documents"]}
    assert got[("medicare-pap-osa", "L33718")]["current_version"] == 52
    assert got[("medicare-oxygen", "L33797")]["current_version"] == 50
    assert got[("medicare-pap-osa", "A52467")]["current_version"] == 54
    assert got[("medicare-oxygen", "A52514")]["current_version"] == 61
    ours = [d for d in doc["documents"] if d["policy"] in {"medicare-oxygen", "medicare-pap-osa"}]
    assert len(ours) == 4 and {d["status"] for d in ours} == {"current"}
    # every shipped policy that cites an LCD or article is reported; none cites a document the
    # index does not have, nor an outdated or retired version
    assert {d["status"] for d in doc["documents"]} <= {"current", "version not cited"}
    assert code == (0 if {d["status"] for d in doc["documents"]} == {"current"} else 1)


# ---------------------------------------------------------------------------- last reviewed


def test_criteria_list_shows_when_each_policy_was_last_reviewed(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # a pipe or a plain terminal is 80 columns wide: every id and date must still show whole
    monkeypatch.setenv("COLUMNS", "80")
    assert main(["criteria", "list"]) == 0
    out = capsys.readouterr().out
    assert max(len(line) for line in out.splitlines()) <= 80
    assert "reviewed" in out and "version" in out
    rows = {line.split()[0]: line for line in out.splitlines() if line.strip()}
    for policy in load_policies().values():
        assert policy.id in rows
        assert policy.last_reviewed.isoformat() in rows[policy.id]
        assert (policy.version or "-") in rows[policy.id].split()


def _stale_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "practice"
    folder.mkdir()
    text = (CRITERIA / "medicare-pap-osa.yaml").read_text()
    text = text.replace("id: medicare-pap-osa", "id: old-pap").replace(
        "last_reviewed: 2026-12-02", "last_reviewed: 2025-05-19"
    )
    (folder / "old-pap.yaml").write_text(text)
    return folder


@pytest.mark.parametrize(("request_date", "warned"), [("2026-05-19", False), ("2026-05-20", True)])
def test_check_warns_when_the_policy_was_reviewed_over_a_year_before_the_request(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], request_date: str, warned: bool
) -> None:
    folder = _stale_folder(tmp_path)
    data = yaml.safe_load((ROOT / "examples" / "osa-cpap-medicare.yaml").read_text())
    data["request_date"] = dt.date.fromisoformat(request_date)
    case = tmp_path / "case.yaml"
    case.write_text(yaml.safe_dump(data))
    main(["check", str(case), "--policy", "old-pap", "--criteria", str(folder),
          "--format", "json"])  # fmt: skip
    captured = capsys.readouterr()
    warnings = json.loads(captured.out)["warnings"]
    stale = [w for w in warnings if w["path"] == "last_reviewed"]
    assert bool(stale) is warned
    assert ("last reviewed on 2025-05-19" in captured.err) is warned
    if warned:
        assert "more than a year before the request date (2026-05-20)" in stale[0]["message"]


# ---------------------------------------------------------------------------- time of need


def test_the_practice_sets_the_time_of_need(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = yaml.safe_load((ROOT / "examples" / "oxygen-concentrator-medicare.yaml").read_text())
    data["labs"][0]["date"] = dt.date(2026, 1, 1)  # 40 days before the request
    case = tmp_path / "case.yaml"
    case.write_text(yaml.safe_dump(data))
    assert main(["check", str(case), "--format", "json"]) == 1
    out = json.loads(capsys.readouterr().out)
    test = next(c for c in out["criteria"] if c["id"] == "qualifying-test")
    assert test["status"] == "missing"
    assert "Confirm the test reflects the time of need" in test["action"]
    assert "Medicare" not in test["reason"] and "30-day convention" in test["reason"]
    profile = tmp_path / "profile.yaml"
    profile.write_text("time_of_need_days: 45\n")
    assert main(["check", str(case), "--format", "json", "--profile", str(profile)]) == 0
    out = json.loads(capsys.readouterr().out)
    test = next(c for c in out["criteria"] if c["id"] == "qualifying-test")
    assert "performed at the time of need (the test is 40 days old)" in test["reason"]


# ---------------------------------------------------------------------------- documents


def _squash(text: str) -> str:
    """Text without any space: a PDF breaks lines (and hyphenates) where it likes."""
    return "".join(text.split()).replace("-", "")


def test_a_final_ra_letter_quotes_only_payer_text_and_states_no_missing_version() -> None:
    text = flat(pdf_text(render("letter", example("ra-infliximab-aetna"), "pdf")))
    squashed = _squash(text)
    policy = load_policies()["aetna-infliximab-ra"]
    summary = 0
    for c in policy.initial:
        words = _squash(c.text)
        if c.quoted:
            assert f"\u201c{words}\u201d" in squashed, c.id
        else:
            assert words in squashed and f"\u201c{words}" not in squashed, c.id
        if c.provenance == "summary":
            summary += 1
            assert _squash(f"{c.text} (Aetna CPB 0341)") in squashed, c.id
    assert summary == 5  # all but the serology rule, read in the payer's own policy history
    assert "version not stated" not in text
    assert "payer's wording" not in text
    assert "verify against the current policy" not in text.lower()  # drafts only


def test_a_draft_asks_to_verify_summary_criteria(tmp_path: Path) -> None:
    data = case_dict(**yaml.safe_load((ROOT / "examples" / "ra-infliximab-aetna.yaml").read_text()))
    data["labs"] = [lab for lab in data["labs"] if lab["test"] != "tb_igra"]
    path = tmp_path / "case.yaml"
    path.write_text(yaml.safe_dump(data))
    text = flat(pdf_text(render("packet", path, "pdf", draft=True)))
    assert "Read in a secondary summary of the policy: verify against the current policy" in text


@pytest.mark.parametrize(
    ("name", "lcd"),
    [("osa-cpap-medicare", "LCD L33718"), ("oxygen-concentrator-medicare", "LCD L33797")],
)
def test_medicare_packets_print_the_lcd_version(name: str, lcd: str) -> None:
    path = ROOT / "examples" / f"{name}.yaml"
    doc = build("packet", path)
    text = flat(pdf_text(render("packet", path, "pdf")))
    version = "version 52" if lcd.endswith("18") else "version 50"
    assert lcd in text and version in text and "version not stated" not in text
    assert f"({version})" in doc.footer


def test_shipped_examples_still_choose_their_policies(tmp_path: Path) -> None:
    """The revised oxygen policy is chosen by its item: any diagnosis, any oxygen code."""
    data = yaml.safe_load((ROOT / "examples" / "oxygen-concentrator-medicare.yaml").read_text())
    data["request"].update(item="E0424", codes=["E0424"], diagnosis="J96.11")
    data["diagnoses"] = [{"code": "J96.11"}]
    case = tmp_path / "case.yaml"
    case.write_text(yaml.safe_dump(data))
    assert main(["check", str(case)]) == 0


def test_diff_of_code_lists_names_them_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    new = _changed_copy(
        tmp_path,
        "medicare-pap-osa.yaml",
        ("  codes: [E0601]\n", "  codes: [E0601, E0470]\n"),
        ("rule: {kind: diagnosis, codes: [G47.33]}", "rule: {kind: diagnosis, codes: [G47.3*]}"),
    )
    assert main(["criteria", "diff", str(CRITERIA / "medicare-pap-osa.yaml"), str(new)]) == 1
    out = capsys.readouterr().out
    assert "\napplies_to.codes: [E0601] -> [E0601, E0470]\n" in out
    assert "initial: changed diagnosis: rule.codes: [G47.33] -> [G47.3*]" in out
    assert "codes applies_to" not in out and "codes rule" not in out
