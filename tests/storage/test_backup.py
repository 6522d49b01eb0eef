from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select

from mingjing.config import DataLocation
from mingjing.domain.models import AuditEntry, Unit
from mingjing.storage import Database, backup
from mingjing.storage.errors import CorruptDatabase, InputRefused, NewerDatabase


def _units(path: Path) -> list[str]:
    con = sqlite3.connect(path)
    try:
        return sorted(r[0] for r in con.execute("SELECT name FROM unit"))
    finally:
        con.close()


def _add(db: Database, name: str) -> None:
    with db.transaction() as s:
        s.add(Unit(name=name))


def test_backup_is_consistent_while_open(db: Database, location: DataLocation) -> None:
    _add(db, "甲")
    assert db.sqlite_path is not None
    made = backup.backup_sqlite_file(db.sqlite_path, location.backups_dir, reason="manual")
    _add(db, "乙")  # written after the backup
    assert _units(made) == ["甲"]
    assert backup.check_backup_file(made) is not None
    assert not made.with_name(made.name + ".partial").exists()


def test_daily_backups_keep_the_last_seven(db: Database, location: DataLocation) -> None:
    _add(db, "甲")
    assert db.sqlite_path is not None
    start = dt.datetime(2025, 11, 1, 9, 0)
    made = []
    for day in range(10):
        now = start + dt.timedelta(days=day)
        made.append(backup.daily_backup(db.sqlite_path, location.backups_dir, now=now))
        # a second start on the same day takes no second backup
        assert backup.daily_backup(db.sqlite_path, location.backups_dir, now=now) is None
    daily = [b for b in backup.list_backups(location.backups_dir) if b.reason == "daily"]
    assert len(daily) == 7
    assert daily[0].taken_at.date() == dt.date(2025, 11, 10)
    assert daily[-1].taken_at.date() == dt.date(2025, 11, 4)
    assert all(m is not None for m in made)


def test_restore_replaces_and_keeps_the_current_database(
    db: Database, location: DataLocation, tmp_path: Path
) -> None:
    _add(db, "旧数据")
    assert db.sqlite_path is not None
    saved = backup.backup_to(db.sqlite_path, tmp_path / "备份.sqlite3")
    _add(db, "新数据")
    db.close()
    previous = backup.restore(location, saved, actor="恢复者")
    assert previous is not None and _units(previous) == ["新数据", "旧数据"]
    assert location.sqlite_path is not None
    assert _units(location.sqlite_path) == ["旧数据"]
    with Database.open(location, actor="甲") as again, again.read() as s:
        assert [u.name for u in s.scalars(select(Unit))] == ["旧数据"]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("kind", ["corrupt", "newer", "missing", "not-ours"])
def test_bad_backup_is_refused_and_nothing_changes(
    db: Database, location: DataLocation, tmp_path: Path, kind: str
) -> None:
    _add(db, "现有数据")
    db.close()
    assert location.sqlite_path is not None
    before = _digest(location.sqlite_path)
    bad = tmp_path / f"{kind}.sqlite3"
    if kind == "corrupt":
        bad.write_bytes(b"SQLite format 3\x00" + b"\xff" * 5000)
    elif kind == "newer":
        backup.backup_to(location.sqlite_path, bad)
        con = sqlite3.connect(bad)
        con.execute("UPDATE alembic_version SET version_num='9999_future'")
        con.commit()
        con.close()
    elif kind == "not-ours":
        con = sqlite3.connect(bad)
        con.execute("CREATE TABLE t (x)")
        con.commit()
        con.close()
    expected = {
        "corrupt": CorruptDatabase,
        "newer": NewerDatabase,
        "missing": InputRefused,
        "not-ours": InputRefused,
    }[kind]
    with pytest.raises(expected) as info:
        backup.restore(location, bad, actor="甲")
    assert bad.name in str(info.value)
    assert _digest(location.sqlite_path) == before
    assert not any(location.backups_dir.glob("*before-restore*"))


def test_restore_needs_the_database_free(
    db: Database, location: DataLocation, tmp_path: Path
) -> None:
    from mingjing.storage.errors import DatabaseInUse

    _add(db, "甲")
    assert db.sqlite_path is not None
    saved = backup.backup_to(db.sqlite_path, tmp_path / "b.sqlite3")
    db.acquire_exclusive()
    with pytest.raises(DatabaseInUse):
        backup.restore(location, saved, actor="乙")


def _damage(path: Path) -> None:
    """Overwrite the middle of the file, past the header: SQLite's own checks see it."""
    data = bytearray(path.read_bytes())
    for i in range(len(data) // 2, len(data) // 2 + 8192):
        data[i] = 0xA5
    path.write_bytes(bytes(data))


def test_restore_over_a_damaged_database(
    db: Database, location: DataLocation, tmp_path: Path
) -> None:
    for i in range(300):
        _add(db, f"单位{i}" * 20)
    assert db.sqlite_path is not None
    good = backup.backup_to(db.sqlite_path, tmp_path / "good.sqlite3")
    db.close()
    assert location.sqlite_path is not None
    _damage(location.sqlite_path)
    damaged_bytes = location.sqlite_path.read_bytes()
    previous = backup.restore(location, good, actor="恢复者")
    assert previous is not None and previous.read_bytes() == damaged_bytes
    assert len(_units(location.sqlite_path)) == 300
    with Database.open(location, actor="甲") as again, again.read() as s:
        from mingjing.storage.audit import verify_chain

        _, problem = verify_chain(s)
        assert problem is None
        last = s.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
        assert last is not None and last.action == "restore"
        assert last.changes["source"] == str(good)


def test_a_damaged_database_does_not_rotate_good_backups_away(
    db: Database, location: DataLocation
) -> None:
    from mingjing.storage.errors import DamagedDatabase

    for i in range(300):
        _add(db, f"单位{i}" * 20)
    assert db.sqlite_path is not None
    start = dt.datetime(2025, 11, 1, 9, 0)
    for day in range(7):
        backup.daily_backup(
            db.sqlite_path, location.backups_dir, now=start + dt.timedelta(days=day)
        )
    db.close()
    _damage(db.sqlite_path)
    with pytest.raises(DamagedDatabase, match="以前的备份都已保留"):
        backup.daily_backup(db.sqlite_path, location.backups_dir, now=start + dt.timedelta(days=8))
    daily = [b for b in backup.list_backups(location.backups_dir) if b.reason == "daily"]
    assert len(daily) == 7
    assert all(backup.check_backup_file(b.path) for b in daily)
