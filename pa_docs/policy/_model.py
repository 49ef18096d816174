"""The policy model: a payer's criteria for one drug or item, as data.

A policy holds an ``initial`` set of criteria and may hold a ``continuation`` set. Each criterion
keeps the payer's wording (``text``), where it stands in the policy (``citation``) and its
``rule``. Rules are a closed set of kinds; ``all_of`` and ``any_of`` compose them at any depth.
"""

from __future__ import annotations

import datetime as dt
import operator
import re
from collections.abc import Callable
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..vocab import vocabulary
from ..vocab._vocab import norm


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, coerce_numbers_to_str=True)


OPS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
    "==": operator.eq,
}
_OP_WORDS = {">=": "at least", ">": "greater than", "<=": "at most", "<": "less than", "==": ""}


class Condition(_Model):
    """A comparison such as ``>= 15`` (written in YAML as that string)."""

    op: Literal[">=", ">", "<=", "<", "=="]
    value: float

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


class Window(_Model):
    """A look-back window counted back from the request date, inclusive."""

    days: int | None = Field(default=None, ge=0)
    months: int | None = Field(default=None, ge=0)

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


def add_months(d: dt.date, months: int) -> dt.date:
    """The same calendar day ``months`` later (or earlier); the month's last day if it has none."""
    import calendar

    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    return dt.date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


class DrugMatch(_Model):
    """Which treatment records qualify: a drug (any of its names) or a class, maybe narrowed."""

    drug: str | None = None
    drug_class: str | None = Field(default=None, alias="class")
    routes: list[str] | None = None
    max_potency_class: int | None = Field(default=None, ge=1, le=7)
    intensity: Literal["high"] | None = None

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="after")
    def _known(self) -> DrugMatch:
        v = vocabulary()
        if (self.drug is None) == (self.drug_class is None):
            raise ValueError("give exactly one of `drug` or `class`")
        if self.drug is not None and self.drug != "requested" and v.drug(self.drug) is None:
            raise ValueError(f"unknown drug {self.drug!r}")
        if self.drug_class is not None:
            v.require("classes", self.drug_class)
        if self.intensity is not None:
            d = v.drug(self.drug) if self.drug not in (None, "requested") else None
            if self.drug_class != "statin" and (d is None or "statin" not in d.classes):
                raise ValueError("`intensity` applies to a statin or the class `statin`")
        return self

    def label(self) -> str:
        if self.drug:
            return self.drug
        assert self.drug_class is not None
        name = vocabulary().classes[self.drug_class]
        if self.max_potency_class:
            name = f"{name} (potency class {self.max_potency_class} or stronger)"
        if self.intensity:
            name = f"{self.intensity}-intensity {name}"
        return name


def _matches(v: Any) -> Any:
    """Accept a bare drug name or a list of names/matches where a list of DrugMatch is expected."""
    if isinstance(v, str | dict):
        v = [v]
    if isinstance(v, list):
        return [{"drug": x} if isinstance(x, str) else x for x in v]
    return v


Drugs = Annotated[list[DrugMatch], Field(min_length=1)]


class _Rule(_Model):
    label: str | None = None


class DiagnosisRule(_Rule):
    kind: Literal["diagnosis"]
    codes: list[str] = Field(min_length=1)
    exclude: list[str] = []
    # only the request's diagnosis (the code the prescription or claim carries) counts
    request_only: bool = False


class AgeRule(_Rule):
    kind: Literal["age"]
    min: int | None = Field(default=None, ge=0)
    max: int | None = Field(default=None, ge=0)


class PrescriberRule(_Rule):
    kind: Literal["prescriber"]
    specialties: list[str] = Field(min_length=1)

    _norm = field_validator("specialties")(classmethod(lambda cls, v: [norm(s) for s in v]))


