"""整改台账: rows, filters and pages, the states and who may sign off, notes,
evidence, 交办单, escalation and reminders — on the demo unit's ledger."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select

from mingjing.domain.enums import (
    DeadlineKind,
    EscalationLevel,
    ProblemStatus,
    RectificationState,
)
from mingjing.domain.errors import DomainError, IllegalTransition
from mingjing.domain.models import AuditEntry, Member, Problem, ProgressNote, Rectification
from mingjing.services import ledger
from mingjing.services.campaign_setup import current_campaign_id
from mingjing.services.demo import create_demo
from mingjing.services.ledger import LedgerFilter, RowInput
from mingjing.storage import Database
from mingjing.storage.errors import DatabaseLocked, InputRefused

TODAY = dt.date(2025, 11, 20)


@pytest.fixture
def db(ledger_db: Database) -> Database:
    return ledger_db


@pytest.fixture
def cid(ledger_cid: str) -> str:
    return ledger_cid


def member_id(db: Database, name: str) -> str:
    with db.read() as s:
        return str(s.scalar(select(Member.id).where(Member.name == name)))


def row_id(db: Database, serial: int) -> str:
    with db.read() as s:
        return str(
            s.scalar(
                select(Rectification.id).where(
                    Rectification.serial == serial, Rectification.deleted_at.is_(None)
                )
            )
        )


def first_in(db: Database, cid: str, state: RectificationState) -> ledger.LedgerRow:
    rows = ledger.page_rows(db, cid, LedgerFilter(states=(state.value,)), today=TODAY)
    assert rows, state
    return rows[0]


def audit_length(db: Database) -> int:
    with db.read() as s:
        return int(s.scalar(select(func.count()).select_from(AuditEntry)) or 0)


# -------------------------------------------------------------------- reading


def test_pages_cover_the_ledger_once_in_the_order_asked(db: Database, cid: str) -> None:
    total = ledger.count_rows(db, cid, today=TODAY)
    assert total >= 10
    pages = [ledger.page_rows(db, cid, today=TODAY, offset=n, limit=4) for n in range(0, total, 4)]
    rows = [r for page in pages for r in page]
    assert [r.serial for r in rows] == sorted(r.serial for r in rows)
    assert len({r.id for r in rows}) == total
    by_deadline = ledger.page_rows(db, cid, today=TODAY, sort="deadline", limit=total)
    kinds = [r.deadline_kind for r in by_deadline]
    # 立行立改 first, then dates in order, 长期坚持 last.
    assert kinds[0] == DeadlineKind.IMMEDIATE.value and kinds[-1] == DeadlineKind.ONGOING.value
    dates = [r.deadline for r in by_deadline if r.deadline is not None]
    assert dates == sorted(dates)
    by_problem = ledger.page_rows(db, cid, today=TODAY, sort="problem", descending=True)
    assert [r.problem for r in by_problem] == sorted((r.problem for r in by_problem), reverse=True)
    by_department = ledger.page_rows(db, cid, today=TODAY, sort="department", limit=total)
    assert [r.department for r in by_department] == sorted(r.department for r in by_department)
    with pytest.raises(DomainError):
        ledger.page_rows(db, cid, today=TODAY, sort="measure")  # no index: not offered


def test_filters_each_narrow_to_what_they_say(db: Database, cid: str) -> None:
    every = ledger.page_rows(db, cid, today=TODAY, limit=1000)

    def ids(f: LedgerFilter) -> set[str]:
        got = ledger.page_rows(db, cid, f, today=TODAY, limit=1000)
        assert ledger.count_rows(db, cid, f, today=TODAY) == len(got)
        return {r.id for r in got}

    overdue = ids(LedgerFilter(overdue_only=True))
    assert overdue and overdue == {r.id for r in every if r.overdue}
    soon = ids(LedgerFilter(due_within=7))
    assert soon and all(
        r.deadline is not None and 0 <= (r.deadline - TODAY).days <= 7
        for r in every
        if r.id in soon
    )
    signed = ids(LedgerFilter(states=(RectificationState.SIGNED_OFF.value,)))
    assert signed and all(r.sign_off.startswith("已销号") for r in every if r.id in signed)
    leader = every[0].leader_id
    assert leader is not None
    assert ids(LedgerFilter(leader=leader)) == {r.id for r in every if r.leader_id == leader}
    dept = every[0].department
    assert ids(LedgerFilter(department=dept)) >= {r.id for r in every if r.department == dept}
    area = next(r.area for r in every if r.area)
    assert ids(LedgerFilter(area=area)) == {r.id for r in every if r.area == area}
    # Chinese search: a substring of one row's problem, and a leader's name.
    word = every[1].problem[2:6]
    assert every[1].id in ids(LedgerFilter(text=word))
    assert ids(LedgerFilter(text=f"{word} 不会出现的词")) == set()
    assert ids(LedgerFilter(text=every[0].leader)) >= {
        r.id for r in every if r.leader == every[0].leader
    }


def test_groups_by_leader_and_department_add_up(db: Database, cid: str) -> None:
    total = ledger.count_rows(db, cid, today=TODAY)
    overdue = ledger.count_rows(db, cid, LedgerFilter(overdue_only=True), today=TODAY)
    for by in ("leader", "department"):
        groups = ledger.group_counts(db, cid, by, today=TODAY)
        assert sum(g.total for g in groups) == total
        assert sum(g.overdue for g in groups) == overdue
        for g in groups:
            key = LedgerFilter(leader=g.key) if by == "leader" else LedgerFilter(department=g.key)
            if by == "leader" or g.key:
                assert ledger.count_rows(db, cid, key, today=TODAY) >= g.total


def test_reminders_count_the_rows_in_each_band(db: Database, cid: str) -> None:
    found = ledger.reminders(db, cid, today=TODAY)
    every = ledger.page_rows(db, cid, today=TODAY, limit=1000)
    assert found.overdue == sum(1 for r in every if r.urgency == "overdue") > 0
    assert found.due_3 == sum(1 for r in every if r.urgency == "due_3")
    assert found.due_7 == sum(1 for r in every if r.urgency == "due_7")
    assert found.due_3 + found.due_7 > 0 and "已逾期" in found.summary
    assert found.stale == sum(1 for r in every if r.stale)
    # Two months on, with no note since, open rows are stale (created before then).
    later_day = dt.date.today() + dt.timedelta(days=60)
    later = ledger.reminders(db, cid, today=later_day)
    assert (
        later.stale
        == sum(1 for r in ledger.page_rows(db, cid, today=later_day, limit=1000) if r.stale)
        > 0
    )


# ------------------------------------------------------------------- writing


def test_a_typed_row_gets_the_next_serial_and_edits_undo(db: Database, cid: str) -> None:
    before = ledger.count_rows(db, cid, today=TODAY)
    new = ledger.add_row(
        db,
        cid,
        RowInput(
            problem_text="会议室预约制度执行不严",
            measure="修订会议室管理办法",
            leader_name="原分管领导",
            deadline_kind=DeadlineKind.BY_DATE,
            deadline=dt.date(2025, 12, 31),
        ),
    )
    view = ledger.row_view(db, new, today=TODAY)
    assert view.serial == before + 1 and view.leader == "原分管领导" and view.leader_id is None
    assert view.state == RectificationState.PENDING.value
    old = ledger.update_row(db, new, {"measure": "重新修订会议室管理办法", "remarks": "办公室牵头"})
    assert old == {"measure": "修订会议室管理办法", "remarks": ""}
    ledger.update_row(db, new, old)  # undo
    assert ledger.row_view(db, new, today=TODAY).measure == "修订会议室管理办法"
    ledger.update_row(db, new, {"deadline_kind": DeadlineKind.ONGOING})
    assert ledger.row_view(db, new, today=TODAY).deadline is None  # no date for 长期坚持
    with pytest.raises(DomainError):
        ledger.update_row(db, new, {"state": "signed_off"})  # not by editing
    with pytest.raises(DomainError):
        ledger.update_row(db, new, {"measure": "  "})
    with pytest.raises(DomainError):
        ledger.add_row(db, cid, RowInput(problem_text="", measure="x"))
    names = ledger.choices(db, cid)
    assert ("name:原分管领导", "原分管领导") in names.leaders


def test_rows_from_problems_copy_them_once(db: Database, cid: str) -> None:
    with db.read() as s:
        fresh = s.scalars(
            select(Problem).where(
                Problem.status == ProblemStatus.RAISED, Problem.deleted_at.is_(None)
            )
        ).all()
        picked = [str(p.id) for p in fresh[:3]]
        texts = {str(p.id): p.text for p in fresh[:3]}
    assert ledger.rows_from_problems(db, cid, picked) == 3
    assert ledger.rows_from_problems(db, cid, picked) == 0  # already in the ledger
    rows = ledger.page_rows(db, cid, today=TODAY, sort="serial", descending=True, limit=3)
    assert {r.problem_id: r.problem for r in rows} == texts
    assert all(r.source and r.state == "pending" for r in rows)
    with db.read() as s:
        statuses = {s.get(Problem, uuid.UUID(p)) for p in picked}
        assert {p.status for p in statuses if p is not None} == {ProblemStatus.IN_LEDGER}
    ledger.delete_row(db, rows[0].id)
    with db.read() as s:
        assert rows[0].problem_id is not None
        back = s.get(Problem, uuid.UUID(rows[0].problem_id))
        assert back is not None and back.status is ProblemStatus.RAISED


def test_the_state_machine_and_who_may_sign_off(db: Database, cid: str) -> None:
    row = first_in(db, cid, RectificationState.PENDING).id
    leader, staff = member_id(db, "孙珺"), member_id(db, "陈喆")
    with pytest.raises(IllegalTransition):
        ledger.sign_off(db, row, leader, "同意")  # not reported complete
    ledger.start(db, row)
    with pytest.raises(IllegalTransition):
        ledger.start(db, row)
    ledger.report_complete(db, row)
    before = audit_length(db)
    with pytest.raises(DomainError, match="不是领导班子成员"):
        ledger.sign_off(db, row, staff, "同意销号")
    assert audit_length(db) == before  # nothing written
    with pytest.raises(DomainError):
        ledger.sign_off(db, row, leader, " ")
    with pytest.raises(DomainError):
        ledger.return_for_rework(db, row, "")
    ledger.return_for_rework(db, row, "佐证材料不全")
    detail = ledger.row_detail(db, row, today=TODAY)
    assert detail.row.state == "in_progress" and detail.returned_reason == "佐证材料不全"
    ledger.report_complete(db, row)
    ledger.sign_off(db, row, leader, "经核查已整改到位，同意销号。")
    detail = ledger.row_detail(db, row, today=TODAY)
    assert detail.row.state == "signed_off" and "孙珺" in detail.row.sign_off
    assert detail.sign_off_note.startswith("经核查") and detail.events == ("reopen",)
    with pytest.raises(DomainError, match="已销号"):
        ledger.update_row(db, row, {"measure": "改一改"})
    ledger.update_row(db, row, {"remarks": "年底复查"})  # 备注 stays open
    with pytest.raises(DomainError):
        ledger.delete_row(db, row)
    ledger.reopen(db, row, "复查发现反弹")
    assert ledger.row_view(db, row, today=TODAY).state == "in_progress"


def test_progress_notes_are_appended_and_start_the_work(db: Database, cid: str) -> None:
    row = first_in(db, cid, RectificationState.PENDING).id
    author = member_id(db, "陈喆")
    ledger.add_progress_note(db, row, "已召开专题会议研究。", dt.date(2025, 11, 18), author)
    ledger.add_progress_note(db, row, "已起草制度初稿。", dt.date(2025, 11, 19))
    detail = ledger.row_detail(db, row, today=TODAY)
    assert detail.row.state == "in_progress"
    assert [n.text for n in detail.notes][-2:] == ["已召开专题会议研究。", "已起草制度初稿。"]
    assert detail.row.progress.startswith("2025-11-19") and detail.row.notes >= 2
    with pytest.raises(DomainError):
        ledger.add_progress_note(db, row, "  ", TODAY)
    signed = first_in(db, cid, RectificationState.SIGNED_OFF).id
    with pytest.raises(DomainError, match="已销号"):
        ledger.add_progress_note(db, signed, "补一条", TODAY)
    with db.read() as s:
        kept = s.scalars(
            select(ProgressNote.text).where(ProgressNote.noted_on >= TODAY - dt.timedelta(2))
        )
        assert {"已召开专题会议研究。", "已起草制度初稿。"} <= set(kept)


def test_evidence_is_copied_hashed_and_checked_when_opened(
    db: Database, cid: str, tmp_path: Path
) -> None:
    store = tmp_path / "office" / "evidence"
    row = first_in(db, cid, RectificationState.IN_PROGRESS).id
    scan = tmp_path / "会议纪要扫描件.pdf"
    scan.write_bytes(b"%PDF-1.4 fictional minutes")
    first = ledger.attach_evidence(db, store, row, scan, "专题会议纪要")
    second = ledger.attach_evidence(db, store, row, scan)
    assert len(list(store.rglob("*.pdf"))) == 1  # the same file is kept once
    detail = ledger.row_detail(db, row, today=TODAY)
    assert [e.file_name for e in detail.evidence][-2:] == [scan.name, scan.name]
    assert detail.row.evidence >= 2
    opened = ledger.evidence_file(db, store, first)
    assert opened.read_bytes() == scan.read_bytes() and opened.suffix == ".pdf"
    opened.write_bytes(b"changed")
    with pytest.raises(InputRefused, match="不一致"):
        ledger.evidence_file(db, store, second)
    before = audit_length(db)
    empty = tmp_path / "空.jpg"
    empty.write_bytes(b"")
    for bad in (empty, tmp_path / "没有这个文件.pdf", tmp_path):
        with pytest.raises(InputRefused) as caught:
            ledger.attach_evidence(db, store, row, bad)
        assert str(bad) in str(caught.value)
    assert audit_length(db) == before


def test_institutional_outcome(db: Database, cid: str) -> None:
    row = first_in(db, cid, RectificationState.IN_PROGRESS).id
    ledger.set_institutional_outcome(db, row, "《项目推进周调度制度》", dt.date(2025, 11, 10))
    detail = ledger.row_detail(db, row, today=TODAY)
    assert detail.institutional_outcome == "《项目推进周调度制度》"
    assert detail.institutional_outcome_on == dt.date(2025, 11, 10)


# ----------------------------------------------------- 交办单 and escalation


def test_assignments_are_numbered_received_and_printed(db: Database, cid: str) -> None:
    open_rows = ledger.page_rows(db, cid, LedgerFilter(overdue_only=True), today=TODAY)
    slip = ledger.issue_assignment(
        db,
        cid,
        [r.id for r in open_rows[:2]],
        to_department="农田建设管理股",
        due=dt.date(2025, 11, 30),
        issued_on=TODAY,
        issued_by_id=member_id(db, "杨慧琳"),
        note="请于月底前报送进展。",
    )
    assert slip.number.startswith("整改交办〔2025〕") and len(slip.rows) == len(open_rows[:2])
    numbers = [a.number for a in ledger.list_assignments(db, cid, today=TODAY)]
    assert len(set(numbers)) == len(numbers)
    ledger.record_receipt(db, slip.id, dt.date(2025, 11, 21))
    got = next(a for a in ledger.list_assignments(db, cid, today=TODAY) if a.id == slip.id)
    assert got.received_on == dt.date(2025, 11, 21)
    with pytest.raises(DomainError):
        ledger.record_receipt(db, slip.id, dt.date(2025, 11, 1))
    text = ledger.assignment_text(got, "岚川县农业农村局")
    assert slip.number in text and open_rows[0].problem in text and "签收人" in text
    assert slip.number in ledger.row_detail(db, open_rows[0].id, today=TODAY).assignments
    signed = first_in(db, cid, RectificationState.SIGNED_OFF).id
    for kwargs in (
        {"row_ids": [signed], "to_department": "办公室"},
        {"row_ids": [open_rows[0].id]},
        {"row_ids": [], "to_department": "办公室"},
    ):
        with pytest.raises(DomainError):
            ledger.issue_assignment(db, cid, due=TODAY, issued_on=TODAY, **kwargs)  # type: ignore[arg-type]


def test_escalation_is_suggested_step_by_step(db: Database, cid: str) -> None:
    suggestions = {s.member_id: s for s in ledger.suggest_escalations(db, cid, today=TODAY)}
    assert suggestions
    # The demo reminded one member three days ago: watched, the next step later.
    watched = [s for s in suggestions.values() if s.waiting_until is not None]
    assert len(watched) == 1 and watched[0].level == EscalationLevel.INQUIRY.value
    assert watched[0].advice.startswith("观察至") and "函询" in watched[0].advice
    for s in suggestions.values():
        if s.waiting_until is None:
            assert s.level == EscalationLevel.REMIND.value and s.overdue_rows
    with db.read() as session:
        secretary = session.scalar(select(Member.id).where(Member.is_party_secretary.is_(True)))
    assert str(secretary) not in suggestions  # the unit's principal is not the office's to remind
    later = TODAY + dt.timedelta(days=10)
    advanced = {s.member_id: s for s in ledger.suggest_escalations(db, cid, today=later)}
    reminded = [s for s in advanced.values() if s.last_step]
    assert reminded and all(s.level == EscalationLevel.INQUIRY.value for s in reminded)
    assert all(s.waiting_until is None for s in advanced.values())
    who = reminded[0].member_id
    ledger.escalate(
        db, cid, who, EscalationLevel.DISCIPLINE, on=later, by_id=None, reason="屡催不改"
    )
    final = {
        s.member_id for s in ledger.suggest_escalations(db, cid, today=later + dt.timedelta(30))
    }
    assert who not in final  # 严肃处理 is the last step
    steps = ledger.list_escalations(db, cid)
    assert steps[0].level_label == "严肃处理" and steps[0].reason == "屡催不改"
    with pytest.raises(DomainError):
        ledger.escalate(db, cid, who, EscalationLevel.REMIND, on=later, by_id=None, reason="")


def test_search_finds_what_the_text_contains_and_follows_edits(
    db: Database, cid: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The full-text index answers exactly what a substring match would."""
    from mingjing.storage import search

    with db.read() as s:
        assert search.enabled(s.connection())  # SQLite with FTS5: the index is used
    every = ledger.page_rows(db, cid, today=TODAY, limit=1000)

    def found(text: str) -> set[str]:
        return {
            r.id
            for r in ledger.page_rows(db, cid, LedgerFilter(text=text), today=TODAY, limit=1000)
        }

    def contains(row: ledger.LedgerRow, word: str) -> bool:
        fields = (
            *(row.problem, row.measure, row.target, row.area, row.source, row.department),
            *(row.cooperating, row.remarks, row.leader, row.owner, row.institutional),
        )
        return any(word.lower() in f.lower() for f in fields)

    for word in ("会", "制度", every[5].measure[3:8], every[2].owner, "工作 机制"):
        expected = {r.id for r in every if all(contains(r, w) for w in word.split())}
        assert found(word) == expected, word
    row = every[0].id
    ledger.update_row(db, row, {"remarks": "请于周五前报送台账"})
    assert row in found("周五前") and row in found("周五 台账")
    ledger.update_row(db, row, {"remarks": ""})
    assert row not in found("周五前")
    # Both ways of using the index give the same rows (many matches: read in order).
    for word in ("会", "工作"):
        probed = found(word)
        monkeypatch.setattr(ledger, "MANY_MATCHES", 0)
        assert found(word) == probed and probed
        monkeypatch.setattr(ledger, "MANY_MATCHES", 2000)
    # A renamed leader is found by the new name.
    leader = next(r for r in every if r.leader_id)
    from mingjing.services import roster

    roster.update_member(db, leader.leader_id, name="易名测试")  # type: ignore[arg-type]
    assert leader.id in found("易名测试")
    added = ledger.add_row(db, cid, RowInput(problem_text="独一无二的表述", measure="措施"))
    assert found("一无二") == {added}
    ledger.delete_row(db, added)
    assert found("一无二") == set()


