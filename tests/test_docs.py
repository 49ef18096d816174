"""The documentation: generated reference pages match the code; the README stays a landing page."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _gen_docs() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_docs", ROOT / "scripts" / "gen_docs.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GEN = _gen_docs()


@pytest.mark.parametrize("page", sorted(GEN.PAGES))
def test_generated_page_matches_the_code(page: str) -> None:
    committed = (ROOT / page).read_text(encoding="utf-8")
    assert committed == GEN.PAGES[page](), f"{page} is stale: run python scripts/gen_docs.py"


def test_cli_page_lists_every_command_and_option() -> None:
    import typer

    from pa_docs.cli import app

    page = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    for path, cmd in GEN._commands(typer.main.get_command(app), []):
        if path:
            assert f"## `pa-docs {' '.join(path)}`" in page
        for p in cmd.params:
            for opt in p.opts:
                if opt.startswith("-") and opt != "--help":
                    assert f"`{opt}`" in page, (path, opt)


def test_readme_is_a_landing_page() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 200
    first_screen = "\n".join(readme.splitlines()[:40])
    assert "bash scripts/setup && .venv/bin/pa-docs" in first_screen  # install and run the demo
    assert "bash scripts/setup && bash scripts/test" in first_screen  # install and run the tests
    assert "pip install" in readme and "libpango" in readme
    for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", readme):
        if "://" not in target:
            assert (ROOT / target).exists(), f"README links to missing {target}"


def test_every_docs_page_is_in_the_site_nav() -> None:
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    for page in (ROOT / "docs").glob("*.md"):
        assert f" {page.name}" in nav, f"docs/{page.name} is not in mkdocs.yml's nav"


def test_every_policy_field_is_described_for_the_policy_format_page() -> None:
    from pa_docs._fielddocs import field_docs
    from pa_docs.policy import AppliesTo, Criterion, Policy, SubmitTo

    for model in (Policy, Criterion, AppliesTo, SubmitTo):
        docs = field_docs(model)
        for name in model.model_fields:
            assert docs.get(name), f"{model.__name__}.{name}: add a docstring under the field"
