"""The workbench application (Starlette): pages, forms, sign-in, CSRF, audit.

Every page needs a session (else a redirect to the sign-in page); every form carries the
session's CSRF token in a hidden ``csrf_token`` field (the sign-in form a token of its own, bound
to a cookie); every view and change of a case is written to the audit log. Blocking work (files,
database, rendering) runs in Starlette's thread pool.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hmac
import secrets
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import jinja2
from markupsafe import Markup
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .._dates import parse_date
from ..check import CheckResult, check_case
from ..errors import InputError, NotReadyError, PaDocsError, Problem
from ..log import CaseLog, CaseState, Event
from ..policy import Policy, load_policies, select_policy
from . import _accounts as accounts
from . import _documents as documents
from . import _edit as edit
from ._folder import CASE_ID, CaseFile, CaseFolder
from ._gaps import PLACEHOLDER, criterion_forms, fix_form
from ._worklist import STAGES, rows

COOKIE = "pa_docs_session"
LOGIN_COOKIE = "pa_docs_login"
MAX_UPLOAD = 20 * 1024 * 1024
MESSAGES = {
    "saved": "Saved. The check below is of the new version.",
    "added": "Added. The check below is of the new version.",
    "submitted": "Submission recorded.",
    "decision": "Decision recorded.",
    "appeal": "Appeal recorded.",
    "outcome": "Appeal outcome recorded.",
    "note": "Note added.",
    "owner": "Owner changed.",
    "denial": "Denial saved beside the case.",
    "created": "Case created.",
}


@dataclasses.dataclass(frozen=True)
class Settings:
    """Where the cases and the log are, and what documents are made with."""

    cases: Path
    db: str | None = None
    profile: Path | None = None
    criteria: tuple[Path, ...] = ()


@dataclasses.dataclass
class Analysis:
    """A case file checked: its policy and result, or why it could not be checked."""

    policy: Policy | None
    result: CheckResult | None
    error: str | None


class Workbench:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.log = CaseLog.open(settings.db, user="pa-docs serve")
        self.engine = self.log.engine
        self.folder = CaseFolder(settings.cases)
        self.policies = load_policies(settings.criteria)
        self.profile = None
        if settings.profile is not None:
            from ..documents import load_profile

            self.profile = load_profile(settings.profile)
        self.env = jinja2.Environment(
            loader=jinja2.PackageLoader("pa_docs.web", "templates"),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters["filled"] = _filled
        self._analyses: dict[tuple[str, str], Analysis] = {}
        self.throttle = accounts.Throttle()
        self._lock = threading.Lock()

    def caselog(self, user: str) -> CaseLog:
        return CaseLog(self.engine, user)

    def analyse(self, cf: CaseFile) -> Analysis:
        key = (str(cf.path), edit.version_of(cf.raw))
        with self._lock:
            found = self._analyses.get(key)
        if found is not None:
            return found
        if cf.case is None:
            a = Analysis(None, None, "the case file has problems (below)")
        else:
            try:
                policy = select_policy(cf.case, self.policies, source=cf.path)
                days = self.profile.time_of_need_days if self.profile else 30
                a = Analysis(policy, check_case(cf.case, policy, time_of_need_days=days), None)
            except InputError as err:
                a = Analysis(None, None, str(err))
        with self._lock:
            if len(self._analyses) > 2000:
                self._analyses.clear()
            self._analyses[key] = a
        return a

    def page(
        self, template: str, ctx: Ctx | None, status: int = 200, /, **values: Any
    ) -> HTMLResponse:
        values.setdefault("title", "")
        html = self.env.get_template(template).render(
            user=ctx.user if ctx else None,
            csrf=ctx.session.csrf if ctx else "",
            stages=STAGES,
            **values,
        )
        return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})


def _filled(value: Any) -> Markup | str:
    """A value as shown in a page; a ``FILL-IN`` placeholder marked as still to fill."""
    if value is None or value == PLACEHOLDER:
        return Markup('<mark class="to-fill">to fill</mark>')
    return str(value)


@dataclasses.dataclass
class Ctx:
    request: Request
    wb: Workbench
    session: accounts.Session
    form: FormData | None

    @property
    def user(self) -> accounts.User:
        return self.session.user

    @property
    def client(self) -> str | None:
        return self.request.client.host if self.request.client else None

    def audit(self, action: str, case_id: str | None = None, **detail: Any) -> None:
        accounts.record(self.wb.engine, self.user.name, action, case_id, self.client, **detail)

    def field(self, name: str) -> str:
        value = self.form.get(name) if self.form is not None else None
        return value if isinstance(value, str) else ""


Handler = Callable[..., Response]


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def _set_cookie(response: Response, request: Request, name: str, value: str, **kw: Any) -> None:
    response.set_cookie(
        name, value, httponly=True, samesite="strict", secure=_secure(request), path="/", **kw
    )


def _forbidden(wb: Workbench, ctx: Ctx | None, message: str) -> HTMLResponse:
    return wb.page("error.html", ctx, 403, title="Not allowed", message=message)


def page(
    permission: str | None = None,
) -> Callable[[Handler], Callable[[Request], Awaitable[Response]]]:
    """An endpoint that needs a session (and ``permission``); a POST needs its CSRF token."""

    def wrap(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            wb: Workbench = request.app.state.wb
            token = request.cookies.get(COOKIE)
            session = await run_in_threadpool(accounts.find_session, wb.engine, token)
            if session is None:
                target = request.url.path
                if request.url.query and request.method == "GET":
                    target += "?" + request.url.query
                return RedirectResponse(f"/login?{urlencode({'next': target})}", 303)
            form = None
            if request.method == "POST":
                form = await request.form(max_files=8, max_fields=300, max_part_size=MAX_UPLOAD)
                sent = form.get("csrf_token")
                if not isinstance(sent, str) or not hmac.compare_digest(sent, session.csrf):
                    await form.close()
                    return _forbidden(
                        wb,
                        None,
                        "This form has no valid CSRF token (it is old, or it did not "
                        "come from this workbench). Nothing was changed: go back, reload, retry.",
                    )
            ctx = Ctx(request, wb, session, form)
            try:
                if permission and not ctx.user.can(permission):
                    await run_in_threadpool(
                        ctx.audit, "forbidden", None, path=request.url.path, needs=permission
                    )
                    return _forbidden(
                        wb, ctx, f"Your role ({ctx.user.role}) cannot do this ({permission})."
                    )
                return await run_in_threadpool(handler, ctx, **request.path_params)
            finally:
                if form is not None:
                    await form.close()

        return endpoint

    return wrap


# -- sign in and out ----------------------------------------------------------------------------


def _local(target: str | None) -> str:
    """Only a path on this site is a place to go after signing in."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/"


