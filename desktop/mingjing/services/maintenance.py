"""Keeping the data sound: opening, checking, backing up, restoring."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select, text

from mingjing.config import DataLocation
from mingjing.domain.enums import RectificationState
from mingjing.domain.models import Rectification
from mingjing.services.profile import load_profile
from mingjing.storage import Database, backup
from mingjing.storage.audit import verify_chain
from mingjing.storage.errors import InputRefused
from mingjing.storage.precheck import inspect_sqlite_file, refuse_unknown_revision

log = logging.getLogger(__name__)


def open_database(location: DataLocation, *, migrate: bool = True) -> Database:
    """Open the database at ``location`` as the local profile."""
    from mingjing.services.roles import act_as_profile

    actor = load_profile(location.data_dir).display_name
    db = Database.open(location, actor=actor, migrate=migrate)
    act_as_profile(db, location.data_dir)
    return db


@dataclass
class CheckReport:
    """What ``mingjing check`` found; ``problems`` empty means all is well."""

    checked: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    audit_entries: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def check_database(db: Database) -> CheckReport:
    report = CheckReport()
    with db.read() as session:
        if db.is_sqlite:
            rows = session.execute(text("PRAGMA integrity_check")).all()
            if [tuple(r) for r in rows] != [("ok",)]:
                report.problems.append(
                    "数据库文件完整性检查未通过：" + "；".join(str(r[0]) for r in rows[:5])
                )
            report.checked.append("数据库文件完整性")
            fk = session.execute(text("PRAGMA foreign_key_check")).all()
            if fk:
                report.problems.append(
                    f"有 {len(fk)} 处引用指向不存在的记录（如表 {fk[0][0]} 第 {fk[0][1]} 行）"
                )
            report.checked.append("记录之间的引用")
        count, problem = verify_chain(session)
        report.audit_entries = count
        report.checked.append(f"审计记录链（{count} 条）")
        if problem is not None:
            report.problems.append(f"审计记录链断裂：{problem}")
        unsigned = session.scalar(
            select(text("count(*)"))
            .select_from(Rectification)
            .where(
                Rectification.state == RectificationState.SIGNED_OFF,
                Rectification.signed_off_by_id.is_(None),
                Rectification.imported_from == "",  # an old ledger's 销号, as it recorded it
            )
        )
        if unsigned:
            report.problems.append(f"有 {unsigned} 项整改已销号，但没有记录销号的领导")
        report.checked.append("销号记录")
    from mingjing.services.review_packages import verify_signatures

    forged = verify_signatures(db)
    report.checked.append("领导审阅意见的签名")
    if forged:
        report.problems.append(
            f"有 {len(forged)} 条领导审阅意见与领导的签名不符（数据库被改动过）："
            + "；".join(forged[:3])
        )
    return report


def backup_now(location: DataLocation, out: Path | None = None, *, overwrite: bool = False) -> Path:
    path = location.sqlite_path
    if path is None:
        raise InputRefused(
            "备份命令只适用于本机的 SQLite 数据库；服务器上的数据库请联系服务器管理员备份。"
        )
    if not path.exists():
        raise InputRefused(f"数据库 {path} 还不存在，没有可备份的内容。")
    refuse_unknown_revision(inspect_sqlite_file(path), str(path))
    if out is None:
        return backup.backup_sqlite_file(path, location.backups_dir, reason="manual")
    return backup.backup_to(path, out, overwrite=overwrite)


def daily_backup(location: DataLocation) -> Path | None:
    path = location.sqlite_path
    if path is None or not path.exists():
        return None
    return backup.daily_backup(path, location.backups_dir)


def restore_backup(
    location: DataLocation, source: Path, *, recovery_key: str | None = None
) -> Path | None:
    """Restore ``source``; an encrypted backup from elsewhere (another computer, or
    before the password was changed by removing and setting it) opens with the
    recovery key of the data it was taken from."""
    from mingjing.storage.protection import parse_recovery_key

    actor = load_profile(location.data_dir).display_name
    key = parse_recovery_key(recovery_key) if recovery_key else None
    return backup.restore(location, source, actor=actor, source_key=key)


def backup_needs_recovery_key(location: DataLocation, source: Path) -> bool:
    """An encrypted backup that the current data's key does not open."""
    from mingjing.storage import sqlcipher
    from mingjing.storage.errors import CorruptDatabase

    if not source.is_file() or not sqlcipher.looks_encrypted(source):
        return False
    path = location.sqlite_path
    current = sqlcipher.key_for(path) if path is not None else None
    try:
        backup.backup_key(source, current)
    except CorruptDatabase:
        return True
    return False
