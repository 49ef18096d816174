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

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    field_validator,
    model_validator,
)

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
    """Which treatment records qualify: a drug (any of its names) or a class, maybe narrowed.

    Where the payer names a class and gives examples ("another biologic (e.g. adalimumab,
    etanercept)"), match the class and list the payer's names under ``examples``: the class is
    matched, the examples are only checked to belong to it."""

    drug: str | None = Field(
        default=None,
        description="A drug by any of its generic, biosimilar or brand names; `requested` is the "
        "drug or item the case requests.",
    )
    drug_class: str | None = Field(
        default=None,
        alias="class",
        description="A drug class of the vocabulary (e.g. `tnf_inhibitor`): every member counts.",
    )
    examples: list[str] = Field(
        default=[],
        description="With `class`: the names the payer's text gives as examples of the class. "
        "Each must be a member of the class; they document the text, the class decides.",
    )
    exclude: list[str] = Field(
        default=[],
        description="With `class`: members that do not count under this match (`requested` "
        "excludes the requested drug, for 'another biologic').",
    )
    routes: list[str] | None = Field(
        default=None, description="Only records taken by one of these routes count."
    )
    topical: bool | None = Field(
        default=None,
        description="true: only topical records (by route or form, e.g. ruxolitinib cream); "
        "false: only non-topical ones.",
    )
    max_potency_class: int | None = Field(
        default=None,
        ge=1,
        le=7,
        description="Topical corticosteroids: the weakest potency class that counts (US "
        "seven-class system, 1 strongest).",
    )

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

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
                if self.drug_class not in d.classes:
                    raise ValueError(
                        f"{name!r} is not in the class {self.drug_class!r} of the vocabulary "
                        f"(its classes: {', '.join(d.classes)})"
                    )
        return self

    def label(self, requested: str = "the requested drug") -> str:
        """The match in words: a drug's name, or a class with its exceptions and examples."""
        if self.drug:
            return self.drug
        assert self.drug_class is not None
        name = vocabulary().classes[self.drug_class]
        if self.exclude:
            others = [requested if x == "requested" else x for x in self.exclude]
            name = f"{name} other than {' or '.join(others)}"
        if self.max_potency_class:
            name = f"{name} (potency class {self.max_potency_class} or stronger)"
        if self.examples:
            name = f"{name} (such as {', '.join(self.examples[:3])})"
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
    at_time_of_need: bool = Field(
        default=False,
        description="The result must be recent enough to reflect the time of need. The policy "
        "gives no number: the practice's recency convention decides (`time_of_need_days` in the "
        "practice profile, 30 days by default), and documents never attribute it to the payer.",
    )
    minutes_at_or_below: list[Condition] = Field(
        default=[],
        description="Thresholds on the result's `minutes_at_or_below` (time spent at or below "
        "the qualifying value during the test, e.g. overnight oximetry `['>= 5']`); a result "
        "without it is `missing`.",
    )

    _minutes = field_validator("minutes_at_or_below", mode="before")(
        classmethod(lambda cls, v: [v] if isinstance(v, str | int | float) else v)
    )

    _drugs = field_validator("if_positive_treated_with", mode="before")(
        classmethod(lambda cls, v: _matches(v) if v is not None else v)
    )

    @model_validator(mode="after")
    def _known(self) -> LabRule:
        for t in (*self.tests, *self.values):
            vocabulary().require("tests", t)
        for t in self.values:
            if t not in self.tests:
                raise ValueError(f"`values` names {t!r}, which is not in `tests`")
        if self.at_time_of_need and self.within is not None:
            raise ValueError("give `within` or `at_time_of_need`, not both")
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
    contraindication: Literal["any", "all"] = Field(
        default="any",
        description="`any`: one contraindicated drug counts; `all`: a contraindication counts "
        "only together with contraindications to every drug listed (one of them alone leaves the "
        "criterion `missing`, its action naming the others).",
    )
    contraindication_drugs: list[DrugMatch] | None = Field(
        default=None,
        description="The drugs whose contraindication counts (with `any`: only these; with "
        "`all`: all of these); `drugs` when omitted.",
    )

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
]
KINDS: tuple[str, ...] = get_args(Kind)


Provenance = Literal["payer", "summary"]


