"""``pa-docs batch`` and ``pa_docs.batch``: a document per ready case, a row per case whatever
goes wrong, reruns that write nothing new, atomic output, summaries, exit codes.

Most tests write HTML (the batch logic does not depend on the format) on a handful of cases;
the acceptance test writes the examples' PDF packets with two worker processes."""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

import pa_docs
from pa_docs._batch import MANIFEST, Outcome, Row, exit_code, find_cases
from pa_docs.case import load_case
from pa_docs.check import CaseStatus, check_case
from pa_docs.cli import main
from pa_docs.errors import InputError
from pa_docs.policy import load_policies, select_policy
from tests.conftest import ROOT

EXAMPLES = ROOT / "examples"


def cases_of(folder: Path) -> list[Path]:
    return sorted(
        p
        for p in folder.glob("*.yaml")
        if not p.name.endswith(".denial.yaml") and p.stem != "practice-profile"
    )


def status_of(path: Path) -> CaseStatus:
    case = load_case(path)
    return check_case(case, select_policy(case, load_policies())).status


def copy_case(src: str, folder: Path, case_id: str, **change: Any) -> Path:
    """An example case under a new case_id (and file name), with top-level fields changed."""
    data = yaml.safe_load((EXAMPLES / f"{src}.yaml").read_text(encoding="utf-8"))
    data["case_id"] = case_id
    data.update(change)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{case_id.lower()}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    for a in data.get("attachments", []):
        target = folder / a["path"]
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(EXAMPLES / a["path"], target)
    return path


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Each file's inode and modification time: what a rerun must leave alone."""
    return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in folder.iterdir()}


@pytest.fixture
def three(tmp_path: Path) -> Path:
    """Two ready cases and one with gaps (the RA case without its TB test)."""
    folder = tmp_path / "cases"
    copy_case("ra-infliximab-aetna", folder, "RA-1")
    copy_case("osa-cpap-medicare", folder, "OSA-1")
    ra = yaml.safe_load((EXAMPLES / "ra-infliximab-aetna.yaml").read_text(encoding="utf-8"))
    labs = [lab for lab in ra["labs"] if lab["test"] != "tb_igra"]
    copy_case("ra-infliximab-aetna", folder, "RA-GAP", labs=labs)
    return folder


