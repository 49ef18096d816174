"""Standards out: the Da Vinci PAS request bundle, the DTR Questionnaire and QuestionnaireResponse.

The bundle is compared with the structure of the PAS reference implementation's example request
bundle: always against the committed structure facts (tests/fixtures), and, when the Da Vinci kit
is next to the repo, the facts against the kit's bundle and our bundle against it directly.
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.json import JSONSnapshotExtension

import pa_docs
from pa_docs.case import Case
from pa_docs.check import CheckResult
from pa_docs.cli import main
from pa_docs.fhir import dtr_response, pas_bundle, questionnaire, to_json
from pa_docs.policy import Policy
from tests.conftest import ROOT

EXAMPLES = sorted(
    p.stem
    for p in (ROOT / "examples").glob("*.yaml")
    if not p.name.endswith(".denial.yaml") and p.name != "practice-profile.yaml"
)
FACTS = json.loads((ROOT / "tests" / "fixtures" / "pas_reference_structure.json").read_text())
KIT = ROOT.parent / "shared" / "data" / "external" / "davinci"
PAS_KIT = KIT / "pas-test-kit" / "conformant_pas_bundle_v110.json"
DTR_KIT = (
    KIT / "dtr-test-kit" / "respiratory_assist_device_pre_populated_questionnaire_response.json"
)
STUB_PDF = b"%PDF-1.4\n% a stand-in packet: these tests are about the FHIR structure\n"
ORIGIN = "http://hl7.org/fhir/us/davinci-dtr/StructureDefinition/information-origin"
needs_kit = pytest.mark.skipif(not PAS_KIT.is_file(), reason=f"the Da Vinci kit is not at {KIT}")


def _checked(name: str) -> tuple[Case, Policy, CheckResult]:
    case = pa_docs.load_case(ROOT / "examples" / f"{name}.yaml")
    policy = pa_docs.select_policy(case, pa_docs.load_policies())
    return case, policy, pa_docs.check_case(case, policy)


def _bundle(name: str) -> dict[str, Any]:
    case, policy, result = _checked(name)
    return pas_bundle(case, policy, result, draft=True, packet=STUB_PDF)


def _resources(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"]]


def _values(data: Any, path: str) -> list[Any]:
    """The values at a dotted path (through lists; ``name[x]`` is any choice type)."""
    head, _, rest = path.partition(".")
    items = data if isinstance(data, list) else [data]
    found: list[Any] = []
    for item in items:
        if not isinstance(item, dict):
            continue
        if head.endswith("[x]"):
            keys = [k for k in item if k.startswith(head[:-3]) and k != head[:-3]]
        else:
            keys = [head] if head in item else []
        for k in keys:
            found.extend(_values(item[k], rest) if rest else [item[k]])
        if not keys:
            found.append(None)
    return found


def _has(data: Any, path: str) -> bool:
    values = _values(data, path)
    return bool(values) and all(v not in (None, [], {}, "") for v in values)


def _required(spec: dict[str, Any], *, for_221: bool = True) -> list[str]:
    extra = [p for paths in spec.get("since", {}).values() for p in paths] if for_221 else []
    return [*spec["required"], *extra]


def _by_type(bundle: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for r in _resources(bundle):
        out.setdefault(r["resourceType"], []).append(r)
    return out


def _check_structure(bundle: dict[str, Any], *, for_221: bool = True) -> None:
    b = FACTS["bundle"]
    assert bundle["type"] == b["type"]
    assert b["profile"] in bundle.get("meta", {}).get("profile", [])
    assert bundle["entry"][0]["resource"]["resourceType"] == b["first"]
    missing = [p for p in b["required"] if not _has(bundle, p)]
    assert not missing, f"Bundle lacks {missing}"
    found = _by_type(bundle)
    for kind, spec in FACTS["resources"].items():
        if spec.get("order"):
            orders = [t for t in FACTS["order_types"] if t in found]
            assert len(orders) == 1, f"one order expected, got {orders}"
            res = found[orders[0]]
            assert FACTS["order_types"][orders[0]] in res[0]["meta"]["profile"]
        else:
            res = found.get(kind, [])
            assert res, f"no {kind}"
            profiles = {p for r in res for p in r.get("meta", {}).get("profile", [])}
            assert set(spec["profiles"]) <= profiles, (kind, profiles)
        for r in res:
            for field, value in spec.get("fixed", {}).items():
                assert r.get(field) == value, (kind, field)
            if spec.get("order"):
                continue
            missing = [p for p in _required(spec, for_221=for_221) if not _has(r, p)]
            assert not missing, f"{kind}/{r.get('id')} lacks {missing}"
    claim = found["Claim"][0]
    for item in claim["item"]:
        urls = {e["url"] for e in item.get("extension", [])}
        assert set(FACTS["claim_item_extensions"]["required"]) <= urls


def _walk(items: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for it in items:
        yield it
        yield from _walk(it.get("item", []))
        for a in it.get("answer", []):
            yield from _walk(a.get("item", []))


# --- the PAS request bundle -------------------------------------------------------------------


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_resource_is_valid_fhir_r4_and_has_the_reference_structure(name: str) -> None:
    from fhir.resources.R4B import get_fhir_model_class

    bundle = _bundle(name)
    get_fhir_model_class("Bundle").model_validate(bundle)
    for r in _resources(bundle):
        get_fhir_model_class(r["resourceType"]).model_validate(r)
        if r["resourceType"] != "MedicationStatement":  # no PAS or US Core profile for it
            assert r["meta"]["profile"], r["resourceType"]
    _check_structure(bundle)
    # every reference resolves inside the bundle
    urls = {e["fullUrl"] for e in bundle["entry"]}
    refs = {m for m in _refs(bundle) if m.startswith("urn:uuid:")}
    assert refs <= urls, refs - urls


def _refs(data: Any) -> Iterator[str]:
    if isinstance(data, dict):
        if isinstance(data.get("reference"), str):
            yield data["reference"]
        for v in data.values():
            yield from _refs(v)
    elif isinstance(data, list):
        for v in data:
            yield from _refs(v)


def test_the_claim_asks_for_the_request() -> None:
    found = _by_type(_bundle("ra-infliximab-aetna"))
    claim = found["Claim"][0]
    assert claim["use"] == "preauthorization" and claim["created"] == "2026-11-02"
    dx = [d["diagnosisCodeableConcept"]["coding"][0] for d in claim["diagnosis"]]
    assert [(c["system"], c["code"]) for c in dx] == [
        ("http://hl7.org/fhir/sid/icd-10-cm", "M05.79"),
        ("http://hl7.org/fhir/sid/icd-10-cm", "E78.5"),
    ]
    assert claim["diagnosis"][0]["type"][0]["coding"][0]["code"] == "principal"
    (item,) = claim["item"]
    assert item["productOrService"]["coding"] == [
        {"system": "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets", "code": "Q5103"}
    ]
    cert = next(e for e in item["extension"] if e["url"].endswith("certificationType"))
    assert cert["valueCodeableConcept"]["coding"][0]["code"] == "I"
    assert item["servicedDate"] == "2026-11-02"
    order = found["MedicationRequest"][0]
    assert order["status"] == "active" and order["intent"] == "order"
    assert order["medicationCodeableConcept"]["text"] == "infliximab-dyyb [Inflectra]"
    requested = next(e for e in item["extension"] if e["url"].endswith("requestedService"))
    assert requested["valueReference"]["reference"] == f"urn:uuid:{order['id']}"
    (focal,) = claim["insurance"]
    coverage = found["Coverage"][0]
    assert focal["focal"] and focal["coverage"]["reference"] == f"urn:uuid:{coverage['id']}"
    assert coverage["subscriberId"] == "W284716395"
    infos = [s["valueReference"]["reference"] for s in claim["supportingInfo"][:2]]
    qr, doc = found["QuestionnaireResponse"][0], found["DocumentReference"][0]
    assert infos == [f"urn:uuid:{qr['id']}", f"urn:uuid:{doc['id']}"]
    # the case notes (the letter's clinical summary) as a free-form message to the UMO
    (message,) = claim["supportingInfo"][2:]
    assert message["category"]["coding"][0]["code"] == "freeFormMessage"
    assert message["valueString"].startswith("Ms. Alvarez has seropositive erosive")
    assert {"system": "urn:pa-docs:case-id", "value": "RA-2026-0147"} in claim["identifier"]
    # every lab, score and treatment of the record is in the bundle
    assert len(found["Observation"]) == 4 + 2 and len(found["MedicationStatement"]) == 4


def test_a_device_continuation_is_a_device_request_for_renewal() -> None:
    found = _by_type(_bundle("osa-cpap-medicare-continuation"))
    (item,) = found["Claim"][0]["item"]
    cert = next(e for e in item["extension"] if e["url"].endswith("certificationType"))
    assert cert["valueCodeableConcept"]["coding"][0]["code"] == "R"
    assert item["category"]["coding"][0]["code"] == "18"  # DME rental
    assert item["locationCodeableConcept"]["coding"][0]["code"] == "12"  # home
    (order,) = found["DeviceRequest"]
    assert order["codeCodeableConcept"]["coding"][0]["code"] == "E0601"
    assert "MedicationRequest" not in found


def test_a_self_administered_drug_without_codes_is_a_pharmacy_item() -> None:
    found = _by_type(_bundle("dupilumab-ad-prime"))
    (item,) = found["Claim"][0]["item"]
    assert item["productOrService"]["coding"][0]["code"] == "88"
    med = found["MedicationRequest"][0]["medicationCodeableConcept"]
    rxnorm = "http://www.nlm.nih.gov/research/umls/rxnorm"
    assert med["coding"] == [{"system": rxnorm, "code": "1876376"}]


def test_the_packet_pdf_travels_in_a_document_reference(tmp_path: Path) -> None:
    out = tmp_path / "ra.json"
    case = ROOT / "examples" / "ra-infliximab-aetna.yaml"
    assert main(["export", "pas", str(case), "-o", str(out)]) == 0
    bundle = json.loads(out.read_text())
    doc = next(r for r in _resources(bundle) if r["resourceType"] == "DocumentReference")
    att = doc["content"][0]["attachment"]
    pdf = base64.b64decode(att["data"])
    assert pdf.startswith(b"%PDF-") and att["size"] == len(pdf)
    c, p, r = _checked("ra-infliximab-aetna")
    from pa_docs import render_document as render
    from pa_docs.documents import build_packet

    packet = render(build_packet(c, p, r, case_path=case), "pdf")
    assert pdf == packet
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    # deterministic: the same case gives the same bytes
    again = tmp_path / "again.json"
    assert main(["export", "pas", str(case), "-o", str(again)]) == 0
    assert again.read_bytes() == out.read_bytes()


def test_exports_are_deterministic_and_ids_follow_the_case(make_case: Any) -> None:
    a = to_json(_bundle("osa-cpap-medicare"))
    assert a == to_json(_bundle("osa-cpap-medicare"))
    other = to_json(_bundle("oxygen-concentrator-medicare"))
    ids_a = {r["id"] for r in _resources(json.loads(a))}
    ids_b = {r["id"] for r in _resources(json.loads(other))}
    assert not ids_a & ids_b
    assert b"2026-05-20T00:00:00Z" in a  # the timestamp is the request date, not the clock


def test_a_case_that_is_not_ready_is_refused_unless_draft(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "gaps.json"
    case = ROOT / "examples" / "oxygen-concentrator-medicare-supplier.yaml"
    assert main(["export", "pas", str(case), "-o", str(out)]) == 1
    assert not out.exists()
    assert "not ready for a PAS request" in capsys.readouterr().err
    assert main(["export", "pas", str(case), "-o", str(out), "--draft"]) == 0
    assert json.loads(out.read_text())["resourceType"] == "Bundle"


def test_bad_input_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case = ROOT / "examples" / "ra-infliximab-aetna.yaml"
    assert main(["export", "pas", str(case), "--policy", "nope", "-o", str(tmp_path / "x")]) == 2
    assert "nope" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()
    assert main(["export", "dtr", str(case), "-o", str(case)]) == 2  # never over its input
    assert main(["criteria", "questionnaire", "no-such-policy"]) == 2
    assert "unknown policy" in capsys.readouterr().err


@needs_kit
def test_the_structure_facts_hold_for_the_reference_bundle() -> None:
    """The committed facts are those of the kit's example (PAS 1.1.0: without 2.2.1 additions),
    so the comparison with our bundle compares with the reference itself."""
    ref = json.loads(PAS_KIT.read_text())
    _check_structure(ref, for_221=False)
    types = {r["resourceType"] for r in _resources(ref)}
    assert types == set(FACTS["resources"])
    for kind in types:
        spec = FACTS["resources"][kind]
        profiles = {p for r in _by_type(ref)[kind] for p in r["meta"]["profile"]}
        assert profiles == set(spec["profiles"]), kind


@needs_kit
@pytest.mark.parametrize("name", ["ra-infliximab-aetna", "osa-cpap-medicare"])
def test_our_bundle_has_the_reference_types_profiles_and_required_elements(name: str) -> None:
    from fhir.resources.R4B import get_fhir_model_class

    ref = json.loads(PAS_KIT.read_text())
    get_fhir_model_class("Bundle").model_validate(ref)  # our validator accepts the reference
    ours = _by_type(_bundle(name))
    for kind, res in _by_type(ref).items():
        spec = FACTS["resources"][kind]
        mine = [t for t in FACTS["order_types"] if t in ours] if spec.get("order") else [kind]
        assert mine and all(t in ours for t in mine), kind
        ref_profiles = {p for r in res for p in r["meta"]["profile"]}
        our_profiles = {p for t in mine for r in ours[t] for p in r["meta"]["profile"]}
        if spec.get("order"):
            assert our_profiles == {FACTS["order_types"][mine[0]]}
        else:
            assert ref_profiles <= our_profiles, kind
        populated = [p for p in spec["required"] if all(_has(r, p) for r in res)]
        for t in mine:
            for r in ours[t]:
                assert all(_has(r, p) for p in populated if not spec.get("order")), kind


# --- DTR: Questionnaire and QuestionnaireResponse ---------------------------------------------


@pytest.fixture
def snapshot_json(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    return snapshot.use_extension(JSONSnapshotExtension)


def test_a_policy_as_a_questionnaire(snapshot_json: SnapshotAssertion) -> None:
    policies = pa_docs.load_policies()
    q = questionnaire(policies["medicare-pap-osa"])
    assert q["resourceType"] == "Questionnaire" and q["status"] == "active"
    (ask, initial, continuation) = q["item"]
    assert ask["linkId"] == "request-type" and ask["required"]
    assert [o["valueCoding"]["code"] for o in ask["answerOption"]] == ["I", "R"]
    policy = policies["medicare-pap-osa"]
    assert [i["text"] for i in initial["item"]] == [c.text for c in policy.initial]
    assert [i["text"] for i in continuation["item"]] == [c.text for c in policy.continuation]
    cites = [i["item"][0] for i in initial["item"]]
    assert all(c["type"] == "display" for c in cites)
    assert [c["text"] for c in cites] == [c.citation for c in policy.initial]
    assert q == snapshot_json


def test_answer_types_follow_the_rule() -> None:
    q = questionnaire(pa_docs.load_policies()["aetna-infliximab-ra"])
    types = {i["linkId"]: i["type"] for i in _walk(q["item"])}
    assert types["initial.diagnosis.value"] == "open-choice"
    assert types["initial.serology.1.value"] == "choice"  # RF positive
    assert types["initial.step-methotrexate.value"] == "reference"
    assert types["initial.diagnosis.evidence"] == "reference"


@pytest.mark.parametrize("policy_id", sorted(pa_docs.load_policies()))
def test_every_shipped_policy_is_a_valid_questionnaire(policy_id: str) -> None:
    from fhir.resources.R4B import get_fhir_model_class

    q = questionnaire(pa_docs.load_policies()[policy_id])
    get_fhir_model_class("Questionnaire").model_validate(q)


def _answers(qr: dict[str, Any], link: str) -> list[Any]:
    (item,) = [i for i in _walk(qr["item"]) if i["linkId"] == link]
    return [next(v for k, v in a.items() if k.startswith("value")) for a in item["answer"]]


def test_event_counts_and_percent_changes_are_answered_from_their_evidence() -> None:
    case, policy, result = _checked("asthma-mepolizumab-bcbsnd")
    qr = dtr_response(case, policy, result)
    # two exacerbations treated with systemic corticosteroids: the date of each
    assert _answers(qr, "initial.uncontrolled.1.value") == ["2026-02-03", "2026-07-22"]
    case, policy, result = _checked("obesity-semaglutide-cigna-continuation")
    qr = dtr_response(case, policy, result)
    # weight loss from the baseline before the first GLP-1: the current weight, then the baseline
    assert _answers(qr, "continuation.weight-loss.value") == [
        {"value": 96.1, "unit": "kg"},
        {"value": 104, "unit": "kg"},
    ]


def test_a_checked_case_as_a_dtr_response(snapshot_json: SnapshotAssertion) -> None:
    case, policy, result = _checked("osa-cpap-medicare")
    qr = dtr_response(case, policy, result)
    q = questionnaire(policy)
    assert qr["questionnaire"] == f"{q['url']}|{q['version']}"
    assert qr["status"] == "completed"
    types = {i["linkId"]: i.get("type") for i in _walk(q["item"])}
    answered = [i for i in _walk(qr["item"]) if "answer" in i]
    assert answered
    for item in answered:  # every answer is to a question of the Questionnaire, typed as asked
        kind = types[item["linkId"]]
        for a in item["answer"]:
            value = next(k for k in a if k.startswith("value"))
            expected = {"open-choice": "valueCoding", "choice": "valueCoding"}.get(kind)
            assert value == (expected or "value" + kind[0].upper() + kind[1:]), item["linkId"]
    ahi = next(i for i in answered if i["text"].startswith("polysomnography or home"))
    assert ahi["answer"][0]["valueQuantity"] == {"value": 28.6, "unit": "events/h"}
    assert qr == snapshot_json


def _sources(qr: dict[str, Any]) -> list[str]:
    return [
        e["extension"][0]["valueCode"]
        for i in _walk(qr["item"])
        for a in i.get("answer", [])
        for e in a["extension"]
        if e["url"] == ORIGIN
    ]


def test_each_answer_says_where_it_came_from(make_case: Any, policies: Any) -> None:
    case, policy, result = _checked("ra-infliximab-aetna")
    qr = dtr_response(case, policy, result)
    answers = [a for i in _walk(qr["item"]) for a in i.get("answer", [])]
    assert len(_sources(qr)) == len(answers)  # every answer carries information-origin
    assert set(_sources(qr)) == {"manual"}  # typed in a case file
    # items imported from the EHR (fhir_ref) are auto-populated
    data = json.loads(json.dumps(case.model_dump(mode="json", exclude_none=True)))
    for section in ("diagnoses", "labs", "treatments"):
        for n, item in enumerate(data[section]):
            item["fhir_ref"] = f"X/{section}{n}"
    imported = Case.model_validate(data)
    qr2 = dtr_response(imported, policy, pa_docs.check_case(imported, policy))
    dx = next(i for i in _walk(qr2["item"]) if i["linkId"] == "initial.diagnosis.value")
    assert dx["answer"][0]["extension"][0]["extension"][0]["valueCode"] == "auto-client"
    age_based = [s for s in _sources(qr2) if s == "manual"]  # patient and request fields
    assert len(age_based) < len(_sources(qr2))


def test_a_missing_criterion_is_left_unanswered() -> None:
    case, policy, result = _checked("oxygen-concentrator-medicare-supplier")
    qr = dtr_response(case, policy, result)
    assert qr["status"] == "in-progress"
    missing = [v.id for v in result.verdicts if v.status.value == "missing"]
    linked = {i["linkId"] for i in _walk(qr["item"])}
    assert missing and not any(f"initial.{m}.value" in linked for m in missing)


@pytest.mark.skipif(not DTR_KIT.is_file(), reason=f"the Da Vinci kit is not at {KIT}")
def test_information_origin_is_shaped_as_in_the_dtr_kit() -> None:
    kit = json.loads(DTR_KIT.read_text())
    theirs = [
        e
        for i in _walk(kit["item"])
        for a in i.get("answer", [])
        for e in a.get("extension", [])
        if e["url"] == ORIGIN
    ]
    assert theirs
    case, policy, result = _checked("ra-infliximab-aetna")
    ours = [
        e
        for i in _walk(dtr_response(case, policy, result)["item"])
        for a in i.get("answer", [])
        for e in a["extension"]
    ]

    def shape(e: dict[str, Any]) -> tuple[str, tuple[tuple[str, ...], ...]]:
        return e["url"], tuple(tuple(sorted(x)) for x in e["extension"])

    assert {shape(e) for e in ours} == {shape(e) for e in theirs}
    # the kit's DTR 2.0 "auto" became auto-client / auto-server in DTR 2.2
    assert {x["valueCode"] for e in theirs for x in e["extension"]} == {"auto"}
    assert {x["valueCode"] for e in ours for x in e["extension"]} <= {
        "auto-client",
        "auto-server",
        "override",
        "manual",
    }
    assert kit["meta"]["profile"] == dtr_response(case, policy, result)["meta"]["profile"]


def test_the_dtr_and_questionnaire_commands_write_json(tmp_path: Path) -> None:
    case = ROOT / "examples" / "psoriasis-adalimumab-cigna.yaml"
    assert main(["export", "dtr", str(case), "-o", str(tmp_path / "qr.json")]) == 0
    assert json.loads((tmp_path / "qr.json").read_text())["resourceType"] == "QuestionnaireResponse"
    out = tmp_path / "q.json"
    assert main(["criteria", "questionnaire", "cigna-adalimumab-psoriasis", "-o", str(out)]) == 0
    assert json.loads(out.read_text())["resourceType"] == "Questionnaire"


def test_a_check_imports_none_of_the_exporters() -> None:
    code = (
        "import sys\n"
        "from pa_docs.cli import main\n"
        f"main(['check', {str(ROOT / 'examples' / 'ra-infliximab-aetna.yaml')!r}, "
        "'--format', 'json'])\n"
        "print(sorted(m for m in sys.modules if m.startswith('pa_docs.fhir.')), file=sys.stderr)\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    loaded = json.loads(r.stderr.strip().splitlines()[-1].replace("'", '"'))
    assert not [m for m in loaded if m != "pa_docs.fhir._cli" and not m.endswith("_export_cli")]
