"""A writer killed with SIGKILL at random moments loses nothing it committed."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select, text

from mingjing.config import DataLocation
from mingjing.domain.models import Unit
from mingjing.storage import Database, backup
from mingjing.storage.audit import verify_chain

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")

WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from mingjing.domain.models import Unit
    from mingjing.storage import Database, backup
    db = Database.open(sys.argv[1], actor="写入进程")
    i = int(sys.argv[2])
    backups = Path(sys.argv[3])
    while True:
        with db.transaction() as s:
            s.add(Unit(name=f"记录{i}", short_name="x" * (i % 300)))
        print(i, flush=True)  # only after the commit returned
        if i % 25 == 0:  # kills also land in checkpoints and backups
            with db.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            backup.backup_sqlite_file(db.sqlite_path, backups, reason="crash-test")
        i += 1
    """
)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    desktop = str(Path(__file__).resolve().parents[2] / "desktop")
    env["PYTHONPATH"] = desktop + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _kill_loop(location: DataLocation, kills: int, seed: int) -> set[int]:
    rng = random.Random(seed)
    acknowledged: set[int] = set()
    next_id = 0
    for _ in range(kills):
        proc = subprocess.Popen(
            [
                sys.executable,
                "-c",
                WRITER,
                location.database_url,
                str(next_id),
                str(location.backups_dir),
            ],
            stdout=subprocess.PIPE,
            text=True,
            env=_env(),
        )
        assert proc.stdout is not None
        lines: list[str] = []
        reader = threading.Thread(target=lines.extend, args=(proc.stdout,))
        reader.start()
        # Wait until it writes, then kill it at a random moment.
        deadline = time.monotonic() + 30
        while not lines and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.01)
        time.sleep(rng.uniform(0.0, 1.0))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        reader.join()
        done = {int(line) for line in lines if line.strip()}
        assert done, "the writer never committed"
        acknowledged |= done
        next_id = max(done) + 1000  # ids of a later run never collide
    return acknowledged


def _check(location: DataLocation, acknowledged: set[int]) -> None:
    with Database.open(location, actor="检查") as db, db.read() as s:
        assert s.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        names = set(s.scalars(select(Unit.name)))
        _, problem = verify_chain(s)
    missing = sorted(i for i in acknowledged if f"记录{i}" not in names)
    assert not missing, f"committed but lost: {missing[:10]}"
    assert problem is None
    # A backup interrupted by the kill never looks like a finished one.
    made = backup.list_backups(location.backups_dir)
    assert made, "no backup was taken during the test"
    for b in made:
        assert backup.check_backup_file(b.path) is not None


def test_sigkill_loses_no_committed_record(location: DataLocation) -> None:
    Database.open(location, actor="准备").close()
    _check(location, _kill_loop(location, kills=4, seed=1))


@pytest.mark.slow
def test_sigkill_fifty_times(location: DataLocation) -> None:
    Database.open(location, actor="准备").close()
    _check(location, _kill_loop(location, kills=50, seed=2))
