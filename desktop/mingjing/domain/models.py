"""The campaign's entities as typed SQLAlchemy mappings (DOMAIN.md's code names).

Conventions:
- Foreign keys to people are nullable where a record may be entered before
  the roster is complete (records are often entered after the fact).
- A problem belongs to exactly one owner, a member or the leadership team; an
  opinion to at most one (it may be about the unit in general); a root cause
  to a problem, a member or the team. Check constraints keep it so.
- Free text is ``Text``, never a length-limited ``VARCHAR``: SQLite ignores
  lengths, so a limit would only bite when a laptop's data reaches a
  PostgreSQL server.
- ``Opinion`` has no author column on purpose: 征求意见 is anonymous, and a
  column that is not there cannot leak. Its date is stored to the day.
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.ext.mutable import MutableDict, MutableList
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mingjing.domain.base import Base, Entity, EnumText, utcnow
from mingjing.domain.enums import (
    AttendanceStatus,
    DeadlineKind,
    EscalationLevel,
    Level,
    MeetingKind,
    OpinionChannel,
    Phase,
    ProblemStatus,
    RectificationState,
    Role,
    SelfCheckState,
    Severity,
    Source,
    StudyForm,
)


def _fk(target: str, *, nullable: bool = True, ondelete: str | None = None) -> Any:
    return mapped_column(ForeignKey(target, ondelete=ondelete), nullable=nullable, index=True)


# --------------------------------------------------------------------- people


class Unit(Entity):
    """单位 / 党组: the organisation running the campaign."""

    __tablename__ = "unit"

    name: Mapped[str] = mapped_column(Text)
    short_name: Mapped[str] = mapped_column(Text, default="")
    party_body: Mapped[str] = mapped_column(Text, default="")

    team: Mapped[LeadershipTeam | None] = relationship(back_populates="unit", uselist=False)
    members: Mapped[list[Member]] = relationship(back_populates="unit")


class LeadershipTeam(Entity):
    """领导班子: owns team-level problems. A unit has exactly one."""

    __tablename__ = "leadership_team"

    unit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("unit.id"), unique=True)
    name: Mapped[str] = mapped_column(Text, default="领导班子")

    unit: Mapped[Unit] = relationship(back_populates="team")


class Member(Entity):
    """干部 / 党员: anyone who fills a self-check."""

    __tablename__ = "member"

    unit_id: Mapped[uuid.UUID] = _fk("unit.id", nullable=False)
    name: Mapped[str] = mapped_column(Text)
    gender: Mapped[str] = mapped_column(String(4), default="")
    position: Mapped[str] = mapped_column(Text, default="")
    department: Mapped[str] = mapped_column(Text, default="")
    is_leader: Mapped[bool] = mapped_column(default=False)
    is_party_secretary: Mapped[bool] = mapped_column(default=False)
    branch: Mapped[str] = mapped_column(Text, default="")
    """党支部 the member belongs to (for 组织生活会)."""
    supervises: Mapped[str] = mapped_column(Text, default="")
    role: Mapped[Role] = mapped_column(EnumText(Role), default=Role.STAFF)
    sort_order: Mapped[int] = mapped_column(default=0)
    public_keys: Mapped[str] = mapped_column(Text, default="")
    """The keys of the member's own computer (JSON: sign, seal), pinned when their
    first hand-in was read; a hand-in signed with another key is refused until
    the office registers the new one. Empty: none yet."""
    public_key: Mapped[str | None] = mapped_column(String(200), default=None)

    unit: Mapped[Unit] = relationship(back_populates="members")


# ------------------------------------------------------------------ checklist


class ChecklistTemplate(Entity):
    """A versioned checklist (自查表), copied from ``resources/checklists``.

    The copy in the database is what a campaign package carries to laptops,
    so a campaign keeps working when the program ships a newer template.
    """

    __tablename__ = "checklist_template"
    __table_args__ = (UniqueConstraint("key", "version"),)

    key: Mapped[str] = mapped_column(String(100))
    version: Mapped[int]
    title: Mapped[str] = mapped_column(Text)
    short_title: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(Text, default="")
    vocabulary: Mapped[dict[str, Any]] = mapped_column(MutableDict.as_mutable(JSON), default=dict)
    """Labels for levels, sources, opinion channels, root-cause categories…"""

    areas: Mapped[list[Area]] = relationship(
        back_populates="template", order_by="Area.ordinal", cascade="all, delete-orphan"
    )


class Area(Entity):
    """问题方面: one of the seven areas."""

    __tablename__ = "area"
    __table_args__ = (UniqueConstraint("template_id", "key"),)

    template_id: Mapped[uuid.UUID] = _fk("checklist_template.id", nullable=False)
    key: Mapped[str] = mapped_column(String(100))
    ordinal: Mapped[int]
    title: Mapped[str] = mapped_column(Text)

    template: Mapped[ChecklistTemplate] = relationship(back_populates="areas")
    items: Mapped[list[Item]] = relationship(
        back_populates="area", order_by="Item.ordinal", cascade="all, delete-orphan"
    )


class Item(Entity):
    """具体表现: one manifestation within an area."""

    __tablename__ = "item"
    __table_args__ = (UniqueConstraint("area_id", "key"),)

    area_id: Mapped[uuid.UUID] = _fk("area.id", nullable=False)
    key: Mapped[str] = mapped_column(String(100))
    ordinal: Mapped[int]
    text: Mapped[str] = mapped_column(Text)

    area: Mapped[Area] = relationship(back_populates="items")


# ------------------------------------------------------------------- campaign


class Campaign(Entity):
    """专项行动: title, document number, dates, phases, checklist."""

    __tablename__ = "campaign"

    unit_id: Mapped[uuid.UUID] = _fk("unit.id", nullable=False)
    template_id: Mapped[uuid.UUID] = _fk("checklist_template.id", nullable=False)
    title: Mapped[str] = mapped_column(Text)
    doc_number: Mapped[str] = mapped_column(Text, default="")
    start_date: Mapped[dt.date | None] = mapped_column(Date, default=None)
    end_date: Mapped[dt.date | None] = mapped_column(Date, default=None)
    current_phase: Mapped[Phase] = mapped_column(EnumText(Phase), default=Phase.STUDY)
    seal_hand_ins: Mapped[bool] = mapped_column(default=True)
    """Hand-ins are sealed to the office (only its computer can open them). A unit
    may turn this off; an unsealed hand-in then says so, and is read."""

    unit: Mapped[Unit] = relationship()
    template: Mapped[ChecklistTemplate] = relationship()
    phases: Mapped[list[CampaignPhase]] = relationship(
        back_populates="campaign", order_by="CampaignPhase.ordinal", cascade="all, delete-orphan"
    )


class CampaignPhase(Entity):
    __tablename__ = "campaign_phase"
    __table_args__ = (UniqueConstraint("campaign_id", "phase"),)

    campaign_id: Mapped[uuid.UUID] = _fk("campaign.id", nullable=False)
    phase: Mapped[Phase] = mapped_column(EnumText(Phase))
    ordinal: Mapped[int]
    start_date: Mapped[dt.date | None] = mapped_column(Date, default=None)
    end_date: Mapped[dt.date | None] = mapped_column(Date, default=None)

    campaign: Mapped[Campaign] = relationship(back_populates="phases")


# ------------------------------------------------------------------ self-check


class SelfCheck(Entity):
    """个人自查: one member's checklist for one campaign."""

    __tablename__ = "self_check"
    __table_args__ = (UniqueConstraint("campaign_id", "member_id"),)

    campaign_id: Mapped[uuid.UUID] = _fk("campaign.id", nullable=False)
    member_id: Mapped[uuid.UUID] = _fk("member.id", nullable=False)
    state: Mapped[SelfCheckState] = mapped_column(
        EnumText(SelfCheckState), default=SelfCheckState.DRAFT
    )
    submitted_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    submission_revision: Mapped[int] = mapped_column(default=0)
    submission_sha256: Mapped[str | None] = mapped_column(String(64), default=None)
    """SHA-256 of the last hand-in's ``data.json``: written on the laptop, imported at
    the office. The same content again keeps its revision on both sides."""
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    reviewer_id: Mapped[uuid.UUID | None] = _fk("member.id")
    review_comment: Mapped[str] = mapped_column(Text, default="")
    overall_analysis: Mapped[str] = mapped_column(Text, default="")
    """原因剖析 in the member's own words, beyond the per-problem causes."""
    personal_matters: Mapped[str] = mapped_column(Text, default="")
    """需要说明的个人有关事项 (a leader's statement has the section; “无” is an answer)."""

    campaign: Mapped[Campaign] = relationship()
    member: Mapped[Member] = relationship(foreign_keys=[member_id])
    reviewer: Mapped[Member | None] = relationship(foreign_keys=[reviewer_id])
    answers: Mapped[list[Answer]] = relationship(
        back_populates="self_check", cascade="all, delete-orphan"
    )
    study_records: Mapped[list[StudyRecord]] = relationship(
        back_populates="self_check", cascade="all, delete-orphan"
    )


