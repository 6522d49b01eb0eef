"""整改台账 in Excel: out as offices print it, in as offices really keep it.

Export writes one sheet the way a ledger is printed and filed: a title row,
the unit and date, a header repeated on every printed page, wrapped text,
real dates, landscape A4 one page wide, and a closing count.

Import reads last year's ledger, or one kept by hand: a merged title, the
header on any of the first rows (or two rows, 责任部门 over 牵头/配合), merged
cells, several lines in a cell, dates as dates or as text (12月底, 立行立改),
notes under the table and columns it does not know. Columns are found by
their header, with the names offices use for them. Rows that cannot be read
are listed with their row number and the reason; what had to be inferred (a
year, a month's end, a name not on the roster) is said, never guessed
silently. The readable rows go in together, in one transaction, or — with
``strict`` — nothing does unless every row can.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from mingjing.domain.deadlines import DeadlineUnreadable, read_deadline
from mingjing.domain.enums import DeadlineKind, RectificationState
from mingjing.domain.errors import DomainError
from mingjing.domain.models import Campaign, Member, ProgressNote, Rectification
from mingjing.domain.states import RectificationEvent, rectification_step
from mingjing.services import ledger
from mingjing.services.ledger import LedgerFilter
from mingjing.services.roles import office
from mingjing.services.sheets import (
    Column,
    RowIssue,
    Sheet,
    SheetRow,
    read_sheet,
    refuse_with_issues,
)
from mingjing.storage import Database
from mingjing.storage.errors import InputRefused

EXCEL_CELL_LIMIT = 32767
"""Excel keeps at most this many characters in a cell."""

# (key, header as exported, column width in characters)
EXPORT_COLUMNS: tuple[tuple[str, str, float], ...] = (
    ("serial", "序号", 5.5),
    ("area", "问题方面", 11),
    ("problem", "具体问题", 34),
    ("source", "问题来源", 8),
    ("measure", "整改措施", 38),
    ("target", "整改目标", 20),
    ("leader", "责任领导", 8.5),
    ("department", "责任部门（牵头）", 11),
    ("cooperating", "配合部门", 11),
    ("owner", "责任人", 8),
    ("deadline", "完成时限", 16),
    ("progress", "整改进展", 38),
    ("sign_off", "销号情况", 13),
    ("remarks", "备注", 12),
)

IMPORT_COLUMNS: tuple[Column, ...] = (
    Column("serial", ("序号", "编号", "序")),
    Column("area", ("问题方面", "问题类别", "问题类型", "方面", "类别", "问题分类")),
    Column(
        "problem",
        (
            "具体问题",
            "问题",
            "存在问题",
            "存在的问题",
            "问题表现",
            "问题描述",
            "主要问题",
            "具体表现",
            "问题清单",
            "查摆问题",
        ),
        required=True,
    ),
    Column("source", ("问题来源", "来源", "问题渠道")),
    Column(
        "measure", ("整改措施", "措施", "整改举措", "具体措施", "整改措施及要求"), required=True
    ),
    Column("target", ("整改目标", "目标", "预期目标", "整改要求")),
    Column("leader", ("责任领导", "分管领导", "牵头领导", "领导")),
    Column(
        "department",
        (
            "责任部门",
            "责任单位",
            "牵头部门",
            "牵头单位",
            "责任科室",
            "责任股室",
            "牵头股室",
            "牵头",
        ),
    ),
    Column("cooperating", ("配合部门", "配合单位", "协同部门", "配合股室", "配合")),
    Column("owner", ("责任人", "具体责任人", "经办人", "承办人")),
    Column(
        "deadline",
        ("完成时限", "时限", "完成时间", "整改时限", "办结时限", "整改期限", "完成期限"),
    ),
    Column(
        "progress",
        ("整改进展", "进展情况", "整改情况", "完成情况", "整改进度", "进展", "落实情况"),
    ),
    Column("sign_off", ("销号情况", "是否销号", "销号", "整改状态", "状态")),
    Column("remarks", ("备注", "说明")),
)
COLUMN_TITLES = {c.key: c.title for c in IMPORT_COLUMNS}

_NOTE_ROW = re.compile(r"^(注|备注|说明|填表|制表|审核|填报|联系人|附[:：])")
_DATED_LINE = re.compile(
    r"^\s*(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*日?\s*[：:，,、\s]\s*(.*)$"
)
_SIGNED = re.compile(r"已销号|^销号$|^已销$|^是$|^[√✓✔]$")
_AWAITING = re.compile(r"待销号|已完成|^完成$|已整改到位|整改完成|已办结")
_IN_PROGRESS = re.compile(r"整改中|正在整改|推进中|持续推进|持续整改|部分完成|^进行中$")
_PENDING = re.compile(r"待整改|未整改|未开始|^未销号$|^否$|^未完成$")
_SIGN_DATE = re.compile(r"(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})")


# ------------------------------------------------------------------- export


def _progress_text(notes: list[tuple[dt.date, str]]) -> str:
    text = "\n".join(f"{on.isoformat()}：{body}" for on, body in notes)
    if len(text) > EXCEL_CELL_LIMIT:
        tail = "……（以下略，全文见明镜台账）"
        text = text[: EXCEL_CELL_LIMIT - len(tail)] + tail
    return text


def _notes_by_row(
    session: Session, ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[tuple[dt.date, str]]]:
    found: dict[uuid.UUID, list[tuple[dt.date, str]]] = {}
    for start in range(0, len(ids), 500):
        for note in session.scalars(
            select(ProgressNote)
            .where(
                ProgressNote.rectification_id.in_(ids[start : start + 500]),
                ProgressNote.deleted_at.is_(None),
            )
            .order_by(ProgressNote.noted_on, ProgressNote.created_at)
        ):
            found.setdefault(note.rectification_id, []).append((note.noted_on, note.text))
    return found


def _describe(session: Session, where: LedgerFilter | None) -> str:
    """A filtered export says what it holds, for the title: 责任领导：张三，已逾期."""
    if where is None or where == LedgerFilter():
        return ""

    def person(value: str) -> str:
        if value.startswith("name:"):
            return value.removeprefix("name:")
        member = session.get(Member, uuid.UUID(value))
        return member.name if member is not None else ""

    parts = []
    if where.states:
        parts.append("、".join(RectificationState(s).label for s in where.states))
    if where.area:
        parts.append(f"问题方面：{where.area}")
    if where.leader:
        parts.append(f"责任领导：{person(where.leader)}")
    if where.department:
        parts.append(f"责任部门：{where.department}")
    if where.owner:
        parts.append(f"责任人：{person(where.owner)}")
    if where.overdue_only:
        parts.append("已逾期")
    if where.due_within is not None:
        parts.append(f"{where.due_within} 天内到期")
    if where.stale_only:
        parts.append(f"{ledger.STALE_DAYS} 天无进展")
    if where.text:
        parts.append(f"含“{where.text}”")
    return "，".join(parts)


@office
def export_ledger(
    db: Database,
    campaign_id: str,
    out: Path,
    *,
    today: dt.date,
    where: LedgerFilter | None = None,
) -> Path:
    """Write the ledger (or the rows ``where`` selects) as a formatted .xlsx file.

    ``out`` may be a folder; the file is then named after the unit. An
    existing file is replaced only once the new one is complete.
    """
    import openpyxl
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.properties import PageSetupProperties

    rows = ledger.all_rows(db, campaign_id, where, today=today)
    with db.read() as session:
        campaign = session.get(Campaign, uuid.UUID(campaign_id))
        if campaign is None:
            raise DomainError("找不到这个专项行动。")
        unit = campaign.unit.name
        title = f"{unit}{campaign.title}整改台账"
        narrowed = _describe(session, where)
        if narrowed:
            title += f"（{narrowed}）"
        notes = _notes_by_row(session, [uuid.UUID(r.id) for r in rows])
    out = Path(out)
    if out.is_dir():
        out = out / f"{unit}-整改台账-{today.isoformat()}.xlsx"
    elif out.suffix.lower() != ".xlsx":
        out = out.with_name(out.name + ".xlsx")

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "整改台账"
    last = get_column_letter(len(EXPORT_COLUMNS))
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    body_font = Font(name="宋体", size=10.5)
    wrap_top = Alignment(wrap_text=True, vertical="top")
    centred = Alignment(wrap_text=True, vertical="center", horizontal="center")

    sheet.merge_cells(f"A1:{last}1")
    sheet["A1"] = title
    sheet["A1"].font = Font(name="宋体", size=18, bold=True)
    sheet["A1"].alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    sheet.row_dimensions[1].height = 36
    middle = len(EXPORT_COLUMNS) // 2
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=middle)
    sheet.merge_cells(
        start_row=2, start_column=middle + 1, end_row=2, end_column=len(EXPORT_COLUMNS)
    )
    sheet.cell(2, 1, f"填报单位：{unit}")
    sheet.cell(2, middle + 1, f"填报日期：{today.year}年{today.month}月{today.day}日")
    sheet.cell(2, 1).font = sheet.cell(2, middle + 1).font = Font(name="宋体", size=11)
    sheet.cell(2, middle + 1).alignment = Alignment(horizontal="right")
    for col, (_, header, width) in enumerate(EXPORT_COLUMNS, 1):
        cell = sheet.cell(3, col, header)
        cell.font = Font(name="黑体", size=11)
        cell.alignment = centred
        cell.border = border
        sheet.column_dimensions[get_column_letter(col)].width = width
    sheet.row_dimensions[3].height = 30

    short = {"serial", "source", "leader", "owner", "deadline", "sign_off"}
    for n, row in enumerate(rows, 4):
        values: dict[str, Any] = {
            "serial": row.serial,
            "area": row.area,
            "problem": row.problem,
            "source": row.source,
            "measure": row.measure,
            "target": row.target,
            "leader": row.leader,
            "department": row.department,
            "cooperating": row.cooperating,
            "owner": row.owner,
            "deadline": row.deadline
            if row.deadline_kind == DeadlineKind.BY_DATE.value and row.deadline
            else row.deadline_text,
            "progress": _progress_text(notes.get(uuid.UUID(row.id), [])),
            "sign_off": row.sign_off
            if row.state == "signed_off"
            else row.state_label + ("（已逾期）" if row.overdue else ""),
            "remarks": row.remarks,
        }
        for col, (key, _, _) in enumerate(EXPORT_COLUMNS, 1):
            cell = sheet.cell(n, col, values[key])
            cell.font = body_font
            cell.border = border
            cell.alignment = centred if key in short else wrap_top
            if key == "deadline" and isinstance(values[key], dt.date):
                cell.number_format = 'yyyy"年"m"月"d"日"'
    end = 3 + len(rows)
    counts = {s: sum(1 for r in rows if r.state == s.value) for s in RectificationState}
    overdue = sum(1 for r in rows if r.overdue)
    summary = (
        f"说明：本表共 {len(rows)} 项，其中"
        + "，".join(f"{s.label} {counts[s]} 项" for s in RectificationState)
        + f"；逾期未完成 {overdue} 项。"
    )
    sheet.merge_cells(
        start_row=end + 2, start_column=1, end_row=end + 2, end_column=len(EXPORT_COLUMNS)
    )
    sheet.cell(end + 2, 1, summary).font = Font(name="宋体", size=10.5)
    sheet.cell(end + 2, 1).alignment = Alignment(wrap_text=True, vertical="top")
    sheet.merge_cells(
        start_row=end + 3, start_column=1, end_row=end + 3, end_column=len(EXPORT_COLUMNS)
    )
    signatures = "制表人：　　　　　　　　审核人：　　　　　　　　单位主要负责人："
    sheet.cell(end + 3, 1, signatures).font = Font(name="宋体", size=11)
    sheet.row_dimensions[end + 3].height = 30

    sheet.freeze_panes = "A4"
    sheet.print_title_rows = "3:3"
    sheet.print_area = f"A1:{last}{end + 3}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.page_margins.top = sheet.page_margins.bottom = 0.6
    sheet.print_options.horizontalCentered = True
    if sheet.oddFooter is not None:
        sheet.oddFooter.center.text = "第 &P 页，共 &N 页"
    sheet.auto_filter.ref = f"A3:{last}{max(end, 4)}"

    partial = out.with_name(out.name + ".part")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        book.save(partial)
        partial.replace(out)
    except OSError as exc:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        raise InputRefused(
            f"无法保存 {out}（{exc.strerror or exc}）。文件可能正在 Excel 中打开，"
            "或者磁盘已满、没有写入权限"
        ) from exc
    return out


# ------------------------------------------------------------------- import


@dataclass(frozen=True)
class PreviewRow:
    number: int
    """Row number as Excel shows it."""
    serial: str
    """序号 as written in the sheet."""
    problem: str
    measure: str
    leader: str
    department: str
    owner: str
    deadline: str
    """As it will be stored: 2025-12-31, 立行立改 …"""
    deadline_as_written: str
    state: str
    """The state's label."""
    notes: int


