"""干部名单: the unit's roster, imported from the office's spreadsheet or kept by hand.

The roster belongs to the unit of the current campaign. An import reads the
file first (:func:`preview_roster` shows what would happen), then writes
every readable row in one transaction; rows it cannot take are listed with
their row number and the reason, as a secretary would check them:

- 姓名 empty (the row's 部门 and 职务 then say which row it is), or not a
  name (a number, a long sentence);
- 是否班子成员 or 是否党组书记 unreadable (是/否, √/×, Y/N, 1/0, 班子成员
  and blank are read);
- the same person twice: the same name with the same 职务, or the same name
  in the same 部门 (a changed 职务 is then corrected by hand, not imported
  as a second person) — within the file or against the roster.

Two people of the same name in different posts are both imported, with a
note, because units do have them. The sheet's own footnotes — “制表人：…”,
“审核人：…”, “联系电话：…”, “说明：…”, “合计…” in the 姓名 column or the
first cell of a row — are skipped with a note; they are not rows to correct.

A unit has one 党组书记 (the first responsible person, who chairs the
集体会诊): marking someone so, by hand or in the optional 是否党组书记
column, makes them a 班子成员 and unmarks whoever was before.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mingjing.domain.enums import Role
from mingjing.domain.errors import DomainError
from mingjing.domain.models import Campaign, Member
from mingjing.services.roles import office
from mingjing.services.sheets import (
    Column,
    RowIssue,
    Sheet,
    header_key,
    read_sheet,
    refuse_with_issues,
    yes_no,
)
from mingjing.services.summary import current_campaign
from mingjing.storage import Database
from mingjing.storage.errors import InputRefused

if TYPE_CHECKING:  # cryptography loads when keys are first read, not at start
    from mingjing.exchange.signing import PublicKeys

ROSTER_COLUMNS = (
    Column("name", ("姓名", "名字", "人员姓名", "干部姓名", "党员姓名"), required=True),
    Column("position", ("职务", "职位", "岗位", "现任职务", "职务职级", "职务（职级）")),
    Column(
        "department",
        ("部门", "处室", "科室", "所在部门", "股室", "所在科室", "所在处室", "工作部门"),
    ),
    Column(
        "is_leader",
        ("是否班子成员", "班子成员", "是否领导班子成员", "领导班子成员", "是否班子"),
    ),
    Column(
        "is_party_secretary",
        ("是否党组书记", "党组书记", "是否为党组书记", "第一责任人", "是否第一责任人"),
    ),
)

_NOT_A_NAME = re.compile(r"[0-9０-９:：,，;；。!！?？/\\]")
_FOOTER = re.compile(
    r"^(?:(?P<total>合计|总计|共计|小计)"
    r"|(?P<note>备注|说明|填表说明|注[:：]|附[:：]|附件|以上|本表|此表)"
    r"|制表|填表|填报|报送|审核|审批|复核|核对|校对|负责人|联系人|联系电话|联系方式|电话"
    r"|单位[（(]?盖章|盖章|日期)"
)
_SECRETARY_WORDS = {"党组书记", "是党组书记", "书记", "第一责任人"}
_SPACES = re.compile(r"[\s\u3000\u00a0]+")
NAME_MAX = 20


@dataclass(frozen=True)
class MemberView:
    id: str
    name: str
    position: str
    department: str
    is_leader: bool
    is_party_secretary: bool
    """党组书记, the first responsible person (at most one in a unit)."""
    role: str
    """Code of the member's role (staff, secretary, leader)."""
    role_label: str
    sort_order: int
    key_fingerprint: str = ""
    """Of the key pinned for the member's computer; empty before their first hand-in."""

    @property
    def label(self) -> str:
        return f"{self.name}（{self.position}）" if self.position else self.name


@dataclass(frozen=True)
class RosterRow:
    """A row of the file that will become a member."""

    row: int
    where: str
    name: str
    position: str
    department: str
    is_leader: bool
    is_party_secretary: bool = False

    @property
    def label(self) -> str:
        return f"{self.name}（{self.position}）" if self.position else self.name


