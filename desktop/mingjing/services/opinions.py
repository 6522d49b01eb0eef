"""征求意见: opinions gathered from the masses, sorted, merged and turned into problems.

Opinions are anonymous by construction: no function here takes or returns
who gave an opinion, and the spreadsheet import never reads a column that
could name the giver (提出人, 姓名, 联系方式 …) — it only says it ignored it.
Lists are sorted by whom an opinion is about, its 问题方面 and date, never
by the order of entry (which could tell who spoke when at a 座谈会).

Near-duplicates are merged: the merged opinions stay stored and counted
(“N 条意见梳理为 M 条”); the one they were merged into shows how many it
stands for. An opinion about a member or the leadership team is turned into
a problem of theirs (source 群众提), and keeps the link to it.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mingjing.domain.enums import OpinionChannel, Source
from mingjing.domain.errors import DomainError
from mingjing.domain.models import (
    Area,
    Campaign,
    LeadershipTeam,
    Member,
    Opinion,
    Problem,
)
from mingjing.domain.text import short_statement
from mingjing.services.roles import office
from mingjing.services.roster import normalize_name
from mingjing.services.sheets import (
    Column,
    RowIssue,
    Sheet,
    clean_text,
    header_key,
    parse_date,
    read_sheet,
    refuse_with_issues,
)
from mingjing.services.summary import current_campaign
from mingjing.storage import Database
from mingjing.storage.errors import InputRefused

OPINION_COLUMNS = (
    Column(
        "channel",
        ("渠道", "征求渠道", "意见渠道", "来源渠道", "征求方式", "方式", "来源", "意见来源"),
    ),
    Column(
        "target",
        (
            "对象",
            "意见对象",
            "提意见对象",
            "被提意见对象",
            "被提意见人",
            "针对对象",
            "涉及对象",
            "反映对象",
            "对象姓名",
            "所提对象",
        ),
    ),
    Column("area", ("问题方面", "方面", "问题类别", "类别", "问题类型", "所属方面", "归类")),
    Column(
        "text",
        (
            "意见内容",
            "意见",
            "内容",
            "意见建议",
            "意见和建议",
            "意见建议内容",
            "具体意见",
            "反映问题",
            "问题",
            "主要内容",
        ),
        required=True,
    ),
    Column(
        "date",
        ("日期", "时间", "收到日期", "征求日期", "征求时间", "反映时间", "提出时间"),
    ),
)

IDENTIFYING = (
    "提出人",
    "反映人",
    "提意见人",
    "意见人",
    "姓名",
    "名字",
    "联系",
    "电话",
    "手机",
    "单位",
    "身份证",
    "地址",
    "住址",
    "邮箱",
    "签名",
    "署名",
    "填表人",
    "性别",
    "年龄",
    "职务",
    "微信",
    "qq",
)
"""Words in a column header that mark it as about the giver of an opinion."""

_CHANNEL_WORDS = {
    OpinionChannel.FORUM: ("座谈",),
    OpinionChannel.SURVEY: ("问卷", "调查"),
    OpinionChannel.MAILBOX: ("意见箱", "信箱"),
    OpinionChannel.TALK: ("谈话", "谈心", "访谈"),
}
_TEAM_WORDS = {"领导班子", "班子", "党组", "班子整体", "领导班子整体", "全体班子成员", "班子成员"}
_NO_TARGET = {"", "无", "/", "-", "—", "单位", "全体", "全局", "机关", "未指明", "不指明"}
_NOTHING = {"无", "没有", "暂无", "无意见", "没有意见", "暂无意见", "无建议", "/", "-", "—"}
_LABEL = re.compile(r"^(?P<name>[^（(]+)[（(](?P<hint>[^）)]+)[）)]$")
_AREA_NUMBER = re.compile(r"^第?[（(]?(?P<n>[0-9]+|[一二三四五六七八九十])[)）.、．]?")
_NUMERALS = "一二三四五六七八九十"
NO_AREA = "未归类"
NO_TARGET = "（未指明对象）"


def channel_of(value: str) -> OpinionChannel:
    """A channel from its code (forum…), its label (座谈会…) or an office's wording."""
    text = header_key(value)
    for channel in OpinionChannel:
        if text in (channel.value, header_key(channel.label)):
            return channel
    hits = {c for c, words in _CHANNEL_WORDS.items() if any(w in text for w in words)}
    if text and len(hits) == 1:
        return hits.pop()
    allowed = "、".join(c.label for c in OpinionChannel)
    raise DomainError(f"渠道“{value}”不是{allowed}之一。")


