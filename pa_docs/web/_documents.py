"""Documents from the workbench: the packet, the letter, the appeal letter and the P2P sheet, made
by the same library calls as the CLI's commands, in memory (nothing is written to the folder)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from ..case import Case
from ..check import CheckResult
from ..policy import Policy

if TYPE_CHECKING:
    from ..documents import Profile

KINDS = {
    "packet": "Submission packet",
    "letter": "Letter of medical necessity",
    "appeal": "Appeal letter",
    "p2p": "Peer-to-peer sheet",
}
FORMATS = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "html": "text/html; charset=utf-8",
}

_render_lock = threading.Lock()
"""WeasyPrint keeps fonts and a parsed stylesheet per process; one render at a time."""


@dataclasses.dataclass(frozen=True)
class Request:
    kind: str
    format: str
    draft: bool = False
    denial: Path | None = None
    as_of: dt.date | None = None
    late: bool = False

    @property
    def appeal(self) -> bool:
        return self.kind in {"appeal", "p2p"}


def file_name(case_id: str, req: Request, level: int | None = None) -> str:
    kind = f"appeal-level{level}" if req.kind == "appeal" and level else req.kind
    return f"{case_id}-{kind}{'-draft' if req.draft else ''}.{req.format}"


def generate(
    case: Case,
    policy: Policy,
    result: CheckResult,
    case_path: Path,
    req: Request,
    profile: Profile | None = None,
) -> tuple[bytes, str]:
    """The document's bytes and its download name; ``NotReadyError`` and ``InputError`` as from
    the CLI."""
    from ..documents import build_letter, build_packet
    from ..render import render_document

    level = None
    if req.kind == "packet":
        doc = build_packet(
            case,
            policy,
            result,
            profile=profile,
            draft=req.draft,
            case_path=case_path,
            format=req.format,
        )
    elif req.kind == "letter":
        doc = build_letter(
            case, policy, result, profile=profile, draft=req.draft, case_path=case_path
        )
    else:
        from ..appeal import load_denial, plan_appeal
        from ..documents import build_appeal, build_p2p
        from ..errors import InputError

        if req.denial is None:
            raise InputError("choose the denial to answer (record one first)", field="denial")
        denial = load_denial(req.denial, case.case_id)
        as_of = req.as_of or dt.date.today()
        if req.kind == "appeal":
            plan = plan_appeal(
                case,
                policy,
                denial,
                as_of,
                late=req.late,
                draft=req.draft,
                denial_file=req.denial,
            )
            doc = build_appeal(plan, profile=profile, case_path=case_path)
            level = plan.level
        else:
            plan = plan_appeal(
                case, policy, denial, as_of, late=True, draft=True, denial_file=req.denial
            )
            doc = build_p2p(plan, profile=profile, case_path=case_path)
    with _render_lock:
        data = render_document(doc, req.format)
    return data, file_name(case.case_id, req, level)
