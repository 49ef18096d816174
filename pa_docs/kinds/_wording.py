"""The words of verdicts: every sentence pa-docs says about a case comes out of this module.

A rule's result is data (``pa_docs.kinds._result``): message codes with parameters, typed
evidence, and the parts of a composition. ``Wording`` turns them into English:

- a message's template comes from its kind module's ``WORDS`` (or this module's ``WORDS`` for
  the sentences kinds share), unless the ``Wording`` was made with templates of its own, so a
  document can shorten a sentence or a translation replace them all;
- templates are ``str.format`` strings; a parameter is said by its type (a date as ISO, a number
  without trailing zeros, an ``Evidence`` as its item's summary, a message as its sentence) or by
  a format spec: ``{names:list}`` ("a, b or c"), ``{names:list_and}``, ``{items:or}``,
  ``{items:and}``, ``{items:semi}`` ("a; b"), ``{items:comma}``, ``{items:join}`` (run
  together); ``{keys:tests}`` (test names joined by "or"),
  ``{key:test}``, ``{key:instrument}``, ``{key:finding}``, ``{key:finding_lower}``,
  ``{keys:encounters}`` (``{keys:a_encounters}`` with its article), ``{key:encounter_type}``;
  ``{e:note_paren}`` (" (the item's note)"),
  ``{e:note_colon}``; ``{x:lower}``, ``{x:g}``;
- a composition says what its deciding parts say, each under its label, and says a sentence only
  once in a verdict (the same resting result judged for Group I and Group II).
"""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from ..case import (
    Diagnosis,
    Encounter,
    Finding,
    Lab,
    Patient,
    Prescriber,
    Request,
    Score,
    Treatment,
)
from ..vocab import vocabulary
from ._base import Condition, Threshold, Window
from ._result import Evidence, Message, Result, Status

# Sentences several kinds say.
WORDS: dict[str, str] = {
    "no_start_date": "No start date of {drugs:list} is on record to date the {what} against.",
    "record_start_date": "Record the {drugs:list} treatment with its start date.",
    "drug.unknown": "{drug} ({ref}) is not a drug pa-docs knows, so it counts for no class",
    "drug.only_topical": "{drug} ({ref}) counts only when topical; recorded: {form}",
    "drug.only_not_topical": "{drug} ({ref}) counts only when not topical; recorded: {form}",
    "drug.no_potency": "{drug} ({ref}) has no potency class in the table for its strength and form",
    "drug.weaker": "{what} is potency class {potency}, weaker than class {limit}",
    "drug.route": "{drug} ({ref}) counts only when taken {routes:or}; route recorded: {route}",
    "drug.not_intensity": "{drug} ({ref}) is not {level}-intensity at {dose}",
}


def iso(d: dt.date | None) -> str:
    return d.isoformat() if d else "undated"


def join_or(names: list[str], conj: str = "or") -> str:
    """'a', 'a or b', 'a, b or c' (or with 'and')."""
    if len(names) <= 2:
        return f" {conj} ".join(names)
    return ", ".join(names[:-1]) + f" {conj} " + names[-1]


@dataclass
class Said:
    """A result in words, and what the words name: the evidence the reason cites, and the
    evidence whose own note the reason already quotes."""

    text: str
    named: list[Evidence] = field(default_factory=list)
    noted: list[Evidence] = field(default_factory=list)


class _Formatter(string.Formatter):
    def __init__(self, wording: Wording, said: Said | None) -> None:
        self.wording = wording
        self.said = said

    def format_field(self, value: Any, format_spec: str) -> str:
        say = self.wording.say
        if format_spec == "join":
            return "".join(say(v, self.said) for v in value)
        if format_spec in ("or", "list", "list_and", "semi", "and", "comma"):
            items = [say(v, self.said) for v in value]
            if format_spec in ("list", "list_and"):
                return join_or(items, "and" if format_spec == "list_and" else "or")
            joiner = {"or": " or ", "semi": "; ", "and": " and ", "comma": ", "}[format_spec]
            return joiner.join(items)
        v = vocabulary()
        if format_spec == "tests":
            return " or ".join(v.tests[t].short for t in value)
        if format_spec == "test":
            return v.tests[value].short
        if format_spec == "instrument":
            return instrument_name(value)
        if format_spec in ("finding", "finding_lower"):
            name = v.findings[value]
            return name.lower() if format_spec == "finding_lower" else name
        if format_spec == "encounter_type":
            return v.encounter_types[value]
        if format_spec in ("encounters", "a_encounters"):
            said = " or ".join(v.encounter_types[t].lower() for t in value)
            if format_spec == "a_encounters":  # with its article: "an office visit or ..."
                return f"{'an' if said[:1] in 'aeiou' else 'a'} {said}"
            return said
        if format_spec in ("note_paren", "note_colon"):
            note = value.note if isinstance(value, Evidence) else value
            if not note:
                return ""
            if isinstance(value, Evidence) and self.said is not None:
                self.said.noted.append(value)
            return f" ({note})" if format_spec == "note_paren" else f": {note}"
        if format_spec == "lower":
            return say(value, self.said).lower()
        if format_spec == "g":
            return f"{value:g}"
        return say(value, self.said)