def _login_again(
    wb: Workbench, request: Request, form: FormData, status: int, error: str
) -> Response:
    """The sign-in page again, with a fresh CSRF token and the error."""
    token = secrets.token_urlsafe(32)
    resp = wb.page(
        "login.html",
        None,
        status,
        login_csrf=token,
        next=_local(str(form.get("next", ""))),
        error=error,
    )
    _set_cookie(resp, request, LOGIN_COOKIE, token, max_age=3600)
    return resp


async def login(request: Request) -> Response:
    wb: Workbench = request.app.state.wb
    if request.method == "GET":
        token = secrets.token_urlsafe(32)
        resp = wb.page(
            "login.html", None, login_csrf=token, next=_local(request.query_params.get("next"))
        )
        _set_cookie(resp, request, LOGIN_COOKIE, token, max_age=3600)
        return resp
    form = await request.form(max_files=0, max_fields=10)
    sent, expected = form.get("csrf_token"), request.cookies.get(LOGIN_COOKIE)
    if not (isinstance(sent, str) and expected and hmac.compare_digest(sent, expected)):
        return _forbidden(
            wb, None, "The sign-in form has no valid CSRF token: reload it and retry."
        )
    name, password = str(form.get("username", "")), str(form.get("password", ""))
    client = request.client.host if request.client else None
    if wb.throttle.blocked(name):
        await run_in_threadpool(
            accounts.record, wb.engine, name[:100] or "-", "login_blocked", None, client
        )
        return _login_again(
            wb,
            request,
            form,
            429,
            "Too many wrong passwords for this name: wait 15 minutes, or ask an admin.",
        )
    user = await run_in_threadpool(accounts.authenticate, wb.engine, name, password)
    if user is None:
        wb.throttle.failed(name)
        await run_in_threadpool(
            accounts.record, wb.engine, name[:100] or "-", "login_failed", None, client
        )
        return _login_again(wb, request, form, 401, "Wrong user name or password.")
    wb.throttle.succeeded(name)
    token, _ = await run_in_threadpool(accounts.start_session, wb.engine, user)
    await run_in_threadpool(accounts.record, wb.engine, user.name, "login", None, client)
    done = RedirectResponse(_local(str(form.get("next", ""))), 303)
    _set_cookie(done, request, COOKIE, token)
    done.delete_cookie(LOGIN_COOKIE, path="/")
    return done


@page()
def logout(ctx: Ctx) -> Response:
    ctx.audit("logout")
    accounts.end_session(ctx.wb.engine, ctx.request.cookies.get(COOKIE))
    resp = RedirectResponse("/login", 303)
    resp.delete_cookie(COOKIE, path="/")
    return resp


# -- the work list ------------------------------------------------------------------------------


def _check_label(wb: Workbench, cf: CaseFile) -> str:
    if cf.case is None:
        return "problems in file"
    a = wb.analyse(cf)
    return a.result.status.value if a.result else "no policy"


