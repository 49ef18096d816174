"""One bounded YAML loader for every file pa-docs reads: the alias bomb, recursive aliases, huge
numbers, duplicate keys, devices and FIFOs all end in exit 2 at once, naming file, line and field,
whichever command reads the file and wherever in the file the attack sits."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import yaml

from pa_docs import _yaml
from pa_docs._limits import MAX_DEPTH, MAX_YAML_BYTES
from pa_docs.errors import InputError

from ..conftest import ROOT, case_dict
from .support import assert_input_error, attack, cli

EXAMPLE = ROOT / "examples" / "ra-infliximab-aetna.yaml"
DENIAL = ROOT / "tests" / "fixtures" / "appeal" / "ra-infliximab-aetna.denial.yaml"
BOMB = "a: &a [x,x,x,x,x,x,x,x,x,x]\n" + "".join(
    f"{n}: &{n} [{', '.join([f'*{p}'] * 10)}]\n"
    for p, n in zip("abcdefgh", "bcdefghi", strict=True)
)


def _write(tmp_path: Path, text: str, name: str = "x.yaml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def _commands(tmp_path: Path, bad: Path) -> dict[str, list[str | Path]]:
    """Every command that reads a YAML file, with ``bad`` in the place of that file."""
    folder = tmp_path / "criteria"
    folder.mkdir(exist_ok=True)
    shutil.copy(bad, folder / "bad.yaml")
    return {
        "check": ["check", bad],
        "criteria validate": ["criteria", "validate", folder],
        "check --criteria": ["check", EXAMPLE, "--criteria", folder],
        "log submit": ["log", "submit", bad, "--method", "fax", "--db", tmp_path / "log.db"],
        "deadline --denial": ["deadline", EXAMPLE, "--denial", bad],
        "appeal --denial": ["appeal", EXAMPLE, "--denial", bad, "--as-of", "2027-01-20"],
        "letter --profile": ["letter", EXAMPLE, "--profile", bad, "-o", tmp_path / "l.pdf"],
    }


@pytest.mark.parametrize(
    "command",
    [
        "check",
        "criteria validate",
        "check --criteria",
        "log submit",
        "deadline --denial",
        "appeal --denial",
        "letter --profile",
    ],
)
def test_the_alias_bomb_is_refused_at_once_by_every_command(tmp_path: Path, command: str) -> None:
    bomb = attack("alias_bomb.yaml")
    run = cli(*_commands(tmp_path, bomb)[command], bound=5)
    assert run.code == 2, run.err
    assert "too many values" in run.err and "alias" in run.err
    assert "Traceback" not in run.err
    assert not (tmp_path / "log.db").exists() and not (tmp_path / "l.pdf").exists()


@pytest.mark.parametrize("where", ["top", "inside a case field", "inside a list item"])
def test_an_alias_bomb_anywhere_in_a_case_is_refused(tmp_path: Path, where: str) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    bomb = BOMB.replace("\n", "\n  ")
    if where == "top":
        text = BOMB + text
    elif where == "inside a case field":
        text = text.replace("notes: |", f"extra:\n  {bomb}\nnotes: |", 1)
    else:
        text = text.replace(
            "  - code: M05.79",
            f"  - code: M05.79\n    x:\n      {bomb.replace(chr(10), chr(10) + '    ')}",
            1,
        )
    run = cli("check", _write(tmp_path, text), bound=5)
    assert_input_error(run, "too many values")


def test_a_recursive_alias_is_exit_2(tmp_path: Path) -> None:
    assert_input_error(cli("check", attack("recursive_alias.yaml")), "recursive alias", "case_id")
    nested = _write(tmp_path, "patient:\n  name: &n {a: [1, {b: *n}]}\n")
    assert_input_error(cli("check", nested), "recursive alias", "patient.name.a[1].b")


def test_a_huge_integer_is_exit_2_naming_the_field(tmp_path: Path) -> None:
    assert_input_error(cli("check", attack("huge_int.yaml")), "patient.member_id", "digits")
    data = case_dict(labs=[{"test": "crp", "value": 1, "date": "2026-10-01"}])
    text = yaml.safe_dump(data, sort_keys=False).replace("value: 1", "value: " + "9" * 5000)
    assert_input_error(cli("check", _write(tmp_path, text)), "labs[0].value", "digits")
    hexa = yaml.safe_dump(data, sort_keys=False).replace("value: 1", "value: 0x" + "f" * 4000)
    assert_input_error(cli("check", _write(tmp_path, hexa)), "labs[0].value")


@pytest.mark.parametrize("value", [".nan", ".inf", "-.inf", ".NaN", "1.0e+999"])
def test_nan_and_infinity_are_refused_in_any_number(tmp_path: Path, value: str) -> None:
    data = case_dict(scores=[{"instrument": "das28_crp", "value": 5.1, "date": "2026-10-01"}])
    text = yaml.safe_dump(data, sort_keys=False).replace("value: 5.1", f"value: {value}")
    assert_input_error(cli("check", _write(tmp_path, text)), "scores[0].value", "finite")


def test_duplicate_keys_are_refused_naming_both_lines(tmp_path: Path) -> None:
    run = cli("check", attack("dup_keys.yaml"))
    assert_input_error(run, "dup_keys.yaml:8", "patient.name", "duplicate key", "line 7")
    text = EXAMPLE.read_text(encoding="utf-8")
    lines = text.splitlines()
    i = next(n for n, ln in enumerate(lines) if ln.strip().startswith("value: 86"))
    lines.insert(i + 1, "    value: 8")
    run = cli("check", _write(tmp_path, "\n".join(lines)))
    assert_input_error(run, f":{i + 2}:", "labs[0].value", f"line {i + 1}")


def test_duplicate_keys_in_a_policy_and_a_denial(tmp_path: Path) -> None:
    policy = (ROOT / "criteria" / "aetna-infliximab-ra.yaml").read_text(encoding="utf-8")
    folder = tmp_path / "criteria"
    folder.mkdir()
    (folder / "p.yaml").write_text(policy.replace("\ntitle:", "\ntitle: A\ntitle:", 1))
    run = cli("criteria", "validate", folder)
    assert run.code == 2 and "duplicate key 'title'" in run.err, run.err
    denial = DENIAL.read_text(encoding="utf-8")
    bad = _write(tmp_path, denial.replace("\nreference:", "\nreference: X\nreference:", 1))
    run = cli("deadline", EXAMPLE, "--denial", bad)
    assert_input_error(run, "duplicate key 'reference'")


def test_merge_keys_still_work(tmp_path: Path) -> None:
    doc = _yaml.parse("base: &b {x: 1, y: 2}\nitem:\n  <<: *b\n  y: 3\n", Path("m.yaml"))
    assert doc.data["item"] == {"x": 1, "y": 3}


def test_deep_nesting_is_refused(tmp_path: Path) -> None:
    deep = "a: " + "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5) + "\n"
    assert_input_error(cli("check", _write(tmp_path, deep)), "nested more than")
    very_deep = "a: " + "[" * 200_000 + "\n"
    run = cli("check", _write(tmp_path, very_deep), bound=5)
    assert run.code == 2, run.err


def test_a_file_over_the_size_cap_is_refused_before_it_is_read(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    with big.open("wb") as fh:
        fh.truncate(MAX_YAML_BYTES + 1)
    assert_input_error(cli("check", big), "too large")


def test_devices_fifos_and_folders_are_refused(tmp_path: Path) -> None:
    assert_input_error(cli("check", "/dev/zero", bound=5), "/dev/zero", "not a regular file")
    fifo = tmp_path / "case.yaml"
    os.mkfifo(fifo)
    assert_input_error(cli("check", fifo, bound=5), "not a regular file")
    run = cli("deadline", EXAMPLE, "--denial", fifo, bound=5)
    assert_input_error(run, "not a regular file")
    assert_input_error(cli("check", tmp_path), "is a folder")
    assert_input_error(cli("check", tmp_path / "nope.yaml"), "file not found")
    assert_input_error(cli("check", ""), "is a folder")  # click reads "" as "."


def test_every_bound_is_an_input_error_of_the_library() -> None:
    for text in (BOMB, "a: &a [*a]", "a: 1\na: 2", "a: " + "1" * 40, "a: .nan"):
        with pytest.raises(InputError):
            _yaml.parse(text, Path("t.yaml"))


def test_shipped_files_load_under_the_bounds() -> None:
    for f in sorted((ROOT / "criteria").glob("*.yaml")) + sorted(ROOT.glob("examples/*.yaml")):
        _yaml.load(f)
