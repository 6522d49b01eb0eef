"""问题清单: the problems of every member and of the leadership team.

The office filters the list (area, channel, severity, whose), searches it,
marks 共性问题, and promotes an individual problem to the team's list (a copy
owned by the team that remembers where it came from). Candidates for 共性问题
are the checklist items that several members raised.

Search is a substring match over the problem and its examples: Chinese has
no spaces between words, and a secretary searching 电梯 expects every problem
that contains 电梯. Several words separated by spaces must all occur.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, selectinload

from mingjing.domain.enums import ProblemStatus, Severity, Source
from mingjing.domain.errors import DomainError
from mingjing.domain.models import Area, Campaign, Item, Member, Opinion, Problem
from mingjing.services.roles import office
from mingjing.storage import Database

TEAM = "team"
"""The ``owner`` filter value for the leadership team's problems."""


@dataclass(frozen=True)
class ProblemFilter:
    area_key: str | None = None
    source: str | None = None
    severity: str | None = None
    owner: str | None = None
    """A member id, :data:`TEAM`, or None for everyone."""
    common_only: bool = False
    text: str = ""


@dataclass(frozen=True)
class ProblemRow:
    id: str
    owner: str
    """姓名 of the member, or the team's name."""
    owner_id: str
    is_team: bool
    area: str
    area_key: str | None
    item_number: str
    text: str
    examples: str
    source: str
    severity: str
    status: str
    is_common: bool
    promoted_to: str | None
    """Id of the team problem this one was promoted to."""
    promoted_from: str | None
    opinions: int
    """Opinions turned into this problem."""
    causes: int
    measures: int
    from_hand_in: bool = False
    """Came in the member's hand-in: the member changes it, not the office."""
    source_code: str = ""
    severity_code: str = ""


@dataclass(frozen=True)
class Choices:
    """What the filters offer, as (code, label) pairs in display order."""

    areas: tuple[tuple[str, str], ...]
    sources: tuple[tuple[str, str], ...]
    severities: tuple[tuple[str, str], ...]
    owners: tuple[tuple[str, str], ...]


def _campaign(session: Session, campaign_id: str) -> Campaign:
    campaign = session.get(Campaign, uuid.UUID(campaign_id))
    if campaign is None:
        raise DomainError("找不到这个专项行动。")
    return campaign


def choices(db: Database, campaign_id: str) -> Choices:
    with db.read() as session:
        campaign = _campaign(session, campaign_id)
        team = campaign.unit.team
        members = session.scalars(
            select(Member)
            .where(Member.unit_id == campaign.unit_id, Member.deleted_at.is_(None))
            .order_by(Member.sort_order, Member.name)
        ).all()
        owners = [(TEAM, team.name if team else "领导班子")]
        owners += [(str(m.id), m.name) for m in members]
        return Choices(
            areas=tuple((a.key, f"{a.ordinal}. {a.title}") for a in campaign.template.areas),
            sources=tuple((s.value, s.label) for s in Source),
            severities=tuple((s.value, s.label) for s in Severity),
            owners=tuple(owners),
        )


def _search(words: str) -> Any:
    terms = [w for w in words.replace("\u3000", " ").split() if w]
    if not terms:
        return None
    return and_(
        *(
            or_(
                Problem.text.contains(t, autoescape=True),
                Problem.examples.contains(t, autoescape=True),
            )
            for t in terms
        )
    )