@page()
def worklist(ctx: Ctx) -> Response:
    wb, q = ctx.wb, ctx.request.query_params
    as_of = dt.date.today()
    listing = wb.folder.listing()
    states = wb.log.all_cases()
    owners = accounts.owners_before_submission(wb.engine)
    logged = {s.case_id for s in states}
    checks = {cid: _check_label(wb, cf) for cid, cf in listing.cases.items() if cid not in logged}
    everything = rows(listing.cases, states, owners, checks, as_of)
    f_owner, f_stage, f_payer = q.get("owner", ""), q.get("stage", ""), q.get("payer", "")
    mine, closed = q.get("mine") == "1", q.get("closed") == "1"
    shown = [
        r
        for r in everything
        if (closed or r.open)
        and (not f_owner or r.owner == f_owner)
        and (not f_stage or r.stage == f_stage)
        and (not f_payer or r.payer == f_payer)
        and (not mine or r.owner == ctx.user.name)
    ]
    ctx.audit("view_worklist", None, shown=len(shown))
    return wb.page(
        "worklist.html",
        ctx,
        title="Work list",
        rows=shown,
        total=len(everything),
        as_of=as_of,
        owners=sorted({r.owner for r in everything if r.owner}),
        payers=sorted({r.payer for r in everything if r.payer}),
        f={"owner": f_owner, "stage": f_stage, "payer": f_payer, "mine": mine, "closed": closed},
        unreadable=listing.unreadable,
        duplicates=listing.duplicates,
        message=MESSAGES.get(q.get("done", "")),
    )


# -- the case page ------------------------------------------------------------------------------


def _case_id(case_id: str) -> str:
    if not CASE_ID.fullmatch(case_id):
        raise _NotACase(400, "This is not a case id.")
    return case_id


class _NotACase(Exception):
    def __init__(self, status: int, message: str) -> None:
        self.status = status
        super().__init__(message)


def _state(wb: Workbench, case_id: str) -> CaseState | None:
    try:
        return wb.log.get(case_id)
    except InputError:
        return None


def _locate(wb: Workbench, case_id: str) -> tuple[CaseFile | None, CaseState | None]:
    _case_id(case_id)
    cf = wb.folder.find(case_id)
    state = _state(wb, case_id)
    if cf is None and state is None:
        raise _NotACase(404, "No case with this id in the case folder or the log.")
    return cf, state


def _case_page(
    ctx: Ctx,
    case_id: str,
    *,
    status: int = 200,
    errors: dict[str, list[str]] | None = None,
    conflict: str | None = None,
    message: str | None = None,
    audit: bool = True,
) -> Response:
    wb = ctx.wb
    try:
        cf, state = _locate(wb, case_id)
    except _NotACase as e:
        return wb.page("error.html", ctx, e.status, title="No such case", message=str(e))
    analysis = wb.analyse(cf) if cf is not None else None
    result = analysis.result if analysis else None
    to_fill = {
        str(getattr(t, "path", "")): str(getattr(t, "what", ""))
        for t in getattr(result, "to_fill", None) or ()
    }
    warnings = [
        {
            "text": f"{w.path}: {getattr(w, 'text', w)}" if getattr(w, "path", None) else str(w),
            "path": getattr(w, "path", None),
            "suggestion": getattr(w, "suggestion", None),
        }
        for w in getattr(result, "warnings", None) or ()
    ]
    fix, other_problems = fix_form(cf, to_fill) if cf is not None else (None, [])
    forms = criterion_forms(result, cf.case) if result is not None and cf and cf.case else {}
    history: list[Event] = wb.log.history(case_id) if state is not None else []
    listing = wb.folder.listing()
    owner = state.owner if state else accounts.owners_before_submission(wb.engine).get(case_id)
    if audit:
        ctx.audit("view_case", case_id, file=cf.name if cf else None)
    return wb.page(
        "case.html",
        ctx,
        status,
        title=f"Case {case_id}",
        case_id=case_id,
        cf=cf,
        case=cf.case if cf else None,
        version=edit.version_of(cf.raw) if cf else "",
        analysis=analysis,
        result=result,
        fix=fix,
        other_problems=other_problems,
        warnings=warnings,
        forms=forms,
        state=state,
        history=history,
        denials=listing.denials.get(case_id, []),
        owner=owner,
        users=[u.name for u, _ in accounts.list_users(wb.engine)],
        errors=errors or {},
        conflict=conflict,
        message=message or MESSAGES.get(ctx.request.query_params.get("done", "")),
        today=dt.date.today(),
        placeholder=PLACEHOLDER,
        kinds=documents.KINDS,
    )


@page()
def case_page(ctx: Ctx, case_id: str) -> Response:
    return _case_page(ctx, case_id)


def _done(case_id: str, what: str, anchor: str = "") -> Response:
    return RedirectResponse(f"/cases/{quote(case_id)}?done={what}{anchor}", 303)


def _editable(ctx: Ctx, case_id: str) -> CaseFile:
    cf, _ = _locate(ctx.wb, case_id)
    if cf is None:
        raise _NotACase(404, "This case has no file in the case folder: nothing to edit.")
    return cf


def _refused(ctx: Ctx, case_id: str, form: str, problems: list[Problem] | list[str]) -> Response:
    return _case_page(
        ctx, case_id, status=400, errors={form: [str(p) for p in problems]}, audit=False
    )


