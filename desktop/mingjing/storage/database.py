"""Opening the database safely, and the transactions everything else uses.

Opening goes in a fixed order so that a database we must refuse is never
touched: first a read-only look (is it SQLite? is it Mingjing's? is its
schema revision one we know?), then — only if it is older — a backup, then
the migration, and only then the engine with WAL and the other pragmas.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError
from sqlalchemy.orm import Session, sessionmaker

from mingjing.config import DataLocation, redact_url, sqlite_path_of
from mingjing.storage import audit, migrations, search, sqlcipher
from mingjing.storage.errors import BadDatabaseAddress, ForeignDatabase
from mingjing.storage.precheck import (
    DatabaseLock,
    environment_faults,
    inspect_sqlite_file,
    refuse_unknown_revision,
    translate_error,
)

__all__ = [
    "Database",
    "inspect_sqlite_file",
    "make_engine",
    "refuse_unknown_revision",
    "translate_error",
]

log = logging.getLogger(__name__)


class MigrationError(RuntimeError):
    """A migration would have damaged the data; it was rolled back (a bug of ours)."""


BUSY_TIMEOUT_MS = 5000


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


def describe_server(url: str) -> str:
    """服务器 host（端口 n）上的数据库 name — for messages about a server database."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return redact_url(url)
    port = f"（端口 {parsed.port}）" if parsed.port else ""
    return f"服务器 {parsed.host or '本机'}{port}上的数据库 {parsed.database or ''}"


def _json(value: Any) -> str:
    """JSON columns as UTF-8 text: Chinese as itself, not as \\uXXXX (half the bytes)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _creator(path: Path) -> Any:
    """Connections to a SQLite file, keyed at connect time from the held keys.

    The key is looked up for every new connection, never kept by the engine:
    once :func:`sqlcipher.forget` has run and the pool is disposed, the next
    connection attempt raises :class:`DatabaseLocked` instead of reading.
    """

    def connect() -> Any:
        key = sqlcipher.key_needed(path)
        return sqlcipher.connect(
            path, key=key, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False
        )

    return connect


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = sqlite_path_of(url)
        # SQLCipher's SQLite for every file (see mingjing.storage.sqlcipher).
        engine = create_engine(
            url,
            module=sqlcipher.dbapi,
            json_serializer=_json,
            **({"creator": _creator(path)} if path is not None else {}),
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True, json_serializer=_json)


ROLE_KEY = "mingjing.role"
MEMBER_KEY = "mingjing.member_id"
"""Keys of ``Session.info`` holding :attr:`Database.role` and :attr:`Database.member_id`."""


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
        self.role = ""
        """Who acts here as the services see it (``secretary``, ``leader``, ``staff``):
        set from the local profile by :mod:`mingjing.services.roles`. Empty (a
        tool, a test) means no role is claimed and none is enforced."""
        self.member_id = ""
        """The roster member this computer belongs to, where it has joined."""
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        audit.install(self._sessions)
        search.install(self._sessions)
        self._lock: DatabaseLock | None = None

    # ------------------------------------------------------------------ opening

    @classmethod
    def open(
        cls,
        location: DataLocation | str,
        *,
        actor: str,
        migrate: bool = True,
        backups_dir: Path | None = None,
        lock: DatabaseLock | None = None,
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
        where = str(path) if path is not None else describe_server(url)
        if path is not None:
            # An encrypted file whose key is not held raises DatabaseLocked here.
            revision = inspect_sqlite_file(path) if path.exists() else None
            refuse_unknown_revision(revision, where)
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise translate_error(exc, str(path.parent)) or exc from exc
        try:
            engine = make_engine(url)
        except (ArgumentError, NoSuchModuleError, ImportError) as exc:
            raise BadDatabaseAddress(
                f"数据库地址 {redact_url(url)} 格式不对或不受支持。"
                "明镜支持 sqlite:///文件路径 和 postgresql+psycopg://用户@服务器/库名。"
            ) from exc
        try:
            db = cls(url, engine, actor=actor, where=where)
            if lock is not None:
                db.adopt_lock(lock)
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
        """Bring the schema to head: under the one-window lock, after a backup.

        The lock keeps a newer program (or a second first start) from
        migrating under a running window; the revision is read again once
        the lock is held.
        """
        if self.current_revision() == migrations.head_revision():
            return
        path = self.sqlite_path
        lock: DatabaseLock | None = None
        if path is not None and self._lock is None:
            lock = DatabaseLock(path)
            lock.acquire()
        try:
            current = self.current_revision()
            if current == migrations.head_revision():
                return
            if current is not None and path is not None and backups_dir is not None:
                from mingjing.storage import backup

                made = backup.backup_sqlite_file(
                    path, backups_dir, reason=f"before-migration-{current}"
                )
                log.info("backed up %s to %s before migrating", path, made)
            if path is not None:
                self._upgrade_sqlite()
            else:
                with self.engine.begin() as conn:
                    migrations.upgrade(conn)
        finally:
            if lock is not None:
                lock.release()

    def _upgrade_sqlite(self) -> None:
        """Migrate with foreign keys off, as SQLite requires for table rebuilds.

        Alembic's batch mode rebuilds a table as copy → DROP → rename; with
        foreign keys on, the DROP would cascade-delete the rows that point at
        it, or fail. The keys are checked before commit instead, and a
        migration that left a dangling reference is rolled back whole.
        """
        with self.engine.connect() as conn:
            raw = conn.connection.dbapi_connection
            assert raw is not None
            raw.execute("PRAGMA foreign_keys=OFF")  # outside a transaction, or it is ignored
            try:
                with conn.begin():
                    migrations.upgrade(conn)
                    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
                    if broken:
                        table, rowid = broken[0][0], broken[0][1]
                        raise MigrationError(
                            f"migration left {len(broken)} dangling references "
                            f"(first: {table} rowid {rowid}); rolled back"
                        )
            finally:
                raw.execute("PRAGMA foreign_keys=ON")

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
        lock = DatabaseLock(path)
        lock.acquire()
        self._lock = lock

    def adopt_lock(self, lock: DatabaseLock) -> None:
        """Take over a lock acquired before the database was opened (fast start)."""
        self.release_exclusive()
        self._lock = lock

    def release_exclusive(self) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    # ------------------------------------------------------------- transactions

    def _session(self) -> Session:
        session = self._sessions()
        session.info[audit.ACTOR_KEY] = self.actor
        session.info[ROLE_KEY] = self.role
        session.info[MEMBER_KEY] = self.member_id
        return session

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Session]:
        """A unit of work that writes: all of it commits, or none of it does."""
        session = self._session()
        with environment_faults(self.where, (DBAPIError, OSError)):
            try:
                if self.is_sqlite:
                    session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
                yield session
                session.commit()
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
            with environment_faults(self.where, (DBAPIError, OSError)):
                yield session
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
