"""What every rule kind shares: the rule base class and the pieces rules are built from.

A rule is a closed pydantic model (a misspelt key is an error) whose ``kind`` field names it and
whose ``evaluate`` method judges a case. The pieces here (a comparison, a look-back window, a
drug or class to match, a window relative to a treatment start) appear in several kinds.
"""

from __future__ import annotations

import datetime as dt
import operator
import re
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .._dates import add_months
from ..vocab import vocabulary

if TYPE_CHECKING:
    from ._context import Context
    from ._result import Result


class Model(BaseModel):
    """A closed, frozen model; a field's docstring is its description, shown in the docs (read by
    ``pa_docs._fielddocs`` when they are written, not at import: see there)."""

    model_config = ConfigDict(extra="forbid", frozen=True, coerce_numbers_to_str=True)


OPS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
    "==": operator.eq,
}
_OP_WORDS = {">=": "at least", ">": "greater than", "<=": "at most", "<": "less than", "==": ""}


class Condition(Model):
    """A comparison such as ``>= 15``, written in YAML as that string (a bare number: ``==``)."""

    op: Literal[">=", ">", "<=", "<", "=="]
    """The comparison: ``>=`` includes the threshold, ``>`` excludes it."""
    value: float
    """The threshold."""

    @model_validator(mode="before")
    @classmethod
    def _parse(cls, v: Any) -> Any:
        if isinstance(v, int | float):
            return {"op": "==", "value": v}
        if isinstance(v, str):
            m = re.fullmatch(r"\s*(>=|<=|==|>|<)\s*(-?\d+(?:\.\d+)?)\s*", v)
            if not m:
                raise ValueError(f"expected a comparison such as '>= 15', got {v!r}")
            return {"op": m.group(1), "value": float(m.group(2))}
        return v

    def test(self, x: float) -> bool:
        return OPS[self.op](x, self.value)

    def words(self) -> str:
        w = _OP_WORDS[self.op]
        return f"{w} {self.value:g}" if w else f"{self.value:g}"

    def in_unit(self, unit: str | None) -> Threshold:
        """This condition in the unit of what it measures (the vocabulary's unit of a test or
        instrument), as verdicts say it."""
        return Threshold(self, unit or "")


@dataclass(frozen=True, slots=True)
class Threshold:
    """A condition with its unit, as verdicts say it: 'at least 10%', 'at most 55 mm Hg'."""

    condition: Condition
    unit: str = ""

    def words(self) -> str:
        text = self.condition.words()
        if not self.unit:
            return text
        return f"{text}{self.unit}" if self.unit == "%" else f"{text} {self.unit}"

    def to_dict(self) -> dict[str, Any]:
        """The threshold as JSON: the condition's op and value, and its unit when it has one."""
        out: dict[str, Any] = self.condition.model_dump(mode="json")
        return {**out, "unit": self.unit} if self.unit else out


class Window(Model):
    """A look-back window counted back from the request date, inclusive: ``{months: 12}`` includes
    the same calendar date a year before; ``{days: 30}`` includes ``request_date - 30 days``."""

    days: int | None = Field(default=None, ge=0)
    """The window in days (give this or ``months``)."""
    months: int | None = Field(default=None, ge=0)
    """The window in calendar months (give this or ``days``)."""

    @model_validator(mode="after")
    def _one(self) -> Window:
        if (self.days is None) == (self.months is None):
            raise ValueError("a window gives exactly one of `days` or `months`")
        return self

    def start(self, request_date: dt.date) -> dt.date:
        if self.days is not None:
            return request_date - dt.timedelta(days=self.days)
        assert self.months is not None
        return add_months(request_date, -self.months)

    def words(self) -> str:
        if self.days is not None:
            return f"{self.days} days"
        n = self.months
        return "12 months" if n == 12 else f"{n} month{'s' if n != 1 else ''}"


