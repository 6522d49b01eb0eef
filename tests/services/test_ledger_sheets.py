"""整改台账 in Excel: the printed layout, a round trip, and sheets shaped like real ones."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import func, select

from mingjing.domain.base import utcnow
from mingjing.domain.enums import RectificationState
from mingjing.domain.models import AuditEntry, Rectification
from mingjing.services import ledger, ledger_sheets
from mingjing.services.maintenance import check_database
from mingjing.services.sheets import ImportRefused
from mingjing.storage import Database
from mingjing.storage.errors import InputRefused

TODAY = dt.date(2025, 11, 20)


@pytest.fixture
def db(ledger_db: Database) -> Database:
    return ledger_db


@pytest.fixture
def cid(ledger_cid: str) -> str:
    return ledger_cid


def clear_ledger(db: Database) -> None:
    with db.transaction() as s:
        for row in s.scalars(select(Rectification)):
            row.deleted_at = utcnow()


def audit_length(db: Database) -> int:
    with db.read() as s:
        return int(s.scalar(select(func.count()).select_from(AuditEntry)) or 0)


def comparable(row: ledger.LedgerRow) -> tuple[Any, ...]:
    return (
        row.area,
        row.problem,
        row.source,
        row.measure,
        row.target,
        row.leader,
        row.leader_id,
        row.department,
        row.cooperating,
        row.owner,
        row.deadline_text,
        row.state,
        row.remarks,
        row.notes,
        row.progress,
    )


# -------------------------------------------------------------------- export


def test_the_exported_sheet_is_laid_out_for_printing(
    db: Database, cid: str, tmp_path: Path
) -> None:
    rows = ledger.all_rows(db, cid, today=TODAY)
    long_note = "整改进展记录。" * 720  # about 5,000 characters
    ledger.add_progress_note(db, rows[1].id, long_note, TODAY)
    out = ledger_sheets.export_ledger(db, cid, tmp_path, today=TODAY)
    assert out.parent == tmp_path and out.suffix == ".xlsx"
    sheet = openpyxl.load_workbook(out).active
    assert sheet is not None
    assert "整改台账" in str(sheet["A1"].value) and "A1:N1" in str(sheet.merged_cells)
    assert [c.value for c in sheet[3]][:5] == [
        "序号",
        "问题方面",
        "具体问题",
        "问题来源",
        "整改措施",
    ]
    assert sheet.freeze_panes == "A4"
    assert sheet.print_title_rows == "$3:$3"
    assert sheet.page_setup.orientation == "landscape"
    assert str(sheet.page_setup.paperSize) == sheet.PAPERSIZE_A4 == "9"
    assert sheet.page_setup.fitToWidth == 1 and sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.column_dimensions["C"].width > 20
    assert sheet.cell(4, 3).alignment.wrap_text
    assert sheet.max_row == 3 + len(rows) + 3  # the rows, a blank row, the count, signatures
    assert "单位主要负责人" in str(sheet.cell(sheet.max_row, 1).value)
    dated = [r for r in rows if r.deadline is not None]
    row_of = {sheet.cell(n, 1).value: n for n in range(4, 4 + len(rows))}
    cell = sheet.cell(row_of[dated[0].serial], 11)
    assert isinstance(cell.value, dt.datetime) and cell.value.date() == dated[0].deadline
    assert long_note in str(sheet.cell(row_of[rows[1].serial], 12).value)
    assert f"共 {len(rows)} 项" in str(sheet.cell(sheet.max_row - 1, 1).value)
    overdue = next(r for r in rows if r.overdue)
    assert str(sheet.cell(row_of[overdue.serial], 13).value).endswith("（已逾期）")


def test_an_unwritable_place_is_refused_by_name(db: Database, cid: str, tmp_path: Path) -> None:
    blocker = tmp_path / "file-not-folder"
    blocker.write_text("x")
    with pytest.raises(InputRefused) as caught:
        ledger_sheets.export_ledger(db, cid, blocker / "台账.xlsx", today=TODAY)
    assert "台账.xlsx" in str(caught.value)


def test_export_then_import_gives_the_same_rows(db: Database, cid: str, tmp_path: Path) -> None:
    before = [comparable(r) for r in ledger.all_rows(db, cid, today=TODAY)]
    assert any(r[11] == "signed_off" for r in before) and any(r[13] > 1 for r in before)
    out = ledger_sheets.export_ledger(db, cid, tmp_path / "台账.xlsx", today=TODAY)
    clear_ledger(db)
    result = ledger_sheets.import_ledger(db, out, today=TODAY, strict=True)
    assert result.added == len(before) and not result.issues
    after = [comparable(r) for r in ledger.all_rows(db, cid, today=TODAY)]
    assert after == before
    signed = ledger.all_rows(db, cid, ledger.LedgerFilter(states=("signed_off",)), today=TODAY)
    assert signed and all("（" in r.sign_off for r in signed)  # signer and date came back
    assert check_database(db).ok
    # The same file again: every row is already in the ledger.
    again = ledger_sheets.import_ledger(db, out, today=TODAY)
    assert again.added == 0 and again.skipped == len(before)


# ----------------------------------------------------------- real-world sheets


def realistic_sheet(path: Path) -> Path:
    """Last year's ledger as an office keeps it in Excel."""
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "2024年台账"
    ws.merge_cells("A1:K1")
    ws["A1"] = "县农业农村局2024年度作风建设问题整改台账"
    ws["A2"] = "填报单位（盖章）：办公室"
    # A two-row header: 责任部门 over 牵头 and 配合; the rest merged down.
    top = ["序号", "存在问题", "整改措施", "责任领导", "责任单位", "", "时限", "进展情况",
           "是否销号", "备注", "联系电话"]  # fmt: skip
    for col, text in enumerate(top, 1):
        ws.cell(4, col, text or None)
    ws.merge_cells("E4:F4")
    ws.cell(5, 5, "牵头")
    ws.cell(5, 6, "配合")
    for col in (1, 2, 3, 4, 7, 8, 9, 10, 11):
        ws.merge_cells(start_row=4, start_column=col, end_row=5, end_column=col)
    lead = "1. 梳理审批事项清单\n2. 推行一窗受理"
    progress = "2024.10.8 已梳理清单\n2024.11.2 一窗受理上线"
    data = [
        [1, "审批事项办理时限长，企业反映\n“多头跑”", lead, "孙珺", "法规与行政审批股",
         "办公室", dt.datetime(2024, 12, 31), progress, "已销号（2024-12-20，孙珺）", "",
         "0000-0000000"],
        [2, "项目资金拨付慢", "建立资金拨付周调度制度", None, "计划财务股", "",
         "2024年12月31日", "已建立周调度", "已完成", "", ""],
        [3, "下乡调研走过场", "制定调研工作规范", None, "办公室", "", "12月底", "",
         "未销号", "", ""],
        [4, "会风文风不实", "精简会议文件", "王前任", "办公室", "", "立行立改、长期坚持",
         "", "整改中", "", ""],
        [5, "督办件回复不及时", "建立督办台账", "何卫东", "畜牧兽医股", "", "2024.11.30",
         "", "", "", ""],
        [6, "窗口服务态度生硬", "", "何卫东", "畜牧兽医股", "", "2025-01-15", "", "", "", ""],
        [7, "信息报送迟缓", "明确报送时限", "何卫东", "办公室", "", "尽快", "", "", "", ""],
        [8, "档案管理不规范", "开展档案清理", "何卫东", "办公室", "", "2025-03-31", "",
         "看情况", "", ""],
    ]  # fmt: skip
    for n, values in enumerate(data, 6):
        for col, value in enumerate(values, 1):
            ws.cell(n, col, value)
    # 责任领导 merged down over rows 2–3 (孙珺 leads both), as offices do.
    ws.cell(7, 4, "孙珺")
    ws.merge_cells("D7:D8")
    ws.merge_cells("A15:K15")
    ws["A15"] = "制表人：杨慧琳　　审核人：刘志堃"
    book.save(path)
    return path


