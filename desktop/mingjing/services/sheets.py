"""Spreadsheets a secretary already has (名单, 征求意见汇总表) read as rows of text.

Offices keep these in Excel or WPS and save them however they like: a title
row or two above the header, a 序号 column, notes in extra columns, CSV in
GBK. :func:`read_sheet` finds the header among the first rows by its known
names (with the synonyms offices use), keeps only the recognised columns —
a column it does not know is never read into memory, which is how the
征求意见 import keeps 提出人 and 联系方式 out — and gives every row its
number as Excel shows it, so a message can say “第 5 行”.

A file that cannot be read raises :class:`InputRefused` with a Chinese
sentence naming the file and what is wrong; nothing is changed.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mingjing.storage.errors import InputRefused

HEADER_SEARCH_ROWS = 10
"""The header must be within this many rows from the top of a sheet."""

EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
CSV_SUFFIXES = {".csv", ".txt"}
_OLD_FORMATS = {
    ".xls": "旧版 Excel（.xls）",
    ".et": "WPS 表格（.et）",
    ".ods": "OpenDocument（.ods）",
}
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
"""The container of .xls files — and of password-protected .xlsx files."""

_SPACE = re.compile(r"[\s\u3000\u00a0\u200b\ufeff]+")
_ENDS = re.compile(r"^[\s\u3000\u00a0\u200b\ufeff]+|[\s\u3000\u00a0\u200b\ufeff]+$")
_REMARK = re.compile(r"[（(][^）)]*[）)]")


@dataclass(frozen=True)
class Column:
    """A column the caller wants: ``key`` in the rows, the header ``names`` it goes by."""

    key: str
    names: tuple[str, ...]
    required: bool = False

    @property
    def title(self) -> str:
        return self.names[0]


@dataclass(frozen=True)
class RowIssue:
    """Something wrong with one row (or a note about it), as a secretary would say it."""

    row: int
    """Row number as Excel shows it (1-based)."""
    where: str
    """“第 5 行”, or ““名单”工作表第 5 行” when the rows are not on the first sheet."""
    label: str
    """Who or what the row is about (a name, the start of an opinion); may be empty."""
    reason: str

    def __str__(self) -> str:
        if self.label.startswith("（"):
            return f"{self.where}{self.label}：{self.reason}"  # “第 7 行（财务股，科员）：…”
        if self.label:
            return f"{self.where} {self.label}：{self.reason}"
        return f"{self.where}：{self.reason}"


class ImportRefused(InputRefused):
    """A strict import met rows it could not take; nothing was written."""

    def __init__(self, message: str, issues: Sequence[RowIssue]) -> None:
        super().__init__(message)
        self.issues = list(issues)


def refuse_with_issues(path: Path, issues: Sequence[RowIssue], limit: int = 30) -> ImportRefused:
    lines = [str(i) for i in issues[:limit]]
    if len(issues) > limit:
        lines.append(f"……另有 {len(issues) - limit} 处")
    return ImportRefused(
        f"文件 {path} 中有 {len(issues)} 处需要改正，整个文件都没有导入：\n" + "\n".join(lines),
        issues,
    )


@dataclass(frozen=True)
class SheetRow:
    number: int
    """Row number as Excel shows it (1-based)."""
    cells: dict[str, str]
    """Trimmed text of each recognised column, by :attr:`Column.key` ("" when blank)."""
    first: str = ""
    """The first non-blank cell of the whole row, read or not (a footer's “制表人：…”)."""

    def __getitem__(self, key: str) -> str:
        return self.cells.get(key, "")


@dataclass(frozen=True)
class Sheet:
    path: Path
    sheet_name: str
    """The worksheet the rows come from ("" for a CSV file)."""
    on_first_sheet: bool
    header_row: int
    columns: dict[str, str]
    """Recognised columns: key → the header as written in the file."""
    ignored: list[str] = field(default_factory=list)
    """Headers of the columns that were not read (extra columns)."""
    rows: list[SheetRow] = field(default_factory=list)
    preamble: list[str] = field(default_factory=list)
    """The text of the rows above the header (a title, 填报单位…), one per row."""

    def where(self, row: int) -> str:
        if self.on_first_sheet:
            return f"第 {row} 行"
        return f"“{self.sheet_name}”工作表第 {row} 行"

    def issue(self, row: SheetRow | int, label: str, reason: str) -> RowIssue:
        number = row.number if isinstance(row, SheetRow) else row
        return RowIssue(number, self.where(number), label, reason)


def clean_text(value: str) -> str:
    """Trim spaces of every width (full-width too) and line breaks at both ends."""
    return _ENDS.sub("", value)


def cell_text(value: Any) -> str:
    """A cell as the text a user sees: 1.0 → "1", a date → 2026-11-03, None → ""."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return clean_text(str(value))


def header_key(text: str) -> str:
    """A header as compared: no spaces, remarks in brackets, * or colons; lower case."""
    text = _REMARK.sub("", _SPACE.sub("", text))
    return text.strip("*＊:：").lower()


def _refuse(path: Path, reason: str) -> InputRefused:
    return InputRefused(f"文件 {path} 不能导入：{reason}")


# ------------------------------------------------------------------ reading


def _raw_sheets(
    path: Path, fill_merged: bool = False
) -> Generator[tuple[str, Sequence[Sequence[Any]]], None, None]:
    """(sheet name, rows of cell values) for each sheet, first sheet first."""
    if not path.exists():
        raise InputRefused(f"找不到文件 {path}，请检查文件位置和名称。")
    if path.is_dir():
        raise _refuse(path, "这是一个文件夹，请选择表格文件（.xlsx 或 .csv）")
    suffix = path.suffix.lower()
    if suffix in _OLD_FORMATS:
        raise _refuse(
            path,
            f"本程序读不了{_OLD_FORMATS[suffix]}格式。"
            "请在 Excel 或 WPS 中打开，另存为“Excel 工作簿（.xlsx）”后再导入",
        )
    if suffix not in EXCEL_SUFFIXES | CSV_SUFFIXES:
        raise _refuse(
            path,
            "不是表格文件。请选择 Excel 工作簿（.xlsx）或 CSV 文件（.csv）",
        )
    try:
        blob = path.read_bytes()
    except OSError as exc:
        raise _refuse(path, f"无法读取（{exc.strerror or exc}），文件可能正被其他程序占用") from exc
    if not blob.strip():
        raise _refuse(path, "文件是空的")
    if suffix in CSV_SUFFIXES:
        yield "", _csv_rows(path, blob)
    else:
        yield from _xlsx_sheets(path, blob, fill_merged)


def _csv_rows(path: Path, blob: bytes) -> list[list[str]]:
    if blob.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Excel's “Unicode 文本”: UTF-16 with tabs.
        text = blob.decode("utf-16")
    else:
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = blob.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:  # pragma: no cover - gb18030 decodes nearly any byte string
            raise _refuse(path, "文字编码无法识别，请在 Excel 中另存为“CSV UTF-8”后再导入")
    if "\x00" in text:
        raise _refuse(path, "这不是文本格式的 CSV 文件，可能是改了扩展名的其他文件")
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = "\t" if "\t" in first and "," not in first else ","
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise _refuse(path, f"CSV 格式有误（{exc}）") from exc


def _xlsx_sheets(
    path: Path, blob: bytes, fill_merged: bool = False
) -> Iterator[tuple[str, Sequence[Sequence[Any]]]]:
    if blob.startswith(_OLE_MAGIC):
        raise _refuse(
            path,
            "这是旧版 .xls 文件，或者设了打开密码的文件。"
            "请在 Excel 或 WPS 中去掉密码、另存为“Excel 工作簿（.xlsx）”后再导入",
        )
    if not zipfile.is_zipfile(io.BytesIO(blob)):
        raise _refuse(path, "不是有效的 Excel 工作簿，文件可能已损坏或只是改了扩展名")
    import openpyxl

    try:
        # Merged cells are only known to a fully loaded workbook.
        book = openpyxl.load_workbook(io.BytesIO(blob), read_only=not fill_merged, data_only=True)
    except Exception as exc:
        # openpyxl raises KeyError, ValueError, zipfile errors, XML errors …
        # for damaged files; all mean the same to the user.
        raise _refuse(path, "Excel 工作簿已损坏，无法打开。请在 Excel 中打开后重新保存") from exc
    try:
        for sheet in book.worksheets:
            if not fill_merged:
                sheet.reset_dimensions()  # some programs write wrong dimensions
            try:
                rows = list(sheet.iter_rows(values_only=True))
            except Exception as exc:
                raise _refuse(path, f"工作表“{sheet.title}”已损坏，无法读取") from exc
            if fill_merged:
                rows = _filled(rows, sheet.merged_cells.ranges)
            yield sheet.title, rows
    finally:
        book.close()


def _filled(rows: list[tuple[Any, ...]], merged: Iterable[Any]) -> list[tuple[Any, ...]]:
    """Every cell of a merged range carries the range's value, as the user sees it.

    Ledgers merge 责任领导 or 完成时限 down over the rows they share; read
    plainly, only the first of those rows would have one.
    """
    grid = [list(row) for row in rows]
    for cells in merged:
        top, left = cells.min_row - 1, cells.min_col - 1
        if top >= len(grid) or left >= len(grid[top]):
            continue
        value = grid[top][left]
        for r in range(top, min(cells.max_row, len(grid))):
            line = grid[r]
            if len(line) < cells.max_col:
                line.extend([None] * (cells.max_col - len(line)))
            for c in range(left, cells.max_col):
                line[c] = value
    return [tuple(row) for row in grid]


# ------------------------------------------------------------------ header


def _match_header(cells: Sequence[str], columns: Sequence[Column]) -> dict[str, int]:
    """Column key → index of the first cell carrying one of its names."""
    wanted = {header_key(n): c.key for c in columns for n in c.names}
    found: dict[str, int] = {}
    for index, text in enumerate(cells):
        key = wanted.get(header_key(text)) if text else None
        if key is not None and key not in found:
            found[key] = index
    return found


def read_sheet(path: Path, columns: Sequence[Column], *, fill_merged: bool = False) -> Sheet:
    """The rows under the first recognisable header of the first sheet that has one.

    Blank rows (every recognised cell empty) and repeated header rows are
    skipped. With ``fill_merged`` every cell of a merged range reads as the
    range's value, and a header of two rows (责任部门 over 牵头 and 配合) is
    read as one. Raises :class:`InputRefused` if the file cannot be read, no
    sheet has a header with the ``required`` columns, or nothing is under it.
    """
    path = Path(path)
    sheets = _raw_sheets(path, fill_merged)
    try:
        sheet = _find_header(path, sheets, columns)
    finally:
        sheets.close()
    if not sheet.rows:
        raise _refuse(path, f"第 {sheet.header_row} 行表头下面没有内容")
    return sheet


def _find_header(
    path: Path, sheets: Iterator[tuple[str, Sequence[Sequence[Any]]]], columns: Sequence[Column]
) -> Sheet:
    required = [c for c in columns if c.required]
    near_miss: tuple[str, int, list[Column]] | None = None
    any_content = False
    for ordinal, (sheet_name, raw) in enumerate(sheets):
        rows = [[cell_text(v) for v in row] for row in raw]
        any_content = any_content or any(any(row) for row in rows)
        for number, cells in enumerate(rows[:HEADER_SEARCH_ROWS], 1):
            found = _match_header(cells, columns)
            if not found:
                continue
            missing = [c for c in required if c.key not in found]
            if missing:
                if near_miss is None:
                    near_miss = (sheet_name if ordinal else "", number, missing)
                continue
            if number < len(rows):
                below = _sub_header(cells, rows[number], found, columns)
                if below is not None:
                    header, found = below
                    return _sheet(path, sheet_name, ordinal == 0, number + 1, header, found, rows)
            return _sheet(path, sheet_name, ordinal == 0, number, cells, found, rows)
    if not any_content:
        raise _refuse(path, "表格中没有内容")
    if near_miss is not None:
        sheet_name, number, missing = near_miss
        where = f"“{sheet_name}”工作表" if sheet_name else ""
        lacking = "、".join(_column_names(c) for c in missing)
        raise _refuse(path, f"{where}第 {number} 行像是表头，但缺少{lacking}列")
    wanted = "、".join(_column_names(c) for c in (required or columns))
    raise _refuse(
        path,
        f"前 {HEADER_SEARCH_ROWS} 行中找不到表头（应有{wanted}列），请检查是不是选错了文件",
    )


def _sub_header(
    cells: list[str], below: list[str], found: dict[str, int], columns: Sequence[Column]
) -> tuple[list[str], dict[str, int]] | None:
    """A second header row under ``cells`` (责任部门 over 牵头 | 配合), or None.

    It is one when it names a column the first row did not, and every other
    cell of it is blank or repeats the first row (a header cell merged down).
    """
    more = {k: i for k, i in _match_header(below, columns).items() if k not in found}
    if not more:
        return None
    named = set(more.values())
    for index, text in enumerate(below):
        above = cells[index] if index < len(cells) else ""
        if (
            text
            and index not in named
            and header_key(text) != header_key(above)
            and not _match_header([text], columns)
        ):
            return None  # a value, not a header: this is the first data row
    header = list(cells) + [""] * max(0, len(below) - len(cells))
    for index in named:
        above = header[index]
        header[index] = f"{above}（{below[index]}）" if above else below[index]
    return header, {**found, **more}


def _column_names(column: Column) -> str:
    others = "、".join(f"“{n}”" for n in column.names[1:4])
    return f"“{column.title}”（或{others}）" if others else f"“{column.title}”"


def _sheet(
    path: Path,
    sheet_name: str,
    first: bool,
    header_row: int,
    header: list[str],
    found: dict[str, int],
    rows: list[list[str]],
) -> Sheet:
    used = set(found.values())
    ignored = [text for index, text in enumerate(header) if text and index not in used]
    header_cells = {key: header_key(header[index]) for key, index in found.items()}
    out: list[SheetRow] = []
    for number, cells in enumerate(rows[header_row:], header_row + 1):
        values = {key: cells[index] if index < len(cells) else "" for key, index in found.items()}
        if not any(values.values()):
            continue
        if all(header_key(values[k]) == header_cells[k] for k in values):
            continue  # the header repeated (a printed list spanning pages)
        out.append(SheetRow(number, values, next((c for c in cells if c), "")))
    return Sheet(
        path=path,
        sheet_name=sheet_name,
        on_first_sheet=first,
        header_row=header_row,
        columns={key: header[index] for key, index in found.items()},
        ignored=ignored,
        rows=out,
        preamble=[
            " ".join(dict.fromkeys(c for c in cells if c)) for cells in rows[: header_row - 1]
        ],
    )


# ------------------------------------------------------------------ values

_YES = {
    "是",
    "√",
    "✓",
    "✔",
    "y",
    "yes",
    "1",
    "true",
    "对",
    "班子成员",
    "是班子成员",
    "领导班子成员",
}
_NO = {"否", "不是", "×", "✗", "✘", "x", "n", "no", "0", "false", "无", "非班子成员", "-", "/", "—"}


def yes_no(text: str) -> bool | None:
    """是/否 as offices write it (blank is 否); None when it cannot be read."""
    key = header_key(text)
    if key == "" or key in _NO:
        return False
    if key in _YES:
        return True
    return None


_DATE = re.compile(
    r"^(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$"
)
_MONTH_DAY = re.compile(
    r"^(?P<m>\d{1,2})\s*(?:月\s*(?P<d1>\d{1,2})\s*[日号]?|[-/]\s*(?P<d2>\d{1,2}))$"
)
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def parse_date(text: str, year: int | None = None) -> dt.date | None:
    """2026-11-03, 2026/11/3, 2026.11.3, 2026年11月3日, 20261103 or an Excel day number.

    With ``year``, a date without one (11月3日, 11月3号, 11/3, 11-3) is taken
    to be in that year. Raises ValueError for anything else; "" is None.
    """
    text = clean_text(text)
    if not text:
        return None
    match = _DATE.match(text)
    if match:
        return dt.date(int(match["y"]), int(match["m"]), int(match["d"]))
    match = _MONTH_DAY.match(text)
    if match and year is not None:
        return dt.date(year, int(match["m"]), int(match["d1"] or match["d2"]))
    if re.fullmatch(r"\d{8}", text):
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    if re.fullmatch(r"\d{5}", text) and 36526 <= int(text) <= 73050:
        # A date cell formatted as a number: days since 1899-12-30 (years 2000–2099).
        return _EXCEL_EPOCH + dt.timedelta(days=int(text))
    raise ValueError(text)
