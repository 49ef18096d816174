"""Bad case files: each is one clear CaseError naming the file, line, field and value."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from pa_docs.case import load_case
from pa_docs.errors import CaseError, InputError

from .conftest import case_dict


def _write(tmp_path: Path, text: str, name: str = "case.yaml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def _good(**overrides: object) -> str:
    return yaml.safe_dump(case_dict(**overrides), sort_keys=False)


# A case as people write it (unquoted dates), to break one line at a time.
CASE = """\
case_id: T-1
request_date: 2026-11-02
patient:
  name: Test Patient
  birth_date: 1971-03-14
  member_id: M1
coverage:
  payer: aetna
prescriber:
  name: Test Prescriber, MD
  npi: '1234567893'
  specialty: x
request:
  type: initial
  item: infliximab
  diagnosis: M05.79
diagnoses:
- code: M05.79
labs:
- test: rf
  value: 86
  result: positive
  date: 2022-05-03
- test: tb_igra
  loinc: 71773-6
  result: negative
  date: 2026-07-21
scores:
- instrument: das28_crp
  value: 5.6
  date: 2026-10-06
treatments:
- drug: methotrexate
  start: 2022-06-01
  end: 2023-02-15
"""


def _error(path: Path) -> CaseError:
    with pytest.raises(CaseError) as info:
        load_case(path)
    err = info.value
    assert len(err.problems) == 1, str(err)
    assert str(path) in str(err)
    return err


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_a_valid_case_loads(tmp_path: Path) -> None:
    case = load_case(_write(tmp_path, _good()))
    assert case.case_id == "T-1"


@pytest.mark.parametrize(
    ("old", "new", "field", "shows"),
    [
        ("  specialty: x", "  specialtty: x", "prescriber.specialtty", "unknown field"),
        ("  member_id: M1", "  memberid: M1", "patient.memberid", "did you mean 'member_id'?"),
        ("  value: 86", "  value: high", "labs[0].value", "'high'"),
        ("  date: 2026-07-21", "  date: 2026-02-30", "labs[1].date", "2026-02-30"),
        ("- code: M05.79", "- code: M05.7Q", "diagnoses[0].code", "M05.7Q"),
        ("  diagnosis: M05.79", "  diagnosis: Z99.999", "request.diagnosis", "Z99.999"),
        ("npi: '1234567893'", "npi: '1234567894'", "prescriber.npi", "1234567894"),
        ("  value: 5.6", "  value: 10.5", "scores[0].value", "10.5"),
        ("  date: 2026-10-06", "  date: 2026-11-03", "scores[0].date", "2026-11-03"),
        ("  loinc: 71773-6", "  loinc: 11572-5", "labs[1].loinc", "11572-5"),
        ("  loinc: 71773-6", "  loinc: 99999-9", "labs[1].loinc", "99999-9"),
        ("- test: rf", "- test: rheumatoid", "labs[0].test", "rheumatoid"),
        ("  type: initial", "  type: renewal", "request.type", "renewal"),
        ("  end: 2023-02-15", "  end: 2022-01-01", "treatments[0].end", "2022-01-01"),
        ("- instrument: das28_crp", "- instrument: das29", "scores[0].instrument", "das29"),
    ],
)
def test_bad_field(tmp_path: Path, old: str, new: str, field: str, shows: str) -> None:
    text = CASE
    assert old in text, text
    text = text.replace(old, new)
    err = _error(_write(tmp_path, text))
    (problem,) = err.problems
    assert problem.field == field
    assert problem.line == _line_of(text, new.strip())
    assert shows in problem.message
    assert f"case.yaml:{problem.line}: {field}: " in str(err)


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    text = _good().replace("case_id: T-1", "case_id: [T-1")
    err = _error(_write(tmp_path, text))
    assert "invalid YAML" in str(err)
    assert err.problems[0].line is not None


@pytest.mark.parametrize("text", ["", "\n", "# only a comment\n"])
def test_empty_file(tmp_path: Path, text: str) -> None:
    assert "empty" in str(_error(_write(tmp_path, text)))


def test_missing_file(tmp_path: Path) -> None:
    assert "file not found" in str(_error(tmp_path / "nope.yaml"))


def test_a_folder_is_not_a_case(tmp_path: Path) -> None:
    assert "folder" in str(_error(tmp_path))


def test_a_list_is_not_a_case(tmp_path: Path) -> None:
    assert "mapping" in str(_error(_write(tmp_path, "- a\n- b\n")))


def test_missing_required_field(tmp_path: Path) -> None:
    text = _good().replace("  member_id: M1\n", "")
    err = _error(_write(tmp_path, text))
    assert err.problems[0].field == "patient.member_id"
    assert "required field is missing" in str(err)


@pytest.mark.parametrize(
    "tag",
    [
        "!!python/object/apply:os.system ['touch {marker}']",
        "!!python/object/new:os.system ['touch {marker}']",
        "!!python/name:os.system",
    ],
)
def test_python_tags_are_refused_and_never_run(tmp_path: Path, tag: str) -> None:
    marker = tmp_path / "pwned"
    text = _good().replace("case_id: T-1", "case_id: " + tag.format(marker=marker))
    err = _error(_write(tmp_path, text))
    assert "not allowed" in str(err)
    assert err.problems[0].line == 1
    assert not marker.exists()


def test_case_error_is_an_input_error() -> None:
    assert issubclass(CaseError, InputError)


def test_not_utf8(tmp_path: Path) -> None:
    p = tmp_path / "case.yaml"
    p.write_bytes(b"case_id: \xff\xfe\n")
    assert "UTF-8" in str(_error(p))
