"""The meeting materials: campaign data gathered into plain inputs, rendered.

``mingjing render KIND --out F.pdf|F.docx [--member NAME] [--meeting ID]`` and
the 会议材料 page both come here. Reading happens in one read transaction per
material; the builders (:mod:`mingjing.reports.materials`) and renderers
never see the database.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from sqlalchemy import select

from mingjing.domain.enums import (
    AttendanceStatus,
    DeadlineKind,
    RectificationState,
    SelfCheckState,
    Source,
    StudyForm,
)
from mingjing.domain.errors import DomainError
from mingjing.domain.models import (
    Campaign,
    Meeting,
    Member,
    Problem,
    Rectification,
    RootCause,
    SelfCheck,
    StudyRecord,
)
from mingjing.domain.text import cn_date
from mingjing.fonts import FontRegistry, FontRole
from mingjing.reports import materials as m
from mingjing.reports.document import Document
from mingjing.reports.docx import render_docx
from mingjing.reports.pdf import Rendered, render_pdf
from mingjing.services.campaign_setup import current_campaign_id
from mingjing.services.consultations import list_consultations
from mingjing.services.ledger import AssignmentView, LedgerRow, all_rows, list_assignments
from mingjing.services.material_kinds import KINDS
from mingjing.services.opinions import list_opinions, opinion_counts
from mingjing.services.roles import office
from mingjing.services.self_check import SelfCheckView, find_self_check
from mingjing.services.snapshots import (
    Snapshot,
    keep_snapshot,
    list_snapshots,
    snapshot_bytes,
    snapshot_file,
)
from mingjing.storage import Database
from mingjing.storage.errors import InputRefused

# KINDS: what ``render`` can make (kept light for the parser and the window).


@dataclass(frozen=True)
class RenderedFile:
    path: Path
    kind: str
    pages: int
    sha256: str
    missing: tuple[str, ...]
    """Characters no font on this computer has; printed as 〓 — tell the user."""


PRINT_ROLES = (FontRole.FANGSONG, FontRole.XIAOBIAOSONG, FontRole.HEI, FontRole.KAI)


def standin_note(registry: FontRegistry) -> str:
    """What to tell before printing on a computer without the official faces
    (仿宋_GB2312, 方正小标宋简体 …): the layout holds, the faces are stand-ins."""
    missing = [role.label for role in PRINT_ROLES if registry.is_standin(role)]
    if not missing:
        return ""
    return (
        f"本机没有正式的{'、'.join(missing)}字体，已用随软件附带的相近字体排版，版式不变；"
        "正式印发前，可在装有这些字体的电脑上重新生成。"
    )


def _deadline_text(kind: DeadlineKind, deadline: dt.date | None) -> str:
    if kind is DeadlineKind.BY_DATE:
        return f"{cn_date(deadline)}前" if deadline else "（未定）"
    return kind.label


def _campaign_id(db: Database) -> str:
    campaign_id = current_campaign_id(db)
    if campaign_id is None:
        raise DomainError("还没有专项行动，无法生成会议材料。请先建立专项行动。")
    return campaign_id


# ------------------------------------------------------------------ gathering


@dataclass(frozen=True)
class _Campaign:
    id: str
    unit: str
    title: str
    areas: tuple[str, ...]
    cause_categories: dict[str, str]


def _campaign(db: Database, campaign_id: str) -> _Campaign:
    with db.read() as session:
        campaign = session.get(Campaign, uuid.UUID(campaign_id))
        if campaign is None:
            raise DomainError("找不到这个专项行动。")
        categories = {
            str(c["key"]): str(c["label"])
            for c in campaign.template.vocabulary.get("root_cause_categories", [])
        }
        return _Campaign(
            campaign_id,
            campaign.unit.name,
            campaign.title,
            tuple(a.title for a in campaign.template.areas),
            categories,
        )


def _member(db: Database, campaign_id: str, name: str) -> Member:
    with db.read() as session:
        campaign = session.get(Campaign, uuid.UUID(campaign_id))
        assert campaign is not None
        found = session.scalars(
            select(Member).where(
                Member.unit_id == campaign.unit_id,
                Member.deleted_at.is_(None),
                Member.name == name.strip(),
            )
        ).all()
        if not found:
            raise DomainError(f"名单中没有“{name}”。")
        if len(found) > 1:
            raise DomainError(f"名单中有{len(found)}个“{name}”，请在窗口中选择。")
        session.expunge(found[0])
        return found[0]


def _in_roster_order(talks: list[m.StudyLine], roster: Sequence[str]) -> list[m.StudyLine]:
    """Talks listed as the roster runs (班子成员 first, by rank), not as recorded."""

    def rank(line: m.StudyLine) -> int:
        return next((n for n, name in enumerate(roster) if name in line.topic), len(roster))

    return sorted(talks, key=rank)


def _statement_from_view(
    c: _Campaign,
    view: SelfCheckView | None,
    member: Member,
    today: dt.date,
    roster: Sequence[str] = (),
) -> m.StatementInput:
    if view is None:
        return m.StatementInput(
            unit=c.unit,
            campaign_title=c.title,
            name=member.name,
            position=member.position,
            areas=c.areas,
            cause_categories=tuple(c.cause_categories.values()),
            status_note="（本人尚未提交个人对照检查材料。）",
        )
    areas = {a.key: a.title for a in view.areas}
    categories = dict(view.cause_categories)
    forms = dict(view.study_forms)
    problems = tuple(
        m.ProblemLine(
            text=p.text,
            examples=p.examples,
            area=areas.get(p.area_key or "", ""),
            source=p.source,
            severity=p.severity,
            causes=tuple((categories.get(x.category, x.category), x.text) for x in p.causes),
            measures=tuple(
                m.MeasureLine(
                    x.text, x.target, _deadline_text(DeadlineKind(x.deadline_kind), x.deadline)
                )
                for x in p.measures
            ),
        )
        for p in view.problems
    )
    lines = [
        m.StudyLine(s.studied_on, forms.get(s.form, s.form), s.topic, s.hours, s.note)
        for s in view.study
    ]
    talk = forms.get(StudyForm.TALK.value, StudyForm.TALK.label)
    # Dated the day it was handed in (its words were final then); a text not
    # handed in, or returned for rework, is not final: undated, and said so.
    final = view.state in (SelfCheckState.SUBMITTED, SelfCheckState.ACCEPTED)
    written = view.submitted_at.astimezone().date() if final and view.submitted_at else None
    status_note = ""
    if view.state is SelfCheckState.RETURNED:
        status_note = "（此稿已退回本人修改，尚未重新提交。）"
    elif not final:
        status_note = "（本人尚未提交个人对照检查材料，以下为办公室现有的内容。）"
    return m.StatementInput(
        unit=c.unit,
        campaign_title=c.title,
        name=view.member_name,
        position=view.member_position,
        # 班子成员 speak at the 专题民主生活会; other cadres at their branch's 组织生活会.
        meeting="专题民主生活会" if member.is_leader else "组织生活会",
        areas=c.areas,
        study=tuple(x for x in lines if x.form != talk),
        talks=tuple(_in_roster_order([x for x in lines if x.form == talk], roster)),
        opinions=sum(1 for p in view.problems if p.source_code == Source.MASSES.value),
        problems=problems,
        overall_analysis=view.overall_analysis,
        cause_categories=tuple(c.cause_categories.values()),
        date=written,
        status_note=status_note,
        personal_matters=view.personal_matters if member.is_leader else None,
    )


def statement_input(db: Database, campaign_id: str, name: str, today: dt.date) -> m.StatementInput:
    return _statement_input(db, _campaign(db, campaign_id), _member(db, campaign_id, name), today)


def _statement_input(
    db: Database, c: _Campaign, member: Member, today: dt.date
) -> m.StatementInput:
    view = find_self_check(db, c.id, str(member.id))
    roster = [x.name for x in _unit_members(db, c.id)]
    data = _statement_from_view(c, view, member, today, roster)
    return replace(data, last_year=last_year(db, c.id, member.name))


def statement_documents(
    db: Database, campaign_id: str, member_ids: Sequence[str], today: dt.date
) -> dict[str, Document]:
    """个人对照检查材料 of the given members (by id: names may repeat), as printed."""
    c = _campaign(db, campaign_id)
    with db.read() as session:
        members = [session.get(Member, uuid.UUID(x)) for x in member_ids]
        for x in members:
            if x is not None:
                session.expunge(x)
    return {
        str(x.id): m.single(m.statement(_statement_input(db, c, x, today)), c.unit)
        for x in members
        if x is not None
    }


def team_statement_document(db: Database, campaign_id: str, today: dt.date) -> Document:
    """领导班子对照检查材料 as ``render team-statement`` makes it."""
    return build(db, "team-statement", today=today, campaign_id=campaign_id)


def last_year(db: Database, campaign_id: str, name: str | None) -> tuple[str, ...]:
    """上年度整改落实情况 (for one leader, or the team): how many, how many signed
    off, and which are still open — from the unit's previous campaign kept in
    this database, or else from the rows read in from last year's ledger."""
    with db.read() as session:
        campaign = session.get(Campaign, uuid.UUID(campaign_id))
        assert campaign is not None
        earlier = session.scalars(
            select(Campaign)
            .where(
                Campaign.unit_id == campaign.unit_id,
                Campaign.id != campaign.id,
                Campaign.deleted_at.is_(None),
                Campaign.created_at < campaign.created_at,
            )
            .order_by(Campaign.created_at.desc())
            .limit(1)
        ).first()
        source = select(Rectification).where(Rectification.deleted_at.is_(None))
        if earlier is not None:
            rows = list(session.scalars(source.where(Rectification.campaign_id == earlier.id)))
            where = f"{earlier.title}的"
        else:
            rows = list(
                session.scalars(
                    source.where(
                        Rectification.campaign_id == campaign.id,
                        Rectification.imported_from != "",
                    )
                )
            )
            where = ""
        if name is not None:
            rows = [r for r in rows if name in _names(r)]
        if not rows:
            return ()
        done = [r for r in rows if r.state is RectificationState.SIGNED_OFF]
        open_rows = sorted(
            (r for r in rows if r.state is not RectificationState.SIGNED_OFF),
            key=lambda r: r.serial,
        )
    whose = "本人牵头负责的" if name is not None else "班子"
    carried = "" if earlier is not None else "（已转入本年度整改台账）"
    text = f"上年度{where}{whose}整改事项{len(rows)}项{carried}，目前已整改销号{len(done)}项"
    if open_rows:
        listed = "、".join(f"第{r.serial}项" for r in open_rows[:8])
        more = "等" if len(open_rows) > 8 else ""
        text += f"，尚未销号{len(open_rows)}项（台账{listed}{more}），将继续推进、限期销号。"
    else:
        text += "，已全部整改到位。"
    return (text,)


