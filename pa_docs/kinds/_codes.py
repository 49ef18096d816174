"""ICD-10-CM code patterns used by policies: ``M05.*``, ``M06.1``, ``I10-I16``, ``K50``."""

from __future__ import annotations

import re
from functools import cache

_RANGE = re.compile(r"^([A-Z]\d\d)-([A-Z]\d\d)$")


@cache
def _compile(pattern: str) -> re.Pattern[str] | tuple[str, str]:
    p = pattern.strip().upper()
    m = _RANGE.match(p)
    if m:
        return (m.group(1), m.group(2))
    if p.endswith(".*"):
        return re.compile(re.escape(p[:-2]) + r"(\..*)?$")
    if p.endswith("*"):
        return re.compile(re.escape(p[:-1]) + r".*$")
    # a bare category (K50) covers its subcodes; a full code (M06.1) covers itself and its children
    return re.compile(re.escape(p) + (r"(\..*)?$" if "." not in p else r".*$"))


def code_matches(code: str, pattern: str) -> bool:
    """Whether ICD-10-CM ``code`` falls under ``pattern`` (a code, a ``X.*`` family or a range)."""
    c = code.strip().upper()
    rule = _compile(pattern)
    if isinstance(rule, tuple):
        return rule[0] <= c[:3] <= rule[1]
    return rule.match(c) is not None


def any_match(code: str, patterns: list[str]) -> bool:
    return any(code_matches(code, p) for p in patterns)