class LabRule(_Rule):
    """Results of one or more tests; the most recent usable one in the window decides."""

    kind: Literal["lab"]
    tests: list[str] = Field(min_length=1)
    within: Window | None = None
    context: Literal["rest", "exercise", "sleep"] | None = None
    result: Literal["positive", "negative", "any"] | None = None
    value: list[Condition] = []
    values: dict[str, list[Condition]] = {}
    events: list[Condition] = []
    require_evaluated_by_treating_practitioner: bool = False
    if_positive_treated_with: list[DrugMatch] | None = None
    any_result: bool = False
    # only results on or before the first start of these drugs count (a baseline "prior to any
    # GLP-1"); all results count while none of them has been started
    baseline_before: list[DrugMatch] | None = None

    _drugs = field_validator("if_positive_treated_with", "baseline_before", mode="before")(
        classmethod(lambda cls, v: _matches(v) if v is not None else v)
    )

    @model_validator(mode="after")
    def _known(self) -> LabRule:
        for t in (*self.tests, *self.values):
            vocabulary().require("tests", t)
        for t in self.values:
            if t not in self.tests:
                raise ValueError(f"`values` names {t!r}, which is not in `tests`")
        return self

    def conditions(self, test: str) -> list[Condition]:
        """The thresholds a result of ``test`` must meet (per-test ``values``, else ``value``)."""
        return self.values.get(test, self.value)


class Relative(_Model):
    """A window counted from the start of a treatment: day ``from_day`` to day ``to_day``."""

    start_of: Drugs
    from_day: int = 0
    to_day: int | None = None

    _drugs = field_validator("start_of", mode="before")(classmethod(lambda cls, v: _matches(v)))


class Baseline(_Model):
    """Compare with the most recent score on or before the start of a treatment."""

    start_of: Drugs
    op: Literal[">=", ">", "<=", "<", "=="]

    _drugs = field_validator("start_of", mode="before")(classmethod(lambda cls, v: _matches(v)))


class ScoreRule(_Rule):
    kind: Literal["score"]
    instrument: str
    value: list[Condition] = []
    within: Window | None = None
    relative_to: Relative | None = None
    period_days: int | None = None
    baseline: Baseline | None = None

    @field_validator("instrument")
    @classmethod
    def _known(cls, v: str) -> str:
        return vocabulary().require("instruments", v)

    @field_validator("value", mode="before")
    @classmethod
    def _list(cls, v: Any) -> Any:
        return [v] if isinstance(v, str | int | float) else v


class StepTherapyRule(_Rule):
    kind: Literal["step_therapy"]
    drugs: Drugs
    count: int = Field(default=1, ge=1)
    min_days: int | None = Field(default=None, ge=1)
    outcomes: list[Literal["inadequate_response", "intolerance", "contraindication", "any"]] = [
        "inadequate_response",
        "intolerance",
        "contraindication",
    ]
    contraindication: Literal["any", "all"] = "any"
    contraindication_drugs: list[DrugMatch] | None = None
    # `drug`: `count` distinct drugs; `match`: `count` distinct entries of `drugs` (two
    # beta-blockers are one "beta-blocker" when the payer lists the class as one therapy)
    distinct: Literal["drug", "match"] = "drug"

    _drugs = field_validator("drugs", "contraindication_drugs", mode="before")(
        classmethod(lambda cls, v: _matches(v) if v is not None else v)
    )


class ConcurrentTherapyRule(_Rule):
    kind: Literal["concurrent_therapy"]
    mode: Literal["required", "excluded"]
    drugs: Drugs
    min_days: int | None = Field(default=None, ge=1)
    or_all_contraindicated: bool = False

    _drugs = field_validator("drugs", mode="before")(classmethod(lambda cls, v: _matches(v)))


class DosingRule(_Rule):
    kind: Literal["dosing"]
    dose: list[str] = Field(min_length=1)
    frequency: list[str] = Field(min_length=1)


class EncounterRule(_Rule):
    kind: Literal["encounter"]
    types: list[str] = Field(min_length=1)
    before_test: list[str] | None = None
    relative_to: Relative | None = None
    symptoms_improved: bool | None = None
    within: Window | None = None

    @model_validator(mode="after")
    def _known(self) -> EncounterRule:
        for t in self.types:
            vocabulary().require("encounter_types", t)
        for t in self.before_test or []:
            vocabulary().require("tests", t)
        return self


