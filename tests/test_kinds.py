"""Criterion kinds: one module each, all registered, each with a working example; a criterion's
``kind`` must be one its rule checks."""

from __future__ import annotations

import pkgutil
import re
import string
from pathlib import Path

import pytest
import yaml

import pa_docs.kinds as kinds
from pa_docs._fielddocs import field_docs
from pa_docs.case import load_case
from pa_docs.check import check_case
from pa_docs.errors import PolicyError
from pa_docs.kinds import ENGLISH, KIND_MODULES, LEAF_KINDS, MODULES, REGISTRY, RuleBase, Wording
from pa_docs.policy import Criterion, Policy, load_policies, load_policy

from .conftest import ROOT


def test_every_kind_module_is_registered() -> None:
    on_disk = {m.name for m in pkgutil.iter_modules(kinds.__path__) if not m.name.startswith("_")}
    assert on_disk == set(KIND_MODULES)
    assert set(REGISTRY) == set(KIND_MODULES)


@pytest.mark.parametrize("name", KIND_MODULES)
def test_a_kind_module_holds_its_rule_its_evaluation_and_an_example(name: str) -> None:
    module = MODULES[name]
    rule = REGISTRY[name]
    assert rule.__module__ == module.__name__  # the model lives with its evaluation
    assert rule.kind_name() == name  # the module's name is the YAML `kind`
    assert rule.evaluate is not RuleBase.evaluate
    assert module.__doc__ and rule.__doc__
    example = yaml.safe_load(module.EXAMPLE)
    assert example["kind"] == name
    assert type(rule.model_validate(example)) is rule
    docs = field_docs(rule)
    for field in rule.model_fields:
        assert field == "kind" or docs.get(field), f"{name}.{field} has no description"


def test_every_shipped_kind_is_a_leaf_or_a_composition() -> None:
    assert set(LEAF_KINDS) | {"all_of", "any_of"} == set(REGISTRY)
    used = {r.kind for p in load_policies().values() for c in p.initial + p.continuation
            for r in c.rule.leaves()}  # fmt: skip
    assert used <= set(LEAF_KINDS)


CRITERION = {
    "id": "tb",
    "text": "A negative TB test within 12 months.",
    "source": {"provenance": "summary", "checked": "2026-12-02"},
    "rule": {"kind": "lab", "tests": ["tb_igra"], "result": "negative"},
}


def test_a_criterion_kind_must_match_its_rule() -> None:
    assert Criterion.model_validate({**CRITERION, "kind": "lab"}).kind == "lab"
    with pytest.raises(ValueError, match="kind 'score' does not match its rule, which checks lab"):
        Criterion.model_validate({**CRITERION, "kind": "score"})


def test_a_composite_criterion_takes_the_kind_of_one_of_its_parts() -> None:
    rule = {"kind": "any_of", "of": [CRITERION["rule"], {"kind": "finding", "name": "insomnia"}]}
    assert Criterion.model_validate({**CRITERION, "kind": "finding", "rule": rule})
    with pytest.raises(ValueError, match="which checks lab and finding"):
        Criterion.model_validate({**CRITERION, "kind": "age", "rule": rule})


def test_a_mismatched_kind_in_a_policy_file_names_file_line_and_field(tmp_path: Path) -> None:
    text = (ROOT / "criteria" / "aetna-infliximab-ra.yaml").read_text(encoding="utf-8")
    old = "  - id: step-methotrexate\n    kind: step_therapy"
    assert old in text
    path = tmp_path / "aetna-infliximab-ra.yaml"
    path.write_text(text.replace(old, "  - id: step-methotrexate\n    kind: lab"), encoding="utf-8")
    with pytest.raises(PolicyError) as err:
        load_policy(path)
    message = str(err.value)
    assert f"{path}:" in message and "initial[2]" in message
    assert "kind 'lab' does not match its rule, which checks step_therapy" in message


@pytest.mark.parametrize("name", KIND_MODULES)
def test_every_message_a_kind_can_say_has_words(name: str) -> None:
    module = MODULES[name]
    words = ENGLISH.templates
    prefixes = {code.split(".")[0] for code in getattr(module, "WORDS", {})}
    source = Path(module.__file__ or "").read_text(encoding="utf-8")
    codes = {
        c for c in re.findall(r'"([a-z_]+(?:\.[a-z_]+)+)"', source) if c.split(".")[0] in prefixes
    }
    assert codes <= set(words), sorted(codes - set(words))
    for code in getattr(module, "WORDS", {}):
        list(string.Formatter().parse(words[code]))  # a well-formed template


def test_a_wording_can_replace_a_sentence(policies: dict[str, Policy]) -> None:
    case = load_case(ROOT / "examples" / "ra-infliximab-aetna.yaml")
    verdict = check_case(case, policies["aetna-infliximab-ra"]).verdicts[4]  # tb-screening
    assert verdict.code == "lab.met"
    assert verdict.reason == "IGRA negative on 2026-07-21."
    short = Wording({"lab.met": "{test:test} {lab.item.result}, {on}"})
    assert short.reason(verdict.result) == "IGRA negative, 2026-07-21"


def test_a_document_can_be_worded_its_own_way(policies: dict[str, Policy]) -> None:
    from pa_docs import build_letter, render_document

    path = ROOT / "examples" / "ra-infliximab-aetna.yaml"
    case = load_case(path)
    policy = policies["aetna-infliximab-ra"]
    result = check_case(case, policy)
    short = Wording({"lab.met": "TB screen clear: {test:test} {lab.item.result}, {on}"})
    english = render_document(build_letter(case, policy, result, case_path=path), "html")
    worded = result.worded(short)
    html = render_document(build_letter(case, policy, worded, case_path=path), "html")
    assert b"TB screen clear: IGRA negative, 2026-07-21" in html
    assert b"TB screen clear" not in english
    assert [v.status for v in worded.verdicts] == [v.status for v in result.verdicts]
    assert result.verdicts[4].wording is ENGLISH  # the result itself is left as it was
