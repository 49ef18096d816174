"""Read, validate and select policies."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from .. import _yaml
from .._resources import shipped
from ..errors import InputError, PolicyError, Problem
from ._model import Policy


def _files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        raise PolicyError("criteria folder not found", file=folder)
    return sorted(p for p in folder.iterdir() if p.suffix in {".yaml", ".yml"})


def load_policy(path: str | Path) -> Policy:
    """Load one policy file; a problem raises ``PolicyError`` naming file, line and field."""
    return _yaml.load(path, PolicyError).validate(Policy, PolicyError)


def load_policies(extra: Iterable[str | Path] = ()) -> dict[str, Policy]:
    """The shipped policies, plus those in each folder of ``extra`` (a practice's own)."""
    out: dict[str, Policy] = {}
    where: dict[str, Path] = {}
    for folder in (shipped("criteria"), *map(Path, extra)):
        for f in _files(folder):
            p = load_policy(f)
            if p.id in out:
                raise PolicyError(f"policy id {p.id!r} is already defined in {where[p.id]}", file=f)
            out[p.id] = p
            where[p.id] = f
    return out


def load_folder(folder: str | Path) -> dict[str, Policy]:
    """The policies of one folder (not the shipped ones), by id; every problem at once."""
    _, problems = validate_folder(folder)
    if problems:
        raise PolicyError(problems=problems)
    return {p.id: p for p in map(load_policy, _files(Path(folder)))}


def validate_folder(folder: str | Path | None = None) -> tuple[int, list[Problem]]:
    """Check every policy file in ``folder`` (the shipped criteria by default).

    Returns the number of files read and every problem found, each with its file and line.
    """
    files = _files(Path(folder) if folder is not None else shipped("criteria"))
    problems: list[Problem] = []
    ids: dict[str, Path] = {}
    for f in files:
        try:
            p = load_policy(f)
        except InputError as err:
            problems.extend(err.problems)
            continue
        if p.id in ids:
            problems.append(
                Problem(f"policy id {p.id!r} also in {ids[p.id].name}", str(f), 1, "id")
            )
        ids[p.id] = f
        if f.stem != p.id:
            problems.append(
                Problem(f"file name should be {p.id}.yaml (the policy id)", str(f), 1, "id")
            )
    return len(files), problems
