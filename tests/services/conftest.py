"""Service fixtures: a staff laptop that has joined the demo campaign as 陈喆."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from mingjing.config import DataLocation, resolve_location
from mingjing.services.campaigns import join_campaign
from mingjing.storage import Database


@pytest.fixture
def laptop(tmp_path: Path, campaign_file: Path) -> tuple[DataLocation, Database]:
    location = resolve_location(tmp_path / "laptop")
    staff = Database.open(location, actor="陈喆")
    join_campaign(staff, location, campaign_file, "陈喆")
    return location, staff


LEDGER_TODAY = dt.date(2025, 11, 20)


@pytest.fixture(scope="module")
def ledger_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo unit's office, made once per test module and copied per test."""
    from mingjing.services.demo import create_demo

    folder = tmp_path_factory.mktemp("ledger-demo")
    with Database.open(resolve_location(folder), actor="办公室") as db:
        create_demo(db, today=LEDGER_TODAY)
    return folder


@pytest.fixture
def ledger_db(ledger_demo: Path, tmp_path: Path) -> Iterator[Database]:
    """A fresh copy of the demo office."""
    shutil.copytree(ledger_demo, tmp_path / "office")
    database = Database.open(resolve_location(tmp_path / "office"), actor="办公室")
    yield database
    database.close()


@pytest.fixture
def ledger_cid(ledger_db: Database) -> str:
    from mingjing.services.campaign_setup import current_campaign_id

    found = current_campaign_id(ledger_db)
    assert found is not None
    return found
