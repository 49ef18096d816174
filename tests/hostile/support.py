"""Helpers of the hostile-input tests: the shared attack files, and running the CLI in process
under a time bound (a hang fails the test instead of stalling the suite)."""

from __future__ import annotations

import contextlib
import io
import os
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from pa_docs.cli import main

ROOT = Path(__file__).resolve().parents[2]
ATTACKS = ROOT.parent / "shared" / "attacks"
BOUND_S = 20.0
"""No single command may take longer: an input that does is a hang."""


def attack(name: str) -> Path:
    """A file of ``../shared/attacks`` (the test is skipped where the folder is absent)."""
    path = ATTACKS / name
    if not path.exists():
        pytest.skip(f"attack file not found: {path} (checkout ../shared)")
    return path


class Hang(Exception):
    pass


@contextlib.contextmanager
def time_bound(seconds: float) -> Iterator[None]:
    """Raise ``Hang`` in the main thread when the block runs longer than ``seconds``."""

    def alarm(signum: int, frame: object) -> None:
        raise Hang(f"no answer within {seconds} s")

    old = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


@dataclass
class Run:
    code: int
    out: str
    err: str
    seconds: float


def cli(*argv: str | Path, cwd: Path | None = None, bound: float = BOUND_S) -> Run:
    """``pa-docs argv`` in this process: exit code, standard output and error, time taken."""
    # standard output as a terminal's: text over bytes (JSON exports write to its ``buffer``)
    raw = io.BytesIO()
    out, err = io.TextIOWrapper(raw, encoding="utf-8", write_through=True), io.StringIO()
    old = Path.cwd()
    start = time.perf_counter()
    try:
        if cwd is not None:
            os.chdir(cwd)
        with (
            contextlib.redirect_stdout(out),
            contextlib.redirect_stderr(err),
            time_bound(bound),
        ):
            code = main([str(a) for a in argv])
    finally:
        os.chdir(old)
    out.flush()
    text = raw.getvalue().decode("utf-8", "backslashreplace")
    return Run(code, text, err.getvalue(), time.perf_counter() - start)


def assert_input_error(run: Run, *words: str) -> None:
    """Exit 2 with one ``pa-docs: error:`` line naming each of ``words``, and no traceback."""
    assert run.code == 2, (run.code, run.err)
    assert "Traceback" not in run.err, run.err
    lines = [ln for ln in run.err.splitlines() if ln.strip()]
    assert lines and lines[0].startswith("pa-docs: error: "), run.err
    for w in words:
        assert w in run.err, (w, run.err)
