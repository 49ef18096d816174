"""What reaches the terminal: the CLI's exit-code contract, one-line errors, secrets masked and
control characters stripped.

Exit codes: 0 done (a case is ready), 1 the record does not support what was asked (gaps),
2 bad input (one line per problem, naming file, field and value), 3 an unexpected error (one line
and a request to report it; ``PA_DOCS_DEBUG=1`` prints the traceback), 130 interrupted.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import traceback
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager

from .errors import InputError, NotReadyError

DEBUG_ENV = "PA_DOCS_DEBUG"
REPORT = "please report it with the command you ran (PA_DOCS_DEBUG=1 shows the traceback)"

_URL_PASSWORD = re.compile(r"(?i)(\b[a-z][a-z0-9+.-]*://[^\s:/@]*:)[^\s/]*(@)")
# a key, not the last part of a path such as /etc/passwd:1: in an error message
_KEY_PASSWORD = re.compile(
    r"(?i)(?<![/\\.])\b(password|passwd|pwd)(\s*[=:]\s*)('[^']*'|\"[^\"]*\"|[^\s,;)]+)"
)
# C0 and C1 controls but tab and line feed, DEL, and the line/paragraph separators
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


def mask_secrets(text: str) -> str:
    """``text`` with the password of any URL (``postgresql://u:secret@h``) or ``password=...``
    setting replaced by ``***``."""
    text = _URL_PASSWORD.sub(r"\1***\2", text)
    return _KEY_PASSWORD.sub(r"\1\2***", text)


def printable(text: str) -> str:
    """``text`` safe for a terminal: control characters (escape sequences' ESC included) shown as
    ``\\xNN`` instead of acted on; tabs and line feeds kept."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def json_text(data: object, indent: int | None = 2) -> str:
    """``data`` as JSON for a terminal or a pipe: non-ASCII text kept, but every control
    character (C1 ones too) and line separator escaped as ``\\uXXXX``."""
    import json

    text = json.dumps(data, indent=indent, ensure_ascii=False, default=str)
    return _CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def say(text: str) -> None:
    """Write one message to standard error, masked and printable."""
    sys.stderr.write(printable(mask_secrets(text)) + "\n")
    sys.stderr.flush()


def _debug() -> bool:
    return os.environ.get(DEBUG_ENV, "") not in {"", "0"}


LOGGERS = ("pa_docs", "weasyprint")
"""The loggers the CLI shows on standard error: pa-docs' own (a refused fetch, a skipped value)
and WeasyPrint's (CSS it cannot read, a font or image it cannot use, which subsetter runs)."""


class _Handler(logging.Handler):
    """Log records on standard error, masked and printable: ``pa-docs: warning: ...``, with the
    library's name for WeasyPrint's."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            where = "" if record.name.startswith("pa_docs") else f" ({record.name})"
            say(f"pa-docs: {record.levelname.lower()}{where}: {record.getMessage()}")
        except Exception:  # a broken message must not end the command
            self.handleError(record)


_handler: _Handler | None = None


def verbosity(verbose: int = 0, quiet: bool = False) -> int:
    """The logging level of ``-v`` (info), ``-vv`` (debug) or ``-q`` (errors only); warnings by
    default."""
    if quiet:
        return logging.ERROR
    return {0: logging.WARNING, 1: logging.INFO}.get(verbose, logging.DEBUG)


def set_log_level(level: int) -> None:
    """Show records of ``level`` and above, while :func:`logging_to_stderr` is in effect."""
    if _handler is not None:
        _handler.setLevel(level)
        for name in LOGGERS:
            logging.getLogger(name).setLevel(level)


@contextmanager
def logging_to_stderr(level: int = logging.WARNING) -> Iterator[None]:
    """Within: pa-docs' and WeasyPrint's log records of ``level`` and above go to standard error;
    the loggers are left as they were after (the CLI runs in-process in tests and tools)."""
    global _handler
    loggers = [logging.getLogger(name) for name in LOGGERS]
    saved = [lg.level for lg in loggers]
    outer, _handler = _handler, _Handler()
    for lg in loggers:
        lg.addHandler(_handler)
    set_log_level(level)
    try:
        yield
    finally:
        for lg, lvl in zip(loggers, saved, strict=True):
            lg.removeHandler(_handler)
            lg.setLevel(lvl)
        _handler = outer


def run(command: Callable[[], object], flags: Mapping[str, str] | None = None) -> int:
    """Run a CLI command under the exit-code contract; return the exit code. An error names the
    library parameters it is about by ``flags``, the options that set them (``--draft``)."""
    try:
        command()
    except SystemExit as exc:
        code = exc.code
        if code is None:
            return 0
        if isinstance(code, int):
            return code
        say(f"pa-docs: error: {code}")
        return 2
    except InputError as exc:
        say(f"pa-docs: error: {exc.say(flags) if flags else exc}")
        return 2
    except NotReadyError as exc:
        say(f"pa-docs: {exc.say(flags) if flags else exc}")
        return 1
    except KeyboardInterrupt:
        say("pa-docs: interrupted")
        return 130
    except BrokenPipeError:  # the reader of standard output went away (| head)
        return 0
    except OSError as exc:  # the machine, not pa-docs: a full disk, a permission, a bad path
        if _debug():
            traceback.print_exc()
        where = f"{exc.filename}: " if exc.filename else ""
        say(f"pa-docs: error: {where}{exc.strerror or exc}")
        return 2
    except Exception as exc:
        if _debug():
            traceback.print_exc()
        what = str(exc).splitlines()[0][:300] if str(exc) else ""
        say(f"pa-docs: internal error: {type(exc).__name__}{': ' if what else ''}{what}; {REPORT}")
        return 3
    return 0
