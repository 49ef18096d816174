"""Which values the case page asks for: the record's gaps as form fields.

Three sources, most urgent first:

1. values the case file holds wrongly (it does not load: a bad NPI, a date that does not exist) and
   ``FILL-IN`` placeholders left by an import: a field each, with the current value and what is
   wrong;
2. for each criterion that is not met, the evidence that would answer it: a lab result of the
   tests it names, a score of its instrument, a finding, a visit, the prescriber's specialty, the
   outcome of an earlier treatment, or a new treatment record.

Each form names the paths it writes; the values are converted and validated by ``_edit``.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from enum import Enum
from typing import Any, Literal, get_args, get_origin

from ..case import Case
from ..check import CheckResult, Status
from ..errors import InputError, Problem
from ..kinds import Context, RuleBase
from ..kinds.concurrent_therapy import ConcurrentTherapyRule
from ..kinds.diagnosis import DiagnosisRule
from ..kinds.dosing import DosingRule
from ..kinds.encounter import EncounterRule
from ..kinds.finding import FindingRule
from ..kinds.lab import LabRule
from ..kinds.prescriber import PrescriberRule
from ..kinds.score import ScoreRule
from ..kinds.step_therapy import StepTherapyRule
from ..policy import Policy
from ..vocab import vocabulary
from ._edit import field_type, parse_path, path_text
from ._folder import CaseFile

PLACEHOLDER = "FILL-IN"

LABELS = {
    "patient.name": "Patient name",
    "patient.birth_date": "Date of birth",
    "patient.member_id": "Member ID",
    "patient.sex": "Sex",
    "coverage.payer": "Payer key",
    "coverage.plan": "Plan",
    "coverage.line_of_business": "Line of business",
    "coverage.group_number": "Group number",
    "prescriber.name": "Prescriber",
    "prescriber.npi": "Prescriber NPI",
    "prescriber.specialty": "Prescriber specialty",
    "request.item": "Item requested",
    "request.diagnosis": "Diagnosis of the request (ICD-10-CM)",
    "request.dose": "Dose",
    "request.frequency": "Frequency",
    "request_date": "Request date",
}


@dataclasses.dataclass(frozen=True)
class Input:
    name: str
    label: str
    kind: str = "text"  # text | date | number | select
    options: tuple[str, ...] = ()
    value: str = ""
    hint: str | None = None
    required: bool = False


@dataclasses.dataclass(frozen=True)
class Form:
    """One form of the case page: ``set`` values at paths, or ``add`` an item to a section."""

    key: str
    title: str
    action: str
    inputs: tuple[Input, ...]
    section: str | None = None
    criteria: tuple[str, ...] = ()
    fixed: tuple[tuple[str, str], ...] = ()


def label_for(path: str) -> str:
    if path in LABELS:
        return LABELS[path]
    m = re.fullmatch(r"(\w+)\[(\d+)\]\.(\w+)", path)
    if m:
        item, field = m.group(1)[:-1].replace("_", " "), m.group(3).replace("_", " ")
        return f"{item} {int(m.group(2)) + 1}: {field}"
    return path.replace("_", " ").replace(".", ": ")


def _choices(t: Any) -> tuple[str, ...]:
    if isinstance(t, type) and issubclass(t, Enum):
        return tuple(str(e.value) for e in t)
    if get_origin(t) is Literal:
        return tuple(str(a) for a in get_args(t))
    return ()


def input_for(
    path: str, value: Any = "", hint: str | None = None, label: str | None = None
) -> Input:
    """A form field for the case value at ``path``, typed from the case model."""
    t = field_type(parse_path(path))
    import datetime as dt

    shown = "" if value is None or value == PLACEHOLDER else str(value)
    choices = _choices(t)
    if t is bool:
        choices = ("yes", "no")
        shown = {"True": "yes", "False": "no"}.get(shown, shown)
    if choices:
        return Input(path, label or label_for(path), "select", choices, shown, hint)
    kind = "date" if t is dt.date else "number" if t in (int, float) else "text"
    return Input(path, label or label_for(path), kind, (), shown, hint)


def _walk(
    node: Any, path: tuple[str | int, ...] = ()
) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _walk(v, (*path, str(k)))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _walk(v, (*path, i))
    else:
        yield path, node


def _value_at(data: Any, path: tuple[str | int, ...]) -> Any:
    node = data
    for p in path:
        try:
            node = node[p]
        except (KeyError, IndexError, TypeError):
            return None
    return node


def fix_form(
    cf: CaseFile, to_fill: dict[str, str] | None = None
) -> tuple[Form | None, list[Problem]]:
    """One form with a field per wrong value and per ``FILL-IN`` placeholder; and the problems
    that no single field can fix (shown as text)."""
    inputs: dict[str, Input] = {}
    other: list[Problem] = []
    for p in cf.problems:
        try:
            if not p.field:
                raise InputError("no field")
            path = parse_path(p.field)
            value = _value_at(cf.data, path)
            if isinstance(value, dict | list):
                raise InputError("not a value")
            inputs.setdefault(p.field, input_for(p.field, value, p.message))
        except InputError:
            other.append(p)
    for path, value in _walk(cf.data or {}):
        if value == PLACEHOLDER:
            name = path_text(path)
            what = (to_fill or {}).get(name, "left to fill by the import")
            try:
                inputs.setdefault(name, input_for(name, "", what))
            except InputError:
                continue
    for name, what in (to_fill or {}).items():  # advice from the check: values a policy may ask
        if name in inputs:
            continue
        try:
            value = _value_at(cf.data, parse_path(name))
            if not isinstance(value, dict | list):
                inputs[name] = input_for(name, value, what)
        except InputError:
            continue
    if not inputs:
        return None, other
    form = Form("fix", "Fill in and correct", "set", tuple(inputs.values()))
    return form, other


# -- forms for criteria that are not met -----------------------------------------------------------


def _unmet_leaves(rule: RuleBase, case: Case, policy: Policy) -> list[RuleBase]:
    """The parts of a rule that the record does not meet, each judged on its own (as
    ``check_case`` judges them); every part when they cannot be judged one by one."""
    try:
        ctx = Context(case, policy.disqualifier())
    except (AttributeError, TypeError):  # the checker's context changed shape: offer every part
        return list(rule.leaves())
    return [r for r in rule.leaves() if r.judge(ctx).status is not Status.met]


CONTEXT_WORDS = {"rest": "at rest", "exercise": "during exercise", "sleep": "during sleep"}


def _lab_form(rule: LabRule, policy: Policy) -> Form:
    """A result of one of the rule's tests, with what the rule judges it by: the context it was
    taken in, who performed it (when the policy disqualifies some), whether the treating
    practitioner evaluated it."""
    voc = vocabulary()
    options = tuple(rule.tests)
    inputs = [
        Input("test", "Test", "select", options, options[0], required=True),
        Input("result", "Result", "select", ("", "positive", "negative", "indeterminate")),
        Input("value", "Value", "number"),
        Input("unit", "Unit", "text", value=voc.tests[options[0]].unit or ""),
    ]
    if rule.events:
        inputs.append(Input("events", "Events", "number"))
    barred = sorted(
        {
            d.performed_by
            for d in policy.disqualify
            if d.tests is None or set(d.tests) & set(rule.tests)
        }
    )
    if barred:
        who = ("", "practitioner", "lab", "supplier")
        hint = f"a test performed by: {', '.join(barred)} does not count"
        inputs.append(Input("performed_by", "Performed by", "select", who, hint=hint))
    if rule.require_evaluated_by_treating_practitioner:
        inputs.append(
            Input(
                "evaluated_by_treating_practitioner",
                "Evaluated by the treating practitioner",
                "select",
                ("", "yes", "no"),
            )
        )
    inputs.append(Input("date", "Date", "date", required=True))
    fixed = (("context", rule.context),) if rule.context else ()
    names = ", ".join(voc.tests[t].name for t in rule.tests)
    when = f" {CONTEXT_WORDS[rule.context]}" if rule.context else ""
    return Form(
        f"lab-{'-'.join(rule.tests)}-{rule.context or 'any'}",
        f"Add a result: {names}{when}",
        "add",
        tuple(inputs),
        "labs",
        fixed=fixed,
    )


def _score_form(rule: ScoreRule) -> Form:
    inst = vocabulary().instruments[rule.instrument]
    inputs = [Input("value", f"{inst.name} value", "number", required=True)]
    inputs.append(Input("date", "Date", "date", required=True))
    if rule.period_days:
        inputs.append(Input("period_days", "Period (days)", "number", value=str(rule.period_days)))
    return Form(
        f"score-{rule.instrument}",
        f"Add a score: {inst.name}",
        "add",
        tuple(inputs),
        "scores",
        fixed=(("instrument", rule.instrument),),
    )


def _treatment_forms(rule: StepTherapyRule | ConcurrentTherapyRule, case: Case) -> list[Form]:
    names = "; ".join(m.label() for m in rule.drugs)
    forms = []
    open_ = [
        (i, t) for i, t in enumerate(case.treatments) if t.outcome is None and t.source != "sample"
    ]
    if isinstance(rule, StepTherapyRule) and open_:
        fields: list[Input] = []
        for i, t in open_:
            what = f"{t.drug} from {t.start or '?'}"
            fields.append(input_for(f"treatments[{i}].outcome", "", label=f"{what}: outcome"))
            fields.append(input_for(f"treatments[{i}].end", t.end, label=f"{what}: end"))
        inputs = tuple(fields)
        forms.append(Form("outcomes", "Outcome of earlier treatments", "set", inputs))
    forms.append(
        Form(
            f"treatment-{rule.kind}",
            f"Add a treatment ({names})",
            "add",
            (
                Input("drug", "Drug", "text", hint=names, required=True),
                Input("dose", "Dose", "text"),
                Input("start", "Start", "date"),
                Input("end", "End", "date"),
                input_for("treatments[0].outcome", "", label="Outcome"),
                Input("note", "Note", "text"),
            ),
            "treatments",
        )
    )
    return forms


def _forms_for(rule: Any, case: Case, policy: Policy) -> list[Form]:
    voc = vocabulary()
    if isinstance(rule, LabRule):
        return [_lab_form(rule, policy)]
    if isinstance(rule, ScoreRule):
        return [_score_form(rule)]
    if isinstance(rule, StepTherapyRule | ConcurrentTherapyRule):
        return _treatment_forms(rule, case)
    if isinstance(rule, FindingRule):
        return [
            Form(
                f"finding-{rule.name}",
                f"Add a finding: {voc.findings[rule.name]}",
                "add",
                (Input("date", "Date", "date", required=True), Input("note", "Note", "text")),
                "findings",
                fixed=(("name", rule.name),),
            )
        ]
    if isinstance(rule, EncounterRule):
        inputs = [
            Input("type", "Visit type", "select", tuple(rule.types), rule.types[0], required=True),
            Input("date", "Date", "date", required=True),
        ]
        if rule.symptoms_improved is not None:
            inputs.append(
                Input("symptoms_improved", "Symptoms improved", "select", ("", "yes", "no"))
            )
        inputs.append(Input("note", "Note", "text"))
        return [
            Form(
                f"encounter-{'-'.join(rule.types)}",
                "Add a visit",
                "add",
                tuple(inputs),
                "encounters",
            )
        ]
    if isinstance(rule, PrescriberRule):
        hint = "one of: " + ", ".join(rule.specialties)
        return [
            Form(
                "prescriber",
                "Prescriber's specialty",
                "set",
                (input_for("prescriber.specialty", case.prescriber.specialty, hint),),
            )
        ]
    if isinstance(rule, DosingRule):
        return [
            Form(
                "dosing",
                "Dose and frequency requested",
                "set",
                (
                    input_for("request.dose", case.request.dose, "; ".join(rule.dose)),
                    input_for(
                        "request.frequency", case.request.frequency, "; ".join(rule.frequency)
                    ),
                ),
            )
        ]
    if isinstance(rule, DiagnosisRule):
        return [
            Form(
                "diagnosis",
                "Add a diagnosis",
                "add",
                (
                    Input(
                        "code", "ICD-10-CM code", "text", hint=", ".join(rule.codes), required=True
                    ),
                    Input("description", "Description", "text"),
                    Input("onset", "Onset", "date"),
                ),
                "diagnoses",
            )
        ]
    return []  # age: the date of birth is not a gap


def criterion_forms(result: CheckResult, case: Case) -> dict[str, list[Form]]:
    """For each criterion that is not met, the forms that would add its evidence (a form offered
    for an earlier criterion is not offered again)."""
    out: dict[str, list[Form]] = {}
    seen: set[str] = set()
    for v in result.verdicts:
        if v.status is Status.met:
            continue
        forms = []
        for leaf in _unmet_leaves(v.criterion.rule, case, result.policy):
            for f in _forms_for(leaf, case, result.policy):
                if f.key not in seen:
                    seen.add(f.key)
                    forms.append(f)
        out[v.id] = forms
    return out
