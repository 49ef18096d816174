"""How fast pa-docs turns away each hostile input of ``../shared/attacks`` (and the attacks the
README there says to make: a FIFO, ``/dev/zero``, a year-9999 ``--date``).

Run from the repository root:  python benchmarks/bench_hostile.py [--runs 5]

Each attack runs in this process ``--runs`` times after one warm-up run (the warm-up pays for the
imports a first command makes); it prints the exit code and the median and slowest time. The
target: every refusal (exit 2) in well under a second, at most ``TARGET_S``. Exit 1 when an
attack misses the target or ends with another exit code than the one expected.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.hostile.support import ATTACKS, cli  # noqa: E402

TARGET_S = 0.5


def attacks(work: Path) -> list[tuple[str, int, list[str | Path]]]:
    """Each attack: its name, the exit code that is right, and its command line."""
    a = ATTACKS
    base = a / "base.yaml"
    criteria = work / "criteria"
    criteria.mkdir()
    shutil.copy(a / "alias_bomb.yaml", criteria / "bomb.yaml")
    fifo = work / "fifo.yaml"
    os.mkfifo(fifo)
    db = work / "log.sqlite3"
    pdf = work / "out.pdf"
    return [
        ("tpl_pathread", 2, ["letter", base, "--templates", a / "tpl_pathread", "-o", pdf]),
        ("tpl_pathwrite", 2, ["letter", base, "--templates", a / "tpl_pathwrite", "-o", pdf]),
        ("alias_bomb check", 2, ["check", a / "alias_bomb.yaml"]),
        ("alias_bomb criteria validate", 2, ["criteria", "validate", criteria]),
        ("alias_bomb log submit", 2,
         ["log", "submit", a / "alias_bomb.yaml", "--method", "fax", "--db", db]),
        ("alias_bomb as a denial", 2, ["deadline", base, "--denial", a / "alias_bomb.yaml"]),
        ("recursive_alias", 2, ["check", a / "recursive_alias.yaml"]),
        ("huge_int", 2, ["check", a / "huge_int.yaml"]),
        ("dup_keys", 2, ["check", a / "dup_keys.yaml"]),
        ("future_treatment_end", 2, ["check", a / "future_treatment_end.yaml"]),
        ("spo2_negative", 2, ["check", a / "spo2_negative.yaml"]),
        ("caseid_traversal", 2, ["packet", a / "caseid_traversal.yaml"]),
        ("att/case-encrypted", 2, ["packet", a / "att" / "case-encrypted.yaml", "-o", pdf]),
        ("ctrl_char", 2, ["packet", a / "ctrl_char.yaml", "--format", "docx", "-o", pdf]),
        ("prof_badlogo", 2, ["letter", base, "--profile", a / "prof_badlogo" / "profile.yaml",
                             "--format", "docx", "-o", work / "l.docx"]),
        ("denial_9999", 2, ["deadline", base, "--denial", a / "denial_9999.yaml"]),
        ("log submit --date 9999-12-31", 2,
         ["log", "submit", base, "--method", "fax", "--date", "9999-12-31", "--db", db]),
        ("check /dev/zero", 2, ["check", "/dev/zero"]),
        ("check a FIFO", 2, ["check", fifo]),
        ("-o the input case", 2, ["check", base, "--format", "json"]),  # replaced below
        ("fhir_u2028_inject (written safely)", 0,
         ["import-fhir", a / "fhir_u2028_inject.json", "-o", work / "case.yaml"]),
        ("formula.csv import", 0, ["log", "import-csv", a / "formula.csv", "--skip-bad",
                                   "--db", work / "sheet.sqlite3"]),
        ("formula.csv export", 0,
         ["log", "export-csv", "-o", work / "s.csv", "--db", work / "sheet.sqlite3"]),
    ]  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args(argv)
    if not ATTACKS.is_dir():
        print(f"no attack files at {ATTACKS}", file=sys.stderr)
        return 1
    os.environ.pop("PA_DOCS_DEBUG", None)
    failed = False
    with tempfile.TemporaryDirectory(prefix="pa-docs-bench-") as tmp:
        work = Path(tmp)
        rows = attacks(work)
        own = work / "own.yaml"
        shutil.copy(ATTACKS / "base.yaml", own)
        rows = [
            (n, c, ["letter", own, "-o", own] if n == "-o the input case" else cmd)
            for n, c, cmd in rows
        ]
        print(f"{'attack':40} exit  median s  max s")
        for name, want, cmd in rows:
            times, codes = [], set()
            for i in range(args.runs + 1):
                for leftover in (work / "case.yaml", work / "s.csv", work / "out.pdf"):
                    leftover.unlink(missing_ok=True)
                if "import-csv" in cmd:  # import into an empty log each time
                    (work / "sheet.sqlite3").unlink(missing_ok=True)
                start = time.perf_counter()
                run = cli(*cmd, cwd=work)
                if i:  # the first run is the warm-up
                    times.append(time.perf_counter() - start)
                codes.add(run.code)
            med, worst = statistics.median(times), max(times)
            bad = codes != {want} or (want == 2 and worst > TARGET_S)
            failed |= bad
            print(f"{name:40} {'/'.join(map(str, sorted(codes))):4}  {med:8.3f}  {worst:5.3f}"
                  + ("  MISSED" if bad else ""))  # fmt: skip
    print(f"target: every refusal (exit 2) within {TARGET_S} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
