"""Read, validate and select policies."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
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


class Policies(Mapping[str, Policy]):
    """Policies by id, each read and validated the first time it is asked for.

    A check reads the one policy it is run against, not every file in ``criteria/``: the cold
    start of ``pa-docs check`` does not grow with the number of policies shipped.
    """

    def __init__(self, files: dict[str, Path]) -> None:
        self._files = files
        self._loaded: dict[str, Policy] = {}

    def __getitem__(self, policy_id: str) -> Policy:
        if policy_id not in self._loaded:
            f = self._files[policy_id]
            p = load_policy(f)
            if p.id != policy_id:
                raise PolicyError(
                    f"file name should be {p.id}.yaml (the policy id)", file=f, line=1, field="id"
                )
            self._loaded[policy_id] = p
        return self._loaded[policy_id]

    def __contains__(self, policy_id: object) -> bool:
        return policy_id in self._files  # without reading the file

    def __iter__(self) -> Iterator[str]:
        return iter(self._files)

    def __len__(self) -> int:
        return len(self._files)

    def file(self, policy_id: str) -> Path:
        """The file policy ``policy_id`` is read from."""
        return self._files[policy_id]

    def mentioning(self, word: str) -> list[str]:
        """The ids of the policies whose file may hold ``word`` as a value (case and spacing
        aside): a payer key, say. A file is read as text, not parsed; one with escapes in it
        (a double-quoted ``\\u0061etna``) is kept, since its values may not be spelt out."""
        want = " ".join(word.lower().split())
        out = []
        for pid, f in self._files.items():
            text = f.read_text(encoding="utf-8", errors="replace")
            if "\\" in text or want in " ".join(text.lower().split()):
                out.append(pid)
        return out


def _policy_id(f: Path) -> str:
    """The id a policy file declares: read from the parsed file without validating it, unless
    it is not plain text (then validation says what is wrong, or what it stands for)."""
    pid = _yaml.load(f, PolicyError).data.get("id")
    return pid if isinstance(pid, str) else load_policy(f).id


def load_policies(extra: Iterable[str | Path] = ()) -> Policies:
    """The shipped policies, plus those in each folder of ``extra`` (a practice's own).

    Shipped policies are named by their file (``criteria/<id>.yaml``, a test keeps it so); a
    practice's files are parsed for their ids. Each policy is validated when first used.
    """
    files: dict[str, Path] = {f.stem: f for f in _files(shipped("criteria"))}
    for folder in map(Path, extra):
        for f in _files(folder):
            pid = _policy_id(f)
            if pid in files:
                raise PolicyError(f"policy id {pid!r} is already defined in {files[pid]}", file=f)
            files[pid] = f
    return Policies(files)


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
