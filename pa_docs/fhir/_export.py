"""Standards out: a checked case as a Da Vinci PAS request bundle or a DTR QuestionnaireResponse,
and a policy as a DTR Questionnaire; each validated with ``fhir.resources`` and returned as JSON
bytes (deterministic: the same inputs give the same bytes).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..case import Case
from ..check import CheckResult
from ..policy import Policy
from ._out import dumps, validate


def questionnaire(policy: Policy) -> dict[str, Any]:
    """The policy as a FHIR R4 Questionnaire (Da Vinci DTR standard questionnaire), validated."""
    from ._questionnaire import build_questionnaire

    q = build_questionnaire(policy)
    validate([q])
    return q


def dtr_response(case: Case, policy: Policy, result: CheckResult) -> dict[str, Any]:
    """The DTR QuestionnaireResponse answering the policy's Questionnaire from the checked case,
    validated. A case with gaps gives an ``in-progress`` response (its gaps unanswered)."""
    from ._export_dtr import build_response

    qr = build_response(case, policy, result)
    validate([qr])
    return qr


def pas_bundle(
    case: Case,
    policy: Policy,
    result: CheckResult,
    *,
    draft: bool = False,
    packet: bytes | None = None,
    case_path: str | Path | None = None,
) -> dict[str, Any]:
    """The Da Vinci PAS request Bundle of the checked case, validated.

    A case that is not ready is refused (``NotReadyError``) unless ``draft``, as for the packet.
    ``packet`` is the packet PDF to attach; by default the packet is built and rendered here
    (``case_path`` locates the case's attachments)."""
    from ..documents import refuse_unless_ready
    from ._export_pas import build_bundle

    refuse_unless_ready(result, draft, "a PAS request")
    if packet is None:
        from ..documents import build_packet
        from ..render import render_document as render

        doc = build_packet(case, policy, result, draft=draft, case_path=case_path)
        packet = render(doc, "pdf")
    return build_bundle(case, policy, result, packet)


def to_json(resource: dict[str, Any]) -> bytes:
    """A resource as the JSON pa-docs writes: two-space indent, UTF-8, a final newline."""
    return dumps(resource)
