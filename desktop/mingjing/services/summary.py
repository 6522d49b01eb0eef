"""Counts and progress of a campaign (``mingjing summary``, the overview page).

Counts only: DOMAIN.md forbids scoreboards and rankings of people, so
nothing here is per person.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from mingjing.domain.enums import (
    DeadlineKind,
    MeetingKind,
    ProblemStatus,
    RectificationState,
    SelfCheckState,
    Source,
)
from mingjing.domain.models import (
    Area,
    Campaign,
    Consultation,
    Meeting,
    Member,
    Opinion,
    Problem,
    Rectification,
    SelfCheck,
    Unit,
)
from mingjing.domain.text import cn_date
from mingjing.storage import Database


@dataclass(frozen=True)
class CampaignInfo:
    id: str
    title: str
    doc_number: str
    unit_name: str
    start_date: dt.date | None
    end_date: dt.date | None
    phase: str


@dataclass
class Summary:
    campaign: CampaignInfo | None
    members: int = 0
    leaders: int = 0
    self_checks: dict[str, int] = field(default_factory=dict)
    """By state label, plus 未开始 for members with no self-check yet."""
    problems: int = 0
    team_problems: int = 0
    common_problems: int = 0
    problems_by_source: dict[str, int] = field(default_factory=dict)
    problems_by_area: dict[str, int] = field(default_factory=dict)
    problems_by_status: dict[str, int] = field(default_factory=dict)
    opinions: int = 0
    opinions_after_merge: int = 0
    consultations: int = 0
    rectifications: int = 0
    rectifications_by_state: dict[str, int] = field(default_factory=dict)
    overdue: int = 0
    meetings: dict[str, int] = field(default_factory=dict)
    today: dt.date = field(default_factory=dt.date.today)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["today"] = self.today.isoformat()
        if self.campaign is not None:
            for key in ("start_date", "end_date"):
                value = data["campaign"][key]
                data["campaign"][key] = value.isoformat() if value else None
        return data


def current_campaign(session: Session) -> Campaign | None:
    """The campaign the program works on: the latest one not deleted."""
    return session.execute(
        select(Campaign)
        .where(Campaign.deleted_at.is_(None))
        .order_by(Campaign.start_date.desc().nulls_last(), Campaign.created_at.desc())
        .limit(1)
    ).scalar_one_or_none()


def campaign_info(session: Session, campaign: Campaign) -> CampaignInfo:
    unit_name = session.execute(select(Unit.name).where(Unit.id == campaign.unit_id)).scalar_one()
    return CampaignInfo(
        id=str(campaign.id),
        title=campaign.title,
        doc_number=campaign.doc_number,
        unit_name=unit_name,
        start_date=campaign.start_date,
        end_date=campaign.end_date,
        phase=campaign.current_phase.label,
    )


def _grouped(session: Session, column: Any, *where: Any) -> dict[Any, int]:
    rows = session.execute(select(column, func.count()).where(*where).group_by(column)).all()
    return dict(rows)


def summarize(db: Database, today: dt.date | None = None) -> Summary:
    today = today or dt.date.today()
    with db.read() as session:
        campaign = current_campaign(session)
        if campaign is None:
            return Summary(campaign=None, today=today)
        cid = campaign.id
        summary = Summary(campaign=campaign_info(session, campaign), today=today)

        alive_member = and_(Member.unit_id == campaign.unit_id, Member.deleted_at.is_(None))
        summary.members = session.scalar(select(func.count()).where(alive_member)) or 0
        summary.leaders = (
            session.scalar(select(func.count()).where(alive_member, Member.is_leader)) or 0
        )

        by_state = _grouped(
            session, SelfCheck.state, SelfCheck.campaign_id == cid, SelfCheck.deleted_at.is_(None)
        )
        started = sum(by_state.values())
        summary.self_checks = {s.label: by_state.get(s, 0) for s in SelfCheckState}
        summary.self_checks["未开始"] = max(summary.members - started, 0)

        alive_problem = (Problem.campaign_id == cid, Problem.deleted_at.is_(None))
        summary.problems = session.scalar(select(func.count()).where(*alive_problem)) or 0
        summary.team_problems = (
            session.scalar(
                select(func.count()).where(*alive_problem, Problem.owner_team_id.is_not(None))
            )
            or 0
        )
        summary.common_problems = (
            session.scalar(select(func.count()).where(*alive_problem, Problem.is_common)) or 0
        )
        by_source = _grouped(session, Problem.source, *alive_problem)
        summary.problems_by_source = {s.label: by_source.get(s, 0) for s in Source}
        by_status = _grouped(session, Problem.status, *alive_problem)
        summary.problems_by_status = {s.label: by_status.get(s, 0) for s in ProblemStatus}
        area_rows = session.execute(
            select(Area.title, func.count(Problem.id))
            .select_from(Area)
            .outerjoin(Problem, and_(Problem.area_id == Area.id, *alive_problem))
            .where(Area.template_id == campaign.template_id)
            .group_by(Area.id, Area.title, Area.ordinal)
            .order_by(Area.ordinal)
        ).all()
        summary.problems_by_area = dict(area_rows)
        unassigned = session.scalar(
            select(func.count()).where(*alive_problem, Problem.area_id.is_(None))
        )
        if unassigned:
            summary.problems_by_area["未归类"] = unassigned

        alive_opinion = (Opinion.campaign_id == cid, Opinion.deleted_at.is_(None))
        summary.opinions = session.scalar(select(func.count()).where(*alive_opinion)) or 0
        summary.opinions_after_merge = (
            session.scalar(
                select(func.count()).where(*alive_opinion, Opinion.merged_into_id.is_(None))
            )
            or 0
        )
        summary.consultations = (
            session.scalar(
                select(func.count()).where(
                    Consultation.campaign_id == cid, Consultation.deleted_at.is_(None)
                )
            )
            or 0
        )

        alive_rect = (Rectification.campaign_id == cid, Rectification.deleted_at.is_(None))
        by_rect = _grouped(session, Rectification.state, *alive_rect)
        summary.rectifications = sum(by_rect.values())
        summary.rectifications_by_state = {s.label: by_rect.get(s, 0) for s in RectificationState}
        summary.overdue = (
            session.scalar(
                select(func.count()).where(
                    *alive_rect,
                    Rectification.state.in_(
                        [RectificationState.PENDING, RectificationState.IN_PROGRESS]
                    ),
                    Rectification.deadline_kind == DeadlineKind.BY_DATE,
                    Rectification.deadline < today,
                )
            )
            or 0
        )
        by_kind = _grouped(
            session, Meeting.kind, Meeting.campaign_id == cid, Meeting.deleted_at.is_(None)
        )
        summary.meetings = {k.label: by_kind.get(k, 0) for k in MeetingKind}
        return summary


def format_summary(summary: Summary) -> str:
    """The plain-text form printed by ``mingjing summary``."""
    if summary.campaign is None:
        return "数据库中还没有专项行动。可运行“mingjing demo”生成示例单位，或在程序中新建。"
    c = summary.campaign
    period = ""
    if c.start_date and c.end_date:
        period = f"{cn_date(c.start_date)}至{cn_date(c.end_date)}"

    def line(title: str, counts: dict[str, int]) -> str:
        return f"{title}：" + "，".join(f"{k} {v}" for k, v in counts.items())

    lines = [
        f"{c.unit_name}　{c.title}",
        f"文号：{c.doc_number or '（无）'}　时间：{period or '（未定）'}　当前阶段：{c.phase}",
        "",
        f"人员：{summary.members} 人，其中班子成员 {summary.leaders} 人",
        line("个人自查", summary.self_checks),
        f"问题：{summary.problems} 个（班子问题 {summary.team_problems} 个，"
        f"共性问题 {summary.common_problems} 个）",
        line("　按来源", summary.problems_by_source),
        line("　按方面", summary.problems_by_area),
        line("　按状态", summary.problems_by_status),
        f"征求意见：{summary.opinions} 条，梳理为 {summary.opinions_after_merge} 条",
        f"集体会诊：{summary.consultations} 次",
        f"整改台账：{summary.rectifications} 项，逾期 {summary.overdue} 项",
        line("　按状态", summary.rectifications_by_state),
        line("会议", summary.meetings),
    ]
    return "\n".join(lines)
