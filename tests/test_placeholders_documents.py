"""No document leaves with a FILL-IN in it: refused without --draft, and a draft shows each
placeholder as a highlighted "[to fill: ...]" (a property test over random fields)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pa_docs import render_document as render
from pa_docs.case import Case
from pa_docs.check import check_case
from pa_docs.cli import main
from pa_docs.documents import build_letter, build_packet
from pa_docs.errors import NotReadyError
from pa_docs.policy import load_policies

from .conftest import ROOT

RA = ROOT / "examples" / "ra-infliximab-aetna.yaml"
DATA: dict[str, Any] = yaml.safe_load(RA.read_text(encoding="utf-8"))
POLICY = load_policies()["aetna-infliximab-ra"]


def _leaves(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(node, dict):
        return [p for k, v in node.items() for p in _leaves(v, (*path, k))]
    if isinstance(node, list):
        return [p for i, v in enumerate(node) for p in _leaves(v, (*path, i))]
    return [path]


LEAVES = [p for p in _leaves(DATA) if p[0] not in {"attachments", "request_date"}]


def _with_placeholders(paths: list[tuple[Any, ...]]) -> dict[str, Any]:
    data = copy.deepcopy(DATA)
    for path in paths:
        node = data
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = "FILL-IN"
    return data


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(LEAVES), min_size=1, max_size=4, unique=True))
def test_no_document_without_draft_holds_a_placeholder(paths: list[tuple[Any, ...]]) -> None:
    case = Case.model_validate(_with_placeholders(paths))  # a placeholder always loads
    assert case.to_fill
    result = check_case(case, POLICY)
    assert result.status.value != "ready"
    for build in (build_packet, build_letter):
        with pytest.raises(NotReadyError):
            build(case, POLICY, result, case_path=RA)
        html = render(build(case, POLICY, result, case_path=RA, draft=True), "html").decode()
        assert "FILL-IN" not in html
        shown = {"patient.name", "patient.member_id", "patient.birth_date", "prescriber.name"}
        if shown & {f.path for f in case.to_fill}:  # printed on every page: marked there
            assert 'class="to-fill">[to fill' in html


def test_a_draft_marks_the_member_id_and_the_cli_writes_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _with_placeholders([("patient", "member_id")])
    path = tmp_path / "case.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    out = tmp_path / "draft.html"
    assert main(["packet", str(path), "--format", "html", "-o", str(out), "--draft"]) == 0
    html = out.read_text(encoding="utf-8")
    assert '<mark class="to-fill">[to fill: member ID]</mark>' in html
    assert "member [to fill: member ID]" in html  # the running footer
    assert "FILL-IN" not in html
