"""Schema changes only through migrations, and every old database upgrades."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import func, select, text

from mingjing.config import resolve_location
from mingjing.domain.models import AuditEntry, Base, Member, Problem
from mingjing.services.maintenance import check_database
from mingjing.storage import Database, migrations, search
from mingjing.storage.backup import list_backups

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "db"
HEAD = migrations.head_revision()
SYNTHETIC = f"{int(HEAD) + 1:04d}"


def test_upgrade_from_empty_reaches_head(any_db: Database) -> None:
    assert any_db.current_revision() == migrations.head_revision()


def test_models_and_migrations_do_not_drift(any_db: Database) -> None:
    with any_db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={
                "compare_type": True,
                # The search index is a virtual table the models do not describe.
                "include_name": lambda name, kind, _: not (kind == "table" and search.owns(name)),
            },
        )
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


def _tables(path: Path) -> dict[str, int]:
    import sqlite3

    con = sqlite3.connect(path)
    try:
        names = [
            r[0]
            for r in con.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {n: con.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}
    finally:
        con.close()


def _with_second_migration(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str) -> None:
    """Put a copy of the migrations plus a synthetic one after head in place of the real ones."""
    scripts = tmp_path / "migrations"
    shutil.copytree(migrations.HERE, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    (scripts / "versions" / f"{SYNTHETIC}_synthetic.py").write_text(
        "import sqlalchemy as sa\nfrom alembic import op\n\n"
        f"revision = '{SYNTHETIC}'\ndown_revision = '{HEAD}'\n"
        "branch_labels = None\ndepends_on = None\n\n"
        f"def upgrade():\n{body}\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(migrations, "HERE", scripts)
    migrations._graph.cache_clear()


@pytest.fixture
def old_database(tmp_path: Path) -> Path:
    location = resolve_location(tmp_path / "data")
    assert location.sqlite_path is not None
    location.sqlite_path.parent.mkdir(parents=True)
    shutil.copy(FIXTURES / "mingjing-0001.sqlite3", location.sqlite_path)
    return location.sqlite_path


def test_table_rebuild_keeps_every_row_that_points_at_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, old_database: Path
) -> None:
    """SQLite batch migrations rebuild tables; with foreign keys on that would
    cascade-delete assignment_rectification rows (or fail on consultation)."""
    _with_second_migration(
        tmp_path,
        monkeypatch,
        "    for table in ('assignment', 'consultation', 'member'):\n"
        "        with op.batch_alter_table(table, recreate='always') as batch:\n"
        "            batch.add_column(sa.Column('note_x', sa.Text(), nullable=True))\n",
    )
    try:
        before = _tables(old_database)
        assert before["assignment_rectification"] > 0
        location = resolve_location(tmp_path / "data")
        with Database.open(location, actor="升级") as db:
            assert db.current_revision() == SYNTHETIC
            with db.read() as s:
                assert s.execute(text("PRAGMA foreign_key_check")).all() == []
                assert s.execute(text("PRAGMA foreign_keys")).scalar() == 1
        after = _tables(old_database)
        # (0003 adds the search index's tables, 0004 rendered_material, 0006 the
        # review tables; every
        # table that was there keeps its rows.)
        assert {k: v for k, v in after.items() if k in before and k != "alembic_version"} == {
            k: v for k, v in before.items() if k != "alembic_version"
        }
        added_later = {"rendered_material", "review_export", "leader_action"}
        assert all(search.owns(k) or k in before or k in added_later for k in after)
        backups = list_backups(location.backups_dir)
        assert [b.reason for b in backups] == ["before-migration-0001"]
        assert _tables(backups[0].path) == before
    finally:
        migrations._graph.cache_clear()


def test_a_migration_that_breaks_references_is_rolled_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, old_database: Path
) -> None:
    from mingjing.storage.database import MigrationError

    _with_second_migration(tmp_path, monkeypatch, "    op.execute('DELETE FROM unit')\n")
    try:
        before = _tables(old_database)
        with pytest.raises(MigrationError, match="dangling"):
            Database.open(resolve_location(tmp_path / "data"), actor="升级")
        assert _tables(old_database) == before
    finally:
        migrations._graph.cache_clear()


def test_migration_waits_for_no_window(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, old_database: Path
) -> None:
    """A newer program must not migrate a database an older window holds."""
    from mingjing.storage.errors import DatabaseInUse
    from mingjing.storage.precheck import DatabaseLock

    _with_second_migration(tmp_path, monkeypatch, "    pass\n")
    holder = DatabaseLock(old_database)
    holder.acquire()
    try:
        with pytest.raises(DatabaseInUse):
            Database.open(resolve_location(tmp_path / "data"), actor="升级")
        assert _tables(old_database)["alembic_version"] == 1
    finally:
        holder.release()
        migrations._graph.cache_clear()


def test_0003_fills_the_ledger_columns_of_existing_rows(tmp_path: Path) -> None:
    """Rows opened before 0003 print their problem's text, area and source."""
    from mingjing.domain.models import Rectification

    location = resolve_location(tmp_path / "data")
    assert location.sqlite_path is not None
    location.sqlite_path.parent.mkdir(parents=True)
    shutil.copy(FIXTURES / "mingjing-0002.sqlite3", location.sqlite_path)
    with Database.open(location, actor="升级测试") as db, db.read() as s:
        rows = s.scalars(select(Rectification)).all()
        from_problems = [r for r in rows if r.problem is not None]
        from_consultations = [r for r in rows if r.problem is None]
        assert from_problems and from_consultations
        for r in from_problems:
            assert r.problem is not None
            assert r.problem_text == r.problem.text
            assert r.source_label == r.problem.source.label
            assert r.area_label == (r.problem.area.title if r.problem.area else "")
        for r in from_consultations:
            assert r.source_label == "集体议" and r.problem_text
        assert all(r.imported_from == "" and r.leader_name == "" for r in rows)
