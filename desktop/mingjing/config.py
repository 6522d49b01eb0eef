"""Where the data lives: the data folder, the database URL, backups and logs.

Resolution order (first wins): explicit arguments (``--data-dir``,
``--database``), the environment (``MINGJING_DATA_DIR``,
``MINGJING_DATABASE``), then the platform's user data folder. The default
database is one SQLite file inside the data folder.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "mingjing"
DATABASE_FILE = "mingjing.sqlite3"


@dataclass(frozen=True)
class DataLocation:
    data_dir: Path
    database_url: str

    @property
    def sqlite_path(self) -> Path | None:
        """The database file when the database is SQLite on disk, else ``None``."""
        return sqlite_path_of(self.database_url)

    @property
    def backups_dir(self) -> Path:
        return self.data_dir / "backups"

    @property
    def logs_dir(self) -> Path:
        return self.data_dir / "logs"

    @property
    def log_file(self) -> Path:
        return self.logs_dir / "mingjing.log"

    @property
    def evidence_dir(self) -> Path:
        return self.data_dir / "evidence"

    @property
    def materials_dir(self) -> Path:
        """Printed materials as they went out (see RenderedMaterial)."""
        return self.data_dir / "materials"

    def describe(self) -> str:
        """A short text for the status bar: the file, or the server without password."""
        path = self.sqlite_path
        if path is not None:
            return str(path)
        return redact_url(self.database_url)


def sqlite_path_of(url: str) -> Path | None:
    prefix = "sqlite:///"
    if not url.startswith(prefix):
        return None
    rest = url[len(prefix) :].split("?", 1)[0]
    if rest in ("", ":memory:"):
        return None
    return Path(rest)


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def redact_url(url: str) -> str:
    """Hide a password in ``scheme://user:password@host/db``."""
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest:
        return url
    credentials, _, host = rest.rpartition("@")
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}" if ":" in credentials else url


def default_data_dir() -> Path:
    """The local (not roaming) user data folder.

    Roaming profiles on Windows domain PCs are often redirected to a server
    share or copied at log-off; SQLite's WAL is unsafe on a network share and
    a copy can catch the database and its WAL out of step.
    """
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False, roaming=False))


def resolve_location(
    data_dir: str | os.PathLike[str] | None = None, database: str | None = None
) -> DataLocation:
    env = os.environ
    folder = Path(data_dir or env.get("MINGJING_DATA_DIR") or default_data_dir()).expanduser()
    url = database or env.get("MINGJING_DATABASE") or sqlite_url(folder.resolve() / DATABASE_FILE)
    return DataLocation(data_dir=folder.resolve(), database_url=url)