def list_problems(
    db: Database, campaign_id: str, where: ProblemFilter | None = None
) -> list[ProblemRow]:
    """The problem list, team first, then members in roster order, each in their order."""
    where = where or ProblemFilter()
    with db.read() as session:
        campaign = _campaign(session, campaign_id)
        team = campaign.unit.team
        query = select(Problem).where(
            Problem.campaign_id == campaign.id, Problem.deleted_at.is_(None)
        )
        if where.area_key:
            area = session.scalar(
                select(Area.id).where(
                    Area.template_id == campaign.template_id, Area.key == where.area_key
                )
            )
            query = query.where(Problem.area_id == area)
        if where.source:
            query = query.where(Problem.source == Source(where.source))
        if where.severity:
            query = query.where(Problem.severity == Severity(where.severity))
        if where.owner == TEAM:
            query = query.where(Problem.owner_team_id.is_not(None))
        elif where.owner:
            query = query.where(Problem.owner_member_id == uuid.UUID(where.owner))
        if where.common_only:
            query = query.where(Problem.is_common.is_(True))
        matched = _search(where.text)
        if matched is not None:
            query = query.where(matched)
        problems = session.scalars(
            query.options(
                selectinload(Problem.owner_member),
                selectinload(Problem.area),
                selectinload(Problem.item).selectinload(Item.area),
                selectinload(Problem.root_causes),
                selectinload(Problem.measures),
            )
        ).all()
        # Links are counted over the whole campaign: an IN list of thousands of ids
        # would hit SQLite's limit on bound parameters.
        promoted: dict[uuid.UUID | None, uuid.UUID] = {}
        for copy_id, source_id in session.execute(
            select(Problem.id, Problem.promoted_from_id).where(
                Problem.campaign_id == campaign.id,
                Problem.promoted_from_id.is_not(None),
                Problem.deleted_at.is_(None),
            )
        ).all():
            promoted[source_id] = copy_id
        opinions: dict[uuid.UUID | None, int] = dict(
            session.execute(
                select(Opinion.problem_id, func.count())
                .where(
                    Opinion.campaign_id == campaign.id,
                    Opinion.problem_id.is_not(None),
                    Opinion.deleted_at.is_(None),
                )
                .group_by(Opinion.problem_id)
            ).all()
        )

        def order(p: Problem) -> tuple[int, int, str, int]:
            m = p.owner_member
            if m is None:
                return (0, 0, "", p.sort_order)
            return (1, m.sort_order, m.name, p.sort_order)

        rows = []
        for p in sorted(problems, key=order):
            is_team = p.owner_team_id is not None
            item = p.item
            rows.append(
                ProblemRow(
                    id=str(p.id),
                    owner=(team.name if team else "领导班子")
                    if is_team
                    else (p.owner_member.name if p.owner_member else ""),
                    owner_id=TEAM if is_team else str(p.owner_member_id),
                    is_team=is_team,
                    area=p.area.title if p.area else "",
                    area_key=p.area.key if p.area else None,
                    item_number=f"{item.area.ordinal}.{item.ordinal}" if item else "",
                    text=p.text,
                    examples=p.examples,
                    source=p.source.label,
                    severity=p.severity.label,
                    status=p.status.label,
                    is_common=p.is_common,
                    promoted_to=str(promoted[p.id]) if p.id in promoted else None,
                    promoted_from=str(p.promoted_from_id) if p.promoted_from_id else None,
                    opinions=opinions.get(p.id, 0),
                    causes=sum(1 for c in p.root_causes if c.deleted_at is None),
                    measures=sum(1 for m in p.measures if m.deleted_at is None),
                    from_hand_in=p.submission_revision is not None,
                    source_code=p.source.value,
                    severity_code=p.severity.value,
                )
            )
        return rows


@office
def set_common(db: Database, problem_ids: list[str], is_common: bool) -> int:
    """Mark (or unmark) problems as 共性问题; returns how many changed."""
    changed = 0
    with db.transaction() as session:
        for pid in problem_ids:
            problem = session.get(Problem, uuid.UUID(pid))
            if problem is None or problem.deleted_at is not None:
                raise DomainError("找不到这个问题，可能已被删除。")
            if problem.is_common != is_common:
                problem.is_common = is_common
                changed += 1
    return changed


@office
def promote_to_team(db: Database, problem_id: str) -> str:
    """Put a member's problem on the leadership team's list; returns the team problem's id.

    The team's copy keeps the link to the original; promoting twice returns the
    same copy.
    """
    with db.transaction() as session:
        problem = session.get(Problem, uuid.UUID(problem_id))
        if problem is None or problem.deleted_at is not None:
            raise DomainError("找不到这个问题，可能已被删除。")
        if problem.owner_team_id is not None:
            raise DomainError("这已经是领导班子的问题。")
        existing = session.scalar(
            select(Problem.id).where(
                Problem.promoted_from_id == problem.id, Problem.deleted_at.is_(None)
            )
        )
        if existing is not None:
            return str(existing)
        team = problem.campaign.unit.team
        if team is None:
            raise DomainError("本单位还没有设置领导班子。")
        last = session.scalars(
            select(Problem.sort_order).where(
                Problem.campaign_id == problem.campaign_id, Problem.owner_team_id == team.id
            )
        ).all()
        copy = Problem(
            campaign_id=problem.campaign_id,
            owner_team_id=team.id,
            area_id=problem.area_id,
            item_id=problem.item_id,
            text=problem.text,
            examples=problem.examples,
            severity=problem.severity,
            source=problem.source,
            is_common=problem.is_common,
            status=ProblemStatus.RAISED,
            sort_order=max(last, default=-1) + 1,
            promoted_from_id=problem.id,
        )
        session.add(copy)
        session.flush()
        return str(copy.id)


@dataclass(frozen=True)
class CommonCandidate:
    """A checklist item that several members raised: maybe a 共性问题."""

    item_key: str
    item_number: str
    item_text: str
    area: str
    members: tuple[str, ...]
    problem_ids: tuple[str, ...]
    marked: int
    """How many of them are already marked common."""