@page("document")
def case_set(ctx: Ctx, case_id: str) -> Response:
    """Set values at paths (the "fill in and correct" form, a treatment's outcome, ...)."""
    form_key = ctx.field("form") or "fix"
    try:
        cf = _editable(ctx, case_id)
        edits: list[edit.Edit] = []
        assert ctx.form is not None
        for name, value in ctx.form.multi_items():
            if not name.startswith("set:") or not isinstance(value, str) or not value.strip():
                continue
            path = edit.parse_path(name.removeprefix("set:"))
            edits.append(edit.SetValue(path, edit.convert(path, value)))
        saved = edit.save(ctx.wb.folder, cf.path, ctx.field("version"), edits, ctx.user.name)
    except _NotACase as e:
        return ctx.wb.page("error.html", ctx, e.status, title="No such case", message=str(e))
    except edit.Conflict as c:
        ctx.audit("edit_conflict", case_id, form=form_key)
        return _case_page(ctx, case_id, status=409, conflict=str(c), audit=False)
    except edit.Refused as r:
        return _refused(ctx, case_id, form_key, r.problems)
    except InputError as e:
        return _refused(ctx, case_id, form_key, e.problems)
    changes = {edit.path_text(e.path): str(e.value) for e in edits if isinstance(e, edit.SetValue)}
    ctx.audit("edit_case", case_id, file=saved.file.name, set=changes)
    return _done(case_id, "saved", "#check")


@page("document")
def case_add(ctx: Ctx, case_id: str) -> Response:
    """Add one item (a lab result, a score, a treatment, ...) to a section of the record."""
    form_key = ctx.field("form") or "add"
    section = ctx.field("section")
    try:
        cf = _editable(ctx, case_id)
        if section not in {"labs", "scores", "treatments", "findings", "encounters", "diagnoses"}:
            raise InputError(f"not a section of the record: {section!r}")
        item: dict[str, Any] = {}
        assert ctx.form is not None
        for name, value in ctx.form.multi_items():
            if not name.startswith("item:") or not isinstance(value, str) or not value.strip():
                continue
            key = name.removeprefix("item:")
            item[key] = edit.convert((section, 0, key), value)
        if not item:
            raise InputError("nothing to add: enter the values first")
        saved = edit.save(
            ctx.wb.folder,
            cf.path,
            ctx.field("version"),
            [edit.AddItem(section, item)],
            ctx.user.name,
        )
    except _NotACase as e:
        return ctx.wb.page("error.html", ctx, e.status, title="No such case", message=str(e))
    except edit.Conflict as c:
        ctx.audit("edit_conflict", case_id, form=form_key)
        return _case_page(ctx, case_id, status=409, conflict=str(c), audit=False)
    except edit.Refused as r:
        return _refused(ctx, case_id, form_key, r.problems)
    except InputError as e:
        return _refused(ctx, case_id, form_key, e.problems)
    ctx.audit(
        "edit_case",
        case_id,
        file=saved.file.name,
        add=section,
        item={k: str(v) for k, v in item.items()},
    )
    return _done(case_id, "added", "#check")


# -- the case log -------------------------------------------------------------------------------


# how the workbench names the parameters a library error speaks of (pa_docs.errors.Hint)
NAMES = {
    "draft": "the draft option",
    "policy_id": "a policy (request.policy in the case)",
    "as_of": "the letter date",
    "late": "the file-late option",
}


def _say(e: PaDocsError) -> str:
    """A library error in the workbench's words."""
    return e.say(NAMES)


def _date(ctx: Ctx, name: str, default: dt.date | None = None) -> dt.date | None:
    text = ctx.field(name).strip()
    if not text:
        return default
    return parse_date(text, name)


def _denial_path(ctx: Ctx, case_id: str, name: str) -> Path | None:
    """A denial file of this case, chosen by its file name from the folder's own listing."""
    if not name:
        return None
    for d in ctx.wb.folder.listing().denials.get(case_id, []):
        if d.name == name:
            return d.path
    raise InputError(f"no denial file {name!r} for this case", field="denial")


