"""Compiled templates are kept between processes, privately, and never outlive their source."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from pa_docs.documents._templates import _compiled_cache
from tests.conftest import ROOT

RENDER = """
import sys
from pathlib import Path
from pa_docs.documents._templates import markup_env, render_template
print(render_template(markup_env(Path(sys.argv[1])), "note.j2", {"who": "<b>x</b>"}), end="")
"""


def _render(templates: Path, cache_home: Path) -> str:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache_home), "PYTHONPATH": str(ROOT)}
    env.pop("PA_DOCS_NO_CACHE", None)
    r = subprocess.run(
        [sys.executable, "-c", RENDER, str(templates)], env=env, capture_output=True, text=True
    )
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_a_second_process_renders_from_the_cache_and_an_edit_is_seen(tmp_path: Path) -> None:
    templates, cache_home = tmp_path / "t", tmp_path / "cache"
    templates.mkdir()
    (templates / "note.j2").write_text("Hello {{ who }}\n", encoding="utf-8")
    first = _render(templates, cache_home)
    folder = cache_home / "pa-docs" / "templates-markup-2"
    assert [p.suffix for p in folder.iterdir()] == [".cache"]
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(folder.parent.stat().st_mode) == 0o700
    assert _render(templates, cache_home) == first
    (templates / "note.j2").write_text("Goodbye {{ who }}\n", encoding="utf-8")
    assert _render(templates, cache_home).startswith("Goodbye ")


def test_no_cache_in_a_folder_others_can_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PA_DOCS_NO_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    folder = tmp_path / "pa-docs" / "templates-markup"
    folder.mkdir(parents=True)
    folder.chmod(0o755)
    assert _compiled_cache("markup") is None
    folder.chmod(0o700)
    assert _compiled_cache("markup") is not None


def test_no_cache_when_asked_or_when_the_folder_cannot_be_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "file"))
    (tmp_path / "file").write_text("not a folder", encoding="utf-8")
    monkeypatch.delenv("PA_DOCS_NO_CACHE", raising=False)
    assert _compiled_cache("markup") is None
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "ok"))
    monkeypatch.setenv("PA_DOCS_NO_CACHE", "1")
    assert _compiled_cache("markup") is None
