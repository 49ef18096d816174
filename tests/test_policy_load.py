"""Policies are read when used: a check validates the policy it runs against, not every file."""

from __future__ import annotations

from pathlib import Path

import pytest

from pa_docs.case import Case
from pa_docs.errors import PolicyError
from pa_docs.policy import Policies, load_policies, select_policy
from tests.conftest import ROOT, case_dict

CRITERIA = ROOT / "criteria"


def _copy(folder: Path, name: str, new_id: str, **replace: str) -> Path:
    text = (CRITERIA / f"{name}.yaml").read_text(encoding="utf-8")
    text = text.replace(f"id: {name}\n", f"id: {new_id}\n", 1)
    for old, new in replace.items():
        text = text.replace(old, new)
    f = folder / f"{new_id}.yaml"
    f.write_text(text, encoding="utf-8")
    return f


def test_shipped_policies_are_named_by_their_files() -> None:
    policies = load_policies()
    assert isinstance(policies, Policies)
    assert sorted(policies) == sorted(p.stem for p in CRITERIA.glob("*.yaml"))
    assert all(policies[pid].id == pid for pid in policies)


def test_an_unused_broken_policy_does_not_stop_a_check_of_another_payer(tmp_path: Path) -> None:
    # a practice's policy for another payer with a criterion of an unknown kind: only parsed
    _copy(tmp_path, "medicare-oxygen", "practice-oxygen", **{"kind: lab": "kind: horoscope"})
    policies = load_policies([tmp_path])
    assert "practice-oxygen" in policies
    case = Case.model_validate(case_dict())
    assert select_policy(case, policies).id == "aetna-infliximab-ra"
    with pytest.raises(PolicyError, match="horoscope") as err:
        select_policy(case, policies, "practice-oxygen")
    assert err.value.problems[0].file == str(tmp_path / "practice-oxygen.yaml")


def test_a_broken_policy_that_may_cover_the_case_is_reported(tmp_path: Path) -> None:
    _copy(tmp_path, "aetna-infliximab-ra", "practice-ra", **{"kind: lab": "kind: horoscope"})
    case = Case.model_validate(case_dict())
    with pytest.raises(PolicyError, match="horoscope"):
        select_policy(case, load_policies([tmp_path]))


def test_a_payer_key_written_with_escapes_is_still_found(tmp_path: Path) -> None:
    # "\x61etna" is "aetna": the file's text does not spell the key out
    _copy(tmp_path, "aetna-infliximab-ra", "practice-ra", **{"[aetna]": '["\\x61etna"]'})
    policies = load_policies([tmp_path])
    assert policies["practice-ra"].payer_keys == ["aetna"]
    assert "practice-ra" in policies.mentioning("aetna")
    case = Case.model_validate(case_dict())
    with pytest.raises(PolicyError, match="several policies apply"):
        select_policy(case, policies)


def test_the_payer_is_matched_without_regard_to_case(tmp_path: Path) -> None:
    _copy(tmp_path, "medicare-oxygen", "practice-oxygen", **{"[medicare]": "[ACME]"})
    assert load_policies([tmp_path]).mentioning("acme") == ["practice-oxygen"]


def test_a_practice_file_is_known_by_the_id_inside_it(tmp_path: Path) -> None:
    f = _copy(tmp_path, "medicare-oxygen", "practice-oxygen")
    f.rename(tmp_path / "oxygen.yaml")
    policies = load_policies([tmp_path])
    assert policies.file("practice-oxygen") == tmp_path / "oxygen.yaml"
    assert policies["practice-oxygen"].id == "practice-oxygen"


def test_a_practice_file_without_a_readable_id_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "x.yaml").write_text("id: [not, text]\npayer: X\n", encoding="utf-8")
    with pytest.raises(PolicyError) as err:
        load_policies([tmp_path])
    assert any(p.field == "id" for p in err.value.problems)


def test_every_policy_names_the_text_a_document_applied() -> None:
    """The footer's edition: the payer's version when stated, else the effective date (when
    known) and the day the file was last compared with the payer's text; never empty."""
    policies = load_policies()
    assert policies["medicare-pap-osa"].edition == "version 52"
    uhc = policies["uhc-vedolizumab-crohns"]
    assert uhc.version is None and uhc.effective is not None
    assert uhc.edition == (
        f"effective {uhc.effective.isoformat()}, text as read {uhc.last_reviewed.isoformat()}"
    )
    aetna = policies["aetna-infliximab-ra"]
    assert aetna.version is None and aetna.effective is None
    assert aetna.edition == f"text as read {aetna.last_reviewed.isoformat()}"
