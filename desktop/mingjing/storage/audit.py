"""The append-only, hash-chained audit trail.

Mapper events note every insert, update and delete of an entity (orphans
and cascades included; a delete keeps the whole row), and an
``after_flush`` hook appends them as :class:`AuditEntry` rows in the same
transaction, so a change and its record commit or roll back together.
Bulk ORM statements, which would bypass the events, are refused.

Each entry's hash covers its content and the previous entry's hash;
editing, deleting or reordering rows behind the program's back breaks the
chain at that point, and :func:`verify_chain` reports the first broken link.

Concurrency: on SQLite every writing transaction begins IMMEDIATE, so
writers take turns; on PostgreSQL an advisory transaction lock does the
same. ``seq`` is the primary key and the previous ``seq`` plus one, so even
a writer that slipped past both could not fork the chain: its insert would
fail and its transaction roll back.
"""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import functools
import hashlib
import json
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Table, event, insert, inspect, select, text
from sqlalchemy.orm import Mapper, ORMExecuteState, Session, UOWTransaction, object_session

from mingjing.domain.base import Entity, utcnow
from mingjing.domain.models import AuditEntry

GENESIS = "0" * 64
ACTOR_KEY = "mingjing.actor"
_SKIP = frozenset({"updated_at", "revision"})
_PENDING_KEY = "mingjing.audit.pending"
AUDIT_TABLE: Table = AuditEntry.__table__  # type: ignore[assignment]
_PG_LOCK_KEY = 0x6D696E676A696E67 & 0x7FFFFFFFFFFFFFFF  # "mingjing"


def _plain(value: Any) -> Any:
    """A JSON-stable form of a column value."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return str(value)


def _blank(value: Any) -> bool:
    """Nothing worth recording on create: None, or an empty text, list or mapping.

    (Not ``value in (None, "", [], {})``: that compares every UUID and date with
    each of them, which an import of thousands of rows feels.)
    """
    return value is None or (isinstance(value, str | list | dict) and not value)


def entry_hash(
    *,
    seq: int,
    at: dt.datetime,
    actor: str,
    action: str,
    entity: str,
    entity_id: str,
    changes: dict[str, Any],
    prev_hash: str,
) -> str:
    payload = {
        "seq": seq,
        "at": at.astimezone(dt.UTC).isoformat(),
        "actor": actor,
        "action": action,
        "entity": entity,
        "entity_id": entity_id,
        "changes": changes,
        "prev": prev_hash,
    }
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def digest_of(entry: AuditEntry) -> str:
    """The hash an entry must carry, from its content and its predecessor's hash."""
    return entry_hash(
        seq=entry.seq,
        at=entry.at,
        actor=entry.actor,
        action=entry.action,
        entity=entry.entity,
        entity_id=entry.entity_id,
        changes=entry.changes,
        prev_hash=entry.prev_hash,
    )


@functools.cache
def _audited_columns(mapper: Mapper[Any]) -> tuple[str, ...]:
    return tuple(a.key for a in mapper.column_attrs if a.key not in _SKIP)


@functools.cache
def _link_tables(mapper: Mapper[Any]) -> tuple[str, ...]:
    """Many-to-many relationships: their changes belong to the row's entry."""
    return tuple(r.key for r in mapper.relationships if r.secondary is not None)


def _changes(obj: Entity, action: str) -> dict[str, Any]:
    """What changed: new values on create, [old, new] on update, everything on delete."""
    state = inspect(obj)
    changes: dict[str, Any] = {}
    columns = _audited_columns(state.mapper)
    if action in ("create", "delete"):
        # Straight from the row's dict: this runs for every row an import writes.
        values = state.dict
        for key in columns:
            value = values.get(key)
            if action == "delete" or not _blank(value):
                changes[key] = _plain(value)
    else:
        for key in columns:
            hist = state.attrs[key].history
            if hist.has_changes():
                old = hist.deleted[0] if hist.deleted else None
                new = hist.added[0] if hist.added else None
                if old != new:
                    changes[key] = [_plain(old), _plain(new)]
    if action == "delete":
        return changes
    for key in _link_tables(state.mapper):
        if key not in state.dict and action == "create":
            continue  # never touched: nothing linked
        hist = state.attrs[key].history
        if hist.added or hist.deleted:
            changes[key] = {
                "added": sorted(str(o.id) for o in hist.added),
                "removed": sorted(str(o.id) for o in hist.deleted),
            }
    return changes


