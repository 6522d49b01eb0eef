"""The two kinds of failure (after qutebrowser's ``misc/sql.py``).

:class:`EnvironmentFault` and its children are the environment's fault — a
full disk, a read-only folder, a file another program holds, a database
from a newer program. They carry a Chinese sentence for the user and change
nothing. Anything else escaping ``storage`` is a bug and is reported as one.
"""

from __future__ import annotations


class StorageError(Exception):
    """Base of everything ``mingjing.storage`` raises on purpose."""


class EnvironmentFault(StorageError):
    """Not a bug: tell the user what is wrong with their disk, file or server."""


class DiskFull(EnvironmentFault):
    pass


class ReadOnlyLocation(EnvironmentFault):
    pass


class UnusablePath(EnvironmentFault):
    """A path that cannot be written where it points: a file on the way, a folder at the end."""


class DiskIOError(EnvironmentFault):
    pass


class DatabaseBusy(EnvironmentFault):
    pass


class DamagedDatabase(EnvironmentFault):
    """The live database is damaged; the message points to the backups."""


class DatabaseInUse(EnvironmentFault):
    """Another Mingjing window holds the database."""


class DatabaseLocked(EnvironmentFault):
    """The database is encrypted and this process does not hold its key (yet, or any more)."""


class InputRefused(EnvironmentFault):
    """A file given to us cannot be used; nothing was changed (exit code 3)."""


class BadDatabaseAddress(InputRefused):
    """``--database`` is not an address Mingjing can use."""


class NewerDatabase(InputRefused):
    """The database was written by a newer Mingjing; it is left untouched."""


class ForeignDatabase(InputRefused):
    """The file is a database, but not one of Mingjing's."""


class CorruptDatabase(InputRefused):
    """The file is not a readable SQLite database (damaged or something else)."""


class WrongPassword(InputRefused):
    """The password (or recovery key) given does not open the database; nothing changed."""
