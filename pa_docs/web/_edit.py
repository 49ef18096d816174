"""Write values from the browser back into a case file.

- The file is edited as YAML text with ruamel.yaml's round trip, so its comments, key order and
  quoting stay as the author wrote them; only the values entered change.
- The new text is validated by the case model, exactly as ``pa-docs check`` would read it. A save
  that would add a problem is refused with the problem. A file that did not load (a ``FILL-IN``
  left, a wrong NPI) may be saved with its other problems still there: each save fixes what it
  touches and makes nothing worse.
- No lost update: the page carries the version (SHA-256) of the bytes it showed; under a lock,
  the save re-reads the file and refuses when it changed since ("changed since you opened it").
- The previous version is kept in ``.pa-docs/history/<file>/`` beside the cases, then the new text
  replaces the file atomically (temporary file, rename), mode 0600.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import fcntl
import hashlib
import io
import os
import re
import types
from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel

from .._dates import parse_date
from ..case import Case
from ..errors import InputError, Problem
from ..render import write_atomic
from ._folder import CaseFile, CaseFolder, read_case

Path_ = tuple[str | int, ...]
_PATH = re.compile(r"[a-z_]+(?:\[\d{1,4}\])?(?:\.[a-z_]+(?:\[\d{1,4}\])?){0,3}")


class Conflict(Exception):
    """The file changed between opening the page and saving it."""

    def __str__(self) -> str:
        return (
            "This case changed since you opened it (someone else saved it, or the file was "
            "edited). Nothing was saved: reload the case, then enter your change again."
        )


class Refused(Exception):
    """The values entered would make the case invalid; nothing was saved."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


