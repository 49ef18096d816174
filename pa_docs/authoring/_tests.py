"""Policy tests: cases with the verdicts a policy must give them, run by ``pa-docs criteria test``.

A folder of policies may hold ``tests/<policy-id>/*.yaml`` beside them. Each file is one case and
what the policy must say about it::

    about: SpO2 88% at rest (the threshold itself) qualifies through Group I
    case:                      # merged over _base.yaml in the same folder, if there is one
      labs:
        - {test: spo2, value: 88, context: rest, date: 2026-11-20}
    expect:
      status: ready            # ready | gaps | not_met
      verdicts: {group: met}   # criterion id -> met | not_met | missing (any subset)
      reasons: {group: Group I, at rest}     # optional: text the reason must contain
      actions: {}                            # optional: text the action must contain
      selected: true           # optional: the policy is chosen for the case with no --policy

The merge: mappings merge key by key, a list replaces the base's list whole, ``null`` removes the
key. Files whose name starts with ``_`` are bases, not tests.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .. import _yaml
from ..case import Case
from ..check import check_case
from ..errors import InputError, PolicyError, Problem
from ..policy import Policy, load_folder, select_policy

Verdict = Literal["met", "not_met", "missing"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Expect(_Model):
    """What the policy must say about the test's case."""

    status: Literal["ready", "gaps", "not_met"] = Field(description="The case's status.")
    verdicts: dict[str, Verdict] = Field(
        default={}, description="Criterion id -> its expected verdict (any subset of criteria)."
    )
    reasons: dict[str, str] = Field(
        default={}, description="Criterion id -> text its reason must contain."
    )
    actions: dict[str, str] = Field(
        default={}, description="Criterion id -> text its action must contain."
    )
    selected: bool | None = Field(
        default=None,
        description="true: among the folder's policies, this one is chosen for the case when "
        "no policy is named; false: it is not.",
    )


class Options(_Model):
    time_of_need_days: int = Field(
        default=30, ge=0, description="The practice's time-of-need convention for this case."
    )


class PolicyTest(_Model):
    """One policy test file (after its case is merged over the folder's base)."""

    about: str = Field(min_length=1, description="What the case shows, in a sentence.")
    policy: str | None = Field(
        default=None, description="The policy id; the test folder's name when omitted."
    )
    base: str | None = Field(
        default=None,
        description="The base case file (in the same folder); `_base.yaml` when it exists.",
    )
    options: Options = Options()
    case: Case
    expect: Expect


@dataclass
class Outcome:
    """One test run: what was expected, what the policy gave, and what differs."""

    path: Path
    policy: str
    about: str
    expected: str
    got: str
    problems: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"{self.policy}/{self.path.stem}"

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class Report:
    """Every test of a folder, and which verdicts each criterion was tested for."""

    outcomes: list[Outcome]
    coverage: dict[str, dict[str, set[str]]]  # policy id -> criterion id -> statuses expected
    untested: list[str]  # policies with no test folder
    policies: dict[str, Policy]

    @property
    def coverage_gaps(self) -> list[str]:
        return gaps_in_coverage(self, self.policies)

    @property
    def ok(self) -> bool:
        return all(o.ok for o in self.outcomes)


def can_be_missing(rule: Any) -> bool:
    """Whether a rule can ever be ``missing``: a diagnosis and an age always have evidence (the
    case format requires the request's diagnosis and the birth date), and an exclusion is met
    when nothing excluded is current."""
    kind = rule.kind
    if kind in {"all_of", "any_of"}:
        return any(can_be_missing(r) for r in rule.of)
    if kind in {"diagnosis", "age"}:
        return False
    return not (kind == "concurrent_therapy" and rule.mode == "excluded")


def gaps_in_coverage(report: Report, policies: dict[str, Policy]) -> list[str]:
    """Criteria that no test expects to be met, or missing where they can be."""
    out = []
    for pid, tested in report.coverage.items():
        for c in policies[pid].criteria_all():
            seen = tested.get(c.id, set())
            want = ["met", *(["missing"] if can_be_missing(c.rule) else [])]
            lacking = [s for s in want if s not in seen]
            if lacking:
                out.append(f"{pid}: no test expects {c.id} to be {' or '.join(lacking)}")
    return out


def merge(base: Any, over: Any) -> Any:
    """``over`` merged onto ``base``: mappings key by key, anything else replaced; None deletes."""
    if not isinstance(base, dict) or not isinstance(over, dict):
        return copy.deepcopy(over)
    out = copy.deepcopy(base)
    for k, v in over.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = merge(out[k], v) if k in out else copy.deepcopy(v)
    return out


