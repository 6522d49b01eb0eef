"""Schema changes only through migrations, and every old database upgrades."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import func, select

from mingjing.config import resolve_location
from mingjing.domain.models import AuditEntry, Base, Member, Problem
from mingjing.services.maintenance import check_database
from mingjing.storage import Database, migrations
from mingjing.storage.backup import list_backups

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "db"


def test_upgrade_from_empty_reaches_head(any_db: Database) -> None:
    assert any_db.current_revision() == migrations.head_revision()


def test_models_and_migrations_do_not_drift(any_db: Database) -> None:
    with any_db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    assert diff == [], "models changed without a migration: " + repr(diff)


def test_every_revision_has_a_fixture_database() -> None:
    """Each schema revision ships a database made by it (`tools/make-fixture-db`)."""
    script = ScriptDirectory.from_config(migrations.alembic_config())
    revisions = [r.revision for r in script.walk_revisions()]
    missing = [r for r in revisions if not (FIXTURES / f"mingjing-{r}.sqlite3").exists()]
    assert not missing, f"add a fixture database for revisions {missing}"


@pytest.mark.parametrize(
    "fixture", sorted(FIXTURES.glob("mingjing-*.sqlite3")), ids=lambda p: p.stem
)
def test_old_fixture_database_upgrades_with_backup_and_keeps_its_data(
    fixture: Path, tmp_path: Path
) -> None:
    location = resolve_location(tmp_path / "data")
    assert location.sqlite_path is not None
    location.sqlite_path.parent.mkdir(parents=True)
    shutil.copy(fixture, location.sqlite_path)
    old_revision = fixture.stem.removeprefix("mingjing-")
    with Database.open(location, actor="升级测试") as db:
        assert db.current_revision() == migrations.head_revision()
        with db.read() as s:
            assert (s.scalar(select(func.count()).select_from(Member)) or 0) >= 10
            assert (s.scalar(select(func.count()).select_from(Problem)) or 0) >= 10
            assert (s.scalar(select(func.count()).select_from(AuditEntry)) or 0) > 0
        assert check_database(db).ok
    if old_revision != migrations.head_revision():
        made = list_backups(location.backups_dir)
        assert made and made[0].reason.startswith("before-migration")


def test_revision_ids_read_from_files_match_alembic() -> None:
    script = ScriptDirectory.from_config(migrations.alembic_config())
    assert migrations.head_revision() == script.get_current_head()
    assert migrations.revisions() == [r.revision for r in reversed(list(script.walk_revisions()))]
    assert migrations.is_known(migrations.head_revision())
    assert not migrations.is_known("ffff_not_a_revision")
