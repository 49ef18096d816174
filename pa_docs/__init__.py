"""pa-docs: prior-authorization documentation from payer criteria as data.

    >>> import pa_docs
    >>> case = pa_docs.load_case("examples/ra-infliximab-aetna.yaml")
    >>> policy = pa_docs.select_policy(case, pa_docs.load_policies())
    >>> result = pa_docs.check_case(case, policy)
    >>> result.status.value
    'ready'
    >>> doc = pa_docs.build_packet(case, policy, result)          # doctest: +SKIP
    >>> pa_docs.write(doc, "pdf", "packet.pdf")                   # doctest: +SKIP

Documents, renderers, appeals and batches load on first use, so ``import pa_docs`` stays light;
their names are imported under ``TYPE_CHECKING`` too, so a type checker sees every name typed.
Subpackages (``pa_docs.render``, ``pa_docs.fhir``, ``pa_docs.log``, ...) load on first access.
"""

from __future__ import annotations

import importlib as _importlib
import logging as _logging
from typing import TYPE_CHECKING as _TYPE_CHECKING
from typing import Any as _Any

from .case import Case, load_case
from .check import (
    CaseStatus,
    CheckResult,
    Evidence,
    Message,
    Result,
    Status,
    Verdict,
    Wording,
    check_case,
)
from .errors import CaseError, InputError, NotReadyError, PaDocsError, PolicyError
from .notices import FILL, InputWarning, ToFill
from .policy import Criterion, Policy, load_policies, load_policy, select_policy

if _TYPE_CHECKING:
    from ._batch import BatchRow, batch
    from .appeal import AppealPlan, Deadline, Denial, deadline, load_denial, plan_appeal
    from .documents import (
        Document,
        Profile,
        Signer,
        build_appeal,
        build_letter,
        build_p2p,
        build_packet,
        load_profile,
    )
    from .render import render_document, write

_logging.getLogger("pa_docs").addHandler(_logging.NullHandler())

# name -> the module it lives in, imported on first use
_LAZY = {
    "Document": "documents",
    "Profile": "documents",
    "Signer": "documents",
    "build_packet": "documents",
    "build_letter": "documents",
    "build_appeal": "documents",
    "build_p2p": "documents",
    "load_profile": "documents",
    "render_document": "render",
    "write": "render",
    "AppealPlan": "appeal",
    "Deadline": "appeal",
    "Denial": "appeal",
    "deadline": "appeal",
    "load_denial": "appeal",
    "plan_appeal": "appeal",
    "batch": "_batch",
    "BatchRow": "_batch",
}
# subpackages reachable as attributes (``pa_docs.render.FORMATS``) without importing them first
_SUBPACKAGES = frozenset(
    {"appeal", "authoring", "case", "check", "documents", "errors", "fhir", "kinds", "log"}
    | {"notices", "policy", "render", "vocab", "web"}
)

__all__ = [
    "FILL",
    "AppealPlan",
    "BatchRow",
    "Case",
    "CaseError",
    "CaseStatus",
    "CheckResult",
    "Criterion",
    "Deadline",
    "Denial",
    "Document",
    "Evidence",
    "InputError",
    "InputWarning",
    "Message",
    "NotReadyError",
    "PaDocsError",
    "Policy",
    "PolicyError",
    "Profile",
    "Result",
    "Signer",
    "Status",
    "ToFill",
    "Verdict",
    "Wording",
    "batch",
    "build_appeal",
    "build_letter",
    "build_p2p",
    "build_packet",
    "check_case",
    "deadline",
    "load_case",
    "load_denial",
    "load_policies",
    "load_policy",
    "load_profile",
    "plan_appeal",
    "render_document",
    "select_policy",
    "write",
]


def __getattr__(name: str) -> _Any:
    if name in _LAZY:
        return getattr(_importlib.import_module(f".{_LAZY[name]}", __name__), name)
    if name in _SUBPACKAGES:
        return _importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'pa_docs' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__, *_SUBPACKAGES})
