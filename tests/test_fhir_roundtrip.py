"""The round trip: ``import-fhir`` on a PAS request bundle pa-docs exported gives back the case.

Every example case (``examples/`` and the shared examples) is exported as a PAS bundle, the
bundle is imported the way a user does it (the file, no options), the imported case is written
as a case file and loaded, and the two cases are compared field by field. Two things do not
travel, by design:

- ``fhir_ref``: an imported item names the resource it was read from, so the re-imported items
  name the bundle's resources (the exported case's items name none, or their original chart's);
- ``attachments``: the files are appended to the packet PDF the bundle carries
  (DocumentReference), not sent as separate files, so there are no paths to give back.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import pa_docs
from pa_docs.case import Case
from pa_docs.cli import main
from pa_docs.fhir import (
    ImportResult,
    import_resources,
    import_source,
    pas_bundle,
    to_json,
    write_case,
)
from tests.conftest import ROOT, SHARED_EXAMPLES, case_dict

STUB_PDF = b"%PDF-1.4\n% a stand-in packet: these tests are about the FHIR structure\n"
NOT_CARRIED = ("fhir_ref", "attachments")


def _cases(folder: Path) -> list[Path]:
    return sorted(
        p
        for p in folder.glob("*.yaml")
        if not p.name.endswith(".denial.yaml") and p.name != "practice-profile.yaml"
    )


EXAMPLES = [
    pytest.param(p, id=f"{p.parent.name}/{p.stem}")
    for p in [*_cases(ROOT / "examples"), *_cases(SHARED_EXAMPLES)]
]


def _flat(data: Any, path: str = "") -> dict[str, Any]:
    """Every field of a dumped case by its path (``labs[2].value``), the fields that do not
    travel left out. An empty list is a field of its own."""
    if isinstance(data, dict):
        out: dict[str, Any] = {}
        for k, v in data.items():
            if k not in NOT_CARRIED:
                out.update(_flat(v, f"{path}.{k}" if path else k))
        return out
    if isinstance(data, list) and data:
        out = {}
        for i, v in enumerate(data):
            out.update(_flat(v, f"{path}[{i}]"))
        return out
    return {path: data}


def fields(case: Case) -> dict[str, Any]:
    return _flat(case.model_dump(mode="json"))


def round_trip(case: Case, tmp_path: Path) -> tuple[Case, ImportResult, dict[str, Any]]:
    """Export ``case`` as a PAS bundle file, import the file, write and load the case file."""
    policy = pa_docs.select_policy(case, pa_docs.load_policies())
    bundle = pas_bundle(case, policy, pa_docs.check_case(case, policy), draft=True, packet=STUB_PDF)
    source = tmp_path / "request.json"
    source.write_bytes(to_json(bundle))
    imported = import_source(source)  # no options: the Claim says the date and the case
    written = write_case(imported, tmp_path / "back.yaml", source=str(source))
    return pa_docs.load_case(written), imported, bundle


def _same(case: Case, back: Case) -> None:
    want, got = fields(case), fields(back)
    differ = {
        k: (want.get(k), got.get(k)) for k in want.keys() | got.keys() if want.get(k) != got.get(k)
    }
    assert not differ, differ


@pytest.mark.parametrize("path", EXAMPLES)
def test_an_exported_pas_bundle_imports_as_the_same_case(path: Path, tmp_path: Path) -> None:
    case = pa_docs.load_case(path)
    back, imported, bundle = round_trip(case, tmp_path)
    _same(case, back)
    assert not imported.missing and imported.case_error is None
    # the sections the issue names, each there and whole
    for name in ("diagnoses", "labs", "scores", "treatments"):
        assert len(getattr(back, name)) == len(getattr(case, name)), name
    # each item says which resource of the bundle it was read from
    urls = {e["fullUrl"].removeprefix("urn:uuid:") for e in bundle["entry"]}
    for name in ("diagnoses", "labs", "scores", "treatments", "findings", "encounters"):
        for item in getattr(back, name):
            assert item.fhir_ref and item.fhir_ref.split("/")[1] in urls
    # the check reads the re-imported case as it read the case
    policy = pa_docs.select_policy(case, pa_docs.load_policies())
    before = [(v.id, v.status) for v in pa_docs.check_case(case, policy).verdicts]
    after = [(v.id, v.status) for v in pa_docs.check_case(back, policy).verdicts]
    assert after == before
    # and exported again (its provenance set aside), it is the same bundle, byte for byte
    again = Case.model_validate(_without_provenance(back.model_dump(exclude_none=True)))
    result = pa_docs.check_case(again, policy)
    assert to_json(pas_bundle(again, policy, result, draft=True, packet=STUB_PDF)) == to_json(
        bundle
    )


def _without_provenance(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _without_provenance(v) for k, v in data.items() if k != "fhir_ref"}
    if isinstance(data, list):
        return [_without_provenance(v) for v in data]
    return data


def test_every_field_a_case_can_hold_travels(tmp_path: Path) -> None:
    """The fields no example uses: NDC, quantity, supply, site, order date, urgency and its
    reason, the policy named, weight, a sample, a contraindication without dates, the codes the
    case gave, a finding, minutes below a threshold, a prescriber's capitalised specialty."""
    data = case_dict(
        patient={"weight_kg": 81.5, "sex": "female"},
        coverage={
            "plan": "Aetna Choice POS II",
            "group_number": "G-77",
            "line_of_business": "medicare_advantage",
        },
        prescriber={
            "specialty": "Rheumatology",
            "practice": "Lakeside Arthritis",
            "phone": "555-0100",
        },
        request={
            "product": "Inflectra",
            "codes": ["Q5103"],
            "dose": "5 mg/kg",
            "frequency": "every 8 weeks",
            "route": "intravenous",
            "urgency": "expedited",
            "urgency_reason": "Flare with rising CRP; a delay risks joint damage.",
            "policy": "aetna-infliximab-ra",
            "ndc": "0069-0809-01",
            "quantity": "4 vials",
            "days_supply": 56,
            "site_of_care": "hospital outpatient infusion center",
            "order_date": "2026-10-30",
        },
        diagnoses=[
            {"code": "M05.79", "description": "RA with RF", "onset": "2022-05-10"},
            {"code": "E78.5"},
        ],
        labs=[
            {
                "test": "spo2",
                "value": 87,
                "unit": "%",
                "date": "2026-10-01",
                "context": "sleep",
                "minutes_at_or_below": 6.5,
                "performed_by": "lab",
                "evaluated_by_treating_practitioner": True,
            },
            {"loinc": "71773-6", "result": "negative", "date": "2026-09-01", "note": "QuantiFERON"},
        ],
        scores=[
            {"instrument": "das28_crp", "value": 5.6, "date": "2026-10-06", "note": "at the visit"}
        ],
        treatments=[
            {
                "drug": "Otrexup",
                "strength": "25 mg/0.4 mL",
                "form": "auto-injector",
                "dose": "25 mg weekly",
                "route": "subcutaneous",
                "start": "2023-01-01",
                "end": "2023-09-01",
                "outcome": "inadequate_response",
                "source": "sample",
                "rxnorm": "1665459",
            },
            {"drug": "leflunomide", "outcome": "contraindication", "note": "planning pregnancy"},
        ],
        findings=[{"name": "corticosteroid_dependence", "date": "2026-10-06"}],
        encounters=[{"type": "telehealth", "date": "2026-10-06", "symptoms_improved": False}],
        notes="Seropositive erosive disease.\nRadiographs show new erosions.\n",
    )
    case = Case.model_validate(data)
    back, imported, _ = round_trip(case, tmp_path)
    _same(case, back)
    assert not imported.missing
    assert back.request.policy == "aetna-infliximab-ra" and back.patient.weight_kg == 81.5