def _leader_of(row: Rectification) -> str:
    """The row's 责任领导: the roster member, or the name as typed or read in."""
    if row.responsible_leader is not None:
        return row.responsible_leader.name
    return row.leader_name


def _names(row: Rectification) -> set[str]:
    """Who answers for a row: the leader and owner, on the roster or named in it."""
    names = {row.leader_name, row.owner_name}
    for member in (row.responsible_leader, row.owner):
        if member is not None:
            names.add(member.name)
    return names - {""}


def _unit_members(db: Database, campaign_id: str) -> list[Member]:
    with db.read() as session:
        campaign = session.get(Campaign, uuid.UUID(campaign_id))
        assert campaign is not None
        members = list(
            session.scalars(
                select(Member)
                .where(Member.unit_id == campaign.unit_id, Member.deleted_at.is_(None))
                .order_by(Member.sort_order, Member.name)
            )
        )
        for x in members:
            session.expunge(x)
        return members


def _leaders(db: Database, campaign_id: str) -> list[Member]:
    return [x for x in _unit_members(db, campaign_id) if x.is_leader]


def team_problems(db: Database, campaign_id: str, today: dt.date) -> list[m.ProblemLine]:
    """The team's problems with their causes, and measures from the ledger rows opened
    for them (the team's measures are decided collectively and kept there)."""
    c = _campaign(db, campaign_id)
    with db.read() as session:
        campaign = session.get(Campaign, uuid.UUID(campaign_id))
        assert campaign is not None
        team = campaign.unit.team
        if team is None:
            return []
        problems = session.scalars(
            select(Problem)
            .where(
                Problem.campaign_id == campaign.id,
                Problem.owner_team_id == team.id,
                Problem.deleted_at.is_(None),
            )
            .order_by(Problem.sort_order, Problem.created_at)
        ).all()
        ids = [p.id for p in problems]
        rows = (
            session.scalars(
                select(Rectification)
                .where(Rectification.problem_id.in_(ids), Rectification.deleted_at.is_(None))
                .order_by(Rectification.serial)
            ).all()
            if ids
            else []
        )
        by_problem: dict[uuid.UUID, list[Rectification]] = {}
        for r in rows:
            if r.problem_id is not None:
                by_problem.setdefault(r.problem_id, []).append(r)
        out = []
        for p in problems:
            ledger_rows = by_problem.get(p.id, [])
            # The ledger rows opened for the problem carry its measures as decided
            # (they were copied from them); the problem's own only if none was opened.
            measures = [
                m.MeasureLine(r.measure, r.target, _deadline_text(r.deadline_kind, r.deadline))
                for r in ledger_rows
            ] or [
                m.MeasureLine(x.text, x.target, _deadline_text(x.deadline_kind, x.deadline))
                for x in p.measures
                if x.deleted_at is None
            ]
            leaders = list(dict.fromkeys(x for x in map(_leader_of, ledger_rows) if x))
            out.append(
                m.ProblemLine(
                    text=p.text,
                    examples=p.examples,
                    area=p.area.title if p.area else "",
                    source=p.source.label,
                    severity=p.severity.label,
                    causes=tuple(
                        (c.cause_categories.get(x.category, x.category), x.text)
                        for x in p.root_causes
                        if x.deleted_at is None
                    ),
                    measures=tuple(measures),
                    leader="、".join(leaders),
                    deadline="；".join(
                        dict.fromkeys(
                            _deadline_text(r.deadline_kind, r.deadline) for r in ledger_rows
                        )
                    ),
                )
            )
        return out


