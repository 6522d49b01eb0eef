"""专题民主生活会 and 组织生活会: the record of a meeting, and a plan to start from.

A meeting is saved whole (who attended, the agenda with its minutes, the
criticism and self-criticism, what was decided): the office types it up
after the meeting, often from handwritten notes, and saves it as one record.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from mingjing.domain.enums import AttendanceStatus, MeetingKind
from mingjing.domain.errors import DomainError
from mingjing.domain.models import (
    AgendaItem,
    Campaign,
    Criticism,
    Meeting,
    MeetingAttendance,
    Member,
)
from mingjing.domain.text import cn_date
from mingjing.services.roles import office
from mingjing.services.roster import leaders_of
from mingjing.storage import Database

AGENDAS: dict[MeetingKind, tuple[str, ...]] = {
    MeetingKind.DEMOCRATIC_LIFE: (
        "通报会前准备情况和上年度民主生活会整改措施落实情况",
        "主要负责同志代表领导班子作对照检查",
        "班子成员逐一作个人对照检查，开展批评和自我批评",
        "上级列席同志点评",
        "主要负责同志作总结讲话",
    ),
    MeetingKind.ORGANIZATIONAL_LIFE: (
        "支部书记通报会前准备情况",
        "支部书记代表支部委员会作对照检查",
        "党员逐一作个人对照检查，开展批评和自我批评",
        "开展民主评议党员",
        "上级党组织点评，支部书记作总结",
    ),
}
"""The usual order of business, to plan a meeting from (it can be changed)."""


@dataclass(frozen=True)
class Attendee:
    member_id: str | None
    name: str
    """For observers from outside the unit; for members, their name as shown."""
    status: str
    """present, absent or observer."""
    title: str = ""
    reason: str = ""


@dataclass(frozen=True)
class CriticismInput:
    from_id: str | None
    to_id: str | None
    """None, or the same member, for self-criticism."""
    text: str
    response: str = ""


@dataclass(frozen=True)
class MeetingInput:
    kind: str = MeetingKind.DEMOCRATIC_LIFE.value
    theme: str = ""
    held_on: dt.date | None = None
    place: str = ""
    host_id: str | None = None
    recorder_id: str | None = None
    branch: str = ""
    attendees: tuple[Attendee, ...] = ()
    agenda: tuple[tuple[str, str], ...] = ()
    """(item, minutes)."""
    criticisms: tuple[CriticismInput, ...] = ()
    follow_up: str = ""
    planned_on: dt.date | None = None
    """The date the 会议方案 bears; ``None``: the day the record was made."""


@dataclass(frozen=True)
class MeetingView:
    id: str
    data: MeetingInput
    kind_label: str
    host: str
    recorder: str
    names: dict[str, str] = field(default_factory=dict)
    """Member id → name, for everyone the record mentions."""

    @property
    def label(self) -> str:
        when = f"{self.data.held_on:%Y-%m-%d}" if self.data.held_on else "日期未定"
        theme = self.data.theme
        if not theme:
            return f"{when}　{self.kind_label}"
        return f"{when}　{theme if self.kind_label in theme else self.kind_label + '：' + theme}"


def _uuid(value: str | None, what: str) -> uuid.UUID | None:
    if value in (None, ""):
        return None
    try:
        return uuid.UUID(value)
    except ValueError as exc:
        raise DomainError(f"{what}不是有效的编号：{value}") from exc


def _view(meeting: Meeting) -> MeetingView:
    names: dict[str, str] = {}

    def mid(member: Member | None) -> str | None:
        if member is None:
            return None
        names[str(member.id)] = member.name
        return str(member.id)

    data = MeetingInput(
        kind=meeting.kind.value,
        theme=meeting.theme,
        held_on=meeting.held_on,
        planned_on=meeting.planned_on,
        place=meeting.place,
        host_id=mid(meeting.host),
        recorder_id=mid(meeting.recorder),
        branch=meeting.branch,
        attendees=tuple(
            Attendee(
                member_id=mid(a.member),
                name=a.member.name if a.member is not None else a.name,
                status=a.status.value,
                title=a.title,
                reason=a.reason,
            )
            for a in meeting.attendance
            if a.deleted_at is None
        ),
        agenda=tuple((x.title, x.minutes) for x in meeting.agenda if x.deleted_at is None),
        criticisms=tuple(
            CriticismInput(mid(x.from_member), mid(x.to_member), x.text, x.response)
            for x in meeting.criticisms
            if x.deleted_at is None
        ),
        follow_up=meeting.follow_up,
    )
    return MeetingView(
        id=str(meeting.id),
        data=data,
        kind_label=meeting.kind.label,
        host=meeting.host.name if meeting.host else "",
        recorder=meeting.recorder.name if meeting.recorder else "",
        names=names,
    )


def list_meetings(db: Database, campaign_id: str) -> list[MeetingView]:
    with db.read() as session:
        meetings = session.scalars(
            select(Meeting)
            .where(Meeting.campaign_id == uuid.UUID(campaign_id), Meeting.deleted_at.is_(None))
            .order_by(Meeting.held_on.desc(), Meeting.created_at.desc())
        ).all()
        return [_view(m) for m in meetings]


def load_meeting(db: Database, meeting_id: str) -> MeetingView:
    with db.read() as session:
        meeting = session.get(Meeting, _uuid(meeting_id, "会议"))
        if meeting is None or meeting.deleted_at is not None:
            raise DomainError("找不到这次会议，可能已被删除。")
        return _view(meeting)


@office
def plan_meeting(db: Database, campaign_id: str, kind: str, today: dt.date) -> MeetingInput:
    """A new meeting's record to start from: the usual agenda, the host (the
    党组书记, or for a 组织生活会 the branch secretary), and for a 民主生活会
    the leadership team as attendees."""
    meeting_kind = MeetingKind(kind)
    with db.read() as session:
        campaign = session.get(Campaign, uuid.UUID(campaign_id))
        if campaign is None:
            raise DomainError("找不到这个专项行动。")
        leaders = leaders_of(session, campaign.unit_id)
        branch = ""
        if meeting_kind is MeetingKind.DEMOCRATIC_LIFE:
            host = next((m for m in leaders if m.is_party_secretary), None)
        else:
            # A branch's meeting is hosted by its secretary: the member whose
            # post reads …党支部书记 (as rosters write a 兼职 post).
            host, branch = _branch_secretary(session, campaign.unit_id)
        attendees = (
            tuple(Attendee(str(m.id), m.name, AttendanceStatus.PRESENT.value) for m in leaders)
            if meeting_kind is MeetingKind.DEMOCRATIC_LIFE
            else ()
        )
        return MeetingInput(
            kind=meeting_kind.value,
            theme=f"{campaign.title}{meeting_kind.label}",
            held_on=today,
            host_id=str(host.id) if host else None,
            branch=branch,
            attendees=attendees,
            agenda=tuple((item, "") for item in AGENDAS[meeting_kind]),
        )


def _branch_secretary(session: Session, unit_id: uuid.UUID) -> tuple[Member | None, str]:
    """The member whose post names them a 党支部书记, and that branch's name."""
    members = session.scalars(
        select(Member)
        .where(Member.unit_id == unit_id, Member.deleted_at.is_(None))
        .order_by(Member.sort_order, Member.name)
    )
    for member in members:
        for post in member.position.split("、"):
            if post.endswith("支部书记"):
                return member, member.branch or post.removesuffix("书记")
    return None, ""


