"""The one YAML loader for everything pa-docs reads: safe, bounded, and remembering where each
value was written, for error messages.

Bounds (see ``_limits``) are checked while the parser's events are turned into nodes, before
anything walks the document: file size, values with aliases expanded, nesting depth, recursive
aliases, duplicate keys (both lines named), integers too long to be numbers, NaN and infinity.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from ._files import read_text
from ._limits import MAX_DEPTH, MAX_INT_DIGITS, MAX_NODES, MAX_SCALAR, MAX_YAML_BYTES
from .errors import InputError, Problem

Loc = tuple[str | int, ...]
M = TypeVar("M", bound=BaseModel)
_NAMED = re.compile(r"^((?:\w+(?:\[\d+\])?\.)+\w+) ")


_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):  # type: ignore[misc]
    """Safe loader (libyaml when present) that leaves an impossible date (2026-02-30) as text,
    for pydantic to reject with the field's position."""


def _timestamp(loader: Any, node: yaml.ScalarNode) -> Any:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except (ValueError, OverflowError):
        return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)

_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_MERGE = "tag:yaml.org,2002:merge"


def _field(loc: Loc) -> str | None:
    text = ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in loc).replace(".[", "[")
    return text or None


class _Frame:
    __slots__ = ("anchor", "key", "keys", "loc", "node", "size")

    def __init__(self, node: yaml.CollectionNode, loc: Loc, anchor: str | None) -> None:
        self.node, self.loc, self.anchor = node, loc, anchor
        self.size = 1
        self.key: yaml.Node | None = None  # a mapping's key waiting for its value
        self.keys: dict[tuple[str, str], int] = {}  # a mapping's scalar keys and their lines


class _Composer:
    """Build the node graph from parser events without recursion, checking as it goes: values
    (aliases expanded) up to MAX_NODES, nesting up to MAX_DEPTH, no recursive alias, no duplicate
    key, no integer over MAX_INT_DIGITS digits, no NaN or infinity, no value over MAX_SCALAR
    characters. It records the line of every value's path for error messages. Nothing walks the
    document before these checks pass, so a billion-laughs file stops after a few thousand
    events."""

    def __init__(self, loader: Any, path: Path, error: type[InputError]) -> None:
        self.loader, self.path, self.error = loader, path, error
        self.lines: dict[Loc, int] = {}
        self.anchors: dict[str, tuple[yaml.Node, int | None]] = {}  # size None: still open
        self.total = 0

    def fail(self, message: str, mark: Any, loc: Loc = ()) -> NoReturn:
        line = mark.line + 1 if mark is not None else None
        raise self.error(message, file=self.path, line=line, field=_field(loc))

    def count(self, n: int, mark: Any, loc: Loc) -> None:
        self.total += n
        if self.total > MAX_NODES:
            self.fail(
                f"too many values (over {MAX_NODES:,}, aliases expanded): "
                "an alias bomb, or not a pa-docs file",
                mark,
                loc,
            )

    def compose(self) -> yaml.Node | None:
        ld = self.loader
        ld.get_event()  # stream start
        if ld.check_event(yaml.StreamEndEvent):
            return None
        ld.get_event()  # document start
        root = self._document()
        ld.get_event()  # document end
        if not ld.check_event(yaml.StreamEndEvent):
            event = ld.get_event()
            self.fail("more than one YAML document in the file ('---')", event.start_mark)
        return root

    def _child_loc(self, stack: list[_Frame]) -> tuple[Loc, bool]:
        """The path of the next node and whether it is a mapping key."""
        if not stack:
            return (), False
        top = stack[-1]
        if isinstance(top.node, yaml.SequenceNode):
            return (*top.loc, len(top.node.value)), False
        if top.key is None:
            return top.loc, True
        k = top.key.value if isinstance(top.key, yaml.ScalarNode) else "?"
        return (*top.loc, k), False

    def _document(self) -> yaml.Node:
        ld = self.loader
        stack: list[_Frame] = []
        while True:
            event = ld.get_event()
            mark = event.start_mark
            loc, is_key = self._child_loc(stack)
            done: tuple[yaml.Node, int]
            if isinstance(event, yaml.AliasEvent):
                known = self.anchors.get(event.anchor or "")
                if known is None:
                    self.fail(f"unknown alias *{event.anchor}", mark, loc)
                node, size = known
                if size is None:
                    self.fail(
                        f"recursive alias *{event.anchor} (a value that contains itself)", mark, loc
                    )
                self.count(size, mark, loc)
                done = (node, size)
            elif isinstance(event, yaml.ScalarEvent):
                node = self._scalar(event, loc)
                self.count(1, mark, loc)
                done = (node, 1)
            elif isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent):
                if len(stack) >= MAX_DEPTH:
                    self.fail(f"nested more than {MAX_DEPTH} levels deep", mark, loc)
                seq = isinstance(event, yaml.SequenceStartEvent)
                kind = yaml.SequenceNode if seq else yaml.MappingNode
                tag = event.tag
                if tag is None or tag == "!":
                    tag = ld.resolve(kind, None, event.implicit)
                coll = kind(tag, [], mark, None, flow_style=event.flow_style)
                if event.anchor is not None:
                    self.anchors[event.anchor] = (coll, None)
                self.count(1, mark, loc)
                stack.append(_Frame(coll, loc, event.anchor))
                if not is_key:
                    self.lines[loc] = mark.line + 1
                continue
            else:  # the end of a sequence or mapping
                frame = stack.pop()
                frame.node.end_mark = event.end_mark
                if frame.anchor is not None:
                    self.anchors[frame.anchor] = (frame.node, frame.size)
                done = (frame.node, frame.size)
                loc, is_key = self._child_loc(stack)
            node, size = done
            if not stack:
                return node
            self._attach(stack[-1], node, size, loc, is_key)

    def _attach(self, top: _Frame, node: yaml.Node, size: int, loc: Loc, is_key: bool) -> None:
        top.size += size
        if isinstance(top.node, yaml.SequenceNode):
            top.node.value.append(node)
            self.lines.setdefault(loc, node.start_mark.line + 1)
            return
        if is_key:
            top.key = node
            if isinstance(node, yaml.ScalarNode) and node.tag != _MERGE:
                seen = top.keys.get((node.tag, node.value))
                line = node.start_mark.line + 1
                if seen is not None:
                    self.fail(
                        f"duplicate key {node.value!r} (also on line {seen}): "
                        "the second would silently replace the first",
                        node.start_mark,
                        (*top.loc, node.value),
                    )
                top.keys[(node.tag, node.value)] = line
            return
        assert top.key is not None
        top.node.value.append((top.key, node))
        if isinstance(top.key, yaml.ScalarNode):
            self.lines[loc] = node.start_mark.line + 1
        top.key = None

    def _scalar(self, event: Any, loc: Loc) -> yaml.ScalarNode:
        value: str = event.value
        tag = event.tag
        if tag is None or tag == "!":
            tag = self.loader.resolve(yaml.ScalarNode, value, event.implicit)
        mark = event.start_mark
        if len(value) > MAX_SCALAR:
            self.fail(f"a value of {len(value):,} characters (at most {MAX_SCALAR:,})", mark, loc)
        if tag == _INT:
            digits = sum(c.isalnum() for c in value)
            if digits > MAX_INT_DIGITS:
                self.fail(
                    f"a number of {digits:,} digits is too large (at most {MAX_INT_DIGITS}); "
                    "quote it if it is an identifier",
                    mark,
                    loc,
                )
        elif tag == _FLOAT:
            v = value.lower().replace("_", "")
            try:
                finite = v.lstrip("+-") not in {".inf", ".nan"} and math.isfinite(float(v))
            except ValueError:  # sexagesimal (1:30.5): finite unless absurdly long
                finite = len(value) <= 64
            if not finite:
                self.fail(f"{value!r} is not a finite number", mark, loc)
        return yaml.ScalarNode(tag, value, mark, event.end_mark, style=event.style)


