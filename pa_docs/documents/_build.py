"""Build documents from a checked case: the packet and the letter of medical necessity.

Appeal letters and the peer-to-peer sheet use the same path (:func:`build`) with their own
template and extra context.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..case import Case
from ..case._fill import with_markers
from ..check import CaseStatus, CheckResult
from ..errors import Hint, NotReadyError
from ..notices import ToFill, marker
from ..policy import Policy
from ._attachments import read_attachment
from ._blocks import mark_placeholders, parse
from ._context import input_hash, template_context
from ._document import Document, Enclosure
from ._profile import Profile, Signer, default_profile
from ._templates import markup_env, render_template, template_dirs

TITLES = {
    "packet": "Prior authorization request",
    "letter": "Letter of medical necessity",
}


def enclosures(case: Case, case_path: str | Path | None) -> list[Enclosure]:
    """The PDF attachments the case lists, read from the case file's folder (or folders under
    it) and cleaned of active content (see ``_attachments``)."""
    base = Path(case_path).resolve().parent if case_path else Path.cwd()
    out = []
    for i, a in enumerate(case.attachment_list):
        file = str(case_path) if case_path else None
        p, data = read_attachment(base, a.path, file=file, field=f"attachments[{i}]")
        out.append(Enclosure(p, a.title or p.stem.replace("-", " ").replace("_", " "), data))
    return out


def _to_fill_lines(to_fill: Sequence[ToFill]) -> list[str]:
    return [
        f"{f.path}{f' (line {f.line})' if f.line else ''}: still FILL-IN ({f.what})"
        for f in to_fill
    ]


def refuse_unless_ready(result: CheckResult, draft: bool, what: str) -> None:
    if result.status is not CaseStatus.ready and not draft:
        raise NotReadyError(
            f"Case {result.case_id} is not ready for {what} (status {result.status.value})",
            [f"{v.id} ({v.status.value}): {v.action or v.reason}" for v in result.gaps]
            + _to_fill_lines(result.to_fill),
            hint=Hint("draft", "fill these gaps, or pass {} for a marked draft:"),
        )


def refuse_placeholders(case: Case, draft: bool, what: str) -> None:
    """No document leaves with a ``FILL-IN`` in it: refused (nothing written) unless a draft."""
    if case.to_fill and not draft:
        n = len(case.to_fill)
        raise NotReadyError(
            f"Case {case.case_id} holds {n} placeholder{'s' if n != 1 else ''} still to fill, "
            f"so no {what} was written",
            _to_fill_lines(case.to_fill),
            hint=Hint(
                "draft", f"fill {'them' if n != 1 else 'it'} in, or pass {{}} for a marked draft:"
            ),
        )


def build(
    kind: str,
    case: Case,
    policy: Policy,
    result: CheckResult,
    *,
    template: str,
    title: str,
    profile: Profile | None = None,
    draft: bool = False,
    templates: Path | None = None,
    case_path: str | Path | None = None,
    extra: dict[str, Any] | None = None,
    hash_parts: tuple[Any, ...] = (),
    pdf_attachments: bool = False,
    signer: Signer | None = None,
    fax: bool = False,
    allow_to_fill: bool | None = None,
) -> Document:
    """Render ``template`` to blocks with the case's context; the common path of every document.

    A case with ``FILL-IN`` placeholders is refused unless ``allow_to_fill`` (by default: a
    draft)."""
    refuse_placeholders(case, draft if allow_to_fill is None else allow_to_fill, title.lower())
    profile = profile or default_profile()
    encl = enclosures(case, case_path)
    h = hashlib.sha256()
    for e in encl:
        h.update(e.data)
    digest = input_hash(
        case,
        policy,
        profile.model_dump(exclude={"folder"}),
        kind,
        draft,
        h.hexdigest(),
        signer.model_dump() if signer else None,
        fax or profile.fax_output,
        *hash_parts,
    )
    names = [e.title for e in encl]
    if case.to_fill:  # a draft (refused above otherwise): each placeholder shows what it needs
        case = with_markers(case)
    ctx = template_context(
        case, policy, result, profile, draft=draft, digest=digest, enclosures=names, signer=signer
    )
    ctx.update(kind=kind, enclosures_pdf=names if pdf_attachments else [], **(extra or {}))
    blocks = parse(render_template(markup_env(templates), template, ctx))
    if case.to_fill:
        blocks = mark_placeholders(blocks)
    p = case.patient
    born = marker("birth date") if "birth_date" in p.pending else p.birth_date.isoformat()
    footer = (
        f"{p.name} · born {born} · member {p.member_id} · policy {policy.id}"
        f" ({policy.edition}) · inputs sha256:{digest}"
    )
    asset_dirs = template_dirs(templates) + ([profile.folder] if profile.folder else [])
    return Document(
        kind=kind,
        title=f"{title} — {p.name}",
        blocks=tuple(blocks),
        footer=footer,
        date=case.request_date,
        digest=digest,
        author=ctx["signer"]["name"],
        subject=f"{title}: {case.request.item} for {p.name} under {policy.id}",
        draft=draft,
        enclosures=tuple(encl) if pdf_attachments else (),
        templates=templates,
        asset_dirs=tuple(asset_dirs),
        logo=ctx["practice"]["logo"],
        practice_name=ctx["practice"]["name"],
        reference_docx=profile.asset(profile.reference_docx),
        gaps=tuple(f"{v.id}: {v.reason}".replace("FILL-IN", "[to fill]") for v in result.gaps),
        fax=fax or profile.fax_output,
    )


def build_packet(
    case: Case,
    policy: Policy,
    result: CheckResult,
    *,
    profile: Profile | None = None,
    draft: bool = False,
    templates: Path | None = None,
    case_path: str | Path | None = None,
    format: str = "pdf",
    signer: Signer | None = None,
    fax: bool = False,
) -> Document:
    """The submission packet: cover, letter, crosswalk, evidence; PDF attachments appended."""
    refuse_unless_ready(result, draft, "a packet")
    return build(
        "packet",
        case,
        policy,
        result,
        template="packet.j2",
        title=TITLES["packet"],
        profile=profile,
        draft=draft,
        templates=templates,
        case_path=case_path,
        pdf_attachments=format == "pdf",
        signer=signer,
        fax=fax,
    )


def build_letter(
    case: Case,
    policy: Policy,
    result: CheckResult,
    *,
    profile: Profile | None = None,
    draft: bool = False,
    templates: Path | None = None,
    case_path: str | Path | None = None,
    signer: Signer | None = None,
    fax: bool = False,
) -> Document:
    """The letter of medical necessity alone."""
    refuse_unless_ready(result, draft, "a letter")
    return build(
        "letter",
        case,
        policy,
        result,
        template="letter.j2",
        title=TITLES["letter"],
        profile=profile,
        draft=draft,
        templates=templates,
        case_path=case_path,
        signer=signer,
        fax=fax,
    )