def test_the_ledger_on_both_dialects(any_db: Database, tmp_path: Path) -> None:
    """Paging, filters, sorting, search (an index on SQLite, LIKE on PostgreSQL),
    states and the Excel round trip on SQLite and on PostgreSQL alike."""
    from mingjing.services import ledger_sheets

    create_demo(any_db, today=TODAY)
    cid = current_campaign_id(any_db)
    assert cid is not None
    every = ledger.page_rows(any_db, cid, today=TODAY, limit=1000)
    assert len(every) == ledger.count_rows(any_db, cid, today=TODAY) >= 10
    word = every[2].problem[1:4]
    hits = ledger.page_rows(any_db, cid, LedgerFilter(text=word), today=TODAY, limit=1000)
    assert hits and all(word in r.problem or word in r.measure or word in r.target for r in hits)
    assert ledger.count_rows(any_db, cid, LedgerFilter(text=word), today=TODAY) == len(hits)
    overdue = ledger.count_rows(any_db, cid, LedgerFilter(overdue_only=True), today=TODAY)
    assert overdue == sum(1 for r in every if r.overdue)
    for key in ledger.SORT_KEYS:
        assert len(ledger.page_rows(any_db, cid, today=TODAY, sort=key, descending=True)) == min(
            200, len(every)
        )
    dated = ledger.page_rows(any_db, cid, today=TODAY, sort="deadline", limit=1000)
    assert dated[0].deadline_kind == "immediate" and dated[-1].deadline_kind == "ongoing"
    assert {g.total for g in ledger.group_counts(any_db, cid, "leader", today=TODAY)}
    row = next(r for r in every if r.state == "pending").id
    ledger.start(any_db, row)
    ledger.add_progress_note(any_db, row, "已部署。", TODAY)
    out = ledger_sheets.export_ledger(any_db, cid, tmp_path / "台账.xlsx", today=TODAY)
    again = ledger_sheets.import_ledger(any_db, out, today=TODAY)
    assert again.added == 0 and again.skipped == len(every)  # all already there