class Document:
    """A parsed YAML file: its data and the line of every value in it."""

    def __init__(self, path: Path, data: Any, lines: dict[Loc, int]) -> None:
        self.path = path
        self.data = data
        self.lines = lines

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
        if isinstance(shown, str) and len(shown) > 80:  # enough to find it; the line says where
            shown = f"{shown[:60]}...({len(shown):,} characters)"
        named = re.search(rf"(?<![\w.-]){re.escape(str(shown))}(?![\w.-])", text)
        if not named:  # a validator's own message may name the value already
            text = f"{text} (got {shown!r})"
    return text


def load(path: Path | str, error: type[InputError] = InputError) -> Document:
    """Read a YAML file with the bounded safe loader; any problem is an ``error`` naming file and
    line. Only a regular file of at most MAX_YAML_BYTES is read."""
    p = Path(path)
    return parse(read_text(p, error, MAX_YAML_BYTES), p, error)


def parse(text: str, path: Path, error: type[InputError] = InputError) -> Document:
    """Parse YAML text whose top level is a mapping of fields."""
    data, lines = _parse(text, path, error)
    if not isinstance(data, dict):
        raise error(
            f"expected a mapping of fields at the top level, got {type(data).__name__}",
            file=path,
            line=1,
        )
    return Document(path, data, lines)


def load_data(text: str, name: str) -> Any:
    """Parse a data file shipped with pa-docs (a vocabulary, a table) with the same bounds."""
    return _parse(text, Path(name), InputError)[0]


def _parse(text: str, path: Path, error: type[InputError]) -> tuple[Any, dict[Loc, int]]:
    if len(text) > MAX_YAML_BYTES:
        raise error(f"too large: {len(text):,} characters, at most {MAX_YAML_BYTES:,}", file=path)
    loader = _Loader(text)
    try:
        composer = _Composer(loader, path, error)
        node = composer.compose()
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
    except (ValueError, OverflowError, RecursionError) as exc:  # a value no constructor can take
        raise error(f"invalid YAML: {exc}", file=path) from None
    finally:
        loader.dispose()
    return data, composer.lines
