"""What every criterion kind needs from a case, computed once per check."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from ..case import Case, Diagnosis, Encounter, Finding, Lab, Score, Treatment
from ..vocab import Drug, vocabulary
from ..vocab._vocab import norm
from ._base import DrugMatch
from ._result import Evidence, Message, msg


@dataclass(frozen=True, slots=True)
class Therapy:
    """A treatment record with what the checker derives from it."""

    index: int
    t: Treatment
    drug: Drug  # a drug pa-docs does not know stands as a drug of no class, keyed by its name
    route: str | None  # the route its route, form, product or brand name implies
    known: bool = True

    @property
    def topical(self) -> bool:
        return self.route == "topical"

    @property
    def classes(self) -> tuple[str, ...]:
        """The classes of the drug by the route it was taken (oral tacrolimus: none)."""
        return self.drug.classes_by(self.route)

    @property
    def ref(self) -> str:
        return f"treatments[{self.index}]"

    @property
    def name(self) -> str:
        return self.t.drug

    @property
    def start_to_fill(self) -> bool:
        return "start" in self.t.pending

    @property
    def end_to_fill(self) -> bool:
        """The record says the treatment ended, but its end date is a placeholder."""
        return "end" in self.t.pending

    def length_days(self, request_date: dt.date) -> int | None:
        if self.t.start is None or self.end_to_fill:
            return None
        return ((self.t.end or request_date) - self.t.start).days

    def is_current(self, request_date: dt.date) -> bool:
        """Current: started, not from samples, and no end or an end on or after the request date.
        A treatment whose end date is still to fill has ended."""
        t = self.t
        return (
            t.source != "sample"
            and t.start is not None
            and t.start <= request_date
            and not self.end_to_fill
            and (t.end is None or t.end >= request_date)
        )

    def unknown_note(self) -> Message:
        return msg("drug.unknown", drug=self.name, ref=self.ref)

    def evidence(self) -> Evidence:
        return Evidence("treatments", self.index, self.t.start, self.t)


Disqualify = Callable[[Lab], str | None]
"""Whether a policy disqualifies a test result: None when it counts, else why not ('' when the
policy gives no reason)."""


def _none(lab: Lab) -> str | None:
    return None


class Context:
    """A case prepared for checking: its labs, therapies and requested drug, sorted once.

    ``disqualify``: which test results the policy disqualifies (a supplier-run test), as if
    absent. ``time_of_need_days``: the practice's recency convention for tests that must reflect
    the time of need, where the policy gives no number.
    """

    def __init__(
        self, case: Case, disqualify: Disqualify = _none, *, time_of_need_days: int = 30
    ) -> None:
        v = vocabulary()
        self.case = case
        self.request_date = case.request_date
        self.time_of_need_days = time_of_need_days
        self.disqualify = disqualify
        # each list with the index of every item in the case (its reference), without the items
        # a placeholder leaves unusable (a lab whose date is still to fill is no evidence)
        self.diagnoses: list[tuple[int, Diagnosis]] = _usable(case.diagnoses)
        self.scores: list[tuple[int, Score]] = _usable(case.scores)
        self.findings: list[tuple[int, Finding]] = _usable(case.findings)
        self.encounters: list[tuple[int, Encounter]] = _usable(case.encounters)
        self.labs: list[tuple[int, Lab]] = []
        self.disqualified: list[tuple[int, Lab]] = []
        for i, lab in _usable(case.labs):
            bad = disqualify(lab) is not None
            (self.disqualified if bad else self.labs).append((i, lab))
        self.therapies: list[Therapy] = []
        self.samples: list[Therapy] = []
        self.unknown: list[Therapy] = []  # drugs pa-docs does not know: in no class
        for i, t in _usable(case.treatments):
            drug = v.resolve(t.drug, t.form, t.product)
            th = Therapy(
                i,
                t,
                drug or Drug(norm(t.drug), ()),
                v.route_of(t.route, t.form, t.product, t.drug, drug=drug),
                known=drug is not None,
            )
            (self.samples if t.source == "sample" else self.therapies).append(th)
            if drug is None:
                self.unknown.append(th)
        req = v.drug(case.request.item)
        item_to_fill = "item" in case.request.pending
        self.requested = req.key if req else ("" if item_to_fill else norm(case.request.item))

    def drug_match(self, th: Therapy, m: DrugMatch) -> bool | Message:
        """True when the therapy qualifies under ``m``, False when it is unrelated, else why it
        falls short (a potency or route the policy does not accept)."""
        v = vocabulary()
        if m.drug is not None:
            key = self.requested if m.drug == "requested" else v.drug(m.drug).key  # type: ignore[union-attr]
            if th.drug.key != key:
                return False
        else:
            if m.drug_class not in th.classes:
                return False
            excluded = {
                self.requested if x == "requested" else v.drug(x).key  # type: ignore[union-attr]
                for x in m.exclude
            }
            if th.drug.key in excluded:
                return False
            if m.max_potency_class is not None:
                potency = v.potency(th.drug, th.t.strength, th.t.form)
                if potency is None:
                    return msg("drug.no_potency", drug=th.name, ref=th.ref)
                if potency > m.max_potency_class:
                    what = " ".join(x for x in (th.name, th.t.strength, th.t.form) if x)
                    return msg("drug.weaker", what=what, potency=potency, limit=m.max_potency_class)
        if m.intensity is not None:
            level = v.intensity(th.drug, th.t.dose, th.t.strength)
            if level != m.intensity:
                dose = th.t.dose or th.t.strength or "an unrecorded dose"
                return msg(
                    "drug.not_intensity", drug=th.name, ref=th.ref, level=m.intensity, dose=dose
                )
        if m.topical is not None and th.topical != m.topical:
            form = " ".join(x for x in (th.t.route, th.t.form) if x) or "no route or form"
            code = "drug.only_topical" if m.topical else "drug.only_not_topical"
            return msg(code, drug=th.name, ref=th.ref, form=form)
        if m.routes is not None:
            route = (th.t.route or "").strip().lower()
            allowed = {r.lower() for r in m.routes}
            if route not in allowed and th.route not in allowed:
                return msg(
                    "drug.route",
                    drug=th.name,
                    ref=th.ref,
                    routes=m.routes[:2],
                    route=th.t.route or "none",
                )
        return True

    def qualifies(self, th: Therapy, matches: list[DrugMatch]) -> bool:
        """Whether the therapy qualifies under any of ``matches``."""
        return any(self.drug_match(th, m) is True for m in matches)

    def matching(self, matches: list[DrugMatch]) -> tuple[list[Therapy], list[Message]]:
        """Therapies (not samples) qualifying under any of ``matches``; why near-misses fail."""
        found: list[Therapy] = []
        why: list[Message] = []
        for th in self.therapies:
            reasons = [self.drug_match(th, m) for m in matches]
            if any(r is True for r in reasons):
                found.append(th)
            else:
                why.extend(r for r in reasons if isinstance(r, Message))
        return found, why

    def samples_of(self, matches: list[DrugMatch]) -> list[Therapy]:
        return [th for th in self.samples if self.qualifies(th, matches)]

    def names(self, matches: list[DrugMatch]) -> list[str]:
        """The drugs or classes of ``matches`` by name (``requested``: the requested drug)."""
        return [
            self.requested if m.drug == "requested" else m.label(self.requested) for m in matches
        ]

    def start_of(self, matches: list[DrugMatch]) -> Therapy | None:
        """The therapy whose start anchors a window: the current one, else the latest started."""
        found = [th for th in self.matching(matches)[0] if th.t.start is not None]
        if not found:
            return None
        current = [th for th in found if th.is_current(self.request_date)]
        return max(current or found, key=lambda th: th.t.start or dt.date.min)


_T = TypeVar("_T", Diagnosis, Score, Finding, Encounter, Lab, Treatment)


def _usable(items: list[_T]) -> list[tuple[int, _T]]:
    return [(i, x) for i, x in enumerate(items) if x.usable]
