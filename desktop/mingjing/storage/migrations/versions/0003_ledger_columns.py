"""The ledger's own columns: 具体问题, 问题方面, 问题来源, names, import origin

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26

A 整改台账 row prints its problem, area and source as they stood when the
row was opened, and rows read from last year's spreadsheet have no problem
record at all, and may name a 责任领导 or 责任人 who is not on this year's
roster. Existing rows are filled from the problem (or 会诊) they came from.
Two indexes serve the ledger view: (campaign, 序号) and the deadline.
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
_SOURCE_LABELS = {
    "masses": "群众提",
    "self": "自己找",
    "superior": "上级点",
    "peers": "互相帮",
    "collective": "集体议",
}


def upgrade() -> None:
    with op.batch_alter_table("rectification", schema=None) as batch_op:
        for name in _TEXT_COLUMNS:
            batch_op.add_column(
                sa.Column(name, sa.Text(), nullable=False, server_default=sa.text("''"))
            )
        batch_op.create_index("ix_rectification_campaign_serial", ["campaign_id", "serial"])
        batch_op.create_index("ix_rectification_deadline", ["deadline"])
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
        "source_label = '集体会诊' "
        "WHERE problem_id IS NULL AND consultation_measure_id IS NOT NULL"
    )
