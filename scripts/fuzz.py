"""The long fuzz run: many hostile inputs through every command, with the figures for the docs.

    .venv/bin/python scripts/fuzz.py                      # 10,000 inputs, seed 0
    .venv/bin/python scripts/fuzz.py --inputs 600 --seed 7 --targets case fhir
    .venv/bin/python scripts/fuzz.py --keep /tmp/fuzz-failures   # save each failing input

The inputs are those of the suite's harness (``tests/hostile/fuzz.py``: structure-aware hostile
cases, policies, denials, practice profiles, spreadsheets and FHIR bundles), shared evenly among
the targets, run in this process. It prints, per target: inputs, commands run, exit codes, and
the failures (tracebacks, hangs, other exit codes, stray files, control characters on the
terminal), then the time per command. Exit 1 when any input failed.
"""

from __future__ import annotations

import argparse
import collections
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hypothesis import HealthCheck, Phase, given, seed, settings  # noqa: E402

from tests.hostile.fuzz import (  # noqa: E402
    BOUND_S,
    TARGETS,
    Input,
    Outcome,
    apply_environment,
    describe,
    run,
)


def _fuzz(
    target: str, n: int, seed_value: int, work: Path, bound: float
) -> list[tuple[Input, list[Outcome]]]:
    done: list[tuple[Input, list[Outcome]]] = []

    @seed(seed_value)
    @settings(
        max_examples=n,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.generate],  # record every input; no shrinking
    )
    @given(TARGETS[target]())
    def one(inp: Input) -> None:
        done.append((inp, run(inp, work / target, bound)))

    one()
    return done


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--inputs", type=int, default=10_000, help="inputs in all (default 10,000)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--targets", nargs="*", choices=sorted(TARGETS), default=sorted(TARGETS))
    ap.add_argument("--bound", type=float, default=BOUND_S, help="seconds before a hang")
    ap.add_argument("--keep", type=Path, help="a folder to save each failing input in")
    ap.add_argument("--json", type=Path, help="write the figures here as JSON")
    args = ap.parse_args(argv)
    apply_environment()
    per = max(1, args.inputs // len(args.targets))
    figures: dict[str, dict[str, object]] = {}
    failures: list[str] = []
    times: list[float] = []
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="pa-docs-fuzz-") as tmp:
        for target in args.targets:
            t0 = time.perf_counter()
            done = _fuzz(target, per, args.seed, Path(tmp), args.bound)
            outcomes = [o for _, os_ in done for o in os_]
            codes = collections.Counter(o.code for o in outcomes)
            kinds: collections.Counter[str] = collections.Counter()
            for inp, os_ in done:
                bad = [o for o in os_ if o.problems]
                for o in bad:
                    kinds.update(p.split(":")[0] for p in o.problems)
                if bad:
                    failures.append(describe(inp, os_))
                    if args.keep:
                        folder = args.keep / f"{target}-{len(failures):04}"
                        folder.mkdir(parents=True, exist_ok=True)
                        for name, data in inp.files.items():
                            (folder / name).parent.mkdir(parents=True, exist_ok=True)
                            (folder / name).write_bytes(data)
                        (folder / "what.txt").write_text(describe(inp, os_), encoding="utf-8")
            secs = [o.seconds for o in outcomes]
            times += secs
            figures[target] = {
                "inputs": len(done),
                "commands": len(outcomes),
                "exit_codes": {str(k): v for k, v in sorted(codes.items())},
                "failures": dict(kinds),
                "seconds": round(time.perf_counter() - t0, 1),
                "mean_s": round(statistics.mean(secs), 3) if secs else 0,
                "max_s": round(max(secs), 2) if secs else 0,
            }
            print(
                f"{target:8} {len(done):6} inputs {len(outcomes):6} commands  exit "
                + " ".join(f"{k}:{v}" for k, v in sorted(codes.items()))
                + f"  failures {sum(kinds.values())} {dict(kinds) or ''}"
                + f"  mean {figures[target]['mean_s']} s, max {figures[target]['max_s']} s",
                flush=True,
            )
    total = sum(int(str(f["inputs"])) for f in figures.values())
    summary = {
        "seed": args.seed,
        "inputs": total,
        "commands": len(times),
        "failing_inputs": len(failures),
        "seconds": round(time.perf_counter() - start, 1),
        "per_command_s": {
            "mean": round(statistics.mean(times), 3) if times else 0,
            "median": round(statistics.median(times), 3) if times else 0,
            "p99": round(sorted(times)[int(len(times) * 0.99)], 3) if times else 0,
            "max": round(max(times), 2) if times else 0,
        },
        "targets": figures,
    }
    print(json.dumps({k: v for k, v in summary.items() if k != "targets"}, indent=2))
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    for f in failures[:5]:
        print("\n" + f[:4000], file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