def test_examples_as_the_issue_asks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`pa-docs batch examples/ -o out/`: every ready example's packet, each case with gaps
    refused with its gaps, summary.csv; the same command twice writes nothing new."""
    out = tmp_path / "out"
    code = main(["batch", str(EXAMPLES), "-o", str(out), "--jobs", "2"])
    ready = {p for p in cases_of(EXAMPLES) if status_of(p) is CaseStatus.ready}
    gaps = set(cases_of(EXAMPLES)) - ready
    assert ready and gaps
    assert code == 1  # some cases were refused for gaps
    written = sorted(p.name for p in out.glob("*.pdf"))
    assert written == sorted(f"{load_case(p).case_id}-packet.pdf" for p in ready)
    assert all((out / n).read_bytes().startswith(b"%PDF-") for n in written)
    with (out / "summary.csv").open(encoding="utf-8", newline="") as fh:
        rows = {r["file"]: r for r in csv.DictReader(fh)}
    for p in gaps:
        r = rows[str(p)]
        assert (r["outcome"], r["status"], r["output"]) == ("refused", status_of(p).value, "")
        assert r["gaps"]  # each gap with what to do
    for p in ready:
        assert rows[str(p)]["outcome"] == "written"
    assert rows[str(EXAMPLES / "practice-profile.yaml")]["outcome"] == "skipped"
    table = capsys.readouterr().out
    assert "refused" in table and "RA-2026-0233" in table

    before = snapshot(out)
    assert main(["batch", str(EXAMPLES), "-o", str(out), "--jobs", "2"]) == 1
    after = snapshot(out)
    docs = {n: v for n, v in after.items() if n.endswith(".pdf")}
    assert docs == {n: v for n, v in before.items() if n.endswith(".pdf")}
    with (out / "summary.csv").open(encoding="utf-8", newline="") as fh:
        again = list(csv.DictReader(fh))
    assert {r["outcome"] for r in again if r["output"]} == {"unchanged"}


def test_library_returns_rows_in_the_order_given(three: Path, tmp_path: Path) -> None:
    order = [three / "ra-gap.yaml", three / "osa-1.yaml", three / "ra-1.yaml"]
    rows = pa_docs.batch(order, outdir=tmp_path / "out", format="html", jobs=1)
    assert [r.file for r in rows] == [str(p) for p in order]
    assert [r.outcome for r in rows] == [Outcome.refused, Outcome.written, Outcome.written]
    assert rows[0].gaps and rows[0].gaps[0].startswith("tb-screening (missing): ")
    assert rows[1].output == str(tmp_path / "out" / "OSA-1-packet.html")
    assert rows[2].policy == "aetna-infliximab-ra" and rows[2].status == "ready"
    assert exit_code(rows) == 1


def test_draft_writes_a_marked_draft_for_each_case_with_gaps(three: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    rows = pa_docs.batch([three], outdir=out, format="html", jobs=1, draft=True)
    by_case = {r.case: r for r in rows}
    assert by_case["RA-GAP"].outcome is Outcome.written and by_case["RA-GAP"].draft
    mark = '<div class="watermark" aria-hidden="true">DRAFT</div>'
    assert mark in (out / "RA-GAP-packet.html").read_text(encoding="utf-8")
    assert not by_case["RA-1"].draft  # a ready case gets its real document
    assert mark not in (out / "RA-1-packet.html").read_text(encoding="utf-8")
    assert exit_code(rows) == 0


def test_a_rerun_remakes_only_what_changed(three: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    pa_docs.batch([three], outdir=out, format="html", jobs=1)
    before = snapshot(out)
    data = yaml.safe_load((three / "osa-1.yaml").read_text(encoding="utf-8"))
    data["request_date"] = "2026-05-21"
    (three / "osa-1.yaml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    (out / "RA-1-packet.html").write_text("edited by hand", encoding="utf-8")
    rows = {r.case: r.outcome for r in pa_docs.batch([three], outdir=out, format="html", jobs=1)}
    assert rows == {"RA-1": Outcome.written, "OSA-1": Outcome.written, "RA-GAP": Outcome.refused}
    after = snapshot(out)
    assert after["OSA-1-packet.html"] != before["OSA-1-packet.html"]
    assert "edited by hand" not in (out / "RA-1-packet.html").read_text(encoding="utf-8")
    forced = pa_docs.batch([three], outdir=out, format="html", jobs=1, force=True)
    assert {r.outcome for r in forced if r.output} == {Outcome.written}
    same = pa_docs.batch([three], outdir=out, format="html", jobs=1)
    assert {r.outcome for r in same if r.output} == {Outcome.unchanged}


def test_a_different_format_or_kind_is_another_document(three: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    pa_docs.batch([three / "ra-1.yaml"], outdir=out, format="html", jobs=1)
    rows = pa_docs.batch([three / "ra-1.yaml"], outdir=out, format="html", kind="letter", jobs=1)
    assert rows[0].outcome is Outcome.written
    assert sorted(p.name for p in out.glob("*.html")) == ["RA-1-letter.html", "RA-1-packet.html"]


def test_bad_cases_are_rows_and_the_rest_is_written(
    three: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (three / "broken.yaml").write_text("case_id: X\npatient: [unclosed\n", encoding="utf-8")
    copy_case("ra-infliximab-aetna", three, "NOPOL", coverage={"payer": "nobody"})
    out = tmp_path / "out"
    code = main(["batch", str(three), "-o", str(out), "--format", "html", "--jobs", "1"])
    assert code == 2
    rows = {r["case"]: r for r in json.loads(_summary(out, "json", three))}
    assert rows["broken"]["outcome"] == "error"
    assert re.search(r"broken\.yaml:\d+: invalid YAML", rows["broken"]["error"])  # file, line
    assert (
        rows["NOPOL"]["outcome"] == "error"
        and "no shipped or given policy" in (rows["NOPOL"]["error"])
    )
    assert (out / "RA-1-packet.html").is_file() and (out / "OSA-1-packet.html").is_file()
    err = capsys.readouterr().err
    assert "2 error" in err and "summary in" in err


def _summary(out: Path, fmt: str, cases: Path) -> str:
    target = out / f"again.{fmt}"
    main(
        [
            "batch",
            str(cases),
            "-o",
            str(out),
            "--format",
            "html",
            "-j",
            "1",
            "--summary",
            str(target),
        ]
    )
    return target.read_text(encoding="utf-8")


def test_summary_formats_hold_the_same_rows(three: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    for fmt in ("csv", "json", "html"):
        pa_docs.batch([three], outdir=out, format="html", jobs=1, summary=out / f"s.{fmt}")
    data = json.loads((out / "s.json").read_text(encoding="utf-8"))
    assert [r["case"] for r in data] == ["OSA-1", "RA-1", "RA-GAP"]
    with (out / "s.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["case"] for r in rows] == ["OSA-1", "RA-1", "RA-GAP"]
    assert rows[2]["gaps"].startswith("tb-screening (missing): ")
    page = (out / "s.html").read_text(encoding="utf-8")
    assert "<td>RA-GAP</td>" in page and "tb-screening (missing)" in page
    assert oct((out / "s.csv").stat().st_mode & 0o777) == "0o600"


def test_summary_text_cannot_become_a_formula_or_markup(tmp_path: Path) -> None:
    from pa_docs._batch._summary import to_csv, to_html

    row = Row("f.yaml", "=HYPERLINK(1)", "packet", Outcome.error, error="<script>x</script>")
    assert "'=HYPERLINK(1)" in to_csv([row])
    assert "<script>" not in to_html([row]) and "&lt;script&gt;" in to_html([row])


def test_unknown_summary_suffix_is_refused_before_any_case_runs(
    three: Path, tmp_path: Path
) -> None:
    with pytest.raises(InputError, match=r"^summary: must end in"):
        pa_docs.batch([three], outdir=tmp_path / "out", summary=tmp_path / "s.xlsx")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"kind": "fax"}, "^kind: must be one of"),
        ({"format": "rtf"}, "^format: must be one of"),
        ({"templates": "/nonexistent"}, "templates folder not found"),
        ({"profile": "/nonexistent.yaml"}, "file not found"),
    ],
)
def test_options_wrong_for_every_case_stop_the_batch(
    three: Path, tmp_path: Path, kw: dict[str, Any], message: str
) -> None:
    with pytest.raises(InputError, match=message):
        pa_docs.batch([three], outdir=tmp_path / "out", **kw)


def test_no_case_found_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no case files found"):
        pa_docs.batch([tmp_path], outdir=tmp_path / "out")


def test_two_files_with_one_case_id_make_no_document(three: Path, tmp_path: Path) -> None:
    shutil.copy(three / "ra-1.yaml", three / "ra-1-copy.yaml")
    out = tmp_path / "out"
    rows = {r.file: r for r in pa_docs.batch([three], outdir=out, format="html", jobs=1)}
    for name in ("ra-1.yaml", "ra-1-copy.yaml"):
        r = rows[str(three / name)]
        assert r.outcome is Outcome.error and "several case files" in (r.error or "")
    assert not (out / "RA-1-packet.html").exists()
    assert (out / "OSA-1-packet.html").exists()


def test_a_case_id_that_cannot_name_a_file_is_an_error(three: Path, tmp_path: Path) -> None:
    copy_case("osa-cpap-medicare", three, "x")
    path = three / "x.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["case_id"] = "../escape"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    rows = pa_docs.batch([path], outdir=tmp_path / "out", format="html", jobs=1)
    assert rows[0].outcome is Outcome.error and "case_id" in (rows[0].error or "")
    assert not list(tmp_path.rglob("*escape*"))


def test_appeals_read_the_denial_beside_each_case(tmp_path: Path) -> None:
    out = tmp_path / "out"
    rows = pa_docs.batch(
        [EXAMPLES], outdir=out, kind="appeal", format="html", jobs=1, as_of=_as_of(), late=True
    )
    with_denial = sorted(p for p in cases_of(EXAMPLES) if _denial(p).is_file())
    assert [r.file for r in rows] == [str(p) for p in with_denial]
    for r in rows:
        assert r.outcome in (Outcome.written, Outcome.refused), r.error
        if r.output:
            assert re.fullmatch(rf"{r.case}-appeal-level[12]\.html", Path(r.output).name)
    lonely = pa_docs.batch(
        [EXAMPLES / "dupilumab-ad-prime.yaml"], outdir=out, kind="appeal", format="html", jobs=1
    )
    assert lonely[0].outcome is Outcome.error
    assert "dupilumab-ad-prime.denial.yaml" in (lonely[0].error or "")


def _denial(case: Path) -> Path:
    return case.with_name(case.stem + ".denial.yaml")


def _as_of() -> Any:
    import datetime as dt

    return dt.date(2027, 2, 1)


def test_find_cases_lists_case_files_once_in_name_order(tmp_path: Path) -> None:
    for name in ("b.yaml", "a.yml", "a.denial.yaml", "notes.txt"):
        (tmp_path / name).write_text("x: 1\n", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    found = find_cases([tmp_path, tmp_path / "b.yaml"])
    assert found == [tmp_path / "a.yml", tmp_path / "b.yaml"]
    assert find_cases([tmp_path], kind="appeal") == [tmp_path / "a.yml"]


def test_exit_codes_rank_failures_over_errors_over_refusals() -> None:
    def rows(*outcomes: Outcome) -> list[Row]:
        return [Row("f", "c", "packet", o) for o in outcomes]

    assert exit_code(rows(Outcome.written, Outcome.unchanged, Outcome.skipped)) == 0
    assert exit_code(rows(Outcome.written, Outcome.refused)) == 1
    assert exit_code(rows(Outcome.refused, Outcome.error)) == 2
    assert exit_code(rows(Outcome.error, Outcome.failed)) == 3


def test_a_worker_that_dies_fails_its_case_only(
    three: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A renderer that crashes the process (a segfault, the OOM killer) on one case: that case
    is reported failed, the others are written (the pool's processes are forked from here)."""
    from pa_docs._batch import _worker

    real = _worker.Worker.run

    def crashing(self: Any, case_file: Path) -> Row:
        if case_file.name == "osa-1.yaml":
            os._exit(9)
        return real(self, case_file)

    monkeypatch.setattr(_worker.Worker, "run", crashing)
    rows = {r.case: r for r in pa_docs.batch([three], outdir=tmp_path / "o", format="html", jobs=2)}
    assert rows["osa-1"].outcome is Outcome.failed
    assert "died" in (rows["osa-1"].error or "")
    assert rows["RA-1"].outcome is Outcome.written
    assert rows["RA-GAP"].outcome is Outcome.refused


