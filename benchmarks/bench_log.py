"""Rough figures for the case log: events per second from one process, and open-to-close time.

PYTHONPATH=. python benchmarks/bench_log.py [DB]     (default: a new SQLite file)
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

from pa_docs.case import load_case
from pa_docs.log import CaseLog, compute_kpis

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "crohns-vedolizumab-uhc.yaml"
if not EXAMPLE.exists():
    EXAMPLE = Path(__file__).resolve().parents[2] / "shared" / "examples" / EXAMPLE.name


def main() -> None:
    db = sys.argv[1] if len(sys.argv) > 1 else str(Path(tempfile.mkdtemp()) / "bench.sqlite3")
    t0 = time.perf_counter()
    log = CaseLog.open(db, user="bench")
    print(f"open + migrate a new log: {time.perf_counter() - t0:.3f} s")
    base = load_case(EXAMPLE)
    t0 = time.perf_counter()
    n = 1000
    for i in range(n):
        case = base.model_copy(update={"case_id": f"B-{i}"})
        log.submit(case, method="portal", on=dt.date(2026, 1, 5) + dt.timedelta(days=i % 300))
    took = time.perf_counter() - t0
    print(f"{n} submissions (one transaction each): {took:.2f} s, {n / took:.0f} events/s")
    t0 = time.perf_counter()
    for i in range(n):
        log.decide(f"B-{i}", "approved" if i % 5 else "denied",
                   on=dt.date(2026, 1, 5) + dt.timedelta(days=i % 300 + 4))  # fmt: skip
    took = time.perf_counter() - t0
    print(f"{n} decisions: {took:.2f} s, {n / took:.0f} events/s")
    t0 = time.perf_counter()
    compute_kpis(log.all_cases())
    print(f"KPIs over {n} cases: {time.perf_counter() - t0:.3f} s")
    log.close()


if __name__ == "__main__":
    main()
