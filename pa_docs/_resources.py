"""Where the shipped criteria, templates and examples live (in a wheel or in a source checkout)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@cache
def shipped(name: str) -> Path:
    """The folder ``name`` (criteria, templates, examples): inside the installed package, or at
    the top of the source checkout when running from one."""
    inside = _PACKAGE / "_shipped" / name
    if inside.is_dir():
        return inside
    return _PACKAGE.parent / name