@functools.cache
def _python_defaults(table: Table) -> tuple[tuple[str, Any], ...]:
    """(column, default) for columns whose default Python computes (scalars, callables)."""
    found = []
    for column in table.columns:
        default = column.default
        if default is not None and (default.is_scalar or default.is_callable):
            found.append((column.key, default))
    return tuple(found)


def insert_rows(
    session: Session,
    batches: list[tuple[type[Entity], list[dict[str, Any]]]],
    *,
    entry: tuple[str, str, str, dict[str, Any]] | None = None,
) -> int:
    """Insert new rows, table by table in the order given, with their audit entries.

    For imports that create many rows at once: the unit of work costs about
    half a millisecond a row, which an import of hundreds of files feels.
    Column defaults are filled in here, as a flush would, so each audit
    entry holds exactly what a flush of the same objects would have recorded
    (a test compares the two); the entries are appended once, after all
    batches. Nothing else may be pending in ``session``.

    ``entry`` (action, entity, entity id, changes) records the insert as one
    act instead of one entry a row: an import whose changes hold the whole
    file it read, so the trail keeps what came in without an entry for each
    of its rows. Returns the number of rows inserted.
    """
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("insert_rows needs a session with nothing pending: flush first")
    conn = session.connection()
    pending = [] if entry is None else [entry]
    inserted = 0
    for model, given in batches:
        if not given:
            continue
        table: Table = model.__table__  # type: ignore[assignment]
        defaults = _python_defaults(table)
        rows = []
        for row in given:
            full = dict(row)
            for key, default in defaults:
                if key not in full:
                    full[key] = default.arg if default.is_scalar else default.arg(None)
            rows.append(full)
        conn.execute(insert(table), rows)
        inserted += len(rows)
        if entry is not None:
            continue
        columns = _audited_columns(inspect(model))
        for full in rows:
            changes = {}
            for key in columns:
                value = full.get(key)
                if not _blank(value):
                    changes[key] = _plain(value)
            pending.append(("create", table.name, str(full["id"]), changes))
    if pending and ACTOR_KEY in session.info:  # as the mapper events: no actor, no audit
        actor = str(session.info[ACTOR_KEY]) or "未知用户"
        append_entries(conn, actor, pending)
    return inserted


def _recorder(action: str) -> Callable[[Mapper[Any], Connection, Entity], None]:
    """A mapper event hook that notes one row's change for the flush's entries.

    Mapper events see every row the unit of work writes, including orphans
    removed from a collection and ORM cascades, which a look at
    ``session.new/dirty/deleted`` before the flush would miss.
    """

    def note(mapper: Mapper[Any], connection: Connection, target: Entity) -> None:
        session = object_session(target)
        if session is None or ACTOR_KEY not in session.info:
            return
        changes = _changes(target, action)
        if action == "update" and not changes:
            return
        pending = session.info.setdefault(_PENDING_KEY, [])
        pending.append((action, type(target).__tablename__, str(target.id), changes))

    return note


for _event, _action in (
    ("after_insert", "create"),
    ("after_update", "update"),
    ("after_delete", "delete"),
):
    event.listen(Entity, _event, _recorder(_action), propagate=True)


def _after_flush(session: Session, flush_context: UOWTransaction) -> None:
    """Append the flush's changes to the chain, in the same transaction."""
    pending: list[tuple[str, str, str, dict[str, Any]]] = session.info.pop(_PENDING_KEY, [])
    if not pending:
        return
    actor = str(session.info.get(ACTOR_KEY, "")) or "未知用户"
    conn = session.connection()
    append_entries(conn, actor, pending)


def append_entry(
    conn: Connection,
    *,
    actor: str,
    action: str,
    entity: str,
    entity_id: str,
    changes: dict[str, Any],
) -> None:
    """Append one entry that no row change produced (a restore, an import…)."""
    append_entries(conn, actor, [(action, entity, entity_id, changes)])


