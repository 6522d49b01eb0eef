"""Backups and restore of the SQLite database.

Backups use SQLite's online backup API, so they are consistent even while
the program (or another one) is writing. Every backup is written to a
temporary name first and renamed when complete: a half-written backup never
looks like a good one.

A backup of an encrypted database is encrypted with the same data key (see
:mod:`mingjing.storage.protection`): it reveals nothing without that key. It
restores here while the data keeps that key (a changed password keeps it);
anywhere else — another computer, or after the password was taken off and set
again — with the recovery key of the data it was taken from.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from mingjing.config import DataLocation
from mingjing.storage import audit, sqlcipher
from mingjing.storage.database import Database
from mingjing.storage.errors import CorruptDatabase, DamagedDatabase, InputRefused
from mingjing.storage.precheck import (
    DatabaseLock,
    environment_faults,
    fingerprint,
    inspect_sqlite_file,
    refuse_unknown_revision,
)

log = logging.getLogger(__name__)

DAILY_KEEP = 7
_NAME = re.compile(r"^mingjing-(\d{8}-\d{6})-(?P<reason>[a-z0-9-]+)\.sqlite3$")


def _stamp(now: dt.datetime | None = None) -> str:
    return (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")


def _copy_online(source: Path, target: Path) -> None:
    """Copy ``source`` to ``target`` with the online backup API (atomic rename).

    An encrypted ``source`` (whose key this process holds) gives a copy
    encrypted with the same key.
    """
    key = sqlcipher.key_needed(source)
    copy_database(source, target, source_key=key, target_key=key)


def copy_database(
    source: Path, target: Path, *, source_key: bytes | None, target_key: bytes | None
) -> None:
    """Copy ``source`` to ``target``, consistent and atomic, keyed as asked.

    With the same key on both sides the pages are copied as they are (the
    online backup API); otherwise the contents are re-written under the new
    key, or none (``sqlcipher_export``). ``target`` appears only complete.
    """
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        with environment_faults(str(source)):
            src = _open_source(source, source_key)
        try:
            if source_key == target_key:
                dst = sqlcipher.connect(partial, key=target_key)
                try:
                    src.backup(dst)
                    dst.execute("PRAGMA journal_mode=DELETE")
                finally:
                    dst.close()
            else:
                src.isolation_level = None
                key = f"x'{target_key.hex()}'" if target_key is not None else ""
                src.execute("ATTACH DATABASE ? AS target KEY ?", (str(partial), key))
                try:
                    src.execute("SELECT sqlcipher_export('target')")
                finally:
                    src.execute("DETACH DATABASE target")
        finally:
            src.close()  # before the rename: Windows cannot replace an open file
        _fsync(partial)
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def _open_source(path: Path, key: bytes | None) -> sqlcipher.Connection:
    """Read-only, like :func:`connect_read_only`, with ``key`` rather than the held one."""
    wal = path.with_name(path.name + "-wal")
    flags = "mode=ro" if wal.exists() else "mode=ro&immutable=1"
    return sqlcipher.connect(f"{path.resolve().as_uri()}?{flags}", uri=True, key=key)


def _fsync(path: Path) -> None:
    with path.open("rb") as f:
        os.fsync(f.fileno())


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


def backup_to(database: Path, out: Path, *, overwrite: bool = False) -> Path:
    """``mingjing backup --out F``: a consistent copy at a path the user chose.

    A folder gets a file named with the date and time; an existing file is
    replaced only with ``overwrite`` (the window's save dialog has asked).
    """
    if out.is_dir():
        out = out / f"明镜数据备份-{_stamp()}.sqlite3"
    elif out.exists() and not overwrite:
        raise InputRefused(f"{out} 已经存在。请换一个文件名，或先删除它。")
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

    Each new backup is checked before old ones are removed: a damaged
    database must not rotate the last good copies away. Returns the new
    backup, or ``None`` when today's was already there; raises
    :class:`DamagedDatabase` (keeping every older backup) if the copy fails
    its check.
    """
    now = now or dt.datetime.now()
    daily = [b for b in list_backups(backups_dir) if b.reason == "daily"]
    if daily and daily[0].taken_at.date() == now.date():
        return None
    if not database.exists():
        return None
    made = backup_sqlite_file(database, backups_dir, reason="daily", now=now)
    con = sqlcipher.connect(made, key=sqlcipher.key_for(database))
    try:
        verdict = con.execute("PRAGMA quick_check").fetchone()
    except sqlcipher.DatabaseError:
        verdict = None
    finally:
        con.close()
    if verdict != ("ok",):
        made.rename(made.with_name(made.stem + "-damaged.sqlite3.bad"))
        raise DamagedDatabase(
            f"今天的自动备份检查未通过，数据库 {database} 可能已损坏。以前的备份都已保留，"
            f"请用“mingjing restore”从 {backups_dir} 中最近的备份恢复。"
        )
    daily = [b for b in list_backups(backups_dir) if b.reason == "daily"]
    for old in daily[keep:]:
        try:
            old.path.unlink()
        except OSError as exc:
            log.warning("could not remove old backup %s: %s", old.path, exc)
    return made


def backup_key(path: Path, key: bytes | None) -> bytes | None:
    """The key a backup file opens with: ``None`` if plain, else ``key`` if it fits.

    Backups are encrypted with the data key of the database they were taken
    from; ``key`` is the current database's (``None`` if it has no password).
    """
    try:
        header = sqlcipher.header_of(path)
    except OSError as exc:
        raise InputRefused(f"无法读取备份文件 {path}（{exc.strerror}）。") from exc
    if header == sqlcipher.SQLITE_MAGIC:
        return None
    if key is not None:
        try:
            con = _open_source(path, key)
            try:
                con.execute("SELECT count(*) FROM sqlite_master").fetchone()
                return key
            finally:
                con.close()
        except sqlcipher.DatabaseError:
            pass
    raise CorruptDatabase(
        f"{path} 不是可以读取的明镜备份：文件已损坏，或者是加了密的备份，"
        "不是用本机数据当前的密钥加密的——那要用备份所属数据的恢复密钥才能恢复。"
    )


def check_backup_file(path: Path, key: bytes | None = None) -> str | None:
    """Refuse a file that is not a sound Mingjing database; return its revision.

    ``key``: the current database's data key, for an encrypted backup.
    """
    if path.is_dir():
        raise InputRefused(f"{path} 是一个文件夹，不是备份文件。")
    if not path.is_file():
        raise InputRefused(f"找不到备份文件 {path}。")
    if path.stat().st_size == 0:
        raise CorruptDatabase(f"{path} 是空文件，不是明镜的备份。")
    revision = inspect_sqlite_file(path) if backup_key(path, key) is None else _revision(path, key)
    if revision is None:
        raise CorruptDatabase(f"{path} 是空数据库，不是明镜的备份。")
    refuse_unknown_revision(revision, str(path))
    con = _open_source(path, backup_key(path, key))
    try:
        result = con.execute("PRAGMA integrity_check").fetchall()
    except sqlcipher.DatabaseError as exc:
        raise CorruptDatabase(f"{path} 已损坏，不能用于恢复。") from exc
    finally:
        con.close()
    if result != [("ok",)]:
        detail = "；".join(str(r[0]) for r in result[:3])
        raise CorruptDatabase(f"{path} 已损坏（完整性检查：{detail}），不能用于恢复。")
    return revision


def _revision(path: Path, key: bytes | None) -> str | None:
    con = _open_source(path, key)
    try:
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "alembic_version" not in tables:
            return None
        row = con.execute("SELECT version_num FROM alembic_version").fetchone()
        return str(row[0]) if row else None
    except sqlcipher.DatabaseError as exc:
        raise CorruptDatabase(f"{path} 已损坏，无法读取。") from exc
    finally:
        con.close()


def _keep_raw(database: Path, backups_dir: Path, reason: str) -> Path:
    """Copy the database and its side files byte for byte (works even if damaged)."""
    backups_dir.mkdir(parents=True, exist_ok=True)
    target = backups_dir / f"mingjing-{_stamp()}-{reason}.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        side = Path(str(database) + suffix)
        if side.exists():
            shutil.copy2(side, Path(str(target) + suffix))
    return target


def restore(
    location: DataLocation, source: Path, *, actor: str, source_key: bytes | None = None
) -> Path | None:
    """Replace the current database with ``source``, migrated forward.

    The source is checked first. The current database is never opened (it
    may be the damaged one being replaced): under the one-window lock its
    files are copied byte for byte to ``backups/`` (reason ``before-restore``),
    the source is copied and migrated beside it, the restore is written to the
    restored database's audit trail, and the result is renamed over the
    current file in one step. Returns the copy of the replaced database.

    Where the current database has a password, the restored one gets the
    same data key (an old plain backup is encrypted on the way in), so the
    password and the recovery key stay valid and nothing lands in the clear.
    """
    target = location.sqlite_path
    if target is None:
        raise InputRefused("恢复备份只适用于本机的 SQLite 数据库。")
    if target.exists() and source.resolve() == target.resolve():
        raise InputRefused(f"{source} 就是当前正在使用的数据库，不能用它恢复自己。")
    target_key = sqlcipher.key_needed(target) if target.exists() else None
    if source_key is None:
        source_key = backup_key(source, target_key) if source.is_file() else None
    else:
        source_key = backup_key(source, source_key)  # the recovery key must open it
    check_backup_file(source, source_key if source_key is not None else target_key)
    staging = target.with_name(target.name + ".restoring")
    previous: Path | None = None
    with environment_faults(str(target)):
        target.parent.mkdir(parents=True, exist_ok=True)
        lock = DatabaseLock(target)
        lock.acquire()
        try:
            replaced_head = fingerprint(target) if target.exists() else None
            if target.exists():
                previous = _keep_raw(target, location.backups_dir, "before-restore")
            copy_database(source, staging, source_key=source_key, target_key=target_key)
            if target_key is not None:
                sqlcipher.remember(target_key, staging)
            staged = Database.open(f"sqlite:///{staging}", actor=actor)
            try:
                with staged.engine.begin() as conn:
                    audit.append_entry(
                        conn,
                        actor=actor,
                        action="restore",
                        entity="database",
                        entity_id=target.name,
                        changes={
                            "source": str(source),
                            "replaced": replaced_head or "",
                            "kept_as": str(previous or ""),
                        },
                    )
            finally:
                staged.engine.dispose()  # the last connection checkpoints and drops the WAL
            for suffix in ("-wal", "-shm"):
                Path(str(target) + suffix).unlink(missing_ok=True)
            os.replace(staging, target)
        finally:
            for suffix in ("", "-wal", "-shm"):
                Path(str(staging) + suffix).unlink(missing_ok=True)
            sqlcipher.forget(staging)
            lock.release()
    log.info("restored %s from %s (previous kept at %s)", target, source, previous)
    return previous
