"""Counts and progress of a campaign (``mingjing summary``, the overview page).

Counts only: DOMAIN.md forbids scoreboards and rankings of people, so
nothing here is per person.
"""

from __future__ import annotations

import datetime as dt
import uuid
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
    Item,
    Measure,
    Meeting,
    Member,
    Opinion,
    Problem,
    Rectification,
    RootCause,
    SelfCheck,
    Unit,
)
from mingjing.services.overview import CampaignInfo, OwnProgress, Summary, format_summary
from mingjing.storage import Database

__all__ = [
    "CampaignInfo",
    "Summary",
    "campaign_info",
    "current_campaign",
    "format_summary",
    "summarize",
]


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


def _own_progress(session: Session, campaign: Campaign, member_id: str) -> OwnProgress | None:
    member = session.get(Member, uuid.UUID(member_id))
    if member is None:
        return None
    check = session.scalar(
        select(SelfCheck).where(
            SelfCheck.campaign_id == campaign.id, SelfCheck.member_id == member.id
        )
    )
    total = session.scalar(
        select(func.count())
        .select_from(Item)
        .join(Area)
        .where(Area.template_id == campaign.template_id)
    )
    problems = session.scalars(
        select(Problem.id).where(
            Problem.campaign_id == campaign.id,
            Problem.owner_member_id == member.id,
            Problem.deleted_at.is_(None),
        )
    ).all()
    causes = measures = 0
    if problems:
        causes = (
            session.scalar(
                select(func.count()).where(
                    RootCause.problem_id.in_(problems), RootCause.deleted_at.is_(None)
                )
            )
            or 0
        )
        measures = (
            session.scalar(
                select(func.count()).where(
                    Measure.problem_id.in_(problems), Measure.deleted_at.is_(None)
                )
            )
            or 0
        )
    answered = 0
    if check is not None:
        answered = sum(1 for a in check.answers if a.level is not None)
    return OwnProgress(
        name=member.name,
        position=member.position,
        state=check.state.label if check is not None else "未开始",
        answered=answered,
        total=int(total or 0),
        problems=len(problems),
        causes=int(causes),
        measures=int(measures),
        revision=check.submission_revision if check is not None else 0,
        submitted_on=check.submitted_at.date()
        if check is not None and check.submitted_at
        else None,
        review_comment=check.review_comment if check is not None else "",
    )


def summarize(
    db: Database, today: dt.date | None = None, *, member_id: str | None = None
) -> Summary:
    """The campaign's counts; with ``member_id`` (a staff laptop), that member's own progress."""
    today = today or dt.date.today()
    with db.read() as session:
        campaign = current_campaign(session)
        if campaign is None:
            return Summary(campaign=None, today=today)
        cid = campaign.id
        summary = Summary(campaign=campaign_info(session, campaign), today=today)
        if member_id:
            summary.own = _own_progress(session, campaign, member_id)
            return summary

        alive_member = and_(Member.unit_id == campaign.unit_id, Member.deleted_at.is_(None))
        summary.members = session.scalar(select(func.count()).where(alive_member)) or 0
        summary.leaders = (
            session.scalar(select(func.count()).where(alive_member, Member.is_leader)) or 0
        )

        by_state = _grouped(
            session, SelfCheck.state, SelfCheck.campaign_id == cid, SelfCheck.deleted_at.is_(None)
        )
        started = sum(by_state.values())
        summary.self_checks = {"未开始": max(summary.members - started, 0)}
        summary.self_checks |= {s.label: by_state.get(s, 0) for s in SelfCheckState}
        summary.handed_in = by_state.get(SelfCheckState.SUBMITTED, 0) + by_state.get(
            SelfCheckState.ACCEPTED, 0
        )

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
