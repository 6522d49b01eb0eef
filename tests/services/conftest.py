"""Service fixtures: a staff laptop that has joined the demo campaign as 陈喆."""

from __future__ import annotations

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
