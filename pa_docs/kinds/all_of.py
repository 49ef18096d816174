"""All of several rules: not_met if any part is not_met, else missing if any is missing, else met.

Parts may be rules of any kind, ``all_of`` and ``any_of`` included, at any depth. The reason
names each part by its ``label``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, ClassVar, Literal

from pydantic import Field

from ._base import RuleBase
from ._context import Context
from ._result import Result, compose_all

if TYPE_CHECKING:
    from . import Rule

EXAMPLE = """\
# criteria/aetna-infliximab-ra.yaml, criterion "serology" (one alternative of an any_of)
kind: all_of
label: RF, anti-CCP and CRP or ESR tested
of:
  - {kind: lab, tests: [rf], result: any}
  - {kind: lab, tests: [anti_ccp], result: any}
  - {kind: lab, tests: [crp, esr], result: any}
"""


class AllOfRule(RuleBase):
    """Every part must be met."""

    composite: ClassVar[bool] = True

    kind: Literal["all_of"]
    of: list[Rule] = Field(min_length=1)
    """The parts: rules of any kind."""

    def evaluate(self, ctx: Context) -> Result:
        return compose_all([r.judge(ctx) for r in self.of], self.label)

    def leaves(self) -> Iterator[RuleBase]:
        for r in self.of:
            yield from r.leaves()


RULE = AllOfRule
