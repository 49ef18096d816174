"""The policy model: a payer's criteria for one drug or item, as data.

A policy holds an ``initial`` set of criteria and may hold a ``continuation`` set. Each criterion
keeps the payer's wording (``text``), where it was read (``source``: provenance, section, URL,
version, date checked) and its ``rule``: one of the kinds of ``pa_docs.kinds``, which
``all_of`` and ``any_of`` compose at any depth.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Literal

from pydantic import ConfigDict, Field, PrivateAttr, model_validator

from .._limits import MAX_NOTE, InputModel
from ..case import Lab
from ..kinds import LEAF_KINDS, Rule
from ..vocab import vocabulary

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


Provenance = Literal["payer", "summary"]


class Source(_Model):
    """Where a criterion's wording was read, and how far documents may rely on it."""

    provenance: Provenance
    """``payer``: read in the payer's own document (or a complete copy of it); ``summary``:
    read only in a secondary source. Documents quote only payer text as the payer's; summary
    text is cited by the policy number alone, and drafts add "verify against the current
    policy"."""
    verbatim: bool = False
    """``text`` is the payer's exact words (``provenance: payer`` only): documents print it in
    quotation marks. Otherwise ``text`` is a close paraphrase, printed without them."""
    document: str | None = None
    """The document the clause is in, by its ``id`` in the policy's ``documents`` (``240.2``,
    ``A52514``); the policy's own document when omitted."""
    section: str | None = None
    """Where in that document (heading, criterion number) as the payer prints it; cited only
    for payer text."""
    url: str | None = None
    """Where the text was read; the document's URL when omitted."""
    version: str | None = None
    """The document version the text was read in; the document's when omitted."""
    effective: dt.date | None = None
    """The effective date of that version; the document's when omitted."""
    checked: dt.date
    """The date the text was last checked against its source."""
    via: str | None = None
    """For ``summary``: the secondary source read (its URL or name)."""
    note: str | None = None
    """For the practice's reviewers (never printed in a final document)."""

    @model_validator(mode="after")
    def _verbatim(self) -> Source:
        if self.verbatim and self.provenance != "payer":
            raise ValueError(
                "`verbatim: true` needs `provenance: payer` (only payer text is quoted)"
            )
        return self


class Criterion(_Model):
    """One criterion of a policy: the payer's words, where they were read, and the rule that
    checks them."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    """Stable id within the policy (lowercase, digits, hyphens): a public contract."""
    kind: Kind
    """What the criterion is about: one of the rule kinds its rule uses (for a composite rule,
    the kind of one of its parts)."""
    text: str = Field(min_length=1)
    """The payer's wording: quoted (``source.verbatim: true``) or closely paraphrased."""
    source: Source
    """Where the wording was read: provenance, section, URL, version, date checked."""
    convention: str | None = None
    """A documentation convention the rule applies where the payer states no threshold;
    printed beneath the criterion in letters."""
    rule: Rule
    """The machine-readable rule: a mapping with a ``kind`` key (see the rule kinds below)."""

    # how documents name the document the clause is in; set by the policy from its `documents`
    _document_label: str = PrivateAttr(default="")

    @model_validator(mode="after")
    def _kind_matches_rule(self) -> Criterion:
        kinds = list(dict.fromkeys(r.kind for r in self.rule.leaves()))
        if self.kind not in kinds:
            raise ValueError(
                f"kind {self.kind!r} does not match its rule, which checks {' and '.join(kinds)}"
            )
        return self

    @property
    def provenance(self) -> Provenance:
        return self.source.provenance

    @property
    def quoted(self) -> bool:
        """Whether documents may print ``text`` in quotation marks as the payer's words."""
        return self.source.provenance == "payer" and self.source.verbatim

    @property
    def citation(self) -> str:
        """How documents cite the criterion: document and section for payer text, the document
        alone (its number) for text read in a summary."""
        s = self.source
        if s.provenance == "payer" and s.section:
            return f"{self._document_label}, {s.section}"
        return self._document_label


class AppliesTo(_Model):
    """Which cases the policy governs: ``pa-docs check`` picks the one policy whose payer key,
    item and diagnosis fit the case."""

    items: list[str] = Field(min_length=1)
    """The drugs (generic, biosimilar or brand names) or device keys the policy covers."""
    codes: list[str] = []
    """HCPCS or NDC codes of the items; a request naming one as its item or among its ``codes``
    selects the policy too."""
    diagnoses: list[str] = []
    """ICD-10-CM codes or patterns of the request's diagnosis: ``M05.*``, ``I10-I16``; empty:
    any diagnosis (the item alone selects the policy, as for Medicare oxygen)."""
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