@dataclass(frozen=True)
class RosterPreview:
    path: Path
    unit_name: str
    sheet_name: str
    """The worksheet read ("" for CSV)."""
    columns: dict[str, str]
    """Recognised columns: name, position, department, is_leader, is_party_secretary →
    header as written."""
    ignored_columns: list[str]
    rows: list[RosterRow]
    """To be added, in file order."""
    issues: list[RowIssue] = field(default_factory=list)
    """Rows that will not be imported, with the reason."""
    notes: list[RowIssue] = field(default_factory=list)
    """Worth a look: a namesake in another post (imported all the same), the
    sheet's footnotes (skipped, not counted), a change of 党组书记."""

    @property
    def skipped(self) -> int:
        return len(self.issues)


@dataclass(frozen=True)
class RosterResult:
    added: int
    skipped: int
    member_ids: list[str]
    issues: list[RowIssue]
    notes: list[RowIssue]


def normalize_name(text: str) -> str:
    """王　芳 (padded to line up with three-character names) is 王芳."""
    return _SPACES.sub("", text)


def name_problem(name: str) -> str | None:
    """Why ``name`` (already normalised) cannot be a person's name; None if it can."""
    if not name:
        return "姓名为空"
    if len(name) > NAME_MAX or _NOT_A_NAME.search(name):
        return "不像是姓名（是不是表格下方的说明、落款或序号？）"
    return None


def footer_note(name: str, first_cell: str) -> str | None:
    """What a row is if it is the sheet's footnote (“制表人：王芳”, “合计 12 人”), else None.

    ``name`` is the 姓名 cell; ``first_cell`` the row's first non-blank cell,
    looked at only when the 姓名 cell cannot be a name (a footnote written
    across the row starts in its first cell, whatever the column).
    """
    candidates = [name]
    if name_problem(normalize_name(name)) is not None:
        candidates.append(first_cell)
    for text in candidates:
        match = _FOOTER.match(normalize_name(text))
        if match is None:
            continue
        shown = " ".join(text.split())
        shown = shown if len(shown) <= 24 else shown[:23] + "…"
        if match["total"]:
            return f"是合计行（{shown}），已跳过"
        if match["note"]:
            return f"是表格下方的说明（{shown}），已跳过"
        return f"是表格的落款（{shown}），已跳过"
    return None


def _secretary_flag(text: str) -> bool | None:
    """The 是否党组书记 cell: 是/否 and the like, or the title itself."""
    if header_key(text) in _SECRETARY_WORDS:
        return True
    return yes_no(text)


def _same_person(a: tuple[str, str, str], b: tuple[str, str, str]) -> bool:
    """(name, position, department): the same name and the same 职务, or the same 部门.

    A side with neither 职务 nor 部门 says nothing to tell two people apart:
    the same name is then taken as the same person.
    """
    if a[0] != b[0]:
        return False
    if not (a[1] or a[2]) or not (b[1] or b[2]):
        return True
    return a[1] == b[1] or (bool(a[2]) and a[2] == b[2])


def _why_same(twin: tuple[str, str, str], position: str, department: str) -> str:
    if (twin[1], twin[2]) == (position, department):
        return "不再重复导入"
    if twin[1] == position and position:
        same = "职务相同"
    elif twin[2] == department and department:
        same = "部门相同"
    elif not (position or department):
        return "本行未填职务和部门，视为同一人，不再导入；如是同名的另一人，请填写职务或部门"
    else:
        return "名单中这一位未填职务和部门，视为同一人，不再导入；请在名单中补上职务和部门"
    return f"{same}，视为同一人，不再导入；如其职务或部门有变化，请在名单中修改"


def _describe(position: str, department: str) -> str:
    parts = [p for p in (department, position) if p]
    return "，".join(parts) if parts else "未填职务和部门"


def _campaign(session: Session) -> Campaign:
    campaign = current_campaign(session)
    if campaign is None:
        raise InputRefused("数据库中还没有专项行动，请先建立专项行动（或生成示例单位）再管理名单。")
    return campaign


def _members(session: Session, unit_id: uuid.UUID) -> list[Member]:
    return list(
        session.scalars(
            select(Member)
            .where(Member.unit_id == unit_id, Member.deleted_at.is_(None))
            .order_by(Member.sort_order, Member.name)
        )
    )


def leaders_of(session: Session, unit_id: uuid.UUID) -> list[Member]:
    """The leadership team's members (班子成员), in roster order."""
    return [m for m in _members(session, unit_id) if m.is_leader]


