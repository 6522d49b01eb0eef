"""What can be learnt about a database without SQLAlchemy, cheaply and read-only.

The window uses these before anything heavy is imported: is the file ours,
is its schema one we know, is another window holding it, has it changed
since the overview snapshot was taken. Only the standard library is
imported here, so this runs in a few milliseconds.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path

from mingjing.storage import migrations
from mingjing.storage.errors import (
    CorruptDatabase,
    DatabaseBusy,
    DatabaseInUse,
    DiskFull,
    EnvironmentFault,
    ForeignDatabase,
    NewerDatabase,
    ReadOnlyLocation,
)

SQLITE_MAGIC = b"SQLite format 3\x00"


def translate_error(exc: BaseException, where: str) -> EnvironmentFault | None:
    """Map a driver or OS error to the environment fault it stands for, if any."""
    if isinstance(exc, OSError):
        if exc.errno == errno.ENOSPC:
            return DiskFull(
                f"磁盘空间已满，无法写入 {where}。请清理磁盘后重试，已保存的数据不受影响。"
            )
        if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            return ReadOnlyLocation(f"没有写入 {where} 的权限（文件夹只读或被保护）。")
        return None
    message = str(getattr(exc, "orig", exc)).lower()
    if "database or disk is full" in message or "disk is full" in message:
        return DiskFull(f"磁盘空间已满，无法写入 {where}。请清理磁盘后重试，已保存的数据不受影响。")
    if "readonly database" in message or "read-only" in message:
        return ReadOnlyLocation(
            f"数据库 {where} 是只读的，无法保存修改。请检查文件和文件夹的权限。"
        )
    if "unable to open database file" in message:
        return ReadOnlyLocation(f"无法打开数据库 {where}：文件夹不存在或没有访问权限。")
    if "database is locked" in message or "database table is locked" in message:
        return DatabaseBusy(f"数据库 {where} 正被其他程序占用，请稍后再试。")
    if "file is not a database" in message or "malformed" in message:
        return CorruptDatabase(f"{where} 已损坏或不是明镜的数据库文件。")
    if "disk i/o error" in message:
        return DiskFull(f"读写 {where} 时发生磁盘错误（可能是磁盘已满或已拔出）。")
    if type(exc).__name__ == "OperationalError" and (
        "could not connect" in message or "connection refused" in message
    ):
        return EnvironmentFault(f"无法连接数据库服务器 {where}。请检查网络和服务器地址。")
    return None


def inspect_sqlite_file(path: Path) -> str | None:
    """Look at a SQLite file read-only; return its Alembic revision (None if empty).

    Raises :class:`CorruptDatabase` or :class:`ForeignDatabase`. Opens the file
    with ``mode=ro`` and ``immutable`` left off, so even the WAL is not replayed
    into it: nothing on disk changes.
    """
    try:
        with path.open("rb") as fh:
            header = fh.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise ReadOnlyLocation(f"无法读取数据库文件 {path}（{exc.strerror}）。") from exc
    if not header:
        return None
    if header != SQLITE_MAGIC:
        raise CorruptDatabase(f"{path} 不是 SQLite 数据库文件（可能已损坏，或是别的文件）。")
    uri = f"{path.resolve().as_uri()}?mode=ro"
    try:
        con = sqlite3.connect(uri, uri=True)
    except sqlite3.Error as exc:
        raise CorruptDatabase(f"无法读取数据库文件 {path}（{exc}）。") from exc
    try:
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not tables:
            return None
        if "alembic_version" not in tables:
            raise ForeignDatabase(f"{path} 是一个数据库，但不是明镜的数据库，已拒绝打开。")
        row = con.execute("SELECT version_num FROM alembic_version").fetchone()
        return str(row[0]) if row else None
    except sqlite3.DatabaseError as exc:
        raise CorruptDatabase(f"{path} 已损坏，无法读取（{exc}）。") from exc
    finally:
        con.close()


def refuse_unknown_revision(revision: str | None, where: str) -> None:
    if revision is not None and not migrations.is_known(revision):
        raise NewerDatabase(
            f"数据库 {where} 由更新版本的明镜创建（结构版本 {revision}），"
            "本程序无法读取。请安装最新版本的明镜后再打开；数据库未作任何改动。"
        )


@contextlib.contextmanager
def environment_faults(
    where: str, kinds: tuple[type[BaseException], ...] = (OSError, sqlite3.Error)
) -> Iterator[None]:
    """Re-raise an error of ``kinds`` as the environment fault it stands for, if any."""
    try:
        yield
    except kinds as exc:
        fault = translate_error(exc, where)
        if fault is not None:
            raise fault from exc
        raise


def fingerprint(path: Path) -> str | None:
    """A key that changes with every change the program makes to the database.

    The schema revision and the head of the audit chain (every write through
    the program appends to it). ``None`` if the file is missing or unreadable.
    """
    if not path.is_file():
        return None
    try:
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return None
    try:
        revision = con.execute("SELECT version_num FROM alembic_version").fetchone()
        head = con.execute("SELECT seq, hash FROM audit_entry ORDER BY seq DESC LIMIT 1").fetchone()
    except sqlite3.Error:
        return None
    finally:
        con.close()
    if revision is None:
        return None
    seq, digest = head if head is not None else (0, "")
    return f"{revision[0]}:{seq}:{digest}"


class DatabaseLock:
    """The lock file beside a SQLite database that one window holds at a time.

    An OS-level lock (``flock`` on POSIX, ``msvcrt.locking`` on Windows): it
    is released by the operating system when the process ends, even by a
    crash, so a stale lock file never blocks the next start. Written here
    rather than taken from ``filelock`` because that package's import costs
    more than half of a bare Qt window's start-up time and only a
    non-blocking exclusive lock is needed.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lock_path = path.with_name(path.name + ".lock")
        self._fd: int | None = None

    def acquire(self) -> None:
        if self._fd is not None:
            return
        try:
            fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise translate_error(exc, str(self.lock_path)) or exc from exc
        try:
            _lock_fd(fd)
        except OSError:
            os.close(fd)
            raise DatabaseInUse(
                f"数据库 {self.path} 已在另一个明镜窗口中打开。请切换到那个窗口继续工作，"
                "或先关闭它再打开。"
            ) from None
        self._fd = fd

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            _unlock_fd(fd)
        finally:
            os.close(fd)

    @property
    def held(self) -> bool:
        return self._fd is not None


if sys.platform == "win32":
    import msvcrt

    def _lock_fd(fd: int) -> None:
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)

    def _unlock_fd(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock_fd(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock_fd(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
