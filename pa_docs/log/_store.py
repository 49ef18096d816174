"""The case log: each command appends one event and updates the case's current state with it, in
one transaction."""

from __future__ import annotations

import dataclasses
import datetime as dt
import getpass
import os
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from ..errors import Hint, InputError
from . import _db
from ._dates import ESCALATE_DAYS, FOLLOW_UP_DAYS, add_business_days
from ._deadline import appeal_deadline_for
from ._model import Appeal, CaseState, Event
from ._schema import appeals, cases, events
from ._vocab import APPEAL_OUTCOMES, DECISIONS, METHODS

if TYPE_CHECKING:
    from ..appeal import Denial
    from ..case import Case

ENV_USER = "PA_DOCS_USER"


def current_user(user: str | None = None) -> str:
    """``--user``, else ``$PA_DOCS_USER``, else the operating system's login name."""
    return user or os.environ.get(ENV_USER) or getpass.getuser()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _json(values: dict[str, Any]) -> dict[str, Any]:
    out = {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in values.items()}
    return {k: v for k, v in out.items() if v is not None}


def _not_before(day: dt.date, earlier: dt.date, what: str, field: str = "--date") -> None:
    if day < earlier:
        raise InputError(f"{day} is before {what} ({earlier})", field=field)


class CaseLog:
    """A log of PA cases in SQLite or PostgreSQL. Open it with :meth:`open`; close it when done."""

    def __init__(self, engine: sa.Engine, user: str) -> None:
        self.engine = engine
        self.user = user

    @classmethod
    def open(
        cls, db: str | Path | None = None, *, user: str | None = None, must_exist: bool = False
    ) -> CaseLog:
        """Open (and migrate) the log at ``db``, ``$PA_DOCS_DB`` or ``./pa-docs-log.sqlite3``.

        ``must_exist``: a SQLite file that is not there is an error instead of a new empty log.
        """
        target = _db.resolve_target(db)
        if must_exist and not _db.is_postgres(target) and not Path(target).exists():
            raise InputError(
                "no case log here",
                file=target,
                hint=Hint(
                    "db", f"record a submission first, or name the log with {{}} or ${_db.ENV_DB}"
                ),
            )
        engine = _db.create_engine(target, create=not must_exist)
        try:
            _db.migrate(engine, create=not must_exist)
        except sa.exc.DatabaseError as exc:  # not SQLite, corrupt, read-only, unreachable
            engine.dispose()
            raise _db.log_error(exc, target) from None
        except BaseException:
            engine.dispose()
            raise
        return cls(engine, current_user(user))

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> CaseLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing ---------------------------------------------------------------------------

    def _record(
        self, conn: sa.Connection, case_id: str, kind: str, data: dict[str, Any], **state: Any
    ) -> None:
        at = _now()
        conn.execute(
            events.insert().values(case_id=case_id, at=at, who=self.user, kind=kind, data=data)
        )
        if state:
            state["updated_at"] = at
            conn.execute(cases.update().where(cases.c.case_id == case_id).values(**state))

    def submit(
        self,
        case: Case,
        *,
        method: str,
        on: dt.date,
        confirmation: str | None = None,
        owner: str | None = None,
    ) -> CaseState:
        """Record that ``case`` was sent to the payer on ``on``; follow up 3 business days later,
        escalate at 5."""
        if method not in METHODS:
            raise InputError(
                f"unknown method {method!r}; one of {', '.join(METHODS)}", param="method"
            )
        with _db.transaction(self.engine) as conn:
            if self._get(conn, case.case_id) is not None:
                raise InputError(
                    f"case {case.case_id} is already in the log",
                    field="case_id",
                )
            row = {
                "case_id": case.case_id,
                "patient": case.patient.name,
                "payer": case.coverage.payer,
                "item": case.request.item,
                "policy": case.request.policy,
                "line_of_business": str(case.coverage.line_of_business),
                "owner": owner,
                "method": method,
                "confirmation": confirmation,
                "submitted_on": on,
                "status": "submitted",
                "status_on": on,
                "follow_up_on": add_business_days(on, FOLLOW_UP_DAYS),
                "escalate_on": add_business_days(on, ESCALATE_DAYS),
                "updated_at": _now(),
            }
            conn.execute(cases.insert().values(**row))
            data = {k: row[k] for k in ("method", "confirmation", "owner", "payer", "item")}
            self._record(conn, case.case_id, "submit", _json({**data, "date": on}))
            return self._require(conn, case.case_id)

    def decide(
        self,
        case_id: str,
        decision: str,
        *,
        on: dt.date | None = None,
        auth_number: str | None = None,
        valid_from: dt.date | None = None,
        valid_through: dt.date | None = None,
        denial: Denial | None = None,
    ) -> CaseState:
        """Record the payer's decision: approved, denied or pended (asked for more information).

        A denial sets the appeal deadline (from the denial notice when ``denial`` is given, else
        from ``on``); a pended request gets new follow-up and escalation dates.
        """
        if decision not in DECISIONS:
            raise InputError(f"unknown decision {decision!r}; one of {', '.join(DECISIONS)}")
        approval_only = auth_number or valid_from or valid_through
        if approval_only and decision != "approved":
            raise InputError(
                "an authorization number and its validity go with approved",
                param="auth_number",
            )
        if denial is not None and decision != "denied":
            raise InputError("a denial goes with denied", param="denial")
        if valid_from and valid_through and valid_through < valid_from:
            raise InputError(
                f"{valid_through} is before the start of validity {valid_from}",
                param="valid_through",
            )
        on = on or (denial.denial_date if denial else dt.date.today())
        with _db.transaction(self.engine) as conn:
            case = self._require(conn, case_id)
            if case.open_appeal is not None:
                raise InputError(
                    f"case {case_id} has an open level {case.open_appeal.level} appeal: "
                    "record its outcome first"
                )
            _not_before(on, case.submitted_on, "the submission")
            state: dict[str, Any] = {
                "status": decision,
                "status_on": on,
                "follow_up_on": None,
                "escalate_on": None,
            }
            if decision == "pended":
                state["follow_up_on"] = add_business_days(on, FOLLOW_UP_DAYS)
                state["escalate_on"] = add_business_days(on, ESCALATE_DAYS)
            elif case.first_decision is None:
                state.update(first_decision=decision, first_decision_on=on)
            if decision == "approved":
                state.update(
                    auth_number=auth_number,
                    valid_from=valid_from,
                    valid_through=valid_through,
                    appeal_deadline=None,
                )
            if decision == "denied":
                notice = denial.denial_date if denial else on
                level = denial.appeal_level if denial else len(case.appeals) + 1
                state["appeal_deadline"] = appeal_deadline_for(
                    case.line_of_business,
                    notice,
                    received_date=denial.received_date if denial else None,
                    level=level,
                )
                state["denial_reference"] = denial.reference if denial else None
            data = _json(
                {
                    "decision": decision,
                    "date": on,
                    "auth_number": auth_number,
                    "valid_from": valid_from,
                    "valid_through": valid_through,
                    "denial_reference": denial.reference if denial else None,
                    "appeal_deadline": state.get("appeal_deadline"),
                }
            )
            self._record(conn, case_id, "decision", data, **state)
            return self._require(conn, case_id)

    def appeal(self, case_id: str, *, level: int, on: dt.date) -> CaseState:
        """Record that a level ``level`` appeal of a denied case was filed on ``on``."""
        if not 1 <= level <= 5:
            raise InputError(f"appeal level must be from 1 to 5, got {level}", param="level")
        with _db.transaction(self.engine) as conn:
            case = self._require(conn, case_id)
            if case.status != "denied":
                raise InputError(f"case {case_id} is {case.status}: only a denied case is appealed")
            if any(a.level == level for a in case.appeals):
                raise InputError(
                    f"case {case_id} already has a level {level} appeal", param="level"
                )
            _not_before(on, case.status_on, "the denial")
            conn.execute(appeals.insert().values(case_id=case_id, level=level, filed_on=on))
            self._record(
                conn,
                case_id,
                "appeal",
                _json({"level": level, "date": on}),
                status="appealed",
                status_on=on,
                appeal_deadline=None,
            )
            return self._require(conn, case_id)

    def appeal_outcome(
        self,
        case_id: str,
        outcome: str,
        *,
        on: dt.date,
        auth_number: str | None = None,
        valid_from: dt.date | None = None,
        valid_through: dt.date | None = None,
    ) -> CaseState:
        """Record the outcome of the open appeal: overturned (approved on appeal) or upheld
        (still denied; the deadline for the next level is set where the rules give one)."""
        if outcome not in APPEAL_OUTCOMES:
            raise InputError(f"unknown outcome {outcome!r}; one of {', '.join(APPEAL_OUTCOMES)}")
        if (auth_number or valid_from or valid_through) and outcome != "overturned":
            raise InputError(
                "an authorization number and its validity go with overturned",
                param="auth_number",
            )
        with _db.transaction(self.engine) as conn:
            case = self._require(conn, case_id)
            appeal = case.open_appeal
            if appeal is None:
                raise InputError(f"case {case_id} has no open appeal: record the appeal first")
            _not_before(on, appeal.filed_on, "the appeal")
            conn.execute(
                appeals.update()
                .where(appeals.c.case_id == case_id, appeals.c.level == appeal.level)
                .values(outcome=outcome, outcome_on=on)
            )
            state: dict[str, Any] = {"status_on": on}
            if outcome == "overturned":
                state.update(
                    status="approved",
                    auth_number=auth_number,
                    valid_from=valid_from,
                    valid_through=valid_through,
                )
            else:
                state.update(
                    status="denied",
                    appeal_deadline=appeal_deadline_for(
                        case.line_of_business, on, level=appeal.level + 1
                    ),
                )
            data = _json(
                {
                    "level": appeal.level,
                    "outcome": outcome,
                    "date": on,
                    "auth_number": auth_number,
                    "valid_from": valid_from,
                    "valid_through": valid_through,
                }
            )
            self._record(conn, case_id, "appeal_outcome", data, **state)
            return self._require(conn, case_id)

    def note(self, case_id: str, text: str) -> None:
        """Add a free-text note to a case's history."""
        if not text.strip():
            raise InputError("the note is empty")
        with _db.transaction(self.engine) as conn:
            self._require(conn, case_id)
            self._record(conn, case_id, "note", {"text": text})

    def assign(self, case_id: str, owner: str | None) -> CaseState:
        """Make ``owner`` the one who follows the case up (``None``: nobody)."""
        owner = owner.strip() if owner else None
        with _db.transaction(self.engine) as conn:
            self._require(conn, case_id)
            self._record(conn, case_id, "assign", {"owner": owner}, owner=owner)
            return self._require(conn, case_id)

    def add_imported(self, states: Sequence[CaseState], source: str, rows: Sequence[int]) -> None:
        """Add whole cases (from a spreadsheet), each with an ``import`` event, at once."""
        with _db.transaction(self.engine) as conn:
            taken = set(
                conn.execute(
                    sa.select(cases.c.case_id).where(
                        cases.c.case_id.in_([s.case_id for s in states])
                    )
                ).scalars()
            )
            if taken:
                raise InputError(f"already in the log: {', '.join(sorted(taken))}")
            now = _now()
            for state, row in zip(states, rows, strict=True):
                values = {f.name: getattr(state, f.name) for f in dataclasses.fields(state)}
                del values["appeals"]
                conn.execute(cases.insert().values(**values, updated_at=now))
                for a in state.appeals:
                    conn.execute(
                        appeals.insert().values(case_id=state.case_id, **dataclasses.asdict(a))
                    )
                self._record(conn, state.case_id, "import", {"file": source, "row": row})

    # -- reading ---------------------------------------------------------------------------

    def get(self, case_id: str) -> CaseState:
        with self.engine.connect() as conn:
            return self._require(conn, case_id)

    def history(self, case_id: str) -> list[Event]:
        with self.engine.connect() as conn:
            self._require(conn, case_id)
            rows = conn.execute(
                sa.select(events).where(events.c.case_id == case_id).order_by(events.c.id)
            )
            return [_event(r._mapping) for r in rows]

    def event_count(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(events)).scalar_one())

    def all_cases(self) -> list[CaseState]:
        """Every case with its appeals, ordered by submission date and case id."""
        with self.engine.connect() as conn:
            by_case: dict[str, list[Appeal]] = defaultdict(list)
            for r in conn.execute(sa.select(appeals).order_by(appeals.c.level)):
                by_case[r.case_id].append(_appeal(r._mapping))
            rows = conn.execute(sa.select(cases).order_by(cases.c.submitted_on, cases.c.case_id))
            return [_state(r._mapping, by_case[r.case_id]) for r in rows]

    def _get(self, conn: sa.Connection, case_id: str) -> CaseState | None:
        row = conn.execute(sa.select(cases).where(cases.c.case_id == case_id)).first()
        if row is None:
            return None
        ap = conn.execute(
            sa.select(appeals).where(appeals.c.case_id == case_id).order_by(appeals.c.level)
        )
        return _state(row._mapping, [_appeal(a._mapping) for a in ap])

    def _require(self, conn: sa.Connection, case_id: str) -> CaseState:
        case = self._get(conn, case_id)
        if case is None:
            raise InputError(
                f"case {case_id} is not in the log; record its submission first",
                field="CASE_ID",
            )
        return case


_STATE_FIELDS = {f.name for f in dataclasses.fields(CaseState)} - {"appeals"}


def _state(row: Any, appeal_rows: Iterable[Appeal]) -> CaseState:
    return CaseState(**{k: row[k] for k in _STATE_FIELDS}, appeals=tuple(appeal_rows))


def _appeal(row: Any) -> Appeal:
    return Appeal(row["level"], row["filed_on"], row["outcome"], row["outcome_on"])


def _event(row: Any) -> Event:
    return Event(
        row["id"],
        row["case_id"],
        row["at"].replace(tzinfo=dt.UTC),
        row["who"],
        row["kind"],
        dict(row["data"]),
    )
