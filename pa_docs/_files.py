"""Files in and out: bounded reads of regular files; atomic, owner-only writes to safe targets.

Reading: only a regular file is read (a FIFO would block, ``/dev/zero`` never ends), up to a size
cap, and it is opened without blocking. Writing: every file pa-docs writes may hold PHI, so it is
created mode 0600 and appears whole or not at all: its bytes go to an unnamed temporary file in
the target's folder (``O_TMPFILE``: a kill leaves nothing visible), which is then linked in and
renamed over the target. Where ``O_TMPFILE`` is not supported a ``.<name>.*.part`` file is used,
and such leftovers of a killed run are removed by the next write to the same target. Targets that
are not regular files (a device, a folder, ``/proc``), an empty path and the command's own input
files are refused.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import secrets
import stat
import tempfile
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from ._limits import MAX_DEPTH, MAX_INT_DIGITS, MAX_YAML_BYTES
from .errors import InputError

_SYSTEM = (Path("/proc"), Path("/sys"), Path("/dev"))
_STALE_S = 600  # a leftover temporary file older than this is from a killed run


def read_bytes(
    path: str | Path, error: type[InputError] = InputError, max_bytes: int = MAX_YAML_BYTES
) -> bytes:
    """The bytes of the regular file ``path``; anything else, or too large, is ``error``."""
    p = Path(path)
    if not str(path):
        raise error("no file named (an empty path)")
    try:
        fd = os.open(p, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise error("file not found", file=p) from None
    except OSError as exc:
        raise error(f"cannot read: {exc.strerror}", file=p) from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise error("is a folder, expected a file", file=p)
        if not stat.S_ISREG(st.st_mode):
            raise error("not a regular file (a device, pipe or socket); expected a file", file=p)
        if st.st_size > max_bytes:
            raise error(f"too large: {st.st_size:,} bytes, at most {max_bytes:,}", file=p)
        chunks: list[bytes] = []
        size = 0
        while size <= max_bytes:
            chunk = os.read(fd, min(1 << 20, max_bytes + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > max_bytes:
            raise error(f"too large: over {max_bytes:,} bytes", file=p)
        return b"".join(chunks)
    except OSError as exc:
        raise error(f"cannot read: {exc.strerror}", file=p) from None
    finally:
        os.close(fd)


def read_text(
    path: str | Path,
    error: type[InputError] = InputError,
    max_bytes: int = MAX_YAML_BYTES,
    encoding: str = "utf-8",
) -> str:
    """The text of the regular file ``path`` (UTF-8 by default), bounded like ``read_bytes``."""
    data = read_bytes(path, error, max_bytes)
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise error(f"not UTF-8 text ({exc.reason} at byte {exc.start})", file=path) from None


def check_target(path: str | Path, inputs: Sequence[str | Path] = ()) -> Path:
    """``path`` as an output file, or an ``InputError`` saying why pa-docs will not write there."""
    if not str(path).strip():
        raise InputError("the output path is empty", param="path")
    target = Path(path)
    resolved = target.resolve()
    if any(resolved == s or s in resolved.parents for s in _SYSTEM):
        raise InputError("will not write into a system folder", file=target, param="path")
    try:
        st = os.stat(target)
    except FileNotFoundError:
        st = None
    except NotADirectoryError:
        raise InputError("a part of the path is a file, not a folder", file=target) from None
    except OSError as exc:
        raise InputError(f"cannot write: {exc.strerror}", file=target) from None
    if st is not None:
        if stat.S_ISDIR(st.st_mode):
            raise InputError("is a folder; name the output file", file=target, param="path")
        if not stat.S_ISREG(st.st_mode):
            raise InputError(
                "is not a regular file (a device, pipe or socket): will not replace it",
                file=target,
                param="path",
            )
        for i in inputs:
            with contextlib.suppress(OSError):
                if os.path.samefile(target, i):
                    raise InputError(
                        "is an input of this command: will not overwrite it",
                        file=target,
                        param="path",
                    )
    for parent in target.parents:
        if parent.exists():
            if not parent.is_dir():
                raise InputError("a part of the path is a file, not a folder", file=target)
            break
    return target


def _clean_stale(folder: Path, name: str) -> None:
    """Remove the temporary files a killed write to ``name`` left behind (fallback path only)."""
    now = time.time()
    with contextlib.suppress(OSError):
        for p in folder.glob(f".{name}.*.part"):
            with contextlib.suppress(OSError):
                if now - p.lstat().st_mtime > _STALE_S:
                    p.unlink()


def _write_all(fd: int, data: bytes | Iterable[bytes]) -> None:
    for chunk in [data] if isinstance(data, bytes) else data:
        view = memoryview(chunk)
        while view:
            view = view[os.write(fd, view) :]
    os.fsync(fd)


def _link_unnamed(fd: int, folder: Path, name: str) -> Path:
    """Give the unnamed file ``fd`` a temporary name in ``folder`` (copied when /proc is not
    there to link it through)."""
    while True:
        tmp = folder / f".{name}.{secrets.token_hex(6)}.part"
        try:
            os.link(f"/proc/self/fd/{fd}", tmp, follow_symlinks=True)
            return tmp
        except FileExistsError:
            continue
        except OSError:
            break
    out, copy = tempfile.mkstemp(prefix=f".{name}.", suffix=".part", dir=folder)
    try:
        os.fchmod(out, 0o600)
        os.lseek(fd, 0, os.SEEK_SET)
        _write_all(out, iter(lambda: os.read(fd, 1 << 20), b""))
    except BaseException:
        os.unlink(copy)
        raise
    finally:
        os.close(out)
    return Path(copy)


def write_atomic(
    path: str | Path, data: bytes | Iterable[bytes], *, inputs: Sequence[str | Path] = ()
) -> Path:
    """Write ``data`` to ``path`` so that readers see the old file or the whole new one, mode
    0600; ``inputs`` are the command's input files, which are never overwritten."""
    target = check_target(path, inputs)
    folder = target.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(
            f"cannot create the folder {folder}: {exc.strerror}", file=target
        ) from None
    _clean_stale(folder, target.name)
    fd = -1
    tmp: Path | None = None
    try:
        with contextlib.suppress(OSError, AttributeError):
            fd = os.open(folder, os.O_TMPFILE | os.O_RDWR | os.O_CLOEXEC, 0o600)
        if fd >= 0:  # unnamed until written whole: a kill leaves nothing behind
            os.fchmod(fd, 0o600)
            _write_all(fd, data)
            tmp = _link_unnamed(fd, folder, target.name)
        else:
            fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=folder)
            tmp = Path(name)
            os.fchmod(fd, 0o600)
            _write_all(fd, data)
        os.replace(tmp, target)
        tmp = None
    except BaseException:
        if tmp is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
        raise
    finally:
        if fd >= 0:
            os.close(fd)
    return target


