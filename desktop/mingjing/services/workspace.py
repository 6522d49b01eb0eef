"""The open data of this program run: where it lives, the database, who acts.

The window holds one :class:`Workspace` and hands ``workspace.db`` to the
service functions; it never needs to know what a database is.
"""

from __future__ import annotations

from dataclasses import dataclass

from mingjing.config import DataLocation
from mingjing.services.profile import Profile, load_profile
from mingjing.services.roles import act_as_profile
from mingjing.storage import Database
from mingjing.storage.precheck import DatabaseLock


@dataclass
class Workspace:
    location: DataLocation
    db: Database
    profile: Profile

    @classmethod
    def open(
        cls, location: DataLocation, *, exclusive: bool = False, lock: DatabaseLock | None = None
    ) -> Workspace:
        """Open (create, migrate) the database; with ``exclusive`` hold it for this process.

        ``lock`` is one already taken by :func:`mingjing.services.startup.prepare`;
        the workspace keeps it and releases it on :meth:`close`. Raises the
        services' :class:`EnvironmentFault` kinds with a message for the
        user; nothing is changed in that case.
        """
        profile = load_profile(location.data_dir)
        db = Database.open(location, actor=profile.display_name, lock=lock)
        act_as_profile(db, location.data_dir)
        try:
            if lock is None and exclusive:
                db.acquire_exclusive()
        except BaseException:
            db.close()
            raise
        return cls(location, db, profile)

    def close(self) -> None:
        self.db.close()
