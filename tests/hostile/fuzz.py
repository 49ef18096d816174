"""The fuzz harness: structure-aware hostile inputs for every command, run in process.

Each target starts from a valid input (an example case, a shipped policy, a denial, the demo
practice profile, a tracking spreadsheet, a FHIR bundle), changes one to three of its fields to
hostile values (control characters, line separators, paths, template code, formulas, huge and
non-finite numbers, impossible and far dates, wrong types, deleted and unknown fields), sometimes
damages the serialized text (an alias bomb, a duplicate line, a cut, stray bytes), and runs the
commands that read it. An outcome is good when the exit code is 0, 1 or 2, no traceback is
printed, an input error is one ``pa-docs: error:`` line per problem, the command answers within
``BOUND_S``, and no file appears outside the output folder.

``tests/hostile/test_fuzz.py`` runs a few hundred inputs per target with a fixed seed;
``scripts/fuzz.py`` runs as many as asked and reports the figures.
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import functools
import io
import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from hypothesis import strategies as st

from .support import Hang, cli

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
CASE = EXAMPLES / "ra-infliximab-aetna.yaml"
DENIAL = EXAMPLES / "ra-infliximab-aetna.denial.yaml"
PROFILE = EXAMPLES / "practice-profile.yaml"
POLICY = ROOT / "criteria" / "aetna-infliximab-ra.yaml"
BUNDLE = ROOT / "tests" / "fhir_fixtures" / "ra_bundle.json"
BOUND_S = 30.0
"""An input that takes longer than this (on a loaded two-core machine) is a hang."""

NASTY = [
    "", " ", "\t", "FILL-IN", "..", "../../../etc/passwd", "/etc/passwd", "/dev/zero",
    "/proc/self/environ", "C:\\Windows\\win.ini", "~root", "$HOME", "{{ 7*7 }}",
    "{% include '/etc/passwd' %}", "{{ doc.__class__ }}", "<script>alert(1)</script>",
    '<img src="file:///etc/passwd">', '<link rel="attachment" href="file:///etc/hostname">',
    "url(http://127.0.0.1:9/x)", '=HYPERLINK("http://127.0.0.1:9/x","y")', "+SUM(1+1)", "-2+3",
    "@SUM(A1)", "\tx=1", "X\u2028attachments: [../o.pdf]\u2028#", "\u2029", "\x85", "a\rb",
    "\x1b[2J\x1b]0;pwned\x07", "\x00", "\x7f", "\x9b31m", "\ufeff", "\u202eevil", "A" * 5000,
    "word " * 3000, "9999-12-31", "0001-01-01", "1850-01-01", "2026-02-30", "2026-13-01",
    "2029-02-15", "1e999", "-1e999", ".nan", ".inf", "NaN", "0x" + "f" * 40, "1" * 40,
    "null", "~", "true", "no", "*a", "&a x", "!!python/object/apply:os.system ['id']",
    "%PDF-1.7", "**bold**", "# heading", "- item", "| pipe |", "[/bold]", ":smile:",
    "postgresql://u:secret@127.0.0.1:1/x", "😀" * 50, "Ω≈ç√∫", "M05.79", "Q5103",
    "1234567893", "-5", "101", "aetna", "medicare", "infliximab", "zorblimab",
]  # fmt: skip

_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30
)  # any character but lone surrogates, which no file can hold
_scalar = st.one_of(
    st.sampled_from(NASTY),
    _text,
    st.integers(min_value=-(2**70), max_value=2**70),
    st.integers(min_value=10**29, max_value=10**45),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
    st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)),
)
HOSTILE = st.one_of(
    _scalar,
    _scalar,
    _scalar,
    st.lists(_scalar, max_size=3),
    st.dictionaries(st.sampled_from(["x", "name", "date", "value", "path", "<<"]), _scalar,
                    max_size=3),
)  # fmt: skip


def _slots(node: Any) -> list[tuple[Any, Any]]:
    """Every (container, key or index) in a document, the root's own entries included."""
    out: list[tuple[Any, Any]] = []
    items = node.items() if isinstance(node, dict) else enumerate(node)
    for k, v in items:
        out.append((node, k))
        if isinstance(v, dict | list):
            out += _slots(v)
    return out


