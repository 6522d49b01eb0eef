from __future__ import annotations

import itertools
import sqlite3
import threading
import uuid

import pytest
from sqlalchemy import select, update

from mingjing.domain.enums import SelfCheckState
from mingjing.domain.models import AuditEntry, Member, SelfCheck, Unit
from mingjing.storage import Database
from mingjing.storage.audit import GENESIS, history, verify_chain


def _entries(db: Database) -> list[AuditEntry]:
    with db.read() as s:
        return list(s.scalars(select(AuditEntry).order_by(AuditEntry.seq)))


def test_every_change_is_recorded_with_actor_and_chained(any_db: Database) -> None:
    with any_db.transaction() as s:
        unit = Unit(name="单位")
        s.add(unit)
        s.flush()
        member = Member(unit_id=unit.id, name="孙珺", position="科员")
        s.add(member)
    with any_db.transaction() as s:
        m = s.get(Member, member.id)
        assert m is not None
        m.position = "副主任科员"
    with any_db.transaction() as s:
        m = s.get(Member, member.id)
        assert m is not None
        m.soft_delete()
    entries = _entries(any_db)
    assert [(e.action, e.entity) for e in entries] == [
        ("create", "unit"),
        ("create", "member"),
        ("update", "member"),
        ("update", "member"),
    ]
    assert entries[0].prev_hash == GENESIS
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(entries))
    assert entries[2].changes == {"position": ["科员", "副主任科员"]}
    assert "deleted_at" in entries[3].changes
    assert {e.actor for e in entries} == {"测试员"}
    with any_db.read() as s:
        assert verify_chain(s) == (4, None)
        assert [e.seq for e in history(s, "member", member.id)] == [2, 3, 4]


def test_a_rolled_back_change_leaves_no_record(any_db: Database) -> None:
    try:
        with any_db.transaction() as s:
            s.add(Unit(name="不会保存"))
            s.flush()
            raise KeyError("stop")
    except KeyError:
        pass
    assert _entries(any_db) == []


def _tamper(db: Database, sql: str) -> None:
    path = db.sqlite_path
    assert path is not None
    con = sqlite3.connect(path)
    con.execute(sql)
    con.commit()
    con.close()


def _three_changes(db: Database) -> None:
    for name in ("一", "二", "三"):
        with db.transaction() as s:
            s.add(Unit(name=name))


def test_editing_an_entry_behind_the_programs_back_is_reported(db: Database) -> None:
    _three_changes(db)
    _tamper(db, "UPDATE audit_entry SET actor = '别人' WHERE seq = 2")
    with db.read() as s:
        _count, problem = verify_chain(s)
    assert problem is not None and problem.seq == 2
    assert "第 2 条" in str(problem)


def test_deleting_an_entry_is_reported(db: Database) -> None:
    _three_changes(db)
    _tamper(db, "DELETE FROM audit_entry WHERE seq = 2")
    with db.read() as s:
        _, problem = verify_chain(s)
    assert problem is not None and problem.seq == 2


def test_replacing_an_entry_and_its_hash_breaks_the_next_link(db: Database) -> None:
    _three_changes(db)
    flip_first = "CASE substr(hash, 1, 1) WHEN '0' THEN '1' ELSE '0' END || substr(hash, 2)"
    _tamper(db, f"UPDATE audit_entry SET hash = {flip_first} WHERE seq = 2")
    with db.read() as s:
        _, problem = verify_chain(s)
    assert problem is not None and problem.seq == 2


def test_concurrent_writers_never_fork_the_chain(any_db_url: str) -> None:
    writers = [Database.open(any_db_url, actor=f"写入者{i}") for i in range(3)]
    errors: list[BaseException] = []

    def work(db: Database, n: int) -> None:
        for k in range(15):
            try:
                with db.transaction() as s:
                    s.add(Unit(name=f"{n}-{k}"))
            except BaseException as exc:  # collected and checked below
                errors.append(exc)

    threads = [threading.Thread(target=work, args=(db, i)) for i, db in enumerate(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for db in writers:
        db.close()
    assert errors == []
    with Database.open(any_db_url, actor="检查") as db, db.read() as s:
        count, problem = verify_chain(s)
        units = len(s.scalars(select(Unit)).all())
    assert problem is None
    assert count == units == 45


def _demo_self_check(db: Database) -> uuid.UUID:
    from mingjing.services.demo import create_demo

    create_demo(db)
    with db.read() as s:
        check = s.scalars(
            select(SelfCheck).where(SelfCheck.state == SelfCheckState.ACCEPTED)
        ).first()
        assert check is not None
        return check.id


def test_an_answer_removed_from_its_checklist_is_recorded_with_its_text(any_db: Database) -> None:
    check_id = _demo_self_check(any_db)
    with any_db.transaction() as s:
        check = s.get(SelfCheck, check_id)
        assert check is not None
        answer = next(a for a in check.answers if a.example)
        answer_id, example = answer.id, answer.example
        check.answers.remove(answer)  # delete-orphan: no explicit session.delete()
    with any_db.read() as s:
        entries = history(s, "answer", answer_id)
        assert [e.action for e in entries] == ["create", "delete"]
        assert entries[-1].changes["example"] == example
        assert verify_chain(s)[1] is None


def test_bulk_statements_that_would_skip_the_audit_are_refused(any_db: Database) -> None:
    with any_db.transaction() as s:
        s.add(Unit(name="单位"))
    with pytest.raises(RuntimeError, match="bypass the audit trail"), any_db.transaction() as s:
        s.execute(update(Unit).values(name="改名"))
    with any_db.read() as s:
        assert s.scalars(select(Unit.name)).all() == ["单位"]


def test_every_database_opened_in_a_process_is_audited(tmp_path: object) -> None:
    """Regression: a new session factory reusing a collected one's id() was taken
    by SQLAlchemy's registry as already listening, and went unaudited."""
    import gc
    from pathlib import Path

    assert isinstance(tmp_path, Path)
    for i in range(40):
        with Database.open(f"sqlite:///{tmp_path / f'db{i}.sqlite3'}", actor="甲") as db:
            with db.transaction() as s:
                s.add(Unit(name=f"单位{i}"))
            with db.read() as s:
                assert verify_chain(s) == (1, None), f"database {i} was not audited"
        gc.collect()