def team_statement_input(db: Database, campaign_id: str, today: dt.date) -> m.StatementInput:
    c = _campaign(db, campaign_id)
    problems = team_problems(db, campaign_id, today)
    with db.read() as session:
        campaign = session.get(Campaign, uuid.UUID(campaign_id))
        assert campaign is not None
        team = campaign.unit.team
        overall = ""
        if team is not None:
            overall = "\n".join(
                x.text
                for x in session.scalars(
                    select(RootCause)
                    .where(
                        RootCause.campaign_id == campaign.id,
                        RootCause.team_id == team.id,
                        RootCause.problem_id.is_(None),
                        RootCause.deleted_at.is_(None),
                    )
                    .order_by(RootCause.sort_order)
                )
            )
        talks = session.scalars(
            select(StudyRecord)
            .join(SelfCheck, StudyRecord.self_check_id == SelfCheck.id)
            .join(Member, SelfCheck.member_id == Member.id)
            .where(
                SelfCheck.campaign_id == campaign.id,
                Member.is_leader.is_(True),
                Member.deleted_at.is_(None),
                StudyRecord.form == StudyForm.TALK,
                StudyRecord.deleted_at.is_(None),
            )
        ).all()
        talk_lines = tuple(
            m.StudyLine(t.studied_on, StudyForm.TALK.label, t.topic, t.hours, t.note) for t in talks
        )
    counts = opinion_counts(db, campaign_id)
    about_team = [o for o in list_opinions(db, campaign_id) if o.target_kind == "team"]
    team_opinions = len(about_team)
    taken = sum(1 for o in about_team if o.problem_id)
    return m.StatementInput(
        unit=c.unit,
        campaign_title=c.title,
        name="领导班子",
        team=True,
        last_year=last_year(db, campaign_id, None),
        areas=c.areas,
        talks=talk_lines,
        opinions=team_opinions or counts.raw,
        opinions_taken=taken if team_opinions else counts.converted,
        problems=tuple(problems),
        overall_analysis=overall,
        cause_categories=tuple(c.cause_categories.values()),
        date=today,
    )


