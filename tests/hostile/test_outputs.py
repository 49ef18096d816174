"""Output safety: pa-docs writes only regular files, never its own inputs, never into /proc or
a device; every PHI-bearing file (documents, case log, spreadsheet, KPI report, imported case) is
created 0600 and atomically; a kill leaves nothing behind. The case log refuses files that are
not its own, and what it shows never sends control characters to the terminal."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from pypdf import PdfWriter

from pa_docs._files import check_target
from pa_docs.errors import InputError

from ..conftest import ROOT
from .support import assert_input_error, cli

EXAMPLE = ROOT / "examples" / "ra-infliximab-aetna.yaml"
DENIAL = ROOT / "examples" / "ra-infliximab-aetna.denial.yaml"
PROFILE = ROOT / "examples" / "practice-profile.yaml"


def _mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


# -- where pa-docs writes ---------------------------------------------------------------------


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    p = tmp_path / "out.pdf"
    os.mkfifo(p)
    return p


@pytest.mark.parametrize("command", ["packet", "letter"])
def test_output_to_a_fifo_folder_or_path_under_a_file_is_refused(
    tmp_path: Path, fifo: Path, command: str
) -> None:
    run = cli(command, EXAMPLE, "-o", fifo, bound=10)
    assert_input_error(run, "not a regular file")
    assert stat.S_ISFIFO(fifo.stat().st_mode)  # still the pipe it was
    assert_input_error(cli(command, EXAMPLE, "-o", tmp_path), "is a folder")
    (tmp_path / "file").write_text("x")
    assert_input_error(cli(command, EXAMPLE, "-o", tmp_path / "file" / "x.pdf"), "not a folder")
    assert_input_error(cli(command, EXAMPLE, "-o", ""), "is a folder")
    assert_input_error(cli(command, EXAMPLE, "-o", "/proc/self/x.pdf"), "system folder")


def test_devices_are_refused_before_anything_is_written() -> None:
    # the target check alone (it writes nothing): never test -o /dev/null as root
    for device in ("/dev/null", "/dev/zero"):
        with pytest.raises(InputError, match=r"not a regular file|system folder"):
            check_target(device)


@pytest.mark.parametrize(
    "argv",
    [
        ["packet", EXAMPLE, "-o", EXAMPLE],
        ["letter", EXAMPLE, "--profile", PROFILE, "-o", PROFILE],
        ["appeal", EXAMPLE, "--denial", DENIAL, "--as-of", "2027-01-20", "-o", DENIAL],
        ["p2p", EXAMPLE, "--denial", DENIAL, "--as-of", "2027-01-20", "-o", DENIAL],
    ],
)
def test_an_input_is_never_overwritten(tmp_path: Path, argv: list[str | Path]) -> None:
    copies = {}
    for i, a in enumerate(argv):
        if isinstance(a, Path):
            copy = tmp_path / a.name
            copy.write_bytes(a.read_bytes())
            argv[i] = copies.setdefault(a, copy)
    before = {p: p.read_bytes() for p in copies.values()}
    run = cli(*argv)
    assert_input_error(run, "is an input of this command")
    assert {p: p.read_bytes() for p in copies.values()} == before


@pytest.fixture
def sources(tmp_path: Path) -> Path:
    """A case with an attachment, a practice profile with its assets, and a templates folder."""
    shutil.copy(EXAMPLE, tmp_path / "case.yaml")
    with (tmp_path / "case.yaml").open("a", encoding="utf-8") as f:
        f.write("attachments:\n  - a.pdf\n")
    pdf = PdfWriter()
    pdf.add_blank_page(612, 792)
    pdf.write(tmp_path / "a.pdf")
    shutil.copy(DENIAL, tmp_path / "denial.yaml")
    shutil.copy(PROFILE, tmp_path / "profile.yaml")
    shutil.copytree(ROOT / "examples" / "assets", tmp_path / "assets")
    (tmp_path / "tpl").mkdir()
    shutil.copy(ROOT / "templates" / "letter.j2", tmp_path / "tpl" / "letter.j2")
    return tmp_path


@pytest.mark.parametrize(
    ("argv", "target"),
    [
        (["packet", "case.yaml"], "a.pdf"),
        (["letter", "case.yaml", "--format", "html"], "a.pdf"),
        (["letter", "case.yaml", "--profile", "profile.yaml", "--format", "html"],
         "assets/logo.png"),
        (["letter", "case.yaml", "--profile", "profile.yaml", "--format", "docx"],
         "assets/reference.docx"),
        (["letter", "case.yaml", "--templates", "tpl", "--format", "html"], "tpl/letter.j2"),
        (["appeal", "case.yaml", "--denial", "denial.yaml", "--as-of", "2027-01-20", "--draft",
          "--format", "html"], "a.pdf"),
        (["export", "pas", "case.yaml", "--draft"], "a.pdf"),
    ],
)  # fmt: skip
def test_no_file_a_document_is_made_from_is_overwritten(
    sources: Path, argv: list[str], target: str
) -> None:
    before = {p: p.read_bytes() for p in sources.rglob("*") if p.is_file()}
    run = cli(*argv, "-o", target, cwd=sources)
    assert run.code == 2 and "Traceback" not in run.err, run.err
    assert f"pa-docs: error: {target}: " in run.err and "is an input of this command" in run.err
    assert {p: p.read_bytes() for p in sources.rglob("*") if p.is_file()} == before


def test_import_fhir_never_overwrites_its_source(tmp_path: Path) -> None:
    src = tmp_path / "bundle.json"
    src.write_bytes((ROOT / "tests" / "fhir_fixtures" / "ra_bundle.json").read_bytes())
    run = cli("import-fhir", src, "-o", src, "--force", "--request-date", "2026-01-01")
    assert_input_error(run, "is an input of this command")


def test_default_names_stay_in_the_working_folder(tmp_path: Path) -> None:
    run = cli("letter", EXAMPLE, "--format", "html", cwd=tmp_path)
    assert run.code == 0, run.err
    assert [p.name for p in tmp_path.iterdir()] == ["RA-2026-0147-letter.html"]


@pytest.mark.parametrize(
    ("name", "plant"),
    [(".pa-docs-batch.json", "fifo"), (".pa-docs-batch.json", "/dev/zero"),
     ("summary.csv", "fifo"), ("summary.csv", "/dev/zero")],
)  # fmt: skip
def test_batch_files_in_the_output_folder_must_be_regular(
    tmp_path: Path, name: str, plant: str
) -> None:
    """A FIFO (read: blocks forever) or a link to /dev/zero (read: never ends) planted as the
    batch's manifest or summary is refused before any case runs."""
    out = tmp_path / "out"
    out.mkdir()
    if plant == "fifo":
        os.mkfifo(out / name)
    else:
        (out / name).symlink_to(plant)
    run = cli("batch", EXAMPLE, "-j", "1", "--format", "html", "-o", out, bound=10)
    assert_input_error(run, name)
    assert sorted(p.name for p in out.iterdir()) == [name]  # no document, no summary


