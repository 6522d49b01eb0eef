"""Opening the database safely, and the transactions everything else uses.

Opening goes in a fixed order so that a database we must refuse is never
touched: first a read-only look (is it SQLite? is it Mingjing's? is its
schema revision one we know?), then — only if it is older — a backup, then
the migration, and only then the engine with WAL and the other pragmas.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout
from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from mingjing.config import DataLocation, sqlite_path_of
from mingjing.storage import audit, migrations
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

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000
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
    if isinstance(exc, OperationalError) and (
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


def _sqlite_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
    # pysqlite's own transaction handling is turned off so that BEGIN is ours.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")  # a power cut keeps every commit
    cursor.close()


def _sqlite_begin(conn: Any) -> None:
    mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
    conn.exec_driver_sql(f"BEGIN {mode}")


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True)


class Database:
    """An open, migrated database and the transactions on it.

    Use :meth:`open`; then ``with db.transaction() as session:`` for work that
    writes (committed at the end, rolled back on any exception) and
    ``with db.read() as session:`` for work that only reads.
    """

    def __init__(self, url: str, engine: Engine, *, actor: str, where: str) -> None:
        self.url = url
        self.engine = engine
        self.actor = actor
        self.where = where
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        audit.install(self._sessions)
        self._lock: FileLock | None = None

    # ------------------------------------------------------------------ opening

    @classmethod
    def open(
        cls,
        location: DataLocation | str,
        *,
        actor: str,
        migrate: bool = True,
        backups_dir: Path | None = None,
    ) -> Database:
        """Open (and create or migrate) the database; refuse what is not ours.

        Raises :class:`NewerDatabase`, :class:`ForeignDatabase`,
        :class:`CorruptDatabase` or another :class:`EnvironmentFault`; in every
        such case the file is left exactly as it was.
        """
        if isinstance(location, DataLocation):
            url = location.database_url
            backups_dir = backups_dir or location.backups_dir
        else:
            url = location
        path = sqlite_path_of(url)
        where = str(path) if path is not None else url.split("@")[-1]
        if path is not None:
            revision = inspect_sqlite_file(path) if path.exists() else None
            refuse_unknown_revision(revision, where)
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise translate_error(exc, str(path.parent)) or exc from exc
        engine = make_engine(url)
        try:
            db = cls(url, engine, actor=actor, where=where)
            if path is None:
                db._check_server_revision()
            if migrate:
                db._migrate(backups_dir)
        except (DBAPIError, OSError) as exc:
            engine.dispose()
            fault = translate_error(exc, where)
            if fault is not None:
                raise fault from exc
            raise
        except BaseException:
            engine.dispose()
            raise
        return db

    def _check_server_revision(self) -> None:
        with self.engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
            if not tables:
                return
            if "alembic_version" not in tables:
                raise ForeignDatabase(
                    f"{self.where} 中已有别的表，但不是明镜的数据库，已拒绝使用。"
                )
            revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        refuse_unknown_revision(revision, self.where)

    def current_revision(self) -> str | None:
        with self.engine.connect() as conn:
            return migrations.current_revision(conn)

    def _migrate(self, backups_dir: Path | None) -> None:
        current = self.current_revision()
        if current == migrations.head_revision():
            return
        if current is not None and self.sqlite_path is not None and backups_dir is not None:
            from mingjing.storage import backup

            made = backup.backup_sqlite_file(
                self.sqlite_path, backups_dir, reason=f"before-migration-{current}"
            )
            log.info("backed up %s to %s before migrating", self.sqlite_path, made)
        with self.engine.begin() as conn:
            migrations.upgrade(conn)

    @property
    def sqlite_path(self) -> Path | None:
        return sqlite_path_of(self.url)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    # -------------------------------------------------------------- exclusivity

    def acquire_exclusive(self) -> None:
        """Hold the database for this process (the GUI does); tell a second one clearly."""
        path = self.sqlite_path
        if path is None or self._lock is not None:
            return
        lock = FileLock(str(path) + ".lock", timeout=0)
        try:
            lock.acquire()
        except Timeout:
            raise DatabaseInUse(
                f"数据库 {path} 已在另一个明镜窗口中打开。请切换到那个窗口继续工作，"
                "或先关闭它再打开。"
            ) from None
        self._lock = lock

    def release_exclusive(self) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    # ------------------------------------------------------------- transactions

    def _session(self) -> Session:
        session = self._sessions()
        session.info[audit.ACTOR_KEY] = self.actor
        return session

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Session]:
        """A unit of work that writes: all of it commits, or none of it does."""
        session = self._session()
        if self.is_sqlite:
            session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
        try:
            yield session
            session.commit()
        except (DBAPIError, OSError) as exc:
            session.rollback()
            fault = translate_error(exc, self.where)
            if fault is not None:
                raise fault from exc
            raise
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextlib.contextmanager
    def read(self) -> Iterator[Session]:
        """A unit of work that only reads; anything it tries to write is discarded."""
        session = self._session()
        try:
            yield session
        except (DBAPIError, OSError) as exc:
            fault = translate_error(exc, self.where)
            if fault is not None:
                raise fault from exc
            raise
        finally:
            # close() ends the transaction without flushing and, unlike
            # rollback(), leaves loaded rows readable after the block.
            session.close()

    def close(self) -> None:
        self.release_exclusive()
        self.engine.dispose()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