def test_a_ledger_kept_by_hand_is_read_with_its_quirks(
    db: Database, cid: str, tmp_path: Path
) -> None:
    path = realistic_sheet(tmp_path / "上年度台账.xlsx")
    preview = ledger_sheets.preview_ledger(db, path, today=TODAY)
    mapping = dict(preview.mapping)
    assert mapping["具体问题"] == "存在问题" and mapping["责任部门"] == "责任单位"
    assert mapping["配合部门"] == "责任单位（配合）" and mapping["完成时限"] == "时限"
    assert "联系电话" in preview.ignored_columns
    assert [r.number for r in preview.rows] == [6, 7, 8, 9, 10]
    issues = {i.row: i.reason for i in preview.issues}
    assert "缺少整改措施" in issues[11]
    assert "尽快" in issues[12]
    assert "看情况" in issues[13]
    notes = "\n".join(str(n) for n in preview.notes)
    # 12月底 in a sheet named for 2024 is the end of 2024, and the preview says so.
    assert "12月底" in notes and "2024-12-31" in notes
    assert "王前任" in notes and "不在本单位名单中" in notes
    assert "制表人" in notes  # the footer is a note, not an error
    by_row = {r.number: r for r in preview.rows}
    assert by_row[6].state == "已销号" and by_row[6].notes == 2
    assert by_row[7].state == "已完成待销号" and by_row[7].leader == "孙珺"  # merged down
    assert by_row[8].deadline == "2024-12-31" and by_row[8].deadline_as_written == "12月底"
    assert "原表未注明日期" in notes
    assert by_row[9].deadline == "长期坚持"
    assert by_row[10].state == "待整改"

    before = ledger.count_rows(db, cid, today=TODAY)
    result = ledger_sheets.import_ledger(db, path, today=TODAY)
    assert (result.added, result.skipped) == (5, 3)
    rows = ledger.page_rows(db, cid, today=TODAY, sort="serial", descending=True, limit=5)
    rows.reverse()
    assert [r.serial for r in rows] == list(range(before + 1, before + 6))
    first = rows[0]
    assert first.problem == "审批事项办理时限长，企业反映\n“多头跑”"  # lines kept
    assert first.cooperating == "办公室" and first.department == "法规与行政审批股"
    assert first.state == RectificationState.SIGNED_OFF.value and "孙珺" in first.sign_off
    assert first.notes == 2 and first.progress.startswith("2024-11-02")
    assert first.deadline == dt.date(2024, 12, 31)
    assert first.imported_from == "上年度台账.xlsx 第 6 行（原序号 1）"
    assert rows[3].leader == "王前任" and rows[3].leader_id is None
    assert rows[1].leader_id is not None  # 孙珺 is on the roster
    assert check_database(db).ok


