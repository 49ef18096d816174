"""A payer's denial of a prior-authorization request, as the appeals specialist records it.

The format is defined by ``../shared/examples/crohns-vedolizumab-uhc.denial.yaml``.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from pydantic import ConfigDict, Field, field_validator, model_validator

from .. import _yaml
from .._limits import InputModel
from ..errors import CaseError


class _Model(InputModel):
    model_config = ConfigDict(extra="forbid", frozen=True, coerce_numbers_to_str=True)


class DenialReason(_Model):
    text: str = Field(min_length=1)
    code: str | None = None
    criteria: list[str] | None = None

    @field_validator("code")
    @classmethod
    def _carc(cls, v: str | None) -> str | None:
        if v is None:
            return v
        c = v.strip().upper()
        if not re.fullmatch(r"(?:(CO|PR|OA|PI|CR)-)?[A-Z]?\d{1,3}", c):
            raise ValueError(
                f"expected an X12 claim adjustment reason code such as 'CO-50' or '50', got {v!r}"
            )
        return c

    @property
    def carc(self) -> str | None:
        """The reason code without its group code: 'CO-50' -> '50'."""
        return self.code.split("-")[-1] if self.code else None


class Denial(_Model):
    case_id: str = Field(min_length=1)
    denial_date: dt.date
    received_date: dt.date | None = None
    reference: str = Field(min_length=1)
    appeal_level: int = Field(ge=1, le=5)
    reviewer: str | None = None
    reasons: list[DenialReason] = Field(min_length=1)

    @model_validator(mode="after")
    def _dates(self) -> Denial:
        if self.received_date and self.received_date < self.denial_date:
            raise ValueError(
                f"received_date {self.received_date} is before the denial date {self.denial_date}"
            )
        return self


def load_denial(path: str | Path, case_id: str | None = None) -> Denial:
    """Load a denial file; ``case_id``, when given, must match the denial's."""
    doc = _yaml.load(path, CaseError)
    denial = doc.validate(Denial, CaseError)
    if case_id is not None and denial.case_id != case_id:
        raise CaseError(
            f"case_id {denial.case_id!r} does not match the case ({case_id!r})",
            file=path,
            line=doc.line_of(("case_id",)),
            field="case_id",
        )
    return denial
