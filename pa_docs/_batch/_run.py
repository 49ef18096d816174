"""Run a batch: find the cases, hand them to warm workers, collect a row per case, remember
what was written (so that a rerun skips documents whose inputs are unchanged)."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import multiprocessing
import os
import time
from collections import deque
from collections.abc import Callable, Generator, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from pathlib import Path

from ..errors import InputError
from ._model import APPEAL_KINDS, DENIAL_SUFFIX, KINDS, Options, Outcome, Row
from ._summary import check_summary_path, write_summary
from ._worker import Entry, Worker, denial_for, init_process, run_in_process

MANIFEST = ".pa-docs-batch.json"
_SAVE_EVERY = 2.0  # seconds between saves of the manifest while a batch runs


def default_jobs() -> int:
    """The number of cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def find_cases(paths: Iterable[str | Path], kind: str = "packet") -> list[Path]:
    """The case files to run: each file named, and the ``*.yaml`` files of each folder named (not
    its ``*.denial.yaml``), in name order; for appeals, a folder's cases with a denial beside."""
    out: list[Path] = []
    seen: set[Path] = set()
    for given in map(Path, paths):
        if given.is_dir():
            found = [
                f
                for f in sorted(given.iterdir())
                if f.suffix in {".yaml", ".yml"}
                and not f.name.endswith(DENIAL_SUFFIX)
                and f.is_file()
                and (kind not in APPEAL_KINDS or denial_for(f).is_file())
            ]
        else:
            found = [given]  # a missing file is reported in its row
        for f in found:
            key = f.resolve()
            if key not in seen:
                seen.add(key)
                out.append(f)
    return out


