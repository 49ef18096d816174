"""Column widths that never break a date or a word: a column is widened to its longest word
(taking the room from columns that have more than they need). Shared by the HTML/PDF and the
DOCX layouts. Word widths are estimated from character counts (no font metrics are read: a
hand-written estimate, generous by design; a layout engine would measure glyphs)."""

from __future__ import annotations

from ..documents import Table

CHAR_PT = 5.4  # an average 9-9.5 pt serif or sans character, bold included, rounded up
PAD_PT = 12.0  # left and right cell padding together


def _longest(runs: tuple[object, ...]) -> int:
    text = "".join(getattr(r, "text", "") for r in runs)
    return max((len(w) for w in text.split()), default=0)


def fit_widths(table: Table, width_pt: float) -> tuple[int, ...]:
    """The table's column widths in percent, each at least its longest word."""
    rows = ([table.header] if table.header else []) + list(table.rows)
    cols = max(1, len(table.header), *(len(r) for r in table.rows))
    given = list(table.widths) + [0] * (cols - len(table.widths))
    rest = max(100 - sum(given), 0) / max(given.count(0), 1)
    widths = [float(w or rest) for w in given]
    need = [0.0] * cols
    for row in rows:
        for ci, cell in enumerate(row[:cols]):
            need[ci] = max(need[ci], (_longest(cell) * CHAR_PT + PAD_PT) / width_pt * 100)
    short = sum(max(n - w, 0) for n, w in zip(need, widths, strict=True))
    if short <= 0:
        return tuple(round(w) for w in widths)
    spare = [max(w - n, 0) for n, w in zip(need, widths, strict=True)]
    total_spare = sum(spare)
    if total_spare <= 0:
        return tuple(round(w) for w in widths)
    take = min(short, total_spare) / total_spare
    out = [
        max(w, n) if n > w else w - s * take for w, n, s in zip(widths, need, spare, strict=True)
    ]
    return tuple(round(w) for w in out)
