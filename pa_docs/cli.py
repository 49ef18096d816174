"""The ``pa-docs`` command: parse arguments, call the library, map errors to exit codes.

Exit codes: 0 success (a case is ready), 1 the record does not support what was asked (gaps),
2 bad input, 3 an unexpected error (the contract is in ``pa_docs._console``). A command sets a
non-zero exit code with ``raise typer.Exit(code)``: click ignores the return value of a command.
Heavy modules (renderers, FHIR, the case log) are imported inside their commands.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import inspect
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer

from ._console import say
from ._options import CaseArg, CriteriaOpt, PolicyOpt
from .errors import InputError

app = typer.Typer(
    name="pa-docs",
    help="Prior-authorization documentation: check a case against the payer's policy, and write "
    "the packet, the letter of medical necessity and appeals.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
criteria_app = typer.Typer(help="List, show and validate payer policies.", no_args_is_help=True)
app.add_typer(criteria_app, name="criteria")


def _register_subcommands() -> None:
    """Commands whose modules live with their feature (each imports its heavy parts lazily)."""
    from ._batch._cli import batch_command
    from .appeal._cli import deadline_command
    from .fhir._cli import import_fhir_command
    from .fhir._export_cli import export_app, questionnaire_command
    from .log._cli import kpi_command, log_app
    from .web._cli import serve_command, users_app

    app.command("deadline")(deadline_command)
    app.command("import-fhir")(import_fhir_command)
    app.add_typer(export_app, name="export")
    criteria_app.command("questionnaire")(questionnaire_command)
    app.add_typer(log_app, name="log")
    app.command("kpi")(kpi_command)
    app.command("batch")(batch_command)
    app.command("serve")(serve_command)
    app.add_typer(users_app, name="users")
    from .authoring._cli import register

    register(criteria_app, app)


StrictOpt = Annotated[
    bool,
    typer.Option(
        "--strict",
        help="Treat warnings (a drug, encounter type or finding pa-docs does not know) as input "
        "errors (exit 2).",
    ),
]


def _load_case(path: Path, strict: bool) -> Any:
    """Load a case; print each warning on stderr (one line each), or refuse them if strict."""
    from .case import load_case

    case = load_case(path, strict=strict)
    for w in case.warnings:
        say(str(w))
    return case


def _out() -> Any:
    from rich.console import Console

    return Console(highlight=False, soft_wrap=False, markup=False, emoji=False)


def _policy_for(
    case: Any, policy: str | None, criteria: list[Path] | None, source: Path | None = None
) -> Any:
    from .policy import load_policies, select_policy

    return select_policy(case, load_policies(criteria or ()), policy, source=source)


@app.command()
def check(
    case: CaseArg,
    policy: PolicyOpt = None,
    criteria: CriteriaOpt = None,
    format: Annotated[
        str, typer.Option("--format", help="table (for people) or json (for tools).")
    ] = "table",
    strict: StrictOpt = False,
    profile: Annotated[
        Path | None,
        typer.Option(
            "--profile",
            help="Practice profile (YAML): its time_of_need_days reads a policy's 'time of need'.",
        ),
    ] = None,
) -> None:
    """Check a case against its payer's policy, criterion by criterion.

    Exit 0 when the case is ready, 1 when it has gaps, a criterion is not met or a FILL-IN
    placeholder remains, 2 on bad input.
    """
    from .check import CaseStatus, check_case

    if format not in {"table", "json"}:
        raise InputError(f"--format must be table or json, got {format!r}")
    c = _load_case(case, strict)
    days = 30
    if profile is not None:  # only then: the profile loader brings the templates' imports
        from .documents import load_profile

        days = _time_of_need(load_profile(profile))
    result = check_case(c, _policy_for(c, policy, criteria, case), time_of_need_days=days)
    for w in result.warnings:
        if w not in c.warnings:  # the case's own were printed as it was read
            sys.stderr.write(f"warning: {w}\n")
    if format == "json":
        import json

        sys.stdout.write(json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n")
    else:
        from ._table import verdict_table

        verdict_table(_out(), result)
    # click ignores a command's return value: the exit code must travel as typer.Exit
    raise typer.Exit(0 if result.status is CaseStatus.ready else 1)


FormatOpt = Annotated[str, typer.Option("--format", help="pdf, docx or html.")]
OutOpt = Annotated[
    Path | None,
    typer.Option("-o", "--output", help="Output file; <case_id>-<kind>.<format> by default."),
]
ProfileOpt = Annotated[
    Path | None, typer.Option("--profile", help="Practice profile (YAML): letterhead and signer.")
]
TemplatesOpt = Annotated[
    Path | None,
    typer.Option(
        "--templates", help="Folder of templates overriding the shipped ones, file by file."
    ),
]
SignerOpt = Annotated[
    str | None,
    typer.Option(
        "--signer",
        help="Who signs, as 'Name, credentials, NPI' (default: the case's prescriber, or the "
        "profile's signer when it has the prescriber's NPI).",
    ),
]
FaxOpt = Annotated[
    bool,
    typer.Option(
        "--fax", help="Render for fax: black on white, no tinted fills, nothing below 9 pt."
    ),
]
DraftOpt = Annotated[
    bool,
    typer.Option(
        "--draft",
        help="Render a case with gaps or FILL-IN placeholders, marked DRAFT, gaps on page one.",
    ),
]


@dataclass(frozen=True)
class DocumentOptions:
    """The arguments and options every document command takes (packet, letter, appeal, p2p),
    declared once in ``_SHARED`` and handed to each command as one value."""

    case: Path
    policy: str | None
    criteria: list[Path] | None
    format: str
    output: Path | None
    profile: Path | None
    templates: Path | None
    strict: bool
    signer: str | None
    fax: bool


# name, its typer annotation, its default (none for the case file): in the order --help shows
_SHARED: list[tuple[str, Any, Any]] = [
    ("policy", PolicyOpt, None),
    ("criteria", CriteriaOpt, None),
    ("format", FormatOpt, "pdf"),
    ("output", OutOpt, None),
    ("profile", ProfileOpt, None),
    ("templates", TemplatesOpt, None),
    ("strict", StrictOpt, False),
    ("signer", SignerOpt, None),
    ("fax", FaxOpt, False),
]


def document_command(func: Callable[..., None]) -> Callable[..., None]:
    """``func(opts: DocumentOptions, **own)`` as a command taking the case file, then its own
    options (``own``), then the shared ones, which reach it gathered in ``opts``."""
    kw = inspect.Parameter.KEYWORD_ONLY
    own = list(inspect.signature(func, eval_str=True).parameters.values())[1:]
    params = [
        inspect.Parameter("case", kw, annotation=CaseArg),
        *(p.replace(kind=kw) for p in own),
        *(inspect.Parameter(name, kw, annotation=ann, default=d) for name, ann, d in _SHARED),
    ]

    @functools.wraps(func)
    def command(**values: Any) -> None:
        shared = {f.name: values.pop(f.name) for f in dataclasses.fields(DocumentOptions)}
        func(DocumentOptions(**shared), **values)

    command.__signature__ = inspect.Signature(params, return_annotation=None)  # type: ignore[attr-defined]
    command.__annotations__ = {p.name: p.annotation for p in params}
    return command


def _signer(text: str | None) -> Any:
    from .documents import parse_signer

    return parse_signer(text) if text else None


def _render_options(o: DocumentOptions, *inputs: Path) -> Any:
    """Check the options every document command shares (``-o`` a file pa-docs may replace, none
    of the case, the profile and ``inputs``); the practice profile, if one is named."""
    from .documents import load_profile
    from .render import check_format, check_target

    check_format(o.format)
    if o.output is not None:
        check_target(o.output, [i for i in (o.case, o.profile, *inputs) if i is not None])
    if o.templates is not None and not o.templates.is_dir():
        raise InputError("templates folder not found", file=o.templates)
    return load_profile(o.profile) if o.profile else None


def _sources(o: DocumentOptions, prof: Any, case: Any, *more: Path) -> tuple[Path, ...]:
    """Every file a document is made from, none of which ``-o`` may replace: the case and its
    attachments, the practice profile and its logo and reference DOCX, the user's templates,
    and ``more`` (the denial)."""
    found = [o.case, *more, *(o.case.parent / a.path for a in case.attachment_list)]
    if o.profile is not None:
        found.append(o.profile)
    if prof is not None:
        found += [p for p in (prof.asset(prof.logo), prof.asset(prof.reference_docx)) if p]
    if o.templates is not None:
        found += [p for p in o.templates.rglob("*") if p.is_file()]
    return tuple(found)


def _document(kind: str, o: DocumentOptions, draft: bool) -> None:
    from .check import check_case
    from .documents import build_letter, build_packet
    from .render import write

    prof = _render_options(o)
    who = _signer(o.signer)
    c = _load_case(o.case, o.strict)
    pol = _policy_for(c, o.policy, o.criteria)
    result = check_case(c, pol, time_of_need_days=_time_of_need(prof))
    common = {"profile": prof, "draft": draft, "templates": o.templates, "case_path": o.case}
    if kind == "packet":
        doc = build_packet(c, pol, result, **common, format=o.format, signer=who, fax=o.fax)
    else:
        doc = build_letter(c, pol, result, **common, signer=who, fax=o.fax)
    out = o.output or Path(f"{c.case_id}-{kind}.{o.format}")
    target = write(doc, o.format, out, inputs=_sources(o, prof, c))
    say(f"wrote {target} ({'DRAFT, ' if draft else ''}policy {pol.id})")


@app.command()
@document_command
def packet(o: DocumentOptions, draft: DraftOpt = False) -> None:
    """Write the submission packet: cover, letter, criteria crosswalk, evidence, attachments.

    A case that is not ready (gaps, or FILL-IN placeholders) is refused (exit 1), unless --draft.
    """
    _document("packet", o, draft)


@app.command()
@document_command
def letter(o: DocumentOptions, draft: DraftOpt = False) -> None:
    """Write the letter of medical necessity alone (same options as packet)."""
    _document("letter", o, draft)


DenialOpt = Annotated[
    Path, typer.Option("--denial", help="The payer's denial (YAML).", show_default=False)
]
AsOfOpt = Annotated[
    str | None,
    typer.Option(
        "--as-of", help="The letter's date, and the day lateness is judged (default today)."
    ),
]
LateOpt = Annotated[
    bool, typer.Option("--late", help="File past the deadline, asking for good cause.")
]


def _time_of_need(profile: Any) -> int:
    """The practice's time-of-need convention: its profile's, else the default 30 days."""
    return int(profile.time_of_need_days) if profile is not None else 30


def _plan(
    o: DocumentOptions,
    denial: Path,
    as_of: str | None,
    *,
    late: bool,
    draft: bool,
    time_of_need_days: int = 30,
) -> Any:
    from .appeal import load_denial, plan_appeal
    from .appeal._cli import _date

    c = _load_case(o.case, o.strict)
    d = load_denial(denial, c.case_id)
    plan = plan_appeal(
        c,
        _policy_for(c, o.policy, o.criteria),
        d,
        _date(as_of),
        late=late,
        draft=draft,
        denial_file=denial,
        time_of_need_days=time_of_need_days,
    )
    dl = plan.deadline
    when = f"{dl.deadline}" + (f" (file by {dl.file_by})" if dl.file_by != dl.deadline else "")
    left = (
        f"past it by {-plan.days_left} days on {plan.as_of}"
        if plan.late
        else f"{plan.days_left} days left on {plan.as_of}"
    )
    say(f"level {dl.level} {dl.level_name} ({dl.program_name}): last day to file {when}, {left}")
    for r in plan.reasons:
        if r.how != "stated":
            ids = ", ".join(c.id for c in r.criteria)
            say(f"reason {r.index}: {r.how} ({r.note}) -> {ids}")
    return plan


@app.command()
@document_command
def appeal(
    o: DocumentOptions,
    denial: DenialOpt,
    as_of: AsOfOpt = None,
    draft: DraftOpt = False,
    late: LateOpt = False,
) -> None:
    """Write the appeal letter: each denial reason quoted and answered with the payer's criterion
    and dated evidence. Refused (exit 1) when the record does not support an answer, unless
    --draft; past the deadline is an error unless --late."""
    from .documents import build_appeal
    from .render import write

    prof = _render_options(o, denial)
    plan = _plan(o, denial, as_of, late=late, draft=draft, time_of_need_days=_time_of_need(prof))
    doc = build_appeal(
        plan, profile=prof, templates=o.templates, case_path=o.case, signer=_signer(o.signer),
        fax=o.fax,
    )  # fmt: skip
    name = f"{plan.case.case_id}-appeal-level{plan.level}.{o.format}"
    sources = _sources(o, prof, plan.case, denial)
    target = write(doc, o.format, o.output or Path(name), inputs=sources)
    say(f"wrote {target}{' (DRAFT)' if draft else ''}")


@app.command()
@document_command
def p2p(
    o: DocumentOptions,
    denial: DenialOpt,
    as_of: AsOfOpt = None,
    draft: Annotated[
        bool,
        typer.Option("--draft", help="Write the sheet even with FILL-IN placeholders, marked."),
    ] = False,
) -> None:
    """Write a one-page peer-to-peer preparation sheet: case summary, reasons with the strongest
    evidence, anticipated objections with answers, our ask, and the weak points of the record.
    Refused (exit 2) where the level decides on paper (QIC, external review). A case with FILL-IN
    placeholders is refused (exit 1) unless --draft."""
    from .documents import build_p2p
    from .render import write

    prof = _render_options(o, denial)
    plan = _plan(o, denial, as_of, late=True, draft=True, time_of_need_days=_time_of_need(prof))
    doc = build_p2p(
        plan, profile=prof, templates=o.templates, case_path=o.case, draft=draft,
        signer=_signer(o.signer), fax=o.fax,
    )  # fmt: skip
    out = o.output or Path(f"{plan.case.case_id}-p2p.{o.format}")
    target = write(doc, o.format, out, inputs=_sources(o, prof, plan.case, denial))
    say(f"wrote {target}")


@criteria_app.command("list")
def criteria_list(criteria: CriteriaOpt = None) -> None:
    """List the policies (shipped ones and those in --criteria folders) with their version and the
    date each was last compared with the payer's text."""
    from rich import box
    from rich.table import Table

    from .policy import load_policies

    policies = load_policies(criteria or ()).values()
    # the id in full (what a user types), the payer beneath it, cut short if it must be
    t = Table(box=box.SIMPLE_HEAD, show_lines=True, pad_edge=False)
    width = max((len(p.id) for p in policies), default=6)
    t.add_column("policy / payer", no_wrap=True, min_width=width, max_width=width)
    for col in ("number", "version", "reviewed", "requests"):
        t.add_column(col, no_wrap=True)
    for p in policies:
        t.add_row(
            f"{p.id}\n{p.payer}", p.number or "-", p.version or "-", p.last_reviewed.isoformat(),
            "\n".join(p.request_types),
        )  # fmt: skip
    _out().print(t)