class Answer(Entity):
    """对号入座: a member's answer to one checklist item."""

    __tablename__ = "answer"
    __table_args__ = (UniqueConstraint("self_check_id", "item_id"),)

    self_check_id: Mapped[uuid.UUID] = _fk("self_check.id", nullable=False)
    item_id: Mapped[uuid.UUID] = _fk("item.id", nullable=False)
    level: Mapped[Level | None] = mapped_column(EnumText(Level), default=None)
    example: Mapped[str] = mapped_column(Text, default="")
    """具体表现和事例 (见人见事): names a time, a place, a matter."""

    self_check: Mapped[SelfCheck] = relationship(back_populates="answers")
    item: Mapped[Item] = relationship()


class StudyRecord(Entity):
    """学习情况: what was studied, when and how; opens the statement."""

    __tablename__ = "study_record"

    self_check_id: Mapped[uuid.UUID] = _fk("self_check.id", nullable=False)
    studied_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    form: Mapped[StudyForm] = mapped_column(EnumText(StudyForm), default=StudyForm.SELF)
    topic: Mapped[str] = mapped_column(Text, default="")
    hours: Mapped[float | None] = mapped_column(default=None)
    note: Mapped[str] = mapped_column(Text, default="")

    self_check: Mapped[SelfCheck] = relationship(back_populates="study_records")


