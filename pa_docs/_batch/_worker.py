"""One worker of a batch: what it loads once, and the work on one case (check, build, render,
write). A worker is the batch's own process with ``--jobs 1``, else one process of the pool."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import re
import signal
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

from .. import _yaml
from ..errors import CaseError, InputError, NotReadyError
from ._model import APPEAL_KINDS, DENIAL_SUFFIX, Options, Outcome, Row

log = logging.getLogger("pa_docs.batch")

# What a file name may be made of: the case id becomes one (``<case_id>-<kind>.<ext>``).
_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,150}")


@dataclass(frozen=True)
class Entry:
    """What the batch manifest remembers of a document it wrote."""

    key: str  # the inputs key it was made from
    sha256: str  # of its bytes, to tell when it was replaced or edited since


def denial_for(case_file: Path) -> Path:
    """The denial an appeal reads: ``<case>.denial.yaml`` beside ``<case>.yaml``."""
    return case_file.with_name(case_file.stem + DENIAL_SUFFIX)


def _at(path: str | None, line: int | None) -> str:
    """Where in the case a placeholder or warning is: ``labs[0].value (line 12)``."""
    return f"{path or 'case'}{f' (line {line})' if line else ''}"


def _sha256_file(path: Path) -> str | None:
    try:
        with path.open("rb") as fh:
            return hashlib.file_digest(fh, "sha256").hexdigest()
    except OSError:
        return None


def _versions() -> str:
    from importlib.metadata import PackageNotFoundError, version

    out = []
    for dist in ("pa-docs", "weasyprint", "pydyf", "python-docx", "pypdf", "jinja2"):
        try:
            out.append(f"{dist}={version(dist)}")
        except PackageNotFoundError:
            out.append(f"{dist}=?")
    return ";".join(out)


class _NotACase(Exception):
    """A YAML file in a case folder that is no case at all (a practice profile, say)."""


class Worker:
    """A worker's warm state: the policies, the practice profile, the template environments
    and, for PDF, WeasyPrint with its fonts and the parsed stylesheet, loaded once."""

    def __init__(self, options: Options, manifest: dict[str, Entry]) -> None:
        from ..documents import load_profile
        from ..policy import load_policies

        self.options = options
        self.manifest = manifest
        self.policies = load_policies(options.criteria)
        self.profile = load_profile(options.profile) if options.profile else None
        self.as_of = options.as_of or dt.date.today()
        self.fingerprint = self._fingerprint()

    def _fingerprint(self) -> str:
        """What a document's bytes depend on beyond its inputs hash: the format, the templates
        (the files of the shipped and the user's folders, where templates and the stylesheet
        are looked up), the profile's logo and reference DOCX, the renderers' versions."""
        from ..documents._templates import template_dirs

        h = hashlib.sha256(f"{self.options.format}\0{_versions()}".encode())
        for d in template_dirs(self.options.templates):
            for f in sorted(p for p in d.iterdir() if p.is_file()):
                h.update(f"\0{f.name}\0".encode())
                h.update(f.read_bytes())
        if self.profile is not None:
            for name in (self.profile.logo, self.profile.reference_docx):
                asset = self.profile.asset(name)
                if asset is not None:
                    h.update(asset.read_bytes())
        return h.hexdigest()

    def warm(self) -> None:
        """Read now what every case needs: each policy, and the templates compiled. WeasyPrint,
        its fonts and the parsed stylesheet load with the first document to render and stay
        (``render._pdf`` keeps them per process), so a rerun with nothing to do never loads them."""
        from ..documents._templates import html_env, markup_env

        for pid in self.policies:
            with contextlib.suppress(InputError):  # reported with a case it is selected for
                self.policies[pid]
        templates = {"packet": "packet.j2", "letter": "letter.j2"}
        name = templates.get(self.options.kind, f"{self.options.kind}.j2")
        markup_env(self.options.templates).get_template(name)
        html_env(self.options.templates).get_template("document.html.j2")

    def run(self, case_file: Path) -> Row:
        """Check one case and write its document; never raises for a bad case."""
        facts: dict[str, Any] = {
            "file": str(case_file),
            "case": case_file.stem,
            "kind": self.options.kind,
        }
        try:
            return self._run(case_file, facts)
        except _NotACase as exc:
            return Row(**facts, outcome=Outcome.skipped, error=str(exc))
        except NotReadyError as exc:
            return Row(**{**facts, "gaps": tuple(exc.gaps)}, outcome=Outcome.refused)
        except InputError as exc:
            return Row(**facts, outcome=Outcome.error, error=str(exc))
        except Exception as exc:  # pa-docs failed on this case: report it, go on with the rest
            log.exception("batch: %s failed", case_file)
            return Row(**facts, outcome=Outcome.failed, error=f"{type(exc).__name__}: {exc}")

    def _load(self, case_file: Path) -> Any:
        from ..case import load_case

        try:
            return load_case(case_file, strict=self.options.strict)
        except CaseError:
            data = _yaml.load(case_file, CaseError).data
            if not {"case_id", "patient", "request"} & set(data):
                raise _NotACase("not a case (no case_id, patient or request): skipped") from None
            raise

    def _run(self, case_file: Path, facts: dict[str, Any]) -> Row:
        from ..check import CaseStatus, check_case
        from ..policy import select_policy

        o = self.options
        case = self._load(case_file)
        facts["case"] = case.case_id
        facts["to_fill"] = tuple(f"{_at(f.path, f.line)}: {f.what}" for f in case.to_fill)
        facts["warnings"] = tuple(f"{_at(w.path, w.line)}: {w.text}" for w in case.warnings)
        policy = select_policy(case, self.policies, None, source=case_file)
        facts["policy"] = policy.id
        if o.kind in APPEAL_KINDS:
            return self._appeal(case_file, case, policy, facts)
        days = self.profile.time_of_need_days if self.profile else 30
        result = check_case(case, policy, time_of_need_days=days)
        facts["status"] = result.status.value
        facts["gaps"] = tuple(
            f"{v.id} ({v.status.value}): {v.action or v.reason}" for v in result.gaps
        )
        ready = result.status is CaseStatus.ready
        if not ready and not o.draft:
            return Row(**facts, outcome=Outcome.refused)
        from ..documents import build_letter, build_packet

        common: dict[str, Any] = {
            "profile": self.profile,
            "draft": not ready,
            "templates": o.templates,
            "case_path": case_file,
        }
        if o.kind == "packet":
            doc = build_packet(case, policy, result, format=o.format, **common)
        else:
            doc = build_letter(case, policy, result, **common)
        facts["draft"] = not ready
        return self._write(doc, self._name(case.case_id, o.kind), facts)

    def _appeal(self, case_file: Path, case: Any, policy: Any, facts: dict[str, Any]) -> Row:
        from ..appeal import load_denial, plan_appeal
        from ..documents import build_appeal, build_p2p

        o = self.options
        denial_file = denial_for(case_file)
        if not denial_file.is_file():
            raise InputError(
                f"no denial beside the case: {denial_file.name} expected", file=case_file
            )
        denial = load_denial(denial_file, case.case_id)
        common: dict[str, Any] = {"denial_file": denial_file, "late": o.late}
        if o.kind == "p2p":
            common["late"] = True  # a p2p sheet is an internal working paper: never refused
            plan = plan_appeal(case, policy, denial, self.as_of, draft=True, **common)
            facts["status"] = plan.check.status.value
            doc = build_p2p(plan, profile=self.profile, templates=o.templates, case_path=case_file)
            return self._write(doc, self._name(case.case_id, "p2p"), facts)
        try:
            plan = plan_appeal(case, policy, denial, self.as_of, **common)
        except NotReadyError as exc:
            if not o.draft:
                raise
            facts["gaps"] = tuple(exc.gaps)
            plan = plan_appeal(case, policy, denial, self.as_of, draft=True, **common)
        facts["status"] = plan.check.status.value
        facts["draft"] = plan.draft
        doc = build_appeal(plan, profile=self.profile, templates=o.templates, case_path=case_file)
        return self._write(doc, self._name(case.case_id, f"appeal-level{plan.level}"), facts)

    def _name(self, case_id: str, kind: str) -> str:
        if not _SAFE_NAME.fullmatch(case_id):
            raise CaseError(
                "cannot name a file: a case_id of letters, digits, '.', '_' and '-' expected "
                f"(got {case_id!r})",
                field="case_id",
            )
        return f"{case_id}-{kind}.{self.options.format}"

    def _write(self, doc: Any, name: str, facts: dict[str, Any]) -> Row:
        """Render and write the document, unless the one already there has the same key."""
        from ..render import render_document, write_atomic

        key = hashlib.sha256(f"{doc.digest}\0{self.fingerprint}".encode()).hexdigest()
        out = self.options.outdir / name
        known = self.manifest.get(name)
        if not self.options.force and known is not None and known.key == key:
            sha = _sha256_file(out)
            if sha == known.sha256:
                return Row(**facts, outcome=Outcome.unchanged, output=str(out), key=key, sha256=sha)
        data = render_document(doc, self.options.format)
        write_atomic(out, data, inputs=(facts["file"],))
        sha = hashlib.sha256(data).hexdigest()
        return Row(**facts, outcome=Outcome.written, output=str(out), key=key, sha256=sha)


# The pool's processes: one Worker each, made by the pool's initializer.
_WORKER: Worker | None = None


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)  # unwinds: a file being written is removed, not left half


def init_process(options: Options, manifest: dict[str, Entry]) -> None:
    """A pool process: Ctrl-C is the parent's to handle (it lets running cases finish); a
    SIGTERM ends the process through Python, so no half-written temp file stays behind."""
    global _WORKER
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _terminate)
    _WORKER = Worker(options, manifest)
    _WORKER.warm()


def run_in_process(case_file: Path) -> Row:
    assert _WORKER is not None, "init_process runs first"
    return _WORKER.run(case_file)
