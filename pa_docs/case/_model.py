"""The case: who asks, what is requested, and the clinical record behind it.

The format is defined by the example cases (``examples/`` and ``../shared/examples/``). Models are
closed: a misspelt field is an error. Validators check what a reviewer would: real ICD-10-CM
codes, the NPI check digit, score ranges, and that no result post-dates the request.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from ..vocab import is_icd10cm, vocabulary


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, coerce_numbers_to_str=True)


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
    name: Text
    birth_date: Date
    sex: Sex = Sex.unknown
    member_id: Text


class Coverage(_Model):
    payer: Text
    plan: str | None = None
    line_of_business: LineOfBusiness = LineOfBusiness.commercial
    group_number: str | None = None

    @field_validator("payer")
    @classmethod
    def _key(cls, v: str) -> str:
        return v.strip().lower()


class Prescriber(_Model):
    name: Text
    npi: str
    specialty: str | None = None
    practice: str | None = None
    address: str | None = None
    phone: str | None = None
    fax: str | None = None

    @field_validator("npi")
    @classmethod
    def _npi(cls, v: str) -> str:
        if not npi_is_valid(v.strip()):
            raise ValueError("not a valid NPI: 10 digits with a correct check digit expected")
        return v.strip()


class Request(_Model):
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
    policy: str | None = None

    _dx = field_validator("diagnosis")(classmethod(lambda cls, v: _icd10(v)))


class Diagnosis(_Model):
    code: str
    description: str | None = None
    onset: Date | None = None
    fhir_ref: str | None = None

    _dx = field_validator("code")(classmethod(lambda cls, v: _icd10(v)))


class Lab(_Model):
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
            raise ValueError("a lab needs `test` (a test key) or `loinc`")
        if self.test is None:
            object.__setattr__(self, "test", vocabulary().test_for_loinc(self.loinc or ""))
        return self

    @property
    def key(self) -> str:
        assert self.test is not None
        return self.test


class Score(_Model):
    instrument: str
    value: float
    date: Date
    period_days: int | None = Field(default=None, ge=1)
    note: str | None = None
    fhir_ref: str | None = None

    @field_validator("instrument")
    @classmethod
    def _known(cls, v: str) -> str:
        return vocabulary().require("instruments", v)

    @field_validator("value")
    @classmethod
    def _range(cls, v: float, info: ValidationInfo) -> float:
        inst = vocabulary().instruments.get(info.data.get("instrument", ""))
        if inst is None:  # the instrument is reported on its own
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
    fhir_ref: str | None = None

    @field_validator("drug")
    @classmethod
    def _known(cls, v: str) -> str:
        if vocabulary().drug(v) is None:
            raise ValueError(f"unknown drug {v!r} (generic or brand name expected)")
        return v

    @field_validator("end")
    @classmethod
    def _after_start(cls, v: Date | None, info: ValidationInfo) -> Date | None:
        start = info.data.get("start")
        if v is not None and start is not None and v < start:
            raise ValueError(f"end {v} is before start {start}")
        return v

    @model_validator(mode="after")
    def _dates(self) -> Treatment:
        if self.start is None and self.outcome is not Outcome.contraindication:
            raise ValueError("a treatment needs `start` (only a contraindication may omit it)")
        return self

    @property
    def generic(self) -> str:
        d = vocabulary().drug(self.drug)
        assert d is not None
        return d.key


class Finding(_Model):
    name: str
    date: Date
    note: str | None = None
    fhir_ref: str | None = None

    @field_validator("name")
    @classmethod
    def _known(cls, v: str) -> str:
        return vocabulary().require("findings", v)


class Encounter(_Model):
    type: str
    date: Date
    note: str | None = None
    symptoms_improved: bool | None = None
    fhir_ref: str | None = None

    @field_validator("type")
    @classmethod
    def _known(cls, v: str) -> str:
        return vocabulary().require("encounter_types", v)


class Attachment(_Model):
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
    notes: str | None = None

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
        for i, d in enumerate(self.diagnoses):
            if d.onset and d.onset > rd:
                raise ValueError(f"diagnoses[{i}].onset {d.onset} is after the request date {rd}")
        return self

    @property
    def attachment_list(self) -> list[Attachment]:
        return [a if isinstance(a, Attachment) else Attachment(path=a) for a in self.attachments]

    def age_on(self, day: dt.date) -> int:
        b = self.patient.birth_date
        return day.year - b.year - ((day.month, day.day) < (b.month, b.day))
