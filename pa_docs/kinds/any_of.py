"""Any of several rules: met if any part is met, else missing if any is missing, else not_met.

Parts may be rules of any kind, ``all_of`` and ``any_of`` included, at any depth. So BSA 6% with
nothing on record about sensitive areas is *missing* (look for that record), not *not_met*.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, ClassVar, Literal

from pydantic import Field

from ._base import RuleBase
from ._context import Context
from ._result import Result, compose_any

if TYPE_CHECKING:
    from . import Rule

EXAMPLE = """\
# criteria/bcbsms-biologics-psoriasis.yaml, criterion "extent"
kind: any_of
of:
  - {kind: score, label: BSA at least 10%, instrument: bsa, value: ">= 10", within: {days: 180}}
  - kind: all_of
    label: BSA under 10% with a sensitive area involved
    of:
      - {kind: score, instrument: bsa, value: "< 10", within: {days: 180}}
      - {kind: finding, name: psoriasis_sensitive_area}
"""


class AnyOfRule(RuleBase):
    """One part must be met; the first met part gives the reason and the evidence."""

    composite: ClassVar[bool] = True

    kind: Literal["any_of"]
    of: list[Rule] = Field(min_length=1)
    """The parts: rules of any kind."""

    def evaluate(self, ctx: Context) -> Result:
        return compose_any([r.judge(ctx) for r in self.of], self.label)

    def leaves(self) -> Iterator[RuleBase]:
        for r in self.of:
            yield from r.leaves()


RULE = AnyOfRule
