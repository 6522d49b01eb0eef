from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select, text

from mingjing.config import DataLocation
from mingjing.domain.models import Member, Unit
from mingjing.storage import Database
from mingjing.storage.errors import (
    CorruptDatabase,
    DamagedDatabase,
    DatabaseInUse,
    DiskFull,
    DiskIOError,
    ForeignDatabase,
    NewerDatabase,
    ReadOnlyLocation,
)
from mingjing.storage.precheck import translate_error


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_new_database_is_created_migrated_with_wal_and_foreign_keys(
    location: DataLocation,
) -> None:
    with Database.open(location, actor="甲") as db:
        assert db.current_revision() is not None
        with db.read() as s:
            assert s.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert s.execute(text("PRAGMA foreign_keys")).scalar() == 1
    assert location.sqlite_path is not None and location.sqlite_path.exists()


def test_transaction_commits_all_or_nothing(db: Database) -> None:
    with pytest.raises(RuntimeError), db.transaction() as s:
        s.add(Unit(name="甲单位"))
        s.flush()
        raise RuntimeError("boom")
    with db.read() as s:
        assert s.scalars(select(Unit)).all() == []
    with db.transaction() as s:
        s.add(Unit(name="乙单位"))
    with db.read() as s:
        assert [u.name for u in s.scalars(select(Unit))] == ["乙单位"]


def test_revision_counter_and_timestamps(db: Database) -> None:
    with db.transaction() as s:
        unit = Unit(name="单位")
        s.add(unit)
    assert unit.revision == 1
    assert unit.created_at.tzinfo is not None
    with db.transaction() as s:
        u = s.get(Unit, unit.id)
        assert u is not None
        u.name = "新名称"
    with db.read() as s:
        u = s.get(Unit, unit.id)
        assert u is not None and u.revision == 2 and u.updated_at >= u.created_at
        assert u.created_at.tzinfo is not None


def _make_newer(path: Path) -> None:
    """As a newer Mingjing would leave it: still in WAL mode, no side files."""
    con = sqlite3.connect(path)
    con.execute("UPDATE alembic_version SET version_num = 'ffff_from_the_future'")
    con.commit()
    con.close()
    assert con is not None
    assert not Path(str(path) + "-wal").exists()


def test_newer_database_is_refused_and_left_byte_for_byte(location: DataLocation) -> None:
    Database.open(location, actor="甲").close()
    path = location.sqlite_path
    assert path is not None
    _make_newer(path)
    before = digest(path)
    with pytest.raises(NewerDatabase) as info:
        Database.open(location, actor="甲")
    assert str(path) in str(info.value)
    assert "更新版本" in str(info.value)
    assert digest(path) == before
    assert not Path(str(path) + "-wal").exists()
    assert not Path(str(path) + "-shm").exists()
    assert not location.backups_dir.exists() or not any(location.backups_dir.iterdir())


def test_foreign_and_corrupt_files_are_refused(tmp_path: Path) -> None:
    foreign = tmp_path / "other.sqlite3"
    con = sqlite3.connect(foreign)
    con.execute("CREATE TABLE notes (x)")
    con.commit()
    con.close()
    before = digest(foreign)
    with pytest.raises(ForeignDatabase, match="不是明镜的数据库"):
        Database.open(f"sqlite:///{foreign}", actor="甲")
    assert digest(foreign) == before

    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"PK\x03\x04 this is a zip, not a database" * 10)
    with pytest.raises(CorruptDatabase, match=r"junk\.sqlite3"):
        Database.open(f"sqlite:///{junk}", actor="甲")