def test_evidence_is_sealed_while_the_data_has_a_password(
    db: Database, cid: str, tmp_path: Path
) -> None:
    """A stolen laptop shows no scan: kept sealed, opened as a plain copy of this run
    under the name it was attached with, and the copies gone once locked."""
    from mingjing.config import resolve_location
    from mingjing.services import protection
    from mingjing.storage import kept, sqlcipher

    data_dir = tmp_path / "office"
    store = data_dir / "evidence"
    row = first_in(db, cid, RectificationState.IN_PROGRESS).id
    scan = tmp_path / "诫勉谈话记录.pdf"
    content = "%PDF-1.4 诫勉谈话记录（虚构）".encode() * 50
    scan.write_bytes(content)
    sqlcipher.remember(bytes(range(32)), data_dir)  # as unlocking does
    try:
        item = ledger.attach_evidence(db, store, row, scan)
        (stored,) = [p for p in store.rglob("*") if p.is_file()]
        assert "诫勉".encode() not in stored.read_bytes() and kept.is_sealed(stored)
        opened = ledger.evidence_file(db, store, item)
        assert opened.name == scan.name and opened.read_bytes() == content
        assert not opened.is_relative_to(data_dir)
        protection.lock(resolve_location(data_dir))
        assert not opened.exists()  # the plain copy went with the lock
    finally:
        sqlcipher.forget(data_dir)
    with pytest.raises(DatabaseLocked):
        ledger.evidence_file(db, store, item)
