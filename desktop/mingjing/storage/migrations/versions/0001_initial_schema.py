"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "audit_entry",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("entity", sa.String(length=50), nullable=False),
        sa.Column("entity_id", sa.String(length=36), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_entry")),
        sa.UniqueConstraint("hash", name=op.f("uq_audit_entry_hash")),
    )
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.create_index("ix_audit_entry_entity", ["entity", "entity_id"], unique=False)

    op.create_table(
        "checklist_template",
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("short_title", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("vocabulary", sa.JSON(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checklist_template")),
        sa.UniqueConstraint("key", "version", name=op.f("uq_checklist_template_key_version")),
    )
    op.create_table(
        "unit",
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("short_name", sa.Text(), nullable=False),
        sa.Column("party_body", sa.Text(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit")),
    )
    op.create_table(
        "area",
        sa.Column("template_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["checklist_template.id"],
            name=op.f("fk_area_template_id_checklist_template"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_area")),
        sa.UniqueConstraint("template_id", "key", name=op.f("uq_area_template_id_key")),
    )
    with op.batch_alter_table("area", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_area_template_id"), ["template_id"], unique=False)

    op.create_table(
        "campaign",
        sa.Column("unit_id", sa.Uuid(), nullable=False),
        sa.Column("template_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("doc_number", sa.Text(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("current_phase", sa.String(length=32), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["checklist_template.id"],
            name=op.f("fk_campaign_template_id_checklist_template"),
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_campaign_unit_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign")),
    )
    with op.batch_alter_table("campaign", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_campaign_template_id"), ["template_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_campaign_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "leadership_team",
        sa.Column("unit_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_leadership_team_unit_id_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_leadership_team")),
        sa.UniqueConstraint("unit_id", name=op.f("uq_leadership_team_unit_id")),
    )
    op.create_table(
        "member",
        sa.Column("unit_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("gender", sa.String(length=4), nullable=False),
        sa.Column("position", sa.Text(), nullable=False),
        sa.Column("department", sa.Text(), nullable=False),
        sa.Column("is_leader", sa.Boolean(), nullable=False),
        sa.Column("is_party_secretary", sa.Boolean(), nullable=False),
        sa.Column("branch", sa.Text(), nullable=False),
        sa.Column("supervises", sa.Text(), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("public_key", sa.String(length=200), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_member_unit_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member")),
    )
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_member_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "assignment",
        sa.Column("campaign_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Text(), nullable=False),
        sa.Column("issued_by_id", sa.Uuid(), nullable=True),
        sa.Column("issued_to_member_id", sa.Uuid(), nullable=True),
        sa.Column("issued_to_department", sa.Text(), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("received_on", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaign.id"], name=op.f("fk_assignment_campaign_id_campaign")
        ),
        sa.ForeignKeyConstraint(
            ["issued_by_id"], ["member.id"], name=op.f("fk_assignment_issued_by_id_member")
        ),
        sa.ForeignKeyConstraint(
            ["issued_to_member_id"],
            ["member.id"],
            name=op.f("fk_assignment_issued_to_member_id_member"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignment")),
    )
    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assignment_campaign_id"), ["campaign_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_assignment_issued_by_id"), ["issued_by_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_assignment_issued_to_member_id"), ["issued_to_member_id"], unique=False
        )

    op.create_table(
        "campaign_phase",
        sa.Column("campaign_id", sa.Uuid(), nullable=False),
        sa.Column("phase", sa.String(length=32), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaign.id"], name=op.f("fk_campaign_phase_campaign_id_campaign")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_phase")),
        sa.UniqueConstraint(
            "campaign_id", "phase", name=op.f("uq_campaign_phase_campaign_id_phase")
        ),
    )
    with op.batch_alter_table("campaign_phase", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_campaign_phase_campaign_id"), ["campaign_id"], unique=False
        )

    op.create_table(
        "consultation",
        sa.Column("campaign_id", sa.Uuid(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=True),
        sa.Column("place", sa.Text(), nullable=False),
        sa.Column("topic", sa.Text(), nullable=False),
        sa.Column("host_id", sa.Uuid(), nullable=True),
        sa.Column("diagnosis", sa.Text(), nullable=False),
        sa.Column("other_participants", sa.Text(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaign.id"], name=op.f("fk_consultation_campaign_id_campaign")
        ),
        sa.ForeignKeyConstraint(
            ["host_id"], ["member.id"], name=op.f("fk_consultation_host_id_member")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation")),
    )
    with op.batch_alter_table("consultation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_consultation_campaign_id"), ["campaign_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_consultation_host_id"), ["host_id"], unique=False)

    op.create_table(
        "item",
        sa.Column("area_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["area_id"], ["area.id"], name=op.f("fk_item_area_id_area")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_item")),
        sa.UniqueConstraint("area_id", "key", name=op.f("uq_item_area_id_key")),
    )
    with op.batch_alter_table("item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_item_area_id"), ["area_id"], unique=False)

    op.create_table(
        "meeting",
        sa.Column("campaign_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("branch", sa.Text(), nullable=False),
        sa.Column("theme", sa.Text(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=True),
        sa.Column("place", sa.Text(), nullable=False),
        sa.Column("host_id", sa.Uuid(), nullable=True),
        sa.Column("recorder_id", sa.Uuid(), nullable=True),
        sa.Column("follow_up", sa.Text(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaign.id"], name=op.f("fk_meeting_campaign_id_campaign")
        ),
        sa.ForeignKeyConstraint(["host_id"], ["member.id"], name=op.f("fk_meeting_host_id_member")),
        sa.ForeignKeyConstraint(
            ["recorder_id"], ["member.id"], name=op.f("fk_meeting_recorder_id_member")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting")),
    )
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meeting_campaign_id"), ["campaign_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_meeting_host_id"), ["host_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_meeting_recorder_id"), ["recorder_id"], unique=False)

    op.create_table(
        "self_check",
        sa.Column("campaign_id", sa.Uuid(), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("submission_revision", sa.Integer(), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reviewer_id", sa.Uuid(), nullable=True),
        sa.Column("review_comment", sa.Text(), nullable=False),
        sa.Column("overall_analysis", sa.Text(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaign.id"], name=op.f("fk_self_check_campaign_id_campaign")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["member.id"], name=op.f("fk_self_check_member_id_member")
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"], ["member.id"], name=op.f("fk_self_check_reviewer_id_member")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_self_check")),
        sa.UniqueConstraint(
            "campaign_id", "member_id", name=op.f("uq_self_check_campaign_id_member_id")
        ),
    )
    with op.batch_alter_table("self_check", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_self_check_campaign_id"), ["campaign_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_self_check_member_id"), ["member_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_self_check_reviewer_id"), ["reviewer_id"], unique=False
        )

    op.create_table(
        "agenda_item",
        sa.Column("meeting_id", sa.Uuid(), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("minutes", sa.Text(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], name=op.f("fk_agenda_item_meeting_id_meeting")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agenda_item")),
    )
    with op.batch_alter_table("agenda_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agenda_item_meeting_id"), ["meeting_id"], unique=False)

    op.create_table(
        "answer",
        sa.Column("self_check_id", sa.Uuid(), nullable=False),
        sa.Column("item_id", sa.Uuid(), nullable=False),
        sa.Column("level", sa.String(length=32), nullable=True),
        sa.Column("example", sa.Text(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["item_id"], ["item.id"], name=op.f("fk_answer_item_id_item")),
        sa.ForeignKeyConstraint(
            ["self_check_id"], ["self_check.id"], name=op.f("fk_answer_self_check_id_self_check")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_answer")),
        sa.UniqueConstraint(
            "self_check_id", "item_id", name=op.f("uq_answer_self_check_id_item_id")
        ),
    )
    with op.batch_alter_table("answer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_answer_item_id"), ["item_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_answer_self_check_id"), ["self_check_id"], unique=False
        )

    op.create_table(
        "consultation_measure",
        sa.Column("consultation_id", sa.Uuid(), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=True),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultation.id"],
            name=op.f("fk_consultation_measure_consultation_id_consultation"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["member.id"], name=op.f("fk_consultation_measure_owner_id_member")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_measure")),
    )
    with op.batch_alter_table("consultation_measure", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_consultation_measure_consultation_id"), ["consultation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_consultation_measure_owner_id"), ["owner_id"], unique=False
        )

    op.create_table(
        "consultation_participant",
        sa.Column("consultation_id", sa.Uuid(), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultation.id"],
            name=op.f("fk_consultation_participant_consultation_id_consultation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["member.id"],
            name=op.f("fk_consultation_participant_member_id_member"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "consultation_id", "member_id", name=op.f("pk_consultation_participant")
        ),
    )
    op.create_table(
        "criticism",
        sa.Column("meeting_id", sa.Uuid(), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("from_member_id", sa.Uuid(), nullable=True),
        sa.Column("to_member_id", sa.Uuid(), nullable=True),
        sa.Column("is_self_criticism", sa.Boolean(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("response", sa.Text(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["from_member_id"], ["member.id"], name=op.f("fk_criticism_from_member_id_member")
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], name=op.f("fk_criticism_meeting_id_meeting")
        ),
        sa.ForeignKeyConstraint(
            ["to_member_id"], ["member.id"], name=op.f("fk_criticism_to_member_id_member")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_criticism")),
    )
    with op.batch_alter_table("criticism", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_criticism_from_member_id"), ["from_member_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_criticism_meeting_id"), ["meeting_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_criticism_to_member_id"), ["to_member_id"], unique=False
        )

    op.create_table(
        "meeting_attendance",
        sa.Column("meeting_id", sa.Uuid(), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], name=op.f("fk_meeting_attendance_meeting_id_meeting")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["member.id"], name=op.f("fk_meeting_attendance_member_id_member")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_attendance")),
    )
    with op.batch_alter_table("meeting_attendance", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_meeting_attendance_meeting_id"), ["meeting_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_meeting_attendance_member_id"), ["member_id"], unique=False
        )

    op.create_table(
        "problem",
        sa.Column("campaign_id", sa.Uuid(), nullable=False),
        sa.Column("owner_member_id", sa.Uuid(), nullable=True),
        sa.Column("owner_team_id", sa.Uuid(), nullable=True),
        sa.Column("area_id", sa.Uuid(), nullable=True),
        sa.Column("item_id", sa.Uuid(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("examples", sa.Text(), nullable=False),
        sa.Column("severity", sa.String(length=32), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("is_common", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("promoted_from_id", sa.Uuid(), nullable=True),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(owner_member_id IS NULL) <> (owner_team_id IS NULL)",
            name=op.f("ck_problem_one_owner"),
        ),
        sa.ForeignKeyConstraint(["area_id"], ["area.id"], name=op.f("fk_problem_area_id_area")),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaign.id"], name=op.f("fk_problem_campaign_id_campaign")
        ),
        sa.ForeignKeyConstraint(["item_id"], ["item.id"], name=op.f("fk_problem_item_id_item")),
        sa.ForeignKeyConstraint(
            ["owner_member_id"], ["member.id"], name=op.f("fk_problem_owner_member_id_member")
        ),
        sa.ForeignKeyConstraint(
            ["owner_team_id"],
            ["leadership_team.id"],
            name=op.f("fk_problem_owner_team_id_leadership_team"),
        ),
        sa.ForeignKeyConstraint(
            ["promoted_from_id"], ["problem.id"], name=op.f("fk_problem_promoted_from_id_problem")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_problem")),
    )
    with op.batch_alter_table("problem", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_problem_area_id"), ["area_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_problem_campaign_id"), ["campaign_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_problem_item_id"), ["item_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_problem_owner_member_id"), ["owner_member_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_problem_owner_team_id"), ["owner_team_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_problem_promoted_from_id"), ["promoted_from_id"], unique=False
        )

    op.create_table(
        "study_record",
        sa.Column("self_check_id", sa.Uuid(), nullable=False),
        sa.Column("studied_on", sa.Date(), nullable=True),
        sa.Column("form", sa.String(length=32), nullable=False),
        sa.Column("topic", sa.Text(), nullable=False),
        sa.Column("hours", sa.Double(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["self_check_id"],
            ["self_check.id"],
            name=op.f("fk_study_record_self_check_id_self_check"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_study_record")),
    )
    with op.batch_alter_table("study_record", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_study_record_self_check_id"), ["self_check_id"], unique=False
        )

    op.create_table(
        "consultation_problem",
        sa.Column("consultation_id", sa.Uuid(), nullable=False),
        sa.Column("problem_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultation.id"],
            name=op.f("fk_consultation_problem_consultation_id_consultation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["problem_id"],
            ["problem.id"],
            name=op.f("fk_consultation_problem_problem_id_problem"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "consultation_id", "problem_id", name=op.f("pk_consultation_problem")
        ),
    )
    op.create_table(
        "measure",
        sa.Column("problem_id", sa.Uuid(), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("target", sa.Text(), nullable=False),
        sa.Column("deadline_kind", sa.String(length=32), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["problem_id"], ["problem.id"], name=op.f("fk_measure_problem_id_problem")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_measure")),
    )
    with op.batch_alter_table("measure", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_measure_problem_id"), ["problem_id"], unique=False)

    op.create_table(
        "opinion",
        sa.Column("campaign_id", sa.Uuid(), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("target_member_id", sa.Uuid(), nullable=True),
        sa.Column("target_team_id", sa.Uuid(), nullable=True),
        sa.Column("area_id", sa.Uuid(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=True),
        sa.Column("merged_into_id", sa.Uuid(), nullable=True),
        sa.Column("problem_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "NOT (target_member_id IS NOT NULL AND target_team_id IS NOT NULL)",
            name=op.f("ck_opinion_at_most_one_target"),
        ),
        sa.ForeignKeyConstraint(["area_id"], ["area.id"], name=op.f("fk_opinion_area_id_area")),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaign.id"], name=op.f("fk_opinion_campaign_id_campaign")
        ),
        sa.ForeignKeyConstraint(
            ["merged_into_id"], ["opinion.id"], name=op.f("fk_opinion_merged_into_id_opinion")
        ),
        sa.ForeignKeyConstraint(
            ["problem_id"], ["problem.id"], name=op.f("fk_opinion_problem_id_problem")
        ),
        sa.ForeignKeyConstraint(
            ["target_member_id"], ["member.id"], name=op.f("fk_opinion_target_member_id_member")
        ),
        sa.ForeignKeyConstraint(
            ["target_team_id"],
            ["leadership_team.id"],
            name=op.f("fk_opinion_target_team_id_leadership_team"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opinion")),
    )
    with op.batch_alter_table("opinion", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_opinion_area_id"), ["area_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_opinion_campaign_id"), ["campaign_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_opinion_merged_into_id"), ["merged_into_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_opinion_problem_id"), ["problem_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_opinion_target_member_id"), ["target_member_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_opinion_target_team_id"), ["target_team_id"], unique=False
        )

    op.create_table(
        "rectification",
        sa.Column("campaign_id", sa.Uuid(), nullable=False),
        sa.Column("serial", sa.Integer(), nullable=False),
        sa.Column("problem_id", sa.Uuid(), nullable=True),
        sa.Column("consultation_measure_id", sa.Uuid(), nullable=True),
        sa.Column("measure", sa.Text(), nullable=False),
        sa.Column("target", sa.Text(), nullable=False),
        sa.Column("responsible_leader_id", sa.Uuid(), nullable=True),
        sa.Column("responsible_department", sa.Text(), nullable=False),
        sa.Column("cooperating_departments", sa.Text(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=True),
        sa.Column("deadline_kind", sa.String(length=32), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("signed_off_by_id", sa.Uuid(), nullable=True),
        sa.Column("signed_off_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sign_off_note", sa.Text(), nullable=False),
        sa.Column("returned_reason", sa.Text(), nullable=False),
        sa.Column("institutional_outcome", sa.Text(), nullable=False),
        sa.Column("institutional_outcome_on", sa.Date(), nullable=True),
        sa.Column("remarks", sa.Text(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaign.id"], name=op.f("fk_rectification_campaign_id_campaign")
        ),
        sa.ForeignKeyConstraint(
            ["consultation_measure_id"],
            ["consultation_measure.id"],
            name=op.f("fk_rectification_consultation_measure_id_consultation_measure"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["member.id"], name=op.f("fk_rectification_owner_id_member")
        ),
        sa.ForeignKeyConstraint(
            ["problem_id"], ["problem.id"], name=op.f("fk_rectification_problem_id_problem")
        ),
        sa.ForeignKeyConstraint(
            ["responsible_leader_id"],
            ["member.id"],
            name=op.f("fk_rectification_responsible_leader_id_member"),
        ),
        sa.ForeignKeyConstraint(
            ["signed_off_by_id"],
            ["member.id"],
            name=op.f("fk_rectification_signed_off_by_id_member"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rectification")),
    )
    with op.batch_alter_table("rectification", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rectification_campaign_id"), ["campaign_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_rectification_consultation_measure_id"),
            ["consultation_measure_id"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_rectification_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_rectification_problem_id"), ["problem_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_rectification_responsible_leader_id"),
            ["responsible_leader_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_rectification_signed_off_by_id"), ["signed_off_by_id"], unique=False
        )

    op.create_table(
        "root_cause",
        sa.Column("campaign_id", sa.Uuid(), nullable=False),
        sa.Column("problem_id", sa.Uuid(), nullable=True),
        sa.Column("member_id", sa.Uuid(), nullable=True),
        sa.Column("team_id", sa.Uuid(), nullable=True),
        sa.Column("category", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "problem_id IS NOT NULL OR member_id IS NOT NULL OR team_id IS NOT NULL",
            name=op.f("ck_root_cause_has_owner"),
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaign.id"], name=op.f("fk_root_cause_campaign_id_campaign")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["member.id"], name=op.f("fk_root_cause_member_id_member")
        ),
        sa.ForeignKeyConstraint(
            ["problem_id"], ["problem.id"], name=op.f("fk_root_cause_problem_id_problem")
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["leadership_team.id"], name=op.f("fk_root_cause_team_id_leadership_team")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_root_cause")),
    )
    with op.batch_alter_table("root_cause", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_root_cause_campaign_id"), ["campaign_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_root_cause_member_id"), ["member_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_root_cause_problem_id"), ["problem_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_root_cause_team_id"), ["team_id"], unique=False)

    op.create_table(
        "assignment_rectification",
        sa.Column("assignment_id", sa.Uuid(), nullable=False),
        sa.Column("rectification_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["assignment.id"],
            name=op.f("fk_assignment_rectification_assignment_id_assignment"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["rectification_id"],
            ["rectification.id"],
            name=op.f("fk_assignment_rectification_rectification_id_rectification"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "assignment_id", "rectification_id", name=op.f("pk_assignment_rectification")
        ),
    )
    op.create_table(
        "escalation",
        sa.Column("campaign_id", sa.Uuid(), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("rectification_id", sa.Uuid(), nullable=True),
        sa.Column("level", sa.String(length=32), nullable=False),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("by_id", sa.Uuid(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["by_id"], ["member.id"], name=op.f("fk_escalation_by_id_member")),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaign.id"], name=op.f("fk_escalation_campaign_id_campaign")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["member.id"], name=op.f("fk_escalation_member_id_member")
        ),
        sa.ForeignKeyConstraint(
            ["rectification_id"],
            ["rectification.id"],
            name=op.f("fk_escalation_rectification_id_rectification"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escalation")),
    )
    with op.batch_alter_table("escalation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_escalation_by_id"), ["by_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_escalation_campaign_id"), ["campaign_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_escalation_member_id"), ["member_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_escalation_rectification_id"), ["rectification_id"], unique=False
        )

    op.create_table(
        "evidence",
        sa.Column("rectification_id", sa.Uuid(), nullable=False),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("stored_name", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["rectification_id"],
            ["rectification.id"],
            name=op.f("fk_evidence_rectification_id_rectification"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence")),
    )
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_evidence_rectification_id"), ["rectification_id"], unique=False
        )

    op.create_table(
        "progress_note",
        sa.Column("rectification_id", sa.Uuid(), nullable=False),
        sa.Column("noted_on", sa.Date(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_id"], ["member.id"], name=op.f("fk_progress_note_author_id_member")
        ),
        sa.ForeignKeyConstraint(
            ["rectification_id"],
            ["rectification.id"],
            name=op.f("fk_progress_note_rectification_id_rectification"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_progress_note")),
    )
    with op.batch_alter_table("progress_note", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_progress_note_author_id"), ["author_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_progress_note_rectification_id"), ["rectification_id"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("progress_note", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_progress_note_rectification_id"))
        batch_op.drop_index(batch_op.f("ix_progress_note_author_id"))

    op.drop_table("progress_note")
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evidence_rectification_id"))

    op.drop_table("evidence")
    with op.batch_alter_table("escalation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_escalation_rectification_id"))
        batch_op.drop_index(batch_op.f("ix_escalation_member_id"))
        batch_op.drop_index(batch_op.f("ix_escalation_campaign_id"))
        batch_op.drop_index(batch_op.f("ix_escalation_by_id"))

    op.drop_table("escalation")
    op.drop_table("assignment_rectification")
    with op.batch_alter_table("root_cause", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_root_cause_team_id"))
        batch_op.drop_index(batch_op.f("ix_root_cause_problem_id"))
        batch_op.drop_index(batch_op.f("ix_root_cause_member_id"))
        batch_op.drop_index(batch_op.f("ix_root_cause_campaign_id"))

    op.drop_table("root_cause")
    with op.batch_alter_table("rectification", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rectification_signed_off_by_id"))
        batch_op.drop_index(batch_op.f("ix_rectification_responsible_leader_id"))
        batch_op.drop_index(batch_op.f("ix_rectification_problem_id"))
        batch_op.drop_index(batch_op.f("ix_rectification_owner_id"))
        batch_op.drop_index(batch_op.f("ix_rectification_consultation_measure_id"))
        batch_op.drop_index(batch_op.f("ix_rectification_campaign_id"))

    op.drop_table("rectification")
    with op.batch_alter_table("opinion", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_opinion_target_team_id"))
        batch_op.drop_index(batch_op.f("ix_opinion_target_member_id"))
        batch_op.drop_index(batch_op.f("ix_opinion_problem_id"))
        batch_op.drop_index(batch_op.f("ix_opinion_merged_into_id"))
        batch_op.drop_index(batch_op.f("ix_opinion_campaign_id"))
        batch_op.drop_index(batch_op.f("ix_opinion_area_id"))

    op.drop_table("opinion")
    with op.batch_alter_table("measure", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_measure_problem_id"))

    op.drop_table("measure")
    op.drop_table("consultation_problem")
    with op.batch_alter_table("study_record", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_study_record_self_check_id"))

    op.drop_table("study_record")
    with op.batch_alter_table("problem", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_problem_promoted_from_id"))
        batch_op.drop_index(batch_op.f("ix_problem_owner_team_id"))
        batch_op.drop_index(batch_op.f("ix_problem_owner_member_id"))
        batch_op.drop_index(batch_op.f("ix_problem_item_id"))
        batch_op.drop_index(batch_op.f("ix_problem_campaign_id"))
        batch_op.drop_index(batch_op.f("ix_problem_area_id"))

    op.drop_table("problem")
    with op.batch_alter_table("meeting_attendance", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_attendance_member_id"))
        batch_op.drop_index(batch_op.f("ix_meeting_attendance_meeting_id"))

    op.drop_table("meeting_attendance")
    with op.batch_alter_table("criticism", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_criticism_to_member_id"))
        batch_op.drop_index(batch_op.f("ix_criticism_meeting_id"))
        batch_op.drop_index(batch_op.f("ix_criticism_from_member_id"))

    op.drop_table("criticism")
    op.drop_table("consultation_participant")
    with op.batch_alter_table("consultation_measure", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consultation_measure_owner_id"))
        batch_op.drop_index(batch_op.f("ix_consultation_measure_consultation_id"))

    op.drop_table("consultation_measure")
    with op.batch_alter_table("answer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_answer_self_check_id"))
        batch_op.drop_index(batch_op.f("ix_answer_item_id"))

    op.drop_table("answer")
    with op.batch_alter_table("agenda_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agenda_item_meeting_id"))

    op.drop_table("agenda_item")
    with op.batch_alter_table("self_check", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_self_check_reviewer_id"))
        batch_op.drop_index(batch_op.f("ix_self_check_member_id"))
        batch_op.drop_index(batch_op.f("ix_self_check_campaign_id"))

    op.drop_table("self_check")
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_recorder_id"))
        batch_op.drop_index(batch_op.f("ix_meeting_host_id"))
        batch_op.drop_index(batch_op.f("ix_meeting_campaign_id"))

    op.drop_table("meeting")
    with op.batch_alter_table("item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_item_area_id"))

    op.drop_table("item")
    with op.batch_alter_table("consultation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consultation_host_id"))
        batch_op.drop_index(batch_op.f("ix_consultation_campaign_id"))

    op.drop_table("consultation")
    with op.batch_alter_table("campaign_phase", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_campaign_phase_campaign_id"))

    op.drop_table("campaign_phase")
    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assignment_issued_to_member_id"))
        batch_op.drop_index(batch_op.f("ix_assignment_issued_by_id"))
        batch_op.drop_index(batch_op.f("ix_assignment_campaign_id"))

    op.drop_table("assignment")
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_member_unit_id"))

    op.drop_table("member")
    op.drop_table("leadership_team")
    with op.batch_alter_table("campaign", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_campaign_unit_id"))
        batch_op.drop_index(batch_op.f("ix_campaign_template_id"))

    op.drop_table("campaign")
    with op.batch_alter_table("area", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_area_template_id"))

    op.drop_table("area")
    op.drop_table("unit")
    op.drop_table("checklist_template")
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_entry_entity")

    op.drop_table("audit_entry")