def _like(old: Any) -> st.SearchStrategy[Any]:
    """A hostile value, most often of the old value's own type (so that more inputs load and
    reach the checker and the renderers)."""
    if isinstance(old, str):
        same: st.SearchStrategy[Any] = st.one_of(st.sampled_from(NASTY), _text)
    elif isinstance(old, bool):
        same = st.booleans()
    elif isinstance(old, int | float):
        same = st.one_of(
            st.integers(min_value=-(10**6), max_value=10**6),
            st.floats(allow_nan=True, allow_infinity=True),
        )
    elif isinstance(old, dt.date):
        same = st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31))
    else:
        return HOSTILE
    return st.one_of(same, same, HOSTILE)


@st.composite
def mutated(draw: st.DrawFn, base: Any) -> Any:
    """``base`` with one to three fields replaced, deleted, or added."""
    doc = copy.deepcopy(base)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        slots = _slots(doc)
        if not slots:
            break
        parent, key = draw(st.sampled_from(slots))
        action = draw(st.sampled_from(["replace"] * 6 + ["delete", "add", "grow"]))
        if action == "replace":
            parent[key] = draw(_like(parent[key]))
        elif action == "delete":
            del parent[key]
        elif action == "add" and isinstance(parent, dict):
            parent[draw(st.sampled_from(["extra", "notes", "attachments", "id", "<<"]))] = draw(
                HOSTILE
            )
        elif isinstance(parent[key], list) and parent[key]:  # grow: one item many times
            parent[key] = parent[key] + [parent[key][0]] * draw(st.sampled_from([2, 50, 400]))
    return doc


BOMB = "bomb: &a [x,x,x,x,x,x,x,x,x,x]\n" + "".join(
    f"b{n}: &{chr(98 + n)} [{', '.join([f'*{chr(97 + n)}'] * 10)}]\n" for n in range(8)
)


@st.composite
def damaged(draw: st.DrawFn, text: str) -> str:
    """``text`` as written, or damaged: an alias bomb, a recursive alias, a duplicate line, a cut,
    stray bytes, deep nesting, a second document."""
    how = draw(st.sampled_from(["none"] * 8 + ["bomb", "recursive", "dup", "cut", "bytes",
                                               "deep", "second"]))  # fmt: skip
    lines = text.splitlines(keepends=True) or [""]
    at = draw(st.integers(min_value=0, max_value=max(len(lines) - 1, 0)))
    if how == "bomb":
        return BOMB + text
    if how == "recursive":
        return "loop: &l [*l]\n" + text
    if how == "dup":
        return "".join([*lines[: at + 1], lines[at], *lines[at + 1 :]])
    if how == "cut":
        return text[: draw(st.integers(min_value=0, max_value=len(text)))]
    if how == "bytes":
        junk = draw(st.sampled_from(["\x00", "\x1b", "\u2028", "\ufffe", "\t", "\"", "'", "&", "*",
                                     "!", "%", "@", "`", "{", "[", ": ", "- ", "\r"]))  # fmt: skip
        pos = draw(st.integers(min_value=0, max_value=len(text)))
        return text[:pos] + junk + text[pos:]
    if how == "deep":
        return text + "deep: " + "[" * 5000 + "]" * 5000 + "\n"
    if how == "second":
        return text + "---\n" + text
    return text