@page("record")
def case_log(ctx: Ctx, case_id: str, action: str) -> Response:
    wb = ctx.wb
    log = wb.caselog(ctx.user.name)
    try:
        cf, _ = _locate(wb, case_id)
        today = dt.date.today()
        if action == "submit":
            if cf is None or cf.case is None:
                raise InputError("the case file must load before its submission is recorded")
            owner = ctx.field("owner") or accounts.owners_before_submission(wb.engine).get(case_id)
            new = log.submit(
                cf.case,
                method=ctx.field("method"),
                on=_date(ctx, "date", today) or today,
                confirmation=ctx.field("confirmation").strip() or None,
                owner=owner or None,
            )
            detail: dict[str, Any] = {"method": new.method, "follow_up_on": str(new.follow_up_on)}
            done = "submitted"
        elif action == "decision":
            from ..appeal import load_denial

            path = _denial_path(ctx, case_id, ctx.field("denial"))
            new = log.decide(
                case_id,
                ctx.field("decision"),
                on=_date(ctx, "date"),
                auth_number=ctx.field("auth_number").strip() or None,
                valid_from=_date(ctx, "valid_from"),
                valid_through=_date(ctx, "valid_through"),
                denial=load_denial(path, case_id) if path else None,
            )
            detail, done = {"decision": new.status}, "decision"
        elif action == "appeal":
            level = ctx.field("level").strip()
            if not level.isdigit():
                raise InputError(f"the appeal level is a number from 1 to 5, got {level!r}")
            new = log.appeal(case_id, level=int(level), on=_date(ctx, "date", today) or today)
            detail, done = {"level": int(level)}, "appeal"
        elif action == "outcome":
            new = log.appeal_outcome(
                case_id,
                ctx.field("outcome"),
                on=_date(ctx, "date", today) or today,
                auth_number=ctx.field("auth_number").strip() or None,
                valid_from=_date(ctx, "valid_from"),
                valid_through=_date(ctx, "valid_through"),
            )
            detail, done = {"outcome": ctx.field("outcome")}, "outcome"
        elif action == "note":
            log.note(case_id, ctx.field("text"))
            detail, done = {"length": len(ctx.field("text"))}, "note"
        else:
            raise _NotACase(404, "No such action.")
    except _NotACase as e:
        return wb.page("error.html", ctx, e.status, title="No such case", message=str(e))
    except InputError as e:
        return _refused(ctx, case_id, f"log-{action}", e.problems)
    ctx.audit(f"record_{action}", case_id, **detail)
    return _done(case_id, done, "#log")


@page("assign")
def case_owner(ctx: Ctx, case_id: str) -> Response:
    wb = ctx.wb
    owner = ctx.field("owner").strip() or None
    try:
        _, state = _locate(wb, case_id)
        if owner and owner not in {u.name for u, _ in accounts.list_users(wb.engine)}:
            raise InputError(f"no account named {owner!r}", field="owner")
        if state is not None:
            wb.caselog(ctx.user.name).assign(case_id, owner)
        accounts.set_owner_before_submission(wb.engine, case_id, owner, ctx.user.name)
    except _NotACase as e:
        return wb.page("error.html", ctx, e.status, title="No such case", message=str(e))
    except InputError as e:
        return _refused(ctx, case_id, "owner", e.problems)
    ctx.audit("assign_owner", case_id, owner=owner)
    return _done(case_id, "owner")


# -- denials ------------------------------------------------------------------------------------


def _upload(ctx: Ctx, name: str) -> bytes | None:
    value = ctx.form.get(name) if ctx.form is not None else None
    if not isinstance(value, UploadFile) or not value.filename:
        return None
    data = value.file.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise InputError(f"the file is larger than {MAX_UPLOAD // (1024 * 1024)} MB", field=name)
    return data


def _denial_from_form(ctx: Ctx, case_id: str) -> dict[str, Any]:
    reasons = []
    for i in range(1, 6):
        text = ctx.field(f"reason{i}").strip()
        if text:
            code = ctx.field(f"code{i}").strip()
            reasons.append({"text": text, **({"code": code} if code else {})})
    data: dict[str, Any] = {
        "case_id": case_id,
        "denial_date": ctx.field("denial_date").strip(),
        "reference": ctx.field("reference").strip(),
        "appeal_level": ctx.field("appeal_level").strip() or "1",
        "reasons": reasons,
    }
    for opt in ("received_date", "reviewer"):
        if ctx.field(opt).strip():
            data[opt] = ctx.field(opt).strip()
    return data


@page("document")
def case_denial(ctx: Ctx, case_id: str) -> Response:
    """Save the payer's denial beside the case: an uploaded denial file, or the form's fields."""
    import yaml

    from .. import _yaml
    from ..appeal import Denial
    from ..errors import CaseError
    from ..render import write_atomic

    wb = ctx.wb
    try:
        cf = _editable(ctx, case_id)
        raw = _upload(ctx, "file")
        if raw is not None:
            text = raw.decode("utf-8", errors="strict")
        else:
            text = yaml.safe_dump(_denial_from_form(ctx, case_id), sort_keys=False)
        doc = _yaml.parse(text, Path("denial.yaml"), CaseError)
        denial = doc.validate(Denial, CaseError)
        if denial.case_id != case_id:
            raise InputError(
                f"the denial is for case {denial.case_id!r}, not {case_id!r}", field="case_id"
            )
        stem = cf.path.stem
        suffix = (
            ".denial.yaml"
            if denial.appeal_level == 1
            else f".denial-level{denial.appeal_level}.yaml"
        )
        target = cf.path.with_name(stem + suffix)
        with edit.locked(wb.folder, target):
            if target.exists():
                edit.keep_previous(wb.folder, target, target.read_bytes(), ctx.user.name)
            write_atomic(target, text.encode("utf-8"))
    except _NotACase as e:
        return wb.page("error.html", ctx, e.status, title="No such case", message=str(e))
    except UnicodeDecodeError:
        return _refused(ctx, case_id, "denial", ["the file is not UTF-8 text (a YAML denial file)"])
    except InputError as e:
        return _refused(ctx, case_id, "denial", e.problems)
    ctx.audit("add_denial", case_id, file=target.name, level=denial.appeal_level)
    return _done(case_id, "denial", "#documents")