def common_candidates(
    db: Database, campaign_id: str, min_members: int = 3
) -> list[CommonCandidate]:
    """Items raised as problems by at least ``min_members`` members, most raised first."""
    with db.read() as session:
        campaign = _campaign(session, campaign_id)
        rows = session.execute(
            select(Problem.id, Problem.item_id, Problem.is_common, Member.name)
            .join(Member, Member.id == Problem.owner_member_id)
            .where(
                Problem.campaign_id == campaign.id,
                Problem.deleted_at.is_(None),
                Problem.item_id.is_not(None),
            )
            .order_by(Member.sort_order)
        ).all()
        by_item: dict[uuid.UUID, list[Any]] = defaultdict(list)
        for row in rows:
            by_item[row.item_id].append(row)
        items = {i.id: i for a in campaign.template.areas for i in a.items}
        result = []
        for item_id, raised in by_item.items():
            names = tuple(dict.fromkeys(r.name for r in raised))
            if len(names) < min_members or item_id not in items:
                continue
            item = items[item_id]
            result.append(
                CommonCandidate(
                    item_key=item.key,
                    item_number=f"{item.area.ordinal}.{item.ordinal}",
                    item_text=item.text,
                    area=item.area.title,
                    members=names,
                    problem_ids=tuple(str(r.id) for r in raised),
                    marked=sum(1 for r in raised if r.is_common),
                )
            )
        result.sort(key=lambda c: (-len(c.members), c.item_number))
        return result


@dataclass(frozen=True)
class ProblemInput:
    """A problem the office records itself (上级点, 集体议, or a wording it keeps)."""

    owner: str
    """A member id, or :data:`TEAM`."""
    text: str
    examples: str = ""
    area_key: str | None = None
    severity: str = Severity.GENERAL.value
    source: str = Source.SUPERIOR.value


def _office_problem(session: Session, problem_id: str) -> Problem:
    problem = session.get(Problem, uuid.UUID(problem_id))
    if problem is None or problem.deleted_at is not None:
        raise DomainError("找不到这个问题，可能已被删除。")
    if problem.submission_revision is not None:
        raise DomainError(
            "这是本人在自查材料中查摆的问题，应由本人修改后重新提交（可在“收取自查”中退回返工）。"
        )
    return problem


def _apply_input(
    session: Session, campaign: Campaign, problem: Problem, data: ProblemInput
) -> None:
    text = data.text.strip()
    if not text:
        raise DomainError("请填写问题的表述。")
    problem.text = text
    problem.examples = data.examples.strip()
    problem.severity = Severity(data.severity)
    problem.source = Source(data.source)
    if data.area_key:
        area = session.scalar(
            select(Area).where(Area.template_id == campaign.template_id, Area.key == data.area_key)
        )
        if area is None:
            raise DomainError("自查表中没有这个问题方面。")
        problem.area_id = area.id
    else:
        problem.area_id = None
    problem.item_id = (
        problem.item_id if problem.item and problem.item.area_id == problem.area_id else None
    )


@office
def add_problem(db: Database, campaign_id: str, data: ProblemInput) -> str:
    """Record a problem at the office for a member or the leadership team; returns its id."""
    with db.transaction() as session:
        campaign = _campaign(session, campaign_id)
        problem = Problem(campaign_id=campaign.id, text="")
        if data.owner == TEAM:
            team = campaign.unit.team
            if team is None:
                raise DomainError("本单位还没有设置领导班子。")
            problem.owner_team_id = team.id
            owner_filter = Problem.owner_team_id == team.id
        else:
            member = session.get(Member, uuid.UUID(data.owner))
            if (
                member is None
                or member.unit_id != campaign.unit_id
                or member.deleted_at is not None
            ):
                raise DomainError("这个人不在本单位的名单中。")
            problem.owner_member_id = member.id
            owner_filter = Problem.owner_member_id == member.id
        orders = session.scalars(
            select(Problem.sort_order).where(Problem.campaign_id == campaign.id, owner_filter)
        ).all()
        problem.sort_order = max(orders, default=-1) + 1
        _apply_input(session, campaign, problem, data)
        session.add(problem)
        session.flush()
        return str(problem.id)


@office
def update_problem(db: Database, problem_id: str, data: ProblemInput) -> None:
    """Change a problem the office recorded (not one from a member's hand-in)."""
    with db.transaction() as session:
        problem = _office_problem(session, problem_id)
        _apply_input(session, problem.campaign, problem, data)


@office
def delete_problem(db: Database, problem_id: str) -> None:
    """Remove a problem the office recorded (kept in the audit trail)."""
    with db.transaction() as session:
        problem = _office_problem(session, problem_id)
        problem.soft_delete()
