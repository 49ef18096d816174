"""Writing browser values back into case files: comments and order kept, values typed by the case
model, the same validation as the library, the previous version kept, no lost update."""

from __future__ import annotations

import datetime as dt
import difflib
import shutil
from pathlib import Path

import pytest

from pa_docs.case import load_case
from pa_docs.errors import InputError
from pa_docs.web._edit import (
    AddItem,
    Conflict,
    Refused,
    SetValue,
    apply,
    convert,
    parse_path,
    save,
    version_of,
)
from pa_docs.web._folder import CaseFolder
from pa_docs.web._gaps import fix_form

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


def diff(a: str, b: str) -> list[str]:
    return [
        line
        for line in difflib.unified_diff(a.splitlines(), b.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_a_file_round_trips_unchanged(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert apply(text, []) == text


def test_setting_a_value_changes_that_line_only() -> None:
    text = (ROOT / "examples" / "ra-infliximab-aetna.yaml").read_text(encoding="utf-8")
    new = apply(text, [SetValue(("patient", "member_id"), "0123")])
    # a digits-only member id stays a string (quoted), the line's comment and the rest untouched
    assert diff(text, new) == ["-  member_id: W284716395", "+  member_id: '0123'"]
    assert load_case_text(new).patient.member_id == "0123"


def test_adding_an_item_goes_after_the_last_one_in_model_order() -> None:
    text = (ROOT / "examples" / "ra-infliximab-aetna.yaml").read_text(encoding="utf-8")
    item = {"date": dt.date(2026, 8, 1), "result": "negative", "test": "tb_igra"}
    new = apply(text, [AddItem("labs", item)])
    assert diff(text, new) == [
        "+  - test: tb_igra",
        "+    result: negative",
        "+    date: 2026-08-01",
    ]
    # the blank line and the comment of the next section stay after the new item
    assert "    date: 2026-08-01\n\nscores:" in new


def test_an_empty_flow_list_becomes_a_block_list_keeping_its_comment() -> None:
    text = (ROOT / "examples" / "ra-infliximab-aetna.yaml").read_text(encoding="utf-8")
    new = apply(text, [AddItem("findings", {"name": "corticosteroid_dependence",
                                            "date": dt.date(2026, 9, 1)})])  # fmt: skip
    assert "findings:                           # named clinical findings" in new
    assert "  - name: corticosteroid_dependence\n    date: 2026-09-01\n" in new


def test_a_missing_optional_key_is_inserted_at_its_model_position() -> None:
    text = (ROOT / "examples" / "ra-infliximab-aetna.yaml").read_text(encoding="utf-8")
    new = apply(text, [SetValue(("treatments", 1, "outcome"), "response")])
    assert diff(text, new) == ["+    outcome: response"]
    lines = new.splitlines()
    at = lines.index("    outcome: response")
    assert lines[at - 1] == "    start: 2023-03-01" and lines[at + 1].startswith("    note:")


def load_case_text(text: str) -> object:
    from pa_docs.web._folder import read_case

    cf = read_case(Path("x.yaml"), text.encode())
    assert cf.case is not None, cf.problems
    return cf.case


@pytest.mark.parametrize(
    ("path", "text", "value"),
    [
        ("labs[0].date", "2026-07-21", dt.date(2026, 7, 21)),
        ("labs[0].value", "86", 86),
        ("labs[0].value", "5.6", 5.6),
        ("scores[0].period_days", "30", 30),
        ("encounters[0].symptoms_improved", "yes", True),
        ("patient.member_id", " 00123 ", "00123"),
        ("treatments[0].outcome", "intolerance", "intolerance"),
    ],
)
def test_values_are_typed_by_the_case_model(path: str, text: str, value: object) -> None:
    got = convert(parse_path(path), text)
    assert got == value and type(got) is type(value)


@pytest.mark.parametrize(
    ("path", "text", "message"),
    [
        ("labs[0].date", "2026-02-30", "is not a date"),
        ("labs[0].value", "high", "expected a number"),
        ("labs[0].value", "nan", "expected a number"),
        ("scores[0].period_days", "2.5", "whole number"),
        ("encounters[0].symptoms_improved", "maybe", "yes or no"),
    ],
)
def test_values_of_the_wrong_type_are_refused(path: str, text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        convert(parse_path(path), text)


@pytest.mark.parametrize(
    "text",
    ["../x", "patient..name", "patient.__class__", "labs[0]", "patient", "nothere.x", "a" * 300],
)
def test_only_fields_of_a_case_are_paths(text: str) -> None:
    with pytest.raises(InputError):
        convert(parse_path(text), "x")


@pytest.fixture
def folder(tmp_path: Path) -> CaseFolder:
    shutil.copy(ROOT / "examples" / "ra-infliximab-aetna.yaml", tmp_path / "ra.yaml")
    return CaseFolder(tmp_path)


def test_save_keeps_the_previous_version(folder: CaseFolder) -> None:
    path = folder.root / "ra.yaml"
    old = path.read_bytes()
    saved = save(folder, path, version_of(old), [SetValue(("patient", "member_id"), "W1")], "ana")
    assert saved.previous.read_bytes() == old
    assert saved.previous.parent == folder.root / ".pa-docs" / "history" / "ra.yaml"
    assert saved.previous.stat().st_mode & 0o777 == 0o600
    assert load_case(path).patient.member_id == "W1"
    assert path.stat().st_mode & 0o777 == 0o600


def test_save_refuses_a_stale_version_and_writes_nothing(folder: CaseFolder) -> None:
    path = folder.root / "ra.yaml"
    stale = version_of(path.read_bytes())
    save(folder, path, stale, [SetValue(("patient", "member_id"), "FIRST")], "ana")
    first = path.read_bytes()
    with pytest.raises(Conflict, match="changed since you opened it"):
        save(folder, path, stale, [SetValue(("patient", "member_id"), "SECOND")], "cy")
    assert path.read_bytes() == first


def test_save_refuses_what_the_case_model_refuses(folder: CaseFolder) -> None:
    path = folder.root / "ra.yaml"
    before = path.read_bytes()
    with pytest.raises(Refused, match="not a valid NPI"):
        save(folder, path, version_of(before), [SetValue(("prescriber", "npi"), "1234567890")], "a")
    with pytest.raises(Refused, match="unknown ICD-10-CM"):
        save(folder, path, version_of(before), [SetValue(("request", "diagnosis"), "Q99.99")], "a")
    assert path.read_bytes() == before
    assert not (folder.root / ".pa-docs" / "history").exists()


def test_a_file_that_does_not_load_is_fixed_one_field_at_a_time(tmp_path: Path) -> None:
    """Two wrong values: fixing one is a valid save (the other problem stays, nothing worse);
    a wrong value for the field being fixed is refused."""
    text = (ROOT / "examples" / "ra-infliximab-aetna.yaml").read_text(encoding="utf-8")
    text = text.replace('npi: "1548362791"', "npi: FILL-IN").replace(
        "member_id: W284716395", "member_id: FILL-IN"
    )
    (tmp_path / "imp.yaml").write_text(text, encoding="utf-8")
    folder = CaseFolder(tmp_path)
    cf = folder.find("RA-2026-0147")
    assert cf is not None
    form, other = fix_form(cf)
    assert form is not None and not other
    names = {i.name for i in form.inputs}
    assert {"prescriber.npi", "patient.member_id"} <= names
    path = cf.path
    with pytest.raises(Refused, match="NPI"):
        save(folder, path, version_of(cf.raw), [SetValue(("prescriber", "npi"), "123")], "ana")
    saved = save(
        folder, path, version_of(cf.raw), [SetValue(("prescriber", "npi"), "1548362791")], "ana"
    )
    assert "1548362791" in path.read_text(encoding="utf-8")
    new_form, _ = fix_form(saved.file)
    assert new_form is not None
    assert [i.name for i in new_form.inputs if i.name == "prescriber.npi"] == []


def test_the_case_id_is_not_changed_by_an_edit(folder: CaseFolder) -> None:
    path = folder.root / "ra.yaml"
    with pytest.raises(Refused, match="case id cannot be changed"):
        save(folder, path, version_of(path.read_bytes()), [SetValue(("case_id",), "X")], "ana")


def test_folder_finds_cases_by_their_id_not_their_name(tmp_path: Path) -> None:
    shutil.copy(ROOT / "examples" / "ra-infliximab-aetna.yaml", tmp_path / "whatever.yaml")
    shutil.copy(ROOT / "examples" / "ra-infliximab-aetna.denial.yaml", tmp_path / "d.yaml")
    (tmp_path / "link.yaml").symlink_to(ROOT / "examples" / "crohns-vedolizumab-uhc.yaml")
    (tmp_path / "notes.txt").write_text("case_id: X")
    listing = CaseFolder(tmp_path).listing()
    assert list(listing.cases) == ["RA-2026-0147"]
    assert [d.name for d in listing.denials["RA-2026-0147"]] == ["d.yaml"]
    folder = CaseFolder(tmp_path)
    for bad in ("../x", "a/b", ".hidden", ""):
        with pytest.raises(InputError):
            folder.new_path(bad)
    assert folder.new_path("NEW-1") == tmp_path.resolve() / "NEW-1.yaml"