ANONYMOUS = frozenset({"opinion"})
"""Tables whose entries keep the day only: 征求意见 are anonymous, and the hour they
were typed in could point at whoever came to the office then."""


def _day(moment: Any) -> Any:
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def append_entries(
    conn: Connection, actor: str, pending: list[tuple[str, str, str, dict[str, Any]]]
) -> None:
    if conn.dialect.name == "postgresql":
        # Writers on a shared server take turns at the head of the chain.
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
    table = AUDIT_TABLE
    head = conn.execute(
        select(table.c.seq, table.c.hash).order_by(table.c.seq.desc()).limit(1)
    ).first()
    seq, prev = (int(head[0]), str(head[1])) if head is not None else (0, GENESIS)
    at = utcnow()
    rows: list[dict[str, Any]] = []
    for action, entity, entity_id, changes in pending:
        seq += 1
        row: dict[str, Any] = {
            "seq": seq,
            "at": _day(at) if entity in ANONYMOUS else at,
            "actor": actor,
            "action": action,
            "entity": entity,
            "entity_id": entity_id,
            "changes": changes,
            "prev_hash": prev,
        }
        row["hash"] = prev = entry_hash(**row)
        rows.append(row)
    conn.execute(insert(table), rows)


def _after_rollback(session: Session, previous_transaction: object) -> None:
    session.info.pop(_PENDING_KEY, None)


def _refuse_bulk(state: ORMExecuteState) -> None:
    """Bulk ORM statements skip the mapper events, so they would skip the audit."""
    if state.is_insert or state.is_update or state.is_delete:
        raise RuntimeError("bulk ORM INSERT/UPDATE/DELETE bypass the audit trail: change rows")


def install(session_factory: Any) -> None:
    """Attach the audit hooks to a new ``sessionmaker``; call once per factory.

    Deliberately no ``event.contains`` guard: SQLAlchemy's event registry is
    keyed by ``id()``, and a new factory that reuses a collected one's id was
    seen to be reported as already listening, which silently switched the
    audit trail off for that database.
    """
    event.listen(session_factory, "after_flush", _after_flush)
    event.listen(session_factory, "after_soft_rollback", _after_rollback)
    event.listen(session_factory, "do_orm_execute", _refuse_bulk)


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    reason: str

    def __str__(self) -> str:
        return f"审计记录第 {self.seq} 条：{self.reason}"


def verify_entries(entries: Iterable[AuditEntry]) -> ChainProblem | None:
    """The first broken link in entries given in ``seq`` order, or ``None``."""
    expected_seq = 1
    prev = GENESIS
    for entry in entries:
        if entry.seq != expected_seq:
            return ChainProblem(
                expected_seq, f"缺失（下一条是第 {entry.seq} 条），记录被删除或篡改"
            )
        if entry.prev_hash != prev:
            return ChainProblem(entry.seq, "与上一条记录的链接不符，记录被删除、插入或篡改")
        if digest_of(entry) != entry.hash:
            return ChainProblem(entry.seq, "内容与校验值不符，记录在程序之外被修改")
        prev = entry.hash
        expected_seq += 1
    return None


def verify_chain(session: Session, batch: int = 5000) -> tuple[int, ChainProblem | None]:
    """Walk the whole chain in batches; returns (entries checked, first problem)."""

    def entries() -> Iterator[AuditEntry]:
        last = 0
        while True:
            rows = (
                session.execute(
                    select(AuditEntry)
                    .where(AuditEntry.seq > last)
                    .order_by(AuditEntry.seq)
                    .limit(batch)
                )
                .scalars()
                .all()
            )
            if not rows:
                return
            yield from rows
            last = rows[-1].seq
            session.expunge_all()

    count = 0

    def counted() -> Iterator[AuditEntry]:
        nonlocal count
        for e in entries():
            count += 1
            yield e

    problem = verify_entries(counted())
    return count, problem


def history(session: Session, entity: str, entity_id: uuid.UUID) -> list[AuditEntry]:
    return list(
        session.execute(
            select(AuditEntry)
            .where(AuditEntry.entity == entity, AuditEntry.entity_id == str(entity_id))
            .order_by(AuditEntry.seq)
        ).scalars()
    )