# ------------------------------------------------------------------- problems


class Problem(Entity):
    """问题清单 entry: owned by a member or by the leadership team."""

    __tablename__ = "problem"
    __table_args__ = (
        CheckConstraint("(owner_member_id IS NULL) <> (owner_team_id IS NULL)", name="one_owner"),
    )

    campaign_id: Mapped[uuid.UUID] = _fk("campaign.id", nullable=False)
    owner_member_id: Mapped[uuid.UUID | None] = _fk("member.id")
    owner_team_id: Mapped[uuid.UUID | None] = _fk("leadership_team.id")
    area_id: Mapped[uuid.UUID | None] = _fk("area.id")
    item_id: Mapped[uuid.UUID | None] = _fk("item.id")
    text: Mapped[str] = mapped_column(Text)
    examples: Mapped[str] = mapped_column(Text, default="")
    severity: Mapped[Severity] = mapped_column(EnumText(Severity), default=Severity.GENERAL)
    source: Mapped[Source] = mapped_column(EnumText(Source), default=Source.SELF)
    is_common: Mapped[bool] = mapped_column(default=False)
    """共性问题: raised by several members; subject of a collective 会诊."""
    status: Mapped[ProblemStatus] = mapped_column(
        EnumText(ProblemStatus), default=ProblemStatus.RAISED
    )
    sort_order: Mapped[int] = mapped_column(default=0)
    promoted_from_id: Mapped[uuid.UUID | None] = _fk("problem.id")
    submission_revision: Mapped[int | None] = mapped_column(default=None)
    """At the office: the hand-in revision that last carried this problem; None
    for problems the office recorded itself."""
    tags: Mapped[list[str]] = mapped_column(MutableList.as_mutable(JSON), default=list)
    """庸、懒、散、浮、拖 tags of the related drive."""

    campaign: Mapped[Campaign] = relationship()
    owner_member: Mapped[Member | None] = relationship(foreign_keys=[owner_member_id])
    owner_team: Mapped[LeadershipTeam | None] = relationship()
    area: Mapped[Area | None] = relationship()
    item: Mapped[Item | None] = relationship()
    measures: Mapped[list[Measure]] = relationship(
        back_populates="problem", order_by="Measure.ordinal", cascade="all, delete-orphan"
    )
    root_causes: Mapped[list[RootCause]] = relationship(back_populates="problem")


def today_utc() -> dt.datetime:
    """Midnight (UTC) of today: when an anonymous opinion was entered, no finer."""
    return dt.datetime.combine(utcnow().date(), dt.time(), tzinfo=dt.UTC)


