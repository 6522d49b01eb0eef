"""Engine, sessions, migrations, backups and the audit trail.

The only package that opens database sessions. Everything above it receives
a :class:`~mingjing.storage.database.Database` and asks it for a transaction.
"""

from mingjing.storage.database import Database
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
]
