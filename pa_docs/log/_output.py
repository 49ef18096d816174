"""How the CLI shows the log: plain data for ``--format json`` and rich tables for people."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.table import Table

from .._console import printable
from ._kpi import Kpi, KpiReport
from ._model import CaseState, Event, WorkItem


def plain(value: Any) -> Any:
    """Dates and datetimes as ISO strings, dataclasses as dicts, recursively."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def show_json(case: CaseState, history: list[Event]) -> dict[str, Any]:
    return {
        "case": plain(case),
        "history": [{**plain(e), "summary": e.summary()} for e in history],
    }


def due_json(items: list[WorkItem], as_of: dt.date) -> dict[str, Any]:
    return {"as_of": as_of.isoformat(), "items": plain(items)}


def _s(v: object) -> str:
    """A value for a table cell: shown, never acted on (no escape sequence reaches the
    terminal)."""
    return "" if v is None else printable(str(v))


def show_table(case: CaseState, history: list[Event]) -> RenderableType:
    state = Table(title=f"Case {_s(case.case_id)}", show_header=False, title_justify="left")
    state.add_column(style="bold")
    state.add_column()
    rows = [
        ("status", f"{case.status} since {case.status_on}"),
        ("patient", case.patient), ("payer", f"{case.payer} ({case.line_of_business})"),
        ("item", case.item), ("policy", case.policy), ("owner", case.owner),
        ("submitted", f"{case.submitted_on} by {case.method or '?'}"
                      + (f", confirmation {case.confirmation}" if case.confirmation else "")),
        ("follow up on", case.follow_up_on), ("escalate on", case.escalate_on),
        ("first decision", case.first_decision and f"{case.first_decision} on "
                                                   f"{case.first_decision_on}"),
        ("authorization", case.auth_number),
        ("valid", case.valid_through and f"{case.valid_from or '?'} to {case.valid_through}"),
        ("denial reference", case.denial_reference),
        ("appeal deadline", case.appeal_deadline),
    ]  # fmt: skip
    for a in case.appeals:
        outcome = f", {a.outcome} on {a.outcome_on}" if a.outcome else ", open"
        rows.append((f"level {a.level} appeal", f"filed {a.filed_on}{outcome}"))
    for k, v in rows:
        if v is not None:
            state.add_row(k, _s(v))
    hist = Table(title="History", title_justify="left")
    for col in ("when (UTC)", "who", "what", ""):
        hist.add_column(col)
    for e in history:
        hist.add_row(e.at.strftime("%Y-%m-%d %H:%M:%S"), _s(e.who), _s(e.kind), _s(e.summary()))
    return Group(state, hist)


def due_table(items: list[WorkItem], as_of: dt.date) -> RenderableType:
    t = Table(title=f"Work list as of {as_of} ({len(items)})", title_justify="left")
    for col in ("due", "", "case", "payer", "owner", "what", "to do"):
        t.add_column(col)
    for i in items:
        when = (
            "today" if i.days == 0 else f"{-i.days} d overdue" if i.days < 0 else f"in {i.days} d"
        )
        t.add_row(
            str(i.due_on),
            when,
            _s(i.case_id),
            _s(i.payer),
            _s(i.owner),
            _s(i.kind.replace("_", " ")),
            _s(i.action),
        )
    return t


def _pct(v: float | None) -> str:
    return "–" if v is None else f"{v:.1%}"


def kpi_table(report: KpiReport) -> RenderableType:
    period = f"{report.period_from or 'first case'} to {report.period_to or 'last case'}"
    t = Table(title=f"PA KPIs, cases submitted {period}", title_justify="left")
    for col in (
        "",
        "submissions",
        "first-pass approval",
        "turnaround mean / median (bd)",
        "appeal success",
        "cost per PA",
    ):
        t.add_column(col, justify="left" if not col else "right")

    def add(name: str, k: Kpi) -> None:
        tat = (
            "–"
            if k.turnaround_mean_days is None
            else (f"{k.turnaround_mean_days:g} / {k.turnaround_median_days:g}")
        )
        t.add_row(
            _s(name),
            str(k.submissions),
            f"{_pct(k.first_pass_approval_rate)} ({k.first_pass_approved}/{k.decided})",
            tat,
            f"{_pct(k.appeal_success_rate)} ({k.appeals_overturned}/{k.appeals_decided})",
            "" if k.cost_per_pa is None else f"{k.cost_per_pa:,.2f}",
        )

    add("all cases", report.overall)
    for title, group in (("payer", report.by_payer), ("owner", report.by_owner)):
        t.add_section()
        for name, k in group.items():
            add(f"{title} {name}", k)
    return t


def print_renderable(renderable: RenderableType) -> None:
    Console(markup=False, emoji=False, highlight=False).print(renderable)
