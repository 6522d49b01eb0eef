"""修改记录: the history of one record, read from the audit trail.

Every change — from the window, the command line or an import — is an entry
of the hash-chained audit log (:mod:`mingjing.storage.audit`) naming who made
it. This module turns the entries of one 整改台账 row (with its progress
notes and evidence) into lines a secretary or leader reads: when, who, what,
and each field's old and new value under its Chinese name.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from mingjing.domain.enums import DeadlineKind, RectificationState
from mingjing.domain.errors import DomainError
from mingjing.domain.models import AuditEntry, Evidence, Member, ProgressNote, Rectification
from mingjing.domain.text import cn_date
from mingjing.storage import Database
from mingjing.storage.audit import history

ACTIONS = {"create": "新建", "update": "修改", "delete": "删除", "import": "导入"}

RECTIFICATION_FIELDS = {
    "serial": "序号",
    "problem_text": "具体问题",
    "area_label": "问题方面",
    "source_label": "问题来源",
    "measure": "整改措施",
    "target": "整改目标",
    "responsible_leader_id": "责任领导",
    "responsible_department": "责任部门",
    "cooperating_departments": "配合部门",
    "owner_id": "责任人",
    "leader_name": "责任领导",
    "owner_name": "责任人",
    "deadline_kind": "时限类型",
    "deadline": "完成时限",
    "state": "状态",
    "completed_at": "完成时间",
    "signed_off_by_id": "销号人",
    "signed_off_at": "销号时间",
    "sign_off_note": "销号意见",
    "returned_reason": "退回理由",
    "institutional_outcome": "建章立制",
    "institutional_outcome_on": "制度出台日期",
    "remarks": "备注",
    "imported_from": "导入来源",
    "deleted_at": "删除时间",
}
NOTE_FIELDS = {"noted_on": "日期", "text": "进展情况", "deleted_at": "删除时间"}
EVIDENCE_FIELDS = {"file_name": "文件", "description": "说明", "deleted_at": "删除时间"}


@dataclass(frozen=True)
class HistoryLine:
    at: dt.datetime
    """Local time."""
    actor: str
    action: str
    """新建, 修改, 删除, 导入 — of the row, a progress note or a piece of evidence."""
    what: tuple[str, ...]
    """One line a field: 整改措施：旧 → 新 (or its value, for a new record)."""


def ledger_row_history(db: Database, row_id: str) -> list[HistoryLine]:
    """Everything done to a 整改台账 row, oldest first: the row itself, its
    progress notes and its evidence (added or removed)."""
    try:
        key = uuid.UUID(row_id)
    except ValueError as exc:
        raise DomainError(f"“{row_id}”不是台账事项的编号。") from exc
    with db.read() as session:
        if session.get(Rectification, key) is None:
            raise DomainError("找不到这项整改事项。")
        notes = session.scalars(
            select(ProgressNote.id).where(ProgressNote.rectification_id == key)
        ).all()
        evidence = session.scalars(
            select(Evidence.id).where(Evidence.rectification_id == key)
        ).all()
        names = {str(m.id): m.name for m in session.scalars(select(Member))}
        entries: list[tuple[AuditEntry, str, dict[str, str]]] = [
            (e, "", RECTIFICATION_FIELDS) for e in history(session, "rectification", key)
        ]
        for note in notes:
            entries += [(e, "进展", NOTE_FIELDS) for e in history(session, "progress_note", note)]
        for item in evidence:
            entries += [
                (e, "佐证材料", EVIDENCE_FIELDS) for e in history(session, "evidence", item)
            ]
        entries.sort(key=lambda x: x[0].seq)
        return [_line(e, part, fields, names) for e, part, fields in entries]


def _line(
    entry: AuditEntry, part: str, fields: dict[str, str], names: dict[str, str]
) -> HistoryLine:
    action = ACTIONS.get(entry.action, entry.action)
    if part:
        action = f"{action}{part}"
    what: list[str] = []
    for key, value in entry.changes.items():
        label = fields.get(key)
        if label is None:
            continue  # ids, indexes and bookkeeping
        if entry.action == "update" and isinstance(value, list) and len(value) == 2:
            old, new = (_shown(key, v, names) for v in value)
            if key == "deleted_at":
                what.append("已删除" if new else "已恢复")
            else:
                what.append(f"{label}：{old or '（空）'} → {new or '（空）'}")
        elif entry.action != "delete" or key != "deleted_at":
            shown = _shown(key, value, names)
            if shown:
                what.append(f"{label}：{shown}")
    return HistoryLine(entry.at.astimezone(), entry.actor, action, tuple(what))


def _shown(key: str, value: Any, names: dict[str, str]) -> str:
    """A stored value as the window shows it."""
    if value is None or value == "":
        return ""
    if key.endswith("_id"):
        return names.get(str(value), "（已不在名单中）")
    if key == "state":
        return _label(RectificationState, value)
    if key == "deadline_kind":
        return _label(DeadlineKind, value)
    if isinstance(value, str) and len(value) >= 10 and value[4] == "-" and value[7] == "-":
        try:
            if len(value) == 10:
                return cn_date(dt.date.fromisoformat(value))
            moment = dt.datetime.fromisoformat(value).astimezone()
            return f"{cn_date(moment.date())} {moment:%H:%M}"
        except ValueError:
            pass
    return str(value)


def _label(kind: Any, value: Any) -> str:
    try:
        return str(kind(value).label)
    except ValueError:
        return str(value)


def text_of(lines: Sequence[HistoryLine]) -> str:
    """The history as plain text (for copying into a report)."""
    out = []
    for line in lines:
        head = f"{cn_date(line.at.date())} {line.at:%H:%M}　{line.actor}　{line.action}"
        out.append("\n".join([head, *(f"　　{w}" for w in line.what)]))
    return "\n".join(out)
