"""整改台账: the rectification ledger the campaign is judged by.

Rows come from problems (a member's, the team's, common ones), from 会诊
measures, from last year's spreadsheet (:mod:`mingjing.services.ledger_sheets`)
or are typed in. Each moves through 待整改 → 整改中 → 已完成待销号 → 已销号, or
is 退回 with a reason; only a member marked as a leader can sign one off, and
this module (not the window) refuses anyone else. Progress notes are
append-only, evidence files are copied into the data folder and hashed.

The ledger view never loads every row: :func:`count_rows` and
:func:`page_rows` answer one filter and one sort a page at a time, in SQL, so
a ledger of 100,000 rows opens, sorts and searches in tens of milliseconds
and the memory does not grow with it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Table, and_, case, exists, func, literal_column, or_, select, text
from sqlalchemy.orm import Session, aliased

from mingjing.domain.base import utcnow
from mingjing.domain.deadlines import format_deadline
from mingjing.domain.enums import (
    DeadlineKind,
    EscalationLevel,
    ProblemStatus,
    RectificationState,
)
from mingjing.domain.errors import DomainError
from mingjing.domain.models import (
    Assignment,
    Campaign,
    Escalation,
    Evidence,
    Member,
    Problem,
    ProgressNote,
    Rectification,
)
from mingjing.domain.rules import Urgency, urgency
from mingjing.domain.states import RectificationEvent, rectification_events, rectification_step
from mingjing.services.roles import LEADER, SECRETARY, allowed, office
from mingjing.services.roster import responsible_leader
from mingjing.storage import Database, kept, search
from mingjing.storage.errors import InputRefused

R = Rectification
TABLE: Table = Rectification.__table__  # type: ignore[assignment]
_OPEN = (RectificationState.PENDING, RectificationState.IN_PROGRESS)
STALE_DAYS = 30
"""An open row with no progress note for this many days is flagged."""
EVIDENCE_MAX_BYTES = 200 * 1024 * 1024
"""A scan, photo or PDF larger than this is refused (a video belongs elsewhere)."""
ESCALATION_WAIT_DAYS = 7
"""Days after an escalation step before the next is suggested for rows still overdue."""

SORT_KEYS = ("serial", "area", "problem", "department", "deadline")
"""The orders the ledger offers, each served by an index (a page of 100,000 rows
in under a millisecond); other columns are filtered or grouped instead."""
EDITABLE = frozenset(
    {
        "problem_text",
        "area_label",
        "source_label",
        "measure",
        "target",
        "responsible_department",
        "cooperating_departments",
        "remarks",
        "deadline_kind",
        "deadline",
        "responsible_leader_id",
        "leader_name",
        "owner_id",
        "owner_name",
    }
)
"""Columns :func:`update_row` changes; a signed-off row only its 备注."""


# ---------------------------------------------------------------- plain data


@dataclass(frozen=True)
class LedgerFilter:
    states: tuple[str, ...] = ()
    """RectificationState values; empty: every state."""
    area: str = ""
    """问题方面 as printed."""
    leader: str = ""
    """A member id, or ``name:`` and a 责任领导 not on the roster."""
    owner: str = ""
    """Likewise for 责任人."""
    department: str = ""
    """责任部门, leading or cooperating."""
    overdue_only: bool = False
    due_within: int | None = None
    """Open rows due in this many days (not yet overdue)."""
    stale_only: bool = False
    """Open rows with no progress note for :data:`STALE_DAYS` days."""
    text: str = ""
    """Words that must all occur (substring match, for Chinese)."""


@dataclass(frozen=True)
class LedgerRow:
    id: str
    serial: int
    area: str
    problem: str
    source: str
    measure: str
    target: str
    leader: str
    leader_id: str | None
    department: str
    cooperating: str
    owner: str
    owner_id: str | None
    deadline_kind: str
    deadline: dt.date | None
    deadline_text: str
    state: str
    state_label: str
    remarks: str
    sign_off: str
    """销号情况 as printed: 已销号（2025-12-20，张三）, or the state."""
    institutional: str
    urgency: str
    """A :class:`~mingjing.domain.rules.Urgency` value."""
    stale: bool
    last_note_on: dt.date | None = None
    progress: str = ""
    """The latest progress note, dated; the full list is in :func:`row_detail`."""
    notes: int = 0
    evidence: int = 0
    problem_id: str | None = None
    imported_from: str = ""

    @property
    def overdue(self) -> bool:
        return self.urgency == Urgency.OVERDUE.value


@dataclass(frozen=True)
class NoteView:
    id: str
    noted_on: dt.date
    text: str
    author: str


@dataclass(frozen=True)
class EvidenceView:
    id: str
    file_name: str
    size: int
    sha256: str
    description: str
    added_at: dt.datetime


@dataclass(frozen=True)
class RowDetail:
    row: LedgerRow
    notes: tuple[NoteView, ...]
    evidence: tuple[EvidenceView, ...]
    events: tuple[str, ...]
    """RectificationEvent values allowed from the row's state."""
    returned_reason: str
    sign_off_note: str
    institutional_outcome: str
    institutional_outcome_on: dt.date | None
    assignments: tuple[str, ...]
    """交办单 numbers that list this row."""


@dataclass(frozen=True)
class RowInput:
    """A row typed into the ledger."""

    problem_text: str
    measure: str
    area_label: str = ""
    source_label: str = ""
    target: str = ""
    responsible_leader_id: str | None = None
    leader_name: str = ""
    responsible_department: str = ""
    cooperating_departments: str = ""
    owner_id: str | None = None
    owner_name: str = ""
    deadline_kind: DeadlineKind = DeadlineKind.BY_DATE
    deadline: dt.date | None = None
    remarks: str = ""


@dataclass(frozen=True)
class LedgerChoices:
    areas: tuple[str, ...]
    states: tuple[tuple[str, str], ...]
    leaders: tuple[tuple[str, str], ...]
    """(filter value, name): members marked as leaders, then names only in the ledger."""
    owners: tuple[tuple[str, str], ...]
    departments: tuple[str, ...]
    signers: tuple[tuple[str, str], ...]
    """(member id, name) of those who may sign off: leaders on the roster."""
    members: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Group:
    key: str
    """The filter value that shows this group's rows."""
    label: str
    total: int
    open: int
    awaiting: int
    signed_off: int
    overdue: int


