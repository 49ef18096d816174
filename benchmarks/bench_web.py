"""The workbench's response times on a practice-sized folder.

    PYTHONPATH=. python benchmarks/bench_web.py [N]

Copies the examples into a temporary folder as N case files (default 300, about half a year of a
50-cases-a-month practice) with 100 of them submitted in the log, starts the workbench on a
loopback port, signs in, and times (median of 5 after one warm-up, unless said): the work list
the first time (every file read, validated and checked), the work list again (files unchanged:
nothing re-read), a case page, a save of one value (validated, written, re-checked), and a packet
PDF.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.web_support import VERSION, Server, csrf_of, login  # noqa: E402


def main(n: int = 300) -> None:
    from pa_docs.case import load_case
    from pa_docs.log import CaseLog
    from pa_docs.web import Settings, create_app
    from pa_docs.web._accounts import add_user

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        cases = root / "cases"
        cases.mkdir()
        shutil.copytree(ROOT / "examples" / "assets", cases / "assets")
        examples = [
            p
            for p in sorted((ROOT / "examples").glob("*.yaml"))
            if not p.name.endswith(".denial.yaml") and p.name != "practice-profile.yaml"
        ]
        for i in range(n):
            src = examples[i % len(examples)]
            text = src.read_text(encoding="utf-8")
            text = re.sub(r"(?m)^case_id: .*$", f"case_id: BENCH-{i:04d}", text, count=1)
            (cases / f"bench-{i:04d}.yaml").write_text(text, encoding="utf-8")
        names = [p.name for p in examples]
        gap = f"BENCH-{names.index('psoriasis-ustekinumab-bcbsms-bsa6.yaml'):04d}"  # has gaps
        db = str(root / "log.sqlite3")
        with CaseLog.open(db, user="bench") as log:
            add_user(log.engine, "bench", "admin", "benchmark-password")
            for i in range(0, n, 3):
                case = load_case(cases / f"bench-{i:04d}.yaml")
                log.submit(case, method="portal", on=dt.date(2026, 11, 2) + dt.timedelta(i % 20))
        with Server(create_app(Settings(cases=cases, db=db))) as server:
            client = login(server.url, "bench", "benchmark-password")

            def timed(fn: object, runs: int = 5) -> float:
                assert callable(fn)
                fn()
                samples = []
                for _ in range(runs):
                    t = time.perf_counter()
                    fn()
                    samples.append(time.perf_counter() - t)
                return statistics.median(samples)

            t = time.perf_counter()
            assert client.get("/").status_code == 200
            first = time.perf_counter() - t
            again = timed(lambda: client.get("/"))
            page = timed(lambda: client.get(f"/cases/{gap}"))

            def save() -> None:
                html = client.get(f"/cases/{gap}").text
                data = {
                    "csrf_token": csrf_of(html),
                    "version": VERSION.search(html).group(1),  # type: ignore[union-attr]
                    "set:patient.member_id": f"W{time.perf_counter_ns() % 10**9}",
                }
                assert client.post(f"/cases/{gap}/set", data=data).status_code == 303

            saved = timed(save)
            pdf = timed(lambda: client.get("/cases/BENCH-0001/document.pdf?kind=packet"))
            client.close()
    print(f"{n} case files, {len(range(0, n, 3))} in the log")
    print(f"work list, first request (read, validate, check all): {first:.2f} s")
    print(f"work list, files unchanged:                          {again:.3f} s")
    print(f"case page:                                           {page:.3f} s")
    print(f"case page + save one value (validate, write, check): {saved:.3f} s")
    print(f"packet PDF:                                          {pdf:.3f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300)
