"""The password on this computer's data: set, unlock, lock, change, remove, recover.

What a password protects (a stolen laptop reveals none of it):

- the database and its ``-wal`` (SQLCipher, see :mod:`mingjing.storage.protection`);
- every backup in ``backups/`` (the same data key);
- this computer's private keys (``keys/identity.pem``, sealed with the data
  key), so review files and hand-ins sealed to this computer stay closed;
- the kept 佐证材料 and printed materials (``evidence/``, ``materials/``,
  see :mod:`mingjing.storage.kept`); a copy opened in another program is
  written to a folder of the run's own and removed on locking and at exit;
- the overview kept for a quick start is not written at all.

Files the user saves elsewhere (a PDF, a hand-in on a USB stick) are theirs:
hand-ins and replies are sealed to the office anyway.

Everything here runs with the database closed (its pool disposed) and the
one-window lock held by the caller; the window reopens its connections on
the next read, keyed from :mod:`mingjing.storage.sqlcipher`.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

from mingjing.config import DataLocation
from mingjing.storage import kept, sqlcipher
from mingjing.storage import protection as store
from mingjing.storage.errors import EnvironmentFault, InputRefused

log = logging.getLogger(__name__)

password_problem = store.password_problem
"""Why a new password cannot be used (too short…), or ``None``."""

IDENTITY_FILE = Path("keys") / "identity.pem"
SNAPSHOT_FILE = Path("cache") / "overview.json"


@dataclass(frozen=True)
class Protection:
    """Whether this computer's data has a password, and whether it is open now."""

    available: bool
    """Only a local SQLite database can have one (not a shared server)."""
    password_set: bool
    unlocked: bool


def status(location: DataLocation) -> Protection:
    path = location.sqlite_path
    if path is None:
        return Protection(available=False, password_set=False, unlocked=True)
    # Not plain SQLite: encrypted (its key file may be missing: then only the
    # recovery key opens it, and the lock screen says so).
    encrypted = sqlcipher.looks_encrypted(path)
    return Protection(
        available=True,
        password_set=encrypted,
        unlocked=not encrypted or sqlcipher.key_for(path) is not None,
    )


def key_file_missing(location: DataLocation) -> bool:
    """The data is encrypted but the file that opens it with the password is gone."""
    path = location.sqlite_path
    return (
        path is not None
        and sqlcipher.looks_encrypted(path)
        and not sqlcipher.key_file(path).is_file()
    )


def _path(location: DataLocation) -> Path:
    path = location.sqlite_path
    if path is None:
        raise InputRefused(
            "只有保存在本机的数据库可以设置密码；服务器上的数据库由服务器管理员保护。"
        )
    return path


def _hold(location: DataLocation, key: bytes) -> None:
    sqlcipher.remember(key, _path(location), location.data_dir)


def unlock(location: DataLocation, password: str, *, finish: bool = True) -> None:
    """Check ``password`` and hold the data key for this run (:class:`WrongPassword`).

    ``finish``: then seal what is still in the clear (:func:`finish_sealing`);
    the window passes False and does that off the GUI thread.
    """
    path = _path(location)
    key = store.unlock(path, password)
    _hold(location, key)
    if finish:
        finish_sealing(location)


def finish_sealing(location: DataLocation) -> None:
    """Seal what is still in the clear (a setting of the password cut short, a
    file put back from elsewhere): the overview cache, the private keys, plain
    backups and kept files. Each is looked at by its first bytes; sealed ones
    are left as they are. Quick when nothing is left; the data must be unlocked."""
    from mingjing.storage.backup import list_backups

    key = sqlcipher.key_for(_path(location))
    if key is None:
        return
    try:
        (location.data_dir / SNAPSHOT_FILE).unlink(missing_ok=True)
        _reseal_identity(location, None, key)
        for item in list_backups(location.backups_dir):
            if not sqlcipher.looks_encrypted(item.path):
                _reseal_backups(location, key, key)  # the plain ones; sealed ones fit
                break
        _reseal_kept(location, None, key)
    except EnvironmentFault as exc:  # tried again at the next unlock
        log.warning("the data folder is not all sealed: %s", exc)


def recover(
    location: DataLocation, recovery_key: str, new_password: str, *, finish: bool = True
) -> None:
    """Open with the recovery key and set ``new_password`` (the key file is rewritten)."""
    path = _path(location)
    if not path.is_file():
        raise InputRefused(f"找不到数据库 {path}。")
    if not sqlcipher.looks_encrypted(path):
        raise InputRefused(f"数据库 {path} 没有设密码，无需用恢复密钥打开。")
    store.parse_recovery_key(recovery_key)  # a typo is told first
    problem = store.password_problem(new_password)
    if problem is not None:
        raise InputRefused(problem)
    key = store.unlock_with_recovery_key(path, recovery_key)
    store.write_key_file(path, key, new_password)
    _hold(location, key)
    if finish:
        finish_sealing(location)
    _record(location, "password-recovered")
    log.info("database %s opened with its recovery key; a new password was set", path)


def lock(location: DataLocation) -> None:
    """Forget the data key: nothing in this process can read the data until unlocked.

    The caller disposes the database's connections (``db.engine.dispose()``).
    """
    path = location.sqlite_path
    if path is not None:
        sqlcipher.lock(path, location.data_dir)
    kept.clear_opened()