class Source(_Model):
    """Where a criterion's wording was read, and how far documents may rely on it."""

    provenance: Provenance = Field(
        description="`payer`: read in the payer's own document (or a complete copy of it); "
        "`summary`: read only in a secondary source. Documents quote only payer text as the "
        "payer's; summary text is cited by policy number alone, and drafts add 'verify against "
        "the current policy'."
    )
    verbatim: bool = Field(
        default=False,
        description="`text` is the payer's exact words (provenance `payer` only): documents "
        "print it in quotation marks. Otherwise `text` is a close paraphrase.",
    )
    document: str | None = Field(
        default=None,
        description="The document the clause is in, by its id in the policy's `documents` "
        "(e.g. `240.2`, `A52514`); the policy's own document when omitted.",
    )
    section: str | None = Field(
        default=None,
        description="Where in the document (section, heading, criterion number), as printed by "
        "the payer. Cited only for `payer` provenance.",
    )
    url: str | None = Field(
        default=None, description="Where the text was read; the document's URL when omitted."
    )
    version: str | None = Field(
        default=None,
        description="The document version the text was read in; the document's when omitted.",
    )
    effective: dt.date | None = Field(
        default=None,
        description="Effective date of that version; the document's when omitted.",
    )
    checked: dt.date = Field(description="The date the text was last checked against `url`.")
    via: str | None = Field(
        default=None,
        description="For `summary`: the secondary source read (URL or name).",
    )
    note: str | None = Field(
        default=None,
        description="For the practice's reviewers only (never printed in a final document).",
    )

    @model_validator(mode="after")
    def _verbatim(self) -> Source:
        if self.verbatim and self.provenance != "payer":
            raise ValueError(
                "`verbatim: true` needs `provenance: payer` (only payer text is quoted)"
            )
        return self


class Criterion(_Model):
    """One requirement of the policy: the payer's wording, its source and its rule."""

    id: str = Field(
        pattern=r"^[a-z0-9][a-z0-9-]*$",
        description="Stable id within the policy (lower case, digits, hyphens); verdicts, "
        "denial mappings and policy tests refer to it.",
    )
    kind: Kind = Field(
        description="The criterion's kind (the kind of its rule, or of its main part)."
    )
    text: str = Field(
        min_length=1,
        description="The payer's wording: quoted (`source.verbatim: true`) or closely paraphrased.",
    )
    source: Source = Field(description="Where the wording was read (provenance, section, date).")
    convention: str | None = Field(
        default=None,
        description="A documentation convention of pa-docs (not the payer's threshold), printed "
        "as such beside the criterion.",
    )
    rule: Rule = Field(description="What the case must show (a rule kind, or all_of / any_of).")

    # how documents name the document the clause is in: set by the policy (its `documents`)
    _document_label: str = PrivateAttr(default="")

    @property
    def provenance(self) -> Provenance:
        return self.source.provenance

    @property
    def quoted(self) -> bool:
        """Whether documents may print ``text`` in quotation marks as the payer's words."""
        return self.source.provenance == "payer" and self.source.verbatim

    @property
    def citation(self) -> str:
        """How documents cite the criterion: document and section for payer text; the document
        alone (its policy number) for text read in a summary."""
        s = self.source
        if s.provenance == "payer" and s.section:
            return f"{self._document_label}, {s.section}"
        return self._document_label


class AppliesTo(_Model):
    items: list[str] = Field(
        min_length=1, description="Drugs or items (vocabulary names) the policy covers."
    )
    codes: list[str] = Field(
        default=[],
        description="Billing codes (HCPCS) of those items; a request naming one of them as its "
        "item or among its `codes` selects the policy too.",
    )
    diagnoses: list[str] = Field(
        default=[],
        description="ICD-10-CM patterns the request's diagnosis must match (`M05.*`, `I10-I16`); "
        "empty: any diagnosis (the policy is selected by the item alone).",
    )
    exclude_diagnoses: list[str] = []


class SubmitTo(_Model):
    name: str | None = None
    fax: str | None = None
    portal: str | None = None


class CitedDocument(_Model):
    """Another document the policy rests on (an NCD, a policy article), with its version."""

    id: str = Field(
        description="The document's id as published: `L33718`, `A52467`, `240.2`, `0341`."
    )
    kind: Literal["lcd", "article", "ncd", "policy"] = Field(
        description="`lcd`, `article` (Medicare policy article), `ncd`, or `policy` (a payer's "
        "own document)."
    )
    title: str | None = None
    version: str | None = Field(
        default=None, description="The version cited (printed as 'version N'); none if unknown."
    )
    effective: dt.date | None = None
    url: str | None = None

    @property
    def label(self) -> str:
        prefix = {"lcd": "LCD", "article": "Article", "ncd": "NCD", "policy": ""}[self.kind]
        return f"{prefix} {self.id}".strip()


