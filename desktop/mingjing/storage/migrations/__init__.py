"""Alembic, driven from code: the only way the schema changes.

The scripts live beside this file, so the same migrations run from a
checkout, an installed wheel and a frozen build. ``alembic.ini`` is not
needed; :func:`alembic_config` builds the configuration.

Alembic itself is imported only to migrate: deciding whether a database is
current, older or newer reads the revision ids from the script files, which
keeps it out of every start of the program (it costs ~0.2 s to import).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy import Connection

HERE = Path(__file__).resolve().parent
_REVISION = re.compile(r"^revision(?:: str)? = ['\"]([^'\"]+)['\"]", re.MULTILINE)
_DOWN = re.compile(r"^down_revision(?:: [^=]+)? = (?:['\"]([^'\"]+)['\"]|None)", re.MULTILINE)


def alembic_config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    cfg.set_main_option("path_separator", "os")
    cfg.set_main_option("version_locations", str(HERE / "versions"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


@functools.cache
def _graph() -> dict[str, str | None]:
    """revision → down_revision, read from the script files."""
    graph: dict[str, str | None] = {}
    for path in sorted((HERE / "versions").glob("*.py")):
        source = path.read_text(encoding="utf-8")
        rev = _REVISION.search(source)
        down = _DOWN.search(source)
        if rev is None or down is None:
            raise RuntimeError(f"migration script without revision ids: {path.name}")
        graph[rev.group(1)] = down.group(1)
    return graph


def revisions() -> list[str]:
    """All revisions, oldest first."""
    graph = _graph()
    children = {down: rev for rev, down in graph.items()}
    order: list[str] = []
    current = children.get(None)
    while current is not None:
        order.append(current)
        current = children.get(current)
    if len(order) != len(graph):
        raise RuntimeError("migration history is not a single line")
    return order


def head_revision() -> str:
    return revisions()[-1]


def is_known(revision: str) -> bool:
    return revision in _graph()


def current_revision(connection: Connection) -> str | None:
    from sqlalchemy import text

    if not connection.dialect.has_table(connection, "alembic_version"):
        return None
    revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    return str(revision) if revision is not None else None


def upgrade(connection: Connection, target: str = "head") -> None:
    from alembic import command

    command.upgrade(alembic_config(connection), target)
