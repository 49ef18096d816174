"""The case log: submissions, decisions, appeals, follow-ups, renewals and the PA KPIs.

Names load on first use, so importing ``pa_docs.log`` (or its CLI) does not load SQLAlchemy.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._csv import COLUMNS, export_csv, read_csv
    from ._dates import add_business_days, business_days_between, is_business_day
    from ._deadline import appeal_deadline_for
    from ._due import work_list
    from ._html import render_kpi_html
    from ._kpi import Kpi, KpiReport, compute_kpis
    from ._model import Appeal, CaseState, Event, WorkItem
    from ._store import CaseLog

__all__ = [
    "COLUMNS",
    "Appeal",
    "CaseLog",
    "CaseState",
    "Event",
    "Kpi",
    "KpiReport",
    "WorkItem",
    "add_business_days",
    "appeal_deadline_for",
    "business_days_between",
    "compute_kpis",
    "export_csv",
    "is_business_day",
    "read_csv",
    "render_kpi_html",
    "work_list",
]

_HOME = {
    "COLUMNS": "_csv", "export_csv": "_csv", "read_csv": "_csv",
    "add_business_days": "_dates", "business_days_between": "_dates", "is_business_day": "_dates",
    "appeal_deadline_for": "_deadline", "work_list": "_due", "render_kpi_html": "_html",
    "Kpi": "_kpi", "KpiReport": "_kpi", "compute_kpis": "_kpi",
    "Appeal": "_model", "CaseState": "_model", "Event": "_model", "WorkItem": "_model",
    "CaseLog": "_store",
}  # fmt: skip


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_HOME[name]}", __name__), name)
