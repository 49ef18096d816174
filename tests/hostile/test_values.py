"""Values checked at load: nonsense never changes a verdict. Dates after the request (any date
field), dates past the horizon, lab values a test cannot give, NaN and infinity, overlong text,
control characters, case ids that are paths: each is exit 2 naming the file, field and value."""

from __future__ import annotations

import copy
import datetime as dt
import io
import math
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from pa_docs.appeal import Denial
from pa_docs.case import Case

from ..conftest import ROOT, case_dict
from .support import assert_input_error, attack, cli

EXAMPLE = ROOT / "examples" / "ra-infliximab-aetna.yaml"
EXAMPLE_DATA: dict[str, Any] = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
DAY_AFTER = "2026-11-03"  # the example's request date is 2026-11-02


def _case(tmp_path: Path, data: dict[str, Any], name: str = "case.yaml") -> Path:
    p = tmp_path / name
    p.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return p


def _example(**changes: Any) -> dict[str, Any]:
    """The RA example with ``changes``: 'labs[0].value' -> 5 sets one field."""
    data = copy.deepcopy(EXAMPLE_DATA)
    for path, value in changes.items():
        *parents, last = path.replace("[", ".").replace("]", "").split(".")
        node: Any = data
        for p in parents:
            node = node[int(p)] if p.isdigit() else node[p]
        node[int(last) if last.isdigit() else last] = value
    return data


# -- dates ------------------------------------------------------------------------------------


def test_a_treatment_ending_after_the_request_is_refused() -> None:
    run = cli("check", attack("future_treatment_end.yaml"))
    assert_input_error(run, "future_treatment_end.yaml:81", "treatments[0].end", "2029-02-15")


@pytest.mark.parametrize(
    "field",
    [
        "treatments[0].start",
        "treatments[1].end",
        "labs[0].date",
        "scores[1].date",
        "encounters[0].date",
        "diagnoses[0].onset",
        "patient.birth_date",
    ],
)
def test_no_date_of_a_case_may_follow_the_request(tmp_path: Path, field: str) -> None:
    data = _example(**{field: DAY_AFTER})
    if field == "treatments[0].start":
        del data["treatments"][0]["end"]
    assert_input_error(cli("check", _case(tmp_path, data)), field, DAY_AFTER, "request date")


@pytest.mark.parametrize("field", ["request_date", "patient.birth_date", "labs[0].date"])
def test_dates_past_the_horizon_are_refused(tmp_path: Path, field: str) -> None:
    data = _example(**{field: "1850-01-01"})
    assert_input_error(cli("check", _case(tmp_path, data)), field, "1850-01-01", "outside")
    later = _example(**{"request_date": "9999-12-31", field: "9999-12-31"})
    assert_input_error(cli("check", _case(tmp_path, later)), "9999-12-31", "outside")


def test_a_year_9999_denial_is_refused() -> None:
    run = cli("deadline", attack("base.yaml"), "--denial", attack("denial_9999.yaml"))
    assert_input_error(run, "denial_date", "9999-12-20", "outside")
    with pytest.raises(ValidationError, match="outside"):
        Denial.model_validate(
            {
                "case_id": "X",
                "denial_date": dt.date(2026, 1, 2),
                "received_date": dt.date(9999, 12, 31),
                "reference": "R",
                "appeal_level": 1,
                "reasons": [{"text": "t"}],
            }
        )


@pytest.mark.parametrize(
    "argv",
    [
        ["log", "submit", EXAMPLE, "--method", "fax", "--date", "9999-12-31"],
        ["log", "due", "--as-of", "9999-12-31"],
        ["kpi", "--from", "0001-01-01"],
        [
            "deadline",
            EXAMPLE,
            "--denial",
            ROOT / "examples" / "ra-infliximab-aetna.denial.yaml",
            "--as-of",
            "9999-12-31",
        ],
        ["import-fhir", ROOT / "tests" / "fhir_fixtures", "--request-date", "9999-12-31"],
    ],
)
def test_command_line_dates_past_the_horizon_are_exit_2(tmp_path: Path, argv: list[Any]) -> None:
    db = tmp_path / "log.sqlite3"
    run = cli(*argv, "--db", db) if argv[0] in {"log", "kpi"} else cli(*argv)
    assert run.code == 2, run.err
    assert "outside" in run.err or "no case log" in run.err, run.err
    assert "Traceback" not in run.err
    assert not db.exists()  # a refused command creates no log


# -- lab values, scores, numbers --------------------------------------------------------------


def test_a_negative_spo2_is_refused() -> None:
    run = cli("check", attack("spo2_negative.yaml"))
    assert_input_error(run, "spo2_negative.yaml:40", "labs[0]", "SpO2", "-5")


@pytest.mark.parametrize(
    ("test", "value"),
    [("spo2", 101), ("hematocrit", 150), ("crp", -1), ("pao2", -3), ("esr", -0.5), ("psg", -1)],
)
def test_lab_values_a_test_cannot_give_are_refused(tmp_path: Path, test: str, value: float) -> None:
    lab = {"test": test, "value": value, "date": "2026-10-01"}
    data = case_dict(labs=[lab])
    assert_input_error(cli("check", _case(tmp_path, data)), "labs[0]", f"got {value:g}")