def test_strict_import_refuses_the_whole_file(db: Database, cid: str, tmp_path: Path) -> None:
    path = realistic_sheet(tmp_path / "台账.xlsx")
    before, audit = ledger.count_rows(db, cid, today=TODAY), audit_length(db)
    with pytest.raises(ImportRefused) as caught:
        ledger_sheets.import_ledger(db, path, today=TODAY, strict=True)
    message = str(caught.value)
    assert str(path) in message and "第 11 行" in message and "第 12 行" in message
    assert ledger.count_rows(db, cid, today=TODAY) == before and audit_length(db) == audit


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("空.xlsx", b"", "空的"),
        ("改了名.xlsx", b"this is not a workbook", "不是有效的 Excel"),
        ("旧格式.xls", b"\xd0\xcf\x11\xe0", ".xls"),
    ],
)
def test_files_that_are_no_ledger_are_refused_by_name(
    db: Database, tmp_path: Path, name: str, content: bytes, reason: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputRefused) as caught:
        ledger_sheets.preview_ledger(db, path, today=TODAY)
    assert str(path) in str(caught.value) and reason in str(caught.value)


def test_a_sheet_without_the_two_needed_columns_says_which(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "名单.xlsx"
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.append(["序号", "具体问题", "责任领导"])
    ws.append([1, "某问题", "孙珺"])
    book.save(path)
    with pytest.raises(InputRefused, match="整改措施"):
        ledger_sheets.preview_ledger(db, path, today=TODAY)


def test_a_gbk_csv_ledger(db: Database, cid: str, tmp_path: Path) -> None:
    path = tmp_path / "台账.csv"
    path.write_bytes(
        "序号,具体问题,整改措施,完成时限\n1,接待群众不热情,开展窗口作风整顿,2025.12.31\n".encode(
            "gb18030"
        )
    )
    assert ledger_sheets.import_ledger(db, path, today=TODAY).added == 1


def test_a_ledger_with_its_header_low_down_and_dates_as_dates(
    db: Database, cid: str, tmp_path: Path
) -> None:
    """Another office's layout: title, notes, header on row 5, real date cells,
    整改情况 instead of 销号情况, a 类别 column, a blank row inside the table."""
    path = tmp_path / "整改清单.xlsx"
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws["A1"] = "关于作风问题整改落实情况的清单"
    ws["A2"] = "（2025年第二季度）"
    ws["A3"] = "填报单位：计划财务股"
    ws.append([])
    ws.append(
        [
            "编号",
            "问题类别",
            "问题表现",
            "整改举措",
            "牵头单位",
            "配合单位",
            "完成期限",
            "落实情况",
            "状态",
        ]
    )
    ws.append([1, "工作标准不高", "报表数据多头报送", "统一报表口径", "计划财务股", "办公室",
               dt.datetime(2025, 6, 30), "2025年6月20日 已统一口径", "已完成"])  # fmt: skip
    ws.append([])
    ws.append([2, "执行纪律不严", "差旅报销审核不严", "修订报销审核流程", "计划财务股", "",
               dt.datetime(2025, 9, 30), "", "正在整改"])  # fmt: skip
    ws.append(["注：状态一栏填写“已完成”“正在整改”“未开始”。"])
    book.save(path)
    preview = ledger_sheets.preview_ledger(db, path, today=TODAY)
    assert preview.header_row == 5 and [r.number for r in preview.rows] == [6, 8]
    assert not preview.issues
    assert [r.state for r in preview.rows] == ["已完成待销号", "整改中"]
    assert [r.deadline for r in preview.rows] == ["2025-06-30", "2025-09-30"]
    mapping = dict(preview.mapping)
    assert mapping["具体问题"] == "问题表现" and mapping["销号情况"] == "状态"
    assert mapping["整改进展"] == "落实情况" and mapping["问题方面"] == "问题类别"
    assert any("注：" in str(n) for n in preview.notes)
    result = ledger_sheets.import_ledger(db, path, today=TODAY, strict=True)
    assert result.added == 2
    rows = ledger.page_rows(db, cid, today=TODAY, sort="serial", descending=True, limit=2)
    first = rows[1]
    assert first.area == "工作标准不高" and first.cooperating == "办公室"
    assert first.progress == "2025-06-20：已统一口径"


def test_a_filtered_export_says_what_it_holds(db: Database, cid: str, tmp_path: Path) -> None:
    where = ledger.LedgerFilter(overdue_only=True)
    out = ledger_sheets.export_ledger(db, cid, tmp_path / "逾期.xlsx", today=TODAY, where=where)
    sheet = openpyxl.load_workbook(out).active
    assert sheet is not None
    assert str(sheet["A1"].value).endswith("整改台账（已逾期）")
    count = ledger.count_rows(db, cid, where, today=TODAY)
    assert sheet.max_row == 3 + count + 3 and f"本表共 {count} 项" in str(
        sheet.cell(sheet.max_row - 1, 1).value
    )


def test_a_ledger_sent_back_with_new_progress_adds_it(
    db: Database, cid: str, tmp_path: Path
) -> None:
    """A department fills 整改进展 in the exported sheet and sends it back."""
    out = ledger_sheets.export_ledger(db, cid, tmp_path / "发回.xlsx", today=TODAY)
    book = openpyxl.load_workbook(out)
    sheet = book.active
    assert sheet is not None
    rows = ledger.all_rows(db, cid, today=TODAY)
    row_of = {sheet.cell(n, 1).value: n for n in range(4, 4 + len(rows))}
    open_row = next(r for r in rows if r.state == "in_progress")
    signed = next(r for r in rows if r.state == "signed_off")
    for target in (open_row, signed):
        cell = sheet.cell(row_of[target.serial], 12)
        cell.value = ((cell.value or "") + "\n2025-11-19：股室已完成自查，报送了佐证材料。").strip()
    book.save(out)
    preview = ledger_sheets.preview_ledger(db, out, today=TODAY)
    assert [(u.serial, len(u.notes)) for u in preview.updates] == [(open_row.serial, 1)]
    assert any("已销号" in i.reason for i in preview.issues)
    result = ledger_sheets.import_ledger(db, out, today=TODAY)
    assert (result.added, result.updated) == (0, 1)
    detail = ledger.row_detail(db, open_row.id, today=TODAY)
    assert detail.notes[-1].text == "股室已完成自查，报送了佐证材料。"
    assert detail.notes[-1].noted_on == dt.date(2025, 11, 19)
    again = ledger_sheets.import_ledger(db, out, today=TODAY)
    assert again.updated == 0  # the same file twice adds nothing twice