class Opinion(Entity):
    """征求意见: anonymous by construction (no author column).

    Its entry and change times are kept to the day, so the hour a giver came
    to the office cannot be read back from when their words were typed.
    """

    __tablename__ = "opinion"
    __table_args__ = (
        CheckConstraint(
            "NOT (target_member_id IS NOT NULL AND target_team_id IS NOT NULL)",
            name="at_most_one_target",
        ),
    )

    created_at: Mapped[dt.datetime] = mapped_column(default=today_utc)
    updated_at: Mapped[dt.datetime] = mapped_column(default=today_utc, onupdate=today_utc)
    campaign_id: Mapped[uuid.UUID] = _fk("campaign.id", nullable=False)
    channel: Mapped[OpinionChannel] = mapped_column(EnumText(OpinionChannel))
    target_member_id: Mapped[uuid.UUID | None] = _fk("member.id")
    target_team_id: Mapped[uuid.UUID | None] = _fk("leadership_team.id")
    area_id: Mapped[uuid.UUID | None] = _fk("area.id")
    text: Mapped[str] = mapped_column(Text)
    received_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    merged_into_id: Mapped[uuid.UUID | None] = _fk("opinion.id")
    """Set when the secretary merged this opinion into another (N条 梳理为 M条)."""
    problem_id: Mapped[uuid.UUID | None] = _fk("problem.id")
    """The problem this opinion was turned into."""

    campaign: Mapped[Campaign] = relationship()
    target_member: Mapped[Member | None] = relationship()
    target_team: Mapped[LeadershipTeam | None] = relationship()
    area: Mapped[Area | None] = relationship()
    problem: Mapped[Problem | None] = relationship()


class RootCause(Entity):
    """剖析根源: per problem, or overall for a member or the team."""

    __tablename__ = "root_cause"
    __table_args__ = (
        CheckConstraint(
            "problem_id IS NOT NULL OR member_id IS NOT NULL OR team_id IS NOT NULL",
            name="has_owner",
        ),
    )

    campaign_id: Mapped[uuid.UUID] = _fk("campaign.id", nullable=False)
    problem_id: Mapped[uuid.UUID | None] = _fk("problem.id")
    member_id: Mapped[uuid.UUID | None] = _fk("member.id")
    team_id: Mapped[uuid.UUID | None] = _fk("leadership_team.id")
    category: Mapped[str] = mapped_column(Text)
    """Key of a root-cause category in the campaign's template (editable list)."""
    text: Mapped[str] = mapped_column(Text)
    sort_order: Mapped[int] = mapped_column(default=0)

    campaign: Mapped[Campaign] = relationship()
    problem: Mapped[Problem | None] = relationship(back_populates="root_causes")
    member: Mapped[Member | None] = relationship()
    team: Mapped[LeadershipTeam | None] = relationship()


class Measure(Entity):
    """整改措施 planned with a problem; becomes a ledger row when accepted."""

    __tablename__ = "measure"

    problem_id: Mapped[uuid.UUID] = _fk("problem.id", nullable=False)
    ordinal: Mapped[int] = mapped_column(default=0)
    text: Mapped[str] = mapped_column(Text)
    target: Mapped[str] = mapped_column(Text, default="")
    deadline_kind: Mapped[DeadlineKind] = mapped_column(
        EnumText(DeadlineKind), default=DeadlineKind.BY_DATE
    )
    deadline: Mapped[dt.date | None] = mapped_column(Date, default=None)

    problem: Mapped[Problem] = relationship(back_populates="measures")


# --------------------------------------------------------------- consultation

consultation_participant = Table(
    "consultation_participant",
    Base.metadata,
    Column("consultation_id", ForeignKey("consultation.id", ondelete="CASCADE"), primary_key=True),
    Column("member_id", ForeignKey("member.id", ondelete="CASCADE"), primary_key=True),
)

consultation_problem = Table(
    "consultation_problem",
    Base.metadata,
    Column("consultation_id", ForeignKey("consultation.id", ondelete="CASCADE"), primary_key=True),
    Column("problem_id", ForeignKey("problem.id", ondelete="CASCADE"), primary_key=True),
)


class Consultation(Entity):
    """集体“会诊” of common problems."""

    __tablename__ = "consultation"

    campaign_id: Mapped[uuid.UUID] = _fk("campaign.id", nullable=False)
    held_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    place: Mapped[str] = mapped_column(Text, default="")
    topic: Mapped[str] = mapped_column(Text, default="")
    host_id: Mapped[uuid.UUID | None] = _fk("member.id")
    diagnosis: Mapped[str] = mapped_column(Text, default="")
    """症结 found by the collective."""
    other_participants: Mapped[str] = mapped_column(Text, default="")
    """People from outside the roster (督导组, 列席), as written."""

    campaign: Mapped[Campaign] = relationship()
    host: Mapped[Member | None] = relationship()
    participants: Mapped[list[Member]] = relationship(secondary=consultation_participant)
    problems: Mapped[list[Problem]] = relationship(secondary=consultation_problem)
    measures: Mapped[list[ConsultationMeasure]] = relationship(
        back_populates="consultation",
        order_by="ConsultationMeasure.ordinal",
        cascade="all, delete-orphan",
    )