@dataclass(frozen=True)
class Reminders:
    """到期提醒: how many rows are in each band (a row may be overdue and stale both)."""

    overdue: int
    due_3: int
    due_7: int
    """Due in 4 to 7 days."""
    stale: int
    """Open rows with no progress note for :data:`STALE_DAYS` days."""

    @property
    def any(self) -> bool:
        return bool(self.overdue or self.due_3 or self.due_7 or self.stale)

    @property
    def summary(self) -> str:
        parts = [
            f"{label} {count} 项"
            for label, count in (
                ("已逾期", self.overdue),
                ("3 天内到期", self.due_3),
                ("4～7 天内到期", self.due_7),
                (f"{STALE_DAYS} 天无进展", self.stale),
            )
            if count
        ]
        return "，".join(parts) if parts else "没有临近到期或逾期的整改事项"


@dataclass(frozen=True)
class AssignmentView:
    id: str
    number: str
    issued_to: str
    issued_by: str
    issued_on: dt.date | None
    due_date: dt.date | None
    received_on: dt.date | None
    note: str
    rows: tuple[LedgerRow, ...] = ()


@dataclass(frozen=True)
class EscalationView:
    id: str
    member: str
    level: str
    level_label: str
    on_date: dt.date
    by: str
    reason: str
    row_serial: int | None


@dataclass(frozen=True)
class Suggestion:
    """A member whose rows stay overdue: the next step, and why."""

    member_id: str
    member: str
    level: str
    level_label: str
    overdue_rows: tuple[int, ...]
    """序号 of the overdue rows."""
    last_step: str
    """“2025-11-17 提醒”, or "" before any step."""
    waiting_until: dt.date | None = None
    """The last step is recent: the next is suggested from this day if still overdue."""

    @property
    def advice(self) -> str:
        if self.waiting_until is not None:
            return f"观察至 {self.waiting_until.isoformat()}，仍逾期再{self.level_label}"
        return self.level_label


# ------------------------------------------------------------------ helpers