def opinions_input(db: Database, campaign_id: str, today: dt.date) -> m.OpinionsInput:
    c = _campaign(db, campaign_id)
    counts = opinion_counts(db, campaign_id)
    lines = tuple(
        m.OpinionLine(o.channel_label, o.area_title, o.text, o.count, o.target_label)
        for o in list_opinions(db, campaign_id)
        if not o.is_merged
    )
    return m.OpinionsInput(
        unit=c.unit,
        campaign_title=c.title,
        raw=counts.raw,
        items=counts.items,
        by_channel=tuple(counts.by_channel.items()),
        by_area=tuple(counts.by_area.items()),
        lines=lines,
        converted=counts.converted,
        date=today,
    )


def consultation_records(db: Database, campaign_id: str) -> list[m.ConsultationRecord]:
    return [
        m.ConsultationRecord(
            held_on=v.held_on,
            place=v.place,
            topic=v.topic,
            host=v.host,
            participants=tuple(v.participants)
            + ((v.other_participants,) if v.other_participants else ()),
            # Members raising the same checklist item share its words: once each.
            problems=tuple(dict.fromkeys(v.problems)),
            diagnosis=v.diagnosis,
            measures=tuple(
                (x.text, x.owner, f"{cn_date(x.deadline)}前" if x.deadline else "")
                for x in v.measures
            ),
        )
        for v in list_consultations(db, campaign_id)
    ]


