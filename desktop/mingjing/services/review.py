"""审核: who has handed in, reading a hand-in, and the office's answer to it.

The office accepts a handed-in self-check or returns it for rework (返工)
with a comment, and writes the reply file (``.mjreply``) that the member's
laptop opens. Accepting or returning is one transaction together with the
reply file: if the file cannot be written, the state does not change.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mingjing.domain.base import utcnow
from mingjing.domain.enums import SelfCheckState, Source
from mingjing.domain.errors import DomainError
from mingjing.domain.models import Campaign, Member, Problem, SelfCheck
from mingjing.domain.states import SelfCheckEvent, self_check_step
from mingjing.exchange.signing import Identity
from mingjing.services.replies import write_reply
from mingjing.services.roles import office
from mingjing.services.roster import member_keys
from mingjing.storage import Database


@dataclass(frozen=True)
class HandInStatus:
    """One roster member's hand-in, as the office holds it."""

    member_id: str
    name: str
    position: str
    department: str
    is_leader: bool
    self_check_id: str | None
    state: SelfCheckState | None
    """None: nothing from this member yet."""
    revision: int
    submitted_at: dt.datetime | None
    reviewed_at: dt.datetime | None
    review_comment: str
    problems: int

    @property
    def handed_in(self) -> bool:
        return self.revision > 0

    @property
    def state_label(self) -> str:
        if self.state is None or (self.state is SelfCheckState.DRAFT and not self.revision):
            return "未提交"
        if self.state is SelfCheckState.DRAFT:
            return "已收回修改"
        return self.state.label

    @property
    def waiting(self) -> bool:
        """Handed in and waiting for the office's review."""
        return self.state is SelfCheckState.SUBMITTED


@dataclass(frozen=True)
class HandIns:
    campaign_id: str
    campaign_title: str
    members: tuple[HandInStatus, ...]

    @property
    def missing(self) -> tuple[HandInStatus, ...]:
        """The remind list: members from whom nothing has come in."""
        return tuple(m for m in self.members if not m.handed_in)

    def count(self, state: SelfCheckState) -> int:
        return sum(1 for m in self.members if m.state is state and m.handed_in)


def hand_ins(db: Database, campaign_id: str) -> HandIns:
    """Every roster member of the campaign's unit with the state of their hand-in."""
    cid = uuid.UUID(campaign_id)
    with db.read() as session:
        campaign = session.get(Campaign, cid)
        if campaign is None:
            raise DomainError("找不到这个专项行动。")
        members = session.scalars(
            select(Member)
            .where(Member.unit_id == campaign.unit_id, Member.deleted_at.is_(None))
            .order_by(Member.sort_order, Member.name)
        ).all()
        checks = {
            c.member_id: c
            for c in session.scalars(select(SelfCheck).where(SelfCheck.campaign_id == cid)).all()
        }
        counts = dict(
            session.execute(
                select(Problem.owner_member_id, func.count())
                .where(
                    Problem.campaign_id == cid,
                    Problem.deleted_at.is_(None),
                    Problem.owner_member_id.is_not(None),
                )
                .group_by(Problem.owner_member_id)
            ).all()
        )
        rows = []
        for m in members:
            c = checks.get(m.id)
            rows.append(
                HandInStatus(
                    member_id=str(m.id),
                    name=m.name,
                    position=m.position,
                    department=m.department,
                    is_leader=m.is_leader,
                    self_check_id=str(c.id) if c else None,
                    state=c.state if c else None,
                    revision=c.submission_revision if c else 0,
                    submitted_at=c.submitted_at if c else None,
                    reviewed_at=c.reviewed_at if c else None,
                    review_comment=c.review_comment if c else "",
                    problems=int(counts.get(m.id, 0)),
                )
            )
        return HandIns(str(campaign.id), campaign.title, tuple(rows))


DECISION_EVENTS = {"accepted": SelfCheckEvent.ACCEPT, "returned": SelfCheckEvent.RETURN}


@office
def review(
    db: Database,
    self_check_id: str,
    decision: str,
    comment: str,
    out: Path,
    *,
    reviewer: str,
    identity: Identity,
    reviewer_id: str | None = None,
) -> Path:
    """Accept (``accepted``) or return (``returned``) a hand-in; write the reply file.

    ``out`` may be a folder: the file is then named after the member. A
    return needs a comment saying what to rework.
    """
    if decision not in DECISION_EVENTS:
        raise ValueError(decision)
    comment = comment.strip()
    if decision == "returned" and not comment:
        raise DomainError("退回返工时请写明需要修改的地方，干部才知道怎么改。")
    with db.transaction() as session:
        check = session.get(SelfCheck, uuid.UUID(self_check_id))
        if check is None or check.deleted_at is not None:
            raise DomainError("找不到这份自查材料，可能已被删除。")
        if not check.submission_revision or check.state is SelfCheckState.DRAFT:
            raise DomainError("这份自查材料还没有提交（或已收回修改），无从审核。")
        check.state = self_check_step(check.state, DECISION_EVENTS[decision])
        now = utcnow()
        check.reviewed_at = now
        check.review_comment = comment
        reviewer_uuid = uuid.UUID(reviewer_id) if reviewer_id else None
        if reviewer_uuid is not None and session.get(Member, reviewer_uuid) is not None:
            check.reviewer_id = reviewer_uuid
        # Written inside the transaction: no file, no change of state.
        return reply_file(
            session,
            check,
            out,
            decision=decision,
            reviewer=reviewer,
            reviewer_id=reviewer_id,
            identity=identity,
        )


def reply_file(
    session: Session,
    check: SelfCheck,
    out: Path,
    *,
    decision: str,
    reviewer: str,
    reviewer_id: str | None,
    identity: Identity,
    comment: str | None = None,
    by: str = "",
) -> Path:
    """The member's reply file for ``check`` as it now stands (reviewed, with its
    comment unless ``comment`` is given), sealed to their computer if its keys are known."""
    campaign = session.get(Campaign, check.campaign_id)
    member = session.get(Member, check.member_id)
    assert campaign is not None and member is not None
    # 上级点 raised at the office and not yet in any of the member's hand-ins.
    raised = session.execute(
        select(Problem.id, Problem.text)
        .where(
            Problem.campaign_id == check.campaign_id,
            Problem.owner_member_id == check.member_id,
            Problem.source == Source.SUPERIOR,
            Problem.submission_revision.is_(None),
            Problem.deleted_at.is_(None),
        )
        .order_by(Problem.sort_order)
    ).all()
    return write_reply(
        out,
        campaign_id=str(campaign.id),
        template_id=campaign.template.key,
        template_version=campaign.template.version,
        self_check_id=str(check.id),
        member_id=str(member.id),
        member_name=member.name,
        submission_revision=check.submission_revision,
        decision=decision,
        comment=check.review_comment if comment is None else comment,
        reviewer=reviewer,
        reviewer_id=reviewer_id,
        reviewed_at=check.reviewed_at,
        identity=identity,
        seal_to=member_keys(member),
        by=by,
        problems=[(str(pid), text) for pid, text in raised],
    )
