"""Shared fixtures: isolated data folders, databases on SQLite and PostgreSQL.

PostgreSQL tests run when ``MINGJING_TEST_POSTGRES_URL`` names a server
(``.ci/run`` starts one on 127.0.0.1); each test gets a fresh database on
it. Without it they are skipped with that reason shown.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from mingjing.config import DataLocation, resolve_location, sqlite_url
from mingjing.exchange.signing import Identity
from mingjing.storage import Database

POSTGRES_ENV = "MINGJING_TEST_POSTGRES_URL"
ROOT = Path(__file__).resolve().parents[1]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    run_slow = os.environ.get("MINGJING_SLOW") == "1" or "slow" in (config.option.markexpr or "")
    if run_slow:
        return
    skip = pytest.mark.skip(reason="slow test: set MINGJING_SLOW=1 to run")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads or writes the real user data folder or settings."""
    monkeypatch.setenv("MINGJING_DATA_DIR", str(tmp_path / "default-data"))
    monkeypatch.delenv("MINGJING_DATABASE", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    for name in ("MINGJING_PASSWORD", "MINGJING_NEW_PASSWORD", "MINGJING_RECOVERY_KEY"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def _no_held_keys(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test starts with no database unlocked, and scrypt cheap (its cost is not tested)."""
    from mingjing.storage import protection, sqlcipher

    monkeypatch.setattr(protection, "SCRYPT_N", 2**10)
    sqlcipher.forget_all()
    yield
    sqlcipher.forget_all()


@pytest.fixture
def location(tmp_path: Path) -> DataLocation:
    return resolve_location(tmp_path / "data")


@pytest.fixture
def db(location: DataLocation) -> Iterator[Database]:
    database = Database.open(location, actor="测试员")
    yield database
    database.close()


def _postgres_admin_url() -> str | None:
    return os.environ.get(POSTGRES_ENV) or None


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test."""
    admin_url = _postgres_admin_url()
    if admin_url is None:
        pytest.skip(f"PostgreSQL not available: set {POSTGRES_ENV} (.ci/run does)")
    from sqlalchemy import create_engine, text

    name = f"mj_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    base, _, _ = admin_url.rpartition("/")
    try:
        yield f"{base}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :n AND pid <> pg_backend_pid()"
                ),
                {"n": name},
            )
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def any_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The same test on both dialects."""
    if request.param == "sqlite":
        return sqlite_url(tmp_path / "dialect.sqlite3")
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def any_db(any_db_url: str) -> Iterator[Database]:
    database = Database.open(any_db_url, actor="测试员")
    yield database
    database.close()


@pytest.fixture
def campaign_file(tmp_path: Path, office_identity: Identity) -> Path:
    """The office's campaign package for the fictional demo unit (dates fixed)."""
    import datetime as dt

    from mingjing.services.campaigns import export_campaign
    from mingjing.services.demo import create_demo

    office = Database.open(resolve_location(tmp_path / "office"), actor="办公室")
    create_demo(office, today=dt.date(2025, 11, 20))
    path = export_campaign(office, tmp_path, office_identity)
    office.close()
    return path


@pytest.fixture
def office_identity(tmp_path: Path) -> Identity:
    """The keys of the office's computer (its data folder ``tmp_path / "office"``):
    it signs the campaign file, and hand-ins are sealed to it."""
    from mingjing.services.identity import load_identity

    return load_identity(tmp_path / "office")


@pytest.fixture
def office(tmp_path: Path, campaign_file: Path) -> Iterator[Database]:
    """The office's database that exported ``campaign_file`` (the demo unit)."""
    database = Database.open(resolve_location(tmp_path / "office"), actor="办公室")
    yield database
    database.close()


@pytest.fixture
def leader_laptop(
    tmp_path: Path, campaign_file: Path, office: Database, office_identity: Identity
) -> Iterator[tuple[DataLocation, Database]]:
    """刘志堃's laptop (党组书记, a 班子成员), joined, with one hand-in read at the office:
    the office has pinned its keys, so a review can be sealed to it."""
    from mingjing.services.campaigns import join_campaign
    from mingjing.services.self_check import hand_in, load_own_self_check
    from mingjing.services.submissions import import_submissions

    location = resolve_location(tmp_path / "刘志堃")
    db = Database.open(location, actor="刘志堃")
    join_campaign(db, location, campaign_file, "刘志堃")
    load_own_self_check(db, location)
    handed = hand_in(db, location, tmp_path / "stick")
    import_submissions(office, [handed], identity=office_identity)
    yield location, db
    db.close()
