"""需要说明的个人有关事项 and members' keys: self_check.personal_matters, member.public_keys

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26

A leader's 对照检查材料 for the 专题民主生活会 has a section for personal
matters to explain (个人有关事项); the member writes it beside the overall
analysis and it travels in the hand-in. Existing self-checks get an empty
text, which the statement prints as not yet written.

Packages are signed from this revision on: the office pins the keys of each
member's computer when it reads their first hand-in (member.public_keys,
empty until then).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("self_check", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("personal_matters", sa.Text(), nullable=False, server_default=sa.text("''"))
        )

    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("public_keys", sa.Text(), nullable=False, server_default=sa.text("''"))
        )


def downgrade() -> None:
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.drop_column("public_keys")
    with op.batch_alter_table("self_check", schema=None) as batch_op:
        batch_op.drop_column("personal_matters")
