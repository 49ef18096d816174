"""Load the vocabulary data files once and answer lookups from dictionaries."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from .._yaml import load_data

_DATA = resources.files("pa_docs.vocab") / "data"


def _read(name: str) -> Any:
    return load_data((_DATA / name).read_text(encoding="utf-8"), name)


def norm(text: str) -> str:
    """Compare names without regard to case, spacing, or a trailing registered mark."""
    return " ".join(text.replace("®", "").replace("™", "").lower().split())


@dataclass(frozen=True)
class Test:
    key: str
    short: str
    name: str
    loinc: tuple[str, ...]
    unit: str | None = None
    sleep_test: bool = False
    min: float | None = None  # the values the test can give, in its unit
    max: float | None = None


@dataclass(frozen=True)
class Instrument:
    key: str
    name: str
    min: float
    max: float | None
    unit: str | None = None


@dataclass(frozen=True)
class Drug:
    """A drug (or device) of the vocabulary. ``classes`` hold by any route not in ``by_route``;
    ``brand_route`` says which route a brand implies. ``potency``: (strength, forms, class)."""

    key: str
    classes: tuple[str, ...]
    names: tuple[str, ...] = ()
    brands: tuple[str, ...] = ()
    potency: tuple[tuple[str, tuple[str, ...], int], ...] = ()
    display: str | None = None  # how documents name a device ("continuous positive airway ...")
    groups: tuple[str, ...] = ()  # classes by indication (psoriasis_biologic): matched, not shown
    by_route: tuple[tuple[str, tuple[str, ...]], ...] = ()
    brand_route: tuple[tuple[str, str], ...] = ()

    def classes_by(self, route: str | None) -> tuple[str, ...]:
        """What a policy's ``class`` matches for the drug taken by ``route`` (a key of the
        vocabulary's routes): its classes by that route, and its groups by indication."""
        for r, classes in self.by_route:
            if r == route:
                return (*classes, *self.groups)
        return (*self.classes, *self.groups)

    @property
    def all_classes(self) -> tuple[str, ...]:
        """The drug's classes by any route and its groups by indication."""
        routed = [c for _, cs in self.by_route for c in cs]
        return tuple(dict.fromkeys((*self.classes, *routed, *self.groups)))

    # statins: (level, lowest daily mg), strongest first
    intensity: tuple[tuple[str, float], ...] = ()