def _analyse(sheet: Sheet, unit_name: str, existing: list[Member]) -> RosterPreview:
    known = [(m.name, m.position, m.department) for m in existing]
    rows: list[RosterRow] = []
    issues: list[RowIssue] = []
    notes: list[RowIssue] = []
    secretary_now = next((m for m in existing if m.is_party_secretary), None)
    secretary_row: RosterRow | None = None
    for raw in sheet.rows:
        name = normalize_name(raw["name"])
        position, department = raw["position"], raw["department"]
        footer = footer_note(raw["name"], raw.first)
        if footer is not None:
            notes.append(sheet.issue(raw, "", footer))
            continue
        problem = name_problem(name)
        if problem is not None:
            # No name: the row's 部门 and 职务 tell the secretary whose row it is.
            label = raw["name"] or (
                f"（{_describe(position, department)}）" if position or department else ""
            )
            issues.append(sheet.issue(raw, label, problem))
            continue
        is_leader = yes_no(raw["is_leader"])
        is_secretary = _secretary_flag(raw["is_party_secretary"])
        unreadable = [
            f"{sheet.columns[key]}写的是“{raw[key]}”"
            for key, flag in (("is_leader", is_leader), ("is_party_secretary", is_secretary))
            if flag is None
        ]
        if unreadable:
            issues.append(
                sheet.issue(raw, name, "，".join(unreadable) + "，看不懂（请写“是”或“否”）")
            )
            continue
        assert is_leader is not None and is_secretary is not None
        me = (name, position, department)
        earlier = next(
            (r for r in rows if _same_person(me, (r.name, r.position, r.department))), None
        )
        if earlier is not None:
            issues.append(sheet.issue(raw, name, f"与{earlier.where}重复，只导入一次"))
            continue
        twin = next((k for k in known if _same_person(me, k)), None)
        if twin is not None:
            advice = _why_same(twin, position, department)
            issues.append(
                sheet.issue(
                    raw, name, f"名单中已有{twin[0]}（{_describe(twin[1], twin[2])}），{advice}"
                )
            )
            continue
        namesakes = [k for k in known if k[0] == name] + [
            (r.name, r.position, r.department) for r in rows if r.name == name
        ]
        if namesakes:
            others = "、".join(f"{k[0]}（{_describe(k[1], k[2])}）" for k in namesakes)
            notes.append(
                sheet.issue(raw, name, f"与{others}同名，已按不同的人导入；如是同一人请删去一位")
            )
        if is_secretary and secretary_row is not None:
            notes.append(
                sheet.issue(
                    raw,
                    name,
                    f"{secretary_row.where}的{secretary_row.name}已标为党组书记，"
                    "党组书记只有一位，本行不记为党组书记",
                )
            )
            is_secretary = False
        elif is_secretary and secretary_now is not None:
            notes.append(
                sheet.issue(
                    raw,
                    name,
                    f"名单中原来的党组书记是{secretary_now.name}，导入后改为{name}",
                )
            )
        row = RosterRow(
            raw.number,
            sheet.where(raw.number),
            name,
            position,
            department,
            is_leader or is_secretary,
            is_secretary,
        )
        if is_secretary:
            secretary_row = row
        rows.append(row)
    return RosterPreview(
        path=sheet.path,
        unit_name=unit_name,
        sheet_name=sheet.sheet_name,
        columns=dict(sheet.columns),
        ignored_columns=list(sheet.ignored),
        rows=rows,
        issues=issues,
        notes=notes,
    )


@office
def preview_roster(db: Database, path: Path) -> RosterPreview:
    """What :func:`import_roster` would do with ``path``; nothing is written."""
    sheet = read_sheet(Path(path), ROSTER_COLUMNS)
    with db.read() as session:
        campaign = _campaign(session)
        return _analyse(sheet, campaign.unit.name, _members(session, campaign.unit_id))


def _next_sort_order(session: Session, unit_id: uuid.UUID) -> int:
    highest = session.scalar(select(func.max(Member.sort_order)).where(Member.unit_id == unit_id))
    return 0 if highest is None else highest + 1