# -- documents ----------------------------------------------------------------------------------


def _doc_request(ctx: Ctx, case_id: str, fmt: str) -> documents.Request:
    q = ctx.request.query_params
    kind = q.get("kind", "packet")
    if kind not in documents.KINDS:
        raise _NotACase(404, "No such document.")
    if fmt not in documents.FORMATS:
        raise _NotACase(404, "No such format.")
    as_of_text = q.get("as_of", "")
    as_of = parse_date(as_of_text, "as_of") if as_of_text else None
    return documents.Request(
        kind=kind,
        format=fmt,
        draft=q.get("draft") == "1",
        denial=_denial_path(ctx, case_id, q.get("denial", ""))
        if kind in {"appeal", "p2p"}
        else None,
        as_of=as_of,
        late=q.get("late") == "1",
    )


def _document(ctx: Ctx, case_id: str, fmt: str) -> tuple[bytes, str, documents.Request, CaseFile]:
    cf, _ = _locate(ctx.wb, case_id)
    if cf is None or cf.case is None:
        raise InputError("the case file must load before a document can be made")
    version = ctx.request.query_params.get("v")
    if version and version != edit.version_of(cf.raw):
        raise edit.Conflict()
    analysis = ctx.wb.analyse(cf)
    if analysis.result is None or analysis.policy is None:
        raise InputError(analysis.error or "no policy fits this case")
    req = _doc_request(ctx, case_id, fmt)
    data, name = documents.generate(
        cf.case, analysis.policy, analysis.result, cf.path, req, ctx.wb.profile
    )
    return data, name, req, cf


@page()
def document_view(ctx: Ctx, case_id: str) -> Response:
    """The document previewed in the page, with its downloads."""
    wb = ctx.wb
    q = ctx.request.query_params
    try:
        _, name, req, cf = _document(ctx, case_id, "html")
    except _NotACase as e:
        return wb.page("error.html", ctx, e.status, title="No such document", message=str(e))
    except edit.Conflict as c:
        return wb.page("error.html", ctx, 409, title="Changed", message=str(c))
    except NotReadyError as e:
        ctx.audit("document_refused", case_id, kind=q.get("kind"))
        return wb.page(
            "document.html",
            ctx,
            409,
            title="Not ready",
            case_id=case_id,
            refused=e,
            gaps=e.gaps,
            kind=q.get("kind", "packet"),
            kinds=documents.KINDS,
            draft_qs=urlencode({**dict(q), "draft": "1"}),
        )
    except PaDocsError as e:
        return wb.page("error.html", ctx, 400, title="Cannot make this document", message=_say(e))
    ctx.audit("view_document", case_id, kind=req.kind, draft=req.draft)
    query = {k: v for k, v in q.items()}
    query["v"] = edit.version_of(cf.raw)
    return wb.page(
        "document.html",
        ctx,
        title=documents.KINDS[req.kind],
        case_id=case_id,
        refused=None,
        gaps=[],
        query=query,
        name=name,
        kind=req.kind,
        kinds=documents.KINDS,
        qs=urlencode(query),
    )


@page()
def document_file(ctx: Ctx, case_id: str, fmt: str) -> Response:
    """The document's bytes: HTML for the preview frame, PDF or DOCX to download."""
    wb = ctx.wb
    try:
        data, name, req, _ = _document(ctx, case_id, fmt)
    except _NotACase as e:
        return wb.page("error.html", ctx, e.status, title="No such document", message=str(e))
    except edit.Conflict as c:
        return wb.page("error.html", ctx, 409, title="Changed", message=str(c))
    except NotReadyError as e:
        return wb.page("error.html", ctx, 409, title="Not ready", message=_say(e))
    except PaDocsError as e:
        return wb.page("error.html", ctx, 400, title="Cannot make this document", message=_say(e))
    headers = {"Cache-Control": "no-store"}
    if fmt == "html":
        # the library's self-contained page, in a sandboxed frame of the preview
        headers["Content-Security-Policy"] = (
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
            "frame-ancestors 'self'; sandbox"
        )
        headers["X-Frame-Options"] = "SAMEORIGIN"
    else:
        headers["Content-Disposition"] = f'attachment; filename="{name}"'
    ctx.audit("download_document", case_id, kind=req.kind, format=fmt, draft=req.draft)
    return Response(data, media_type=documents.FORMATS[fmt], headers=headers)


# -- new cases ----------------------------------------------------------------------------------