@dataclass
class Vocabulary:
    tests: dict[str, Test]
    instruments: dict[str, Instrument]
    findings: dict[str, str]
    encounter_types: dict[str, str]
    drugs: dict[str, Drug]
    classes: dict[str, str]
    routes: dict[str, tuple[str, ...]]
    _by_loinc: dict[str, str] = field(default_factory=dict)
    _by_name: dict[str, str] = field(default_factory=dict)
    _brand_of: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for t in self.tests.values():
            for code in t.loinc:
                self._by_loinc.setdefault(code, t.key)
        for d in self.drugs.values():
            for n in (d.key, *d.names, *d.brands):
                self._by_name[norm(n)] = d.key
            for b in d.brands:
                self._brand_of[norm(b)] = d.key

    def require(self, table: str, key: str) -> str:
        """``key`` when it is in the vocabulary ``table``; else a ValueError listing what is."""
        known: dict[str, object] = getattr(self, table)
        if key not in known:
            raise ValueError(f"unknown {_WHAT[table]} {key!r}; known: {', '.join(known)}")
        return key

    def test_for_loinc(self, code: str) -> str | None:
        return self._by_loinc.get(code.strip())

    def drug(self, name: str) -> Drug | None:
        """The drug a generic, biosimilar or brand name refers to."""
        key = self._by_name.get(norm(name))
        return self.drugs[key] if key else None

    def suggest_drug(self, name: str) -> str | None:
        """The known drug name or brand closest to ``name``, when it looks like a misspelling."""
        names = {norm(n): n for d in self.drugs.values() for n in (d.key, *d.names, *d.brands)}
        return self.suggest(name, names, shown=names)

    def suggest(
        self, name: str, known: Iterable[str], shown: dict[str, str] | None = None
    ) -> str | None:
        """The entry of ``known`` closest to ``name``: one edit in a short word, about one in
        five in a long one (adjacent letters swapped count as one). None when nothing is close."""
        from rapidfuzz import process
        from rapidfuzz.distance import DamerauLevenshtein

        choices = {norm(k): k for k in known}
        best = process.extractOne(
            norm(name),
            list(choices),
            scorer=DamerauLevenshtein.normalized_similarity,
            score_cutoff=SUGGEST_CUTOFF,
        )
        if best is None:
            return None
        hit = str(best[0])
        return (shown or choices).get(hit, choices[hit])

    def is_brand(self, name: str) -> bool:
        return norm(name) in self._brand_of

    @property
    def topical_forms(self) -> frozenset[str]:
        """The words that make a treatment topical (cream, ointment, ...)."""
        return frozenset(self.routes.get("topical", ()))

    def route_of(self, *texts: str | None, drug: Drug | None = None) -> str | None:
        """The route (``topical``, ``inhaled``, ``oral`` ...) that the words of ``texts`` (a
        treatment's route, form, product, name) imply, else the route a brand among them implies.
        The first text that names a route decides."""
        for text in texts:
            if not text:
                continue
            padded = f" {' '.join(re.split(r'[^a-z0-9-]+', norm(text)))} "
            for route, words in self.routes.items():
                if any(f" {w} " in padded for w in words):
                    return route
        if drug is not None:
            implied = {norm(b): r for b, r in drug.brand_route}
            for text in texts:
                if text and norm(text) in implied:
                    return implied[norm(text)]
        return None

    def is_topical(self, route: str | None, form: str | None) -> bool:
        return self.route_of(route, form) == "topical"

    def resolve(self, name: str, *details: str | None) -> Drug | None:
        """The drug ``name`` refers to, given a treatment's form and product: 'betamethasone
        dipropionate' with an augmented vehicle (or the Diprolene brand) is the augmented one."""
        d = self.drug(name)
        if d is None:
            return None
        words = " ".join(norm(x) for x in details if x)
        augmented = self.drugs.get(f"augmented {d.key}")
        if augmented is not None and "augmented" in words.split():
            return augmented
        return d

    def potency(self, drug: Drug, strength: str | None, form: str | None) -> int | None:
        """The seven-class potency of a topical corticosteroid, or None when not in the table
        (strength in percent, or as mg/g or mg/mL: 0.5 MG/G is 0.05%)."""
        if not strength:
            return None
        s = percent(strength)
        words = set(re.split(r"[^a-z]+", norm(form or "")))
        for st, forms, cls in drug.potency:
            if percent(st) == s and (not forms or words & set(forms)):
                return cls
        return None

    def intensity(self, drug: Drug, dose: str | None, strength: str | None) -> str | None:
        """A statin's intensity ('high') from its daily dose in mg, or None when the dose is not
        recorded in mg or the drug has no intensity in the table.

        The dose is read from the first "N mg" in ``dose`` (the daily dose as prescribed), else in
        ``strength``; a frequency ("twice daily") is not multiplied in."""
        mg = _mg(dose) if dose else None
        if mg is None and strength:
            mg = _mg(strength)
        if mg is None:
            return None
        for level, lowest in drug.intensity:
            if mg >= lowest:
                return level
        return None


#: How similar a name must be to a known one to be offered as "did you mean": 0.8 allows one
#: edit in a name of five letters, two in a name of ten.
SUGGEST_CUTOFF = 0.8

_WHAT = {
    "tests": "test",
    "instruments": "instrument",
    "findings": "finding",
    "encounter_types": "encounter type",
    "classes": "drug class",
}


_PER = re.compile(r"(\d+(?:\.\d+)?)\s*(mg|mcg|g)\s*/\s*(ml|g)\b", re.I)