class Disqualify(_Model):
    """Evidence the policy disqualifies, ignored by every criterion as if absent."""

    performed_by: Literal["supplier", "lab", "practitioner"] = Field(
        description="Who performed the test (the lab's `performed_by`)."
    )
    tests: list[str] | None = Field(
        default=None,
        description="Only results of these tests are disqualified (e.g. `[hst]`: a home sleep "
        "test run by a supplier, while a facility `psg` stays usable); every test when omitted.",
    )
    because: str | None = Field(
        default=None, description="The policy's reason, printed in verdicts."
    )

    @model_validator(mode="after")
    def _known(self) -> Disqualify:
        for t in self.tests or []:
            vocabulary().require("tests", t)
        return self

    def applies(self, test: str, performed_by: str | None) -> bool:
        return performed_by == self.performed_by and (self.tests is None or test in self.tests)


class Policy(_Model):
    """A payer's coverage policy for a drug or item."""

    id: str = Field(
        pattern=r"^[a-z0-9][a-z0-9-]*$",
        description="Stable id, also the file name (`<id>.yaml`) and the test folder name.",
    )
    payer: str = Field(description="The payer as documents name it.")
    payer_keys: list[str] = Field(
        min_length=1, description="The case `coverage.payer` keys this policy serves."
    )
    title: str
    number: str | None = Field(
        default=None,
        description="The payer's policy number as printed (`CPB 0341`, `L33718`); none if the "
        "payer gives none.",
    )
    cite: str | None = Field(
        default=None,
        description="How documents name the policy ('Aetna CPB 0341', 'LCD L33718'); "
        "`<payer> <number>` when omitted.",
    )
    version: str | None = Field(
        default=None,
        description="The version read, as the payer numbers it (documents print 'version N'); "
        "omit when the payer states none: documents then print no version at all.",
    )
    effective: dt.date | None = Field(default=None, description="Effective date of that version.")
    url: str = Field(description="The policy's own address (the payer's page or document).")
    last_reviewed: dt.date = Field(
        description="When a person last compared this file with the payer's current text. "
        "`check` warns when it is more than a year before the request date."
    )
    documents: list[CitedDocument] = Field(
        default=[],
        description="Other documents the criteria rest on (NCD, policy articles), each with its "
        "version; `criteria currency` compares LCD and article versions with the CMS index.",
    )
    source_note: str | None = Field(
        default=None,
        description="A note on the sources for the practice's reviewers (drafts only).",
    )
    applies_to: AppliesTo
    disqualify: list[Disqualify] = Field(
        default=[], description="Evidence the policy disqualifies (e.g. supplier-run tests)."
    )
    approval: dict[str, str] = {}
    submit_to: SubmitTo | None = None
    initial: list[Criterion] = Field(min_length=1)
    continuation: list[Criterion] = []

    @model_validator(mode="after")
    def _unique(self) -> Policy:
        ids = {d.id for d in self.documents}
        for name in ("initial", "continuation"):
            seen: set[str] = set()
            resolved = []
            for c in getattr(self, name):
                if c.id in seen:
                    raise ValueError(f"{name}: criterion id {c.id!r} appears twice")
                seen.add(c.id)
                if c.source.document is not None and c.source.document not in ids:
                    raise ValueError(
                        f"{name}: criterion {c.id!r} cites document {c.source.document!r}, "
                        f"which is not in `documents` ({', '.join(sorted(ids)) or 'none'})"
                    )
                resolved.append(self._resolve(c))
            object.__setattr__(self, name, resolved)
        return self

    def _resolve(self, c: Criterion) -> Criterion:
        """The criterion with its source's document, URL, version and effective date filled in."""
        s = c.source
        doc = next((d for d in self.documents if d.id == s.document), None)
        if doc is not None:
            label, url, version, effective = doc.label, doc.url, doc.version, doc.effective
        else:
            label, url, version, effective = self.citation, self.url, self.version, self.effective
        source = s.model_copy(
            update={
                "url": s.url or url,
                "version": s.version or version,
                "effective": s.effective or effective,
            }
        )
        out = c.model_copy(update={"source": source})
        out._document_label = label
        return out

    @property
    def citation(self) -> str:
        """How documents name the policy ('Aetna CPB 0341')."""
        if self.cite:
            return self.cite
        return f"{self.payer} {self.number}" if self.number else self.title

    def criteria(self, request_type: str) -> list[Criterion]:
        return self.continuation if request_type == "continuation" else self.initial

    @property
    def request_types(self) -> list[str]:
        return ["initial", *(["continuation"] if self.continuation else [])]

    @property
    def version_label(self) -> str:
        """How documents name this policy's version: 'version 52', or '' when not known."""
        return f"version {self.version}" if self.version else ""

    def disqualifies(self, test: str, performed_by: str | None) -> Disqualify | None:
        """The rule disqualifying a result of ``test`` performed by ``performed_by``, if any."""
        return next((d for d in self.disqualify if d.applies(test, performed_by)), None)

    def criteria_all(self) -> list[Criterion]:
        return [*self.initial, *self.continuation]