class DrugMatch(Model):
    """Which treatment records qualify: a drug (any of its names) or a class, maybe narrowed.
    A bare string is a drug name; ``requested`` means the drug the case requests.

    Where the payer names a class and gives examples ("another biologic (e.g. adalimumab,
    etanercept)"), match the class and list the payer's names under ``examples``: the class
    decides, the examples document the text (each must belong to the class)."""

    model_config = ConfigDict(populate_by_name=True)

    drug: str | None = None
    """A drug's generic or brand name, or ``requested`` (give this or ``class``)."""
    drug_class: str | None = Field(default=None, alias="class")
    """A drug class of the vocabulary, e.g. ``conventional_dmard``, ``tnf_inhibitor``,
    ``psoriasis_biologic``: every member counts."""
    examples: list[str] = []
    """With ``class``: the names the payer's text gives as examples of the class ("e.g.",
    "such as"). Each must be a member of the class; they never stand for the whole class."""
    exclude: list[str] = []
    """With ``class``: members that do not count under this match; ``requested`` excludes the
    requested drug ("another biologic")."""
    routes: list[str] | None = None
    """Only records taken by one of these routes count (e.g. ``[oral, subcutaneous]``)."""
    topical: bool | None = None
    """``true``: only topical records (by route or form: ruxolitinib cream); ``false``: only
    the others."""
    max_potency_class: int | None = Field(default=None, ge=1, le=7)
    """Topical corticosteroids: only this potency class or stronger (1 is the strongest)."""
    intensity: Literal["high"] | None = None
    """Statins: only this intensity, from the daily dose (the vocabulary's ``statin_intensity``:
    the doses a payer's text defines as high-intensity)."""

    @model_validator(mode="after")
    def _known(self) -> DrugMatch:
        v = vocabulary()
        if (self.drug is None) == (self.drug_class is None):
            raise ValueError("give exactly one of `drug` or `class`")
        if self.drug is not None and self.drug != "requested" and v.drug(self.drug) is None:
            raise ValueError(f"unknown drug {self.drug!r}")
        if self.drug is not None and (self.examples or self.exclude):
            raise ValueError("`examples` and `exclude` go with `class`, not `drug`")
        if self.drug_class is not None:
            v.require("classes", self.drug_class)
            for name in (*self.examples, *(x for x in self.exclude if x != "requested")):
                d = v.drug(name)
                if d is None:
                    raise ValueError(f"unknown drug {name!r}")
                if self.drug_class not in d.all_classes:
                    raise ValueError(
                        f"{name!r} is not in the class {self.drug_class!r} of the vocabulary "
                        f"(its classes: {', '.join(d.all_classes)})"
                    )
        if self.intensity is not None:
            one = v.drug(self.drug) if self.drug not in (None, "requested") else None
            if self.drug_class != "statin" and (one is None or "statin" not in one.all_classes):
                raise ValueError("`intensity` applies to a statin or the class `statin`")
        return self

    def label(self, requested: str = "the requested drug") -> str:
        """The match in words: a drug's name, or a class with its exceptions and examples."""
        if self.drug:
            known = vocabulary().drugs.get(self.drug)
            return known.display if known and known.display else self.drug
        assert self.drug_class is not None
        name = vocabulary().classes[self.drug_class]
        if self.exclude:
            others = [requested if x == "requested" else x for x in self.exclude]
            name = f"{name} other than {' or '.join(others)}"
        if self.max_potency_class:
            name = f"{name} (potency class {self.max_potency_class} or stronger)"
        if self.intensity:
            name = f"{self.intensity}-intensity {name}"
        if self.examples:
            name = f"{name} (such as {', '.join(self.examples[:3])})"
        return name


def drug_matches(v: Any) -> Any:
    """Accept a bare drug name or a list of names/matches where a list of DrugMatch is expected."""
    if v is None:
        return v
    if isinstance(v, str | dict):
        v = [v]
    if isinstance(v, list):
        return [{"drug": x} if isinstance(x, str) else x for x in v]
    return v


Drugs = Annotated[list[DrugMatch], Field(min_length=1)]


class Relative(Model):
    """A window counted from the start of a treatment: day ``from_day`` to day ``to_day``."""

    start_of: Drugs
    """The treatment whose start anchors the window (the current one, else the latest started)."""
    from_day: int = 0
    """The first day of the window, counted from the start (day 0)."""
    to_day: int | None = None
    """The last day of the window; none: up to the request date."""

    _drugs = field_validator("start_of", mode="before")(classmethod(lambda cls, v: drug_matches(v)))


class Baseline(Model):
    """Compare with the most recent score on or before the start of a treatment."""

    start_of: Drugs
    """The treatment whose start marks the baseline."""
    op: Literal[">=", ">", "<=", "<", "=="]
    """How the current score must compare with the baseline (``<``: improved when lower)."""

    _drugs = field_validator("start_of", mode="before")(classmethod(lambda cls, v: drug_matches(v)))


class RuleBase(Model):
    """A rule of one kind. Subclasses set ``kind: Literal["their-kind"]`` and ``evaluate``."""

    composite: ClassVar[bool] = False

    kind: str
    """The rule's kind (one module of ``pa_docs.kinds`` each)."""
    label: str | None = None
    """A few words naming this rule inside an ``all_of`` or ``any_of`` (shown in the reason)."""

    @classmethod
    def kind_name(cls) -> str:
        """The value of ``kind`` this rule class accepts."""
        (name,) = typing.get_args(cls.model_fields["kind"].annotation)
        return str(name)

    def evaluate(self, ctx: Context) -> Result:
        """Judge the case in ``ctx`` against this rule."""
        raise NotImplementedError

    def judge(self, ctx: Context) -> Result:
        """``evaluate``, with this rule's label on the result."""
        result = self.evaluate(ctx)
        result.label = self.label
        result.kind = self.kind
        return result

    def leaves(self) -> Iterator[RuleBase]:
        """The rules that are not compositions (this rule itself, unless it composes others)."""
        yield self