# The command runs in its own process, which signals itself the moment the first case's row
# reaches it: the other worker is then still on its case. Timing by the clock (wait for a file
# to appear, then signal) flaked on a loaded machine, where the batch could finish first.
# SIGINT is handled as in a terminal's foreground: a shell starts background jobs (as a CI
# runner may run the tests) with SIGINT ignored, and Python then never raises KeyboardInterrupt.
_STOP_AFTER_FIRST_ROW = """
import os, signal, sys
from pa_docs._batch import _run
from pa_docs.cli import main

signal.signal(signal.SIGINT, signal.default_int_handler)
real = _run.batch

def batch(*args, on_row, **kwargs):
    def then_stop(row):
        on_row(row)
        os.kill(os.getpid(), int(sys.argv[1]))  # as Ctrl-C or a kill would, from outside

    return real(*args, on_row=then_stop, **kwargs)

_run.batch = batch
sys.exit(main(sys.argv[2:]))
"""


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_stopping_a_batch_midway_leaves_no_partial_file(tmp_path: Path, sig: int) -> None:
    folder = tmp_path / "cases"
    for i in range(6):
        copy_case("osa-cpap-medicare", folder, f"OSA-{i:02}")
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    argv = [sys.executable, "-c", _STOP_AFTER_FIRST_ROW, str(int(sig))]
    argv += ["batch", str(folder), "-o", str(out), "-j", "2"]
    proc = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = proc.stderr.decode()
    assert proc.returncode == 130, err
    pdfs = sorted(out.glob("*.pdf"))
    # the first case, and the one the other worker was on (let finish, not cut off); no more
    assert 1 <= len(pdfs) <= 2, "stopped midway"
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [*(p.name for p in pdfs), MANIFEST]
    )  # no temporary file, no summary of an unfinished batch
    assert all(p.read_bytes().rstrip().endswith(b"%%EOF") for p in pdfs)
    rows = pa_docs.batch([folder], outdir=out, jobs=2)
    done = {r.case: r.outcome for r in rows}  # what was written before the stop is kept
    assert all(done[p.name.removesuffix("-packet.pdf")] is Outcome.unchanged for p in pdfs)
    assert len(list(out.glob("*.pdf"))) == 6