def test_truncated_database_is_refused(location: DataLocation, tmp_path: Path) -> None:
    with Database.open(location, actor="甲") as db, db.transaction() as s:
        s.add_all([Unit(name=f"单位{i}" * 50) for i in range(200)])
    path = location.sqlite_path
    assert path is not None
    broken = tmp_path / "broken.sqlite3"
    data = path.read_bytes()
    broken.write_bytes(data[: len(data) // 3])
    with (
        pytest.raises(CorruptDatabase),
        Database.open(f"sqlite:///{broken}", actor="甲") as db2,
        db2.read() as s,
    ):
        s.execute(text("SELECT count(*) FROM unit")).scalar()


def test_second_window_is_told_clearly(location: DataLocation, tmp_path: Path) -> None:
    first = Database.open(location, actor="甲")
    first.acquire_exclusive()
    try:
        script = textwrap.dedent(
            f"""
            from mingjing.storage import Database
            from mingjing.storage.errors import DatabaseInUse
            db = Database.open({location.database_url!r}, actor="乙")
            try:
                db.acquire_exclusive()
            except DatabaseInUse as exc:
                print("IN-USE", exc)
            """
        )
        out = subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            timeout=60,
            env=_env_with_package(),
            check=True,
        ).stdout
        assert out.startswith("IN-USE")
        assert "另一个明镜窗口" in out
    finally:
        first.close()
    again = Database.open(location, actor="乙")
    again.acquire_exclusive()  # released when the first closed
    again.close()


def _env_with_package() -> dict[str, str]:
    import os

    env = dict(os.environ)
    desktop = str(Path(__file__).resolve().parents[2] / "desktop")
    env["PYTHONPATH"] = desktop + os.pathsep + env.get("PYTHONPATH", "")
    return env


def test_full_disk_is_an_environment_fault_and_keeps_saved_data(db: Database) -> None:
    with db.transaction() as s:
        s.add(Unit(name="已保存的单位"))
    with db.read() as s:
        pages = s.execute(text("PRAGMA page_count")).scalar()

    # SQLite's own "disk full": the file may not grow past its current size.
    def cap(dbapi_connection: Any, record: Any) -> None:
        dbapi_connection.execute(f"PRAGMA max_page_count={pages}")

    db.engine.dispose()
    event.listen(db.engine, "connect", cap)
    with pytest.raises(DiskFull, match="磁盘空间已满"), db.transaction() as s:
        unit = s.scalars(select(Unit)).one()
        s.add_all(
            [Member(unit_id=unit.id, name="某" * 40, position="岗位" * 40) for _ in range(500)]
        )
    event.remove(db.engine, "connect", cap)
    db.engine.dispose()
    with db.read() as s:
        assert [u.name for u in s.scalars(select(Unit))] == ["已保存的单位"]
        assert s.scalars(select(Member)).all() == []


@pytest.mark.parametrize(
    ("exc", "kind"),
    [
        (OSError(28, "No space left on device"), DiskFull),
        (OSError(122, "Disk quota exceeded"), DiskFull),
        (OSError(30, "Read-only file system"), ReadOnlyLocation),
        (OSError(13, "Permission denied"), ReadOnlyLocation),
        (OSError(5, "Input/output error"), DiskIOError),
    ],
)
def test_os_errors_are_translated(exc: BaseException, kind: type[Exception]) -> None:
    fault = translate_error(exc, "某处")
    assert isinstance(fault, kind)
    assert "某处" in str(fault)


def _driver_error(tmp_path: Path, kind: str) -> sqlite3.Error:
    """A real error from SQLite, with its result code."""
    path = tmp_path / f"{kind}.sqlite3"
    if kind == "readonly":
        con = sqlite3.connect(path)
        con.execute("CREATE TABLE t (x)")
        con.commit()
        con.close()
        con = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
        sql = "INSERT INTO t VALUES (1)"
    elif kind == "notadb":
        path.write_bytes(b"this is no database" * 100)
        con = sqlite3.connect(path)
        sql = "SELECT * FROM sqlite_master"
    else:  # a constraint failure quoting user text that mentions "read-only" and "malformed"
        con = sqlite3.connect(path)
        con.execute("CREATE TABLE t (x UNIQUE)")
        con.execute("INSERT INTO t VALUES ('read-only malformed')")
        sql = "INSERT INTO t VALUES ('read-only malformed')"
    try:
        con.execute(sql)
    except sqlite3.Error as exc:
        return exc
    finally:
        con.close()
    raise AssertionError("no error")


@pytest.mark.parametrize(
    ("kind", "fault"), [("readonly", ReadOnlyLocation), ("notadb", DamagedDatabase)]
)
def test_sqlite_errors_are_translated_by_code(
    tmp_path: Path, kind: str, fault: type[Exception]
) -> None:
    assert isinstance(translate_error(_driver_error(tmp_path, kind), "某处"), fault)


def test_bugs_are_not_translated(tmp_path: Path) -> None:
    assert translate_error(ValueError("bug"), "x") is None
    # The message quotes user data; only the code counts.
    assert translate_error(_driver_error(tmp_path, "unique"), "x") is None


def test_same_code_on_both_dialects(any_db: Database) -> None:
    with any_db.transaction() as s:
        unit = Unit(name="岚川县农业农村局")
        s.add(unit)
        s.flush()
        s.add(Member(unit_id=unit.id, name="陈喆", position="科员"))
    with any_db.read() as s:
        member = s.scalars(select(Member)).one()
        assert member.name == "陈喆"
        assert member.created_at.tzinfo is not None
        assert member.unit_id == unit.id


def test_server_database_with_foreign_tables_is_refused(postgres_url: str) -> None:
    from sqlalchemy import create_engine

    engine = create_engine(postgres_url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE payroll (x int)"))
    engine.dispose()
    with pytest.raises(ForeignDatabase):
        Database.open(postgres_url, actor="甲")


def test_database_in_use_is_an_environment_fault() -> None:
    from mingjing.storage.errors import EnvironmentFault

    assert issubclass(DatabaseInUse, EnvironmentFault)