class Wording:
    """Says results, messages and evidence in words, from templates (English by default).

    ``templates`` replaces the template of any code it names: ``Wording({"lab.met": ...})``.
    """

    def __init__(self, templates: Mapping[str, str] | None = None) -> None:
        self.overrides = dict(templates or {})

    @cached_property
    def templates(self) -> dict[str, str]:
        from . import MODULES

        out = dict(WORDS)
        for module in MODULES.values():
            out.update(getattr(module, "WORDS", {}))
        out.update(self.overrides)
        return out

    # --- single values --------------------------------------------------------------------------

    def say(self, value: Any, said: Said | None = None) -> str:
        """One parameter in words."""
        if value is None:
            return ""
        if isinstance(value, Message):
            return self.message(value, said)
        if isinstance(value, Evidence):
            return self.summary(value)
        if isinstance(value, Condition | Threshold):
            return value.words()
        if isinstance(value, Window):
            if value.days is not None:
                return f"{value.days} days"
            n = value.months
            return f"{n} month{'s' if n != 1 else ''}"
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, float):
            return f"{value:g}"
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, list | tuple):
            return "; ".join(self.say(v, said) for v in value)
        return str(value)

    def message(self, m: Message, said: Said | None = None) -> str:
        """A message in words."""
        return _Formatter(self, said).vformat(self.templates[m.code], (), m.params)

    # --- evidence -------------------------------------------------------------------------------

    def summary(self, e: Evidence) -> str:
        """What an item of the record says, in a few words."""
        item = e.item
        if isinstance(item, Lab):
            return lab_summary(item)
        if isinstance(item, Score):
            text = score_summary(item)
            return f"baseline {text}" if e.role == "baseline" else text
        if isinstance(item, Treatment):
            return therapy_summary(item)
        if isinstance(item, Diagnosis):
            if e.role == "code" or not item.description:
                return str(item.code)
            return f"{item.code} ({item.description})"
        if isinstance(item, Finding):
            return vocabulary().findings[item.name]
        if isinstance(item, Encounter):
            return f"{vocabulary().encounter_types[item.type].lower()} on {iso(item.date)}"
        if isinstance(item, Patient):
            return f"born {item.birth_date.isoformat()}"
        if isinstance(item, Prescriber):
            return f"{item.name}, {item.specialty}"
        if isinstance(item, Request) and e.field == "dose":
            return f"{item.dose}, {item.frequency}"
        if isinstance(item, Request) and e.field == "diagnosis":
            return str(item.diagnosis)
        return e.ref

    def dated(self, e: Evidence) -> str:
        """The item's summary with its date, said once: 'dependent edema (2026-02-10)', but
        'IGRA negative on 2026-07-21' (whose summary states its date already)."""
        text = self.summary(e)
        if e.date is None or e.section in _SUMMARIES_WITH_DATES:
            return text
        return f"{text} ({e.date.isoformat()})"

    # --- results --------------------------------------------------------------------------------

    def said(self, r: Result) -> Said:
        """The reason of a result in words, with the evidence it names and the notes it quotes."""
        out = Said("")
        out.text = self._reason(r, [], out)
        return out

    def reason(self, r: Result) -> str:
        """Why the result is what it is, naming the evidence and its date."""
        return self.said(r).text

    def action(self, r: Result) -> str | None:
        """What to do about a result that is not met (None when there is nothing to do)."""
        return self._action(r, []) or None

    def _speakers(self, r: Result) -> tuple[list[Result], list[Result], str]:
        """The parts a composition's reason and action come from, and how actions are joined."""
        if r.kind == "all_of":
            for status in (Status.not_met, Status.missing):
                deciding = [p for p in r.parts if p.status is status]
                if r.status is status:
                    return deciding, deciding, " "
            return r.parts, r.parts, " "
        if r.status is Status.missing:
            return r.parts, [p for p in r.parts if p.status is Status.missing], " Or: "
        return r.parts, r.parts, " Or: "

    def _reason(self, r: Result, seen: list[Message], said: Said) -> str:
        if not r.parts:
            if r.reason in seen:
                return ""
            seen.append(r.reason)
            said.named.extend(r.reason.evidence())
            return self.message(r.reason, said)
        if r.kind == "any_of" and r.status is Status.met:
            first = next(p for p in r.parts if p.status is Status.met)
            text = self._reason(first, [], said)
            return f"{first.label}: {text}" if first.label else text
        speakers, _, _ = self._speakers(r)
        texts = []
        for p in speakers:
            text = self._reason(p, seen, said)
            if text:
                texts.append(f"{p.label}: {text}" if p.label else text)
        return " ".join(texts)

    def _action(self, r: Result, seen: list[Message]) -> str:
        if not r.parts:
            if r.action is None or r.action in seen:
                return ""
            seen.append(r.action)
            return self.message(r.action)
        if r.kind == "any_of" and r.status is Status.met:
            return ""
        _, actors, joiner = self._speakers(r)
        return joiner.join(a for a in (self._action(p, seen) for p in actors) if a)


