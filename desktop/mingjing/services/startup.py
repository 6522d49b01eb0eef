"""The first, cheap step of opening the window (no SQLAlchemy imported).

:func:`prepare` refuses a database we must not open (damaged, not ours,
from a newer Mingjing), takes the one-window lock, and finds the overview
snapshot, all in a few milliseconds. The window shows at once; the database
layer is loaded and opened afterwards, off the GUI thread
(:meth:`Workspace.open`).
"""

from __future__ import annotations

from dataclasses import dataclass

from mingjing.config import DataLocation
from mingjing.services.overview import Summary, load_snapshot
from mingjing.storage import sqlcipher
from mingjing.storage.precheck import (
    DatabaseLock,
    inspect_sqlite_file,
    refuse_unknown_revision,
    translate_error,
)


@dataclass
class Prepared:
    location: DataLocation
    lock: DatabaseLock | None
    snapshot: Summary | None

    def release(self) -> None:
        if self.lock is not None and self.lock.held:
            self.lock.release()


def prepare(location: DataLocation, *, exclusive: bool = True) -> Prepared:
    """Raises the services' ``EnvironmentFault`` kinds; nothing on disk is changed then.

    An encrypted database whose key is not held is not looked into: its
    revision is checked once the password is given (:meth:`Workspace.open`).
    """
    path = location.sqlite_path
    lock: DatabaseLock | None = None
    if path is not None:
        # Encrypted (or its key file lost: the lock screen offers the recovery key).
        locked = sqlcipher.looks_encrypted(path) and sqlcipher.key_for(path) is None
        if path.exists() and not locked:
            refuse_unknown_revision(inspect_sqlite_file(path), str(path))
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise translate_error(exc, str(path.parent)) or exc from exc
        if exclusive:
            lock = DatabaseLock(path)
            lock.acquire()
    return Prepared(location, lock, load_snapshot(location))