def version_of(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def parse_path(text: str) -> Path_:
    """``labs[2].value`` -> ('labs', 2, 'value'); anything else is refused."""
    if not _PATH.fullmatch(text):
        raise InputError(f"not a field of a case: {text!r}")
    out: list[str | int] = []
    for part in text.split("."):
        name, _, index = part.partition("[")
        out.append(name)
        if index:
            out.append(int(index.rstrip("]")))
    return tuple(out)


def path_text(path: Path_) -> str:
    text = ""
    for p in path:
        text += f"[{p}]" if isinstance(p, int) else (f".{p}" if text else p)
    return text


# -- the type of a field, from the case model ---------------------------------------------------


def _unwrap(annotation: Any) -> list[Any]:
    """The concrete types an annotation allows (Optional, Annotated and unions unwrapped)."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _unwrap(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        return [t for a in get_args(annotation) for t in _unwrap(a) if t is not type(None)]
    return [annotation]


def field_type(path: Path_) -> Any:
    """The Python type of the value at ``path`` in a case (date, float, int, bool, str or a
    model/list for a non-scalar); an unknown field is an error."""
    model: Any = Case
    current: Any = Case
    for part in path:
        if isinstance(part, int):
            if get_origin(current) is not list:
                raise InputError(f"not a list: {path_text(path)}")
            current = next((t for t in _unwrap(get_args(current)[0]) if isinstance(t, type)), str)
            if isinstance(current, type) and issubclass(current, BaseModel):
                model = current
            continue
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            raise InputError(f"not a field of a case: {path_text(path)}")
        if part not in model.model_fields:
            raise InputError(f"not a field of a case: {path_text(path)}")
        options = _unwrap(model.model_fields[part].annotation)
        current = next(
            (t for t in options if get_origin(t) is list or isinstance(t, type)), options[0]
        )
        if isinstance(current, type) and issubclass(current, BaseModel):
            model = current
    return current


def convert(path: Path_, text: str) -> Any:
    """The form's text as the value the case file should hold at ``path``."""
    t = field_type(path)
    value = text.strip()
    where = path_text(path)
    if t is dt.date:
        return parse_date(value, where)
    if t is bool:
        if value.lower() in {"yes", "true"}:
            return True
        if value.lower() in {"no", "false"}:
            return False
        raise InputError(f"expected yes or no, got {value!r}", field=where)
    if t in (int, float):
        try:
            number = float(value)
        except ValueError:
            raise InputError(f"expected a number, got {value!r}", field=where) from None
        if number != number or number in (float("inf"), float("-inf")):
            raise InputError(f"expected a number, got {value!r}", field=where)
        if t is int or (number.is_integer() and re.fullmatch(r"-?\d+", value)):
            if not number.is_integer():
                raise InputError(f"expected a whole number, got {value!r}", field=where)
            return int(number)
        return number
    if get_origin(t) is Literal or (isinstance(t, type) and issubclass(t, Enum | str)):
        return value
    raise InputError(f"{where} is not a single value", field=where)


# -- edits ---------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class SetValue:
    path: Path_
    value: Any


@dataclasses.dataclass(frozen=True)
class AddItem:
    section: str
    item: dict[str, Any]


Edit = SetValue | AddItem


def _yaml_rt(text: str) -> Any:
    from ruamel.yaml import YAML

    y = YAML()
    y.preserve_quotes = True
    y.width = 4096
    mapping, sequence, offset = _indents(text)
    y.indent(mapping=mapping, sequence=sequence, offset=offset)
    return y


def _indents(text: str) -> tuple[int, int, int]:
    """The file's indentation: of nested keys, of list items' content, and of the dashes."""
    mapping, sequence, offset = 2, 4, 2
    lines = text.splitlines()
    for i, line in enumerate(lines[:-1]):
        if re.fullmatch(r"[A-Za-z_]\w*:\s*(#.*)?", line):
            nxt = next(
                (x for x in lines[i + 1 :] if x.strip() and not x.lstrip().startswith("#")), ""
            )
            m = re.match(r"( *)(- +)?", nxt)
            if m and m.group(2):
                offset = len(m.group(1))
                sequence = offset + len(m.group(2))
                break
    for i, line in enumerate(lines[:-1]):
        if re.fullmatch(r"[A-Za-z_]\w*:\s*(#.*)?", line):
            nxt = next(
                (x for x in lines[i + 1 :] if x.strip() and not x.lstrip().startswith("#")), ""
            )
            m = re.match(r"( +)[A-Za-z_]\w*:", nxt)
            if m:
                mapping = len(m.group(1))
                break
    return mapping, max(sequence, offset + 2), offset


def _model_order(path: Path_) -> list[str]:
    model: Any = field_type(path) if path else Case
    if get_origin(model) is list:
        model = next(t for t in _unwrap(get_args(model)[0]) if isinstance(t, type))
    return (
        list(model.model_fields) if isinstance(model, type) and issubclass(model, BaseModel) else []
    )


def _place(mapping: Any, key: str, value: Any, order: list[str]) -> None:
    """Set ``key`` in a ruamel mapping: in place when present, else at its model position."""
    if key in mapping:
        mapping[key] = value
        return
    rank = order.index(key) if key in order else len(order)
    pos = len(mapping)
    for i, k in enumerate(mapping):
        if k in order and order.index(k) > rank:
            pos = i
            break
    mapping.insert(pos, key, value)


def _move_trailing_comment(prev: Any, new: Any) -> None:
    """ruamel keeps the blank lines after a list's last item on that item; after appending, they
    belong after the new item."""
    from ruamel.yaml.comments import CommentedMap
    from ruamel.yaml.error import CommentMark
    from ruamel.yaml.tokens import CommentToken

    if not (isinstance(prev, CommentedMap) and isinstance(new, CommentedMap) and prev and new):
        return
    last = list(prev)[-1]
    token = prev.ca.items.get(last)
    if not token or len(token) < 3 or token[2] is None:
        return
    head, _, rest = token[2].value.partition("\n")
    if rest:
        token[2].value = head + "\n"
        new.ca.items[list(new)[-1]] = [None, None, CommentToken("\n" + rest, CommentMark(0)), None]


def apply(text: str, edits: list[Edit]) -> str:
    """The file's text with ``edits`` made, comments and order kept."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    y = _yaml_rt(text)
    data = y.load(text)
    for e in edits:
        if isinstance(e, SetValue):
            node = data
            for i, part in enumerate(e.path[:-1]):
                nxt = e.path[i + 1]
                if isinstance(part, int):
                    if not isinstance(node, list) or part >= len(node):
                        raise InputError(f"no such item: {path_text(e.path[: i + 1])}")
                    node = node[part]
                    continue
                if not isinstance(node, dict):
                    raise InputError(f"not a mapping: {path_text(e.path[:i])}")
                if node.get(part) is None:
                    if isinstance(nxt, int):
                        raise InputError(f"no such item: {path_text(e.path[: i + 2])}")
                    _place(node, part, CommentedMap(), _model_order(e.path[:i]))
                node = node[part]
            key = e.path[-1]
            if not isinstance(node, dict) or not isinstance(key, str):
                raise InputError(f"not a field: {path_text(e.path)}")
            _place(node, key, e.value, _model_order(e.path[:-1]))
        else:
            order = _model_order((e.section, 0))
            item = CommentedMap()
            for k in sorted(e.item, key=lambda k: order.index(k) if k in order else 99):
                item[k] = e.item[k]
            seq = data.get(e.section)
            if not isinstance(seq, list):
                seq = CommentedSeq()
                _place(data, e.section, seq, list(Case.model_fields))
            if isinstance(seq, CommentedSeq) and seq.fa.flow_style():
                seq.fa.set_block_style()
            if seq:
                _move_trailing_comment(seq[-1], item)
            seq.append(item)
    out = io.StringIO()
    y.dump(data, out)
    return out.getvalue()


# -- saving -------------------------------------------------------------------------------------


@contextmanager
def locked(folder: CaseFolder, path: Path) -> Iterator[None]:
    """An exclusive lock on one case file, across threads and processes."""
    locks = folder.work_dir / "locks"
    locks.mkdir(mode=0o700, exist_ok=True)
    fd = os.open(locks / f"{path.name}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


@dataclasses.dataclass(frozen=True)
class Saved:
    file: CaseFile
    previous: Path


def _key(p: Problem) -> tuple[str | None, str]:
    return (p.field, p.message)


def _touches(problem: Problem, paths: list[str]) -> bool:
    f = problem.field or ""
    return any(f == p or f.startswith((p + ".", p + "[")) or p.startswith(f + ".") for p in paths)


def keep_previous(folder: CaseFolder, path: Path, raw: bytes, who: str) -> Path:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    history = folder.work_dir / "history" / path.name
    history.mkdir(mode=0o700, parents=True, exist_ok=True)
    return write_atomic(history / f"{stamp}-{who}{path.suffix}", raw)


def save(folder: CaseFolder, path: Path, version: str, edits: list[Edit], who: str) -> Saved:
    """Make ``edits`` to the case file at ``path`` if it is still at ``version``."""
    if not edits:
        raise InputError("nothing to save: enter a value first")
    with locked(folder, path):
        raw = path.read_bytes()
        if version_of(raw) != version:
            raise Conflict()
        before = read_case(path, raw)
        new_text = apply(raw.decode("utf-8"), edits)
        after = read_case(path, new_text.encode("utf-8"))
        old = {_key(p) for p in before.problems}
        new = [p for p in after.problems if _key(p) not in old]
        touched = [
            path_text(e.path) if isinstance(e, SetValue) else f"{e.section}[{_count(before, e)}]"
            for e in edits
        ]
        refuse = [p for p in new if before.case is not None or _touches(p, touched)]
        if refuse:
            raise Refused(refuse)
        if after.case_id != before.case_id:
            raise Refused([Problem("the case id cannot be changed here", field="case_id")])
        previous = keep_previous(folder, path, raw, who)
        write_atomic(path, new_text.encode("utf-8"))
    return Saved(folder.reread(path), previous)


def _count(before: CaseFile, e: AddItem) -> int:
    items = before.get(e.section)
    return len(items) if isinstance(items, list) else 0