def _uuid(value: str, what: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise DomainError(f"找不到这{what}。") from None


def _member_label(member: Member) -> str:
    label = f"{member.name}（{member.position}）" if member.position else member.name
    return label + ("（已移出名单）" if member.deleted_at is not None else "")


def _excerpt(text: str, size: int = 14) -> str:
    text = " ".join(text.split())
    return f"“{text}”" if len(text) <= size else f"“{text[: size - 1]}…”"


def problem_title(text: str) -> str:
    """A problem's short statement from an opinion (see :func:`short_statement`)."""
    return short_statement(text)


# ------------------------------------------------------------------- views


@dataclass(frozen=True)
class OpinionView:
    id: str
    channel: str
    """Code of the channel (forum, survey, mailbox, talk)."""
    channel_label: str
    text: str
    target_kind: str
    """"member", "team" or "none" (the unit in general)."""
    target_member_id: str | None
    target_label: str
    area_key: str | None
    area_title: str
    """The 问题方面's title, or 未归类."""
    received_on: dt.date | None
    merged_into_id: str | None
    """Set on an opinion merged into another; it is listed right after that one."""
    merged_count: int
    """How many opinions were merged into this one (0 if none)."""
    problem_id: str | None
    """The problem this opinion became (None if not converted, or the problem was deleted)."""

    @property
    def count(self) -> int:
        """How many opinions this line stands for (itself and those merged into it)."""
        return self.merged_count + 1

    @property
    def is_merged(self) -> bool:
        return self.merged_into_id is not None


@dataclass(frozen=True)
class OpinionCounts:
    raw: int
    """N: every opinion gathered."""
    items: int
    """M: what they came to after merging."""
    by_channel: dict[str, int] = field(default_factory=dict)
    """Channel label → opinions gathered through it (raw count)."""
    by_area: dict[str, int] = field(default_factory=dict)
    """问题方面 title (or 未归类) → opinions about it (raw count), in checklist order."""
    converted: int = 0
    """Items turned into problems."""

    @property
    def text(self) -> str:
        return f"征求意见 {self.raw} 条，梳理为 {self.items} 条"


def _alive(session: Session, campaign_id: uuid.UUID) -> list[Opinion]:
    return list(
        session.scalars(
            select(Opinion).where(Opinion.campaign_id == campaign_id, Opinion.deleted_at.is_(None))
        )
    )


def _campaign(session: Session, campaign_id: str) -> Campaign:
    campaign = session.get(Campaign, _uuid(campaign_id, "个专项行动"))
    if campaign is None or campaign.deleted_at is not None:
        raise DomainError("找不到这个专项行动。")
    return campaign


def _problem_alive(session: Session, problem_id: uuid.UUID | None) -> bool:
    if problem_id is None:
        return False
    problem = session.get(Problem, problem_id)
    return problem is not None and problem.deleted_at is None


@office
def list_opinions(db: Database, campaign_id: str) -> list[OpinionView]:
    """Every opinion of the campaign: by target, 问题方面 and date; merged ones after theirs."""
    with db.read() as session:
        campaign = _campaign(session, campaign_id)
        opinions = _alive(session, campaign.id)
        areas = {a.id: a for a in campaign.template.areas}
        children: dict[uuid.UUID, list[Opinion]] = {}
        for o in opinions:
            if o.merged_into_id is not None:
                children.setdefault(o.merged_into_id, []).append(o)
        alive_problems = set(
            session.scalars(
                select(Problem.id).where(
                    Problem.campaign_id == campaign.id, Problem.deleted_at.is_(None)
                )
            )
        )

        def sort_key(o: Opinion) -> tuple[Any, ...]:
            if o.target_team_id is not None:
                target: tuple[Any, ...] = (0, 0, "")
            elif o.target_member is not None:
                target = (1, o.target_member.sort_order, o.target_member.name)
            else:
                target = (2, 0, "")
            area = areas.get(o.area_id) if o.area_id else None
            return (
                *target,
                area.ordinal if area else 99,
                o.received_on or dt.date.max,
                o.text,
            )

        def view(o: Opinion) -> OpinionView:
            area = areas.get(o.area_id) if o.area_id else None
            if o.target_team is not None:
                kind, label = "team", o.target_team.name
            elif o.target_member is not None:
                kind, label = "member", _member_label(o.target_member)
            else:
                kind, label = "none", NO_TARGET
            return OpinionView(
                id=str(o.id),
                channel=o.channel.value,
                channel_label=o.channel.label,
                text=o.text,
                target_kind=kind,
                target_member_id=str(o.target_member_id) if o.target_member_id else None,
                target_label=label,
                area_key=area.key if area else None,
                area_title=area.title if area else NO_AREA,
                received_on=o.received_on,
                merged_into_id=str(o.merged_into_id) if o.merged_into_id else None,
                merged_count=len(children.get(o.id, [])),
                problem_id=str(o.problem_id) if o.problem_id in alive_problems else None,
            )

        out: list[OpinionView] = []
        kept = {o.id for o in opinions if o.merged_into_id is None}
        for o in sorted((o for o in opinions if o.merged_into_id is None), key=sort_key):
            out.append(view(o))
            out.extend(view(c) for c in sorted(children.get(o.id, []), key=sort_key))
        # Merged into an opinion that is gone (should not happen; shown, not lost).
        strays = [
            o for o in opinions if o.merged_into_id is not None and o.merged_into_id not in kept
        ]
        out.extend(view(o) for o in sorted(strays, key=sort_key))
        return out


@office
def opinion_counts(db: Database, campaign_id: str) -> OpinionCounts:
    """N 条意见梳理为 M 条, with counts by channel and 问题方面 (no names, ever)."""
    with db.read() as session:
        campaign = _campaign(session, campaign_id)
        opinions = _alive(session, campaign.id)
        areas = {a.id: a for a in campaign.template.areas}
        kept = [o for o in opinions if o.merged_into_id is None]
        channels = Counter(o.channel for o in opinions)
        by_area = Counter(o.area_id for o in opinions)
        area_counts = {a.title: by_area[a.id] for a in campaign.template.areas if by_area[a.id]}
        unclassified = sum(n for k, n in by_area.items() if k is None or k not in areas)
        if unclassified:
            area_counts[NO_AREA] = unclassified
        converted = sum(1 for o in kept if _problem_alive(session, o.problem_id))
        return OpinionCounts(
            raw=len(opinions),
            items=len(kept),
            by_channel={c.label: channels[c] for c in OpinionChannel if channels[c]},
            by_area=area_counts,
            converted=converted,
        )


# ------------------------------------------------------------------- edits

_UNSET: Any = object()


def _area(campaign: Campaign, area_key: str | None) -> Area | None:
    if area_key is None or area_key == "":
        return None
    match = next((a for a in campaign.template.areas if a.key == area_key), None)
    if match is None:
        raise DomainError(f"自查表中没有“{area_key}”这个方面。")
    return match


def _target(
    session: Session, campaign: Campaign, member_id: str | None, team: bool
) -> tuple[Member | None, LeadershipTeam | None]:
    if member_id and team:
        raise DomainError("一条意见只能针对一位干部或领导班子，不能同时针对两者。")
    if team:
        leadership = campaign.unit.team
        if leadership is None:
            raise DomainError("本单位还没有领导班子。")
        return None, leadership
    if member_id:
        member = session.get(Member, _uuid(member_id, "个人"))
        if member is None or member.deleted_at is not None or member.unit_id != campaign.unit_id:
            raise DomainError("名单中找不到这个人，可能已被移出名单。")
        return member, None
    return None, None


def _opinion(session: Session, opinion_id: str) -> Opinion:
    opinion = session.get(Opinion, _uuid(opinion_id, "条意见"))
    if opinion is None or opinion.deleted_at is not None:
        raise DomainError("找不到这条意见，可能已被删除。")
    return opinion


def _text(text: str) -> str:
    text = clean_text(text)
    if not text:
        raise DomainError("意见内容不能为空。")
    return text


@office
def add_opinion(
    db: Database,
    campaign_id: str,
    channel: str,
    text: str,
    target_member_id: str | None = None,
    team: bool = False,
    area_key: str | None = None,
    received_on: dt.date | None = None,
) -> str:
    """Record one opinion (no giver: there is nowhere to put one). Returns its id.

    ``channel`` is a code (forum, survey, mailbox, talk) or its label; the
    opinion is about ``target_member_id``, or the leadership team if ``team``,
    or the unit in general if neither.
    """
    with db.transaction() as session:
        campaign = _campaign(session, campaign_id)
        member, leadership = _target(session, campaign, target_member_id, team)
        area = _area(campaign, area_key)
        opinion = Opinion(
            campaign_id=campaign.id,
            channel=channel_of(channel),
            text=_text(text),
            target_member_id=member.id if member else None,
            target_team_id=leadership.id if leadership else None,
            area_id=area.id if area else None,
            received_on=received_on,
        )
        session.add(opinion)
        session.flush()
        return str(opinion.id)


@office
def update_opinion(
    db: Database,
    opinion_id: str,
    *,
    channel: str = _UNSET,
    text: str = _UNSET,
    target_member_id: str | None = _UNSET,
    team: bool = _UNSET,
    area_key: str | None = _UNSET,
    received_on: dt.date | None = _UNSET,
) -> None:
    """Change the fields passed.

    Passing either ``target_member_id`` or ``team`` sets the whole target
    (the one left out counts as None / False). The target of an opinion that
    was merged into another, or turned into a problem, cannot change; that of
    an opinion others were merged into changes for all of them.
    """
    with db.transaction() as session:
        opinion = _opinion(session, opinion_id)
        campaign = _campaign(session, str(opinion.campaign_id))
        if channel is not _UNSET:
            opinion.channel = channel_of(channel)
        if text is not _UNSET:
            opinion.text = _text(text)
        if area_key is not _UNSET:
            area = _area(campaign, area_key)
            opinion.area_id = area.id if area else None
        if received_on is not _UNSET:
            opinion.received_on = received_on
        wanted_member = None if target_member_id is _UNSET else target_member_id
        wanted_team = False if team is _UNSET else team
        if target_member_id is not _UNSET or team is not _UNSET:
            _retarget(session, campaign, opinion, wanted_member, wanted_team)


def _retarget(
    session: Session, campaign: Campaign, opinion: Opinion, member_id: str | None, team: bool
) -> None:
    member, leadership = _target(session, campaign, member_id, team)
    new = (member.id if member else None, leadership.id if leadership else None)
    if new == (opinion.target_member_id, opinion.target_team_id):
        return
    if opinion.merged_into_id is not None:
        raise DomainError("这条意见已并入另一条，对象随那一条；如要改对象，请先取消合并。")
    if _problem_alive(session, opinion.problem_id):
        raise DomainError(
            "这条意见已转为问题，不能再改对象。如对象有误，请先删除转成的问题，再改对象后重新转。"
        )
    group = [opinion, *_children(session, opinion)]
    for row in group:
        row.target_member_id, row.target_team_id = new


def _children(session: Session, opinion: Opinion) -> list[Opinion]:
    return list(
        session.scalars(
            select(Opinion)
            .where(Opinion.merged_into_id == opinion.id, Opinion.deleted_at.is_(None))
            .order_by(Opinion.received_on, Opinion.text)
        )
    )


@office
def delete_opinion(db: Database, opinion_id: str) -> None:
    """Soft delete. Opinions merged into this one stay: the first of them takes its place."""
    with db.transaction() as session:
        opinion = _opinion(session, opinion_id)
        children = _children(session, opinion)
        opinion.soft_delete()
        if children:
            heir, *rest = children
            heir.merged_into_id = None
            if heir.problem_id is None:
                heir.problem_id = opinion.problem_id
            for row in rest:
                row.merged_into_id = heir.id


@office
def merge_opinions(db: Database, keep_id: str, other_ids: list[str]) -> None:
    """梳理: merge ``other_ids`` into ``keep_id``; they stay stored and counted.

    All must be about the same target. An opinion that others were merged
    into brings them along.
    """
    with db.transaction() as session:
        keep = _opinion(session, keep_id)
        if keep.merged_into_id is not None:
            raise DomainError("要保留的这条意见本身已并入另一条，请选那一条作为保留的意见。")
        target = (keep.target_member_id, keep.target_team_id)
        for other_id in other_ids:
            other = _opinion(session, other_id)
            if other.id == keep.id:
                continue
            if other.campaign_id != keep.campaign_id:
                raise DomainError("不能合并不同专项行动的意见。")
            if (other.target_member_id, other.target_team_id) != target:
                raise DomainError(
                    f"{_excerpt(other.text)}针对的对象与保留的意见不同，只能合并针对同一对象的意见。"
                )
            for child in _children(session, other):
                child.merged_into_id = keep.id
            other.merged_into_id = keep.id


@office
def unmerge(db: Database, opinion_id: str) -> None:
    """Undo a merge: a merged opinion stands alone again; for the kept one, all of its do."""
    with db.transaction() as session:
        opinion = _opinion(session, opinion_id)
        if opinion.merged_into_id is not None:
            opinion.merged_into_id = None
            return
        for child in _children(session, opinion):
            child.merged_into_id = None


@office
def convert_to_problem(db: Database, opinion_id: str) -> str:
    """转为问题: a problem of the opinion's member or team, source 群众提; returns its id.

    A merged opinion converts the one it was merged into, with the texts of
    the whole group as the problem's 具体表现. Converting again returns the
    same problem (unless it was deleted).
    """
    with db.transaction() as session:
        opinion = _opinion(session, opinion_id)
        keep = _opinion(session, str(opinion.merged_into_id)) if opinion.merged_into_id else opinion
        group = [keep, *_children(session, keep)]
        # One problem per group: the one already made from any of it, if still there.
        made = next(
            (o.problem_id for o in (opinion, *group) if _problem_alive(session, o.problem_id)), None
        )
        problem_id = made if made is not None else _new_problem(session, keep, group).id
        for row in group:
            if not _problem_alive(session, row.problem_id):
                row.problem_id = problem_id
        return str(problem_id)


def _new_problem(session: Session, keep: Opinion, group: list[Opinion]) -> Problem:
    if keep.target_member_id is None and keep.target_team_id is None:
        raise DomainError("这条意见没有指明对象，请先指定是哪位干部或领导班子的问题，再转为问题。")
    if keep.target_member is not None and keep.target_member.deleted_at is not None:
        raise DomainError(
            f"{keep.target_member.name}已移出名单，不能再给他（她）列问题。请先改这条意见的对象。"
        )
    owner = (
        Problem.owner_member_id == keep.target_member_id
        if keep.target_member_id is not None
        else Problem.owner_team_id == keep.target_team_id
    )
    highest = session.scalar(
        select(func.max(Problem.sort_order)).where(
            Problem.campaign_id == keep.campaign_id, owner, Problem.deleted_at.is_(None)
        )
    )
    problem = Problem(
        campaign_id=keep.campaign_id,
        owner_member_id=keep.target_member_id,
        owner_team_id=keep.target_team_id,
        area_id=keep.area_id,
        text=problem_title(keep.text),
        examples="\n".join(dict.fromkeys(o.text for o in group)),
        source=Source.MASSES,
        sort_order=0 if highest is None else highest + 1,
    )
    session.add(problem)
    session.flush()
    return problem


# ------------------------------------------------------------------ import


@dataclass(frozen=True)
class OpinionRow:
    """A row of the file that will become an opinion."""

    row: int
    where: str
    channel: str
    channel_label: str
    target_kind: str
    target_member_id: str | None
    target_label: str
    area_key: str | None
    area_title: str
    text: str
    received_on: dt.date | None


@dataclass(frozen=True)
class OpinionPreview:
    path: Path
    campaign_title: str
    sheet_name: str
    columns: dict[str, str]
    """Recognised columns: channel, target, area, text, date → header as written."""
    ignored_columns: list[str]
    """Every column not read, identifying or not."""
    identifying_columns: list[str]
    """Of those, the ones that could name the giver (提出人, 联系方式 …): never read."""
    rows: list[OpinionRow]
    issues: list[RowIssue] = field(default_factory=list)
    """Rows that will not be imported, with the reason."""
    notes: list[RowIssue] = field(default_factory=list)
    """Worth knowing: rows reading “无” (not counted), identical rows (both counted),
    a date that cannot be read (imported as 不详; refused only by a strict import)."""
    not_counted: int = 0
    """Rows reading “无” or the like: left out, not an error."""

    @property
    def skipped(self) -> int:
        return len(self.issues) + self.not_counted

    @property
    def ignored_note(self) -> str:
        """What to tell the user about the columns left out ("" if none)."""
        if not self.identifying_columns:
            return ""
        names = "、".join(f"“{c}”" for c in self.identifying_columns)
        note = f"已忽略{names}列：征求意见不记录提出人。"
        if "target" not in self.columns and any(
            header_key(c) in ("姓名", "名字") for c in self.identifying_columns
        ):
            note += "如这一列写的是意见针对的干部，请把列名改为“对象”后再导入。"
        return note


@dataclass(frozen=True)
class OpinionImportResult:
    added: int
    skipped: int
    opinion_ids: list[str]
    issues: list[RowIssue]
    notes: list[RowIssue]
    ignored_note: str


def _is_identifying(header: str) -> bool:
    key = header_key(header)
    return any(word in key for word in IDENTIFYING)


class _Targets:
    """Reads the 对象 column: a member's name, 姓名（职务）, a unique post, or the team."""

    def __init__(self, campaign: Campaign, members: list[Member]) -> None:
        self.team = campaign.unit.team
        self.members = members

    def find(self, text: str) -> tuple[Member | None, LeadershipTeam | None]:
        """Raises ValueError with the reason when ``text`` names no one (or several)."""
        key = normalize_name(text)
        if key in _NO_TARGET:
            return None, None
        if (
            key in _TEAM_WORDS
            or key.endswith("领导班子")
            or (self.team is not None and key == normalize_name(self.team.name))
        ):
            if self.team is None:
                raise ValueError("本单位还没有领导班子")
            return None, self.team
        hint = ""
        label = _LABEL.match(key)
        if label:
            key, hint = label["name"], label["hint"]
        named = [m for m in self.members if m.name == key]
        if hint and len(named) > 1:
            named = [m for m in named if hint in (m.position, m.department)] or named
        if len(named) == 1:
            return named[0], None
        if len(named) > 1:
            labels = "、".join(_member_label(m) for m in named)
            raise ValueError(f"名单中有 {len(named)} 位“{key}”（{labels}），请写成“姓名（职务）”")
        posts = [m for m in self.members if key in re.split(r"[、，,]", m.position)]
        if len(posts) == 1:
            return posts[0], None
        if len(posts) > 1:
            raise ValueError(f"担任“{key}”的有 {len(posts)} 位，请写姓名")
        raise ValueError(f"名单中没有“{text}”，请核对姓名（领导班子写“领导班子”）")


def _area_of(campaign: Campaign, text: str) -> Area | None:
    """问题方面 by its number (1–7, 一–七), its title, its key or the start of its title."""
    key = header_key(text)
    if not key:
        return None
    areas = list(campaign.template.areas)
    for area in areas:
        if key in (header_key(area.title), area.key.lower()):
            return area
    number = _AREA_NUMBER.match(key)
    if number:
        n = number["n"]
        ordinal = int(n) if n.isdigit() else _NUMERALS.index(n) + 1
        match = next((a for a in areas if a.ordinal == ordinal), None)
        if match is not None:
            return match
    starts = [a for a in areas if len(key) >= 2 and header_key(a.title).startswith(key)]
    if len(starts) == 1:
        return starts[0]
    raise ValueError(text)


def _campaign_year(campaign: Campaign) -> int:
    """The year a date written without one (“10月20日”) is taken to be in.

    Simply the year the campaign starts, even for a month and day before its
    start (a campaign from November to February would read “1月5日” as last
    January): offices write the year when it matters, and the preview shows
    the full date before anything is imported.
    """
    start = campaign.start_date or campaign.end_date or dt.date.today()
    return start.year


def _analyse(
    session: Session,
    sheet: Sheet,
    campaign: Campaign,
    default_channel: OpinionChannel | None,
    strict: bool = False,
) -> OpinionPreview:
    members = list(
        session.scalars(
            select(Member).where(Member.unit_id == campaign.unit_id, Member.deleted_at.is_(None))
        )
    )
    targets = _Targets(campaign, members)
    stored = {
        (o.channel, o.target_member_id, o.target_team_id, o.text, o.received_on)
        for o in _alive(session, campaign.id)
    }
    seen: dict[tuple[Any, ...], int] = {}
    rows: list[OpinionRow] = []
    issues: list[RowIssue] = []
    notes: list[RowIssue] = []
    not_counted = 0
    areas_allowed = (
        "1–7 或方面名称，如“"
        + (campaign.template.areas[0].title if campaign.template.areas else "")
        + "”"
    )
    year = _campaign_year(campaign)
    for raw in sheet.rows:
        text = raw["text"]
        label = _excerpt(text) if text else ""
        if not text:
            issues.append(sheet.issue(raw, label, "意见内容为空"))
            continue
        if header_key(text).rstrip("。.") in _NOTHING:
            notes.append(sheet.issue(raw, label, "内容为“无”，不计为意见"))
            not_counted += 1
            continue
        reasons: list[str] = []
        channel = default_channel
        if raw["channel"]:
            try:
                channel = channel_of(raw["channel"])
            except DomainError as exc:
                reasons.append(str(exc).rstrip("。"))
        elif channel is None:
            allowed = "、".join(c.label for c in OpinionChannel)
            reasons.append(f"渠道为空（可填{allowed}）")
        member: Member | None = None
        team: LeadershipTeam | None = None
        try:
            member, team = targets.find(raw["target"])
        except ValueError as exc:
            reasons.append(str(exc))
        area: Area | None = None
        try:
            area = _area_of(campaign, raw["area"])
        except ValueError:
            reasons.append(f"问题方面“{raw['area']}”对不上自查表（可写 {areas_allowed}）")
        received: dt.date | None = None
        bad_date = ""
        try:
            received = parse_date(raw["date"], year)
        except ValueError:
            bad_date = f"日期“{raw['date']}”看不懂"
        if reasons or channel is None or (bad_date and strict):
            if bad_date:
                reasons.append(f"{bad_date}（可写 {year}-10-20、{year}年10月20日或10月20日）")
            issues.append(sheet.issue(raw, label, "；".join(reasons)))
            continue
        key = (
            channel,
            member.id if member else None,
            team.id if team else None,
            text,
            received,
        )
        if key in stored:
            issues.append(
                sheet.issue(
                    raw, label, "与已录入的一条意见完全相同（是不是重复导入了同一个文件？）"
                )
            )
            continue
        if key in seen:
            notes.append(
                sheet.issue(
                    raw,
                    label,
                    f"与{sheet.where(seen[key])}完全相同，已分别计入；如是重复录入请删去一条",
                )
            )
        else:
            seen[key] = raw.number
        if bad_date:
            # The opinion counts all the same; only its date is not known.
            notes.append(sheet.issue(raw, label, f"{bad_date}，按日期不详导入（导入后可修改补上）"))
        rows.append(
            OpinionRow(
                row=raw.number,
                where=sheet.where(raw.number),
                channel=channel.value,
                channel_label=channel.label,
                target_kind="member" if member else "team" if team else "none",
                target_member_id=str(member.id) if member else None,
                target_label=_member_label(member) if member else team.name if team else NO_TARGET,
                area_key=area.key if area else None,
                area_title=area.title if area else NO_AREA,
                text=text,
                received_on=received,
            )
        )
    ignored = list(sheet.ignored)
    return OpinionPreview(
        path=sheet.path,
        campaign_title=campaign.title,
        sheet_name=sheet.sheet_name,
        columns=dict(sheet.columns),
        ignored_columns=ignored,
        identifying_columns=[c for c in ignored if _is_identifying(c)],
        rows=rows,
        issues=issues,
        notes=notes,
        not_counted=not_counted,
    )


def _read(path: Path, default_channel: str | None) -> tuple[Sheet, OpinionChannel | None]:
    channel = channel_of(default_channel) if default_channel else None
    sheet = read_sheet(path, OPINION_COLUMNS)
    if "channel" not in sheet.columns and channel is None:
        allowed = "、".join(c.label for c in OpinionChannel)
        raise InputRefused(
            f"文件 {path} 不能导入：表格中没有“渠道”列。请加上这一列（{allowed}），"
            "或指定这些意见统一的渠道（命令行加 --channel）。"
        )
    return sheet, channel


def _current(session: Session) -> Campaign:
    campaign = current_campaign(session)
    if campaign is None:
        raise InputRefused("数据库中还没有专项行动，无法导入征求意见。")
    return campaign


@office
def preview_opinions(
    db: Database, path: Path, *, default_channel: str | None = None
) -> OpinionPreview:
    """What :func:`import_opinions` would do with ``path``; nothing is written.

    ``default_channel`` (code or label) is used for rows without one, or
    when the file has no 渠道 column (all opinions of one 座谈会, say).
    """
    path = Path(path)
    sheet, channel = _read(path, default_channel)
    with db.read() as session:
        return _analyse(session, sheet, _current(session), channel)


@office
def import_opinions(
    db: Database, path: Path, *, strict: bool = False, default_channel: str | None = None
) -> OpinionImportResult:
    """Add the readable rows of ``path`` to the current campaign, in one transaction.

    With ``strict`` any row that cannot be taken refuses the whole file
    (:class:`~mingjing.services.sheets.ImportRefused` lists them); nothing is written.
    A date that cannot be read is such a row only with ``strict``; otherwise the
    opinion is imported with no date (不详) and a note. A date without a year
    (“10月20日”) is in the year the campaign starts. Rows reading “无” are left
    out either way.
    """
    path = Path(path)
    sheet, channel = _read(path, default_channel)
    with db.transaction() as session:
        campaign = _current(session)
        preview = _analyse(session, sheet, campaign, channel, strict)
        if strict and preview.issues:
            raise refuse_with_issues(path, preview.issues)
        team_id = campaign.unit.team.id if campaign.unit.team else None
        areas = {a.key: a.id for a in campaign.template.areas}
        added = [
            Opinion(
                campaign_id=campaign.id,
                channel=OpinionChannel(row.channel),
                text=row.text,
                target_member_id=uuid.UUID(row.target_member_id) if row.target_member_id else None,
                target_team_id=team_id if row.target_kind == "team" else None,
                area_id=areas[row.area_key] if row.area_key else None,
                received_on=row.received_on,
            )
            for row in preview.rows
        ]
        # The stored order must not tell the order of the file (the order people spoke in).
        random.SystemRandom().shuffle(added)
        session.add_all(added)
        session.flush()
        return OpinionImportResult(
            added=len(added),
            skipped=preview.skipped,
            opinion_ids=sorted(str(o.id) for o in added),
            issues=preview.issues,
            notes=preview.notes,
            ignored_note=preview.ignored_note,
        )
