"""pa-docs: prior-authorization documentation from payer criteria as data.

    >>> import pa_docs
    >>> case = pa_docs.load_case("examples/ra-infliximab-aetna.yaml")
    >>> policy = pa_docs.select_policy(case, pa_docs.load_policies())
    >>> result = pa_docs.check_case(case, policy)
    >>> result.status.value
    'ready'
    >>> doc = pa_docs.build_packet(case, policy, result)          # doctest: +SKIP
    >>> pa_docs.write(doc, "pdf", "packet.pdf")                   # doctest: +SKIP

Documents and renderers load on first use, so ``import pa_docs`` stays light.
"""

from __future__ import annotations

import logging
from typing import Any

from .case import Case, load_case
from .check import CaseStatus, CheckResult, Evidence, Status, Verdict, check_case
from .errors import CaseError, InputError, NotReadyError, PaDocsError, PolicyError
from .notices import FILL, InputWarning, ToFill
from .policy import Criterion, Policy, load_policies, load_policy, select_policy

logging.getLogger("pa_docs").addHandler(logging.NullHandler())

_LAZY = {
    "Document": "documents",
    "Profile": "documents",
    "build_packet": "documents",
    "build_letter": "documents",
    "load_profile": "documents",
    "render": "render",
    "write": "render",
    "Denial": "appeal",
    "load_denial": "appeal",
    "batch": "_batch",
    "BatchRow": "_batch",
}

__all__ = [
    "FILL",
    "BatchRow",
    "Case",
    "CaseError",
    "CaseStatus",
    "CheckResult",
    "Criterion",
    "Denial",
    "Document",
    "Evidence",
    "InputError",
    "InputWarning",
    "NotReadyError",
    "PaDocsError",
    "Policy",
    "PolicyError",
    "Profile",
    "Status",
    "ToFill",
    "Verdict",
    "batch",
    "build_letter",
    "build_packet",
    "check_case",
    "load_case",
    "load_denial",
    "load_policies",
    "load_policy",
    "load_profile",
    "render",
    "select_policy",
    "write",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        module = importlib.import_module(f".{_LAZY[name]}", __name__)
        return getattr(module, name)
    raise AttributeError(f"module 'pa_docs' has no attribute {name!r}")
