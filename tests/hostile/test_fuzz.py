"""The fuzz harness in the suite: a few hundred structure-aware hostile inputs per target
(cases, policies, denials, practice profiles, spreadsheets, FHIR bundles), each run through the
commands that read it, in process, with a fixed seed. No input may end in a traceback, a hang, an
exit code other than 0, 1 or 2, or a file outside the output folder (see ``fuzz.py``; the long run
is ``scripts/fuzz.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from .fuzz import TARGETS, Input, apply_environment, describe, run

INPUTS = {"case": 300, "policy": 200, "denial": 200, "profile": 150, "sheet": 150, "fhir": 150}


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_no_hostile_input_breaks_a_command(target: str, tmp_path: Path) -> None:
    apply_environment()
    ran: list[int] = []

    @settings(
        max_examples=INPUTS[target],
        derandomize=True,  # a fixed seed: the same inputs on every run
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(TARGETS[target]())
    def one(inp: Input) -> None:
        outcomes = run(inp, tmp_path / "work")
        ran.append(len(outcomes))
        assert not any(o.problems for o in outcomes), describe(inp, outcomes)

    one()
    assert len(ran) >= INPUTS[target] // 2  # hypothesis ran (about) as many as asked