@dataclass
class LedgerPreview:
    path: Path
    campaign_title: str
    sheet_name: str
    header_row: int
    columns: dict[str, str]
    """key → the header as written in the file."""
    ignored_columns: list[str]
    rows: list[PreviewRow] = field(default_factory=list)
    issues: list[RowIssue] = field(default_factory=list)
    """Rows that will not be imported, with the reason."""
    notes: list[RowIssue] = field(default_factory=list)
    """What was inferred: a deadline's year or day, a name not on the roster, …"""
    updates: list[Update] = field(default_factory=list)
    """Rows already in the ledger whose sheet holds progress the ledger lacks."""

    @property
    def mapping(self) -> list[tuple[str, str]]:
        """(what Mingjing calls it, the header in the file) for each column read."""
        return [(COLUMN_TITLES[k], v) for k, v in self.columns.items()]


@dataclass(frozen=True)
class Update:
    """A ledger row sent back with new progress: the notes to add to it."""

    number: int
    serial: int
    row_id: uuid.UUID
    notes: tuple[tuple[dt.date, str], ...]


@dataclass(frozen=True)
class LedgerImportResult:
    added: int
    skipped: int
    issues: list[RowIssue]
    notes: list[RowIssue]
    updated: int = 0
    """Rows already in the ledger that got the new progress notes from the sheet."""


