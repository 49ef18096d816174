"""The drug vocabulary as data: every entry checkable, classes by route and form, potency by
strength and vehicle, and the names a chart carries known without a warning."""

from __future__ import annotations

import re
from importlib import resources
from typing import Any

import pytest
import yaml

from pa_docs.case import Case
from pa_docs.kinds._context import Context
from pa_docs.vocab import vocabulary
from pa_docs.vocab._vocab import norm, percent

from .conftest import case_dict

RAW: dict[str, Any] = yaml.safe_load(
    (resources.files("pa_docs.vocab") / "data" / "drugs.yaml").read_text(encoding="utf-8")
)


def test_every_entry_is_well_formed() -> None:
    allowed = {"names", "brands", "classes", "by_route", "brand_route", "display"}
    routes = set(RAW["routes"])
    for key, entry in RAW["drugs"].items():
        assert set(entry) <= allowed, key
        for cls in entry.get("classes", []):
            assert cls in RAW["classes"], (key, cls)
        for route, classes in (entry.get("by_route") or {}).items():
            assert route in routes, (key, route)
            assert all(c in RAW["classes"] for c in classes), key
        for brand, route in (entry.get("brand_route") or {}).items():
            assert brand in entry["brands"] and route in routes, (key, brand)
        if "device" in entry.get("classes", []):
            assert entry.get("display"), key


def test_no_name_means_two_drugs() -> None:
    seen: dict[str, str] = {}
    for key, entry in RAW["drugs"].items():
        for name in (key, *entry.get("names", []), *entry.get("brands", [])):
            n = norm(name)
            assert seen.setdefault(n, key) == key, f"{name!r} names {seen[n]!r} and {key!r}"


def test_biosimilar_names_carry_fda_suffixes() -> None:
    for key, entry in RAW["drugs"].items():
        for name in entry.get("names", []):
            if name.startswith(f"{key}-"):
                assert re.fullmatch(rf"{re.escape(key)}-[a-z]{{4}}", name), name


def test_potency_rows_are_checkable() -> None:
    v = vocabulary()
    # a vehicle: the topical words, and the vehicles that are topical only with a skin product
    vehicles = set(RAW["routes"]["topical"]) | {"solution", "spray"}
    for key, rows in RAW["potency"].items():
        assert "topical_corticosteroid" in v.drugs[key].all_classes, key
        for row in rows:
            assert set(row) <= {"strength", "forms", "class"}
            assert 1 <= row["class"] <= 7
            assert percent(str(row["strength"])).endswith("%")
            assert set(row.get("forms", [])) <= vehicles, (key, row)
        pairs = [(percent(str(r["strength"])), f) for r in rows for f in r.get("forms", ["*"])]
        assert len(pairs) == len(set(pairs)), f"{key}: a strength and vehicle listed twice"


@pytest.mark.parametrize(
    "name",
    [
        "lisinopril",
        "metformin",
        "mesalamine",
        "Bimzelx",
        "Omvoh",
        "Eucrisa",
        "adalimumab-afzb",
        "Abrilada",
        "Otulfi",
        "Imuldosa",
        "Yesintek",
        "Steqeyma",
        "Selarsdi",
        "tocilizumab-anoh",
        "natalizumab-sztn",
        "spesolimab",
        "nemolizumab",
        "ritlecitinib",
        "etrasimod",
        "ozanimod",
        "roflumilast",
        "tapinarof",
        "balsalazide",
        "olsalazine",
        "budesonide",
        "halobetasol propionate",
        "Diprolene",
        "naproxen",
        "albuterol",
    ],
)
def test_todays_market_is_known(name: str) -> None:
    assert vocabulary().drug(name) is not None, name


def _classes(**treatment: Any) -> tuple[str, ...]:
    case = Case.model_validate(case_dict(treatments=[{"start": "2025-01-01", **treatment}]))
    (th,) = Context(case).therapies
    return th.classes


@pytest.mark.parametrize(
    ("treatment", "classes"),
    [
        ({"drug": "tacrolimus", "route": "oral"}, ()),
        ({"drug": "Prograf"}, ()),
        ({"drug": "tacrolimus", "form": "ointment"}, ("topical_calcineurin_inhibitor",)),
        ({"drug": "Protopic"}, ("topical_calcineurin_inhibitor",)),
        ({"drug": "ruxolitinib", "route": "oral"}, ("jak_inhibitor",)),
        ({"drug": "Jakafi"}, ("jak_inhibitor",)),
        ({"drug": "ruxolitinib", "form": "cream"}, ("topical_jak_inhibitor",)),
        ({"drug": "Opzelura"}, ("topical_jak_inhibitor",)),
        ({"drug": "budesonide", "route": "oral"}, ("systemic_corticosteroid",)),
        ({"drug": "Pulmicort"}, ("inhaled_corticosteroid",)),
        ({"drug": "budesonide", "form": "rectal foam"}, ()),
        (
            {"drug": "fluticasone propionate", "form": "Metered Dose Inhaler"},
            ("inhaled_corticosteroid",),
        ),
        ({"drug": "fluticasone", "form": "cream"}, ("topical_corticosteroid",)),
        ({"drug": "hydrocortisone", "route": "oral"}, ("systemic_corticosteroid",)),
        ({"drug": "hydrocortisone", "form": "cream"}, ("topical_corticosteroid",)),
        ({"drug": "lisinopril"}, ()),
    ],
)
def test_route_and_form_decide_the_class(
    treatment: dict[str, str], classes: tuple[str, ...]
) -> None:
    assert _classes(**treatment) == classes


@pytest.mark.parametrize(
    ("drug", "strength", "form", "cls"),
    [
        ("clobetasol propionate", "0.05%", "ointment", 1),
        ("halobetasol", "0.05%", "cream", 1),
        ("Diprolene", "0.05%", "ointment", 1),
        ("betamethasone dipropionate", "0.05%", "augmented ointment", 1),
        ("Diprolene AF", "0.05%", "cream", 2),
        ("betamethasone dipropionate", "0.05%", "cream", 2),
        ("desoximetasone", "0.25%", "cream", 2),
        ("desoximetasone", "0.05%", "cream", 3),
        ("fluocinonide", "0.05%", "gel", 2),
        ("mometasone", "0.1%", "ointment", 2),
        ("mometasone", "0.1%", "cream", 4),
        ("betamethasone valerate", "0.1%", "cream", 5),
        ("triamcinolone", "0.1%", "cream", 4),
        ("fluocinolone", "0.01%", "oil", 6),
        ("hydrocortisone butyrate", "0.1%", "cream", 5),
        ("desonide", "0.05%", "lotion", 6),
        ("alclometasone", "0.05%", "cream", 6),
        ("hydrocortisone", "10 MG/ML", "cream", 7),  # 1%, as RxNorm writes it
        ("hydrocortisone", "2.5%", "ointment", 7),
    ],
)
def test_potency_by_strength_and_vehicle(drug: str, strength: str, form: str, cls: int) -> None:
    v = vocabulary()
    d = v.resolve(drug, form)
    assert d is not None and v.potency(d, strength, form) == cls


def test_a_vehicle_no_source_lists_has_no_potency() -> None:
    v = vocabulary()
    d = v.drug("fluticasone propionate")
    assert d is not None and v.potency(d, "0.05%", "cream") is None


@pytest.mark.parametrize(
    ("text", "pct"), [("10 MG/ML", "1%"), ("0.5 MG/G", "0.05%"), ("0.05 %", "0.05%")]
)
def test_strength_per_volume_or_mass_is_a_percent(text: str, pct: str) -> None:
    assert percent(text) == pct