# the sections whose summaries state the date of their evidence (a treatment's is its start)
_SUMMARIES_WITH_DATES = frozenset({"labs", "scores", "encounters", "treatments", "patient"})

ENGLISH = Wording()
"""The wording pa-docs uses unless told otherwise."""


# --- summaries of record items ------------------------------------------------------------------


def lab_summary(lab: Lab) -> str:
    """'IGRA negative on 2026-07-21', 'SpO2 86% at rest on 2026-03-02'."""
    v = vocabulary()
    bits = [v.tests[lab.key].short]
    if lab.result:
        bits.append(lab.result)
    if lab.value is not None:
        unit = "" if not lab.unit else (lab.unit if lab.unit == "%" else f" {lab.unit}")
        bits.append(f"{lab.value:g}{unit}")
    if lab.events is not None:
        bits[-1] += ","
        bits.append(f"{lab.events} events")
    if lab.context:
        bits.append(f"at {lab.context}" if lab.context == "rest" else f"during {lab.context}")
    return " ".join(bits) + f" on {iso(lab.date)}"


def instrument_name(key: str) -> str:
    """An instrument as verdicts name it: 'BSA', 'PASI', 'Harvey-Bradshaw Index'."""
    if key == "bsa":
        return "BSA"
    name = vocabulary().instruments[key].name
    return name.split(" (")[0] if len(name) > 30 else name


def score_summary(s: Score) -> str:
    """'DAS28-CRP 5.6 on 2026-10-06', 'PAP adherence 74% over 30 days on 2026-05-01'."""
    period = f" over {s.period_days} days" if s.period_days else ""
    unit = "%" if vocabulary().instruments[s.instrument].unit == "%" else ""
    return f"{instrument_name(s.instrument)} {s.value:g}{unit}{period} on {iso(s.date)}"


def therapy_summary(t: Treatment) -> str:
    """'methotrexate, 20 mg weekly since 2022-06-01 (inadequate response)'."""
    bits = [t.drug]
    if t.strength or t.form:
        bits.append(" ".join(x for x in (t.strength, t.form) if x))
    if t.dose:
        bits.append(t.dose)
    pending = getattr(t, "pending", ())
    start = "start date to fill" if "start" in pending else iso(t.start)
    if "end" in pending:
        when = f"from {start} to an end date still to fill"
    elif t.end:
        when = f"from {start} to {iso(t.end)}"
    else:
        when = f"since {start}" if t.start or "start" in pending else ""
    out = ", ".join(bits) + (f" {when}" if when else "")
    if t.outcome:
        out += f" ({t.outcome.value.replace('_', ' ')})"
    return out
