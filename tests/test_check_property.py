"""Property: any valid case gets a verdict on every criterion of every applicable policy; the
checker never raises."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pa_docs.case import Case
from pa_docs.check import CheckResult, Status, check_case
from pa_docs.policy import Policy, load_policies
from pa_docs.vocab import vocabulary

from .conftest import case_dict

V = vocabulary()
POLICIES = load_policies()
REQUEST = dt.date(2026, 11, 2)
DIAGNOSES = ["M05.79", "M06.09", "M06.1", "K50.10", "L40.0", "L20.89", "J44.9", "G47.33", "I10",
             "I27.20", "I25.10", "Z86.73", "E78.5"]  # fmt: skip
TESTS = sorted(V.tests)
LOINCS = sorted({c for t in V.tests.values() for c in t.loinc})
DRUG_NAMES = sorted({n for d in V.drugs.values() for n in (d.key, *d.names, *d.brands)})
STRENGTHS = [None, "0.05%", "0.1%", "0.025%", "0.2%", "1%", "2.5%"]
FORMS = [None, "cream", "ointment", "augmented", "lotion"]
ROUTES = [None, "oral", "topical", "intravenous", "subcutaneous", "rectal"]

dates = st.dates(min_value=REQUEST - dt.timedelta(days=3 * 365), max_value=REQUEST)


def _opt(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


@st.composite
def labs(draw: st.DrawFn) -> dict[str, Any]:
    by = draw(st.sampled_from(["test", "loinc"]))
    lab: dict[str, Any] = {"date": draw(dates).isoformat()}
    if by == "test":
        key = lab["test"] = draw(st.sampled_from(TESTS))
    else:
        lab["loinc"] = draw(st.sampled_from(LOINCS))
        key = V.test_for_loinc(lab["loinc"]) or ""
    hi = min(200.0, V.tests[key].max or 200.0)  # within what the test can give
    extra = {
        "result": draw(_opt(st.sampled_from(["positive", "negative", "indeterminate"]))),
        "value": draw(_opt(st.floats(min_value=0, max_value=hi, allow_nan=False))),
        "events": draw(_opt(st.integers(min_value=0, max_value=500))),
        "context": draw(_opt(st.sampled_from(["rest", "exercise", "sleep"]))),
        "performed_by": draw(_opt(st.sampled_from(["practitioner", "lab", "supplier"]))),
        "evaluated_by_treating_practitioner": draw(_opt(st.booleans())),
    }
    return {**lab, **{k: v for k, v in extra.items() if v is not None}}


@st.composite
def scores(draw: st.DrawFn) -> dict[str, Any]:
    inst = V.instruments[draw(st.sampled_from(sorted(V.instruments)))]
    hi = inst.max if inst.max is not None else 1000
    score = {
        "instrument": inst.key,
        "value": draw(st.floats(min_value=inst.min, max_value=hi, allow_nan=False)),
        "date": draw(dates).isoformat(),
    }
    period = draw(_opt(st.integers(min_value=1, max_value=120)))
    return score if period is None else {**score, "period_days": period}


@st.composite
def treatments(draw: st.DrawFn) -> dict[str, Any]:
    outcome = draw(
        _opt(
            st.sampled_from(["inadequate_response", "intolerance", "contraindication", "response"])
        )
    )
    t: dict[str, Any] = {"drug": draw(st.sampled_from(DRUG_NAMES))}
    start = draw(dates if outcome != "contraindication" else _opt(dates))
    if start is not None:
        t["start"] = start.isoformat()
        end = draw(_opt(st.dates(min_value=start, max_value=REQUEST)))  # no end after the request
        if end is not None:
            t["end"] = end.isoformat()
    extra = {
        "outcome": outcome,
        "strength": draw(st.sampled_from(STRENGTHS)),
        "form": draw(st.sampled_from(FORMS)),
        "route": draw(st.sampled_from(ROUTES)),
        "source": draw(_opt(st.sampled_from(["prescription", "sample"]))),
    }
    return {**t, **{k: v for k, v in extra.items() if v is not None}}


findings = st.builds(
    lambda name, d: {"name": name, "date": d.isoformat()},
    st.sampled_from(sorted(V.findings)),
    dates,
)
encounters = st.builds(
    lambda kind, d, improved: (
        {"type": kind, "date": d.isoformat()}
        | ({} if improved is None else {"symptoms_improved": improved})
    ),
    st.sampled_from(sorted(V.encounter_types)),
    dates,
    _opt(st.booleans()),
)


@st.composite
def cases(draw: st.DrawFn) -> Case:
    birth = draw(st.dates(min_value=dt.date(1930, 1, 1), max_value=REQUEST))
    data = case_dict(
        patient={"birth_date": birth.isoformat()},
        request={
            "item": draw(st.sampled_from(["infliximab", "Humira", "dupilumab", "cpap"])),
            "diagnosis": draw(st.sampled_from(DIAGNOSES)),
            "dose": draw(_opt(st.sampled_from(["300 mg", "3 mg/kg", "300MG"]))),
            "frequency": draw(_opt(st.sampled_from(["every 8 weeks", "Every 8  weeks", "weekly"]))),
        },
        diagnoses=[{"code": c} for c in draw(st.lists(st.sampled_from(DIAGNOSES), max_size=3))],
        labs=draw(st.lists(labs(), max_size=6)),
        scores=draw(st.lists(scores(), max_size=5)),
        treatments=draw(st.lists(treatments(), max_size=6)),
        findings=draw(st.lists(findings, max_size=3)),
        encounters=draw(st.lists(encounters, max_size=3)),
    )
    return Case.model_validate(data)


def _check_all(case: Case, policy: Policy) -> list[CheckResult]:
    out = []
    for kind in policy.request_types:
        c = case.model_copy(update={"request": case.request.model_copy(update={"type": kind})})
        out.append(check_case(c, policy))
    return out


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=cases())
def test_every_valid_case_gets_a_verdict_per_criterion(case: Case) -> None:
    for policy in POLICIES.values():
        for result in _check_all(case, policy):
            criteria = policy.criteria(result.request_type)
            assert [v.id for v in result.verdicts] == [c.id for c in criteria]
            for v in result.verdicts:
                assert v.status in set(Status)
                assert v.reason
                assert (v.action is None) is (v.status is Status.met), v
            result.to_dict()
