"""Hand-ins at the office: self_check.submission_sha256, problem.submission_revision

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26

The office tells "the same file again" (nothing to do) from "the same
revision with different content" (refused) by the SHA-256 of the imported
``data.json``. ``problem.submission_revision`` marks the problems that
came in a hand-in (and which revision last carried them), so a newer hand-in
replaces those and leaves alone the ones the office added for the member
(an opinion turned into a problem, a 上级点).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("self_check", schema=None) as batch_op:
        batch_op.add_column(sa.Column("submission_sha256", sa.String(length=64), nullable=True))
    with op.batch_alter_table("problem", schema=None) as batch_op:
        batch_op.add_column(sa.Column("submission_revision", sa.Integer(), nullable=True))
