from __future__ import annotations

import sqlite3

from mingjing.config import DataLocation
from mingjing.services import maintenance
from mingjing.services.demo import create_demo
from mingjing.storage import Database


def test_check_finds_an_edited_audit_row(db: Database) -> None:
    create_demo(db)
    assert maintenance.check_database(db).ok
    assert db.sqlite_path is not None
    con = sqlite3.connect(db.sqlite_path)
    con.execute("UPDATE audit_entry SET changes = '{}' WHERE seq = 10")
    con.commit()
    con.close()
    report = maintenance.check_database(db)
    assert not report.ok
    assert any("第 10 条" in p for p in report.problems)


def test_check_finds_a_signed_off_row_without_signer(db: Database) -> None:
    create_demo(db)
    assert db.sqlite_path is not None
    con = sqlite3.connect(db.sqlite_path)
    con.execute("UPDATE rectification SET signed_off_by_id = NULL WHERE state = 'signed_off'")
    con.commit()
    con.close()
    report = maintenance.check_database(db)
    assert any("没有记录销号的领导" in p for p in report.problems)


def test_backup_now_and_daily(db: Database, location: DataLocation) -> None:
    create_demo(db)
    made = maintenance.backup_now(location)
    assert made.exists() and made.parent == location.backups_dir
    assert maintenance.daily_backup(location) is not None
    assert maintenance.daily_backup(location) is None
