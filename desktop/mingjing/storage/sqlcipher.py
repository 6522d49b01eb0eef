"""The one SQLite every connection uses: SQLCipher's build, through ``sqlcipher3``.

The engine, the backups and the cheap start-up checks all connect here, so
an encrypted database (see :mod:`mingjing.storage.protection`) is read the
same way as a plain one and errors are of one kind. Without a key it is
plain SQLite (3.53 in ``sqlcipher3`` 0.6.4, newer than most Pythons' own);
importing it costs about 10 ms, less than the standard ``sqlite3``.

The keys of unlocked databases are held here, in this process only:
:func:`remember` after the password was given, :func:`forget` to lock again.
A connection asks for its key when it is made, so once a database is
forgotten and its pool disposed nothing in the process can read it.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from sqlcipher3 import dbapi2 as _dbapi

from mingjing.storage.errors import DatabaseLocked

dbapi: Any = _dbapi
"""The DB-API module (``sqlite3``'s interface), for SQLAlchemy's ``module=``."""

Error: type[Exception] = _dbapi.Error
DatabaseError: type[Exception] = _dbapi.DatabaseError
Connection = Any
"""A ``sqlcipher3`` connection: the interface of ``sqlite3.Connection``."""

SQLITE_MAGIC = b"SQLite format 3\x00"
KEY_SUFFIX = ".key"

_keys: dict[Path, bytes] = {}
_locked: set[Path] = set()
"""Paths locked in this run (their key forgotten by :func:`lock`): a writer that
finds no key there must stop, not write in the clear."""
_keys_lock = threading.Lock()


def key_file(database: Path) -> Path:
    """``<database>.key``: the data key, wrapped under the password."""
    return database.with_name(database.name + KEY_SUFFIX)


def header_of(path: Path) -> bytes:
    with path.open("rb") as fh:
        return fh.read(len(SQLITE_MAGIC))


def looks_encrypted(database: Path) -> bool:
    """The file is there and is not plain SQLite: encrypted, or damaged (the key file
    beside it tells which; without one, only the recovery key can say)."""
    try:
        header = header_of(database)
    except OSError:
        return False
    return bool(header) and header != SQLITE_MAGIC


def is_encrypted(database: Path) -> bool:
    """The file is there, is not plain SQLite, and has its key file beside it.

    A plain file beside a left-over key file (a password removal cut short
    after the swap) is plain: the header decides.
    """
    try:
        header = header_of(database)
    except OSError:
        return False
    return bool(header) and header != SQLITE_MAGIC and key_file(database).is_file()


def _norm(path: Path) -> Path:
    return Path(path).resolve()


def remember(key: bytes, *paths: Path) -> None:
    """Hold ``key`` for the database (and data folder) at ``paths``, in this process."""
    with _keys_lock:
        for path in paths:
            _keys[_norm(path)] = key
            _locked.discard(_norm(path))


def key_for(path: Path) -> bytes | None:
    with _keys_lock:
        return _keys.get(_norm(path))


def forget(*paths: Path) -> None:
    """Drop the key (the password was removed: the data is plain from now on)."""
    with _keys_lock:
        for path in paths:
            _keys.pop(_norm(path), None)
            _locked.discard(_norm(path))


def lock(*paths: Path) -> None:
    """Drop the key and mark the paths locked until :func:`remember` is called again."""
    with _keys_lock:
        for path in paths:
            _keys.pop(_norm(path), None)
            _locked.add(_norm(path))


def is_locked(path: Path) -> bool:
    """Locked in this run (see :func:`lock`)."""
    with _keys_lock:
        return _norm(path) in _locked


def forget_all() -> None:
    with _keys_lock:
        _keys.clear()
        _locked.clear()


def locked_message(database: Path) -> str:
    return f"数据库 {database} 已加密并已锁定，请输入密码解锁后再试。"


def apply_key(con: Connection, key: bytes | None) -> None:
    """Give a fresh connection its key: the first statement, before any read."""
    if key is not None:
        con.execute(f"PRAGMA key = \"x'{key.hex()}'\"")


def connect(
    target: Path | str,
    *,
    key: bytes | None = None,
    uri: bool = False,
    timeout: float = 5.0,
    check_same_thread: bool = True,
) -> Connection:
    """A connection to ``target``, keyed if ``key`` is given."""
    con = _dbapi.connect(str(target), uri=uri, timeout=timeout, check_same_thread=check_same_thread)
    try:
        apply_key(con, key)
    except BaseException:
        con.close()
        raise
    return con


def key_needed(database: Path) -> bytes | None:
    """The key to open ``database`` with: ``None`` for a plain file.

    Raises :class:`DatabaseLocked` for an encrypted file whose key this
    process does not hold.
    """
    key = key_for(database)
    if key is not None:
        return key
    if is_encrypted(database):
        raise DatabaseLocked(locked_message(database))
    return None