@office
def import_roster(db: Database, path: Path, *, strict: bool = False) -> RosterResult:
    """Add the readable rows of ``path`` to the roster, all in one transaction.

    With ``strict`` any row that cannot be taken refuses the whole file
    (:class:`~mingjing.services.sheets.ImportRefused` lists them); nothing is written.
    """
    path = Path(path)
    sheet = read_sheet(path, ROSTER_COLUMNS)
    with db.transaction() as session:
        campaign = _campaign(session)
        preview = _analyse(sheet, campaign.unit.name, _members(session, campaign.unit_id))
        if strict and preview.issues:
            raise refuse_with_issues(path, preview.issues)
        order = _next_sort_order(session, campaign.unit_id)
        if any(r.is_party_secretary for r in preview.rows):
            for member in _members(session, campaign.unit_id):
                member.is_party_secretary = False
        added: list[Member] = []
        for offset, row in enumerate(preview.rows):
            member = Member(
                unit_id=campaign.unit_id,
                name=row.name,
                position=row.position,
                department=row.department,
                is_leader=row.is_leader,
                is_party_secretary=row.is_party_secretary,
                role=Role.LEADER if row.is_leader else Role.STAFF,
                sort_order=order + offset,
            )
            session.add(member)
            added.append(member)
        session.flush()
        return RosterResult(
            added=len(added),
            skipped=preview.skipped,
            member_ids=[str(m.id) for m in added],
            issues=preview.issues,
            notes=preview.notes,
        )


# ------------------------------------------------------------- by hand

_UNSET: Any = object()


def _view(m: Member) -> MemberView:
    return MemberView(
        id=str(m.id),
        name=m.name,
        position=m.position,
        department=m.department,
        is_leader=m.is_leader,
        is_party_secretary=m.is_party_secretary,
        role=m.role.value,
        role_label=m.role.label,
        sort_order=m.sort_order,
        key_fingerprint=keys.fingerprint if (keys := member_keys(m)) is not None else "",
    )


def list_members(db: Database) -> list[MemberView]:
    """The current campaign's roster in its order (removed members left out)."""
    with db.read() as session:
        campaign = current_campaign(session)
        if campaign is None:
            return []
        return [_view(m) for m in _members(session, campaign.unit_id)]


def _check_person(session: Session, member: Member) -> None:
    name = normalize_name(member.name)
    problem = name_problem(name)
    if problem is not None:
        raise DomainError(f"“{member.name}”{problem}。" if name else "请填写姓名。")
    member.name = name
    me = (name, member.position, member.department)
    for other in _members(session, member.unit_id):
        if other is not member and _same_person(me, (other.name, other.position, other.department)):
            raise DomainError(
                f"名单中已有{other.name}（{_describe(other.position, other.department)}），"
                "不能重复添加。如是同名的另一人，请写明不同的职务或部门。"
            )


def _make_party_secretary(session: Session, member: Member) -> None:
    """``member`` becomes the unit's one 党组书记 (and so a 班子成员); the one before is not."""
    for other in _members(session, member.unit_id):
        if other is not member and other.is_party_secretary:
            other.is_party_secretary = False
    member.is_party_secretary = True
    _set_leader(member, True)


def _set_leader(member: Member, is_leader: bool) -> None:
    """班子成员 or not; the role follows (办公室 stays 办公室)."""
    if member.is_leader == is_leader:
        return
    member.is_leader = is_leader
    if member.role is not Role.SECRETARY:
        member.role = Role.LEADER if is_leader else Role.STAFF


@office
def add_member(
    db: Database,
    name: str,
    position: str = "",
    department: str = "",
    is_leader: bool = False,
    is_party_secretary: bool = False,
) -> str:
    """Add one person by hand; returns the new member's id.

    ``is_party_secretary`` makes them the unit's 党组书记 (the first
    responsible person) and a 班子成员; a unit has only one, so whoever was
    党组书记 before no longer is.
    """
    with db.transaction() as session:
        campaign = _campaign(session)
        member = Member(
            unit_id=campaign.unit_id,
            name=name,
            position=position.strip(),
            department=department.strip(),
            is_leader=is_leader,
            is_party_secretary=False,
            role=Role.LEADER if is_leader else Role.STAFF,
            sort_order=_next_sort_order(session, campaign.unit_id),
        )
        with session.no_autoflush:
            _check_person(session, member)
            if is_party_secretary:
                _make_party_secretary(session, member)
        session.add(member)
        session.flush()
        return str(member.id)


