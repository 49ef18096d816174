"""The KPI report as one self-contained HTML file: tables, and bar charts by month drawn as inline
SVG (no script, no external resource)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from html import escape

from ._kpi import FIRST_PASS_TARGET, TURNAROUND_BENCHMARK_DAYS, Kpi, KpiReport

_CSS = """
body { font: 14px/1.4 system-ui, sans-serif; color: #1f2933; margin: 2em auto; max-width: 1080px; }
h1 { font-size: 22px; } h2 { font-size: 17px; margin-top: 1.6em; }
table { border-collapse: collapse; margin: .5em 0 1em; }
th, td { border-bottom: 1px solid #d9e2ec; padding: 4px 10px; text-align: right; }
th:first-child, td:first-child { text-align: left; }
.charts { display: flex; flex-wrap: wrap; gap: 24px; }
svg text { font: 11px system-ui, sans-serif; fill: #334e68; }
svg .title { font-size: 13px; font-weight: 600; }
.bar { fill: #2f80ed; } .target { stroke: #d64545; stroke-dasharray: 4 3; }
.band { fill: #f0b429; opacity: .18; } .axis { stroke: #9fb3c8; }
"""

W, H, LEFT, TOP, BOTTOM = 480, 270, 58, 42, 40


def _pct(v: float | None) -> str:
    return "–" if v is None else f"{v * 100:.1f}%"


def _num(v: float | None, unit: str = "") -> str:
    return "–" if v is None else f"{v:g}{unit}"


def _months(keys: list[str]) -> list[str]:
    """Every month from the first to the last key, gaps included."""
    if not keys:
        return []
    y, m = map(int, keys[0].split("-"))
    end = keys[-1]
    out = []
    while (key := f"{y:04d}-{m:02d}") <= end:
        out.append(key)
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def bar_chart(
    title: str,
    months: list[str],
    values: list[float | None],
    top: float,
    label: Callable[[float | None], str],
    target: float | None = None,
    band: tuple[float, float] | None = None,
) -> str:
    """A bar chart, one bar per month with a value; ``target`` a dashed line, ``band`` a shaded
    range (both in the values' unit)."""
    plot_w, plot_h = W - LEFT - 10, H - TOP - BOTTOM

    def y(v: float) -> float:
        return TOP + plot_h * (1 - min(v, top) / top)

    slot = plot_w / max(len(months), 1)
    parts = [
        f'<svg width="{W}" height="{H}" '
        f'viewBox="0 0 {W} {H}" role="img" aria-label="{escape(title)}">',
        f'<text class="title" x="{LEFT}" y="18">{escape(title)}</text>',
        f'<line class="axis" x1="{LEFT}" y1="{TOP + plot_h}" x2="{W - 10}" y2="{TOP + plot_h}"/>',
        f'<line class="axis" x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + plot_h}"/>',
        f'<text x="{LEFT - 6}" y="{TOP + 4}" text-anchor="end">{escape(label(top))}</text>',
        f'<text x="{LEFT - 6}" y="{TOP + plot_h}" text-anchor="end">{escape(label(0))}</text>',
    ]
    if band is not None:
        lo, hi = y(band[0]), y(band[1])
        parts.append(
            f'<rect class="band" x="{LEFT}" y="{hi:.1f}" width="{plot_w}" height="{lo - hi:.1f}"/>'
            f'<text x="{W - 12}" y="{hi - 4:.1f}" text-anchor="end">benchmark '
            f"{escape(label(band[0]))}–{escape(label(band[1]))}</text>"
        )
    for i, (month, v) in enumerate(zip(months, values, strict=True)):
        x = LEFT + i * slot + slot * 0.2
        cx = LEFT + i * slot + slot / 2
        if v is not None:
            by = y(v)
            parts.append(
                f'<rect class="bar" data-month="{month}" x="{x:.1f}" y="{by:.1f}" '
                f'width="{slot * 0.6:.1f}" height="{TOP + plot_h - by:.1f}">'
                f"<title>{month}: {escape(label(v))}</title></rect>"
                f'<text x="{cx:.1f}" y="{by - 4:.1f}" text-anchor="middle">'
                f"{escape(label(v))}</text>"
            )
        parts.append(
            f'<text x="{cx:.1f}" y="{TOP + plot_h + 16}" text-anchor="middle">{month}</text>'
        )
    if target is not None:
        ty = y(target)
        parts.append(
            f'<line class="target" x1="{LEFT}" y1="{ty:.1f}" x2="{W - 10}" y2="{ty:.1f}"/>'
            f'<text x="{W - 12}" y="{ty - 4:.1f}" text-anchor="end">target '
            f"{escape(label(target))}</text>"
        )
    parts.append("</svg>")
    return "\n".join(parts)


def _table(title: str, rows: dict[str, Kpi], with_cost: bool = False) -> str:
    head = [
        "",
        "Submissions",
        "First-pass approval",
        "Turnaround mean",
        "Turnaround median",
        "Appeal success",
    ] + (["Cost per PA"] if with_cost else [])
    out = [f"<h2>{escape(title)}</h2>", "<table>", "<tr>"]
    out += [f"<th>{escape(h)}</th>" for h in head] + ["</tr>"]
    for name, k in rows.items():
        cells = [
            name,
            str(k.submissions),
            f"{_pct(k.first_pass_approval_rate)} ({k.first_pass_approved}/{k.decided})",
            _num(k.turnaround_mean_days, " d"),
            _num(k.turnaround_median_days, " d"),
            f"{_pct(k.appeal_success_rate)} ({k.appeals_overturned}/{k.appeals_decided})",
        ]
        if with_cost:
            cells.append("–" if k.cost_per_pa is None else f"{k.cost_per_pa:,.2f}")
        out.append("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in cells) + "</tr>")
    out.append("</table>")
    return "\n".join(out)


def monthly_charts(report: KpiReport) -> list[str]:
    """The report's three charts by month (SVG), for the HTML report and the workbench."""
    months = _months(list(report.by_month))
    per = [report.by_month.get(m) for m in months]

    def series(attr: str) -> list[float | None]:
        return [getattr(k, attr) if k else None for k in per]

    longest = max([v for v in series("turnaround_mean_days") if v is not None] + [10.0])
    return [
        bar_chart(
            "First-pass approval rate by month",
            months,
            series("first_pass_approval_rate"),
            1.0,
            _pct,
            target=FIRST_PASS_TARGET,
        ),
        bar_chart("Appeal success rate by month", months, series("appeal_success_rate"), 1.0, _pct),
        bar_chart(
            "Mean turnaround (business days) by month",
            months,
            series("turnaround_mean_days"),
            float(longest),
            lambda v: _num(v),
            band=(float(TURNAROUND_BENCHMARK_DAYS[0]), float(TURNAROUND_BENCHMARK_DAYS[1])),
        ),
    ]


def render_kpi_html(report: KpiReport, generated: dt.date | None = None) -> str:
    """The report as a complete HTML document."""
    charts = monthly_charts(report)
    period = f"{report.period_from or 'first case'} to {report.period_to or 'last case'}"
    made = f" · generated {generated}" if generated else ""
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            "<title>Prior-authorization KPIs</title>",
            f"<style>{_CSS}</style></head><body>",
            "<h1>Prior-authorization KPIs</h1>",
            f"<p>Cases submitted from {escape(period)}{escape(made)}. First-pass approval target "
            f"&gt; {FIRST_PASS_TARGET:.0%}; turnaround benchmark {TURNAROUND_BENCHMARK_DAYS[0]}–"
            f"{TURNAROUND_BENCHMARK_DAYS[1]} business days.</p>",
            _table("Overall", {"All cases": report.overall}, with_cost=True),
            '<h2>By month</h2><div class="charts">',
            *charts,
            "</div>",
            _table("By payer", report.by_payer),
            _table("By owner", report.by_owner),
            _table("By month of submission", report.by_month),
            "</body></html>",
        ]
    )
