"""Full-text search of the ledger: a unigram FTS5 index on SQLite.

``rectification_search`` holds, for each ledger row, its searchable text
(具体问题, 整改措施, 整改目标, 方面, 来源, 部门, 备注, 建章立制, and the names of
its 责任领导 and 责任人) one character a word
(:func:`mingjing.domain.text.unigrams`), under the row's ``search_key`` as
its rowid, with its campaign as a ``scope`` token. Deleted rows leave it, so
the number of a campaign's rows holding a word is one index lookup. The
ledger service asks it which keys contain a phrase instead of scanning
every row with ``LIKE``: a search of 100,000 rows then takes
milliseconds, not half a second (bench/ledger_view.py).

Rows are indexed when a flush writes them, and again when a member they
name is renamed (this module's hook); :func:`rebuild` refills the index from
the table (bulk loads). Where FTS5 is missing (a SQLite built without it) or
on PostgreSQL there is no such table, and the service searches with ``LIKE``.
"""

from __future__ import annotations

import uuid
import weakref
from collections.abc import Iterable
from typing import Any

from sqlalchemy import bindparam, event, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, UOWTransaction

from mingjing.domain.models import Member, Rectification
from mingjing.domain.text import unigrams

TABLE = "rectification_search"
FIELDS = (
    "problem_text",
    "measure",
    "target",
    "area_label",
    "source_label",
    "responsible_department",
    "cooperating_departments",
    "remarks",
    "leader_name",
    "owner_name",
    "institutional_outcome",
)
_ROWS = (
    "SELECT r.search_key, r.campaign_id, r.deleted_at, "
    + ", ".join(f"r.{f}" for f in FIELDS)
    + ", l.name, o.name FROM rectification r "
    "LEFT OUTER JOIN member l ON l.id = r.responsible_leader_id "
    "LEFT OUTER JOIN member o ON o.id = r.owner_id"
)
_KNOWN: weakref.WeakKeyDictionary[Engine, bool] = weakref.WeakKeyDictionary()
"""Per engine (not per ``id()``: a new engine may reuse a collected one's id)."""


def phrase(term: str) -> str | None:
    """An FTS5 phrase for ``term`` as a substring, or None when it has nothing indexable."""
    words = unigrams(term)
    return f'"{words}"' if words else None


def scope(campaign_id: uuid.UUID | str) -> str:
    """The token that marks a campaign's rows in the index."""
    key = campaign_id.hex if isinstance(campaign_id, uuid.UUID) else str(campaign_id)
    return "c" + key.replace("-", "")


def query(campaign_id: uuid.UUID, phrases: list[str]) -> str:
    """An FTS5 query: the campaign's live rows whose text holds every phrase."""
    return f"scope : {scope(campaign_id)} AND body : ({' '.join(phrases)})"


def enabled(connection: Connection) -> bool:
    """Whether this database has the index (checked once per engine)."""
    key = connection.engine
    if key not in _KNOWN:
        if connection.dialect.name != "sqlite":
            _KNOWN[key] = False
        else:
            found = connection.execute(
                text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :n"),
                {"n": TABLE},
            ).first()
            _KNOWN[key] = found is not None
    return _KNOWN[key]


def _write(connection: Connection, rows: Iterable[Any]) -> int:
    """Index ``rows`` (as :data:`_ROWS` reads them) again; deleted ones leave the index."""
    rows = list(rows)
    if not rows:
        return 0
    connection.execute(
        text(f"DELETE FROM {TABLE} WHERE rowid = :key"), [{"key": r[0]} for r in rows]
    )
    entries = [
        {
            "key": r[0],
            "scope": scope(r[1]),
            "body": unigrams("\n".join(str(v or "") for v in r[3:])),
        }
        for r in rows
        if r[2] is None
    ]
    if entries:
        connection.execute(
            text(f"INSERT INTO {TABLE} (rowid, scope, body) VALUES (:key, :scope, :body)"), entries
        )
    return len(entries)


def rebuild(connection: Connection) -> int:
    """Index every ledger row again; returns how many."""
    connection.execute(text(f"DELETE FROM {TABLE}"))
    return _write(connection, connection.execute(text(_ROWS)).all())


def _after_flush(session: Session, flush_context: UOWTransaction) -> None:
    rows = [o for o in (*session.new, *session.dirty) if isinstance(o, Rectification)]
    gone = [o.search_key for o in session.deleted if isinstance(o, Rectification)]
    renamed = [
        o.id
        for o in session.dirty
        if isinstance(o, Member) and session.is_modified(o, include_collections=False)
    ]
    if not rows and not gone and not renamed:
        return
    connection = session.connection()
    if not enabled(connection):
        return
    if gone:
        connection.execute(
            text(f"DELETE FROM {TABLE} WHERE rowid = :key"), [{"key": k} for k in gone if k]
        )
    ids = [o.id for o in rows]
    clauses = []
    if ids:
        clauses.append("r.id IN :ids")
    if renamed:
        clauses.append("r.responsible_leader_id IN :members OR r.owner_id IN :members")
    if not clauses:
        return
    query = text(f"{_ROWS} WHERE {' OR '.join(clauses)}")
    params: dict[str, Any] = {}
    if ids:
        query = query.bindparams(bindparam("ids", expanding=True, type_=Rectification.id.type))
        params["ids"] = ids
    if renamed:
        query = query.bindparams(bindparam("members", expanding=True, type_=Member.id.type))
        params["members"] = renamed
    _write(connection, connection.execute(query, params).all())


def install(session_factory: Any) -> None:
    """Keep the index current as rows are flushed; call once per ``sessionmaker``."""
    event.listen(session_factory, "after_flush", _after_flush)


def owns(table_name: str) -> bool:
    """The index's table and FTS5's shadow tables (not in the models: leave them be)."""
    return table_name == TABLE or table_name.startswith(TABLE + "_")