_ISO_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def _cn_days(text: str) -> str:
    """2025-12-31 → 2025年12月31日, as printed materials write dates."""
    return _ISO_DAY.sub(lambda d: f"{int(d[1])}年{int(d[2])}月{int(d[3])}日", text)


def _ledger_line(r: LedgerRow) -> m.LedgerLine:
    progress = _cn_days(r.progress)
    if r.institutional:
        progress = f"{progress}\n建章立制：{r.institutional}".strip()
    return m.LedgerLine(
        serial=r.serial,
        problem=r.problem,
        measure=r.measure,
        leader=r.leader,
        department="、".join(
            dict.fromkeys(
                part.strip()
                for part in re.split(r"[、，,；;]", f"{r.department}、{r.cooperating}")
                if part.strip()
            )
        ),
        deadline=_cn_days(r.deadline_text),
        progress=progress,
        # 已销号（2025-12-31，某某） in a narrow cell: state, date and signer a line each.
        sign_off=_cn_days(r.sign_off).replace("（", "\n").replace("，", "\n").rstrip("）"),
        area=r.area,
        owner=r.owner,
        target=r.target,
        institutional=r.institutional,
        source=r.source,
    )


def ledger_lines(db: Database, campaign_id: str, today: dt.date) -> list[m.LedgerLine]:
    with db.read() as session:
        personal = {
            str(x)
            for x in session.scalars(
                select(Problem.id).where(
                    Problem.campaign_id == uuid.UUID(campaign_id),
                    Problem.owner_member_id.is_not(None),
                )
            )
        }
    return [
        replace(_ledger_line(r), personal=r.problem_id in personal)
        for r in all_rows(db, campaign_id, today=today)
    ]


def assignment_sheet(a: AssignmentView) -> m.AssignmentSheet:
    return m.AssignmentSheet(
        number=a.number,
        issued_to=a.issued_to,
        issued_by=a.issued_by,
        issued_on=a.issued_on,
        due_date=a.due_date,
        rows=tuple(_ledger_line(r) for r in a.rows),
        note=a.note,
    )


def assignment_sheets(db: Database, campaign_id: str, today: dt.date) -> list[m.AssignmentSheet]:
    return [assignment_sheet(a) for a in list_assignments(db, campaign_id, today=today)]


def assignment_document(view: AssignmentView, unit: str) -> Document:
    """One 交办单, as the ledger page prints it."""
    return m.single(m.assignments(unit, [assignment_sheet(view)]), unit)


