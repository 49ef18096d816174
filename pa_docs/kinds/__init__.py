"""Criterion kinds: one module per kind, holding its rule model and its evaluation.

A policy criterion's ``rule`` is one of these kinds, chosen by its ``kind`` key. Each module
defines a rule class (a closed pydantic model whose docstrings document its fields), its
``evaluate(ctx) -> Result`` method, and an ``EXAMPLE`` YAML snippet for the policy-format page.

To add a kind: write ``pa_docs/kinds/<kind>.py`` (its rule class named in ``RULE``, ``EXAMPLE``,
the module docstring) and add its name to ``KIND_MODULES`` below. The registry, the ``Rule``
union that policies are validated with, and the policy-format reference follow from that list.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import TYPE_CHECKING, Annotated, Union

from pydantic import Field

from ._base import Baseline, Condition, DrugMatch, Relative, RuleBase, Window
from ._codes import any_match, code_matches
from ._context import Context
from ._result import (
    CaseStatus,
    Evidence,
    Message,
    Result,
    Status,
    case_status,
    compose_all,
    compose_any,
    msg,
)
from ._wording import ENGLISH, Said, Wording

KIND_MODULES = (
    "diagnosis",
    "age",
    "prescriber",
    "lab",
    "score",
    "step_therapy",
    "concurrent_therapy",
    "dosing",
    "encounter",
    "finding",
    "event_count",
    "percent_change",
    "all_of",
    "any_of",
)

MODULES: dict[str, ModuleType] = {
    name: importlib.import_module(f".{name}", __name__) for name in KIND_MODULES
}
REGISTRY: dict[str, type[RuleBase]] = {name: m.RULE for name, m in MODULES.items()}
"""Each kind's rule class, by the value of its ``kind`` key."""
LEAF_KINDS: tuple[str, ...] = tuple(k for k, c in REGISTRY.items() if not c.composite)
"""The kinds that judge the record themselves (not ``all_of`` / ``any_of``)."""

if TYPE_CHECKING:
    Rule = RuleBase
else:
    Rule = Annotated[Union[tuple(REGISTRY.values())], Field(discriminator="kind")]  # noqa: UP007
    """A rule of any kind, told apart by its ``kind`` key."""

for _cls in REGISTRY.values():
    if _cls.composite:
        _cls.model_rebuild(_types_namespace={"Rule": Rule})


__all__ = [
    "ENGLISH",
    "KIND_MODULES",
    "LEAF_KINDS",
    "MODULES",
    "REGISTRY",
    "Baseline",
    "CaseStatus",
    "Condition",
    "Context",
    "DrugMatch",
    "Evidence",
    "Message",
    "Relative",
    "Result",
    "Rule",
    "RuleBase",
    "Said",
    "Status",
    "Window",
    "Wording",
    "any_match",
    "case_status",
    "code_matches",
    "compose_all",
    "compose_any",
    "msg",
]
