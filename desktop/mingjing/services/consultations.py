"""集体会诊: the leadership team diagnoses common problems together.

A consultation records when and where, who hosted and took part, which
problems were discussed, the diagnosis (症结) and the agreed measures with
their owners and deadlines. From its measures the office opens ledger rows
(整改台账) in one step; a measure already in the ledger is not added twice.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mingjing.domain.enums import ProblemStatus, RectificationState, Source
from mingjing.domain.errors import DomainError
from mingjing.domain.models import (
    Campaign,
    Consultation,
    ConsultationMeasure,
    Member,
    Problem,
    Rectification,
)
from mingjing.services.roles import office
from mingjing.services.roster import leaders_of, responsible_leader
from mingjing.storage import Database


@dataclass(frozen=True)
class MeasureInput:
    text: str
    owner_id: str | None = None
    deadline: dt.date | None = None
    id: str | None = None
    """Set when editing an existing measure."""


@dataclass(frozen=True)
class ConsultationInput:
    held_on: dt.date | None
    place: str
    topic: str
    host_id: str | None
    participant_ids: tuple[str, ...]
    other_participants: str
    problem_ids: tuple[str, ...]
    diagnosis: str
    measures: tuple[MeasureInput, ...] = ()


@dataclass(frozen=True)
class MeasureView:
    id: str
    text: str
    owner_id: str | None
    owner: str
    deadline: dt.date | None
    in_ledger: bool


@dataclass(frozen=True)
class ConsultationView:
    id: str
    held_on: dt.date | None
    place: str
    topic: str
    host_id: str | None
    host: str
    participant_ids: tuple[str, ...]
    participants: tuple[str, ...]
    other_participants: str
    problem_ids: tuple[str, ...]
    problems: tuple[str, ...]
    diagnosis: str
    measures: tuple[MeasureView, ...] = field(default=())

    def as_input(self) -> ConsultationInput:
        return ConsultationInput(
            held_on=self.held_on,
            place=self.place,
            topic=self.topic,
            host_id=self.host_id,
            participant_ids=self.participant_ids,
            other_participants=self.other_participants,
            problem_ids=self.problem_ids,
            diagnosis=self.diagnosis,
            measures=tuple(
                MeasureInput(m.text, m.owner_id, m.deadline, m.id) for m in self.measures
            ),
        )


def _members(session: Session, campaign: Campaign, ids: tuple[str, ...]) -> list[Member]:
    result = []
    for mid in ids:
        member = session.get(Member, uuid.UUID(mid))
        if member is None or member.unit_id != campaign.unit_id or member.deleted_at is not None:
            raise DomainError("参加人中有不在本单位名单中的人员。")
        result.append(member)
    return result


def _view(session: Session, c: Consultation) -> ConsultationView:
    in_ledger = set(
        session.scalars(
            select(Rectification.consultation_measure_id).where(
                Rectification.consultation_measure_id.in_([m.id for m in c.measures]),
                Rectification.deleted_at.is_(None),
            )
        ).all()
    )
    live = [m for m in c.measures if m.deleted_at is None]
    return ConsultationView(
        id=str(c.id),
        held_on=c.held_on,
        place=c.place,
        topic=c.topic,
        host_id=str(c.host_id) if c.host_id else None,
        host=c.host.name if c.host else "",
        participant_ids=tuple(str(m.id) for m in _in_order(c.participants)),
        participants=tuple(m.name for m in _in_order(c.participants)),
        other_participants=c.other_participants,
        problem_ids=tuple(str(p.id) for p in c.problems),
        problems=tuple(p.text for p in c.problems),
        diagnosis=c.diagnosis,
        measures=tuple(
            MeasureView(
                str(m.id),
                m.text,
                str(m.owner_id) if m.owner_id else None,
                m.owner.name if m.owner else "",
                m.deadline,
                m.id in in_ledger,
            )
            for m in sorted(live, key=lambda m: m.ordinal)
        ),
    )


def list_consultations(db: Database, campaign_id: str) -> list[ConsultationView]:
    with db.read() as session:
        rows = session.scalars(
            select(Consultation)
            .where(
                Consultation.campaign_id == uuid.UUID(campaign_id),
                Consultation.deleted_at.is_(None),
            )
            .order_by(Consultation.held_on.desc(), Consultation.created_at.desc())
        ).all()
        return [_view(session, c) for c in rows]


@office
def save_consultation(
    db: Database, campaign_id: str, data: ConsultationInput, consultation_id: str | None = None
) -> str:
    """Create (no id) or update a consultation with its measures; returns its id."""
    if not data.topic.strip():
        raise DomainError("请填写会诊的主题（针对哪些共性问题）。")
    with db.transaction() as session:
        campaign = session.get(Campaign, uuid.UUID(campaign_id))
        if campaign is None:
            raise DomainError("找不到这个专项行动。")
        if consultation_id is None:
            c = Consultation(campaign_id=campaign.id)
            session.add(c)
        else:
            found = session.get(Consultation, uuid.UUID(consultation_id))
            if found is None or found.deleted_at is not None:
                raise DomainError("找不到这次会诊记录，可能已被删除。")
            c = found
        c.held_on = data.held_on
        c.place = data.place.strip()
        c.topic = data.topic.strip()
        c.diagnosis = data.diagnosis.strip()
        c.other_participants = data.other_participants.strip()
        c.host_id = _members(session, campaign, (data.host_id,))[0].id if data.host_id else None
        participants = _members(session, campaign, data.participant_ids)
        if [m.id for m in c.participants] != [m.id for m in participants]:
            c.participants = participants
        problems = []
        for pid in data.problem_ids:
            problem = session.get(Problem, uuid.UUID(pid))
            if problem is None or problem.campaign_id != campaign.id:
                raise DomainError("会诊的问题中有不属于本专项行动的问题。")
            problems.append(problem)
        if [p.id for p in c.problems] != [p.id for p in problems]:
            c.problems = problems
        existing = {str(m.id): m for m in c.measures if m.deleted_at is None}
        kept: set[str] = set()
        for ordinal, given in enumerate(data.measures, 1):
            if not given.text.strip():
                continue
            owner = _members(session, campaign, (given.owner_id,))[0].id if given.owner_id else None
            row = existing.get(given.id) if given.id else None
            if row is None:
                c.measures.append(
                    ConsultationMeasure(
                        ordinal=ordinal,
                        text=given.text.strip(),
                        owner_id=owner,
                        deadline=given.deadline,
                    )
                )
            else:
                kept.add(str(row.id))
                row.ordinal = ordinal
                row.text = given.text.strip()
                row.owner_id = owner
                row.deadline = given.deadline
        for mid, row in existing.items():
            if mid not in kept:
                row.soft_delete()
        session.flush()
        return str(c.id)


@office
def delete_consultation(db: Database, consultation_id: str) -> None:
    with db.transaction() as session:
        c = session.get(Consultation, uuid.UUID(consultation_id))
        if c is None:
            raise DomainError("找不到这次会诊记录，可能已被删除。")
        c.soft_delete()


def load_consultation(db: Database, consultation_id: str) -> ConsultationView:
    with db.read() as session:
        c = session.get(Consultation, uuid.UUID(consultation_id))
        if c is None or c.deleted_at is not None:
            raise DomainError("找不到这次会诊记录，可能已被删除。")
        return _view(session, c)


@office
def create_ledger_rows(db: Database, consultation_id: str) -> int:
    """Open a ledger row for each agreed measure not yet in the ledger; returns how many.

    The responsible leader is the measure's owner if a leader, else the
    consultation's host, else the party secretary; the department is the
    owner's.
    """
    with db.transaction() as session:
        c = session.get(Consultation, uuid.UUID(consultation_id))
        if c is None or c.deleted_at is not None:
            raise DomainError("找不到这次会诊记录，可能已被删除。")
        measures = [m for m in c.measures if m.deleted_at is None]
        if not measures:
            raise DomainError("这次会诊还没有议定整改措施。")
        done = set(
            session.scalars(
                select(Rectification.consultation_measure_id).where(
                    Rectification.consultation_measure_id.in_([m.id for m in measures]),
                    Rectification.deleted_at.is_(None),
                )
            ).all()
        )
        serial = session.scalar(
            select(func.max(Rectification.serial)).where(Rectification.campaign_id == c.campaign_id)
        )
        serial = serial or 0
        secretary = session.scalar(
            select(Member).where(
                Member.unit_id == c.campaign.unit_id,
                Member.is_party_secretary.is_(True),
                Member.deleted_at.is_(None),
            )
        )
        leaders = leaders_of(session, c.campaign.unit_id)
        problem = c.problems[0] if len(c.problems) == 1 else None
        added = 0
        for m in sorted(measures, key=lambda m: m.ordinal):
            if m.id in done:
                continue
            owner = m.owner
            leader = responsible_leader(owner, leaders, c.host or secretary)
            serial += 1
            session.add(
                Rectification(
                    campaign_id=c.campaign_id,
                    serial=serial,
                    problem_id=problem.id if problem else None,
                    consultation_measure_id=m.id,
                    problem_text=problem.text if problem else common_problem(c.topic),
                    area_label=problem.area.title if problem and problem.area else "",
                    source_label=Source.COLLECTIVE.label,
                    measure=m.text,
                    target="",
                    responsible_leader_id=leader.id if leader else None,
                    responsible_department=owner.department if owner else "",
                    owner_id=owner.id if owner else None,
                    deadline=m.deadline,
                    state=RectificationState.PENDING,
                    remarks=f"集体会诊：{c.topic}",
                )
            )
            added += 1
        if added:
            # The problems the consultation dealt with are now being rectified.
            for discussed in c.problems:
                if discussed.status is ProblemStatus.RAISED:
                    discussed.status = ProblemStatus.IN_LEDGER
        return added


def _in_order(members: Iterable[Member]) -> list[Member]:
    """As the roster runs (班子成员 by rank first), not as they were linked."""
    return sorted(members, key=lambda m: (m.sort_order, m.name))


def common_problem(topic: str) -> str:
    """The problem a 会诊 was held on, from its topic: 资金拨付慢问题集体会诊 →
    资金拨付慢问题 (the ledger's 具体问题 is the problem, not the meeting)."""
    problem = re.sub(r"(的)?(集体)?会诊$", "", topic.strip())
    return problem or topic.strip()