def find_tests(folder: Path) -> dict[str, list[Path]]:
    """The test files of a policy folder, by policy id (its ``tests/<policy-id>/`` folders)."""
    root = folder / "tests"
    if not root.is_dir():
        return {}
    return {
        d.name: sorted(p for p in d.glob("*.y*ml") if not p.name.startswith("_"))
        for d in sorted(root.iterdir())
        if d.is_dir()
    }


def load_test(path: Path) -> PolicyTest:
    """Read one test file, its case merged over its base; problems name the file and line."""
    doc = _yaml.load(path, PolicyError)
    data = dict(doc.data)
    base_name = data.get("base")
    base_path = path.parent / (base_name if isinstance(base_name, str) else "_base.yaml")
    if base_name is not None or base_path.exists():
        base = _yaml.load(base_path, PolicyError).data
        data["case"] = merge(base, data.get("case") or {})
    doc = _yaml.Document(path, data, doc.lines)
    return doc.validate(PolicyTest, PolicyError)


def _describe(status: str, verdicts: dict[str, str]) -> str:
    return "; ".join([status, *(f"{k} {v}" for k, v in verdicts.items())])


def run_test(path: Path, t: PolicyTest, policies: dict[str, Policy]) -> Outcome:
    """Check the test's case against its policy and compare with what it expects."""
    pid = t.policy or path.parent.name
    if pid not in policies:
        raise PolicyError(
            f"no policy {pid!r} in the folder (known: {', '.join(sorted(policies))})", file=path
        )
    policy = policies[pid]
    e = t.expect
    result = check_case(t.case, policy, time_of_need_days=t.options.time_of_need_days)
    got = {v.id: v for v in result.verdicts}
    problems: list[str] = []
    unknown = [c for c in (*e.verdicts, *e.reasons, *e.actions) if c not in got]
    if unknown:
        raise PolicyError(
            f"expect names criteria that the policy's {t.case.request.type} criteria do not have: "
            f"{', '.join(dict.fromkeys(unknown))} (it has: {', '.join(got)})",
            file=path,
        )
    if result.status.value != e.status:
        problems.append(f"status: expected {e.status}, got {result.status.value}")
    for cid, want in e.verdicts.items():
        if got[cid].status.value != want:
            problems.append(
                f"{cid}: expected {want}, got {got[cid].status.value} ({got[cid].reason})"
            )
    for cid, text in e.reasons.items():
        if text not in got[cid].reason:
            problems.append(f"{cid}: reason lacks {text!r}: {got[cid].reason}")
    for cid, text in e.actions.items():
        if text not in (got[cid].action or ""):
            problems.append(f"{cid}: action lacks {text!r}: {got[cid].action or '(none)'}")
    expected = _describe(e.status, dict(e.verdicts))
    shown = {cid: got[cid].status.value for cid in e.verdicts}
    got_text = _describe(result.status.value, shown)
    if e.selected is not None:
        try:
            chosen = select_policy(t.case, policies).id
        except PolicyError as err:
            chosen = f"none ({str(err).splitlines()[0]})"
        picked = chosen == pid
        expected += f"; {'selected' if e.selected else 'not selected'}"
        got_text += f"; {'selected' if picked else 'not selected'}"
        if picked != e.selected:
            not_ = "" if e.selected else "not "
            problems.append(f"selection: expected {pid} {not_}chosen, got {chosen}")
    return Outcome(path, pid, t.about, expected, got_text, problems)


def run_folder(folder: Path) -> Report:
    """Run every policy test of a policy folder. Bad test files raise ``PolicyError`` (all their
    problems together); a test whose verdicts differ is a failed ``Outcome``."""
    policies = load_folder(folder)
    files = find_tests(folder)
    outcomes: list[Outcome] = []
    coverage: dict[str, dict[str, set[str]]] = {}
    problems: list[Problem] = []
    for pid, paths in files.items():
        if pid not in policies:
            problems.append(
                Problem(f"test folder for unknown policy {pid!r}", str(folder / "tests" / pid))
            )
            continue
        cov = coverage.setdefault(pid, {c.id: set() for c in policies[pid].criteria_all()})
        for path in paths:
            try:
                t = load_test(path)
                outcomes.append(run_test(path, t, policies))
            except InputError as err:
                problems.extend(err.problems)
                continue
            for cid, status in t.expect.verdicts.items():
                cov.setdefault(cid, set()).add(status)
    if problems:
        raise PolicyError(problems=problems)
    untested = [pid for pid in policies if not files.get(pid)]
    return Report(outcomes, coverage, untested, policies)
