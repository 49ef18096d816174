"""Benchmarks of the gap checker: in-process checks per second, and the cold start of the CLI.

Run from the repository root:  python benchmarks/bench_check.py [--runs 10] [--seconds 1.0]

1. For each example in examples/, load the case and its policy once, then call ``check_case`` in
   a loop for about ``--seconds`` seconds on one core: checks per second.
2. Cold start: the median wall time of ``pa-docs check examples/<x>.yaml`` as a whole new process
   (``python -m pa_docs``), beside ``python -c "import pa_docs"`` and a bare ``python -c pass``,
   the commands taking turns.
   It also lists which heavy modules (renderers, FHIR models, the ICD-10 library, SQL) the check
   path imported: there must be none.

Targets: at least 5,000 checks per second; a cold start of at most 0.20 s and at most 20 times
``python -c pass`` on the same machine.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pa_docs.case import load_case  # noqa: E402
from pa_docs.check import check_case  # noqa: E402
from pa_docs.policy import load_policies, select_policy  # noqa: E402

HEAVY = ("weasyprint", "docx", "fhir", "simple_icd_10_cm", "sqlalchemy", "alembic", "jinja2")
CHECKS_TARGET = 5_000
COLD_TARGET = 0.20
COLD_RATIO = 20


def checks_per_second(path: Path, seconds: float) -> tuple[float, float]:
    """Checks per second of wall time, and per second of this process's CPU time (what a
    busy machine inflates least)."""
    case = load_case(path)
    policy = select_policy(case, load_policies())
    check_case(case, policy)  # warm up (vocabulary, compiled patterns)
    n, start, cpu = 0, time.perf_counter(), time.process_time()
    deadline = start + seconds
    while True:
        for _ in range(100):
            check_case(case, policy)
        n += 100
        now = time.perf_counter()
        if now >= deadline:
            return n / (now - start), n / (time.process_time() - cpu)


def _env() -> dict[str, str]:
    """The environment of a user's shell: no PYTHONSTARTUP, and bytecode written and read (an
    installed package has its bytecode compiled; PYTHONDONTWRITEBYTECODE would time compiling)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONSTARTUP", NO_BYTECODE)}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


NO_BYTECODE = "PYTHONDONTWRITEBYTECODE"


def walls(commands: dict[str, list[str]], runs: int) -> dict[str, tuple[float, float]]:
    """(median wall time, median CPU time) of each command as a fresh process, the commands
    taking turns (so a slow spell of the shared machine falls on all of them alike), after one
    unmeasured round that warms the disk cache and writes the bytecode. CPU time (user + system)
    is what a busy machine inflates least."""
    env = _env()
    times: dict[str, list[tuple[float, float]]] = {k: [] for k in commands}
    for i in range(runs + 1):
        for label, argv in commands.items():
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run(
                argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            elapsed = time.perf_counter() - start
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            if i:
                times[label].append((elapsed, cpu))
    return {
        k: (statistics.median(t for t, _ in v), statistics.median(c for _, c in v))
        for k, v in times.items()
    }


def heavy_imports(example: Path) -> list[str]:
    code = (
        "import sys\n"
        "from pa_docs.cli import main\n"
        f"main(['check', {str(example)!r}, '--format', 'json'])\n"
        f"print('HEAVY:', *sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r})))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=_env(), capture_output=True, text=True
    )
    line = out.stdout.strip().splitlines()[-1] if out.stdout.strip() else ""
    if not line.startswith("HEAVY:"):
        raise RuntimeError(f"the check did not run: {out.stderr.strip()}")
    return line.split()[1:]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=10, help="process runs per cold-start figure")
    ap.add_argument("--seconds", type=float, default=1.0, help="seconds of checking per example")
    args = ap.parse_args()
    examples = sorted(
        p
        for p in (ROOT / "examples").glob("*.yaml")
        if not p.name.endswith(".denial.yaml") and p.stem != "practice-profile"
    )

    one, five, fifteen = os.getloadavg()
    print(f"Python {sys.version.split()[0]} on {sys.platform}, {os.cpu_count()} CPUs; one core")
    print(f"load average {one:.1f} / {five:.1f} / {fifteen:.1f} at the start\n")
    print(f"{'example, in process':<45} {'checks/s':>10} {'per CPU s':>10}")
    rates, cpu_rates = [], []
    for ex in examples:
        rate, cpu_rate = checks_per_second(ex, args.seconds)
        rates.append(rate)
        cpu_rates.append(cpu_rate)
        print(f"{ex.stem:<45} {rate:>10,.0f} {cpu_rate:>10,.0f}")
    print(
        f"{'slowest':<45} {min(rates):>10,.0f} {min(cpu_rates):>10,.0f}   "
        f"(target >= {CHECKS_TARGET:,})\n"
    )

    py = sys.executable
    demo = ROOT / "examples" / "ra-infliximab-aetna.yaml"
    rows = [
        ("python -c pass", [py, "-c", "pass"]),
        ('python -c "import pa_docs"', [py, "-c", "import pa_docs"]),
        ("pa-docs check (table)", [py, "-m", "pa_docs", "check", str(demo)]),
        (
            "pa-docs check --format json",
            [py, "-m", "pa_docs", "check", str(demo), "--format", "json"],
        ),
    ]
    print(f"cold start, median of {args.runs} runs, taking turns    {'wall':>8}   {'CPU':>7}")
    figures = walls(dict(rows), args.runs)
    for label, _ in rows:
        wall, cpu = figures[label]
        print(f"{label:<45} {wall:>8.3f} s {cpu:>7.3f} s")
    cold = max(figures["pa-docs check (table)"][0], figures["pa-docs check --format json"][0])
    ratio = cold / figures["python -c pass"][0]
    print(f"{'pa-docs check, slower of the two':<45} {cold:>8.3f} s   (target <= {COLD_TARGET} s)")
    print(f"{'  ... over python -c pass':<45} {ratio:>8.1f} x   (target <= {COLD_RATIO} x)")
    print(
        f"load average {os.getloadavg()[0]:.1f} at the end (2 cores: above 2, others were running)"
    )
    heavy = heavy_imports(demo)
    print(f"heavy modules imported by the check path: {', '.join(heavy) or 'none'}")
    ok = min(rates) >= CHECKS_TARGET and cold <= COLD_TARGET and ratio <= COLD_RATIO and not heavy
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
