"""The public surface: ``pa_docs.__all__`` is exactly what a user can import, every name is typed
for a user, and no function shadows a subpackage."""

from __future__ import annotations
import __future__

import ast
import importlib
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
import typer
import yaml

import pa_docs
from pa_docs.cli import FLAGS, app

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
    # (errors inside pa_docs are mypy's own run's business: only the user's script is judged)
    cmd += ["--follow-imports", "silent", "--no-error-summary", "--config-file", "/dev/null"]
    cmd += [str(USER_SCRIPT)]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


# Errors name the library's parameters; the CLI says them as its options ----------------------


def _library_modules() -> Iterator[tuple[Path, ast.AST]]:
    """Every module of the library but the command line's own (which says its options)."""
    for path in sorted((ROOT / "pa_docs").rglob("*.py")):
        if path.name in {"cli.py", "_console.py"} or path.name.endswith("_cli.py"):
            continue
        yield path, ast.parse(path.read_text(encoding="utf-8"))


def _raised(tree: ast.AST) -> Iterator[ast.AST]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Raise) and node.exc is not None:
            yield from ast.walk(node.exc)


COMMANDS = "|".join(sorted(typer.main.get_command(app).commands))  # type: ignore[attr-defined]
CLI_WORDS = re.compile(rf"(^|\s|\()--[a-z]|pa-docs ({COMMANDS})\b")


def test_no_library_error_speaks_of_a_command_line_option() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{node.lineno}: {node.value!r}"
        for path, tree in _library_modules()
        for node in _raised(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and CLI_WORDS.search(node.value)
    ]
    assert found == []


def test_every_parameter_an_error_names_has_an_option() -> None:
    named = set()
    for _, tree in _library_modules():
        for node in _raised(tree):
            if isinstance(node, ast.keyword) and node.arg == "param":
                assert isinstance(node.value, ast.Constant), ast.dump(node)
                named.add(node.value.value)
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Hint":
                named.add(node.args[0].value)  # type: ignore[attr-defined]
    assert {"draft", "policy_id", "late", "as_of"} <= named
    assert named <= set(FLAGS), sorted(named - set(FLAGS))


def test_an_error_names_the_parameter_and_the_cli_its_option(tmp_path: Path) -> None:
    data = yaml.safe_load((ROOT / "examples" / "ra-infliximab-aetna.yaml").read_text())
    data["labs"] = [lab for lab in data["labs"] if lab["test"] != "tb_igra"]
    path = tmp_path / "case.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    case = pa_docs.load_case(path)
    policy = pa_docs.select_policy(case, pa_docs.load_policies())
    with pytest.raises(pa_docs.NotReadyError) as err:
        pa_docs.build_packet(case, policy, pa_docs.check_case(case, policy))
    assert err.value.hint is not None and err.value.hint.param == "draft"
    assert "pass draft=True for a marked draft" in str(err.value)
    assert "pass --draft for a marked draft" in err.value.say(FLAGS)

    with pytest.raises(pa_docs.PolicyError) as bad:
        pa_docs.select_policy(case, pa_docs.load_policies(), "no-such-policy")
    assert bad.value.problems[0].param == "policy_id"
    assert str(bad.value).startswith("policy_id: unknown policy 'no-such-policy'")
    assert bad.value.say(FLAGS).startswith("--policy: unknown policy 'no-such-policy'")


def _lazy_map(node: ast.AST) -> set[str]:
    """The names of a ``_WHERE = {...}`` / ``_LAZY = {...}`` map (name -> module)."""
    if not (isinstance(node, ast.Assign) and isinstance(node.value, ast.Dict)):
        return set()
    if not any(getattr(t, "id", "") in {"_WHERE", "_LAZY"} for t in node.targets):
        return set()
    return {ast.literal_eval(k) for k in node.value.keys if k is not None}


def _lazy_packages() -> Iterator[tuple[str, set[str], set[str]]]:
    """Each package that loads names on first use: its lazy names and those typed for users."""
    for init in sorted((ROOT / "pa_docs").rglob("__init__.py")):
        tree = ast.parse(init.read_text(encoding="utf-8"))
        lazy: set[str] = set()
        typed: set[str] = set()
        for node in ast.walk(tree):
            lazy |= _lazy_map(node)
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                for sub in ast.walk(node):
                    if isinstance(sub, ast.ImportFrom):
                        typed |= {a.asname or a.name for a in sub.names}
        if lazy:
            yield str(init.parent.relative_to(ROOT)), lazy, typed


def test_every_name_loaded_on_first_use_is_typed_for_a_checker() -> None:
    packages = list(_lazy_packages())
    assert len(packages) >= 4  # pa_docs, appeal, fhir, log, ...
    for package, lazy, typed in packages:
        assert lazy <= typed, (package, sorted(lazy - typed))