def test_placeholders_and_warnings_are_in_the_row(three: Path, tmp_path: Path) -> None:
    ra = yaml.safe_load((three / "ra-1.yaml").read_text(encoding="utf-8"))
    patient = {**ra["patient"], "member_id": "FILL-IN"}
    treatments = [*ra["treatments"], {"drug": "zorblimab", "start": "2021-01-01"}]
    copy_case("ra-infliximab-aetna", three, "RA-FILL", patient=patient)
    copy_case("ra-infliximab-aetna", three, "RA-WARN", treatments=treatments)
    files = [three / "ra-fill.yaml", three / "ra-warn.yaml"]
    out = tmp_path / "out"
    fill, warn = pa_docs.batch(files, outdir=out, format="html", jobs=1, summary=out / "s.json")
    assert fill.outcome is Outcome.refused and fill.gaps == ()
    assert fill.to_fill and fill.to_fill[0].startswith("patient.member_id (line ")
    assert warn.outcome is Outcome.written
    assert any("zorblimab" in w for w in warn.warnings)
    saved = json.loads((out / "s.json").read_text(encoding="utf-8"))
    assert saved[0]["to_fill"] == list(fill.to_fill)
    assert saved[1]["warnings"] == list(warn.warnings)
    draft = pa_docs.batch(files[:1], outdir=out, format="html", jobs=1, draft=True)[0]
    assert draft.outcome is Outcome.written and draft.draft
    strict = pa_docs.batch(files[1:], outdir=out, format="html", jobs=1, strict=True)[0]
    assert strict.outcome is Outcome.error and "zorblimab" in (strict.error or "")


def test_a_changed_template_remakes_the_documents(three: Path, tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "style.css").write_text("body { color: #111; }\n", encoding="utf-8")
    out = tmp_path / "out"
    kw: dict[str, Any] = {"outdir": out, "format": "html", "jobs": 1, "templates": templates}
    pa_docs.batch([three / "ra-1.yaml"], **kw)
    assert pa_docs.batch([three / "ra-1.yaml"], **kw)[0].outcome is Outcome.unchanged
    (templates / "style.css").write_text("body { color: #222; }\n", encoding="utf-8")
    assert pa_docs.batch([three / "ra-1.yaml"], **kw)[0].outcome is Outcome.written
    assert "#222" in (out / "RA-1-packet.html").read_text(encoding="utf-8")
