"""The appeal plan: honesty about gaps, lateness, and the deadline command."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from pa_docs.appeal import Denial, load_denial, p2p_points, plan_appeal
from pa_docs.case import load_case
from pa_docs.check import Status
from pa_docs.cli import FLAGS, app
from pa_docs.errors import CaseError, InputError, NotReadyError
from pa_docs.policy import load_policies

SHARED = Path(__file__).resolve().parents[2] / "shared" / "examples"
pytestmark = pytest.mark.skipif(
    not SHARED.is_dir(), reason="../shared/examples is not beside the repository"
)
CASE_FILE = SHARED / "crohns-vedolizumab-uhc.yaml"
DENIAL_FILE = SHARED / "crohns-vedolizumab-uhc.denial.yaml"
UHC = load_policies()["uhc-vedolizumab-crohns"]
AS_OF = dt.date(2026, 11, 30)


@pytest.fixture
def case():
    return load_case(CASE_FILE)


@pytest.fixture
def denial():
    return load_denial(DENIAL_FILE, "GI-2026-0311")


def without_step_therapy(case):
    # prednisone, azathioprine and the steroid-dependence finding are the step-therapy evidence
    return case.model_copy(update={"treatments": [], "findings": []})


class TestSharedExample:
    def test_plans_without_gaps(self, case, denial):
        plan = plan_appeal(case, UHC, denial, AS_OF)
        assert plan.gaps == [] and not plan.draft and not plan.late and not plan.expedited
        assert (plan.program, plan.level, plan.level_name) == ("medicaid", 1, "plan appeal")
        # Nov 24 + 60 = Sat Jan 23 2027; file by Fri Jan 22; 1 + 31 + 22 = 54 days from Nov 30
        assert (plan.deadline.deadline, plan.deadline.file_by) == (
            dt.date(2027, 1, 23), dt.date(2027, 1, 22),
        )  # fmt: skip
        assert plan.days_left == 54
        assert [(r.index, r.how, [c.id for c in r.criteria]) for r in plan.reasons] == [
            (1, "stated", ["step-conventional"]),
            (2, "inferred", ["disease-activity"]),
        ]
        assert plan.reasons[1].text == "Disease severity is not documented."  # verbatim
        activity = plan.reasons[1].criteria[0]
        assert activity.status is Status.met and "CS2021D0053N" in activity.citation
        assert [(e.ref, e.date) for e in activity.evidence] == [("scores[0]", dt.date(2026, 11, 3))]
        assert all(r.supported for r in plan.reasons)

    def test_p2p_points_put_the_most_recent_evidence_first(self, case, denial):
        points = p2p_points(plan_appeal(case, UHC, denial, AS_OF))
        assert [e.ref for e in points[0].evidence] == ["treatments[1]", "treatments[0]"]
        assert points[1].questions == [
            "Which part of UHC CS2021D0053N, Crohn's disease, initial therapy, criterion 1 does "
            "the reviewer consider unmet, given Harvey-Bradshaw Index 11 on 2026-11-03?"
        ]


class TestHonesty:
    def test_refuses_when_the_record_does_not_support_a_reason(self, case, denial):
        with pytest.raises(NotReadyError) as e:
            plan_appeal(without_step_therapy(case), UHC, denial, AS_OF)
        assert len(e.value.gaps) == 1
        assert e.value.gaps[0].startswith("reason 1: step-conventional is missing: ")
        assert "does not support an answer to every denial reason" in str(e.value)

    def test_a_draft_marks_the_gaps(self, case, denial):
        plan = plan_appeal(without_step_therapy(case), UHC, denial, AS_OF, draft=True)
        assert plan.draft
        assert [(g.reason_index, g.criterion_id, g.status) for g in plan.gaps] == [
            (1, "step-conventional", Status.missing)
        ]
        assert not plan.reasons[0].supported and plan.reasons[1].supported
        assert [c.id for c in plan.reasons[0].gaps] == ["step-conventional"]
        assert plan.gaps[0].action  # what to do about it, from the checker

    def test_a_criterion_no_reason_names_is_not_a_gap_of_the_appeal(self, case, denial):
        only_severity = denial.model_copy(update={"reasons": denial.reasons[1:]})
        plan = plan_appeal(without_step_therapy(case), UHC, only_severity, AS_OF)
        assert plan.gaps == []

    def test_an_unmapped_reason_rests_on_every_criterion(self, case, denial):
        general = Denial.model_validate(
            {**denial.model_dump(), "reasons": [{"text": "Not medically necessary."}]}
        )
        plan = plan_appeal(case, UHC, general, AS_OF)
        assert [r.how for r in plan.unmapped] == ["unmapped"]
        assert [c.id for c in plan.reasons[0].criteria] == [
            "diagnosis", "disease-activity", "step-conventional", "dosing",
        ]  # fmt: skip
        with pytest.raises(NotReadyError):
            plan_appeal(without_step_therapy(case), UHC, general, AS_OF)


class TestLateness:
    def test_the_deadline_day_itself_is_in_time(self, case, denial):
        plan = plan_appeal(case, UHC, denial, dt.date(2027, 1, 23))
        assert plan.days_left == 0 and not plan.late

    def test_past_the_deadline_is_an_error(self, case, denial):
        with pytest.raises(InputError) as e:
            plan_appeal(case, UHC, denial, dt.date(2027, 2, 1), denial_file=DENIAL_FILE)
        msg = str(e.value)
        assert "the deadline to file the plan appeal (level 1, medicaid) was 2027-01-23" in msg
        assert "(9 days ago); pass late=True" in msg and "good cause" in msg
        assert "(9 days ago); pass --late" in e.value.say(FLAGS)  # as the CLI says it
        assert msg.startswith(str(DENIAL_FILE))

    def test_late_files_anyway(self, case, denial):
        plan = plan_appeal(case, UHC, denial, dt.date(2027, 2, 1), late=True)
        assert plan.late and plan.days_left == -9

    def test_as_of_before_the_denial(self, case, denial):
        with pytest.raises(InputError, match="before the denial date"):
            plan_appeal(case, UHC, denial, dt.date(2026, 11, 1))


def test_expedited_and_last_internal_level(case, denial):
    urgent = case.model_copy(
        update={
            "request": case.request.model_copy(update={"urgency": "expedited"}),
            "coverage": case.coverage.model_copy(update={"line_of_business": "commercial"}),
        }
    )
    plan = plan_appeal(urgent, UHC, denial, AS_OF)
    assert plan.expedited and plan.is_last_internal
    assert plan.deadline.next_levels[0].name == "external review (independent review organization)"


def test_a_level_the_table_does_not_cover(case, denial):
    second = denial.model_copy(update={"appeal_level": 2})
    with pytest.raises(InputError, match=r"appeal level 2 for medicaid is not covered"):
        plan_appeal(case, UHC, second, AS_OF)


def test_case_id_must_match(case, denial):
    with pytest.raises(InputError, match="does not match the case"):
        plan_appeal(case, UHC, denial.model_copy(update={"case_id": "OTHER"}), AS_OF)


# The deadline command, as the pa-docs command line runs it.
def run(*args: str):
    argv = ["deadline", str(CASE_FILE), "--denial", str(DENIAL_FILE), *args]
    return CliRunner().invoke(app, argv)


class TestDeadlineCommand:
    def test_table(self):
        r = run("--as-of", "2026-11-30")
        assert r.exit_code == 0, r.output
        assert "Last day to file: Saturday 2027-01-23" in r.output
        assert "File by:          Friday 2027-01-22" in r.output
        assert "Days left:        54 (as of 2026-11-30)" in r.output
        assert "Level 1: plan appeal — Medicaid managed care (medicaid)" in r.output

    def test_json(self):
        r = run("--as-of", "2026-11-30", "--format", "json")
        data = json.loads(r.output)
        assert {k: data[k] for k in ("deadline", "file_by", "level", "program", "days_left")} == {
            "deadline": "2027-01-23",
            "file_by": "2027-01-22",
            "level": 1,
            "program": "medicaid",
            "days_left": 54,
        }
        assert data["level_name"] == "plan appeal" and data["next_levels"] == []
        assert "42 CFR 438.402" in data["rule"]

    def test_past_due_is_said_clearly(self):
        r = run("--as-of", "2027-02-01")
        assert r.exit_code == 0
        assert "PAST DUE by 9 days" in r.output

    def test_medicare_lists_the_levels_that_follow(self, tmp_path):
        doc = yaml.safe_load(CASE_FILE.read_text())
        doc["coverage"]["line_of_business"] = "medicare"
        f = tmp_path / "case.yaml"
        f.write_text(yaml.safe_dump(doc))
        r = CliRunner().invoke(
            app, ["deadline", str(f), "--denial", str(DENIAL_FILE), "--as-of", "2026-11-30"]
        )
        # receipt Nov 27 (before the presumed Nov 29): Nov 27 + 120 = 3 + 31 + 31 + 28 + 27 = Sat
        # Mar 27 2027 -> file by Fri Mar 26
        assert "Last day to file: Saturday 2027-03-27" in r.output
        assert "  3. ALJ hearing: 60 days from the reconsideration decision; amount" in r.output

    @pytest.mark.parametrize(
        ("args", "error", "text"),
        [
            (("--format", "xml"), InputError, "--format must be table or json"),
            (("--as-of", "30/11/2026"), InputError, "is not a date"),
            (("--policy", "nope"), InputError, "unknown policy 'nope'"),
        ],
    )
    def test_bad_input(self, args, error, text):
        r = run(*args)
        assert isinstance(r.exception, error) and text in str(r.exception)

    def test_case_id_mismatch(self, tmp_path):
        f = tmp_path / "d.yaml"
        f.write_text(DENIAL_FILE.read_text().replace("GI-2026-0311", "GI-0000"))
        r = CliRunner().invoke(app, ["deadline", str(CASE_FILE), "--denial", str(f)])
        assert isinstance(r.exception, CaseError)
