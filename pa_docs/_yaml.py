"""Safe YAML loading that remembers where each value was written, for error messages."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from .errors import InputError, Problem

Loc = tuple[str | int, ...]
M = TypeVar("M", bound=BaseModel)
_NAMED = re.compile(r"^((?:\w+(?:\[\d+\])?\.)+\w+) ")


_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):  # type: ignore[misc]
    """Safe loader (libyaml when present) that leaves an impossible date (2026-02-30) as text,
    for pydantic to reject with the field's position."""


class _PositionLoader(yaml.SafeLoader):
    """Pure-Python safe loader, used only to find the line of a value for an error message."""


def _timestamp(loader: Any, node: yaml.ScalarNode) -> Any:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)
_PositionLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


def _positions(node: yaml.Node, loc: Loc, out: dict[Loc, int]) -> None:
    out[loc] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                out[(*loc, key.value)] = value.start_mark.line + 1
                _positions(value, (*loc, key.value), out)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _positions(item, (*loc, i), out)


class Document:
    """A parsed YAML file: its data and the line of every value in it."""

    def __init__(self, path: Path, data: Any, text: str) -> None:
        self.path = path
        self.data = data
        self.text = text
        self._lines: dict[Loc, int] | None = None

    @property
    def lines(self) -> dict[Loc, int]:
        if self._lines is None:
            self._lines = {}
            node = yaml.compose(self.text, Loader=_PositionLoader)
            if node is not None:
                _positions(node, (), self._lines)
        return self._lines

    def line_of(self, loc: Loc) -> int | None:
        while loc:
            if loc in self.lines:
                return self.lines[loc]
            loc = loc[:-1]
        return self.lines.get(())

    def problems(self, err: ValidationError) -> list[Problem]:
        out: list[Problem] = []
        extra: dict[Loc, int] = {}  # unknown field -> its problem's index in out
        missing: dict[Loc, int] = {}  # required field missing -> its problem's index
        for e in err.errors():
            loc = tuple(
                x for x in e["loc"] if not (isinstance(x, str) and x.startswith("function-"))
            )
            # drop pydantic's union tags (e.g. 'lab', 'str') that are not keys of the document
            clean: list[str | int] = []
            node: Any = self.data
            for part in loc:
                in_map = isinstance(node, Mapping) and part in node
                in_list = isinstance(node, list) and isinstance(part, int) and part < len(node)
                if in_map or in_list:
                    node = node[part]
                    clean.append(part)
                elif e["type"] in {"extra_forbidden", "missing"} and part == loc[-1]:
                    clean.append(part)
            msg = _message(e)
            named = _NAMED.match(msg) if not clean else None
            if named:  # a model-level rule that names its field first, e.g. "labs[2].date ..."
                clean = [int(p) if p.isdigit() else p for p in re.findall(r"\w+", named.group(1))]
                msg = msg[named.end() :]  # the field is printed before the message already
            field = ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in clean)
            field = field.replace(".[", "[")
            if e["type"] == "extra_forbidden":
                extra[tuple(clean)] = len(out)
            elif e["type"] == "missing":
                missing[tuple(clean)] = len(out)
            out.append(Problem(msg, str(self.path), self.line_of(tuple(clean)), field or None))
        return _misspellings(out, extra, missing)

    def validate(self, model: type[M], error: type[InputError] = InputError) -> M:
        """The data as ``model``; its validators may find this document (for lines) in the
        validation context under ``document``."""
        try:
            return model.model_validate(self.data, context={"document": self})
        except ValidationError as err:
            raise error(problems=self.problems(err)) from None


def _misspellings(
    out: list[Problem], extra: dict[Loc, int], missing: dict[Loc, int]
) -> list[Problem]:
    """A misspelt required field is one problem, not two: 'memberid: unknown field; did you
    mean member_id?' rather than that and 'member_id: required field is missing'."""
    drop: set[int] = set()
    for loc, i in extra.items():
        siblings = {
            str(m[-1]): j for m, j in missing.items() if m[:-1] == loc[:-1] and j not in drop
        }
        close = difflib.get_close_matches(str(loc[-1]), list(siblings), n=1, cutoff=0.6)
        if close:
            p = out[i]
            out[i] = Problem(f"unknown field; did you mean {close[0]!r}?", p.file, p.line, p.field)
            drop.add(siblings[close[0]])
    return [p for i, p in enumerate(out) if i not in drop]


def _message(e: Any) -> str:
    typ, value = e["type"], e.get("input")
    if typ == "extra_forbidden":
        return "unknown field (check the spelling)"
    if typ == "missing":
        return "required field is missing"
    text = str(e["msg"])
    text = text.removeprefix("Value error, ")
    if typ != "missing" and not isinstance(value, Mapping | list) and value is not None:
        shown = value.isoformat() if isinstance(value, dt.date) else value
        named = re.search(rf"(?<![\w.-]){re.escape(str(shown))}(?![\w.-])", text)
        if not named:  # a validator's own message may name the value already
            text = f"{text} (got {shown!r})"
    return text


def load(path: Path | str, error: type[InputError] = InputError) -> Document:
    """Read a YAML file with the safe loader; any problem is an ``error`` naming file and line."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error("file not found", file=p) from None
    except IsADirectoryError:
        raise error("is a folder, expected a YAML file", file=p) from None
    except UnicodeDecodeError as exc:
        raise error(f"not UTF-8 text ({exc.reason})", file=p) from None
    except OSError as exc:
        raise error(f"cannot read: {exc.strerror}", file=p) from None
    return parse(text, p, error)


def parse(text: str, path: Path, error: type[InputError] = InputError) -> Document:
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise error("the file is empty", file=path)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        what = f"invalid YAML: {exc.problem}" if exc.problem else "invalid YAML"
        if "could not determine a constructor" in what:
            tag = what.rsplit(" ", 1)[-1].replace("tag:yaml.org,2002:", "!!")
            what = f"YAML tag {tag} is not allowed: only plain values, lists and mappings"
        raise error(what, file=path, line=line) from None
    except yaml.YAMLError as exc:
        raise error(f"invalid YAML: {exc}", file=path) from None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise error(
            f"expected a mapping of fields at the top level, got {type(data).__name__}",
            file=path,
            line=1,
        )
    return Document(path, data, text)
