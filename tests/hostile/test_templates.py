"""User templates see plain data only, in Jinja's sandbox; links out of the templates folder are
refused. The attack templates of ``../shared/attacks`` read and wrote files through a ``Path`` in
the context; here every object of every context is tried with the known escapes."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

import pa_docs.documents._templates as templates_module
from pa_docs.documents._templates import html_env, markup_env, render_template
from pa_docs.errors import InputError

from ..conftest import ROOT
from .support import assert_input_error, attack, cli

EXAMPLE = ROOT / "examples" / "ra-infliximab-aetna.yaml"
DENIAL = ROOT / "examples" / "ra-infliximab-aetna.denial.yaml"
CROHNS = ROOT / "examples" / "crohns-vedolizumab-uhc.yaml"
CROHNS_DENIAL = ROOT / "examples" / "crohns-vedolizumab-uhc.denial.yaml"
PLAIN = (str, int, float, bool, dt.date, type(None), list, dict)


@pytest.mark.parametrize("name", ["tpl_pathread", "tpl_pathwrite"])
def test_the_attack_templates_reach_no_file(tmp_path: Path, name: str) -> None:
    folder = tmp_path / name
    shutil.copytree(attack(name), folder)
    folder.chmod(0o755)
    work = tmp_path / "work"
    work.mkdir()
    run = cli("letter", attack("base.yaml"), "--templates", folder, "-o", work / "l.pdf",
              cwd=work)  # fmt: skip
    assert_input_error(run, "document.html.j2:23", "asset_dirs")
    assert "root:" not in run.err
    assert sorted(p.name for p in tmp_path.rglob("*")) == sorted(
        ["document.html.j2", name, "work"]
    )  # nothing written anywhere: no pwned-by-template.txt, no letter


def test_an_include_through_a_link_out_of_the_folder_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "tpl"
    folder.mkdir()
    (folder / "passwd.txt").symlink_to("/etc/passwd")
    shipped = (ROOT / "templates" / "letter.j2").read_text(encoding="utf-8")
    (folder / "letter.j2").write_text('{% include "passwd.txt" %}\n' + shipped, encoding="utf-8")
    run = cli("letter", EXAMPLE, "--templates", folder, "--format", "html",
              "-o", tmp_path / "l.html")  # fmt: skip
    assert_input_error(run, "passwd.txt", "outside the templates folder")
    assert not (tmp_path / "l.html").exists()


def test_a_template_file_that_is_a_link_out_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "letter.j2").write_text("{{ patient.name }}\n", encoding="utf-8")
    folder = tmp_path / "tpl"
    folder.mkdir()
    (folder / "letter.j2").symlink_to(outside / "letter.j2")
    (folder / "style.css").symlink_to("/etc/hostname")
    run = cli("letter", EXAMPLE, "--templates", folder, "--format", "html",
              "-o", tmp_path / "l.html")  # fmt: skip
    assert_input_error(run, "outside the templates folder")
    os.unlink(folder / "letter.j2")
    run = cli("letter", EXAMPLE, "--templates", folder, "--format", "html",
              "-o", tmp_path / "l.html")  # fmt: skip
    assert_input_error(run, "style.css", "outside the templates folder")


def test_a_link_inside_the_folder_is_fine(tmp_path: Path) -> None:
    folder = tmp_path / "tpl"
    (folder / "parts").mkdir(parents=True)
    shipped = (ROOT / "templates" / "letter.j2").read_text(encoding="utf-8")
    (folder / "parts" / "real.j2").write_text(shipped, encoding="utf-8")
    (folder / "letter.j2").symlink_to(folder / "parts" / "real.j2")
    run = cli("letter", EXAMPLE, "--templates", folder, "--format", "html",
              "-o", tmp_path / "l.html")  # fmt: skip
    assert run.code == 0, run.err


# -- every object of every context -----------------------------------------------------------


@pytest.fixture(scope="module")
def contexts(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    """The contexts every template of every document kind is rendered with."""
    seen: list[dict[str, Any]] = []
    real = templates_module.plain

    def recording(value: Any, where: str = "context") -> Any:
        out = real(value, where)
        seen.append(out)
        return out

    out = tmp_path_factory.mktemp("docs")
    mp = pytest.MonkeyPatch()
    mp.setattr(templates_module, "plain", recording)
    try:
        for argv in (["packet", EXAMPLE, "--format", "html"], ["letter", EXAMPLE],
                     ["appeal", EXAMPLE, "--denial", DENIAL, "--as-of", "2027-01-20"],
                     ["p2p", CROHNS, "--denial", CROHNS_DENIAL, "--as-of", "2026-08-10",
                      "--format", "docx"]):  # fmt: skip
            run = cli(*argv, "--profile", ROOT / "examples" / "practice-profile.yaml",
                      "-o", out / f"{argv[0]}.out")  # fmt: skip
            assert run.code == 0, run.err
    finally:
        mp.undo()
    assert len(seen) >= 7  # four markup templates, three HTML layouts (DOCX has none)
    return seen


def _values(value: Any, path: str = "") -> list[tuple[str, Any]]:
    out = [(path, value)]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _values(v, f"{path}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _values(v, f"{path}[{i}]")
    return out


def test_every_value_of_every_context_is_plain_data(contexts: list[dict[str, Any]]) -> None:
    values = [pv for ctx in contexts for pv in _values(ctx)]
    assert len(values) > 1000
    strange = [(p, type(v).__name__) for p, v in values if type(v) not in PLAIN]
    assert strange == []


ESCAPES = [
    "{{ v.__class__ }}",
    "{{ v.__class__.__mro__[1].__subclasses__() }}",
    "{{ v.__init__.__globals__ }}",
    "{{ v|attr('__class__') }}",
    "{{ v|attr('\\x5f\\x5fclass\\x5f\\x5f') }}",
    "{{ v.read_text() }}",
    "{{ v.read_bytes() }}",
    "{{ v.write_text('owned') }}",
    "{{ v.open('w') }}",
    "{{ v.joinpath('/etc/passwd').read_text() }}",
    "{{ v.touch() }}",
    "{{ v.unlink() }}",
    "{{ v.mkdir() }}",
    "{{ v.model_dump() }}",
    "{{ v.append(1) }}",
    "{{ v.update({}) }}",
    "{{ v.pop() }}",
    "{{ v.clear() }}",
    "{{ 'x{0.__class__}'.format(v) }}",
    "{{ '%s'.__mod__(v) }}",
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "{{ joiner.__init__.__globals__ }}",
    "{{ namespace.__init__.__globals__ }}",
    "{{ lipsum.__globals__['os'] }}",
    "{{ self.__init__.__globals__ }}",
    "{{ self._TemplateReference__context }}",
    "{{ range.__self__.__import__('os') }}",
    "{{ dict.__base__.__subclasses__() }}",
    "{{ config }}",
    "{{ 'x' * 10**9 }}",
    "{{ [v] * 10**8 }}",
    "{{ 9 ** 99999999 }}",
    "{{ range(10**9)|list|length }}",
]
LEAKS = ("root:", "<class", "<function", "<module", "<built-in", "owned", "uid=")


def test_no_escape_works_on_any_kind_of_value(
    contexts: list[dict[str, Any]], tmp_path: Path
) -> None:
    """Every type found in the contexts, with every known escape, in both environments."""
    samples: dict[type, Any] = {}
    for ctx in contexts:
        for _, v in _values(ctx):
            samples.setdefault(type(v), v)
    samples.setdefault(type(None), None)
    assert set(samples) == set(PLAIN)
    cwd = Path.cwd()
    os.chdir(tmp_path)
    try:
        for escape in ESCAPES:
            for value in samples.values():
                for env in (markup_env(None), html_env(None)):
                    tpl = env.from_string(escape)
                    try:
                        text = tpl.render({"v": value})
                    except Exception as exc:  # refused: the sandbox, an undefined, a type error
                        assert not isinstance(exc, OSError), (escape, exc)
                        continue
                    assert not any(leak in text for leak in LEAKS), (escape, type(value), text)
    finally:
        os.chdir(cwd)
    assert list(tmp_path.iterdir()) == []


def test_a_template_that_escapes_is_an_input_error_naming_its_line(tmp_path: Path) -> None:
    folder = tmp_path / "tpl"
    folder.mkdir()
    (folder / "letter.j2").write_text("ok\n{{ 'x' * 10**9 }}\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"letter\.j2:2: template error"):
        render_template(markup_env(folder), "letter.j2", {})


def test_refused_fetches_are_shown_on_stderr(tmp_path: Path) -> None:
    folder = tmp_path / "tpl"
    folder.mkdir()
    layout = (ROOT / "templates" / "document.html.j2").read_text(encoding="utf-8")
    (folder / "document.html.j2").write_text(
        layout.replace("<body", '<img src="http://127.0.0.1:9/x.png"><body', 1), encoding="utf-8"
    )
    run = cli("letter", EXAMPLE, "--templates", folder, "-o", tmp_path / "l.pdf")
    assert run.code == 0, run.err
    assert "pa-docs: warning: refused to fetch http://127.0.0.1:9/x.png" in run.err
