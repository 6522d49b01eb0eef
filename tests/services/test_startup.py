from __future__ import annotations

import sqlite3

import pytest

from mingjing.config import DataLocation
from mingjing.services.startup import prepare
from mingjing.storage import Database
from mingjing.storage.errors import DatabaseInUse, NewerDatabase


def test_prepare_refuses_a_newer_database_without_sqlalchemy_work(location: DataLocation) -> None:
    Database.open(location, actor="甲").close()
    assert location.sqlite_path is not None
    con = sqlite3.connect(location.sqlite_path)
    con.execute("UPDATE alembic_version SET version_num = 'zz'")
    con.commit()
    con.close()
    with pytest.raises(NewerDatabase):
        prepare(location)


def test_prepare_holds_the_lock_until_released(location: DataLocation) -> None:
    first = prepare(location)
    with pytest.raises(DatabaseInUse):
        prepare(location)
    first.release()
    prepare(location).release()


def test_the_workspace_adopts_the_lock(location: DataLocation) -> None:
    from mingjing.services.workspace import Workspace

    prepared = prepare(location)
    ws = Workspace.open(location, lock=prepared.lock)
    with pytest.raises(DatabaseInUse):
        prepare(location)
    ws.close()
    prepare(location).release()
