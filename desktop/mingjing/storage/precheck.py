"""What can be learnt about a database without SQLAlchemy, cheaply and read-only.

The window uses these before anything heavy is imported: is the file ours,
is its schema one we know, is another window holding it, has it changed
since the overview snapshot was taken. Only the standard library and
``sqlcipher3`` (see :mod:`mingjing.storage.sqlcipher`) are imported here, so
this runs in a few milliseconds.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

from mingjing.storage import migrations, sqlcipher
from mingjing.storage.errors import (
    CorruptDatabase,
    DamagedDatabase,
    DatabaseBusy,
    DatabaseInUse,
    DatabaseLocked,
    DiskFull,
    DiskIOError,
    EnvironmentFault,
    ForeignDatabase,
    NewerDatabase,
    ReadOnlyLocation,
    UnusablePath,
)

SQLITE_MAGIC = sqlcipher.SQLITE_MAGIC


def _full(where: str) -> EnvironmentFault:
    return DiskFull(f"磁盘空间已满，无法写入 {where}。请清理磁盘后重试，已保存的数据不受影响。")


def _read_only(where: str) -> EnvironmentFault:
    return ReadOnlyLocation(
        f"无法写入 {where}：文件或文件夹是只读的、没有权限，或正被其他程序占用。"
    )


def _not_a_folder(where: str) -> EnvironmentFault:
    return UnusablePath(f"无法写入 {where}：路径中有一段是文件而不是文件夹，请换一个位置。")


def _is_a_folder(where: str) -> EnvironmentFault:
    return UnusablePath(f"无法写入 {where}：同名的文件夹已经存在，请换一个文件名。")


def _missing(where: str) -> EnvironmentFault:
    return UnusablePath(f"无法写入 {where}：位置不存在（U 盘可能已拔出），请换一个位置。")


def _too_long(where: str) -> EnvironmentFault:
    return UnusablePath(f"无法写入 {where}：路径或文件名太长，请换一个短一些的位置。")


def _io(where: str) -> EnvironmentFault:
    return DiskIOError(f"读写 {where} 时发生磁盘错误（磁盘可能已损坏或已拔出）。")


def _busy(where: str) -> EnvironmentFault:
    return DatabaseBusy(f"数据库 {where} 正被其他程序占用，请稍后再试。")


def _damaged(where: str) -> EnvironmentFault:
    return DamagedDatabase(
        f"数据库 {where} 已损坏。请用“mingjing restore”从数据文件夹 backups 中"
        "最近的备份恢复，恢复前的文件会另存一份。"
    )


# SQLite primary result codes (https://sqlite.org/rescode.html).
_SQLITE_CODES: dict[int, Callable[[str], EnvironmentFault]] = {
    3: _read_only,  # SQLITE_PERM
    5: _busy,  # SQLITE_BUSY
    6: _busy,  # SQLITE_LOCKED
    8: _read_only,  # SQLITE_READONLY
    10: _io,  # SQLITE_IOERR
    11: _damaged,  # SQLITE_CORRUPT
    13: _full,  # SQLITE_FULL
    14: _read_only,  # SQLITE_CANTOPEN
    26: _damaged,  # SQLITE_NOTADB
}

# PostgreSQL SQLSTATE classes and codes.
_PG_STATES: dict[str, Callable[[str], EnvironmentFault]] = {
    "53100": _full,  # disk_full
    "25006": _read_only,  # read_only_sql_transaction
    "55P03": _busy,  # lock_not_available
}

_OS_ERRNOS: dict[int, Callable[[str], EnvironmentFault]] = {
    errno.ENOSPC: _full,
    errno.EDQUOT: _full,
    errno.EROFS: _read_only,
    errno.EACCES: _read_only,
    errno.EPERM: _read_only,
    errno.EIO: _io,
    errno.ENOTDIR: _not_a_folder,
    errno.EISDIR: _is_a_folder,
    errno.ENOENT: _missing,
    errno.ENAMETOOLONG: _too_long,
}


def translate_error(exc: BaseException, where: str) -> EnvironmentFault | None:
    """The environment fault a driver or OS error stands for, or ``None`` (a bug).

    Decided by the error's code, never by its message: a message may quote
    user data, and a wrong guess would either blame the user's disk for our
    bug or call a full disk a bug.
    """
    if isinstance(exc, OSError) and exc.errno in _OS_ERRNOS:
        return _OS_ERRNOS[exc.errno](where)
    orig = getattr(exc, "orig", None) or exc
    code = getattr(orig, "sqlite_errorcode", None)
    if isinstance(code, int):
        make = _SQLITE_CODES.get(code & 0xFF)
        return make(where) if make is not None else None
    state = getattr(orig, "sqlstate", None)
    if isinstance(state, str):
        if state in _PG_STATES:
            return _PG_STATES[state](where)
        if state.startswith(("08", "57P", "28")):  # connection, shutdown, login
            return EnvironmentFault(f"无法使用{where}：连接中断、服务器未启动或登录被拒绝。")
        return None
    if type(orig).__name__ == "OperationalError" and type(orig).__module__.startswith("psycopg"):
        # psycopg reports a failed connection attempt without a SQLSTATE.
        return EnvironmentFault(f"无法连接{where}。请检查网络、服务器地址和端口。")
    return None


def connect_read_only(path: Path) -> sqlcipher.Connection:
    """Open a SQLite file so that nothing beside or in it is written.

    A WAL-mode file opened even with ``mode=ro`` gets ``-wal`` and ``-shm``
    files created beside it (and cannot be opened at all in a read-only
    folder). When no ``-wal`` exists, all the data is in the main file, so it
    is opened ``immutable``: no side files, no locks. With a ``-wal`` present
    (a crash, or another program writing) the WAL must be read, so ``mode=ro``
    it is; SQLite then may create ``-shm``, an index it rebuilds anyway.

    An encrypted file is opened with the key this process holds for it;
    without one, :class:`DatabaseLocked` is raised.
    """
    key = sqlcipher.key_needed(path)
    wal = path.with_name(path.name + "-wal")
    flags = "mode=ro" if wal.exists() else "mode=ro&immutable=1"
    return sqlcipher.connect(f"{path.resolve().as_uri()}?{flags}", uri=True, key=key)


def inspect_sqlite_file(path: Path) -> str | None:
    """Look at a SQLite file read-only; return its Alembic revision (None if empty).

    Raises :class:`CorruptDatabase` or :class:`ForeignDatabase`, or
    :class:`DatabaseLocked` for an encrypted file this process holds no key
    for; the file is left as it was (see :func:`connect_read_only`).
    """
    try:
        with path.open("rb") as fh:
            header = fh.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise ReadOnlyLocation(f"无法读取数据库文件 {path}（{exc.strerror}）。") from exc
    if not header:
        return None
    held = sqlcipher.key_for(path) is not None
    if header != SQLITE_MAGIC and not held and not sqlcipher.is_encrypted(path):
        raise CorruptDatabase(
            f"{path} 不是 SQLite 数据库文件（可能已损坏，或是别的文件）。"
            f"如果它是设了密码的明镜数据库，它旁边的密钥文件 {sqlcipher.key_file(path).name} "
            "不见了：请用“mingjing password recover”和恢复密钥打开。"
        )
    try:
        con = connect_read_only(path)
    except DatabaseLocked:
        raise
    except sqlcipher.Error as exc:
        raise CorruptDatabase(f"无法读取数据库文件 {path}，文件可能已损坏。") from exc
    try:
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not tables:
            return None
        if "alembic_version" not in tables:
            raise ForeignDatabase(f"{path} 是一个数据库，但不是明镜的数据库。")
        row = con.execute("SELECT version_num FROM alembic_version").fetchone()
        return str(row[0]) if row else None
    except sqlcipher.DatabaseError as exc:
        raise CorruptDatabase(f"{path} 已损坏，无法读取。") from exc
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
    where: str, kinds: tuple[type[BaseException], ...] = (OSError, sqlcipher.Error)
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
    the program appends to it). ``None`` if the file is missing or unreadable,
    and for an encrypted file: nothing about it is cached in the clear.
    """
    if not path.is_file() or sqlcipher.is_encrypted(path):
        return None
    try:
        con = connect_read_only(path)
    except sqlcipher.Error:
        return None
    try:
        revision = con.execute("SELECT version_num FROM alembic_version").fetchone()
        head = con.execute("SELECT seq, hash FROM audit_entry ORDER BY seq DESC LIMIT 1").fetchone()
    except sqlcipher.Error:
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
                f"数据库 {self.path} 已在另一个明镜窗口中打开。"
                "请在那个窗口中继续工作，或关闭它后再试。"
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