class Manifest:
    """``<outdir>/.pa-docs-batch.json``: for each document the batch wrote, the key of its inputs
    and the hash of its bytes. Saved atomically as the batch goes, so an interrupted batch
    skips on its rerun what it had finished."""

    def __init__(self, outdir: Path) -> None:
        self.path = outdir / MANIFEST
        self.entries: dict[str, Entry] = {}
        self._dirty = False
        from .._files import check_target, read_text

        check_target(self.path)  # before any case runs: a FIFO or a device is refused
        try:  # a regular file of bounded size only: a FIFO or a link to /dev/zero is no manifest
            raw = json.loads(read_text(self.path))
            for name, e in raw.get("documents", {}).items():
                self.entries[str(name)] = Entry(str(e["key"]), str(e["sha256"]))
        except (InputError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
            self.entries = {}  # none yet, or unreadable: every document is made again

    def record(self, row: Row) -> None:
        if row.output and row.key and row.sha256 and row.outcome is Outcome.written:
            self.entries[Path(row.output).name] = Entry(row.key, row.sha256)
            self._dirty = True

    def forget(self, name: str) -> None:
        self._dirty |= self.entries.pop(name, None) is not None

    def save(self) -> None:
        if not self._dirty:
            return
        from ..render import write_atomic

        docs = {n: {"key": e.key, "sha256": e.sha256} for n, e in sorted(self.entries.items())}
        data = json.dumps({"version": 1, "documents": docs}, indent=1) + "\n"
        write_atomic(self.path, data.encode("utf-8"))
        self._dirty = False


def _options(options: Options) -> None:
    """Refuse, before any case runs, what is wrong for every case alike."""
    from ..documents import load_profile
    from ..policy import load_policies
    from ..render import check_format

    if options.kind not in KINDS:
        raise InputError(f"must be one of {', '.join(KINDS)}, got {options.kind!r}", param="kind")
    check_format(options.format)
    if options.templates is not None and not options.templates.is_dir():
        raise InputError("templates folder not found", file=options.templates)
    if options.outdir.exists() and not options.outdir.is_dir():
        raise InputError("the output folder is a file", file=options.outdir)
    if options.profile is not None:
        load_profile(options.profile)
    load_policies(options.criteria)


def _in_process(
    files: list[Path], options: Options, manifest: Manifest
) -> Generator[tuple[int, Row], None, None]:
    worker = Worker(options, manifest.entries)
    worker.warm()
    for i, f in enumerate(files):
        row = worker.run(f)
        manifest.record(row)
        yield i, row


def _pooled(
    files: list[Path], options: Options, manifest: Manifest, jobs: int
) -> Generator[tuple[int, Row], None, None]:
    """Rows as the pool's processes finish them, with the index of their case. One case in
    flight per process; when a process dies (a crash in a renderer, the kernel's OOM killer),
    the cases it may have died on run again one at a time, and the one that kills a process on
    its own is reported as failed: the batch goes on."""
    context = multiprocessing.get_context(
        "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    )
    todo: deque[int] = deque(range(len(files)))
    suspects: deque[int] = deque()
    barren = 0  # pools in a row that died before finishing any case
    while todo or suspects:
        pool = ProcessPoolExecutor(
            jobs,
            mp_context=context,
            initializer=init_process,
            initargs=(options, manifest.entries),
        )
        flying: dict[Future[Row], int] = {}
        submitted: list[Future[Row]] = []
        finished = 0
        alone = False
        try:
            while todo or suspects or flying:
                alone = bool(suspects)
                while (suspects or todo) and len(flying) < (1 if alone else jobs):
                    i = suspects.popleft() if alone else todo.popleft()
                    fut = pool.submit(run_in_process, files[i])
                    flying[fut] = i
                    submitted.append(fut)
                done, _ = wait(flying, return_when=FIRST_COMPLETED)
                for fut in done:
                    row = fut.result()  # a process that died: every case in flight is lost
                    manifest.record(row)
                    i = flying.pop(fut)
                    finished += 1
                    yield i, row
        except BrokenProcessPool:
            barren = 0 if finished else barren + 1
            lost = sorted(flying.values())
            if alone or barren >= 2:
                why = (
                    "the worker process died on this case"
                    if alone
                    else "the worker processes could not start"
                )
                for i in lost if alone else [*lost, *suspects, *todo]:
                    yield i, _failed(files[i], options, why)
                if not alone:
                    return
            else:
                suspects.extend(lost)
        except BaseException:  # stopped (Ctrl-C, SIGTERM): the cases running finish, and count
            pool.shutdown(wait=True, cancel_futures=True)
            for fut in submitted:
                if fut.done() and not fut.cancelled() and fut.exception() is None:
                    manifest.record(fut.result())
            raise
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


def _failed(file: Path, options: Options, why: str) -> Row:
    return Row(str(file), file.stem, options.kind, Outcome.failed, error=why)


def _shared_outputs(rows: list[Row], manifest: Manifest) -> list[Row]:
    """Two case files with the same case_id make the same document: neither is kept."""
    by_output: dict[str, list[int]] = {}
    for i, r in enumerate(rows):
        if r.output:
            by_output.setdefault(r.output, []).append(i)
    for output, idx in by_output.items():
        if len(idx) < 2:
            continue
        files = ", ".join(rows[i].file for i in idx)
        with contextlib.suppress(FileNotFoundError):
            Path(output).unlink()
        manifest.forget(Path(output).name)
        for i in idx:
            rows[i] = replace(
                rows[i],
                outcome=Outcome.error,
                output=None,
                error=f"case_id {rows[i].case!r} is in several case files ({files}): "
                "give each case its own case_id",
            )
    return rows


def batch(
    cases: Iterable[str | Path],
    *,
    outdir: str | Path = ".",
    kind: str = "packet",
    format: str = "pdf",
    jobs: int | None = None,
    draft: bool = False,
    force: bool = False,
    profile: str | Path | None = None,
    criteria: Iterable[str | Path] = (),
    templates: str | Path | None = None,
    as_of: dt.date | None = None,
    late: bool = False,
    strict: bool = False,
    summary: str | Path | None = None,
    on_row: Callable[[Row], None] | None = None,
    on_start: Callable[[int], None] | None = None,
) -> list[Row]:
    """Check every case and write a document for each ready one, and a draft for each case with
    gaps when ``draft``; one row per case, in the order given, whatever goes wrong with a case.

    ``cases`` are case files and folders of them. Documents go to ``outdir`` as
    ``<case_id>-<kind>.<format>`` (appeals: ``<case_id>-appeal-level<N>.<format>``), each written
    atomically; a document whose inputs are unchanged since the batch last wrote it is not made
    again unless ``force``. Appeals read ``<case>.denial.yaml`` beside each case and are dated
    ``as_of`` (default today); past the filing deadline they are errors unless ``late``.
    ``strict`` makes a case's warnings (a drug pa-docs does not know) errors of that case. ``jobs``
    worker processes (default: one per core; 1 runs in this process). ``summary`` names a
    ``.csv``, ``.html`` or ``.json`` file to write the rows to. ``on_start`` is told the number
    of cases, ``on_row`` each row as it is done (in the order they finish).

    Raises :class:`~pa_docs.errors.InputError` for what is wrong for every case alike (an unknown
    kind or format, a missing templates folder, a broken profile, no case found).
    """
    options = Options(
        outdir=Path(outdir),
        kind=kind,
        format=format,
        draft=draft,
        force=force,
        profile=Path(profile) if profile is not None else None,
        criteria=tuple(map(Path, criteria)),
        templates=Path(templates) if templates is not None else None,
        as_of=as_of,
        late=late,
        strict=strict,
    )
    _options(options)
    if summary is not None:
        check_summary_path(Path(summary))
    given = [cases] if isinstance(cases, str | Path) else list(cases)
    files = find_cases(given, kind)
    if not files:
        named = ", ".join(map(str, given)) or "nothing given"
        raise InputError(f"no case files found ({named})")
    options.outdir.mkdir(parents=True, exist_ok=True)
    manifest = Manifest(options.outdir)
    jobs = max(1, min(jobs or default_jobs(), len(files)))
    if on_start is not None:
        on_start(len(files))
    rows: list[Row | None] = [None] * len(files)
    results = (
        _in_process(files, options, manifest)
        if jobs == 1
        else _pooled(files, options, manifest, jobs)
    )
    saved = time.monotonic()
    try:
        for i, row in results:
            rows[i] = row  # the generators record it in the manifest before they yield it
            if on_row is not None:
                on_row(row)
            if time.monotonic() - saved > _SAVE_EVERY:
                manifest.save()
                saved = time.monotonic()
    finally:
        results.close()  # on an interrupt: the pool lets running cases finish, then stops
        manifest.save()
    done = _shared_outputs([r for r in rows if r is not None], manifest)
    manifest.save()
    if summary is not None:
        write_summary(done, Path(summary))
    return done