def test_a_damaged_batch_manifest_only_means_documents_are_made_again(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / ".pa-docs-batch.json").write_text('{"documents": ' + "[" * 100_000)
    run = cli("batch", EXAMPLE, "-j", "1", "--format", "html", "-o", out)
    assert run.code == 0, run.err
    assert (out / "RA-2026-0147-packet.html").is_file()


# -- modes and atomic writes ------------------------------------------------------------------


def test_every_phi_file_is_created_0600_whatever_the_umask(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        db = tmp_path / "log.sqlite3"
        assert cli("letter", EXAMPLE, "--format", "html", "-o", tmp_path / "l.html").code == 0
        assert cli("log", "submit", EXAMPLE, "--method", "fax", "--db", db).code == 0
        assert cli("log", "export-csv", "-o", tmp_path / "s.csv", "--db", db).code == 0
        run = cli("kpi", "--format", "html", "-o", tmp_path / "k.html", "--db", db)
        assert run.code == 0, run.err
        assert cli("kpi", "--format", "json", "-o", tmp_path / "k.json", "--db", db).code == 0
        src = ROOT / "tests" / "fhir_fixtures" / "ra_bundle.json"
        run = cli("import-fhir", src, "-o", tmp_path / "c.yaml", "--request-date", "2026-01-01")
        assert run.code == 0, run.err
    finally:
        os.umask(old)
    files = sorted(p for p in tmp_path.iterdir() if p.is_file())
    assert {p.name for p in files} >= {"l.html", "log.sqlite3", "s.csv", "k.html", "k.json",
                                       "c.yaml"}  # fmt: skip
    assert {p.name: _mode(p) for p in files} == {p.name: 0o600 for p in files}
    assert not [p for p in files if p.name.endswith(".part")]


def test_replacing_a_report_keeps_0600_and_the_old_file_until_the_new_one_is_whole(
    tmp_path: Path,
) -> None:
    db = tmp_path / "log.sqlite3"
    assert cli("log", "submit", EXAMPLE, "--method", "fax", "--db", db).code == 0
    out = tmp_path / "s.csv"
    out.write_text("last week's sheet")
    out.chmod(0o644)
    assert cli("log", "export-csv", "-o", out, "--db", db).code == 0
    assert out.read_text().startswith("case_id,") and _mode(out) == 0o600


KILLED = textwrap.dedent(
    """
    import sys, time
    from pa_docs._files import write_atomic

    def slow():
        yield b"%PDF-1.7 first half "
        print("started", flush=True)
        time.sleep(60)
        yield b"second half"

    write_atomic(sys.argv[1], slow())
    """
)


def test_a_kill_mid_write_leaves_nothing_visible(tmp_path: Path) -> None:
    out = tmp_path / "packet.pdf"
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED, str(out)], stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "started"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert list(tmp_path.iterdir()) == []


