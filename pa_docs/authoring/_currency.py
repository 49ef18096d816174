"""Are the Medicare policies current? The LCD and article versions they cite, against the CMS
Medicare Coverage Database index (``documents_latest.csv``).

The index lists one row per document version; its quirks: contractor names span several lines
inside one quoted field, dates are MM/DD/YYYY, a missing date is ``N/A``, and a display id
(``L33718``) appears more than once when a version is pending (``note: Future``) beside the one
in force.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError
from ..policy import Policy

COLUMNS = {
    "document_display_id",
    "document_type",
    "document_version",
    "effective_date",
    "note",
    "retirement_date",
    "title",
}
_MEDICARE_ID = re.compile(r"^[LA]\d{5}$")


@dataclass(frozen=True)
class IndexRow:
    """One version of one document, as the index lists it."""

    display_id: str
    kind: str  # LCD | Article
    version: int
    effective: dt.date | None
    retired: dt.date | None
    note: str
    title: str
    line: int


@dataclass(frozen=True)
class Currency:
    """One document a policy cites, against the index."""

    policy: str
    document: str
    kind: str
    cited: str | None
    current: int | None
    effective: dt.date | None
    status: str  # current | outdated | retired | not in index | version not cited
    detail: str

    @property
    def ok(self) -> bool:
        return self.status == "current"

    def to_dict(self) -> dict[str, object]:
        return {
            "policy": self.policy,
            "document": self.document,
            "kind": self.kind,
            "cited_version": self.cited,
            "current_version": self.current,
            "current_effective": self.effective.isoformat() if self.effective else None,
            "status": self.status,
            "detail": self.detail,
        }


def _date(text: str, path: Path, line: int, column: str) -> dt.date | None:
    text = text.strip()
    if text in {"", "N/A"}:
        return None
    try:
        return dt.datetime.strptime(text, "%m/%d/%Y").date()
    except ValueError:
        raise InputError(
            f"expected a date as MM/DD/YYYY or N/A, got {text!r}",
            file=path,
            line=line,
            field=column,
        ) from None


def read_index(path: str | Path) -> dict[str, list[IndexRow]]:
    """The index's rows by display id. A file that is not the index is an ``InputError`` naming
    the line (the physical line where the record starts)."""
    p = Path(path)
    try:
        f = p.open(newline="", encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", file=p) from None
    out: dict[str, list[IndexRow]] = {}
    with f:
        reader = csv.DictReader(f)
        missing = COLUMNS - set(reader.fieldnames or ())
        if missing:
            raise InputError(
                f"not the CMS MCD index: columns {', '.join(sorted(missing))} are missing",
                file=p,
                line=1,
            )
        line = reader.line_num + 1
        try:
            for rec in reader:
                if None in rec or any(v is None for v in rec.values()):
                    raise InputError("a row with a different number of fields", file=p, line=line)
                version = rec["document_version"].strip()
                if not version.isdigit():
                    raise InputError(
                        f"expected a version number, got {version!r}",
                        file=p,
                        line=line,
                        field="document_version",
                    )
                row = IndexRow(
                    rec["document_display_id"].strip(),
                    rec["document_type"].strip(),
                    int(version),
                    _date(rec["effective_date"], p, line, "effective_date"),
                    _date(rec["retirement_date"], p, line, "retirement_date"),
                    rec["note"].strip(),
                    " ".join(rec["title"].split()),
                    line,
                )
                out.setdefault(row.display_id, []).append(row)
                line = reader.line_num + 1
        except csv.Error as exc:
            raise InputError(f"not valid CSV: {exc}", file=p, line=reader.line_num) from None
        except UnicodeDecodeError as exc:
            raise InputError(f"not UTF-8 text ({exc.reason})", file=p) from None
    return out


def cited_documents(policy: Policy) -> list[tuple[str, str, str | None]]:
    """The LCDs and policy articles a policy cites: (display id, kind, version cited)."""
    out: list[tuple[str, str, str | None]] = []
    number = (policy.number or "").removeprefix("LCD ").strip()
    if _MEDICARE_ID.match(number):
        out.append((number, "LCD" if number.startswith("L") else "Article", policy.version))
    for d in policy.documents:
        if d.kind in {"lcd", "article"}:
            out.append((d.id, "LCD" if d.kind == "lcd" else "Article", d.version))
    return out


def judge(policy_id: str, doc: str, kind: str, cited: str | None, rows: list[IndexRow],
          as_of: dt.date) -> Currency:  # fmt: skip
    """The cited version of one document against its rows in the index, on ``as_of``."""
    if not rows:
        return Currency(policy_id, doc, kind, cited, None, None, "not in index",
                        "the index has no row for this id")  # fmt: skip
    in_force = [r for r in rows if r.effective is None or r.effective <= as_of]
    pending = sorted((r for r in rows if r not in in_force), key=lambda r: r.version)
    latest = max(in_force or rows, key=lambda r: r.version)
    later = (
        f"; version {pending[-1].version} takes effect {pending[-1].effective}" if pending else ""
    )
    if (latest.retired is not None and latest.retired <= as_of) or latest.note == "Retired":
        when = latest.retired.isoformat() if latest.retired else "(date not given)"
        return Currency(policy_id, doc, kind, cited, latest.version, latest.effective, "retired",
                        f"retired {when}{later}")  # fmt: skip
    eff = f"effective {latest.effective}" if latest.effective else "effective date N/A"
    if cited is None:
        status, detail = "version not cited", f"current version {latest.version}, {eff}"
    elif cited.strip() == str(latest.version):
        status, detail = "current", f"version {latest.version}, {eff}"
    else:
        status, detail = (
            "outdated",
            f"cites version {cited}; current version {latest.version}, {eff}",
        )
    return Currency(policy_id, doc, kind, cited, latest.version, latest.effective, status,
                    detail + later)  # fmt: skip


def currency(policies: list[Policy], index: dict[str, list[IndexRow]], as_of: dt.date
             ) -> list[Currency]:  # fmt: skip
    """Every LCD and article the policies cite, against the index on ``as_of``."""
    out = []
    for p in policies:
        for doc, kind, cited in cited_documents(p):
            out.append(judge(p.id, doc, kind, cited, index.get(doc, []), as_of))
    return out
