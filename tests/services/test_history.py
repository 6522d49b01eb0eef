"""修改记录: a ledger row's history as the audit trail has it, in words."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from mingjing.domain.errors import DomainError
from mingjing.domain.models import Member
from mingjing.services import ledger
from mingjing.services.history import ledger_row_history, text_of
from mingjing.services.ledger import RowInput
from mingjing.storage import Database


def test_a_rows_history_says_who_changed_what(ledger_db: Database, ledger_cid: str) -> None:
    db = ledger_db
    with db.read() as s:
        leader = s.scalars(select(Member).where(Member.is_party_secretary.is_(True))).one()
        leader_id, leader_name = str(leader.id), leader.name
    db.actor = "杨慧琳"
    row = ledger.add_row(
        db,
        ledger_cid,
        RowInput(
            problem_text="窗口答复群众咨询不耐心",
            measure="开展窗口服务规范培训",
            deadline=dt.date(2025, 12, 31),
        ),
    )
    ledger.update_row(db, row, {"measure": "开展窗口服务规范培训，实行首问负责", "remarks": "重点"})
    ledger.add_progress_note(db, row, "已组织培训一次，参加12人。", dt.date(2025, 11, 25))
    ledger.report_complete(db, row)
    db.actor = leader_name
    ledger.sign_off(db, row, leader_id, "经核查，已落实到位。")

    lines = ledger_row_history(db, row)
    actions = [line.action for line in lines]
    assert actions[:2] == ["新建", "修改"] and actions.count("新建进展") == 1
    assert lines[0].action == "新建" and lines[0].actor == "杨慧琳"
    assert "具体问题：窗口答复群众咨询不耐心" in lines[0].what
    assert "完成时限：2025年12月31日" in lines[0].what
    edit = lines[1]
    assert edit.action == "修改"
    assert "整改措施：开展窗口服务规范培训 → 开展窗口服务规范培训，实行首问负责" in edit.what
    assert "备注：（空） → 重点" in edit.what
    note = next(line for line in lines if line.action == "新建进展")
    assert "进展情况：已组织培训一次，参加12人。" in note.what
    signed = lines[-1]
    assert signed.actor == leader_name
    assert f"销号人：（空） → {leader_name}" in signed.what
    assert "状态：已完成待销号 → 已销号" in signed.what
    assert all("_id" not in w and "search_key" not in w for line in lines for w in line.what)
    # Times are the computer's own, in order.
    assert [line.at for line in lines] == sorted(line.at for line in lines)
    assert "杨慧琳" in text_of(lines)


def test_history_of_an_unknown_row_is_refused(ledger_db: Database) -> None:
    with pytest.raises(DomainError, match="不是台账事项的编号"):
        ledger_row_history(ledger_db, "no-such-row")
    with pytest.raises(DomainError, match="找不到"):
        ledger_row_history(ledger_db, "00000000-0000-4000-8000-000000000001")