def percent(text: str) -> str:
    """A strength as a percent: '0.1%', '10 MG/ML' -> '1%', '0.5 MG/G' -> '0.05%' (a gram of
    cream or a millilitre of lotion taken as 1 g); other text unchanged but normalised."""
    m = re.search(r"(\d+(?:\.\d+)?)\s*%", text)
    if m:
        return f"{float(m.group(1)):g}%"
    m = _PER.search(text)
    if m:
        amount = float(m.group(1)) * {"mg": 1e-3, "mcg": 1e-6, "g": 1.0}[m.group(2).lower()]
        return f"{round(amount * 100, 6):g}%"
    return norm(text)


def _mg(text: str) -> float | None:
    m = re.search(r"(\d+(?:\.\d+)?)\s*mg\b", text.lower())
    return float(m.group(1)) if m else None


@cache
def vocabulary() -> Vocabulary:
    """The shipped vocabularies (read once per process)."""
    tests = {
        k: Test(
            k,
            v["short"],
            v["name"],
            tuple(v.get("loinc", [])),
            v.get("unit"),
            v.get("sleep_test", False),
            v.get("min"),
            v.get("max"),
        )
        for k, v in _read("tests.yaml").items()
    }
    instruments = {
        k: Instrument(k, v["name"], v["min"], v["max"], v.get("unit"))
        for k, v in _read("instruments.yaml").items()
    }
    raw = _read("drugs.yaml")
    potency = raw.get("potency", {})
    intensity = raw.get("statin_intensity", {})
    by_indication = set(raw.get("indication_classes", []))
    drugs = {
        k: Drug(
            k,
            tuple(c for c in v.get("classes", []) if c not in by_indication),
            tuple(v.get("names", [])),
            tuple(v.get("brands", [])),
            tuple(
                (str(p["strength"]), tuple(p.get("forms", [])), int(p["class"]))
                for p in potency.get(k, [])
            ),
            v.get("display"),
            groups=tuple(c for c in v.get("classes", []) if c in by_indication),
            intensity=tuple(
                sorted(
                    ((lvl, float(mg)) for lvl, mg in intensity.get(k, {}).items()),
                    key=lambda x: -x[1],
                )
            ),
            by_route=tuple((r, tuple(c)) for r, c in (v.get("by_route") or {}).items()),
            brand_route=tuple((b, r) for b, r in (v.get("brand_route") or {}).items()),
        )
        for k, v in raw["drugs"].items()
    }
    return Vocabulary(
        tests=tests,
        instruments=instruments,
        findings=_read("findings.yaml"),
        encounter_types=_read("encounters.yaml"),
        drugs=drugs,
        classes=raw["classes"],
        routes={k: tuple(v) for k, v in raw["routes"].items()},
    )


@cache
def _icd10_table() -> bytes:
    """The ICD-10-CM table as it is shipped: codes without dots, one a line, in byte order."""
    return (_DATA / "icd10cm_codes.txt").read_bytes()


def _in_sorted_lines(table: bytes, key: bytes) -> bool:
    """Whether ``key`` is a line of ``table`` (lines in byte order): a binary search on the bytes
    themselves, so a cold start reads the file and builds no set of 98,000 strings (~20 ms).
    Hand-written because :mod:`bisect` needs a sequence of lines, which is that very split."""
    lo, hi = 0, len(table)
    while lo < hi:
        mid = (lo + hi) // 2
        start = table.rfind(b"\n", 0, mid) + 1
        end = table.find(b"\n", start)
        if end < 0:
            end = len(table)
        line = table[start:end]
        if line == key:
            return True
        if line < key:
            lo = end + 1
        else:
            hi = start
    return False


def is_icd10cm(code: str) -> bool:
    """Whether ``code`` (with or without its dot) is a code or category of ICD-10-CM."""
    c = code.strip().upper().replace(".", "")
    if not c or not c.isascii() or not c.isalnum():
        return False
    return _in_sorted_lines(_icd10_table(), c.encode("ascii"))
