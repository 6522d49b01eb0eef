"""The append-only, hash-chained audit trail.

A ``before_flush`` hook turns every insert, update and delete of an entity
into an :class:`AuditEntry` in the same transaction, so a change and its
record commit or roll back together. Each entry's hash covers its content
and the previous entry's hash; editing, deleting or reordering rows behind
the program's back breaks the chain at that point, and
:func:`verify_chain` reports the first broken link.

Concurrency: ``seq`` is the primary key and is the previous ``seq`` plus
one, so two writers that read the same head cannot both commit — the
second fails on the key and its transaction rolls back. The chain never
forks.
"""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import hashlib
import json
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session, UOWTransaction

from mingjing.domain.base import Entity, utcnow
from mingjing.domain.models import AuditEntry

GENESIS = "0" * 64
ACTOR_KEY = "mingjing.actor"
_SKIP = frozenset({"updated_at", "revision"})


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


def _column_changes(obj: Entity, action: str) -> dict[str, Any]:
    state = inspect(obj)
    changes: dict[str, Any] = {}
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in _SKIP:
            continue
        if action == "create":
            value = getattr(obj, key)
            if value not in (None, "", [], {}):
                changes[key] = _plain(value)
            continue
        hist = state.attrs[key].history
        if action == "update" and hist.has_changes():
            old = hist.deleted[0] if hist.deleted else None
            new = hist.added[0] if hist.added else None
            if old != new:
                changes[key] = [_plain(old), _plain(new)]
    for rel in state.mapper.relationships:
        if rel.secondary is None:
            continue
        hist = state.attrs[rel.key].history
        if hist.added or hist.deleted:
            changes[rel.key] = {
                "added": sorted(
                    str(inspect(o).identity or getattr(o, "id", "")) for o in hist.added
                ),
                "removed": sorted(
                    str(inspect(o).identity or getattr(o, "id", "")) for o in hist.deleted
                ),
            }
    return changes


def _pending(session: Session) -> Iterator[tuple[str, Entity]]:
    for obj in list(session.new):
        if isinstance(obj, Entity):
            yield "create", obj
    for obj in list(session.dirty):
        if isinstance(obj, Entity) and session.is_modified(obj, include_collections=True):
            yield "update", obj
    for obj in list(session.deleted):
        if isinstance(obj, Entity):
            yield "delete", obj


def _before_flush(session: Session, flush_context: UOWTransaction, instances: object) -> None:
    actor = str(session.info.get(ACTOR_KEY, "")) or "未知用户"
    records: list[tuple[str, Entity, dict[str, Any]]] = []
    for action, obj in _pending(session):
        if getattr(obj, "id", None) is None:  # the column default applies only at flush
            obj.id = uuid.uuid4()
        changes = _column_changes(obj, action)
        if action == "update" and not changes:
            continue
        records.append((action, obj, changes))
    if not records:
        return
    with session.no_autoflush:
        head = session.execute(
            select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)
        ).first()
    seq, prev = (head[0], head[1]) if head is not None else (0, GENESIS)
    # Entries made earlier in this same transaction are not yet in the table.
    pending_entries = [o for o in session.new if isinstance(o, AuditEntry)]
    if pending_entries:
        last = max(pending_entries, key=lambda e: e.seq)
        seq, prev = last.seq, last.hash
    at = utcnow()
    for action, obj, changes in records:
        seq += 1
        entry = AuditEntry(
            seq=seq,
            at=at,
            actor=actor,
            action=action,
            entity=type(obj).__tablename__,
            entity_id=str(obj.id),
            changes=changes,
            prev_hash=prev,
        )
        entry.hash = prev = digest_of(entry)
        session.add(entry)


def install(session_factory: Any) -> None:
    """Attach the audit hook to a ``sessionmaker`` (idempotent)."""
    if not event.contains(session_factory, "before_flush", _before_flush):
        event.listen(session_factory, "before_flush", _before_flush)


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