@criteria_app.command("show")
def criteria_show(
    policy_id: Annotated[str, typer.Argument(help="The policy id.")],
    criteria: CriteriaOpt = None,
) -> None:
    """Show one policy: its source, and each criterion with the payer's wording and citation."""
    from .errors import PolicyError
    from .policy import load_policies

    policies = load_policies(criteria or ())
    if policy_id not in policies:
        raise PolicyError(f"unknown policy {policy_id!r}; known: {', '.join(sorted(policies))}")
    from ._table import policy_view

    policy_view(_out(), policies[policy_id])


@criteria_app.command("validate")
def criteria_validate(
    folder: Annotated[
        Path | None, typer.Argument(help="Folder of policy files; the shipped ones by default.")
    ] = None,
) -> None:
    """Validate policy files; print every problem as file:line: message. Exit 2 if any."""
    from .policy import validate_folder

    count, problems = validate_folder(folder)
    for p in problems:
        say(str(p))
    if problems:
        say(f"{len(problems)} problem(s) in {count} file(s)")
        raise typer.Exit(2)
    sys.stdout.write(f"{count} policies valid\n")


_register_subcommands()


def _only(name: str) -> typer.Typer | None:
    """A copy of ``app`` holding only its command (or group) ``name``; None when it has none.

    Click builds every command's options from its signature before it runs one, and for the
    whole app that takes longer than checking a case: a cold start builds only what it runs."""
    for info in app.registered_commands:
        callback = info.callback
        called = info.name or (callback and typer.main.get_command_name(callback.__name__))
        if called == name:
            one = copy.copy(app)
            one.registered_commands, one.registered_groups = [info], []
            one.callback()(_group)  # stays a group: `pa-docs NAME ...` parses as before
            return one
    for group in app.registered_groups:
        if group.name == name:
            one = copy.copy(app)
            one.registered_commands, one.registered_groups = [], [group]
            return one
    return None