BLANK_FIELDS = (
    ("case_id", "Case id"),
    ("request_date", "Request date"),
    ("patient.name", "Patient name"),
    ("patient.birth_date", "Date of birth"),
    ("patient.sex", "Sex"),
    ("patient.member_id", "Member ID"),
    ("coverage.payer", "Payer key"),
    ("coverage.plan", "Plan"),
    ("coverage.line_of_business", "Line of business"),
    ("prescriber.name", "Prescriber"),
    ("prescriber.npi", "Prescriber NPI"),
    ("prescriber.specialty", "Prescriber specialty"),
    ("request.type", "Request type"),
    ("request.kind", "Kind"),
    ("request.item", "Item requested"),
    ("request.diagnosis", "Diagnosis (ICD-10-CM)"),
    ("request.dose", "Dose"),
    ("request.frequency", "Frequency"),
)
REQUIRED = {
    "case_id",
    "request_date",
    "patient.name",
    "patient.birth_date",
    "patient.member_id",
    "coverage.payer",
    "prescriber.name",
    "prescriber.npi",
    "request.item",
    "request.diagnosis",
}


def _new_page(ctx: Ctx, status: int = 200, errors: dict[str, list[str]] | None = None) -> Response:
    from ._gaps import input_for

    blank: list[tuple[str, str, str, tuple[str, ...], str]] = []
    for path, label in BLANK_FIELDS:
        if path == "case_id":
            blank.append(("case_id", label, "text", (), ctx.field("case_id")))
            continue
        i = input_for(path, ctx.field(f"set:{path}"), label=label)
        blank.append((path, label, i.kind, i.options, i.value))
    return ctx.wb.page(
        "new.html",
        ctx,
        status,
        title="New case",
        blank=blank,
        required=REQUIRED,
        errors=errors or {},
        today=dt.date.today(),
    )


@page("document")
def new_case(ctx: Ctx) -> Response:
    return _new_page(ctx)


def _create(ctx: Ctx, case_id: str, text: str, how: str) -> Response:
    from ..render import write_atomic

    wb = ctx.wb
    if wb.folder.find(case_id) is not None:
        raise InputError(f"case {case_id} exists already in the case folder", field="case_id")
    path = wb.folder.new_path(case_id)
    with edit.locked(wb.folder, path):
        if path.exists():
            raise InputError(f"{path.name} exists already in the case folder", field="case_id")
        write_atomic(path, text.encode("utf-8"))
    ctx.audit("create_case", case_id, file=path.name, how=how)
    return _done(case_id, "created")


@page("document")
def new_blank(ctx: Ctx) -> Response:
    """A case file from the blank form: every value given is validated; what is left empty is
    written as FILL-IN, to fill on the case page."""
    import yaml

    data: dict[str, Any] = {}
    case_id = ctx.field("case_id").strip()
    try:
        if not CASE_ID.fullmatch(case_id):
            raise InputError(
                "a case id is 1 to 100 letters, digits, '.', '_' or '-', starting with a letter "
                "or digit",
                field="case_id",
            )
        data["case_id"] = case_id
        for path, _ in BLANK_FIELDS[1:]:
            value = ctx.field(f"set:{path}").strip()
            p = edit.parse_path(path)
            converted = (
                edit.convert(p, value) if value else (PLACEHOLDER if path in REQUIRED else None)
            )
            if converted is None:
                continue
            node = data
            for part in p[:-1]:
                node = node.setdefault(str(part), {})
            node[str(p[-1])] = converted
        for section in ("diagnoses", "labs", "scores", "treatments", "findings", "encounters"):
            data[section] = []
        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=4096)
        from ._folder import read_case

        check = read_case(Path(f"{case_id}.yaml"), text.encode("utf-8"))
        wrong = [p for p in check.problems if _given(data, p)]
        if wrong:
            raise InputError(problems=wrong)
        return _create(
            ctx, case_id, "# Case created in the pa-docs workbench.\n" + text, "blank form"
        )
    except InputError as e:
        return _new_page(ctx, 400, {"blank": [str(p) for p in e.problems]})


def _given(data: dict[str, Any], p: Problem) -> bool:
    """A problem with a value the user entered (not with a FILL-IN left for later)."""
    if not p.field:
        return True
    try:
        path = edit.parse_path(p.field)
    except InputError:
        return True
    node: Any = data
    for part in path:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return True
    return bool(node != PLACEHOLDER)