def _member(session: Session, member_id: str) -> Member:
    try:
        member = session.get(Member, uuid.UUID(member_id))
    except ValueError:
        member = None
    if member is None or member.deleted_at is not None:
        raise DomainError("名单中找不到这个人，可能已被移出名单。")
    return member


@office
def update_member(
    db: Database,
    member_id: str,
    *,
    name: str = _UNSET,
    position: str = _UNSET,
    department: str = _UNSET,
    is_leader: bool = _UNSET,
    is_party_secretary: bool = _UNSET,
) -> None:
    """Change the fields passed. A change of 班子成员 changes the role (办公室 stays 办公室).

    A unit has one 党组书记 (the first responsible person): setting
    ``is_party_secretary`` makes this member 班子成员 too and clears it on
    whoever had it. Taking someone out of the 班子成员 also ends their being
    党组书记; asking for both at once is refused.
    """
    if is_party_secretary is True and is_leader is False:
        raise DomainError("党组书记是领导班子成员，请同时勾选“班子成员”。")
    with db.transaction() as session:
        member = _member(session, member_id)
        with session.no_autoflush:
            if name is not _UNSET:
                member.name = name
            if position is not _UNSET:
                member.position = position.strip()
            if department is not _UNSET:
                member.department = department.strip()
            if is_leader is not _UNSET:
                _set_leader(member, is_leader)
                if not is_leader:
                    member.is_party_secretary = False
            if is_party_secretary is True and not member.is_party_secretary:
                _make_party_secretary(session, member)
            elif is_party_secretary is False:
                member.is_party_secretary = False
            _check_person(session, member)


@office
def remove_member(db: Database, member_id: str) -> None:
    """移出名单: a soft delete. Their self-check, problems and opinions about them stay."""
    with db.transaction() as session:
        _member(session, member_id).soft_delete()


@office
def restore_member(db: Database, member_id: str) -> None:
    """Undo :func:`remove_member` (refused if someone like them was added since)."""
    with db.transaction() as session:
        try:
            member = session.get(Member, uuid.UUID(member_id))
        except ValueError:
            member = None
        if member is None:
            raise DomainError("找不到这个人。")
        if member.deleted_at is None:
            return
        with session.no_autoflush:
            _check_person(session, member)
            if member.is_party_secretary and any(
                m.is_party_secretary for m in _members(session, member.unit_id)
            ):
                member.is_party_secretary = False  # another was made 党组书记 meanwhile
        member.restore()


# ------------------------------------------------------------------ keys


def member_keys(member: Member) -> PublicKeys | None:
    """The keys pinned for a member's computer, or None before their first hand-in."""
    if not member.public_keys:
        return None
    from mingjing.exchange.signing import BadKey, PublicKeys

    try:
        return PublicKeys.from_json(json.loads(member.public_keys))
    except (ValueError, BadKey):
        return None


def pin_member_keys(member: Member, keys: PublicKeys) -> None:
    member.public_keys = json.dumps(keys.to_json(), sort_keys=True)


@office
def forget_member_keys(db: Database, member_id: str) -> str:
    """重新登记密钥: the member's next hand-in pins the key it is signed with
    (they changed computers or reinstalled). Returns the forgotten fingerprint."""
    with db.transaction() as session:
        member = session.get(Member, uuid.UUID(member_id))
        if member is None or member.deleted_at is not None:
            raise DomainError("名单中没有这个人。")
        keys = member_keys(member)
        if keys is None:
            raise DomainError(f"还没有登记{member.name}的密钥，下次导入其提交时会自动登记。")
        member.public_keys = ""
        return keys.fingerprint


def responsible_leader(
    owner: Member | None, leaders: Sequence[Member], fallback: Member | None
) -> Member | None:
    """责任领导 for something a member answers for: the member if a leader, else the
    leader whose 分管 covers the member's department, else ``fallback`` (the
    meeting's host, or the party secretary)."""
    if owner is not None and owner.is_leader:
        return owner
    if owner is not None and owner.department:
        found = next((m for m in leaders if owner.department in (m.supervises or "")), None)
        if found is not None:
            return found
    return fallback
