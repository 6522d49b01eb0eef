"""Leaders' review: review_export, leader_action

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26

A leader reviews from a review package on their own laptop: comments
(上级点), problems raised, statements returned for rework, 销号 approved or
refused. Each is a leader_action row, written on the leader's laptop and
carried to the office in the signed reply, where the same row records what
was applied, held as a conflict or skipped, with the leader's signature.

campaign.seal_hand_ins: hand-ins are sealed to the office unless the unit
turns it off (existing campaigns keep sealing).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("campaign", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("seal_hand_ins", sa.Boolean(), nullable=False, server_default=sa.true())
        )
    op.create_table(
        "review_export",
        sa.Column("campaign_id", sa.Uuid(), nullable=False),
        sa.Column("leader_id", sa.Uuid(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("made_by", sa.Text(), nullable=False),
        sa.Column("last_reply_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaign.id"], name=op.f("fk_review_export_campaign_id_campaign")
        ),
        sa.ForeignKeyConstraint(
            ["leader_id"], ["member.id"], name=op.f("fk_review_export_leader_id_member")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_export")),
    )
    with op.batch_alter_table("review_export", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_review_export_campaign_id"), ["campaign_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_review_export_leader_id"), ["leader_id"], unique=False)
    op.create_table(
        "leader_action",
        sa.Column("review_id", sa.Uuid(), nullable=False),
        sa.Column("campaign_id", sa.Uuid(), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=False),
        sa.Column("author_name", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("target_kind", sa.String(length=16), nullable=False),
        sa.Column("target_id", sa.Uuid(), nullable=False),
        sa.Column("target_revision", sa.Integer(), nullable=False),
        sa.Column("target_label", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("acted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("signature", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_leader_action")),
    )
    with op.batch_alter_table("leader_action", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_leader_action_campaign_id"), ["campaign_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_leader_action_review_id"), ["review_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("leader_action", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_leader_action_review_id"))
        batch_op.drop_index(batch_op.f("ix_leader_action_campaign_id"))
    op.drop_table("leader_action")
    with op.batch_alter_table("review_export", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_export_leader_id"))
        batch_op.drop_index(batch_op.f("ix_review_export_campaign_id"))
    op.drop_table("review_export")
    with op.batch_alter_table("campaign", schema=None) as batch_op:
        batch_op.drop_column("seal_hand_ins")
