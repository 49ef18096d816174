"""The Jinja environments documents are written with: sandboxed, shipped templates overridable
file by file from a user folder. Block markup escapes every value (see ``_blocks.escape``); the
HTML layout autoescapes.

A user's templates are untrusted: the environment is Jinja's immutable sandbox, every context is
plain data (``_plain``), a template (or stylesheet) that is a link leading out of its folder is
refused, and ``*``/``**`` cannot build a value of more than a million items."""

from __future__ import annotations

import os
import stat
import traceback
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import (
    BytecodeCache,
    ChoiceLoader,
    Environment,
    FileSystemBytecodeCache,
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
)
from jinja2.bccache import Bucket
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment

from .._files import read_text
from .._resources import shipped
from ..errors import InputError
from ._blocks import escape
from ._plain import plain


def _inside(path: Path, folders: list[Path]) -> bool:
    real = path.resolve()
    return any(real == d or d in real.parents for d in folders)


class _FolderLoader(FileSystemLoader):
    """Templates from the folders only: a link that leads out of them is refused."""

    def get_source(
        self, environment: Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        source, filename, uptodate = super().get_source(environment, template)
        folders = [Path(p).resolve() for p in self.searchpath]
        if not _inside(Path(filename), folders):
            raise InputError(
                f"template {template!r} is a link to {Path(filename).resolve()}, outside the "
                "templates folder: refused",
                file=filename,
            )
        return source, filename, uptodate


def _loader(user_dir: Path | None) -> ChoiceLoader:
    dirs = [str(user_dir)] if user_dir else []
    return ChoiceLoader([_FolderLoader([*dirs, str(shipped("templates"))])])


_MAX_ITEMS = 1_000_000


class _Sandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox, with ``*`` and ``**`` bounded (``{{ "x" * 10**12 }}``)."""

    intercepted_binops = frozenset(["*", "**"])

    def getattr(self, obj: Any, attribute: str) -> Any:
        """``mapping.key`` is the key's value first (a block's ``items``), then an attribute."""
        if isinstance(obj, dict) and attribute in obj:
            return obj[attribute]
        return super().getattr(obj, attribute)

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, int) and abs(right) > 64:
            raise SecurityError("an exponent over 64 is not allowed in a template")
        if operator == "*":
            for seq, n in ((left, right), (right, left)):
                sized = isinstance(seq, str | list | tuple) and isinstance(n, int)
                if sized and len(seq) * n > _MAX_ITEMS:
                    raise SecurityError("a value of over a million items in a template")
        return super().call_binop(context, operator, left, right)


def _mine(st: os.stat_result, others: int) -> bool:
    """Whether a file or folder is this user's own and grants others none of ``others``."""
    return not (hasattr(os, "getuid") and st.st_uid != os.getuid()) and not st.st_mode & others


class _PrivateCache(FileSystemBytecodeCache):
    """Jinja's file cache, loading an entry only when it is a regular file of this user's that
    no one else may write. An entry is code that runs outside the sandbox (Jinja unpickles and
    unmarshals it), so a planted one must never load. A damaged entry is compiled again."""

    def load_bytecode(self, bucket: Bucket) -> None:
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        try:
            fd = os.open(self._get_cache_filename(bucket), flags)
        except OSError:
            return
        with os.fdopen(fd, "rb") as f:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode) or not _mine(st, 0o022):
                return
            try:
                bucket.load_bytecode(f)
            except Exception:  # a cut or damaged entry (pickle, marshal): compile instead
                bucket.reset()


def _compiled_cache(kind: str) -> BytecodeCache | None:
    """Where compiled templates are kept between processes: compiling the packet's templates
    takes a tenth of what a ``pa-docs packet`` process spends importing WeasyPrint. The folder is
    ``$XDG_CACHE_HOME/pa-docs/templates-<kind>`` (``~/.cache`` by default), made private (0700);
    it holds template code only, no case data, and Jinja checks each entry against the
    template's source and its own version. None (compile every time) when the folder or the
    ``pa-docs`` folder above it cannot be made, is not the user's own, is open to others (the
    folder: any access; ``pa-docs``: writing), or ``PA_DOCS_NO_CACHE`` is set."""
    if os.environ.get("PA_DOCS_NO_CACHE"):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = Path(base) / "pa-docs" / f"templates-{kind}"
    try:
        folder.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        folder.mkdir(exist_ok=True, mode=0o700)
        private = _mine(folder.parent.stat(), 0o022) and _mine(folder.stat(), 0o077)
    except OSError:
        return None
    return _PrivateCache(str(folder)) if private else None


@cache
def markup_env(user_dir: Path | None) -> ImmutableSandboxedEnvironment:
    return _Sandbox(
        bytecode_cache=_compiled_cache("markup-2"),  # -2: compiled with * and ** bounded
        loader=_loader(user_dir),
        autoescape=False,
        finalize=escape,
        undefined=StrictUndefined,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


@cache
def html_env(user_dir: Path | None) -> ImmutableSandboxedEnvironment:
    return _Sandbox(
        bytecode_cache=_compiled_cache("html-2"),
        loader=_loader(user_dir),
        autoescape=True,
        undefined=StrictUndefined,
    )


# What a template's own expressions can raise at render time (``{{ 1 // 0 }}``, a range the
# sandbox caps, a missing key): a broken user template, reported like a syntax error.
_RUNTIME_ERRORS = (
    TemplateError,
    ArithmeticError,
    LookupError,
    TypeError,
    ValueError,
    RecursionError,
)


def _where(exc: BaseException, name: str) -> tuple[str, int | None]:
    """The template file and line an error was raised at (Jinja maps its frames to templates)."""
    file, line = getattr(exc, "filename", None), getattr(exc, "lineno", None)
    if file is None or line is None:
        for frame in reversed(traceback.extract_tb(exc.__traceback__)):
            if frame.filename.endswith(".j2") or frame.filename == "<template>":
                return file or frame.filename, line or frame.lineno
    return file or name, line


def render_template(
    env: ImmutableSandboxedEnvironment, name: str, context: dict[str, object]
) -> str:
    """Render one template with ``context`` as plain data (``_plain.plain``); a broken user
    template is an input error naming file and line."""
    data = plain(context)
    try:
        return env.get_template(name).render(data)
    except _RUNTIME_ERRORS as exc:
        file, line = _where(exc, name)
        what = "" if isinstance(exc, TemplateError) else f"{type(exc).__name__}: "
        raise InputError(f"template error: {what}{exc}", file=file, line=line) from None


def template_dirs(user_dir: Path | None) -> list[Path]:
    """The folders templates and their assets may be read from."""
    return [*([user_dir.resolve()] if user_dir else []), shipped("templates").resolve()]


def read_asset(user_dir: Path | None, name: str) -> str:
    """A text asset (the stylesheet) from the user folder, else the shipped one."""
    for d in template_dirs(user_dir):
        f = d / name
        if f.is_file():
            if not _inside(f, [d]):
                raise InputError(f"{name} is a link outside the templates folder: refused", file=f)
            return read_text(f)
    raise InputError(f"template asset {name!r} not found")