def _uuid(value: str, what: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except (ValueError, AttributeError, TypeError):
        raise DomainError(f"{what}的编号无效。") from None


def _campaign(session: Session, campaign_id: str) -> Campaign:
    campaign = session.get(Campaign, _uuid(campaign_id, "专项行动"))
    if campaign is None or campaign.deleted_at is not None:
        raise DomainError("找不到这个专项行动。")
    return campaign


def _row(session: Session, row_id: str) -> Rectification:
    row = session.get(Rectification, _uuid(row_id, "整改事项"))
    if row is None or row.deleted_at is not None:
        raise DomainError("找不到这项整改，可能已被删除。")
    return row


def _member(session: Session, member_id: str, what: str) -> Member:
    member = session.get(Member, _uuid(member_id, what))
    if member is None or member.deleted_at is not None:
        raise DomainError(f"找不到{what}，可能已从名单中移出。")
    return member


def _terms(text: str) -> list[str]:
    return [w for w in text.replace("\u3000", " ").split() if w]


def _person_filter(value: str, id_column: Any, name_column: Any) -> Any:
    if value.startswith("name:"):
        return and_(id_column.is_(None), name_column == value.removeprefix("name:"))
    return id_column == _uuid(value, "人员")


def _stale_clause(today: dt.date) -> Any:
    since = today - dt.timedelta(days=STALE_DAYS)
    recent = exists().where(
        ProgressNote.rectification_id == R.id,
        ProgressNote.deleted_at.is_(None),
        ProgressNote.noted_on > since,
    )
    day_after = dt.datetime.combine(since + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    return and_(R.state.in_(_OPEN), R.created_at < day_after, ~recent)


_LEADER = aliased(Member)
_OWNER = aliased(Member)
_PAGE_COLUMNS = tuple(
    TABLE.c[name]
    for name in (
        "id",
        "serial",
        "problem_id",
        "area_label",
        "problem_text",
        "source_label",
        "measure",
        "target",
        "responsible_leader_id",
        "leader_name",
        "responsible_department",
        "cooperating_departments",
        "owner_id",
        "owner_name",
        "deadline_kind",
        "deadline",
        "state",
        "signed_off_by_id",
        "signed_off_at",
        "institutional_outcome",
        "remarks",
        "imported_from",
        "created_at",
    )
)
"""What a page of the ledger shows: only these are read and converted."""
_SEARCHED = (
    R.problem_text,
    R.measure,
    R.target,
    R.area_label,
    R.source_label,
    R.responsible_department,
    R.cooperating_departments,
    R.remarks,
    R.leader_name,
    R.owner_name,
    R.institutional_outcome,
)
"""Searched with LIKE where there is no full-text index (PostgreSQL)."""


def _where(
    query: Any, campaign_id: uuid.UUID, f: LedgerFilter, today: dt.date, indexed: str | None
) -> Any:
    """The query narrowed by ``f``; ``indexed``: how to search through the
    full-text index (:func:`_plan`), or None to search with ``LIKE``.

    A search word matches a row whose text contains it, or whose 责任领导 or
    责任人 has it in their name.
    """
    query = query.where(R.campaign_id == campaign_id, R.deleted_at.is_(None))
    if f.states:
        query = query.where(R.state.in_([RectificationState(s) for s in f.states]))
    if f.area:
        query = query.where(R.area_label == f.area)
    if f.leader:
        query = query.where(_person_filter(f.leader, R.responsible_leader_id, R.leader_name))
    if f.owner:
        query = query.where(_person_filter(f.owner, R.owner_id, R.owner_name))
    if f.department:
        query = query.where(
            or_(
                R.responsible_department == f.department,
                R.cooperating_departments.contains(f.department, autoescape=True),
            )
        )
    dated = and_(R.state.in_(_OPEN), R.deadline_kind == DeadlineKind.BY_DATE)
    if f.overdue_only:
        query = query.where(dated, R.deadline < today)
    if f.due_within is not None:
        query = query.where(
            dated, R.deadline >= today, R.deadline <= today + dt.timedelta(days=f.due_within)
        )
    if f.stale_only:
        query = query.where(_stale_clause(today))
    terms = _terms(f.text)
    if indexed is not None:
        words = [p for p in map(search.phrase, terms) if p]
        if words:
            # The rows whose indexed text holds every word (names included).
            keys: Any = (
                select(literal_column("rowid"))
                .select_from(text(search.TABLE))
                .where(
                    text(f"{search.TABLE} MATCH :words").bindparams(
                        words=search.query(campaign_id, words)
                    )
                )
            )
            # "+": test each row read in order against the keys, instead of
            # looking every key up (best when many rows match; see _plan).
            key = literal_column("+rectification.search_key") if indexed == SCAN else R.search_key
            query = query.where(key.in_(keys))
        terms = [t for t in terms if search.phrase(t) is None]  # punctuation only
    for term in terms:
        names = select(Member.id).where(Member.name.contains(term, autoescape=True))
        found: list[Any] = [R.responsible_leader_id.in_(names), R.owner_id.in_(names)]
        found += [c.contains(term, autoescape=True) for c in _SEARCHED]
        query = query.where(or_(*found))
    return query


PROBE, SCAN = "probe", "scan"
MANY_MATCHES = 2000
"""More index matches than this: read rows in order and test them (SCAN)."""


def _indexed_matches(session: Session, campaign_id: uuid.UUID, f: LedgerFilter) -> int | None:
    """How many of the campaign's rows hold the search words, from the index alone."""
    words = [p for p in map(search.phrase, _terms(f.text)) if p]
    if not words:
        return None
    return int(
        session.connection()
        .execute(
            text(f"SELECT count(*) FROM {search.TABLE} WHERE {search.TABLE} MATCH :w"),
            {"w": search.query(campaign_id, words)},
        )
        .scalar_one()
    )


def _only_words(f: LedgerFilter) -> bool:
    """A filter that is a search and nothing else (and every word can be indexed)."""
    plain = LedgerFilter(text=f.text)
    return f == plain and all(search.phrase(t) for t in _terms(f.text))


def _plan(
    session: Session,
    campaign_id: uuid.UUID,
    f: LedgerFilter,
    *,
    page: bool = False,
    matches: int | None = None,
) -> str | None:
    """How to use the full-text index for ``f``: None where there is none.

    A count looks each matching key up (PROBE). A page in 序号 order does
    too when few rows match; when many match it walks the rows in order and
    stops at the page's end (SCAN), which is cheaper than sorting them all.
    ``matches``: the index's count, when the caller has it already.
    """
    connection = session.connection()
    if not search.enabled(connection):
        return None
    if not page:
        return PROBE
    if matches is None:
        matches = _indexed_matches(session, campaign_id, f)
    if matches is None:
        return PROBE
    return SCAN if matches > MANY_MATCHES else PROBE


def _join_names(query: Any) -> Any:
    return query.outerjoin(_LEADER, _LEADER.id == R.responsible_leader_id).outerjoin(
        _OWNER, _OWNER.id == R.owner_id
    )


def _order(sort: str, descending: bool) -> list[Any]:
    if sort not in SORT_KEYS:
        raise DomainError(f"不能按“{sort}”排序。")
    column: Any = {
        "serial": R.serial,
        "area": R.area_label,
        "problem": R.problem_text,
        "department": R.responsible_department,
        "deadline": R.deadline_order,
    }[sort]
    first = column.desc() if descending else column.asc()
    tie = R.serial.desc() if descending else R.serial.asc()
    return [first, tie] if sort != "serial" else [first]


def _sign_off_text(state: RectificationState, at: dt.datetime | None, signer: str) -> str:
    if state is RectificationState.SIGNED_OFF:
        if at is not None:
            when = at.astimezone().date().isoformat()
            return f"已销号（{when}，{signer}）" if signer else f"已销号（{when}）"
        return "已销号"
    if state is RectificationState.AWAITING_SIGN_OFF:
        return "已完成待销号"
    return "未销号"


def _orm_row(row: Rectification, leader: str, owner: str) -> tuple[Any, ...]:
    """An ORM row as a page's plain row: :data:`_PAGE_COLUMNS`, then the two names."""
    return (*(getattr(row, c.key) for c in _PAGE_COLUMNS), leader, owner)


def _views(session: Session, rows: Sequence[Sequence[Any]], today: dt.date) -> list[LedgerRow]:
    """Rows as the ledger shows them, from plain rows (see :func:`_orm_row`).

    Unpacked by position: attribute access on 100 rows of 25 columns was the
    largest cost of showing a page.
    """
    ids = [r[0] for r in rows]
    latest: dict[uuid.UUID, tuple[dt.date, str]] = {}
    counts: dict[uuid.UUID, int] = defaultdict(int)
    evidence: dict[uuid.UUID, int] = {}
    signers: dict[uuid.UUID, str] = {}
    if ids:
        connection = session.connection()
        notes = connection.execute(
            select(ProgressNote.rectification_id, ProgressNote.noted_on, ProgressNote.text)
            .where(ProgressNote.rectification_id.in_(ids), ProgressNote.deleted_at.is_(None))
            .order_by(ProgressNote.noted_on, ProgressNote.created_at)
        )
        for owner_row, noted_on, body in notes:
            latest[owner_row] = (noted_on, body)
            counts[owner_row] += 1
        evidence = dict(
            connection.execute(
                select(Evidence.rectification_id, func.count())
                .where(Evidence.rectification_id.in_(ids), Evidence.deleted_at.is_(None))
                .group_by(Evidence.rectification_id)
            ).all()
        )
        signer_ids = {r[17] for r in rows if r[17]}
        if signer_ids:
            signers = dict(
                connection.execute(
                    select(Member.id, Member.name).where(Member.id.in_(signer_ids))
                ).all()
            )
    since = today - dt.timedelta(days=STALE_DAYS)
    out = []
    for (
        rid,
        serial,
        problem_id,
        area,
        problem,
        source,
        measure,
        target,
        leader_id,
        leader_name,
        department,
        cooperating,
        owner_id,
        owner_name,
        kind,
        deadline,
        state,
        signer_id,
        signed_at,
        institutional,
        remarks,
        imported_from,
        created_at,
        leader,
        owner,
    ) in rows:
        note = latest.get(rid)
        last = note[0] if note is not None else None
        created = created_at.astimezone(dt.UTC).date() if created_at else today
        stale = state in _OPEN and created <= since and (last is None or last <= since)
        out.append(
            LedgerRow(
                id=str(rid),
                serial=serial,
                area=area,
                problem=problem,
                source=source,
                measure=measure,
                target=target,
                leader=leader or leader_name,
                leader_id=str(leader_id) if leader_id else None,
                department=department,
                cooperating=cooperating,
                owner=owner or owner_name,
                owner_id=str(owner_id) if owner_id else None,
                deadline_kind=kind.value,
                deadline=deadline,
                deadline_text=format_deadline(kind, deadline),
                state=state.value,
                state_label=state.label,
                remarks=remarks,
                sign_off=_sign_off_text(state, signed_at, signers.get(signer_id, "")),
                institutional=institutional,
                urgency=urgency(state, kind, deadline, today).value,
                stale=stale,
                last_note_on=last,
                progress=f"{note[0].isoformat()}：{note[1]}" if note is not None else "",
                notes=counts.get(rid, 0),
                evidence=int(evidence.get(rid, 0)),
                problem_id=str(problem_id) if problem_id else None,
                imported_from=imported_from,
            )
        )
    return out


# -------------------------------------------------------------------- reads


def _count(session: Session, cid: uuid.UUID, where: LedgerFilter, today: dt.date) -> int:
    matches: int | None = None
    if search.enabled(session.connection()) and _only_words(where):
        matches = _indexed_matches(session, cid, where)  # the index holds live rows only
    if matches is not None:
        return matches
    query = _where(
        select(func.count()).select_from(R), cid, where, today, _plan(session, cid, where)
    )
    return int(session.scalar(query) or 0)


def _page(
    session: Session,
    cid: uuid.UUID,
    where: LedgerFilter,
    today: dt.date,
    sort: str,
    descending: bool,
    offset: int,
    limit: int,
    matches: int | None = None,
) -> list[LedgerRow]:
    # Plain rows of the table, not ORM objects: a page is read, not changed.
    plan = _plan(session, cid, where, page=sort == "serial", matches=matches)
    query = _where(
        _join_names(select(*_PAGE_COLUMNS, _LEADER.name, _OWNER.name)), cid, where, today, plan
    )
    query = query.order_by(*_order(sort, descending)).offset(offset).limit(limit)
    return _views(session, session.connection().execute(query).all(), today)


def count_rows(
    db: Database, campaign_id: str, f: LedgerFilter | None = None, *, today: dt.date
) -> int:
    with db.read() as session:
        return _count(session, _uuid(campaign_id, "专项行动"), f or LedgerFilter(), today)


def page_rows(
    db: Database,
    campaign_id: str,
    f: LedgerFilter | None = None,
    *,
    today: dt.date,
    sort: str = "serial",
    descending: bool = False,
    offset: int = 0,
    limit: int = 200,
) -> list[LedgerRow]:
    """One page of the ledger, filtered and sorted in the database."""
    with db.read() as session:
        cid = _uuid(campaign_id, "专项行动")
        return _page(session, cid, f or LedgerFilter(), today, sort, descending, offset, limit)


def first_page(
    db: Database,
    campaign_id: str,
    f: LedgerFilter | None = None,
    *,
    today: dt.date,
    sort: str = "serial",
    descending: bool = False,
    limit: int = 50,
) -> tuple[int, list[LedgerRow]]:
    """What the ledger view needs to show an answer: the count and the first page,
    read in one transaction (so they agree)."""
    where = f or LedgerFilter()
    with db.read() as session:
        cid = _uuid(campaign_id, "专项行动")
        total = _count(session, cid, where, today)
        matches = total if _only_words(where) else None
        return total, _page(session, cid, where, today, sort, descending, 0, limit, matches)


def all_rows(
    db: Database, campaign_id: str, f: LedgerFilter | None = None, *, today: dt.date
) -> list[LedgerRow]:
    """Every row in 序号 order (for a printout or a spreadsheet)."""
    out: list[LedgerRow] = []
    while True:
        page = page_rows(db, campaign_id, f, today=today, offset=len(out), limit=2000)
        out += page
        if len(page) < 2000:
            return out


def row_view(db: Database, row_id: str, *, today: dt.date) -> LedgerRow:
    with db.read() as session:
        row = _row(session, row_id)
        leader = row.responsible_leader.name if row.responsible_leader else ""
        owner = row.owner.name if row.owner else ""
        return _views(session, [_orm_row(row, leader, owner)], today)[0]


def row_detail(db: Database, row_id: str, *, today: dt.date) -> RowDetail:
    with db.read() as session:
        row = _row(session, row_id)
        leader = row.responsible_leader.name if row.responsible_leader else ""
        owner = row.owner.name if row.owner else ""
        view = _views(session, [_orm_row(row, leader, owner)], today)[0]
        notes = [
            NoteView(str(n.id), n.noted_on, n.text, n.author.name if n.author else "")
            for n in row.progress_notes
            if n.deleted_at is None
        ]
        files = [
            EvidenceView(str(e.id), e.file_name, e.size, e.sha256, e.description, e.created_at)
            for e in sorted(row.evidence, key=lambda e: e.created_at)
            if e.deleted_at is None
        ]
        slips = session.scalars(
            select(Assignment.number)
            .where(Assignment.rectifications.any(R.id == row.id), Assignment.deleted_at.is_(None))
            .order_by(Assignment.issued_on)
        ).all()
        return RowDetail(
            row=view,
            notes=tuple(notes),
            evidence=tuple(files),
            events=tuple(e.value for e in rectification_events(row.state)),
            returned_reason=row.returned_reason,
            sign_off_note=row.sign_off_note,
            institutional_outcome=row.institutional_outcome,
            institutional_outcome_on=row.institutional_outcome_on,
            assignments=tuple(slips),
        )


def choices(db: Database, campaign_id: str) -> LedgerChoices:
    with db.read() as session:
        campaign = _campaign(session, campaign_id)
        members = session.scalars(
            select(Member)
            .where(Member.unit_id == campaign.unit_id, Member.deleted_at.is_(None))
            .order_by(Member.sort_order, Member.name)
        ).all()
        live = and_(R.campaign_id == campaign.id, R.deleted_at.is_(None))
        areas = [a.title for a in campaign.template.areas]
        areas += [
            a
            for a in session.scalars(select(R.area_label).where(live).distinct()).all()
            if a and a not in areas
        ]
        departments = sorted(
            {
                d
                for d in session.scalars(select(R.responsible_department).where(live).distinct())
                if d
            }
            | {m.department for m in members if m.department}
        )
        leader_names = session.scalars(
            select(R.leader_name).where(live, R.responsible_leader_id.is_(None)).distinct()
        ).all()
        owner_names = session.scalars(
            select(R.owner_name).where(live, R.owner_id.is_(None)).distinct()
        ).all()
        leaders = [(str(m.id), m.name) for m in members if m.is_leader]
        leaders += [(f"name:{n}", n) for n in sorted(leader_names) if n]
        owners = [(str(m.id), m.name) for m in members]
        owners += [(f"name:{n}", n) for n in sorted(owner_names) if n]
        return LedgerChoices(
            areas=tuple(areas),
            states=tuple((s.value, s.label) for s in RectificationState),
            leaders=tuple(leaders),
            owners=tuple(owners),
            departments=tuple(departments),
            signers=tuple((str(m.id), m.name) for m in members if m.is_leader),
            members=tuple((str(m.id), m.name) for m in members),
        )


def group_counts(
    db: Database, campaign_id: str, by: str, f: LedgerFilter | None = None, *, today: dt.date
) -> list[Group]:
    """Rows per 责任领导 (``by="leader"``) or per 责任部门 (``"department"``)."""
    if by not in ("leader", "department"):
        raise DomainError(f"不能按“{by}”分组。")
    cid = _uuid(campaign_id, "专项行动")
    overdue = and_(
        R.state.in_(_OPEN),
        R.deadline_kind == DeadlineKind.BY_DATE,
        R.deadline < today,
    )
    measures = (
        func.count(R.id),
        func.sum(case((R.state.in_(_OPEN), 1), else_=0)),
        func.sum(case((R.state == RectificationState.AWAITING_SIGN_OFF, 1), else_=0)),
        func.sum(case((R.state == RectificationState.SIGNED_OFF, 1), else_=0)),
        func.sum(case((overdue, 1), else_=0)),
    )
    with db.read() as session:
        groups: list[Group] = []
        if by == "leader":
            query = _where(
                select(R.responsible_leader_id, R.leader_name, *measures),
                cid,
                f or LedgerFilter(),
                today,
                _plan(session, cid, f or LedgerFilter()),
            )
            found = session.execute(query.group_by(R.responsible_leader_id, R.leader_name)).all()
            names = dict(
                session.execute(
                    select(Member.id, Member.name).where(
                        Member.id.in_([g[0] for g in found if g[0] is not None])
                    )
                ).all()
            )
            for leader_id, name, *n in found:
                if leader_id is not None:
                    key, label = str(leader_id), names.get(leader_id, "")
                elif name:
                    key, label = f"name:{name}", name
                else:
                    key, label = "name:", "（未定责任领导）"
                groups.append(Group(key, label, *(int(x or 0) for x in n)))
        else:
            query = _where(
                select(R.responsible_department, *measures),
                cid,
                f or LedgerFilter(),
                today,
                _plan(session, cid, f or LedgerFilter()),
            )
            for dept, *n in session.execute(query.group_by(R.responsible_department)).all():
                groups.append(Group(dept, dept or "（未定责任部门）", *(int(x or 0) for x in n)))
        groups.sort(key=lambda g: (-g.open - g.awaiting, g.label))
        return groups


def reminders(db: Database, campaign_id: str, *, today: dt.date) -> Reminders:
    """到期提醒: overdue, due in 3 days, in 4–7 days, and rows with no note in 30 days."""
    cid = _uuid(campaign_id, "专项行动")
    with db.read() as session:
        due_3 = _count(session, cid, LedgerFilter(due_within=3), today)
        return Reminders(
            overdue=_count(session, cid, LedgerFilter(overdue_only=True), today),
            due_3=due_3,
            due_7=_count(session, cid, LedgerFilter(due_within=7), today) - due_3,
            stale=_count(session, cid, LedgerFilter(stale_only=True), today),
        )


# ------------------------------------------------------------------- writes


def _next_serial(session: Session, campaign_id: uuid.UUID) -> int:
    top = session.scalar(
        select(func.max(R.serial)).where(R.campaign_id == campaign_id, R.deleted_at.is_(None))
    )
    return int(top or 0) + 1


def _check_person(
    session: Session, campaign: Campaign, member_id: str | None, what: str
) -> uuid.UUID | None:
    if not member_id:
        return None
    member = _member(session, member_id, what)
    if member.unit_id != campaign.unit_id:
        raise DomainError(f"{what}不是本单位的人员。")
    return member.id


@office
def add_row(db: Database, campaign_id: str, given: RowInput) -> str:
    """A row typed into the ledger; 序号 follows the last row."""
    if not given.problem_text.strip():
        raise DomainError("请填写具体问题。")
    if not given.measure.strip():
        raise DomainError("请填写整改措施。")
    with db.transaction() as session:
        campaign = _campaign(session, campaign_id)
        row = Rectification(
            campaign_id=campaign.id,
            serial=_next_serial(session, campaign.id),
            problem_text=given.problem_text.strip(),
            area_label=given.area_label.strip(),
            source_label=given.source_label.strip(),
            measure=given.measure.strip(),
            target=given.target.strip(),
            responsible_leader_id=_check_person(
                session, campaign, given.responsible_leader_id, "责任领导"
            ),
            leader_name="" if given.responsible_leader_id else given.leader_name.strip(),
            responsible_department=given.responsible_department.strip(),
            cooperating_departments=given.cooperating_departments.strip(),
            owner_id=_check_person(session, campaign, given.owner_id, "责任人"),
            owner_name="" if given.owner_id else given.owner_name.strip(),
            deadline_kind=given.deadline_kind,
            deadline=given.deadline if given.deadline_kind is DeadlineKind.BY_DATE else None,
            state=RectificationState.PENDING,
            remarks=given.remarks.strip(),
        )
        session.add(row)
        session.flush()
        return str(row.id)


def _value_of(row: Rectification, key: str) -> Any:
    value = getattr(row, key)
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


@office
def update_row(db: Database, row_id: str, changes: Mapping[str, Any]) -> dict[str, Any]:
    """Change some of a row's :data:`EDITABLE` columns; returns their old values (for undo).

    Values are as stored: text, a date, a :class:`DeadlineKind`, a member id
    as text (or None). A signed-off row is the record of a leader's decision:
    only its 备注 can change until it is reopened.
    """
    unknown = set(changes) - EDITABLE
    if unknown:
        raise DomainError(f"台账中的“{'、'.join(sorted(unknown))}”不能在这里修改。")
    with db.transaction() as session:
        row = _row(session, row_id)
        campaign = row.campaign
        if row.state is RectificationState.SIGNED_OFF and set(changes) - {"remarks"}:
            raise DomainError("这项整改已销号，内容不能再改；如需改动，请先“重新打开”。")
        old = {key: _value_of(row, key) for key in changes}
        for key, value in changes.items():
            if key in ("responsible_leader_id", "owner_id"):
                what = "责任领导" if key == "responsible_leader_id" else "责任人"
                value = _check_person(session, campaign, value, what)
            elif key == "deadline_kind":
                value = DeadlineKind(value)
            elif key == "deadline":
                if value is not None and not isinstance(value, dt.date):
                    raise DomainError("完成时限应为日期。")
            elif key in ("problem_text", "measure"):
                value = str(value).strip()
                if not value:
                    raise DomainError("具体问题和整改措施不能为空。")
            else:
                value = str(value).strip()
            setattr(row, key, value)
        if row.deadline_kind is not DeadlineKind.BY_DATE:
            row.deadline = None
        return old


@office
def delete_row(db: Database, row_id: str) -> None:
    """Take a row out of the ledger (kept in the database, as every deletion is)."""
    with db.transaction() as session:
        row = _row(session, row_id)
        if row.state is RectificationState.SIGNED_OFF:
            raise DomainError("已销号的整改事项不能删除。")
        row.deleted_at = utcnow()
        if row.problem is not None and row.problem.status is ProblemStatus.IN_LEDGER:
            others = session.scalar(
                select(func.count(R.id)).where(
                    R.problem_id == row.problem_id, R.id != row.id, R.deleted_at.is_(None)
                )
            )
            if not others:
                row.problem.status = ProblemStatus.RAISED


def _combined_deadline(problem: Problem) -> tuple[DeadlineKind, dt.date | None]:
    measures = [m for m in problem.measures if m.deleted_at is None]
    dates = [m.deadline for m in measures if m.deadline_kind is DeadlineKind.BY_DATE and m.deadline]
    if dates:
        return DeadlineKind.BY_DATE, max(dates)
    kinds = {m.deadline_kind for m in measures}
    if DeadlineKind.ONGOING in kinds:
        return DeadlineKind.ONGOING, None
    if kinds == {DeadlineKind.IMMEDIATE}:
        return DeadlineKind.IMMEDIATE, None
    return DeadlineKind.BY_DATE, None


@office
def rows_from_problems(db: Database, campaign_id: str, problem_ids: Iterable[str]) -> int:
    """Open one ledger row per problem not yet in the ledger; returns how many.

    The row copies the problem's text, area and channel, and its measures
    (numbered when there are several); the deadline is the last dated one.
    The 责任领导 is the owner when a leader, else the leader whose 分管 covers
    the owner's department, else the party secretary; a team problem's is
    the party secretary.
    """
    wanted = [_uuid(p, "问题") for p in problem_ids]
    if not wanted:
        raise DomainError("请先选择要列入台账的问题。")
    with db.transaction() as session:
        campaign = _campaign(session, campaign_id)
        problems = session.scalars(
            select(Problem).where(
                Problem.id.in_(wanted),
                Problem.campaign_id == campaign.id,
                Problem.deleted_at.is_(None),
            )
        ).all()
        done = set(
            session.scalars(
                select(R.problem_id).where(R.problem_id.in_(wanted), R.deleted_at.is_(None))
            ).all()
        )
        members = session.scalars(
            select(Member).where(Member.unit_id == campaign.unit_id, Member.deleted_at.is_(None))
        ).all()
        leaders = [m for m in members if m.is_leader]
        secretary = next((m for m in leaders if m.is_party_secretary), None)
        order = {pid: n for n, pid in enumerate(wanted)}
        serial = _next_serial(session, campaign.id)
        added = 0
        for problem in sorted(problems, key=lambda p: order[p.id]):
            if problem.id in done:
                continue
            owner = problem.owner_member
            leader = responsible_leader(owner, leaders, secretary)
            measures = [m for m in problem.measures if m.deleted_at is None]
            if len(measures) > 1:
                text = "\n".join(f"{n}. {m.text}" for n, m in enumerate(measures, 1))
            else:
                text = measures[0].text if measures else ""
            kind, deadline = _combined_deadline(problem)
            session.add(
                Rectification(
                    campaign_id=campaign.id,
                    serial=serial,
                    problem_id=problem.id,
                    problem_text=problem.text,
                    area_label=problem.area.title if problem.area else "",
                    source_label=problem.source.label,
                    measure=text,
                    target=next((m.target for m in measures if m.target), ""),
                    responsible_leader_id=leader.id if leader else None,
                    responsible_department=owner.department if owner else "",
                    owner_id=owner.id if owner else None,
                    deadline_kind=kind,
                    deadline=deadline,
                    state=RectificationState.PENDING,
                    remarks="共性问题" if problem.is_common else "",
                )
            )
            if problem.status is ProblemStatus.RAISED:
                problem.status = ProblemStatus.IN_LEDGER
            serial += 1
            added += 1
        return added


# -------------------------------------------------------------- the states


def _step(row: Rectification, event: RectificationEvent) -> None:
    row.state = rectification_step(row.state, event)


@office
def start(db: Database, row_id: str) -> None:
    with db.transaction() as session:
        _step(_row(session, row_id), RectificationEvent.START)


@office
def report_complete(db: Database, row_id: str) -> None:
    """整改完成, awaiting a leader's 销号."""
    with db.transaction() as session:
        row = _row(session, row_id)
        _step(row, RectificationEvent.COMPLETE)
        row.completed_at = utcnow()
        row.returned_reason = ""


@allowed(SECRETARY, LEADER)
def sign_off(db: Database, row_id: str, signer_id: str, note: str) -> None:
    """销号 by a leader, with the verification note; the evidence is the row's files.

    Refused (here, whoever calls) unless the signer is a member of the unit
    marked as a leader.
    """
    with db.transaction() as session:
        row = _row(session, row_id)
        signer = _member(session, signer_id, "销号的领导")
        if signer.unit_id != row.campaign.unit_id or not signer.is_leader:
            raise DomainError(
                f"{signer.name}不是领导班子成员，不能销号。只有班子成员才能对整改事项销号。"
            )
        if not note.strip():
            raise DomainError("请写明销号意见（核查了什么、是否同意销号）。")
        _step(row, RectificationEvent.SIGN_OFF)
        row.signed_off_by_id = signer.id
        row.signed_off_at = utcnow()
        row.sign_off_note = note.strip()
        if row.problem is not None:
            row.problem.status = ProblemStatus.CLOSED


@office
def return_for_rework(db: Database, row_id: str, reason: str) -> None:
    """退回: the completion is not accepted; the row goes back to 整改中."""
    if not reason.strip():
        raise DomainError("退回时请写明理由，责任人才知道还差什么。")
    with db.transaction() as session:
        row = _row(session, row_id)
        _step(row, RectificationEvent.RETURN)
        row.returned_reason = reason.strip()
        row.completed_at = None


@office
def reopen(db: Database, row_id: str, reason: str) -> None:
    """A signed-off row found wanting in a later 盘点 is opened again."""
    if not reason.strip():
        raise DomainError("重新打开时请写明理由。")
    with db.transaction() as session:
        row = _row(session, row_id)
        _step(row, RectificationEvent.REOPEN)
        row.returned_reason = reason.strip()
        row.signed_off_by_id = None
        row.signed_off_at = None
        row.sign_off_note = ""
        row.completed_at = None
        if row.problem is not None and row.problem.status is ProblemStatus.CLOSED:
            row.problem.status = ProblemStatus.IN_LEDGER


# ------------------------------------------------------ notes and evidence


@office
def add_progress_note(
    db: Database, row_id: str, text: str, on: dt.date, author_id: str | None = None
) -> str:
    """Append a dated 整改进展 note; notes are never changed or removed.

    A note on a row still 待整改 means the work has begun: it moves to 整改中.
    """
    if not text.strip():
        raise DomainError("进展内容不能为空。")
    with db.transaction() as session:
        row = _row(session, row_id)
        if row.state is RectificationState.SIGNED_OFF:
            raise DomainError("这项整改已销号，不再记录进展；如需补充，请先“重新打开”。")
        author = _member(session, author_id, "记录人").id if author_id else None
        note = ProgressNote(
            rectification_id=row.id, noted_on=on, text=text.strip(), author_id=author
        )
        session.add(note)
        if row.state is RectificationState.PENDING:
            _step(row, RectificationEvent.START)
        session.flush()
        return str(note.id)


def _hash_file(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


@office
def attach_evidence(
    db: Database, evidence_dir: Path, row_id: str, path: Path, description: str = ""
) -> str:
    """Copy a file into the data folder's evidence store and record it on the row.

    Stored under its SHA-256, so the same scan attached twice is kept once
    and a changed file on disk is noticed when opened. Refuses a missing,
    empty or oversized file with a message naming it; nothing is recorded
    unless the copy is complete.
    """
    path = Path(path)
    if not path.is_file():
        raise InputRefused(f"找不到文件 {path}，或者它是一个文件夹。")
    try:
        size = path.stat().st_size
        if size == 0:
            raise InputRefused(f"文件 {path} 是空的，不能作为佐证材料。")
        if size > EVIDENCE_MAX_BYTES:
            raise InputRefused(
                f"文件 {path} 有 {size / 1048576:.0f} MB，"
                f"超过了 {EVIDENCE_MAX_BYTES // 1048576} MB 的上限。请压缩图片或拆分扫描件后再添加"
            )
        sha, size = _hash_file(path)
        stored = f"{sha[:2]}/{sha}{path.suffix.lower()}"
        target = evidence_dir / stored
        key = kept.key_of(evidence_dir)
        if not target.exists():
            kept.write(target, path, key)  # sealed while the data has a password
            if kept.digest(target, key)[0] != sha:  # the file changed while it was copied
                target.unlink(missing_ok=True)
                raise InputRefused(
                    f"文件 {path} 在复制时被改动了，请关闭正在编辑它的程序后再添加。"
                )
    except OSError as exc:
        raise InputRefused(
            f"无法复制佐证材料 {path}（{exc.strerror or exc}），磁盘可能已满或没有写入权限。"
        ) from exc
    with db.transaction() as session:
        row = _row(session, row_id)
        item = Evidence(
            rectification_id=row.id,
            file_name=path.name,
            stored_name=stored,
            sha256=sha,
            size=size,
            description=description.strip(),
        )
        session.add(item)
        session.flush()
        return str(item.id)


def evidence_file(db: Database, evidence_dir: Path, evidence_id: str) -> Path:
    """The stored copy of an evidence file, checked against its recorded hash."""
    with db.read() as session:
        item = session.get(Evidence, _uuid(evidence_id, "佐证材料"))
        if item is None or item.deleted_at is not None:
            raise DomainError("找不到这份佐证材料。")
        path = evidence_dir / item.stored_name
        name, sha = item.file_name, item.sha256
    if not path.is_file():
        raise InputRefused(f"佐证材料“{name}”的存档副本 {path} 不见了，请从备份中恢复数据文件夹。")
    key = kept.key_of(evidence_dir)
    if kept.digest(path, key)[0] != sha:
        raise InputRefused(f"佐证材料“{name}”的存档副本 {path} 与添加时不一致，可能被改动过。")
    # Sealed while the data has a password: a plain copy for this run, for the viewer.
    return kept.opened_copy(path, key, name)


@office
def set_institutional_outcome(db: Database, row_id: str, title: str, on: dt.date | None) -> None:
    """建章立制: the new rule this rectification produced, and when it was issued."""
    with db.transaction() as session:
        row = _row(session, row_id)
        row.institutional_outcome = title.strip()
        row.institutional_outcome_on = on if title.strip() else None


# ------------------------------------------------ 交办单 and escalation


def _assignment_view(
    session: Session, a: Assignment, today: dt.date, with_rows: bool
) -> AssignmentView:
    to = a.issued_to_member.name if a.issued_to_member else a.issued_to_department
    rows: list[LedgerRow] = []
    if with_rows:
        live = sorted((r for r in a.rectifications if r.deleted_at is None), key=lambda r: r.serial)
        rows = _views(
            session,
            [
                _orm_row(
                    r,
                    r.responsible_leader.name if r.responsible_leader else "",
                    r.owner.name if r.owner else "",
                )
                for r in live
            ],
            today,
        )
    return AssignmentView(
        id=str(a.id),
        number=a.number,
        issued_to=to,
        issued_by=a.issued_by.name if a.issued_by else "",
        issued_on=a.issued_on,
        due_date=a.due_date,
        received_on=a.received_on,
        note=a.note,
        rows=tuple(rows),
    )


@office
def issue_assignment(
    db: Database,
    campaign_id: str,
    row_ids: Sequence[str],
    *,
    to_member_id: str | None = None,
    to_department: str = "",
    due: dt.date,
    issued_on: dt.date,
    issued_by_id: str | None = None,
    note: str = "",
) -> AssignmentView:
    """A 交办单 for the chosen rows, to a member or a department; numbered 整改交办〔年〕N号."""
    if not row_ids:
        raise DomainError("请先选择要交办的整改事项。")
    if bool(to_member_id) == bool(to_department.strip()):
        raise DomainError("请选择交办给一个人或一个部门。")
    if due < issued_on:
        raise DomainError("办结时限不能早于交办日期。")
    with db.transaction() as session:
        campaign = _campaign(session, campaign_id)
        rows = [_row(session, r) for r in row_ids]
        if any(r.campaign_id != campaign.id for r in rows):
            raise DomainError("所选整改事项不属于这个专项行动。")
        signed = [r.serial for r in rows if r.state is RectificationState.SIGNED_OFF]
        if signed:
            raise DomainError(f"第 {'、'.join(map(str, signed))} 项已销号，不需要再交办。")
        year = issued_on.year
        count = session.scalar(
            select(func.count(Assignment.id)).where(
                Assignment.campaign_id == campaign.id,
                Assignment.number.like(f"%〔{year}〕%"),
            )
        )
        slip = Assignment(
            campaign_id=campaign.id,
            number=f"整改交办〔{year}〕{int(count or 0) + 1}号",
            issued_by_id=_check_person(session, campaign, issued_by_id, "交办人"),
            issued_to_member_id=_check_person(session, campaign, to_member_id, "承办人"),
            issued_to_department=to_department.strip(),
            issued_on=issued_on,
            due_date=due,
            note=note.strip(),
        )
        slip.rectifications = rows
        session.add(slip)
        session.flush()
        return _assignment_view(session, slip, issued_on, with_rows=True)


@office
def record_receipt(db: Database, assignment_id: str, on: dt.date) -> None:
    """The 交办单 was received (signed for) on ``on``."""
    with db.transaction() as session:
        slip = session.get(Assignment, _uuid(assignment_id, "交办单"))
        if slip is None or slip.deleted_at is not None:
            raise DomainError("找不到这份交办单。")
        if slip.issued_on is not None and on < slip.issued_on:
            raise DomainError("签收日期不能早于交办日期。")
        slip.received_on = on


def list_assignments(db: Database, campaign_id: str, *, today: dt.date) -> list[AssignmentView]:
    with db.read() as session:
        campaign = _campaign(session, campaign_id)
        slips = session.scalars(
            select(Assignment)
            .where(Assignment.campaign_id == campaign.id, Assignment.deleted_at.is_(None))
            .order_by(Assignment.issued_on, Assignment.number)
        ).all()
        return [_assignment_view(session, a, today, with_rows=True) for a in slips]


def assignment_text(view: AssignmentView, unit: str = "") -> str:
    """A 交办单 as plain text, for a quick print (the laid-out one is a report)."""
    lines = [f"{unit}整改事项交办单".strip(), view.number, ""]
    lines.append(f"承办：{view.issued_to}")
    lines.append(f"交办日期：{view.issued_on.isoformat() if view.issued_on else '—'}")
    lines.append(f"办结时限：{view.due_date.isoformat() if view.due_date else '—'}")
    lines.append("")
    for n, row in enumerate(view.rows, 1):
        lines.append(f"{n}. （台账第 {row.serial} 项）{row.problem}")
        lines.append(f"   整改措施：{row.measure}")
        lines.append(f"   完成时限：{row.deadline_text}")
    if view.note:
        lines += ["", f"要求：{view.note}"]
    lines += [
        "",
        f"交办人：{view.issued_by or '　　　　'}",
        "签收人：　　　　　　签收日期：　　年　　月　　日",
    ]
    return "\n".join(lines)


@office
def escalate(
    db: Database,
    campaign_id: str,
    member_id: str,
    level: EscalationLevel,
    *,
    on: dt.date,
    by_id: str | None,
    reason: str,
    row_id: str | None = None,
) -> str:
    """Record a 提醒 / 函询 / 诫勉 / 严肃处理 of a member, with date, by whom and why."""
    if not reason.strip():
        raise DomainError("请写明事由。")
    with db.transaction() as session:
        campaign = _campaign(session, campaign_id)
        member = _member(session, member_id, "被提醒的人")
        if member.unit_id != campaign.unit_id:
            raise DomainError(f"{member.name}不是本单位的人员。")
        step = Escalation(
            campaign_id=campaign.id,
            member_id=member.id,
            rectification_id=_row(session, row_id).id if row_id else None,
            level=level,
            on_date=on,
            by_id=_check_person(session, campaign, by_id, "处理人"),
            reason=reason.strip(),
        )
        session.add(step)
        session.flush()
        return str(step.id)


def list_escalations(db: Database, campaign_id: str) -> list[EscalationView]:
    with db.read() as session:
        campaign = _campaign(session, campaign_id)
        steps = session.scalars(
            select(Escalation)
            .where(Escalation.campaign_id == campaign.id, Escalation.deleted_at.is_(None))
            .order_by(Escalation.on_date.desc(), Escalation.created_at.desc())
        ).all()
        serials = dict(
            session.execute(
                select(R.id, R.serial).where(
                    R.id.in_([s.rectification_id for s in steps if s.rectification_id])
                )
            ).all()
        )
        return [
            EscalationView(
                id=str(s.id),
                member=s.member.name,
                level=s.level.value,
                level_label=s.level.label,
                on_date=s.on_date,
                by=s.by.name if s.by else "",
                reason=s.reason,
                row_serial=serials.get(s.rectification_id) if s.rectification_id else None,
            )
            for s in steps
        ]


def suggest_escalations(
    db: Database, campaign_id: str, *, today: dt.date, wait_days: int = ESCALATION_WAIT_DAYS
) -> list[Suggestion]:
    """Members with overdue rows: 提醒 first, then the next level once a step is
    ``wait_days`` old and rows are still overdue (until then the member is
    listed as being watched). 严肃处理 is the last level. The 党组书记 is left
    out: the unit's principal is answerable to the level above, not the office."""
    with db.read() as session:
        campaign = _campaign(session, campaign_id)
        overdue = session.execute(
            select(R.owner_id, R.serial).where(
                R.campaign_id == campaign.id,
                R.deleted_at.is_(None),
                R.owner_id.is_not(None),
                R.state.in_(_OPEN),
                R.deadline_kind == DeadlineKind.BY_DATE,
                R.deadline < today,
            )
        ).all()
        by_member: dict[uuid.UUID, list[int]] = defaultdict(list)
        for owner_id, serial in overdue:
            if owner_id is not None:
                by_member[owner_id].append(serial)
        if not by_member:
            return []
        last: dict[uuid.UUID, Escalation] = {}
        step: Escalation | None
        for step in session.scalars(
            select(Escalation)
            .where(
                Escalation.campaign_id == campaign.id,
                Escalation.deleted_at.is_(None),
                Escalation.member_id.in_(list(by_member)),
            )
            .order_by(Escalation.on_date, Escalation.created_at)
        ):
            last[step.member_id] = step
        members = {
            m.id: m for m in session.scalars(select(Member).where(Member.id.in_(list(by_member))))
        }
        out = []
        for member_id, serials in by_member.items():
            member = members[member_id]
            if member.is_party_secretary:
                continue
            step = last.get(member_id)
            waiting = None
            if step is None:
                level: EscalationLevel | None = EscalationLevel.REMIND
                since = ""
            else:
                since = f"{step.on_date.isoformat()} {step.level.label}"
                level = step.level.next()
                if (today - step.on_date).days < wait_days:
                    waiting = step.on_date + dt.timedelta(days=wait_days)
            if level is None:
                continue
            out.append(
                Suggestion(
                    member_id=str(member_id),
                    member=member.name,
                    level=level.value,
                    level_label=level.label,
                    overdue_rows=tuple(sorted(serials)),
                    last_step=since,
                    waiting_until=waiting,
                )
            )
        out.sort(
            key=lambda s: (
                s.waiting_until is not None,
                -list(EscalationLevel).index(EscalationLevel(s.level)),
                s.member,
            )
        )
        return out
