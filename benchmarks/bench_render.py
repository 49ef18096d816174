"""Packet render times: pa-docs per document (PDF, DOCX) beside WeasyPrint alone on the same HTML.

    PYTHONPATH=. python benchmarks/bench_render.py [--repeat N] [--examples DIR]

For each example case: the time to check the case, build the packet and render it to PDF (after one
warm-up, in this process); the time WeasyPrint alone needs for the same HTML with the same
stylesheet, fonts and PDF identifier (``HTML(string=...).write_pdf(stylesheets=[css],
font_config=fonts, pdf_identifier=...)``, checked to give the packet's very bytes); their
ratio (target: at most 1.10); the DOCX time; and the wall time of a whole ``pa-docs packet``
process (median of 5; target: under 1.5 s). Medians throughout.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "examples"
NAMES = ("ra-infliximab-aetna", "crohns-vedolizumab-uhc", "osa-cpap-medicare")


def interleaved(fns: dict[str, Callable[[], object]], repeat: int) -> dict[str, list[float]]:
    """Time each function ``repeat`` times, taking turns, so that a slow spell of a shared machine
    falls on all of them alike; a garbage collection before each run, none during it."""
    times: dict[str, list[float]] = {k: [] for k in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            gc.collect()
            gc.disable()
            t0 = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t0)
            gc.enable()
    return times


def bench_case(path: Path, repeat: int) -> dict[str, float]:
    from weasyprint import HTML

    from pa_docs.case import load_case
    from pa_docs.check import check_case
    from pa_docs.documents import build_packet
    from pa_docs.documents._templates import template_dirs
    from pa_docs.policy import load_policies, select_policy
    from pa_docs.render import render_document as render
    from pa_docs.render._html import to_html
    from pa_docs.render._pdf import _fetcher_class, _fonts, _stylesheet

    policies = load_policies(())

    def packet(fmt: str) -> bytes:
        case = load_case(path)
        policy = select_policy(case, policies, None)
        doc = build_packet(case, policy, check_case(case, policy), case_path=path, format=fmt)
        return render(doc, fmt)

    case = load_case(path)
    policy = select_policy(case, policies, None)
    doc = build_packet(case, policy, check_case(case, policy), case_path=path, format="pdf")
    html = to_html(doc, inline_css=False)
    base = str(template_dirs(None)[0]) + "/"
    fetcher = _fetcher_class()(doc.asset_dirs)

    ident = f"pa-docs:{doc.digest}".encode()

    def weasyprint_alone() -> bytes:
        pdf: bytes = HTML(string=html, base_url=base, url_fetcher=fetcher).write_pdf(
            stylesheets=[_stylesheet(None)], font_config=_fonts(), pdf_identifier=ident
        )
        return pdf

    # Warm-up (imports, fonts, stylesheet), and proof that both make the very same file.
    if packet("pdf") != weasyprint_alone():
        raise SystemExit(f"{path.name}: WeasyPrint alone did not make the packet's bytes")
    packet("docx")
    t = interleaved(
        {
            "weasyprint": weasyprint_alone,
            "pdf": lambda: packet("pdf"),
            "docx": lambda: packet("docx"),
        },
        repeat,
    )
    m = {k: statistics.median(v) for k, v in t.items()}
    return {
        **m,
        "ratio": m["pdf"] / m["weasyprint"],
        "ratio_min": min(t["pdf"]) / min(t["weasyprint"]),
    }


def bench_process(path: Path, runs: int = 5) -> float:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["PYTHONPATH"] = str(ROOT)
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "packet.pdf"
        for _ in range(runs):
            t0 = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "pa_docs", "packet", str(path), "-o", str(out)],
                env=env,
                check=True,
                capture_output=True,
            )
            times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=15, help="timed runs per measure (median)")
    ap.add_argument("--examples", type=Path, default=SHARED, help="folder of the example cases")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    rows = []
    for name in NAMES:
        path = args.examples / f"{name}.yaml"
        r = bench_case(path, args.repeat)
        r["process"] = bench_process(path)
        rows.append((name, r))
    head = (
        f"{'case':<24} {'PDF s':>7} {'WeasyPrint s':>13} {'ratio':>6} {'(min)':>6} {'DOCX s':>7} "
        f"{'process s':>10}"
    )
    print(head)
    print("-" * len(head))
    for name, r in rows:
        print(
            f"{name:<24} {r['pdf']:>7.3f} {r['weasyprint']:>13.3f} {r['ratio']:>6.2f} "
            f"{r['ratio_min']:>6.2f} "
            f"{r['docx']:>7.3f} {r['process']:>10.2f}"
        )
    worst_ratio = max(r["ratio"] for _, r in rows)
    worst_process = max(r["process"] for _, r in rows)
    ok = worst_ratio <= 1.10 and worst_process < 1.5
    print(
        f"\nworst ratio {worst_ratio:.2f} (target <= 1.10); "
        f"slowest process {worst_process:.2f} s (target < 1.5 s): {'OK' if ok else 'OVER TARGET'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