def _held_key(location: DataLocation) -> bytes:
    key = sqlcipher.key_needed(_path(location))
    if key is None:
        raise InputRefused("本机数据还没有设置密码。")
    return key


def set_password(location: DataLocation, password: str) -> str:
    """Encrypt the data with a new password; returns the recovery key to write down.

    The database, every backup and this computer's private keys are
    encrypted; the overview cache is deleted.
    """
    path = _path(location)
    if not path.is_file():
        raise InputRefused(f"找不到数据库 {path}。")
    key = store.encrypt_database(path, password)
    _hold(location, key)
    _reseal_folder(location, None, key)
    _record(location, "password-set")
    log.info("a password was set on %s", path)
    return store.format_recovery_key(key)


def change_password(location: DataLocation, old_password: str, new_password: str) -> None:
    """A new password; the data key, the backups and the recovery key stay as they are."""
    path = _path(location)
    key = store.unlock(path, old_password)
    store.change_password(path, key, new_password)
    _hold(location, key)
    _record(location, "password-changed")
    log.info("the password of %s was changed", path)


def remove_password(location: DataLocation, password: str) -> None:
    """Write the data back in the clear (asks for the password once more)."""
    path = _path(location)
    key = store.unlock(path, password)
    # The files first: should this stop half-way, the database and its key
    # file are still there to open what is sealed (the other order could
    # leave sealed files beside a plain database, and no key).
    _reseal_folder(location, key, None)
    store.decrypt_database(path, key)
    sqlcipher.forget(path, location.data_dir)
    _record(location, "password-removed")
    log.info("the password was removed from %s", path)


def recovery_key(location: DataLocation, password: str) -> str:
    """The recovery key, shown again (asks for the password once more)."""
    return store.format_recovery_key(store.unlock(_path(location), password))


def save_recovery_key(location: DataLocation, password: str, out: Path) -> Path:
    """Write the recovery key to a text file the user keeps apart from the computer."""
    code = recovery_key(location, password)
    text = (
        "明镜 数据库恢复密钥\n\n"
        f"数据库：{_path(location)}\n"
        f"恢复密钥：{code}\n\n"
        "忘记密码时，用这个恢复密钥可以打开数据并设置新密码。\n"
        "请把这张纸或这个文件和电脑分开保管：拿到它的人不需要密码就能读取数据。\n"
    )
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputRefused(f"无法写入 {out}（{exc.strerror}）。") from exc
    return out


def _record(location: DataLocation, action: str) -> None:
    """The change of protection in the audit trail (who, when; never a secret)."""
    from mingjing.services.profile import load_profile
    from mingjing.storage import Database, audit

    actor = load_profile(location.data_dir).display_name
    db = Database.open(location, actor=actor, migrate=False)
    try:
        with db.engine.begin() as conn:
            audit.append_entry(
                conn,
                actor=actor,
                action=action,
                entity="database",
                entity_id=_path(location).name,
                changes={},
            )
    finally:
        db.engine.dispose()


def _reseal_kept(location: DataLocation, old: bytes | None, new: bytes | None) -> None:
    for folder in (location.evidence_dir, location.materials_dir):
        count = kept.reseal_tree(folder, kept.file_key(old), kept.file_key(new))
        if count:
            log.info("%d kept files in %s %s", count, folder, "sealed" if new else "unsealed")


def _reseal_backups(location: DataLocation, old: bytes | None, new: bytes | None) -> None:
    from mingjing.storage.backup import backup_key, copy_database, list_backups

    for item in list_backups(location.backups_dir):
        try:
            current = backup_key(item.path, old)
        except InputRefused as exc:  # a backup of another key: left as it is, and said
            log.warning("backup %s left as it is: %s", item.path, exc)
            continue
        if current == new:
            continue
        copy_database(item.path, item.path, source_key=current, target_key=new)
        for suffix in ("-wal", "-shm"):
            Path(str(item.path) + suffix).unlink(missing_ok=True)
    for stray in location.backups_dir.glob("*.partial") if location.backups_dir.is_dir() else []:
        os.unlink(stray)


def _reseal_identity(location: DataLocation, old: bytes | None, new: bytes | None) -> None:
    identity = location.data_dir / IDENTITY_FILE
    if not identity.is_file():
        return
    if new is not None and store.is_sealed(identity.read_bytes()):
        return  # already sealed (sealing twice would lock it under itself)
    store.rewrite_sealed(identity, old, new)


def _reseal_folder(location: DataLocation, old: bytes | None, new: bytes | None) -> None:
    """Bring the backups, the private keys and the kept files under the new key
    (or into the clear).

    Sealing: the small and secret first (the overview cache, the private keys,
    the backups), the kept files — the slowest, the likeliest to meet a full
    disk — last; what is cut short is finished at the next unlock. Unsealing:
    the other way round, the private keys last, so a stop half-way leaves
    them sealed beside a database the password still opens.
    """
    if new is not None:
        (location.data_dir / SNAPSHOT_FILE).unlink(missing_ok=True)
        _reseal_identity(location, old, new)
        _reseal_backups(location, old, new)
        _reseal_kept(location, old, new)
    else:
        _reseal_kept(location, old, new)
        _reseal_backups(location, old, new)
        _reseal_identity(location, old, new)
