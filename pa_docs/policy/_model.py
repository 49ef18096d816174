"""The policy model: a payer's criteria for one drug or item, as data.

A policy holds an ``initial`` set of criteria and may hold a ``continuation`` set. Each criterion
keeps the payer's wording (``text``), where it stands in the policy (``citation``) and its
``rule``: one of the kinds of ``pa_docs.kinds``, which ``all_of`` and ``any_of`` compose at any
depth.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Literal

from pydantic import ConfigDict, Field, model_validator

from .._limits import MAX_NOTE, InputModel
from ..kinds import LEAF_KINDS, Rule

if TYPE_CHECKING:
    Kind = str
else:
    Kind = Literal[LEAF_KINDS]


class _Model(InputModel):
    # field docstrings are read by pa_docs._fielddocs for the docs, not by pydantic at import
    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        coerce_numbers_to_str=True,
        str_max_length=MAX_NOTE,  # a payer's wording may run long
    )


class Criterion(_Model):
    """One criterion of a policy: the payer's words, where they stand, and the rule that checks
    them."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    """Stable id within the policy (lowercase, digits, hyphens): a public contract."""
    kind: Kind
    """What the criterion is about: one of the rule kinds its rule uses (for a composite rule,
    the kind of one of its parts)."""
    text: str = Field(min_length=1)
    """The payer's wording of the criterion."""
    citation: str = Field(min_length=1)
    """Where it stands in the policy: number, section, criterion."""
    source_note: str | None = None
    """Where the wording was read, when not in the payer's own text (``[S]``: a secondary
    summary); printed in drafts only."""
    convention: str | None = None
    """A documentation convention the rule applies where the payer states no threshold;
    printed beneath the criterion in letters."""
    rule: Rule
    """The machine-readable rule: a mapping with a ``kind`` key (see the rule kinds below)."""

    @model_validator(mode="after")
    def _kind_matches_rule(self) -> Criterion:
        kinds = list(dict.fromkeys(r.kind for r in self.rule.leaves()))
        if self.kind not in kinds:
            raise ValueError(
                f"kind {self.kind!r} does not match its rule, which checks {' and '.join(kinds)}"
            )
        return self


class AppliesTo(_Model):
    """Which cases the policy governs: ``pa-docs check`` picks the one policy whose payer key,
    item and diagnosis fit the case."""

    items: list[str] = Field(min_length=1)
    """The drugs (generic, biosimilar or brand names) or device keys the policy covers."""
    codes: list[str] = []
    """HCPCS or NDC codes of the items (for reference)."""
    diagnoses: list[str] = Field(min_length=1)
    """ICD-10-CM codes or patterns of the request's diagnosis: ``M05.*``, ``I10-I16``."""
    exclude_diagnoses: list[str] = []
    """Diagnoses the policy does not cover, even when ``diagnoses`` does."""


class SubmitTo(_Model):
    """Where the payer takes the request (printed on the packet's cover sheet)."""

    name: str | None = None
    """The department or unit."""
    fax: str | None = None
    """The fax number."""
    portal: str | None = None
    """The portal's name or address."""


class Policy(_Model):
    """A payer's coverage policy for a drug or item."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    """Stable id, also the file name (``aetna-infliximab-ra.yaml``): a public contract."""
    payer: str
    """The payer's name as the policy gives it."""
    payer_keys: list[str] = Field(min_length=1)
    """The case ``coverage.payer`` keys this policy serves (``aetna``, ``bcbsms``, ...)."""
    title: str
    """The policy's title."""
    number: str | None = None
    """The payer's policy number (``0341``, ``IP0652``, ``L33718``)."""
    version: str | None = None
    """The version or revision date the criteria were read from."""
    effective: dt.date | None = None
    """The date the read version took effect."""
    url: str
    """Where the payer publishes the policy."""
    source_note: str | None = None
    """How the criteria were read: which facts come from the payer's text and which from a
    secondary summary."""
    applies_to: AppliesTo
    """Which cases the policy governs."""
    disqualify_performed_by: list[Literal["supplier", "lab", "practitioner"]] = []
    """Tests performed by these do not count as evidence (Medicare oxygen: not the supplier)."""
    approval: dict[str, str] = {}
    """How long an approval lasts, per request type (``{initial: 3 months}``)."""
    submit_to: SubmitTo | None = None
    """Where to send the request."""
    initial: list[Criterion] = Field(min_length=1)
    """The criteria of an initial request."""
    continuation: list[Criterion] = []
    """The criteria of a continuation (renewal) request; none: initial requests only."""

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