def test_a_lab_given_by_loinc_alone_is_range_checked_too() -> None:
    lab = {"loinc": "59408-5", "value": -2, "date": "2026-10-01"}
    with pytest.raises(ValidationError, match="SpO2 value must be from 0 to 100"):
        Case.model_validate(case_dict(labs=[lab]))


def test_values_a_test_can_give_load() -> None:
    labs = [
        {"test": "spo2", "value": 0, "date": "2026-10-01"},
        {"test": "spo2", "value": 100, "date": "2026-10-01"},
        {"test": "tb_igra", "value": -0.02, "result": "negative", "date": "2026-10-01"},
    ]
    assert len(Case.model_validate(case_dict(labs=labs)).labs) == 3


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
@pytest.mark.parametrize("where", ["labs", "scores"])
def test_nan_and_infinity_are_refused_from_the_library_too(bad: float, where: str) -> None:
    item: dict[str, Any] = (
        {"test": "crp", "value": bad, "date": "2026-10-01"}
        if where == "labs"
        else {"instrument": "das28_crp", "value": bad, "date": "2026-10-01"}
    )
    with pytest.raises(ValidationError, match="finite"):
        Case.model_validate(case_dict(**{where: [item]}))


# -- text -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "length"),
    [("patient.name", 301), ("request.dose", 2001), ("treatments[0].note", 2001),
     ("notes", 20001)],
)  # fmt: skip
def test_text_is_capped_in_length(tmp_path: Path, field: str, length: int) -> None:
    data = _example(**{field: "A" * length})
    run = cli("check", _case(tmp_path, data))
    assert_input_error(run, field, "at most")
    assert len(run.err) < 400  # the value is shown cut, not whole


def test_text_under_the_caps_loads(tmp_path: Path) -> None:
    data = _example(**{"patient.name": "A" * 300, "notes": "word " * 3999})
    assert cli("check", _case(tmp_path, data)).code == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("patient.name", "Maria\x1b[2J Alvarez"),
        ("patient.name", "Maria\nAlvarez"),
        ("patient.member_id", "W28\u20284716395"),
        ("prescriber.name", "Priya\x00 Raman"),
        ("notes", "Persistent synovitis\x07"),
        ("treatments[0].note", "nausea\u2029rash"),
        ("diagnoses[1].description", "Hyperlipidemia\x9b31m"),
        ("request.codes", ["Q5103\x0b"]),
    ],
)
def test_control_characters_are_refused_at_load(tmp_path: Path, field: str, value: Any) -> None:
    run = cli("check", _case(tmp_path, _example(**{field: value})))
    assert_input_error(run, field, "U+")
    assert "\x1b" not in run.err and "\x00" not in run.err


def test_control_characters_in_a_name_never_reach_a_docx(tmp_path: Path) -> None:
    out = tmp_path / "p.docx"
    run = cli("packet", attack("ctrl_char.yaml"), "--format", "docx", "-o", out)
    assert_input_error(run, "ctrl_char.yaml:7", "patient.name", "U+0001")
    assert not out.exists()


def test_a_230_character_name_makes_a_docx_with_its_properties_cut(tmp_path: Path) -> None:
    out = tmp_path / "p.docx"
    run = cli("packet", attack("long_name_230.yaml"), "--format", "docx", "-o", out)
    assert run.code == 0, run.err
    core = zipfile.ZipFile(io.BytesIO(out.read_bytes())).read("docProps/core.xml").decode()
    title = core.split("<dc:title>")[1].split("</dc:title>")[0]
    assert title.startswith("Prior authorization request — Maria AAAA") and len(title) <= 255


# -- case ids ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "case_id", ["../escaped-dir/evil", "a/b", "..", ".hidden", "x y", "-rf", "C:\\x", "A" * 101]
)
def test_a_case_id_is_an_identifier(tmp_path: Path, case_id: str) -> None:
    run = cli("check", _case(tmp_path, _example(case_id=case_id)))
    assert_input_error(run, "case_id", "not an identifier")


def test_a_traversing_case_id_writes_nothing_anywhere(tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    run = cli("packet", attack("caseid_traversal.yaml"), cwd=work)
    assert_input_error(run, "case_id", "../escaped-dir/evil")
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["work"]


# -- the practice profile ---------------------------------------------------------------------


def test_a_logo_that_is_not_an_image_is_refused_when_the_profile_loads(tmp_path: Path) -> None:
    profile = attack("prof_badlogo/profile.yaml")
    out = tmp_path / "l.docx"
    run = cli("letter", attack("base.yaml"), "--profile", profile, "--format", "docx", "-o", out)
    assert_input_error(run, "profile.yaml:2", "logo", "not a PNG or JPEG")
    assert not out.exists()


@pytest.mark.parametrize("key", ["logo", "reference_docx"])
def test_a_profile_asset_that_links_out_of_its_folder_is_refused(tmp_path: Path, key: str) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    real = ROOT / "examples" / "assets" / ("logo.png" if key == "logo" else "reference.docx")
    shutil.copy(real, outside / real.name)
    folder = tmp_path / "practice"
    folder.mkdir()
    (folder / real.name).symlink_to(outside / real.name)
    (folder / "profile.yaml").write_text(f"practice: Clinic\n{key}: {real.name}\n")
    out = tmp_path / "l.docx"
    run = cli("letter", EXAMPLE, "--profile", folder / "profile.yaml", "--format", "docx",
              "-o", out)  # fmt: skip
    assert_input_error(run, "profile.yaml:2", key, "inside the profile's folder")
    assert not out.exists()
