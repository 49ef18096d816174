"""Derive the compact ICD-10-CM code table shipped in pa_docs/vocab/data/icd10cm_codes.txt.

simple-icd-10-cm holds the code set but costs ~1.8 s and ~190 MB to import, so pa-docs ships the
codes alone (no dots, one per line, sorted) and reads them in a few milliseconds. Run:

    python scripts/build_icd10_table.py

tests/test_vocab.py checks that the shipped table matches the installed simple-icd-10-cm.
"""

from __future__ import annotations

import re
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "pa_docs" / "vocab" / "data" / "icd10cm_codes.txt"
_CODE = re.compile(r"^[A-Z][0-9][0-9A-Z]{1,5}$")


def codes() -> list[str]:
    import simple_icd_10_cm as icd

    return sorted(c for c in icd.get_all_codes(with_dots=False) if _CODE.match(c))


if __name__ == "__main__":
    table = codes()
    OUT.write_text("\n".join(table) + "\n", encoding="ascii")
    print(f"wrote {len(table)} codes to {OUT}")