VerboseOpt = Annotated[
    int,
    typer.Option(
        "-v",
        "--verbose",
        count=True,
        show_default=False,
        help="Show what pa-docs and WeasyPrint do (-v), and their debugging detail (-vv).",
    ),
]
QuietOpt = Annotated[bool, typer.Option("-q", "--quiet", help="Show errors only, not warnings.")]
FLAGS = {
    "as_of": "--as-of",
    "auth_number": "--auth-number",
    "db": "--db",
    "denial": "--denial",
    "draft": "--draft",
    "format": "--format",
    "kind": "--kind",
    "late": "--late",
    "level": "--level",
    "method": "--method",
    "overwrite": "--force",
    "path": "--output",
    "patient": "--patient",
    "policy_id": "--policy",
    "role": "--role",
    "signer": "--signer",
    "summary": "--summary",
    "valid_through": "--valid-through",
}
"""The option that sets each library parameter an error names (``pa_docs.errors.Hint``)."""
GLOBAL_FLAGS = frozenset({"-v", "-vv", "-vvv", "--verbose", "-q", "--quiet"})


def _group(verbose: VerboseOpt = 0, quiet: QuietOpt = False) -> None:
    """The options of every command: how much of pa-docs' and WeasyPrint's logging shows."""
    from ._console import set_log_level, verbosity

    set_log_level(verbosity(verbose, quiet))


app.callback()(_group)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code (the contract is in ``pa_docs._console``)."""
    from ._console import logging_to_stderr, run

    args = sys.argv[1:] if argv is None else argv
    name = next((a for a in args if a not in GLOBAL_FLAGS), None)
    runs = (_only(name) if name and not name.startswith("-") else None) or app
    with logging_to_stderr():
        return run(lambda: runs(args=args, prog_name="pa-docs", standalone_mode=True), FLAGS)
