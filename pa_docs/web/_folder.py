"""The case folder: which files are cases and which are denials, found by their content.

A case is known by its ``case_id`` (from inside the file), never by a name from a request: the web
pages look an id up in this index, so no id or file name from a browser becomes a path. Files are
re-read only when their size or modification time changes. Only regular files directly inside the
folder count (no symbolic links, no subfolders, no hidden files).
"""

from __future__ import annotations

import dataclasses
import re
import threading
from pathlib import Path
from typing import Any

from .. import _yaml
from ..case import Case
from ..errors import CaseError, InputError, Problem

CASE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
"""What a case id from a request must look like before it is even looked up."""

SUFFIXES = (".yaml", ".yml")
HIDDEN = ".pa-docs"
"""The folder's own working folder: locks and previous versions of edited files."""


@dataclasses.dataclass(frozen=True)
class CaseFile:
    """One case file as last read: its raw data (for the forms) and, when valid, the case."""

    path: Path
    case_id: str | None
    data: dict[str, Any] | None
    case: Case | None
    problems: tuple[Problem, ...]
    raw: bytes

    @property
    def name(self) -> str:
        return self.path.name

    def get(self, *keys: str) -> Any:
        node: Any = self.data
        for k in keys:
            if not isinstance(node, dict):
                return None
            node = node.get(k)
        return node


@dataclasses.dataclass(frozen=True)
class DenialFile:
    path: Path
    case_id: str
    level: int | None
    denial_date: str | None

    @property
    def name(self) -> str:
        return self.path.name


@dataclasses.dataclass(frozen=True)
class Unreadable:
    path: Path
    message: str


@dataclasses.dataclass(frozen=True)
class Listing:
    cases: dict[str, CaseFile]
    denials: dict[str, list[DenialFile]]
    unreadable: list[Unreadable]
    duplicates: dict[str, list[Path]]


def read_case(path: Path, raw: bytes, doc: _yaml.Document | None = None) -> CaseFile:
    """Parse (unless ``doc`` is given) and validate one case file's bytes; a problem is kept, not
    raised."""
    if doc is None:
        try:
            doc = _yaml.parse(raw.decode("utf-8"), path, CaseError)
        except UnicodeDecodeError as exc:
            problem = Problem(f"not UTF-8 text ({exc.reason})", str(path))
            return CaseFile(path, None, None, None, (problem,), raw)
        except InputError as err:
            return CaseFile(path, None, None, None, tuple(err.problems), raw)
    data = doc.data
    cid = data.get("case_id")
    case_id = str(cid) if cid is not None else None
    try:
        case = doc.validate(Case, CaseError)
    except InputError as err:
        return CaseFile(path, case_id, data, None, tuple(err.problems), raw)
    return CaseFile(path, case.case_id, data, case, (), raw)


def _kind(data: Any) -> str | None:
    if not isinstance(data, dict):
        return None
    if "denial_date" in data and "reasons" in data:
        return "denial"
    if "case_id" in data and ("patient" in data or "request" in data):
        return "case"
    return None


class CaseFolder:
    """The case files of one folder, indexed by case id."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self._lock = threading.Lock()
        self._seen: dict[Path, tuple[tuple[int, int], Any]] = {}

    def _files(self) -> list[Path]:
        out = []
        for p in sorted(self.root.iterdir()):
            if p.name.startswith(".") or p.suffix.lower() not in SUFFIXES:
                continue
            if p.is_symlink() or not p.is_file():
                continue
            out.append(p)
        return out

    def _read(self, path: Path) -> Any:
        """The file's entry: a CaseFile, a DenialFile, an Unreadable, or None (something else)."""
        st = path.stat()
        stamp = (st.st_mtime_ns, st.st_size)
        with self._lock:
            seen = self._seen.get(path)
        if seen is not None and seen[0] == stamp:
            return seen[1]
        raw = path.read_bytes()
        entry: Any = None
        doc = None
        try:
            doc = _yaml.parse(raw.decode("utf-8"), path, CaseError)
            data = doc.data
        except (UnicodeDecodeError, InputError) as err:
            looks_like_case = b"case_id" in raw and b"denial_date" not in raw
            entry = Unreadable(path, str(err)) if looks_like_case else None
            data = None
        kind = _kind(data)
        if kind == "case":
            entry = read_case(path, raw, doc)
        elif kind == "denial":
            assert isinstance(data, dict)
            level = data.get("appeal_level")
            entry = DenialFile(
                path,
                str(data.get("case_id")),
                level if isinstance(level, int) else None,
                str(data.get("denial_date")),
            )
        with self._lock:
            self._seen[path] = (stamp, entry)
        return entry

    def listing(self) -> Listing:
        cases: dict[str, CaseFile] = {}
        denials: dict[str, list[DenialFile]] = {}
        unreadable: list[Unreadable] = []
        duplicates: dict[str, list[Path]] = {}
        for path in self._files():
            try:
                entry = self._read(path)
            except OSError:
                continue  # removed or unreadable meanwhile
            if isinstance(entry, CaseFile):
                if entry.case_id is None:
                    unreadable.append(Unreadable(path, "; ".join(map(str, entry.problems))))
                elif entry.case_id in cases:
                    duplicates.setdefault(entry.case_id, [cases[entry.case_id].path]).append(path)
                else:
                    cases[entry.case_id] = entry
            elif isinstance(entry, DenialFile):
                denials.setdefault(entry.case_id, []).append(entry)
            elif isinstance(entry, Unreadable):
                unreadable.append(entry)
        for items in denials.values():
            items.sort(key=lambda d: (d.level or 0, d.name))
        return Listing(cases, denials, unreadable, duplicates)

    def find(self, case_id: str) -> CaseFile | None:
        return self.listing().cases.get(case_id)

    def reread(self, path: Path) -> CaseFile:
        """The case file at ``path`` read now (after an edit)."""
        return read_case(path, path.read_bytes())

    def new_path(self, stem: str, suffix: str = ".yaml") -> Path:
        """A new file directly in the folder named from ``stem`` (a case id, checked first)."""
        if not CASE_ID.fullmatch(stem):
            raise InputError(
                "a case id is 1 to 100 letters, digits, '.', '_' or '-', starting with a letter "
                f"or digit (got {stem!r})",
                field="case_id",
            )
        path = self.root / f"{stem}{suffix}"
        if path.resolve().parent != self.root:
            raise InputError(f"{stem!r} is not a file name in the case folder", field="case_id")
        return path

    @property
    def work_dir(self) -> Path:
        d = self.root / HIDDEN
        d.mkdir(mode=0o700, exist_ok=True)
        return d