def meeting_record(
    db: Database, campaign_id: str, meeting_id: str | None
) -> m.MeetingRecord | None:
    """The meeting asked for, or the campaign's latest; None if there is none."""
    with db.read() as session:
        query = select(Meeting).where(
            Meeting.campaign_id == uuid.UUID(campaign_id), Meeting.deleted_at.is_(None)
        )
        if meeting_id:
            try:
                query = query.where(Meeting.id == uuid.UUID(meeting_id))
            except ValueError as exc:
                raise DomainError(f"“{meeting_id}”不是会议编号。") from exc
        meeting = session.scalars(query.order_by(Meeting.held_on.desc())).first()
        if meeting is None:
            if meeting_id:
                raise DomainError(f"找不到编号为 {meeting_id} 的会议。")
            return None

        def who(x: Member | None) -> str:
            return x.name if x is not None else ""

        # As the roster runs (班子成员 by rank), then those from outside as entered.
        live = sorted(
            (a for a in meeting.attendance if a.deleted_at is None),
            key=lambda a: a.member.sort_order if a.member is not None else 1 << 30,
        )

        def label(a: object) -> str:
            member = getattr(a, "member", None)
            return member.name if member is not None else str(getattr(a, "name", ""))

        return m.MeetingRecord(
            kind=meeting.kind.label,
            theme=meeting.theme,
            held_on=meeting.held_on,
            planned_on=meeting.planned_on
            or (
                min(meeting.created_at.astimezone().date(), meeting.held_on)
                if meeting.held_on
                else meeting.created_at.astimezone().date()
            ),
            place=meeting.place,
            host=who(meeting.host),
            recorder=who(meeting.recorder),
            attendees=tuple(label(a) for a in live if a.status is AttendanceStatus.PRESENT),
            members=tuple(
                label(a)
                for a in live
                if a.status in (AttendanceStatus.PRESENT, AttendanceStatus.ABSENT)
            ),
            absentees=tuple(
                (label(a), a.reason) for a in live if a.status is AttendanceStatus.ABSENT
            ),
            observers=tuple(
                f"{label(a)}（{a.title}）" if a.title else label(a)
                for a in live
                # The recorder sits in to take the minutes: named as 记录人, not 列席.
                if a.status is AttendanceStatus.OBSERVER
                and (a.member is None or a.member is not meeting.recorder)
            ),
            agenda=tuple((x.title, x.minutes) for x in meeting.agenda if x.deleted_at is None),
            criticisms=tuple(
                (
                    who(x.from_member),
                    "" if x.is_self_criticism else who(x.to_member),
                    x.text,
                    x.response,
                )
                for x in meeting.criticisms
                if x.deleted_at is None
            ),
            follow_up=meeting.follow_up,
            branch=meeting.branch,
        )


# ------------------------------------------------------------------ building


