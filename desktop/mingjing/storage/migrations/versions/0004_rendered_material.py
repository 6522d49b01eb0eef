"""Snapshots of printed materials: rendered_material

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26

Each material the office prints or saves (PDF or DOCX) is kept as a file
named by its SHA-256 in the data folder, and listed here with its kind,
title, size, page count, when and by whom. Leaders reviewing the campaign
can then see exactly what went out, and the office can show it again.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rendered_material",
        sa.Column("campaign_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("file_format", sa.String(length=8), nullable=False),
        sa.Column("stored_name", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("made_by", sa.Text(), nullable=False),
        sa.Column("options", sa.Text(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaign.id"],
            name=op.f("fk_rendered_material_campaign_id_campaign"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rendered_material")),
    )
    with op.batch_alter_table("rendered_material", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rendered_material_campaign_id"), ["campaign_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("rendered_material", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rendered_material_campaign_id"))
    op.drop_table("rendered_material")