class ConsultationMeasure(Entity):
    __tablename__ = "consultation_measure"

    consultation_id: Mapped[uuid.UUID] = _fk("consultation.id", nullable=False)
    ordinal: Mapped[int] = mapped_column(default=0)
    text: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[uuid.UUID | None] = _fk("member.id")
    deadline: Mapped[dt.date | None] = mapped_column(Date, default=None)

    consultation: Mapped[Consultation] = relationship(back_populates="measures")
    owner: Mapped[Member | None] = relationship()


# -------------------------------------------------------------- rectification


class Rectification(Entity):
    """整改台账 row. 逾期 is derived from the deadline and never stored.

    The row carries its own 具体问题, 问题方面 and 问题来源 as the ledger prints
    them: copied from the problem (or 会诊) it came from, typed for a row
    entered directly, read from the sheet for an imported one. The ledger is a
    document the office signs; it does not change when a problem's wording is
    edited later, and it can be sorted and searched without joins.
    """

    __tablename__ = "rectification"
    # The ledger view reads a page at a time in one of these orders, and counts
    # through the covering ``filters`` index; with 100,000 rows each answer
    # stays within a few milliseconds (bench/ledger_view.py).
    __table_args__ = (
        Index("ix_rectification_live", "campaign_id", "deleted_at", "serial", "search_key"),
        Index("ix_rectification_search_key", "search_key", unique=True),
        Index("ix_rectification_by_area", "campaign_id", "deleted_at", "area_label", "serial"),
        Index("ix_rectification_by_problem", "campaign_id", "deleted_at", "problem_text", "serial"),
        Index(
            "ix_rectification_by_department",
            "campaign_id",
            "deleted_at",
            "responsible_department",
            "serial",
        ),
        Index(
            "ix_rectification_by_deadline", "campaign_id", "deleted_at", "deadline_order", "serial"
        ),
        Index(
            "ix_rectification_filters",
            "campaign_id",
            "deleted_at",
            "state",
            "deadline_kind",
            "deadline",
            "responsible_department",
            "cooperating_departments",
            "area_label",
        ),
    )

    campaign_id: Mapped[uuid.UUID] = _fk("campaign.id", nullable=False)
    serial: Mapped[int] = mapped_column(default=0)
    """序号 as printed in the ledger."""
    problem_id: Mapped[uuid.UUID | None] = _fk("problem.id")
    consultation_measure_id: Mapped[uuid.UUID | None] = _fk("consultation_measure.id")
    problem_text: Mapped[str] = mapped_column(Text, default="")
    """具体问题."""
    area_label: Mapped[str] = mapped_column(Text, default="")
    """问题方面, as its title (an imported sheet may name one the template lacks)."""
    source_label: Mapped[str] = mapped_column(Text, default="")
    """问题来源: 自己找, 群众提…, 集体会诊, or what an imported sheet says."""
    measure: Mapped[str] = mapped_column(Text)
    target: Mapped[str] = mapped_column(Text, default="")
    responsible_leader_id: Mapped[uuid.UUID | None] = _fk("member.id")
    responsible_department: Mapped[str] = mapped_column(Text, default="")
    cooperating_departments: Mapped[str] = mapped_column(Text, default="")
    owner_id: Mapped[uuid.UUID | None] = _fk("member.id")
    leader_name: Mapped[str] = mapped_column(Text, default="")
    """责任领导 as a name, when no one on the roster is meant (an imported ledger)."""
    owner_name: Mapped[str] = mapped_column(Text, default="")
    """责任人 as a name, likewise."""
    deadline_kind: Mapped[DeadlineKind] = mapped_column(
        EnumText(DeadlineKind), default=DeadlineKind.BY_DATE
    )
    deadline: Mapped[dt.date | None] = mapped_column(Date, default=None)
    search_key: Mapped[int | None] = mapped_column(BigInteger, default=None)
    """The row's key in the full-text index (storage/search.py): an integer,
    which the index needs and a UUID is not; set when the row is first written."""
    deadline_order: Mapped[str] = mapped_column(String(10), default="")
    """完成时限 as a sort key (立行立改 first, then dates, 长期坚持 last); kept by
    :func:`deadline_order`, never set by hand."""
    state: Mapped[RectificationState] = mapped_column(
        EnumText(RectificationState), default=RectificationState.PENDING
    )
    completed_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    signed_off_by_id: Mapped[uuid.UUID | None] = _fk("member.id")
    signed_off_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    sign_off_note: Mapped[str] = mapped_column(Text, default="")
    returned_reason: Mapped[str] = mapped_column(Text, default="")
    institutional_outcome: Mapped[str] = mapped_column(Text, default="")
    """建章立制: title of the new rule, e.g. 《项目推进周调度制度》."""
    institutional_outcome_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    remarks: Mapped[str] = mapped_column(Text, default="")
    imported_from: Mapped[str] = mapped_column(Text, default="")
    """The spreadsheet an imported row was read from (file name and sheet row)."""

    campaign: Mapped[Campaign] = relationship()
    problem: Mapped[Problem | None] = relationship()
    responsible_leader: Mapped[Member | None] = relationship(foreign_keys=[responsible_leader_id])
    owner: Mapped[Member | None] = relationship(foreign_keys=[owner_id])
    signed_off_by: Mapped[Member | None] = relationship(foreign_keys=[signed_off_by_id])
    progress_notes: Mapped[list[ProgressNote]] = relationship(
        back_populates="rectification", order_by="ProgressNote.noted_on"
    )
    evidence: Mapped[list[Evidence]] = relationship(back_populates="rectification")

    def is_overdue(self, today: dt.date) -> bool:
        from mingjing.domain.rules import is_overdue

        return is_overdue(self.state, self.deadline_kind, self.deadline, today)