@office
def build(
    db: Database,
    kind: str,
    *,
    today: dt.date,
    member: str | None = None,
    meeting: str | None = None,
    anonymise: bool = False,
    campaign_id: str | None = None,
) -> Document:
    """The material ``kind`` (a key of :data:`KINDS`) as a document."""
    if kind not in KINDS:
        raise DomainError(f"没有“{kind}”这种材料。可生成：{'、'.join(KINDS)}。")
    cid = campaign_id or _campaign_id(db)
    c = _campaign(db, cid)
    # What is prepared for the meeting is dated no later than the meeting.
    due = _for_the_meeting(db, cid, meeting, today)
    if kind == "statement":
        if not member:
            raise DomainError("生成个人对照检查材料要指明是谁（--member 姓名）。")
        return m.single(m.statement(statement_input(db, cid, member, today)), c.unit)
    if kind == "team-statement":
        return m.single(
            m.statement(replace(team_statement_input(db, cid, today), date=due)), c.unit
        )
    if kind == "problem-list":
        return m.single(m.problem_list(c.unit, team_problems(db, cid, today), due), c.unit)
    if kind == "opinions":
        return m.single(m.opinions(replace(opinions_input(db, cid, today), date=due)), c.unit)
    if kind == "consultation":
        return m.single(m.consultations(c.unit, consultation_records(db, cid)), c.unit)
    if kind == "ledger":
        return m.single(m.ledger(c.unit, ledger_lines(db, cid, today), today), c.unit)
    if kind == "assignment":
        return m.single(m.assignments(c.unit, assignment_sheets(db, cid, today)), c.unit)
    if kind == "meeting-plan":
        return m.single(m.meeting_plan(c.unit, meeting_record(db, cid, meeting)), c.unit)
    if kind == "minutes":
        return m.single(m.minutes(c.unit, meeting_record(db, cid, meeting)), c.unit)
    if kind == "disclosure":
        lines = ledger_lines(db, cid, today)
        return m.single(m.disclosure(c.unit, lines, today, anonymise, c.title), c.unit)
    record = meeting_record(db, cid, meeting)
    branch_meeting = record is not None and record.kind == "组织生活会"
    if branch_meeting:
        # A branch's 组织生活会: its members' statements, not the leadership's.
        assert record is not None
        named = {*record.attendees, *(name for name, _ in record.absentees)}
        speakers = [x for x in _unit_members(db, cid) if x.name in named]
    else:
        speakers = _leaders(db, cid)
    roster = [x.name for x in _unit_members(db, cid)]
    statements = tuple(
        replace(
            _statement_from_view(c, find_self_check(db, cid, str(x.id)), x, today, roster),
            last_year=last_year(db, cid, x.name),
        )
        for x in speakers
    )
    return m.package(
        m.CampaignMaterials(
            unit=c.unit,
            campaign_title=c.title,
            meeting=record,
            team=None
            if branch_meeting
            else replace(team_statement_input(db, cid, today), date=due),
            statements=statements,
            team_problems=() if branch_meeting else tuple(team_problems(db, cid, today)),
            opinions=replace(opinions_input(db, cid, today), date=due),
            consultations=tuple(consultation_records(db, cid)),
            ledger=tuple(ledger_lines(db, cid, today)),
            assignments=tuple(assignment_sheets(db, cid, today)),
            date=today,
            anonymise=anonymise,
        )
    )


def _for_the_meeting(
    db: Database, campaign_id: str, meeting_id: str | None, today: dt.date
) -> dt.date:
    """The date of what is prepared for a meeting (statements, 问题清单, 征求意见
    汇总): the day it is printed, but no later than the meeting it was for."""
    record = meeting_record(db, campaign_id, meeting_id)
    if record is None or record.held_on is None:
        return today
    return min(today, record.held_on)


def write(
    document: Document,
    out: Path,
    registry: FontRegistry,
    progress: Callable[[int], bool] | None = None,
) -> tuple[Rendered, bytes]:
    """Render ``document``; the bytes are a PDF or a DOCX by ``out``'s suffix.

    The PDF is always laid out (the DOCX contents take its page numbers).
    The file is written whole or not at all.
    """
    suffix = out.suffix.lower()
    if suffix not in (".pdf", ".docx"):
        raise InputRefused(f"{out}：文件名要以 .pdf 或 .docx 结尾。")
    rendered = render_pdf(document, registry, progress)
    data = (
        rendered.data
        if suffix == ".pdf"
        else render_docx(document, [page for _, page in rendered.sections])
    )
    from mingjing.services.campaigns import write_file_atomically

    write_file_atomically(out, data)
    return rendered, data


def render(
    db: Database,
    kind: str,
    out: Path,
    registry: FontRegistry,
    *,
    today: dt.date,
    member: str | None = None,
    meeting: str | None = None,
    anonymise: bool = False,
    progress: Callable[[int], bool] | None = None,
) -> RenderedFile:
    document = build(db, kind, today=today, member=member, meeting=meeting, anonymise=anonymise)
    rendered, data = write(document, out, registry, progress)
    return RenderedFile(
        path=out,
        kind=kind,
        pages=rendered.pages,
        sha256=hashlib.sha256(data).hexdigest(),
        missing=rendered.missing,
    )


__all__ = [
    "KINDS",
    "Snapshot",
    "build",
    "keep_snapshot",
    "list_snapshots",
    "render",
    "snapshot_bytes",
    "snapshot_file",
    "standin_note",
    "write",
]