@dataclass
class _Parsed:
    number: int
    serial: str
    values: dict[str, Any]
    notes: list[tuple[dt.date, str]]
    state: RectificationState
    signer_id: uuid.UUID | None
    signed_on: dt.date | None
    sign_off_text: str
    preview: PreviewRow


def _current(session: Session) -> Campaign:
    from mingjing.services.summary import current_campaign

    campaign = current_campaign(session)
    if campaign is None:
        raise DomainError("本机还没有专项行动，请先建立专项行动，再导入台账。")
    return campaign


def _read(path: Path) -> Sheet:
    return read_sheet(Path(path), IMPORT_COLUMNS, fill_merged=True)


def _reference_day(sheet: Sheet, fallback: dt.date) -> dt.date:
    """The day a ledger was drawn up, for a deadline without a year (12月底).

    A sheet named or titled for a year (“2024年台账”, “…2024年度…整改台账”)
    means that year; otherwise the campaign's start.
    """
    for text in (sheet.sheet_name, *sheet.preamble):
        match = re.search(r"(20\d\d)\s*年", text)
        if match:
            return dt.date(int(match[1]), 1, 1)
    return fallback


def _split_progress(text: str, day: dt.date) -> tuple[list[tuple[dt.date, str]], bool]:
    """Notes from a 整改进展 cell; True when they carried their own dates."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        return [], True
    notes: list[tuple[dt.date, str]] = []
    for line in lines:
        match = _DATED_LINE.match(line)
        on = None
        if match:
            try:
                on = dt.date(int(match[1]), int(match[2]), int(match[3]))
            except ValueError:
                on = None
        if on is not None and match is not None:
            notes.append((on, match[4].strip() or line))
        elif notes:
            notes[-1] = (notes[-1][0], notes[-1][1] + "\n" + line)
        else:
            return [(day, f"{text.strip()}（原表未注明日期）")], False
    return notes, True


def _state(text: str, has_progress: bool) -> RectificationState | None:
    key = re.sub(r"\s", "", text)
    if not key:
        return RectificationState.IN_PROGRESS if has_progress else RectificationState.PENDING
    if "未销号" in key and not _SIGNED.search(key.replace("未销号", "")):
        return RectificationState.IN_PROGRESS if has_progress else RectificationState.PENDING
    for pattern, state in (
        (_SIGNED, RectificationState.SIGNED_OFF),
        (_AWAITING, RectificationState.AWAITING_SIGN_OFF),
        (_IN_PROGRESS, RectificationState.IN_PROGRESS),
        (_PENDING, RectificationState.PENDING),
    ):
        if pattern.search(key):
            return state
    return None


def _analyse(
    session: Session, sheet: Sheet, campaign: Campaign, today: dt.date
) -> tuple[LedgerPreview, list[_Parsed]]:
    preview = LedgerPreview(
        path=sheet.path,
        campaign_title=campaign.title,
        sheet_name=sheet.sheet_name,
        header_row=sheet.header_row,
        columns=dict(sheet.columns),
        ignored_columns=list(sheet.ignored),
    )
    members = session.scalars(
        select(Member).where(Member.unit_id == campaign.unit_id, Member.deleted_at.is_(None))
    ).all()
    by_name: dict[str, list[Member]] = {}
    for m in members:
        by_name.setdefault(m.name, []).append(m)
    # A row is the same as another when problem, measure, 责任人 and 责任部门 all are:
    # two members may well share a problem and a measure.
    owner = aliased(Member)
    existing = {
        (p, m, o or on, d): (s, rid, st)
        for p, m, o, on, d, s, rid, st in session.execute(
            select(
                Rectification.problem_text,
                Rectification.measure,
                owner.name,
                Rectification.owner_name,
                Rectification.responsible_department,
                Rectification.serial,
                Rectification.id,
                Rectification.state,
            )
            .outerjoin(owner, owner.id == Rectification.owner_id)
            .where(Rectification.campaign_id == campaign.id, Rectification.deleted_at.is_(None))
        )
    }
    reference = _reference_day(sheet, campaign.start_date or today)
    returned: list[Any] = []
    seen: dict[tuple[str, str, str, str], int] = {}
    parsed: list[_Parsed] = []

    def person(row: SheetRow, key: str, what: str, label: str) -> tuple[uuid.UUID | None, str]:
        name = re.sub(r"[\s\u3000]", "", row[key])
        if not name:
            return None, ""
        found = by_name.get(name, [])
        if len(found) == 1:
            return found[0].id, ""
        if len(found) > 1:
            preview.notes.append(
                sheet.issue(row, label, f"名单中有 {len(found)} 个“{name}”，{what}按姓名记录")
            )
        else:
            preview.notes.append(
                sheet.issue(row, label, f"{what}“{name}”不在本单位名单中，按姓名记录")
            )
        return None, row[key]

    for row in sheet.rows:
        cells = [v for v in row.cells.values() if v]
        merged_note = len(set(cells)) == 1 and len(cells) > 2
        if merged_note or (_NOTE_ROW.match(row.first) and not row["measure"]):
            # A merged note under the table (说明：…, 制表人：…) fills every column.
            preview.notes.append(
                sheet.issue(row, "", f"表尾说明，不作为整改事项：{row.first[:40]}")
            )
            continue
        problem, measure = row["problem"], row["measure"]
        label = problem[:16] + ("…" if len(problem) > 16 else "")
        if not problem or not measure:
            lacking = "具体问题" if not problem else "整改措施"
            preview.issues.append(sheet.issue(row, label, f"缺少{lacking}"))
            continue
        key = (problem, measure, re.sub(r"[\s\u3000]", "", row["owner"]), row["department"])
        twin = existing.get(key)
        if twin is not None:
            # A row sent back (a department's report): take the progress it adds.
            returned.append((row, label, *twin, _split_progress(row["progress"], today)[0]))
            continue
        earlier = seen.get(key)
        if earlier is not None:
            preview.issues.append(sheet.issue(row, label, f"与本表第 {earlier} 行重复"))
            continue
        try:
            deadline = read_deadline(row["deadline"], reference)
        except DeadlineUnreadable as exc:
            preview.issues.append(sheet.issue(row, label, str(exc)))
            continue
        if deadline.inferred:
            preview.notes.append(
                sheet.issue(row, label, f"完成时限“{row['deadline']}”{deadline.inferred}")
            )
        notes, dated = _split_progress(row["progress"], today)
        if not dated:
            preview.notes.append(
                sheet.issue(
                    row,
                    label,
                    f"整改进展没有注明日期，记为 {today.isoformat()} 的一条进展"
                    "（注明“原表未注明日期”）",
                )
            )
        state = _state(row["sign_off"], bool(notes))
        if state is None:
            preview.issues.append(
                sheet.issue(
                    row,
                    label,
                    f"无法识别销号情况“{row['sign_off']}”"
                    "（应为 已销号、已完成待销号、整改中、待整改 之一）",
                )
            )
            continue
        leader_id, leader_name = person(row, "leader", "责任领导", label)
        owner_id, owner_name = person(row, "owner", "责任人", label)
        signer_id: uuid.UUID | None = None
        signed_on: dt.date | None = None
        if state is RectificationState.SIGNED_OFF:
            text = row["sign_off"]
            signer = next(
                (m for m in members if m.is_leader and m.name in text),
                None,
            )
            signer_id = signer.id if signer is not None else None
            match = _SIGN_DATE.search(text)
            if match:
                try:
                    signed_on = dt.date(int(match[1]), int(match[2]), int(match[3]))
                except ValueError:
                    signed_on = None
            if signer is None:
                preview.notes.append(
                    sheet.issue(row, label, "原台账记为已销号，没写明销号的领导，按原台账记载导入")
                )
        seen[key] = row.number
        serial = row["serial"]
        parsed.append(
            _Parsed(
                number=row.number,
                serial=serial,
                values={
                    "problem_text": problem,
                    "measure": measure,
                    "area_label": row["area"],
                    "source_label": row["source"],
                    "target": row["target"],
                    "responsible_leader_id": leader_id,
                    "leader_name": leader_name,
                    "responsible_department": row["department"],
                    "cooperating_departments": row["cooperating"],
                    "owner_id": owner_id,
                    "owner_name": owner_name,
                    "deadline_kind": deadline.kind,
                    "deadline": deadline.date,
                    "remarks": row["remarks"],
                },
                notes=notes,
                state=state,
                signer_id=signer_id,
                signed_on=signed_on,
                sign_off_text=row["sign_off"],
                preview=PreviewRow(
                    number=row.number,
                    serial=serial,
                    problem=problem,
                    measure=measure,
                    leader=row["leader"],
                    department=row["department"],
                    owner=row["owner"],
                    deadline=deadline.text,
                    deadline_as_written=row["deadline"],
                    state=state.label,
                    notes=len(notes),
                ),
            )
        )
        preview.rows.append(parsed[-1].preview)
    _returned(session, sheet, preview, returned)
    return preview, parsed


def _returned(session: Session, sheet: Sheet, preview: LedgerPreview, returned: list[Any]) -> None:
    """Rows already in the ledger: new progress notes become updates, the rest are skipped."""
    ids = [r[3] for r in returned]
    known: set[tuple[uuid.UUID, dt.date, str]] = set()
    for start in range(0, len(ids), 500):
        known |= {
            (rid, on, text)
            for rid, on, text in session.execute(
                select(
                    ProgressNote.rectification_id, ProgressNote.noted_on, ProgressNote.text
                ).where(
                    ProgressNote.rectification_id.in_(ids[start : start + 500]),
                    ProgressNote.deleted_at.is_(None),
                )
            )
        }
    for row, label, serial, rid, state, notes in returned:
        new = tuple((on, text) for on, text in notes if (rid, on, text) not in known)
        if not new:
            preview.issues.append(
                sheet.issue(row, label, f"台账第 {serial} 项已有这一行，表中没有新的进展，不再导入")
            )
        elif state is RectificationState.SIGNED_OFF:
            preview.issues.append(
                sheet.issue(
                    row,
                    label,
                    f"台账第 {serial} 项已销号，表中新写的进展没有补记（需要时先重新打开）",
                )
            )
        else:
            preview.updates.append(Update(row.number, serial, rid, new))
            preview.notes.append(
                sheet.issue(row, label, f"补记到台账第 {serial} 项：新的进展 {len(new)} 条")
            )


@office
def preview_ledger(db: Database, path: Path, *, today: dt.date) -> LedgerPreview:
    """What :func:`import_ledger` would do with ``path``; nothing is written."""
    sheet = _read(path)
    with db.read() as session:
        return _analyse(session, sheet, _current(session), today)[0]


@office
def import_ledger(
    db: Database, path: Path, *, today: dt.date, strict: bool = False
) -> LedgerImportResult:
    """Add the readable rows of ``path`` to the current campaign's ledger, in one transaction.

    With ``strict`` any row that cannot be read refuses the whole file
    (:class:`~mingjing.services.sheets.ImportRefused` lists them); nothing is
    written. Rows get 序号 after the ledger's last; each remembers the file,
    its row and its old 序号.
    """
    path = Path(path)
    sheet = _read(path)
    with db.transaction() as session:
        campaign = _current(session)
        preview, parsed = _analyse(session, sheet, campaign, today)
        if strict and preview.issues:
            raise refuse_with_issues(path, preview.issues)
        top = session.scalar(
            select(Rectification.serial)
            .where(Rectification.campaign_id == campaign.id, Rectification.deleted_at.is_(None))
            .order_by(Rectification.serial.desc())
            .limit(1)
        )
        serial = int(top or 0)
        for item in parsed:
            serial += 1
            origin = f"{path.name} 第 {item.number} 行"
            if item.serial:
                origin += f"（原序号 {item.serial}）"
            row = Rectification(
                campaign_id=campaign.id,
                serial=serial,
                state=item.state,
                imported_from=origin,
                **item.values,
            )
            if item.state in (RectificationState.AWAITING_SIGN_OFF, RectificationState.SIGNED_OFF):
                row.completed_at = _noon(item.signed_on or today)
            if item.state is RectificationState.SIGNED_OFF:
                row.signed_off_by_id = item.signer_id
                row.signed_off_at = _noon(item.signed_on) if item.signed_on else None
                row.sign_off_note = f"原台账记载：{item.sign_off_text}"
            row.progress_notes = [ProgressNote(noted_on=on, text=text) for on, text in item.notes]
            session.add(row)
        for update in preview.updates:
            target = session.get(Rectification, update.row_id)
            assert target is not None
            session.add_all(
                ProgressNote(rectification_id=target.id, noted_on=on, text=text)
                for on, text in update.notes
            )
            if target.state is RectificationState.PENDING:  # the work has begun
                target.state = rectification_step(target.state, RectificationEvent.START)
        return LedgerImportResult(
            added=len(parsed),
            skipped=len(preview.issues),
            issues=preview.issues,
            notes=preview.notes,
            updated=len(preview.updates),
        )


def _noon(day: dt.date) -> dt.datetime:
    """A day recorded without a time, as noon local time (so it prints as that day)."""
    return dt.datetime.combine(day, dt.time(12)).astimezone()