def _member(
    session: Session, campaign: Campaign, member_id: str | None, what: str
) -> Member | None:
    key = _uuid(member_id, what)
    if key is None:
        return None
    member = session.get(Member, key)
    if member is None or member.deleted_at is not None or member.unit_id != campaign.unit_id:
        raise DomainError(f"{what}不在本单位名单中。")
    return member


@office
def save_meeting(
    db: Database, campaign_id: str, data: MeetingInput, meeting_id: str | None = None
) -> str:
    """Create (no id) or replace a meeting's record; returns its id."""
    kind = MeetingKind(data.kind)
    if data.planned_on and data.held_on and data.planned_on > data.held_on:
        raise DomainError(
            f"会议方案的日期（{cn_date(data.planned_on)}）晚于开会日期"
            f"（{cn_date(data.held_on)}），请改正。"
        )
    for n, a in enumerate(data.attendees, 1):
        AttendanceStatus(a.status)
        if not a.member_id and not a.name.strip():
            raise DomainError(f"第 {n} 位参会人员没有姓名。")
        if a.status == AttendanceStatus.ABSENT.value and not a.reason.strip():
            raise DomainError(f"{a.name or '缺席人员'}缺席，请写明原因。")
    for n, c in enumerate(data.criticisms, 1):
        if not c.text.strip():
            raise DomainError(f"第 {n} 条批评意见没有内容。")
        if not c.from_id:
            raise DomainError(f"第 {n} 条批评意见没有写是谁提出的。")
    with db.transaction() as session:
        campaign = session.get(Campaign, uuid.UUID(campaign_id))
        if campaign is None:
            raise DomainError("找不到这个专项行动。")
        if meeting_id is None:
            meeting = Meeting(campaign=campaign, kind=kind)
            session.add(meeting)
        else:
            found = session.get(Meeting, _uuid(meeting_id, "会议"))
            if found is None or found.deleted_at is not None:
                raise DomainError("找不到这次会议，可能已被删除。")
            meeting = found
            for old in [*meeting.attendance, *meeting.agenda, *meeting.criticisms]:
                session.delete(old)
            session.flush()
        meeting.kind = kind
        meeting.theme = data.theme.strip()
        meeting.held_on = data.held_on
        meeting.planned_on = data.planned_on
        meeting.place = data.place.strip()
        meeting.branch = data.branch.strip()
        meeting.host = _member(session, campaign, data.host_id, "主持人")
        meeting.recorder = _member(session, campaign, data.recorder_id, "记录人")
        meeting.follow_up = data.follow_up
        for a in data.attendees:
            member = _member(session, campaign, a.member_id, a.name or "参会人员")
            meeting.attendance.append(
                MeetingAttendance(
                    member=member,
                    name="" if member is not None else a.name.strip(),
                    title=a.title.strip(),
                    status=AttendanceStatus(a.status),
                    reason=a.reason.strip(),
                )
            )
        for ordinal, (title, minutes) in enumerate(data.agenda, 1):
            if title.strip() or minutes.strip():
                meeting.agenda.append(
                    AgendaItem(ordinal=ordinal, title=title.strip(), minutes=minutes)
                )
        for ordinal, c in enumerate(data.criticisms, 1):
            giver = _member(session, campaign, c.from_id, "提出批评的人")
            receiver = _member(session, campaign, c.to_id, "被批评的人")
            own = receiver is None or receiver is giver
            meeting.criticisms.append(
                Criticism(
                    ordinal=ordinal,
                    from_member=giver,
                    to_member=None if own else receiver,
                    is_self_criticism=own,
                    text=c.text.strip(),
                    response=c.response.strip(),
                )
            )
        session.flush()
        return str(meeting.id)


@office
def delete_meeting(db: Database, meeting_id: str) -> None:
    with db.transaction() as session:
        meeting = session.get(Meeting, _uuid(meeting_id, "会议"))
        if meeting is None or meeting.deleted_at is not None:
            raise DomainError("找不到这次会议，可能已被删除。")
        meeting.soft_delete()