def _yaml_text(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Input:
    """One fuzz input: files to write under ``in/`` and the command lines that read them
    (``{in}`` and ``{out}`` stand for the input and output folders)."""

    files: dict[str, bytes]
    commands: tuple[tuple[str, ...], ...]
    target: str


def _yaml_input(draw: st.DrawFn, base: Any, name: str) -> bytes:
    text = draw(damaged(_yaml_text(draw(mutated(base)))))
    return text.encode("utf-8", "surrogatepass")


CASE_COMMANDS = (
    ("check", "{in}/case.yaml", "--format", "json"),
    ("check", "{in}/case.yaml"),
    ("packet", "{in}/case.yaml", "--draft", "--format", "html", "-o", "{out}/p.html"),
    ("letter", "{in}/case.yaml", "--draft", "--format", "docx", "-o", "{out}/l.docx"),
    ("log", "submit", "{in}/case.yaml", "--method", "fax", "--date", "2026-11-03",
     "--db", "{out}/log.sqlite3"),
    ("p2p", "{in}/case.yaml", "--denial", "{in}/case.denial.yaml", "--as-of", "2027-01-20",
     "--draft", "--format", "html", "-o", "{out}/p2p.html"),
    ("export", "dtr", "{in}/case.yaml", "-o", "{out}/dtr.json"),
    ("export", "pas", "{in}/case.yaml", "--draft", "-o", "{out}/pas.json"),
    ("batch", "{in}", "--draft", "--format", "html", "-j", "1", "-o", "{out}/batch"),
)  # fmt: skip
LEVEL_1 = DENIAL.read_text(encoding="utf-8").replace("appeal_level: 2", "appeal_level: 1", 1)
"""The example's denial at the first level, where a peer-to-peer call is possible."""


@st.composite
def cases(draw: st.DrawFn) -> Input:
    files = {"case.yaml": _yaml_input(draw, _load(CASE), "case.yaml")}
    if draw(st.booleans()):  # an attachment, sometimes hostile
        files["a.pdf"] = draw(
            st.sampled_from([b"%PDF-1.7\n", b"", b"GIF89a", b"%PDF-" + b"\x00" * 50])
        )
    command = draw(st.sampled_from(CASE_COMMANDS))
    if command[0] == "p2p":
        files["case.denial.yaml"] = LEVEL_1.encode("utf-8")
    return Input(files, (command,), "case")


@st.composite
def policies(draw: st.DrawFn) -> Input:
    base = _load(POLICY)
    base["id"] = "fuzz-policy"
    files = {"criteria/fuzz-policy.yaml": _yaml_input(draw, base, "fuzz-policy.yaml")}
    command = draw(st.sampled_from([
        ("criteria", "validate", "{in}/criteria"),
        ("check", str(CASE), "--criteria", "{in}/criteria", "--policy", "fuzz-policy",
         "--format", "json"),
        ("criteria", "show", "fuzz-policy", "--criteria", "{in}/criteria"),
        ("criteria", "questionnaire", "fuzz-policy", "--criteria", "{in}/criteria",
         "-o", "{out}/q.json"),
        ("export", "dtr", str(CASE), "--criteria", "{in}/criteria", "--policy", "fuzz-policy"),
        ("criteria", "diff", str(POLICY), "{in}/criteria/fuzz-policy.yaml"),
        ("criteria", "test", "{in}/criteria"),
    ]))  # fmt: skip
    return Input(files, (command,), "policy")


@st.composite
def denials(draw: st.DrawFn) -> Input:
    base = _load(DENIAL)
    if draw(st.booleans()):
        base["appeal_level"] = 1  # a level with a peer-to-peer call
    files = {"denial.yaml": _yaml_input(draw, base, "denial.yaml")}
    command = draw(st.sampled_from([
        ("deadline", str(CASE), "--denial", "{in}/denial.yaml", "--as-of", "2027-01-20",
         "--format", "json"),
        ("appeal", str(CASE), "--denial", "{in}/denial.yaml", "--as-of", "2027-01-20",
         "--draft", "--late", "--format", "html", "-o", "{out}/a.html"),
        ("log", "decision", "RA-2026-0147", "denied", "--denial", "{in}/denial.yaml",
         "--db", "{out}/log.sqlite3"),
        ("p2p", str(CASE), "--denial", "{in}/denial.yaml", "--as-of", "2027-01-20", "--draft",
         "--format", "html", "-o", "{out}/p2p.html"),
    ]))  # fmt: skip
    return Input(files, (command,), "denial")


@st.composite
def profiles(draw: st.DrawFn) -> Input:
    files = {"profile.yaml": _yaml_input(draw, _load(PROFILE), "profile.yaml")}
    for asset in ("logo.png", "reference.docx"):
        files[f"assets/{asset}"] = (EXAMPLES / "assets" / asset).read_bytes()
    fmt = draw(st.sampled_from(["html", "docx"]))
    command = ("letter", str(CASE), "--profile", "{in}/profile.yaml", "--format", fmt,
               "-o", f"{{out}}/l.{fmt}")  # fmt: skip
    return Input(files, (command,), "profile")


COLUMNS = ["case_id", "patient", "payer", "item", "policy", "line_of_business", "owner", "method",
           "confirmation", "submitted_on", "status", "status_on", "first_decision",
           "first_decision_on", "appeal_level", "appeal_filed_on", "appeal_outcome",
           "appeal_outcome_on", "valid_from", "valid_through"]  # fmt: skip
_GOOD = {"case_id": "C-1", "patient": "Maria Alvarez", "payer": "aetna",
         "submitted_on": "2026-03-02", "first_decision": "approved",
         "first_decision_on": "2026-03-05"}  # fmt: skip


@st.composite
def sheets(draw: st.DrawFn) -> Input:
    header = [
        "case_id",
        "payer",
        "submitted_on",
        *draw(st.lists(st.sampled_from(COLUMNS), max_size=5, unique=True)),
    ]
    header = list(dict.fromkeys(header))
    if draw(st.integers(0, 9)) == 0:
        header.append(draw(st.sampled_from(["extra", "", "CASE_ID", "\x00"])))
    rows = []
    for i in range(draw(st.integers(min_value=1, max_value=4))):
        row = {c: _GOOD.get(c, "") for c in header}
        row["case_id"] = f"C-{i}"
        for c in draw(st.lists(st.sampled_from(header), max_size=2)):
            v = draw(_scalar)
            row[c] = v.isoformat() if isinstance(v, dt.date) else "" if v is None else str(v)
        rows.append(row)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for r in rows:
        w.writerow([r.get(c, "") for c in header])
    text = draw(damaged(buf.getvalue()))
    db = ("--db", "{out}/log.sqlite3")
    then = draw(st.sampled_from([
        ("log", "export-csv", "-o", "{out}/export.csv", *db),
        ("log", "show", "C-0", *db),
        ("log", "due", "--as-of", "2026-03-10", "--format", "json", *db),
        ("kpi", "--format", "html", "-o", "{out}/kpi.html", *db),
    ]))  # fmt: skip
    commands = (("log", "import-csv", "{in}/sheet.csv", "--skip-bad", *db), then)
    return Input({"sheet.csv": text.encode("utf-8", "surrogatepass")}, commands, "sheet")


@st.composite
def bundles(draw: st.DrawFn) -> Input:
    base = json.loads(BUNDLE.read_text(encoding="utf-8"))
    data = draw(mutated(base))
    text = json.dumps(data, default=str, allow_nan=True, ensure_ascii=draw(st.booleans()))
    how = draw(st.sampled_from(["none"] * 8 + ["cut", "deep", "nan", "bigint"]))
    if how == "cut":
        text = text[: draw(st.integers(min_value=0, max_value=len(text)))]
    elif how == "deep":
        text = text[:-1] + ', "x": ' + "[" * 3000 + "]" * 3000 + "}"
    elif how == "nan":
        text = text.replace('"value": ', '"value": NaN, "v2": ', 1)
    elif how == "bigint":
        text = text.replace('"value": ', '"value": ' + "9" * 5000 + ', "v2": ', 1)
    commands = (
        ("import-fhir", "{in}/bundle.json", "--request-date", "2026-11-02",
         "--item", "infliximab", "-o", "{out}/case.yaml"),
        ("check", "{out}/case.yaml", "--format", "json"),
    )  # fmt: skip
    return Input({"bundle.json": text.encode("utf-8", "surrogatepass")}, commands, "fhir")


TARGETS: dict[str, Callable[[], st.SearchStrategy[Input]]] = {
    "case": cases,
    "policy": policies,
    "denial": denials,
    "profile": profiles,
    "sheet": sheets,
    "fhir": bundles,
}


@dataclass
class Outcome:
    """What one command did with one input."""

    argv: tuple[str, ...]
    code: int
    err: str
    seconds: float
    problems: list[str] = field(default_factory=list)


_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _files_under(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


@functools.cache
def _empty_log() -> Path:
    from pa_docs.log import CaseLog

    path = Path(tempfile.mkdtemp(prefix="pa-docs-fuzz-")) / "log.sqlite3"
    CaseLog.open(path).close()
    return path


def run(inp: Input, work: Path, bound: float = BOUND_S) -> list[Outcome]:
    """Run every command of ``inp`` in a fresh folder under ``work``; each outcome lists what
    is wrong with it (empty when all is well)."""
    if work.exists():
        shutil.rmtree(work)
    src, out = work / "in", work / "out"
    out.mkdir(parents=True)
    for name, data in inp.files.items():
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        (src / name).write_bytes(data)
    if any("{out}/log.sqlite3" in a for c in inp.commands for a in c):
        shutil.copy(_empty_log(), out / "log.sqlite3")  # migrated once, not per input
    before = _files_under(work)
    outcomes = []
    for command in inp.commands:
        argv = tuple(a.replace("{in}", str(src)).replace("{out}", str(out)) for a in command)
        start = time.perf_counter()
        problems: list[str] = []
        try:
            r = cli(*argv, cwd=work, bound=bound)
            code, err, out_text = r.code, r.err, r.out
        except Hang:
            code, err, out_text = -1, "", ""
            problems.append(f"no answer within {bound:g} s")
        seconds = time.perf_counter() - start
        if code not in (0, 1, 2) and not problems:
            problems.append(f"exit code {code}")
        if "Traceback" in err:
            problems.append("a traceback")
        if code == 2 and not err.strip():
            problems.append("exit 2 without a message")
        if _CONTROL.search(err) or _CONTROL.search(out_text):
            problems.append("a control character sent to the terminal")
        stray = {
            f
            for f in _files_under(work) - before
            if not f.startswith("out") and not f.startswith("in")
        }
        if stray:
            problems.append(f"files outside the output folder: {sorted(stray)}")
        changed = [n for n, d in inp.files.items() if (src / n).read_bytes() != d]
        if changed:
            problems.append(f"inputs changed: {changed}")
        outcomes.append(Outcome(argv, code, err, seconds, problems))
    return outcomes


def describe(inp: Input, outcomes: list[Outcome]) -> str:
    """A failing input, for the test's message: the commands, what went wrong, the input."""
    lines = []
    for o in outcomes:
        if o.problems:
            lines.append(f"{' '.join(o.argv)} -> exit {o.code}, {'; '.join(o.problems)}")
            lines.append(o.err[-2000:])
    for name, data in inp.files.items():
        lines.append(f"--- {name}\n{data[:3000].decode('utf-8', 'replace')}")
    return "\n".join(lines)


def environment() -> dict[str, str]:
    """The environment a fuzz run needs: no debug traceback, no user's log."""
    return {"PA_DOCS_DEBUG": "", "PA_DOCS_DB": "", "PA_DOCS_USER": "fuzz"}


def apply_environment() -> None:
    for k, v in environment().items():
        if v:
            os.environ[k] = v
        else:
            os.environ.pop(k, None)
