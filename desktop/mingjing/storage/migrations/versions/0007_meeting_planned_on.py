"""The date of a meeting's 会议方案: meeting.planned_on

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27

The 会议方案 of a 民主生活会 is issued some two weeks before the meeting,
and its 落款 bears that date. Until now it was taken from the day the
meeting's record was made; the secretary can now set it. Existing meetings
keep an empty date, which still means the day the record was made.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.add_column(sa.Column("planned_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.drop_column("planned_on")