class CitedDocument(_Model):
    """Another document the criteria rest on (an NCD, a Medicare policy article), with the
    version read."""

    id: str
    """The document's id as published: ``240.2``, ``A52467``, ``L33718``."""
    kind: Literal["lcd", "article", "ncd", "policy"]
    """``lcd``, ``article`` (a Medicare policy article), ``ncd``, or ``policy`` (a payer's own)."""
    title: str | None = None
    """The document's title."""
    version: str | None = None
    """The version read (documents print "version N"); none when not known."""
    effective: dt.date | None = None
    """The date that version took effect."""
    url: str | None = None
    """Where it is published."""

    @property
    def label(self) -> str:
        """How documents cite it: ``NCD 240.2``, ``LCD L33718``, ``Article A52467``."""
        prefix = {"lcd": "LCD", "article": "Article", "ncd": "NCD", "policy": ""}[self.kind]
        return f"{prefix} {self.id}".strip()


class Disqualify(_Model):
    """Evidence the policy disqualifies: ignored by every criterion, as if absent."""

    performed_by: Literal["supplier", "lab", "practitioner"]
    """Who performed the test (the lab's ``performed_by``)."""
    tests: list[str] | None = None
    """Only results of these tests are disqualified (``[hst]``: a home sleep test run by a
    supplier, while a facility ``psg`` stays usable); every test when omitted."""
    because: str | None = None
    """The policy's reason, printed in verdicts."""

    @model_validator(mode="after")
    def _known(self) -> Disqualify:
        for t in self.tests or []:
            vocabulary().require("tests", t)
        return self

    def applies(self, test: str, performed_by: str | None) -> bool:
        return performed_by == self.performed_by and (self.tests is None or test in self.tests)


class Policy(_Model):
    """A payer's coverage policy for a drug or item."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    """Stable id, also the file name (``aetna-infliximab-ra.yaml``) and the name of its test
    folder (``tests/aetna-infliximab-ra/``): a public contract."""
    payer: str
    """The payer's name as the policy gives it."""
    payer_keys: list[str] = Field(min_length=1)
    """The case ``coverage.payer`` keys this policy serves (``aetna``, ``bcbsms``, ...)."""
    title: str
    """The policy's title."""
    number: str | None = None
    """The payer's policy number as printed (``CPB 0341``, ``IP0652``, ``L33718``); none when
    the payer gives none."""
    cite: str | None = None
    """How documents cite the policy (``Aetna CPB 0341``, ``LCD L33718``); ``<payer>
    <number>`` when omitted."""
    version: str | None = None
    """The version read, as the payer numbers it (documents print "version 52"); omit it when
    the payer states none: documents then print no version at all."""
    effective: dt.date | None = None
    """The date the read version took effect."""
    url: str
    """Where the payer publishes the policy."""
    last_reviewed: dt.date
    """When a person last compared this file with the payer's current text; ``check`` warns
    when that is more than a year before the request date."""
    documents: list[CitedDocument] = []
    """Other documents the criteria rest on (an NCD, policy articles), each with its version;
    ``criteria currency`` compares LCD and article versions with the CMS index."""
    source_note: str | None = None
    """How the criteria were read, for the practice's reviewers (printed in drafts only)."""
    applies_to: AppliesTo
    """Which cases the policy governs."""
    disqualify: list[Disqualify] = []
    """Evidence the policy disqualifies (a test performed by a DME supplier)."""
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
        """The criterion with its source's URL, version and effective date filled in from the
        document it cites (or the policy's own)."""
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
        """How documents cite the policy (``Aetna CPB 0341``)."""
        if self.cite:
            return self.cite
        return f"{self.payer} {self.number}" if self.number else self.title

    def criteria(self, request_type: str) -> list[Criterion]:
        return self.continuation if request_type == "continuation" else self.initial

    def criteria_all(self) -> list[Criterion]:
        """The initial criteria, then the continuation ones."""
        return [*self.initial, *self.continuation]

    @property
    def request_types(self) -> list[str]:
        return ["initial", *(["continuation"] if self.continuation else [])]

    @property
    def version_label(self) -> str:
        """How documents name this policy's version: "version 52", or "" when not known."""
        return f"version {self.version}" if self.version else ""

    @property
    def edition(self) -> str:
        """Which text of the policy a document was checked against, for its footer: the payer's
        version when stated; else its effective date, if known, and the day a person last
        compared this file with the payer's text ("text as read 2026-12-02")."""
        if self.version:
            return self.version_label
        effective = [f"effective {self.effective.isoformat()}"] if self.effective else []
        return ", ".join([*effective, f"text as read {self.last_reviewed.isoformat()}"])

    def disqualifies(self, test: str, performed_by: str | None) -> Disqualify | None:
        """The rule disqualifying a result of ``test`` performed by ``performed_by``, if any."""
        return next((d for d in self.disqualify if d.applies(test, performed_by)), None)

    def disqualifier(self) -> Callable[[Lab], str | None]:
        """For ``kinds.Context``: None when the policy lets a test result count, else why not
        ('' when the policy gives no reason)."""

        def why(lab: Lab) -> str | None:
            d = self.disqualifies(lab.key, lab.performed_by)
            return None if d is None else (d.because or "")

        return why