def test_leftovers_of_a_killed_fallback_write_are_cleaned_by_the_next(tmp_path: Path) -> None:
    stale = tmp_path / ".packet.pdf.abc123.part"
    stale.write_bytes(b"half")
    old = time.time() - 3600
    os.utime(stale, (old, old))
    fresh = tmp_path / ".packet.pdf.def456.part"  # maybe another writer's, still at work
    fresh.write_bytes(b"half")
    from pa_docs._files import write_atomic

    write_atomic(tmp_path / "packet.pdf", b"whole")
    assert sorted(p.name for p in tmp_path.iterdir()) == [fresh.name, "packet.pdf"]


# -- the case log's file ----------------------------------------------------------------------


def _tables(db: Path) -> list[str]:
    with sqlite3.connect(db) as c:
        return sorted(r[0] for r in c.execute("SELECT name FROM sqlite_master"))


def test_a_file_that_is_not_a_log_is_exit_2_and_left_alone(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"not sqlite at all" * 100)
    run = cli("log", "show", "X", "--db", garbage)
    assert_input_error(run, "garbage.db", "not a SQLite database")
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as c:
        c.execute("CREATE TABLE patients (name TEXT)")
    for argv in (["log", "show", "X"], ["log", "due"], ["kpi"],
                 ["log", "submit", EXAMPLE, "--method", "fax"]):  # fmt: skip
        run = cli(*argv, "--db", other)
        assert_input_error(run, "other.db", "not a pa-docs case log", "patients")
    assert _tables(other) == ["patients"]


def test_read_only_commands_never_create_tables(tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    empty.touch()
    for argv in (["log", "show", "X"], ["log", "due"], ["kpi"], ["log", "export-csv"]):
        assert_input_error(cli(*argv, "--db", empty), "not a pa-docs case log")
    assert empty.stat().st_size == 0


def test_a_log_from_a_newer_pa_docs_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "log.sqlite3"
    assert cli("log", "submit", EXAMPLE, "--method", "fax", "--db", db).code == 0
    with sqlite3.connect(db) as c:
        c.execute("UPDATE alembic_version SET version_num = '0999'")
    run = cli("log", "show", "RA-2026-0147", "--db", db)
    assert_input_error(run, "newer pa-docs", "0999")


def test_the_log_is_a_regular_file(tmp_path: Path, fifo: Path) -> None:
    assert_input_error(cli("log", "submit", EXAMPLE, "--method", "fax", "--db", fifo, bound=10),
                       "not a regular file")  # fmt: skip


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes read-only files")
def test_a_read_only_log_is_exit_2(tmp_path: Path) -> None:
    db = tmp_path / "log.sqlite3"
    assert cli("log", "submit", EXAMPLE, "--method", "fax", "--db", db).code == 0
    db.chmod(0o400)
    assert_input_error(cli("log", "note", "RA-2026-0147", "x", "--db", db), "readonly")


def test_escape_sequences_in_the_log_never_reach_the_terminal(tmp_path: Path) -> None:
    db = tmp_path / "log.sqlite3"
    evil = "\x1b]0;pwned\x07\x1b[2J\x9b31m"
    run = cli("log", "submit", EXAMPLE, "--method", "fax", "--owner", evil, "--db", db)
    assert run.code == 0
    assert cli("log", "note", "RA-2026-0147", f"call back {evil}", "--db", db).code == 0
    for argv in (["log", "show", "RA-2026-0147"], ["log", "due", "--as-of", "2026-12-31"],
                 ["log", "show", "RA-2026-0147", "--format", "json"], ["kpi"]):  # fmt: skip
        run = cli(*argv, "--db", db)
        assert run.code == 0, run.err
        assert not any(c in run.out for c in "\x1b\x07\x9b"), argv
    assert "\\x1b]0;pwned" in cli("log", "show", "RA-2026-0147", "--db", db).out


def test_rich_markup_in_a_value_is_text(tmp_path: Path) -> None:
    db = tmp_path / "log.sqlite3"
    assert cli("log", "submit", EXAMPLE, "--method", "fax", "--owner", "[/bold] [link=x]",
               "--db", db).code == 0  # fmt: skip
    run = cli("log", "show", "RA-2026-0147", "--db", db)
    assert run.code == 0 and "[/bold] [link=x]" in run.out
