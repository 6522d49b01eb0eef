"""The ledger's own columns: 具体问题, 问题方面, 问题来源, names, import origin

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26

A 整改台账 row prints its problem, area and source as they stood when the
row was opened, and rows read from last year's spreadsheet have no problem
record at all, and may name a 责任领导 or 责任人 who is not on this year's
roster. Existing rows are filled from the problem (or 会诊) they came from.
``deadline_order`` is the 完成时限 as a sort key (立行立改 first, 长期坚持
last). The indexes let the ledger view answer a page and a count of 100,000
rows in milliseconds: one per order it offers, and one covering its filters.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TEXT_COLUMNS = (
    "problem_text",
    "area_label",
    "source_label",
    "leader_name",
    "owner_name",
    "imported_from",
)
_INDEXES = (
    ("ix_rectification_live", ["serial", "search_key"]),
    ("ix_rectification_by_area", ["area_label", "serial"]),
    ("ix_rectification_by_problem", ["problem_text", "serial"]),
    ("ix_rectification_by_department", ["responsible_department", "serial"]),
    ("ix_rectification_by_deadline", ["deadline_order", "serial"]),
    (
        "ix_rectification_filters",
        [
            "state",
            "deadline_kind",
            "deadline",
            "responsible_department",
            "cooperating_departments",
            "area_label",
        ],
    ),
)
_SEARCHED = (
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
_SOURCE_LABELS = {
    "masses": "群众提",
    "self": "自己找",
    "superior": "上级点",
    "peers": "互相帮",
    "collective": "集体议",
}


def _index_for_search() -> None:
    """Every row gets its ``search_key``; SQLite with FTS5 gets the unigram index
    the ledger's search uses (storage/search.py), filled from the rows."""
    import secrets

    from mingjing.domain.text import unigrams

    connection = op.get_bind()
    ids = connection.execute(sa.text("SELECT id FROM rectification")).scalars().all()
    if ids:
        connection.execute(
            sa.text("UPDATE rectification SET search_key = :key WHERE id = :id"),
            [{"key": secrets.randbits(62) + 1, "id": i} for i in ids],
        )
    with op.batch_alter_table("rectification", schema=None) as batch_op:
        batch_op.create_index("ix_rectification_search_key", ["search_key"], unique=True)
    if connection.dialect.name != "sqlite":
        return
    try:
        op.execute("CREATE VIRTUAL TABLE rectification_search USING fts5(body, scope)")
    except sa.exc.OperationalError:  # built without FTS5: the search scans instead
        return
    fields = ", ".join(f"r.{f}" for f in _SEARCHED)
    rows = connection.execute(
        sa.text(
            f"SELECT r.search_key, r.campaign_id, {fields}, l.name, o.name FROM rectification r "
            "LEFT OUTER JOIN member l ON l.id = r.responsible_leader_id "
            "LEFT OUTER JOIN member o ON o.id = r.owner_id WHERE r.deleted_at IS NULL"
        )
    ).all()
    if rows:
        connection.execute(
            sa.text(
                "INSERT INTO rectification_search (rowid, scope, body) VALUES (:key, :scope, :body)"
            ),
            [
                {
                    "key": r[0],
                    "scope": "c" + str(r[1]).replace("-", ""),
                    "body": unigrams("\n".join(str(v or "") for v in r[2:])),
                }
                for r in rows
            ],
        )


def upgrade() -> None:
    with op.batch_alter_table("rectification", schema=None) as batch_op:
        for name in _TEXT_COLUMNS:
            batch_op.add_column(
                sa.Column(name, sa.Text(), nullable=False, server_default=sa.text("''"))
            )
        batch_op.add_column(
            sa.Column(
                "deadline_order", sa.String(length=10), nullable=False, server_default=sa.text("''")
            )
        )
        batch_op.add_column(sa.Column("search_key", sa.BigInteger(), nullable=True))
        for name, columns in _INDEXES:
            batch_op.create_index(name, ["campaign_id", "deleted_at", *columns])
    op.execute(
        "UPDATE rectification SET deadline_order = CASE "
        "WHEN deadline_kind = 'immediate' THEN '0000-00-00' "
        "WHEN deadline_kind = 'ongoing' THEN '9999-12-31' "
        "WHEN deadline IS NULL THEN '9999-12-30' "
        "ELSE CAST(deadline AS TEXT) END"
    )
    source = " ".join(f"WHEN '{code}' THEN '{label}'" for code, label in _SOURCE_LABELS.items())
    op.execute(
        "UPDATE rectification SET "
        "problem_text = COALESCE((SELECT p.text FROM problem p "
        "  WHERE p.id = rectification.problem_id), ''), "
        "area_label = COALESCE((SELECT a.title FROM problem p JOIN area a ON a.id = p.area_id "
        "  WHERE p.id = rectification.problem_id), ''), "
        f"source_label = COALESCE((SELECT CASE p.source {source} ELSE '' END FROM problem p "
        "  WHERE p.id = rectification.problem_id), '') "
        "WHERE problem_id IS NOT NULL"
    )
    op.execute(
        "UPDATE rectification SET "
        "problem_text = COALESCE((SELECT c.topic FROM consultation_measure m "
        "  JOIN consultation c ON c.id = m.consultation_id "
        "  WHERE m.id = rectification.consultation_measure_id), ''), "
        "source_label = '集体议' "
        "WHERE problem_id IS NULL AND consultation_measure_id IS NOT NULL"
    )
    _index_for_search()
