from __future__ import annotations

import datetime as dt

from mingjing.config import DataLocation, resolve_location
from mingjing.domain.models import Unit
from mingjing.services.demo import create_demo
from mingjing.services.overview import load_snapshot, save_snapshot
from mingjing.services.summary import summarize
from mingjing.storage import Database

TODAY = dt.date(2025, 11, 20)


def test_snapshot_round_trip_and_invalidation(db: Database, location: DataLocation) -> None:
    create_demo(db, today=TODAY)
    summary = summarize(db, today=TODAY)
    assert load_snapshot(location, TODAY) is None
    save_snapshot(location, summary)
    assert load_snapshot(location, TODAY) == summary
    # Another day: overdue counts may differ.
    assert load_snapshot(location, TODAY + dt.timedelta(days=1)) is None
    # Any change through the program invalidates it.
    with db.transaction() as s:
        s.add(Unit(name="新单位"))
    assert load_snapshot(location, TODAY) is None


def test_damaged_snapshot_is_ignored(db: Database, location: DataLocation) -> None:
    create_demo(db, today=TODAY)
    save_snapshot(location, summarize(db, today=TODAY))
    path = location.data_dir / "cache" / "overview.json"
    path.write_text("{not json", encoding="utf-8")
    assert load_snapshot(location, TODAY) is None


def test_no_snapshot_for_a_server_database(tmp_path: object) -> None:
    location = resolve_location(str(tmp_path), "postgresql+psycopg://u@127.0.0.1:1/x")
    assert load_snapshot(location, TODAY) is None
