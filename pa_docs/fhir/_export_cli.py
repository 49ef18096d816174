"""``pa-docs export pas|dtr`` and ``pa-docs criteria questionnaire``: parse the options, call the
export, write the JSON (atomically, mode 0600) or print it.

Registered by the main CLI (``export_app``, ``questionnaire_command``); nothing heavy (the
exporters, ``fhir.resources``, the renderers) is imported until a command runs.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from .._options import CaseArg, CriteriaOpt, PolicyOpt

export_app = typer.Typer(
    help="Hand a checked case to an EHR or clearinghouse as Da Vinci FHIR resources.",
    no_args_is_help=True,
)

OutOpt = Annotated[
    Path | None,
    typer.Option("-o", "--output", help="JSON file to write (default: print to stdout)."),
]
StrictOpt = Annotated[
    bool,
    typer.Option("--strict", help="Treat warnings about the case as input errors (exit 2)."),
]


def _checked(case_path: Path, policy: str | None, criteria: list[Path] | None, strict: bool) -> Any:
    from ..case import load_case
    from ..check import check_case
    from ..policy import load_policies, select_policy

    case = load_case(case_path, strict=strict)
    for w in case.warnings:
        sys.stderr.write(f"{w}\n")
    pol = select_policy(case, load_policies(criteria or ()), policy, source=case_path)
    return case, pol, check_case(case, pol)


def _emit(data: bytes, output: Path | None, inputs: tuple[Path, ...], what: str) -> None:
    from .._files import check_target, write_atomic

    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    check_target(output, inputs)
    write_atomic(output, data, inputs=inputs)
    sys.stderr.write(f"wrote {output} ({what})\n")


@export_app.command("pas")
def pas_command(
    case: CaseArg,
    policy: PolicyOpt = None,
    criteria: CriteriaOpt = None,
    output: OutOpt = None,
    draft: Annotated[
        bool,
        typer.Option("--draft", help="Export a case with gaps (its packet marked DRAFT)."),
    ] = False,
    strict: StrictOpt = False,
) -> None:
    """Write the Da Vinci PAS request Bundle: Claim, patient, coverage, prescriber, order,
    record, the DTR QuestionnaireResponse and the packet PDF.

    A case that is not ready (gaps, or FILL-IN placeholders) is refused (exit 1) unless --draft.
    """
    from ._export import pas_bundle, to_json

    if output is not None:
        from .._files import check_target

        check_target(output, (case,))
    c, pol, result = _checked(case, policy, criteria, strict)
    bundle = pas_bundle(c, pol, result, draft=draft, case_path=case)
    n = len(bundle["entry"])
    sources = (case, *(case.parent / a.path for a in c.attachment_list))  # never replaced by -o
    _emit(to_json(bundle), output, sources, f"PAS request bundle, {n} resources, policy {pol.id}")


@export_app.command("dtr")
def dtr_command(
    case: CaseArg,
    policy: PolicyOpt = None,
    criteria: CriteriaOpt = None,
    output: OutOpt = None,
    strict: StrictOpt = False,
) -> None:
    """Write the DTR QuestionnaireResponse: the policy's questions answered from the case, each
    answer tagged with its origin (auto-client from the EHR record, or manual) and its evidence.
    A case with gaps gives an in-progress response with its gaps unanswered."""
    from ._export import dtr_response, to_json

    if output is not None:
        from .._files import check_target

        check_target(output, (case,))
    c, pol, result = _checked(case, policy, criteria, strict)
    qr = dtr_response(c, pol, result)
    _emit(to_json(qr), output, (case,), f"DTR QuestionnaireResponse, {qr['status']}")


def questionnaire_command(
    policy_id: Annotated[str, typer.Argument(help="The policy id.", show_default=False)],
    criteria: CriteriaOpt = None,
    output: OutOpt = None,
) -> None:
    """Write a policy as a FHIR Questionnaire (Da Vinci DTR): an item per criterion with the
    payer's wording, its citation, and the questions its rule asks."""
    from ..errors import PolicyError
    from ..policy import load_policies
    from ._export import questionnaire, to_json

    policies = load_policies(criteria or ())
    if policy_id not in policies:
        raise PolicyError(f"unknown policy {policy_id!r}; known: {', '.join(sorted(policies))}")
    q = questionnaire(policies[policy_id])
    _emit(to_json(q), output, (), f"Questionnaire, {len(q['item'])} top-level items")