def test_the_library_reads_a_bundle_in_memory() -> None:
    """``import_resources`` takes the exported bundle as it is (references by ``fullUrl``)."""
    case = pa_docs.load_case(ROOT / "examples" / "osa-cpap-medicare-continuation.yaml")
    policy = pa_docs.select_policy(case, pa_docs.load_policies())
    bundle = pas_bundle(case, policy, pa_docs.check_case(case, policy), draft=True, packet=STUB_PDF)
    imported = import_resources([bundle])
    assert imported.case is not None
    _same(case, imported.case)


def test_import_fhir_reads_back_what_export_pas_wrote(tmp_path: Path) -> None:
    """The commands, with the real packet: export, import, and the same case."""
    path = ROOT / "examples" / "ra-infliximab-aetna.yaml"
    bundle, back = tmp_path / "request.json", tmp_path / "back.yaml"
    assert main(["export", "pas", str(path), "-o", str(bundle)]) == 0
    assert main(["import-fhir", str(bundle), "-o", str(back)]) == 0
    _same(pa_docs.load_case(path), pa_docs.load_case(back))
    header = back.read_text().split("\ncase_id:")[0]
    assert "request_date 2026-11-02: the PAS Claim's `created` date" in header


KIT_BUNDLE = (
    ROOT.parent
    / "shared"
    / "data"
    / "external"
    / "davinci"
    / "pas-test-kit"
    / "conformant_pas_bundle_v110.json"
)


@pytest.mark.skipif(not KIT_BUNDLE.is_file(), reason="the Da Vinci kit is not next to the repo")
def test_another_systems_pas_request_gives_its_request(tmp_path: Path) -> None:
    """The PAS reference implementation's request: the Claim, not the chart mappers, says what
    is asked for, by whom, for whom and when."""
    entries = [e["resource"] for e in json.loads(KIT_BUNDLE.read_text())["entry"]]
    claim = entries[0]
    order = next(r for r in entries if r["resourceType"] == "ServiceRequest")
    result = import_source(KIT_BUNDLE)
    req = result.data["request"]
    assert req["kind"] == "procedure"
    assert req["item"] == order["code"]["coding"][0]["display"]  # it has no text
    assert str(result.data["request_date"]) == claim["created"][:10]
    dx = claim["diagnosis"][0]["diagnosisCodeableConcept"]["coding"][0]["code"]
    assert req["diagnosis"].replace(".", "") == dx.replace(".", "")
    assert result.data["patient"]["name"] != "FILL-IN"
