"""Service fixtures: a staff laptop that has joined the demo campaign as 陈喆."""

from __future__ import annotations

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


@pytest.fixture
def office(tmp_path: Path, campaign_file: Path) -> Iterator[Database]:
    """The office's database that exported ``campaign_file`` (the demo unit)."""
    database = Database.open(resolve_location(tmp_path / "office"), actor="办公室")
    yield database
    database.close()
