"""Backups and restore of the SQLite database.

Backups use SQLite's online backup API, so they are consistent even while
the program (or another one) is writing. Every backup is written to a
temporary name first and renamed when complete: a half-written backup never
looks like a good one.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from mingjing.config import DataLocation
from mingjing.storage import migrations
from mingjing.storage.database import Database
from mingjing.storage.errors import CorruptDatabase, InputRefused
from mingjing.storage.precheck import (
    environment_faults,
    inspect_sqlite_file,
    refuse_unknown_revision,
)

log = logging.getLogger(__name__)

DAILY_KEEP = 7
_NAME = re.compile(r"^mingjing-(\d{8}-\d{6})-(?P<reason>[a-z0-9-]+)\.sqlite3$")


def _stamp(now: dt.datetime | None = None) -> str:
    return (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")


def _copy_online(source: Path, target: Path) -> None:
    """Copy ``source`` to ``target`` with the online backup API (atomic rename)."""
    partial = target.with_name(target.name + ".partial")
    src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")
        finally:
            dst.close()
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        src.close()
    os.replace(partial, target)


def backup_sqlite_file(
    database: Path, backups_dir: Path, *, reason: str, now: dt.datetime | None = None
) -> Path:
    """Write a timestamped backup of ``database`` into ``backups_dir``."""
    reason = re.sub(r"[^a-z0-9-]+", "-", reason.lower()).strip("-") or "manual"
    with environment_faults(str(backups_dir)):
        backups_dir.mkdir(parents=True, exist_ok=True)
        target = backups_dir / f"mingjing-{_stamp(now)}-{reason}.sqlite3"
        n = 1
        while target.exists():
            n += 1
            target = backups_dir / f"mingjing-{_stamp(now)}-{reason}-{n}.sqlite3"
        _copy_online(database, target)
    return target


def backup_to(database: Path, out: Path) -> Path:
    """``mingjing backup --out F``: a consistent copy at a path the user chose."""
    with environment_faults(str(out)):
        out.parent.mkdir(parents=True, exist_ok=True)
        _copy_online(database, out)
    return out


@dataclass(frozen=True)
class BackupFile:
    path: Path
    taken_at: dt.datetime
    reason: str


def list_backups(backups_dir: Path) -> list[BackupFile]:
    """Backups in the folder, newest first."""
    if not backups_dir.is_dir():
        return []
    found: list[BackupFile] = []
    for path in backups_dir.iterdir():
        m = _NAME.match(path.name)
        if m is None:
            continue
        taken = dt.datetime.strptime(m.group(1), "%Y%m%d-%H%M%S")
        found.append(BackupFile(path, taken, m.group("reason")))
    found.sort(key=lambda b: (b.taken_at, b.path.name), reverse=True)
    return found


def daily_backup(
    database: Path, backups_dir: Path, *, keep: int = DAILY_KEEP, now: dt.datetime | None = None
) -> Path | None:
    """Take today's automatic backup if none exists yet; keep the last ``keep``.

    Returns the new backup, or ``None`` when today's was already there.
    """
    now = now or dt.datetime.now()
    daily = [b for b in list_backups(backups_dir) if b.reason == "daily"]
    made: Path | None = None
    if (not daily or daily[0].taken_at.date() != now.date()) and database.exists():
        made = backup_sqlite_file(database, backups_dir, reason="daily", now=now)
        daily = [b for b in list_backups(backups_dir) if b.reason == "daily"]
    for old in daily[keep:]:
        try:
            old.path.unlink()
        except OSError as exc:
            log.warning("could not remove old backup %s: %s", old.path, exc)
    return made


def check_backup_file(path: Path) -> str | None:
    """Refuse a file that is not a sound Mingjing database; return its revision."""
    if not path.is_file():
        raise InputRefused(f"找不到备份文件 {path}。")
    revision = inspect_sqlite_file(path)
    if revision is None:
        raise CorruptDatabase(f"{path} 是空数据库，不是明镜的备份。")
    refuse_unknown_revision(revision, str(path))
    con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        result = con.execute("PRAGMA integrity_check").fetchall()
    except sqlite3.DatabaseError as exc:
        raise CorruptDatabase(f"{path} 已损坏（{exc}），不能用于恢复。") from exc
    finally:
        con.close()
    if result != [("ok",)]:
        detail = "；".join(str(r[0]) for r in result[:3])
        raise CorruptDatabase(f"{path} 已损坏（完整性检查：{detail}），不能用于恢复。")
    return revision


def restore(location: DataLocation, source: Path, *, actor: str) -> Path | None:
    """Replace the current database with ``source``, migrated forward.

    The source is checked first; then the current database is backed up
    (reason ``before-restore``) and held exclusively; the copy is migrated
    in a temporary file beside the database and renamed over it in one step.
    Returns the backup of the replaced database, if there was one.
    """
    target = location.sqlite_path
    if target is None:
        raise InputRefused("恢复备份只适用于本机的 SQLite 数据库。")
    check_backup_file(source)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(target.name + ".restoring")
    previous: Path | None = None
    holder: Database | None = None
    try:
        with environment_faults(str(target), (OSError,)):
            if target.exists():
                holder = Database.open(location, actor=actor, migrate=False)
                holder.acquire_exclusive()
                previous = backup_sqlite_file(target, location.backups_dir, reason="before-restore")
                holder.engine.dispose()
            _copy_online(source, staging)
            staged = Database.open(f"sqlite:///{staging}", actor=actor, migrate=False)
            try:
                with staged.engine.begin() as conn:
                    migrations.upgrade(conn)
                with staged.engine.connect() as conn:
                    conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                staged.engine.dispose()
            for suffix in ("-wal", "-shm"):
                Path(str(target) + suffix).unlink(missing_ok=True)
                Path(str(staging) + suffix).unlink(missing_ok=True)
            os.replace(staging, target)
    finally:
        staging.unlink(missing_ok=True)
        if holder is not None:
            holder.close()
    log.info("restored %s from %s (previous kept at %s)", target, source, previous)
    return previous


def copy_file(source: Path, target: Path) -> None:
    shutil.copy2(source, target)
