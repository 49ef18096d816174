"""The public surface: ``pa_docs.__all__`` is exactly what a user can import, every name is typed
for a user, and no function shadows a subpackage."""

from __future__ import annotations
import __future__

import importlib
import re
import subprocess
import sys
from types import ModuleType

import pa_docs

from .conftest import ROOT

USER_SCRIPT = ROOT / "tests" / "typing" / "use_the_api.py"


def test_every_name_in_all_imports() -> None:
    namespace: dict[str, object] = {}
    exec("from pa_docs import *", namespace)
    assert set(pa_docs.__all__) <= set(namespace)
    for name in pa_docs.__all__:
        assert not isinstance(getattr(pa_docs, name), ModuleType), name


def test_all_is_exactly_the_public_names() -> None:
    public = {
        name
        for name, value in vars(pa_docs).items()
        if not name.startswith("_") and not isinstance(value, ModuleType | __future__._Feature)
    }
    assert public <= set(pa_docs.__all__), sorted(public - set(pa_docs.__all__))
    # and the names that load on first use are in __all__ and nowhere else
    assert set(pa_docs.__all__) == public | set(pa_docs._LAZY)  # type: ignore[attr-defined]


def test_a_subpackage_stays_a_module_and_render_works_twice() -> None:
    case = pa_docs.load_case(ROOT / "examples" / "ra-infliximab-aetna.yaml")
    policy = pa_docs.select_policy(case, pa_docs.load_policies())
    doc = pa_docs.build_letter(case, policy, pa_docs.check_case(case, policy))
    first = pa_docs.render_document(doc, "html")
    importlib.import_module("pa_docs.render")  # importing the subpackage replaces nothing public

    assert isinstance(pa_docs.render, ModuleType)
    assert pa_docs.render_document(doc, "html") == first
    for name in pa_docs._SUBPACKAGES:  # type: ignore[attr-defined]
        assert isinstance(getattr(pa_docs, name), ModuleType), name
        assert name not in pa_docs.__all__


def test_the_user_script_touches_every_public_name() -> None:
    used = set(re.findall(r"\bpa_docs\.(\w+)", USER_SCRIPT.read_text(encoding="utf-8")))
    assert set(pa_docs.__all__) <= used, sorted(set(pa_docs.__all__) - used)


def test_every_public_name_is_typed_for_a_user() -> None:
    # --disallow-any-expr: any expression of type Any in the user's script is an error, so a
    # name that a user would see as Any (an untyped lazy export) fails here
    cmd = [sys.executable, "-m", "mypy", "--strict", "--disallow-any-expr"]
    cmd += ["--no-error-summary", "--config-file", "/dev/null", str(USER_SCRIPT)]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
