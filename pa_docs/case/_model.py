"""The case: who asks, what is requested, and the clinical record behind it.

The format is defined by the example cases (``examples/`` and ``../shared/examples/``). Models are
closed: a misspelt field is an error. Validators check what a reviewer would: real ICD-10-CM
codes, the NPI check digit, score and lab value ranges, and that no date post-dates the request.
Every model is an ``InputModel``: no NaN, no control character, no date past the horizon, text
capped in length (names and ids to a single line).
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    PrivateAttr,
    ValidationInfo,
    field_validator,
    model_validator,
)

from .._limits import MAX_LINE, MAX_NOTE, InputModel, check_identifier, check_text
from ..notices import FILL, InputWarning, ToFill
from ..vocab import is_icd10cm, vocabulary
from ._fill import is_pending, placeholders_of, stand_in, stand_ins, to_fill_of
from ._warn import warnings_of


class _Model(InputModel):
    """A closed, frozen model that accepts the ``FILL-IN`` placeholder in any field.

    A placeholder in an optional field leaves the field absent; in a required field it is
    replaced by a stand-in (``FILL-IN`` for text, a stand-in date or number otherwise) so the
    record loads. Either way the field's name is in :attr:`pending`, and what a stand-in holds is
    never evidence: an item whose ``_KEY`` field is pending is not :attr:`usable`.
    Field validators skip a pending field (:func:`is_pending`); model validators ("after") see
    :attr:`pending` on the model."""

    model_config = ConfigDict(extra="forbid", frozen=True, coerce_numbers_to_str=True)
    _KEY: ClassVar[frozenset[str]] = frozenset()
    _SECTION: ClassVar[str] = ""  # where the model sits in a case file, for placeholder words
    _pending: frozenset[str] = PrivateAttr(default=frozenset())

    @model_validator(mode="wrap")
    @classmethod
    def _placeholders(
        cls, data: Any, handler: ModelWrapValidatorHandler[Any], info: ValidationInfo
    ) -> Any:
        if not isinstance(data, dict):
            return handler(data)
        data, pending = stand_ins(cls, data, cls._stand_in)
        with placeholders_of(pending):
            obj = handler(data)
        if pending:
            obj._pending = pending
        obj._loaded(info)
        return obj

    @classmethod
    def _stand_in(cls, name: str, annotation: Any) -> Any:
        """What a required field holds while it is a placeholder."""
        return stand_in(annotation)

    def _loaded(self, info: ValidationInfo) -> None:
        """Called once the model is validated (the case collects its notices here)."""

    @property
    def pending(self) -> frozenset[str]:
        """The fields (and list elements, ``codes[1]``) that held ``FILL-IN``."""
        return self._pending

    @property
    def usable(self) -> bool:
        """False when a field the item cannot be judged without (its date, drug, code) is a
        placeholder: the checker leaves such an item aside."""
        return not (self._pending & self._KEY)


Date = dt.date
Text = Annotated[str, Field(min_length=1)]


class Sex(StrEnum):
    female = "female"
    male = "male"
    other = "other"
    unknown = "unknown"


class LineOfBusiness(StrEnum):
    commercial = "commercial"
    medicare = "medicare"
    medicare_advantage = "medicare_advantage"
    medicare_part_d = "medicare_part_d"
    medicaid = "medicaid"


class Outcome(StrEnum):
    inadequate_response = "inadequate_response"
    intolerance = "intolerance"
    contraindication = "contraindication"
    response = "response"


def _icd10(code: str) -> str:
    if code == FILL:
        return code
    c = code.strip().upper()
    if not re.fullmatch(r"[A-Z][0-9][0-9A-Z](\.?[0-9A-Z]{1,4})?", c) or not is_icd10cm(c):
        raise ValueError(f"unknown ICD-10-CM code {code!r}")
    if "." not in c and len(c) > 3:
        c = f"{c[:3]}.{c[3:]}"
    return c


def npi_is_valid(npi: str) -> bool:
    """NPI check digit: Luhn over the 80840 prefix and the first nine digits."""
    if not re.fullmatch(r"\d{10}", npi):
        return False
    total = 24  # the Luhn sum contributed by the prefix 80840
    for i, ch in enumerate(reversed(npi[:9])):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            d = d - 9 if d > 9 else d
        total += d
    return (10 - total % 10) % 10 == int(npi[9])


class Patient(_Model):
    _SECTION: ClassVar[str] = "patient"
    name: Text
    birth_date: Date
    sex: Sex = Sex.unknown
    member_id: Text
    weight_kg: float | None = Field(default=None, gt=0, le=700)  # for weight-based doses

    @field_validator("name", "member_id")
    @classmethod
    def _line(cls, v: str) -> str:
        return check_text(v, multiline=False, max_length=MAX_LINE)


class Coverage(_Model):
    _SECTION: ClassVar[str] = "coverage"
    payer: Text
    plan: str | None = None
    line_of_business: LineOfBusiness = LineOfBusiness.commercial
    group_number: str | None = None

    @field_validator("payer")
    @classmethod
    def _key(cls, v: str) -> str:
        return v if v == FILL else v.strip().lower()


class Prescriber(_Model):
    _SECTION: ClassVar[str] = "prescriber"
    name: Text
    npi: str
    specialty: str | None = None
    practice: str | None = None
    address: str | None = None
    phone: str | None = None
    fax: str | None = None

    @field_validator("name")
    @classmethod
    def _line(cls, v: str) -> str:
        return check_text(v, multiline=False, max_length=MAX_LINE)

    @field_validator("npi")
    @classmethod
    def _npi(cls, v: str) -> str:
        if v == FILL:
            return v
        if not npi_is_valid(v.strip()):
            raise ValueError("not a valid NPI: 10 digits with a correct check digit expected")
        return v.strip()


class Request(_Model):
    _SECTION: ClassVar[str] = "request"
    type: Literal["initial", "continuation"] = "initial"
    kind: Literal["drug", "device", "procedure"] = "drug"
    item: Text
    product: str | None = None
    codes: list[str] = []
    dose: str | None = None
    frequency: str | None = None
    route: str | None = None
    diagnosis: str
    urgency: Literal["standard", "expedited"] = "standard"
    urgency_reason: str | None = None  # the clinical reason an expedited review is asked for
    policy: str | None = None
    # printed when given: the dispensing and ordering details a payer or DME MAC checks
    ndc: str | None = None
    quantity: str | None = None
    days_supply: int | None = Field(default=None, ge=1, le=366)
    site_of_care: str | None = None
    order_date: Date | None = None  # the order's date (the request date when absent)

    _dx = field_validator("diagnosis")(classmethod(lambda cls, v: _icd10(v)))


class Diagnosis(_Model):
    _SECTION: ClassVar[str] = "diagnoses"
    _KEY = frozenset({"code"})
    code: str
    description: str | None = None
    onset: Date | None = None
    fhir_ref: str | None = None

    _dx = field_validator("code")(classmethod(lambda cls, v: _icd10(v)))


class Lab(_Model):
    _SECTION: ClassVar[str] = "labs"
    _KEY = frozenset({"date", "test", "loinc"})
    test: str | None = None
    loinc: str | None = None
    result: Literal["positive", "negative", "indeterminate"] | None = None
    value: float | None = None
    unit: str | None = None
    date: Date
    events: int | None = Field(default=None, ge=0)
    minutes_at_or_below: float | None = Field(
        default=None,
        ge=0,
        description="Minutes spent at or below the qualifying value during the test (overnight "
        "oximetry: the time at or below 88% SpO2).",
    )
    context: Literal["rest", "exercise", "sleep"] | None = None
    performed_by: Literal["practitioner", "lab", "supplier"] | None = None
    evaluated_by_treating_practitioner: bool | None = None
    note: str | None = None
    fhir_ref: str | None = None

    @field_validator("test")
    @classmethod
    def _known_test(cls, v: str | None) -> str | None:
        return v if v is None else vocabulary().require("tests", v)

    @field_validator("loinc")
    @classmethod
    def _known_loinc(cls, v: str | None, info: ValidationInfo) -> str | None:
        if v is None:
            return v
        voc = vocabulary()
        v = v.strip()
        by_code = voc.test_for_loinc(v)
        if by_code is None:
            raise ValueError(f"LOINC {v} is not in the test vocabulary")
        test = info.data.get("test")
        if test is not None and v not in voc.tests[test].loinc:
            raise ValueError(f"test {test!r} and LOINC {v} disagree (LOINC {v} is {by_code!r})")
        return v

    @model_validator(mode="after")
    def _identify(self) -> Lab:
        if self.test is None and self.loinc is None:
            if self.pending & {"test", "loinc"}:
                return self  # the test is still to fill: the lab is left aside
            raise ValueError("a lab needs `test` (a test key) or `loinc`")
        if self.test is None:
            object.__setattr__(self, "test", vocabulary().test_for_loinc(self.loinc or ""))
        return self

    @model_validator(mode="after")
    def _in_range(self) -> Lab:
        """A value the test cannot give (SpO2 -5%, a negative CRP) is a typo, not evidence."""
        test = vocabulary().tests.get(self.test or "")
        v = self.value
        if test is None or v is None:
            return self
        low, high = test.min, test.max
        if (low is not None and v < low) or (high is not None and v > high):
            span = (
                f"from {low:g} to {high:g}"
                if low is not None and high is not None
                else f"at least {low:g}"
                if low is not None
                else f"at most {high:g}"
            )
            unit = f" {test.unit}" if test.unit else ""
            raise ValueError(f"value: a {test.short} value must be {span}{unit}, got {v:g}")
        return self

    @property
    def usable(self) -> bool:
        """A lab is evidence once its date and its test are known."""
        return "date" not in self.pending and self.test is not None

    @property
    def key(self) -> str:
        assert self.test is not None
        return self.test


class Score(_Model):
    _SECTION: ClassVar[str] = "scores"
    _KEY = frozenset({"instrument", "value", "date"})
    instrument: str
    value: float
    date: Date
    period_days: int | None = Field(default=None, ge=1)
    note: str | None = None
    fhir_ref: str | None = None

    @field_validator("instrument")
    @classmethod
    def _known(cls, v: str) -> str:
        return v if v == FILL else vocabulary().require("instruments", v)

    @field_validator("value")
    @classmethod
    def _range(cls, v: float, info: ValidationInfo) -> float:
        inst = vocabulary().instruments.get(info.data.get("instrument", ""))
        if inst is None or is_pending("value"):  # the instrument is reported on its own
            return v
        if v < inst.min or (inst.max is not None and v > inst.max):
            span = (
                f"from {inst.min:g} to {inst.max:g}"
                if inst.max is not None
                else f"at least {inst.min:g}"
            )
            raise ValueError(f"a {inst.name} score must be {span}, got {v:g}")
        return v


class Treatment(_Model):
    """A drug, phototherapy or device the patient had. ``drug`` is any name: one pa-docs does
    not know is kept as written, counts for no class, and is reported as a warning."""

    _SECTION: ClassVar[str] = "treatments"
    _KEY = frozenset({"drug"})
    drug: Text
    product: str | None = None
    strength: str | None = None
    form: str | None = None
    dose: str | None = None
    route: str | None = None
    start: Date | None = None
    end: Date | None = None
    outcome: Outcome | None = None
    source: Literal["prescription", "sample"] = "prescription"
    note: str | None = None
    rxnorm: str | None = None
    fhir_ref: str | None = None

    @field_validator("end")
    @classmethod
    def _after_start(cls, v: Date | None, info: ValidationInfo) -> Date | None:
        start = info.data.get("start")
        if v is not None and start is not None and v < start:
            raise ValueError(f"end {v} is before start {start}")
        return v

    @model_validator(mode="after")
    def _dates(self) -> Treatment:
        if (
            self.start is None
            and self.outcome is not Outcome.contraindication
            and "start" not in self.pending
        ):
            raise ValueError("a treatment needs `start` (only a contraindication may omit it)")
        return self

    @property
    def generic(self) -> str:
        """The vocabulary key of the drug, or the name as written when pa-docs does not know it."""
        d = vocabulary().drug(self.drug)
        return d.key if d else self.drug

    @property
    def known(self) -> bool:
        return vocabulary().drug(self.drug) is not None


class Finding(_Model):
    """A named clinical finding; a name pa-docs does not know is kept, counts for no policy, and
    is reported as a warning."""

    _SECTION: ClassVar[str] = "findings"
    _KEY = frozenset({"name", "date"})
    name: Text
    date: Date
    note: str | None = None
    fhir_ref: str | None = None


class Encounter(_Model):
    """A visit; a type pa-docs does not know is kept, counts for no policy, and is reported."""

    _SECTION: ClassVar[str] = "encounters"
    _KEY = frozenset({"type", "date"})
    type: Text
    date: Date
    note: str | None = None
    symptoms_improved: bool | None = None
    fhir_ref: str | None = None


class Attachment(_Model):
    _KEY = frozenset({"path"})
    path: Text
    title: str | None = None


class Case(_Model):
    """One prior-authorization request and its clinical record."""

    case_id: Text
    request_date: Date
    patient: Patient
    coverage: Coverage
    prescriber: Prescriber
    request: Request
    diagnoses: list[Diagnosis] = []
    labs: list[Lab] = []
    scores: list[Score] = []
    treatments: list[Treatment] = []
    findings: list[Finding] = []
    encounters: list[Encounter] = []
    attachments: list[Attachment | str] = []
    notes: Annotated[str, Field(max_length=MAX_NOTE)] | None = None

    @field_validator("case_id")
    @classmethod
    def _identifier(cls, v: str) -> str:
        return check_identifier(v)

    _to_fill: tuple[ToFill, ...] = PrivateAttr(default=())
    _warnings: tuple[InputWarning, ...] = PrivateAttr(default=())

    @classmethod
    def _stand_in(cls, name: str, annotation: Any) -> Any:
        # the day the check counts from: today, said in the to-fill entry, until it is filled in
        return dt.date.today() if name == "request_date" else stand_in(annotation)

    def _loaded(self, info: ValidationInfo) -> None:
        """Collect the placeholders and warnings, with their lines when a file was read
        (``context={"document": <_yaml.Document>}``)."""
        doc = (info.context or {}).get("document") if isinstance(info.context, dict) else None
        line_of = doc.line_of if doc is not None else (lambda _loc: None)
        file = str(doc.path) if doc is not None else None
        fills = to_fill_of(self, line_of, file)
        if "request_date" in self.pending:
            fills = [
                ToFill(
                    f.path,
                    f"{f.what} (until it is filled in, windows are counted from today, "
                    f"{self.request_date})",
                    f.line,
                    f.file,
                )
                if f.path == "request_date"
                else f
                for f in fills
            ]
        self._to_fill = tuple(fills)
        self._warnings = tuple(warnings_of(self, line_of, file))

    @property
    def to_fill(self) -> tuple[ToFill, ...]:
        """The ``FILL-IN`` placeholders left in the case, in file order."""
        return self._to_fill

    @property
    def warnings(self) -> tuple[InputWarning, ...]:
        """Names kept as written that pa-docs does not know (drugs, encounter types, findings)."""
        return self._warnings

    def is_to_fill(self, path: str) -> bool:
        """Whether the field at ``path`` (``patient.member_id``) holds a placeholder."""
        return any(f.path == path for f in self._to_fill)

    @model_validator(mode="after")
    def _not_after_request(self) -> Case:
        rd = self.request_date
        if self.patient.birth_date > rd:
            raise ValueError(
                f"patient.birth_date {self.patient.birth_date} is after the request date {rd}"
            )
        for name in ("labs", "scores", "findings", "encounters"):
            for i, item in enumerate(getattr(self, name)):
                if item.date > rd:
                    raise ValueError(
                        f"{name}[{i}].date {item.date} is after the request date {rd}: "
                        "a record cannot hold results from the future"
                    )
        for i, t in enumerate(self.treatments):
            for name in ("start", "end"):
                day = getattr(t, name)
                if day is not None and day > rd:
                    raise ValueError(
                        f"treatments[{i}].{name} {day} is after the request date {rd}: "
                        "a record cannot hold a treatment's future (leave `end` out while "
                        "it goes on)"
                    )
        for i, d in enumerate(self.diagnoses):
            if d.onset and d.onset > rd:
                raise ValueError(f"diagnoses[{i}].onset {d.onset} is after the request date {rd}")
        return self

    @property
    def attachment_list(self) -> list[Attachment]:
        found = [a if isinstance(a, Attachment) else Attachment(path=a) for a in self.attachments]
        return [a for a in found if a.usable]

    def age_on(self, day: dt.date) -> int:
        b = self.patient.birth_date
        return day.year - b.year - ((day.month, day.day) < (b.month, b.day))