class FindingRule(_Rule):
    kind: Literal["finding"]
    name: str
    within: Window | None = None

    @field_validator("name")
    @classmethod
    def _known(cls, v: str) -> str:
        return vocabulary().require("findings", v)


class EventCountRule(_Rule):
    """At least ``min`` dated events (findings of the named kinds) within the look-back."""

    kind: Literal["event_count"]
    events: list[str] = Field(min_length=1)
    min: int = Field(ge=1)
    within: Window | None = None  # none: any time on record ("a history of")

    @field_validator("events")
    @classmethod
    def _known(cls, v: list[str]) -> list[str]:
        return [vocabulary().require("findings", e) for e in v]


class PercentChangeRule(_Rule):
    """The change of a measurement from its baseline, in percent of the baseline.

    The baseline is the most recent result on or before the first start of ``baseline_before``
    (e.g. any GLP-1 receptor agonist); the current value the most recent result after it (within
    ``within`` of the request when given). ``value`` compares the change: ``<= -5`` is a loss of at
    least 5%."""

    kind: Literal["percent_change"]
    test: str
    baseline_before: Drugs
    value: list[Condition] = Field(min_length=1)
    within: Window | None = None

    _drugs = field_validator("baseline_before", mode="before")(
        classmethod(lambda cls, v: _matches(v))
    )

    @field_validator("test")
    @classmethod
    def _known(cls, v: str) -> str:
        return vocabulary().require("tests", v)

    @field_validator("value", mode="before")
    @classmethod
    def _list(cls, v: Any) -> Any:
        return [v] if isinstance(v, str | int | float) else v


class AllOf(_Rule):
    kind: Literal["all_of"]
    of: list[Rule] = Field(min_length=1)


class AnyOf(_Rule):
    kind: Literal["any_of"]
    of: list[Rule] = Field(min_length=1)


Rule = Annotated[
    DiagnosisRule
    | AgeRule
    | PrescriberRule
    | LabRule
    | ScoreRule
    | StepTherapyRule
    | ConcurrentTherapyRule
    | DosingRule
    | EncounterRule
    | FindingRule
    | EventCountRule
    | PercentChangeRule
    | AllOf
    | AnyOf,
    Field(discriminator="kind"),
]
AllOf.model_rebuild()
AnyOf.model_rebuild()

Kind = Literal[
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
]
KINDS: tuple[str, ...] = get_args(Kind)


class Criterion(_Model):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    kind: Kind
    text: str = Field(min_length=1)
    citation: str = Field(min_length=1)
    source_note: str | None = None
    convention: str | None = None
    rule: Rule


class AppliesTo(_Model):
    items: list[str] = Field(min_length=1)
    codes: list[str] = []
    diagnoses: list[str] = Field(min_length=1)
    exclude_diagnoses: list[str] = []


class SubmitTo(_Model):
    name: str | None = None
    fax: str | None = None
    portal: str | None = None


class Policy(_Model):
    """A payer's coverage policy for a drug or item."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    payer: str
    payer_keys: list[str] = Field(min_length=1)
    title: str
    number: str | None = None
    version: str | None = None
    effective: dt.date | None = None
    url: str
    source_note: str | None = None
    applies_to: AppliesTo
    disqualify_performed_by: list[Literal["supplier", "lab", "practitioner"]] = []
    approval: dict[str, str] = {}
    submit_to: SubmitTo | None = None
    initial: list[Criterion] = Field(min_length=1)
    continuation: list[Criterion] = []

    @model_validator(mode="after")
    def _unique(self) -> Policy:
        for name in ("initial", "continuation"):
            seen: set[str] = set()
            for c in getattr(self, name):
                if c.id in seen:
                    raise ValueError(f"{name}: criterion id {c.id!r} appears twice")
                seen.add(c.id)
        return self

    def criteria(self, request_type: str) -> list[Criterion]:
        return self.continuation if request_type == "continuation" else self.initial

    @property
    def request_types(self) -> list[str]:
        return ["initial", *(["continuation"] if self.continuation else [])]

    @property
    def version_label(self) -> str:
        """How documents name this policy's version."""
        if self.version:
            return self.version
        if self.effective:
            return f"effective {self.effective.isoformat()}"
        return "version not stated"
