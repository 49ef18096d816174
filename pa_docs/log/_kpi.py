"""The four PA KPIs, overall, per payer, per owner and per month of submission.

- first-pass approval rate: cases whose first decision is approved / cases with a first decision
  (approved or denied; pended is not a decision);
- turnaround: business days from submission to the first approved or denied decision;
- appeal success rate: appeals overturned / appeals with an outcome;
- cost per PA: the team cost for the period / the submissions in it.

A case belongs to the period (and month) of its submission date.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from ._dates import business_days_between
from ._model import CaseState

FIRST_PASS_TARGET = 0.85
TURNAROUND_BENCHMARK_DAYS = (5, 7)
NO_OWNER = "(none)"


@dataclasses.dataclass(frozen=True)
class Kpi:
    submissions: int
    decided: int
    first_pass_approved: int
    first_pass_approval_rate: float | None
    turnaround_mean_days: float | None
    turnaround_median_days: float | None
    appeals_decided: int
    appeals_overturned: int
    appeal_success_rate: float | None
    cost_per_pa: float | None = None


@dataclasses.dataclass(frozen=True)
class KpiReport:
    period_from: dt.date | None
    period_to: dt.date | None
    team_cost: float | None
    overall: Kpi
    by_payer: dict[str, Kpi]
    by_owner: dict[str, Kpi]
    by_month: dict[str, Kpi]

    def to_json(self) -> dict[str, Any]:
        """Plain data: ISO dates, rates as fractions from 0 to 1, ``None`` where undefined."""

        def iso(d: dt.date | None) -> str | None:
            return d.isoformat() if d else None

        def groups(g: dict[str, Kpi]) -> dict[str, Any]:
            return {k: dataclasses.asdict(v) for k, v in g.items()}

        return {
            "from": iso(self.period_from),
            "to": iso(self.period_to),
            "team_cost": self.team_cost,
            "targets": {
                "first_pass_approval_rate": FIRST_PASS_TARGET,
                "turnaround_days": list(TURNAROUND_BENCHMARK_DAYS),
            },
            "overall": dataclasses.asdict(self.overall),
            "by_payer": groups(self.by_payer),
            "by_owner": groups(self.by_owner),
            "by_month": groups(self.by_month),
        }


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _kpi(cases: list[CaseState], team_cost: float | None = None) -> Kpi:
    first = [c for c in cases if c.first_decision is not None]
    approved = sum(c.first_decision == "approved" for c in first)
    days = [
        business_days_between(c.submitted_on, c.first_decision_on)
        for c in first
        if c.first_decision_on is not None
    ]
    outcomes = [a.outcome for c in cases for a in c.appeals if a.outcome is not None]
    overturned = outcomes.count("overturned")
    return Kpi(
        submissions=len(cases),
        decided=len(first),
        first_pass_approved=approved,
        first_pass_approval_rate=_ratio(approved, len(first)),
        turnaround_mean_days=round(statistics.fmean(days), 2) if days else None,
        turnaround_median_days=float(statistics.median(days)) if days else None,
        appeals_decided=len(outcomes),
        appeals_overturned=overturned,
        appeal_success_rate=_ratio(overturned, len(outcomes)),
        cost_per_pa=round(team_cost / len(cases), 2) if team_cost is not None and cases else None,
    )


def _by(cases: list[CaseState], key: Callable[[CaseState], str]) -> dict[str, Kpi]:
    groups: dict[str, list[CaseState]] = defaultdict(list)
    for c in cases:
        groups[key(c)].append(c)
    return {k: _kpi(v) for k, v in sorted(groups.items())}


def compute_kpis(
    cases: Iterable[CaseState],
    *,
    period_from: dt.date | None = None,
    period_to: dt.date | None = None,
    team_cost: float | None = None,
) -> KpiReport:
    """The KPIs of the cases submitted from ``period_from`` to ``period_to`` (both included; all
    recorded cases when neither is given)."""
    chosen = [
        c
        for c in cases
        if (period_from is None or c.submitted_on >= period_from)
        and (period_to is None or c.submitted_on <= period_to)
    ]
    return KpiReport(
        period_from,
        period_to,
        team_cost,
        overall=_kpi(chosen, team_cost),
        by_payer=_by(chosen, lambda c: c.payer),
        by_owner=_by(chosen, lambda c: c.owner or NO_OWNER),
        by_month=_by(chosen, lambda c: c.submitted_on.strftime("%Y-%m")),
    )