@page("document")
def new_fhir(ctx: Ctx) -> Response:
    """A case file from an uploaded FHIR R4 export (a Bundle, or bulk NDJSON), by the importer."""
    import tempfile

    from ..fhir import import_source, render_case

    try:
        raw = _upload(ctx, "file")
        if raw is None:
            raise InputError("choose the FHIR file to upload", field="file")
        request_date = _date(ctx, "request_date")
        case_id = ctx.field("case_id").strip() or None
        if case_id is not None and not CASE_ID.fullmatch(case_id):
            raise InputError("not a valid case id", field="case_id")
        upload = ctx.form.get("file") if ctx.form is not None else None
        suffix = (
            ".ndjson"
            if isinstance(upload, UploadFile) and str(upload.filename).endswith(".ndjson")
            else ".json"
        )
        with tempfile.TemporaryDirectory() as tmp:
            source = Path(tmp) / f"upload{suffix}"
            source.write_bytes(raw)
            result = import_source(
                source if suffix == ".json" else Path(tmp),
                request_date=request_date,
                item=ctx.field("item").strip() or None,
                payer=ctx.field("payer").strip() or None,
                case_id=case_id,
            )
            text = render_case(result, source="uploaded file")
        cid = str(result.data["case_id"])
        if not CASE_ID.fullmatch(cid):
            raise InputError(f"the imported case id {cid!r} cannot name a file: give a case id")
        return _create(ctx, cid, text, "FHIR import")
    except InputError as e:
        return _new_page(ctx, 400, {"fhir": [str(p) for p in e.problems]})


# -- KPIs and the audit log -------------------------------------------------------------------


@page()
def kpi(ctx: Ctx) -> Response:
    from ..log import compute_kpis
    from ..log._html import _num, _pct, monthly_charts
    from ..log._kpi import FIRST_PASS_TARGET, TURNAROUND_BENCHMARK_DAYS

    q = ctx.request.query_params
    try:
        start = dt.date.fromisoformat(q["from"]) if q.get("from") else None
        end = dt.date.fromisoformat(q["to"]) if q.get("to") else None
        cost = float(q["cost"]) if q.get("cost") else None
    except ValueError:
        return ctx.wb.page(
            "error.html", ctx, 400, title="KPIs", message="Dates are YYYY-MM-DD; the cost a number."
        )
    report = compute_kpis(ctx.wb.log.all_cases(), period_from=start, period_to=end, team_cost=cost)
    charts = monthly_charts(report)
    ctx.audit("view_kpi")
    return ctx.wb.page(
        "kpi.html",
        ctx,
        title="KPIs",
        report=report,
        charts=[Markup(c) for c in charts],
        pct=_pct,
        num=_num,
        target=FIRST_PASS_TARGET,
        band=TURNAROUND_BENCHMARK_DAYS,
        f={"from": q.get("from", ""), "to": q.get("to", ""), "cost": q.get("cost", "")},
    )


@page("audit")
def audit_page(ctx: Ctx) -> Response:
    case_id = ctx.request.query_params.get("case") or None
    lines = accounts.audit_lines(ctx.wb.engine, case_id=case_id)
    ctx.audit("view_audit", case_id)
    return ctx.wb.page("audit.html", ctx, title="Audit log", lines=lines, case=case_id or "")


# -- the application ----------------------------------------------------------------------------

CSP = (
    "default-src 'self'; script-src 'none'; style-src 'self'; img-src 'self' data:; "
    "frame-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; "
    "object-src 'none'"
)


class SecurityHeaders:
    """Headers on every response: no scripts, no framing by others, no sniffing, no referrer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                extra = {
                    b"content-security-policy": CSP.encode(),
                    b"x-frame-options": b"DENY",
                    b"x-content-type-options": b"nosniff",
                    b"referrer-policy": b"no-referrer",
                }
                if scope.get("scheme") == "https":
                    extra[b"strict-transport-security"] = b"max-age=31536000"
                headers += [(k, v) for k, v in extra.items() if k not in names]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def _failed(request: Request, exc: Exception) -> Response:
    """An unexpected error: a plain page (the details go to the server's log, not the browser)."""
    wb: Workbench = request.app.state.wb
    return wb.page(
        "error.html",
        None,
        500,
        title="Something went wrong",
        message="The workbench could not do this. Nothing was changed by the failed step; the "
        "server's log has the details for your administrator.",
    )


def create_app(settings: Settings) -> Starlette:
    """The workbench as an ASGI application (serve it with uvicorn)."""
    wb = Workbench(settings)
    routes = [
        Route("/", worklist),
        Route("/login", login, methods=["GET", "POST"]),
        Route("/logout", logout, methods=["POST"]),
        Route("/new", new_case),
        Route("/new/blank", new_blank, methods=["POST"]),
        Route("/new/fhir", new_fhir, methods=["POST"]),
        Route("/kpi", kpi),
        Route("/audit", audit_page),
        Route("/cases/{case_id}", case_page),
        Route("/cases/{case_id}/set", case_set, methods=["POST"]),
        Route("/cases/{case_id}/add", case_add, methods=["POST"]),
        Route("/cases/{case_id}/owner", case_owner, methods=["POST"]),
        Route("/cases/{case_id}/denial", case_denial, methods=["POST"]),
        Route("/cases/{case_id}/log/{action}", case_log, methods=["POST"]),
        Route("/cases/{case_id}/document", document_view),
        Route("/cases/{case_id}/document.{fmt}", document_file),
        Mount("/static", StaticFiles(packages=[("pa_docs.web", "static")]), name="static"),
    ]
    app = Starlette(routes=routes, exception_handlers={Exception: _failed})
    app.state.wb = wb
    app.add_middleware(SecurityHeaders)
    return app
