"""Output files are written atomically with mode 0600 to safe targets: see ``pa_docs._files``."""

from __future__ import annotations

from .._files import check_target, write_atomic

__all__ = ["check_target", "write_atomic"]
