"""Engine, sessions, migrations, backups and the audit trail.

The only package that opens database sessions. Everything above it receives
a :class:`~mingjing.storage.database.Database` and asks it for a transaction.

The names below are loaded on first use, so ``mingjing.storage.errors`` and
``mingjing.storage.precheck`` can be imported at start-up without paying for
SQLAlchemy.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mingjing.storage import backup as backup
    from mingjing.storage.database import Database as Database

from mingjing.storage.errors import (
    CorruptDatabase,
    DatabaseInUse,
    EnvironmentFault,
    ForeignDatabase,
    NewerDatabase,
    StorageError,
)

__all__ = [
    "CorruptDatabase",
    "Database",
    "DatabaseInUse",
    "EnvironmentFault",
    "ForeignDatabase",
    "NewerDatabase",
    "StorageError",
    "backup",
]


def __getattr__(name: str) -> Any:
    if name == "Database":
        return importlib.import_module("mingjing.storage.database").Database
    if name == "backup":
        return importlib.import_module("mingjing.storage.backup")
    raise AttributeError(name)