def parse_json(
    text: str, path: str | Path, error: type[InputError] = InputError, line: int | None = None
) -> Any:
    """JSON text as Python values, bounded like YAML: no NaN or infinity, no integer over
    MAX_INT_DIGITS digits, nesting up to MAX_DEPTH; anything else is ``error``."""

    def constant(name: str) -> Any:
        raise ValueError(f"{name} is not a number pa-docs accepts")

    def integer(digits: str) -> int:
        if len(digits.lstrip("-")) > MAX_INT_DIGITS:
            raise ValueError(f"a number of {len(digits):,} digits is too large")
        return int(digits)

    def real(digits: str) -> float:
        value = float(digits)
        if not math.isfinite(value):
            raise ValueError(f"{digits[:40]} is not a finite number")
        return value

    try:
        data = json.loads(text, parse_constant=constant, parse_int=integer, parse_float=real)
    except json.JSONDecodeError as exc:
        where = line if line is not None else exc.lineno
        raise error(
            f"not valid JSON: {exc.msg} (column {exc.colno})", file=path, line=where
        ) from None
    except (ValueError, RecursionError) as exc:
        what = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        raise error(f"not valid JSON: {what}", file=path, line=line) from None
    _check_depth(data, path, error, line)
    return data


def _check_depth(data: Any, path: str | Path, error: type[InputError], line: int | None) -> None:
    level: list[Any] = [data]
    for _ in range(MAX_DEPTH + 1):
        level = [
            v
            for x in level
            if isinstance(x, dict | list)
            for v in (x.values() if isinstance(x, dict) else x)
            if isinstance(v, dict | list)
        ]
        if not level:
            return
    raise error(f"nested more than {MAX_DEPTH} levels deep", file=path, line=line)
