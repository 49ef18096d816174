"""The compiled-template cache on disk cannot be poisoned: an entry is code that runs outside the
sandbox, so only a private folder of the user's own is used, only the user's own entries that
no one else may write are loaded, and a damaged entry is compiled again (never exit 3)."""

from __future__ import annotations

import marshal
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest
from jinja2 import Environment
from jinja2.bccache import bc_magic

from pa_docs.documents._templates import _compiled_cache

from ..conftest import ROOT

RENDER = """
import sys
from pathlib import Path
from pa_docs.documents._templates import markup_env, render_template
print(render_template(markup_env(Path(sys.argv[1])), "note.j2", {"who": "Maria"}), end="")
"""


def _render(templates: Path, cache_home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache_home), "PYTHONPATH": str(ROOT)}
    env.pop("PA_DOCS_NO_CACHE", None)
    return subprocess.run(
        [sys.executable, "-c", RENDER, str(templates)], env=env, capture_output=True, text=True
    )


@pytest.fixture
def cached(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A template rendered once: its folder, the cache home and the cache entry it left."""
    templates, home = tmp_path / "t", tmp_path / "cache"
    templates.mkdir()
    (templates / "note.j2").write_text("Hello {{ who }}\n", encoding="utf-8")
    first = _render(templates, home)
    assert first.returncode == 0 and first.stdout == "Hello Maria\n", first.stderr
    [entry] = (home / "pa-docs" / "templates-markup-2").iterdir()
    return templates, home, entry


def _poison(entry: Path, templates: Path) -> None:
    """Replace the entry's code with code compiled outside the sandbox, keeping its checksum
    (what anyone able to write the entry could do)."""
    with entry.open("rb") as f:
        assert f.read(len(bc_magic)) == bc_magic
        checksum = pickle.load(f)
    code = Environment().compile("POISONED {{ who }}\n", "note.j2", str(templates / "note.j2"))
    entry.write_bytes(bc_magic + pickle.dumps(checksum, 2) + marshal.dumps(code))


def test_a_poisoned_entry_of_the_users_own_is_loaded(cached: tuple[Path, Path, Path]) -> None:
    """The control: the cache does load entries, so the refusals below are the checks' doing."""
    templates, home, entry = cached
    _poison(entry, templates)
    entry.chmod(0o600)
    assert _render(templates, home).stdout.startswith("POISONED Maria")


def test_an_entry_others_may_write_is_not_loaded(cached: tuple[Path, Path, Path]) -> None:
    templates, home, entry = cached
    _poison(entry, templates)
    for mode in (0o620, 0o602, 0o666):
        entry.chmod(mode)
        assert _render(templates, home).stdout == "Hello Maria\n", oct(mode)


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file away needs root")
def test_an_entry_of_another_user_is_not_loaded(cached: tuple[Path, Path, Path]) -> None:
    templates, home, entry = cached
    _poison(entry, templates)
    entry.chmod(0o600)
    os.chown(entry, 65534, 65534)
    assert _render(templates, home).stdout == "Hello Maria\n"


def test_a_link_or_a_fifo_in_place_of_an_entry_is_not_followed(
    cached: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    templates, home, entry = cached
    elsewhere = tmp_path / "elsewhere.cache"
    entry.rename(elsewhere)
    _poison(elsewhere, templates)
    entry.symlink_to(elsewhere)
    assert _render(templates, home).stdout == "Hello Maria\n"
    entry.unlink()
    os.mkfifo(entry)
    run = subprocess.run(  # a FIFO would block an ordinary open() forever
        [sys.executable, "-c", RENDER, str(templates)],
        env={**os.environ, "XDG_CACHE_HOME": str(home), "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.stdout == "Hello Maria\n", run.stderr


@pytest.mark.parametrize(
    "damage",
    [b"", b"j2", bc_magic, bc_magic + b"\x80\x02garbage", bc_magic + b"\x80\x02N.\xe3\x00\x00"],
)
def test_a_damaged_entry_is_compiled_again(cached: tuple[Path, Path, Path], damage: bytes) -> None:
    templates, home, entry = cached
    entry.write_bytes(damage)
    run = _render(templates, home)
    assert (run.returncode, run.stdout) == (0, "Hello Maria\n"), run.stderr


def test_no_cache_under_a_pa_docs_folder_others_may_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PA_DOCS_NO_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    (tmp_path / "pa-docs").mkdir(mode=0o700)
    assert _compiled_cache("markup") is not None
    (tmp_path / "pa-docs").chmod(0o777)  # another user could swap the private folder inside
    assert _compiled_cache("markup") is None


def test_no_cache_in_folders_of_another_user(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PA_DOCS_NO_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert _compiled_cache("markup") is not None
    monkeypatch.setattr(os, "getuid", lambda: os.stat(tmp_path).st_uid + 1)
    assert _compiled_cache("markup") is None
