"""Spreadsheets in and out: the round trip, and every bad row reported by line and column."""

# ruff: noqa: F811  (the fixtures log and log_db come from test_log_backends, by import)

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest

from pa_docs.errors import InputError
from pa_docs.log import COLUMNS, CaseLog, export_csv, read_csv
from tests.test_log_backends import log, log_db  # noqa: F401
from tests.test_log_store import known_data_set


def _export(log: CaseLog) -> str:
    out = io.StringIO()
    export_csv(log.all_cases(), out)
    return out.getvalue()


def test_export_then_import_gives_the_same_log(log: CaseLog, tmp_path: Path) -> None:
    known_data_set(log)
    first = _export(log)
    assert first.splitlines()[0] == ",".join(COLUMNS)
    (tmp_path / "sheet.csv").write_text(first, encoding="utf-8")
    read = read_csv(tmp_path / "sheet.csv")
    assert read.problems == []
    with CaseLog.open(tmp_path / "copy.sqlite3", user="bea") as copy:
        copy.add_imported(read.cases, "sheet.csv", read.lines)
        assert _export(copy) == first
        assert copy.all_cases() == log.all_cases()
        [event] = copy.history("C")
        assert (event.kind, event.who, event.data) == ("import", "bea", {"file": "sheet.csv",
                                                                         "row": 4})  # fmt: skip


def test_a_minimal_spreadsheet_is_completed_as_the_log_would(tmp_path: Path) -> None:
    sheet = tmp_path / "sheet.csv"
    sheet.write_text(
        "Case_ID,Payer,Submitted_On,First_Decision,First_Decision_On,Appeal_Level,Appeal_Filed_On\n"
        "P-1,aetna,3/2/2026,,,,\n"
        "P-2,cigna,2026-03-02,denied,2026-03-05,1,2026-03-09\n",
        encoding="utf-8",
    )
    read = read_csv(sheet)
    assert read.problems == []
    p1, p2 = read.cases
    assert (p1.status, p1.follow_up_on, p1.line_of_business) == (
        "submitted", dt.date(2026, 3, 5), "commercial",
    )  # fmt: skip
    assert (p2.status, [a.level for a in p2.appeals]) == ("appealed", [1])


BAD = (
    "case_id,payer,submitted_on,method,first_decision,first_decision_on,appeal_level\n"
    "OK-1,aetna,2026-03-02,fax,approved,2026-03-04,\n"  # line 2: good
    "BAD-1,aetna,2026-02-30,fax,,,\n"  # line 3: no such date
    ",aetna,2026-03-02,pigeon,,,\n"  # line 4: no case id, unknown method
    "BAD-3,aetna,2026-03-10,fax,approved,2026-03-04,\n"  # line 5: decided before submitted
    "OK-1,aetna,2026-03-02,fax,,,7\n"  # line 6: duplicate id, bad appeal level
)


def test_bad_rows_are_all_reported_with_line_and_column(tmp_path: Path) -> None:
    sheet = tmp_path / "sheet.csv"
    sheet.write_text(BAD, encoding="utf-8")
    read = read_csv(sheet)
    assert [c.case_id for c in read.cases] == ["OK-1"]
    found = {(p.line, p.field) for p in read.problems}
    assert found == {
        (3, "submitted_on"),
        (4, "case_id"),
        (4, "method"),
        (5, "first_decision_on"),
        (6, "case_id"),
        (6, "appeal_level"),
    }
    text = str(InputError(problems=read.problems))
    assert f"{sheet}:3: submitted_on: '2026-02-30' is not a date" in text


@pytest.mark.parametrize(
    ("header", "message"),
    [("case_id,payer\n", "missing column"), ("case_id,payer,submitted_on,colour\n", "unknown")],
)
def test_a_bad_header_is_refused(tmp_path: Path, header: str, message: str) -> None:
    sheet = tmp_path / "sheet.csv"
    sheet.write_text(header, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        read_csv(sheet)


def test_importing_a_case_already_in_the_log_imports_nothing(log: CaseLog, tmp_path: Path) -> None:
    known_data_set(log)
    before = log.event_count()
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("case_id,payer,submitted_on\nNEW,aetna,2026-03-02\nA,uhc,2026-03-02\n")
    read = read_csv(sheet)
    with pytest.raises(InputError, match="already in the log: A"):
        log.add_imported(read.cases, str(sheet), read.lines)
    assert log.event_count() == before
