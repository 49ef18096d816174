"""Rich tables for the terminal: verdicts and policies."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from .check import CheckResult, Status
from .policy import Policy

STYLE = {Status.met: "green", Status.not_met: "bold red", Status.missing: "yellow"}
CASE_STYLE = {"ready": "bold green", "gaps": "bold yellow", "not_met": "bold red"}


def verdict_table(out: Console, result: CheckResult) -> None:
    p = result.policy
    out.print(
        f"Case {result.case_id} · {result.request_type} request of {result.request_date} · "
        f"policy {p.id} ({', '.join(x for x in (p.number, p.version_label) if x) or 'no number'})"
    )
    t = Table(show_lines=True, expand=True)
    t.add_column("criterion", no_wrap=True)
    t.add_column("status", no_wrap=True)
    t.add_column("reason, and what to do", ratio=1)
    for v in result.verdicts:
        body = Text(v.reason)
        if v.action:
            body.append("\n→ " + v.action, style="italic")
        t.add_row(v.id, Text(v.status.value, style=STYLE[v.status]), body)
    out.print(t)
    if result.to_fill:
        out.print(Text(f"Still to fill ({len(result.to_fill)}):", style="bold yellow"))
        for f in result.to_fill:
            line = f" (line {f.line})" if f.line else ""
            out.print(f"  - {f.path}{line}: {f.what}")
    if result.warnings:
        out.print(Text(f"Warnings ({len(result.warnings)}):", style="bold"))
        for w in result.warnings:
            line = f" (line {w.line})" if w.line else ""
            out.print(f"  - {w.path}{line}: {w.text}")
    status = result.status.value
    counts = {s: sum(v.status is s for v in result.verdicts) for s in Status}
    fill = f", {len(result.to_fill)} still to fill" if result.to_fill else ""
    out.print(
        Text(f"Status: {status}", style=CASE_STYLE[status]),
        f"({counts[Status.met]} met, {counts[Status.missing]} missing, "
        f"{counts[Status.not_met]} not met{fill})",
    )


def policy_view(out: Console, p: Policy) -> None:
    out.print(Text(f"{p.id} — {p.payer}", style="bold"))
    version = f" · {p.version_label}" if p.version_label else ""
    effective = f" · effective {p.effective}" if p.effective else ""
    out.print(
        f"{p.title}\nnumber: {p.number or '-'}{version}{effective} · last reviewed "
        f"{p.last_reviewed}\n{p.url}"
    )
    for d in p.documents:
        v = f", version {d.version}" if d.version else ""
        out.print(f"cites {d.label}{v}{f' ({d.title})' if d.title else ''}")
    if p.source_note:
        out.print(Text(p.source_note, style="italic"))
    for kind in p.request_types:
        t = Table(title=f"{kind} criteria", show_lines=True, expand=True)
        t.add_column("id", no_wrap=True)
        t.add_column("kind", no_wrap=True)
        t.add_column("wording (quoted: the payer's words)", ratio=2)
        t.add_column("citation and source", ratio=1)
        for c in p.criteria(kind):
            words = f"\u201c{c.text}\u201d" if c.quoted else c.text
            if c.convention:
                words += f"\n[{c.convention.strip()}]"
            s = c.source
            src = f"{c.citation}\n{s.provenance}, checked {s.checked}"
            if s.via:
                src += f"\nvia {s.via}"
            t.add_row(c.id, c.kind, words, src)
        out.print(t)
