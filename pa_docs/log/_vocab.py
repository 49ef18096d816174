"""The case log's vocabularies, each defined once: the CLI's choices, the CSV import's checks and
the store's read them here. No SQLAlchemy here, so the CLI registers its commands without it."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """Where a case stands."""

    submitted = "submitted"
    pended = "pended"
    approved = "approved"
    denied = "denied"
    appealed = "appealed"


class Decision(StrEnum):
    """The payer's decision on a submission."""

    approved = "approved"
    denied = "denied"
    pended = "pended"


class Method(StrEnum):
    """How a request was sent."""

    portal = "portal"
    fax = "fax"
    epa = "epa"
    phone = "phone"


class AppealOutcome(StrEnum):
    """The outcome of an appeal: the denial overturned (approved) or upheld."""

    overturned = "overturned"
    upheld = "upheld"


STATUSES = tuple(s.value for s in Status)
DECISIONS = tuple(d.value for d in Decision)
METHODS = tuple(m.value for m in Method)
APPEAL_OUTCOMES = tuple(o.value for o in AppealOutcome)