def deadline_order(kind: DeadlineKind | None, deadline: dt.date | None) -> str:
    """The sort key of a 完成时限: 立行立改, then dates in order, then none set, then 长期坚持."""
    if kind is DeadlineKind.IMMEDIATE:
        return "0000-00-00"
    if kind is DeadlineKind.ONGOING:
        return "9999-12-31"
    return deadline.isoformat() if deadline is not None else "9999-12-30"


def new_search_key() -> int:
    """A random positive 62-bit integer: unique without asking the database, so rows
    written on different computers never clash (the unique index would say so)."""
    return secrets.randbits(62) + 1


@event.listens_for(Rectification, "before_insert")
@event.listens_for(Rectification, "before_update")
def _keep_derived(mapper: Any, connection: Any, row: Rectification) -> None:
    row.deadline_order = deadline_order(row.deadline_kind, row.deadline)
    if row.search_key is None:
        row.search_key = new_search_key()


class ProgressNote(Entity):
    """整改进展: dated, append-only."""

    __tablename__ = "progress_note"

    rectification_id: Mapped[uuid.UUID] = _fk("rectification.id", nullable=False)
    noted_on: Mapped[dt.date] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[uuid.UUID | None] = _fk("member.id")

    rectification: Mapped[Rectification] = relationship(back_populates="progress_notes")
    author: Mapped[Member | None] = relationship()


class Evidence(Entity):
    """A file proving progress, copied into the data folder and hashed."""

    __tablename__ = "evidence"

    rectification_id: Mapped[uuid.UUID] = _fk("rectification.id", nullable=False)
    file_name: Mapped[str] = mapped_column(Text)
    stored_name: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    description: Mapped[str] = mapped_column(Text, default="")

    rectification: Mapped[Rectification] = relationship(back_populates="evidence")


assignment_rectification = Table(
    "assignment_rectification",
    Base.metadata,
    Column("assignment_id", ForeignKey("assignment.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "rectification_id", ForeignKey("rectification.id", ondelete="CASCADE"), primary_key=True
    ),
)


class Assignment(Entity):
    """交办单: rectifications handed to a member or department with a due date."""

    __tablename__ = "assignment"

    campaign_id: Mapped[uuid.UUID] = _fk("campaign.id", nullable=False)
    number: Mapped[str] = mapped_column(Text, default="")
    issued_by_id: Mapped[uuid.UUID | None] = _fk("member.id")
    issued_to_member_id: Mapped[uuid.UUID | None] = _fk("member.id")
    issued_to_department: Mapped[str] = mapped_column(Text, default="")
    issued_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    due_date: Mapped[dt.date | None] = mapped_column(Date, default=None)
    received_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    note: Mapped[str] = mapped_column(Text, default="")

    campaign: Mapped[Campaign] = relationship()
    issued_by: Mapped[Member | None] = relationship(foreign_keys=[issued_by_id])
    issued_to_member: Mapped[Member | None] = relationship(foreign_keys=[issued_to_member_id])
    rectifications: Mapped[list[Rectification]] = relationship(secondary=assignment_rectification)


class Escalation(Entity):
    """提醒 → 函询 → 诫勉 → 严肃处理 for a member not rectifying in earnest."""

    __tablename__ = "escalation"

    campaign_id: Mapped[uuid.UUID] = _fk("campaign.id", nullable=False)
    member_id: Mapped[uuid.UUID] = _fk("member.id", nullable=False)
    rectification_id: Mapped[uuid.UUID | None] = _fk("rectification.id")
    level: Mapped[EscalationLevel] = mapped_column(EnumText(EscalationLevel))
    on_date: Mapped[dt.date] = mapped_column(Date)
    by_id: Mapped[uuid.UUID | None] = _fk("member.id")
    reason: Mapped[str] = mapped_column(Text, default="")

    campaign: Mapped[Campaign] = relationship()
    member: Mapped[Member] = relationship(foreign_keys=[member_id])
    by: Mapped[Member | None] = relationship(foreign_keys=[by_id])


# -------------------------------------------------------------------- meeting


class Meeting(Entity):
    """专题民主生活会 (leadership) or 组织生活会 (branch)."""

    __tablename__ = "meeting"

    campaign_id: Mapped[uuid.UUID] = _fk("campaign.id", nullable=False)
    kind: Mapped[MeetingKind] = mapped_column(EnumText(MeetingKind))
    branch: Mapped[str] = mapped_column(Text, default="")
    """党支部 holding an 组织生活会; empty for the leadership's 民主生活会."""
    theme: Mapped[str] = mapped_column(Text, default="")
    held_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    planned_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    """The date of the 会议方案 (its 落款); empty: the day the record was made."""
    place: Mapped[str] = mapped_column(Text, default="")
    host_id: Mapped[uuid.UUID | None] = _fk("member.id")
    recorder_id: Mapped[uuid.UUID | None] = _fk("member.id")
    follow_up: Mapped[str] = mapped_column(Text, default="")

    campaign: Mapped[Campaign] = relationship()
    host: Mapped[Member | None] = relationship(foreign_keys=[host_id])
    recorder: Mapped[Member | None] = relationship(foreign_keys=[recorder_id])
    attendance: Mapped[list[MeetingAttendance]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan"
    )
    agenda: Mapped[list[AgendaItem]] = relationship(
        back_populates="meeting", order_by="AgendaItem.ordinal", cascade="all, delete-orphan"
    )
    criticisms: Mapped[list[Criticism]] = relationship(
        back_populates="meeting", order_by="Criticism.ordinal", cascade="all, delete-orphan"
    )


class MeetingAttendance(Entity):
    """An attendee, absentee (with reason) or observer (列席/督导)."""

    __tablename__ = "meeting_attendance"

    meeting_id: Mapped[uuid.UUID] = _fk("meeting.id", nullable=False)
    member_id: Mapped[uuid.UUID | None] = _fk("member.id")
    name: Mapped[str] = mapped_column(Text, default="")
    """For observers from outside the unit, who are not members."""
    title: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[AttendanceStatus] = mapped_column(EnumText(AttendanceStatus))
    reason: Mapped[str] = mapped_column(Text, default="")

    meeting: Mapped[Meeting] = relationship(back_populates="attendance")
    member: Mapped[Member | None] = relationship()


class AgendaItem(Entity):
    __tablename__ = "agenda_item"

    meeting_id: Mapped[uuid.UUID] = _fk("meeting.id", nullable=False)
    ordinal: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(Text)
    minutes: Mapped[str] = mapped_column(Text, default="")

    meeting: Mapped[Meeting] = relationship(back_populates="agenda")


class Criticism(Entity):
    """批评与自我批评: who criticised whom, what, and the response."""

    __tablename__ = "criticism"

    meeting_id: Mapped[uuid.UUID] = _fk("meeting.id", nullable=False)
    ordinal: Mapped[int] = mapped_column(default=0)
    from_member_id: Mapped[uuid.UUID | None] = _fk("member.id")
    to_member_id: Mapped[uuid.UUID | None] = _fk("member.id")
    """Empty for self-criticism, or the same member as ``from_member_id``."""
    is_self_criticism: Mapped[bool] = mapped_column(default=False)
    text: Mapped[str] = mapped_column(Text)
    response: Mapped[str] = mapped_column(Text, default="")

    meeting: Mapped[Meeting] = relationship(back_populates="criticisms")
    from_member: Mapped[Member | None] = relationship(foreign_keys=[from_member_id])
    to_member: Mapped[Member | None] = relationship(foreign_keys=[to_member_id])


class RenderedMaterial(Entity):
    """A material as it was printed or saved: the file kept under its SHA-256,
    with when and by whom, so leaders can see exactly what went out."""

    __tablename__ = "rendered_material"

    campaign_id: Mapped[uuid.UUID] = _fk("campaign.id", nullable=False)
    kind: Mapped[str] = mapped_column(String(32))
    """A key of ``mingjing.services.materials.KINDS``."""
    title: Mapped[str] = mapped_column(Text)
    file_format: Mapped[str] = mapped_column(String(8))
    """pdf or docx."""
    stored_name: Mapped[str] = mapped_column(Text)
    """``<sha256>.<format>`` in the data folder's ``materials``."""
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    pages: Mapped[int] = mapped_column(default=0)
    made_by: Mapped[str] = mapped_column(Text, default="")
    options: Mapped[str] = mapped_column(Text, default="")
    """What it was made of, as said to the user (会议、干部、是否隐去姓名)."""

    campaign: Mapped[Campaign] = relationship()


class ReviewExport(Entity):
    """A review package the office made for a leader: its reply must answer one of these."""

    __tablename__ = "review_export"

    campaign_id: Mapped[uuid.UUID] = _fk("campaign.id", nullable=False)
    leader_id: Mapped[uuid.UUID] = _fk("member.id", nullable=False)
    sha256: Mapped[str] = mapped_column(String(64))
    """Of the payload as the leader reads it (``data.json`` before sealing)."""
    made_by: Mapped[str] = mapped_column(Text, default="")
    last_reply_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    """When the newest reply read for it was written: an older one is a replay."""

    leader: Mapped[Member] = relationship()


class LeaderAction(Entity):
    """A leader's act in a review: 上级点 (a comment, or a problem raised), a
    statement returned for rework, a 销号 approved or refused.

    Written on the leader's laptop against a review package (``state`` draft,
    then sent) and carried to the office in the signed reply, where the same
    row (same id) is applied, held as a conflict, or skipped. ``signature`` is
    the leader's Ed25519 signature of :func:`mingjing.domain.review.action_statement`:
    a 销号 stays provably the leader's after the reply file is gone. No foreign
    keys: on a leader's laptop the campaign's rows are not there.
    """

    __tablename__ = "leader_action"

    review_id: Mapped[uuid.UUID] = mapped_column(index=True)
    campaign_id: Mapped[uuid.UUID] = mapped_column(index=True)
    author_id: Mapped[uuid.UUID]
    author_name: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(16))
    """comment, raise, return, approve or reject."""
    target_kind: Mapped[str] = mapped_column(String(16))
    """problem, self_check or rectification."""
    target_id: Mapped[uuid.UUID]
    target_revision: Mapped[int] = mapped_column(default=0)
    """The target's revision in the review package the leader read."""
    target_label: Mapped[str] = mapped_column(Text, default="")
    """What the leader saw, in words (whose problem, which ledger row): shown
    beside the current row when the two differ."""
    text: Mapped[str] = mapped_column(Text, default="")
    acted_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    signature: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(16), default="draft")
    """Leader's laptop: draft, sent. Office: applied, conflict, skipped."""
    outcome: Mapped[str] = mapped_column(Text, default="")
    """At the office: what applying it did, or why it was held or skipped."""


# ---------------------------------------------------------------------- audit


class AuditEntry(Base):
    """Append-only, hash-chained record of who changed what.

    Not an ``Entity``: it is never updated, merged or soft-deleted, and its
    integer ``seq`` gives the chain its order on every dialect.
    """

    __tablename__ = "audit_entry"
    __table_args__ = (Index("ix_audit_entry_entity", "entity", "entity_id"),)

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[dt.datetime]
    actor: Mapped[str] = mapped_column(Text)
    action: Mapped[str] = mapped_column(String(20))
    entity: Mapped[str] = mapped_column(String(50))
    entity_id: Mapped[str] = mapped_column(String(36))
    changes: Mapped[dict[str, Any]] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


ENTITIES: tuple[type[Entity], ...] = (
    Unit,
    LeadershipTeam,
    Member,
    ChecklistTemplate,
    Area,
    Item,
    Campaign,
    CampaignPhase,
    SelfCheck,
    Answer,
    StudyRecord,
    Problem,
    Opinion,
    RootCause,
    Measure,
    Consultation,
    ConsultationMeasure,
    Rectification,
    ProgressNote,
    Evidence,
    Assignment,
    Escalation,
    Meeting,
    MeetingAttendance,
    AgendaItem,
    Criticism,
)
