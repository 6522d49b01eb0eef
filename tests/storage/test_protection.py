"""The database password: encrypted at rest, wrong passwords and damaged key files
refused with the file named and nothing changed, the recovery key, backups."""

from __future__ import annotations

import errno
import hashlib
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from mingjing.config import DataLocation
from mingjing.domain.models import Unit
from mingjing.storage import Database, backup, protection, sqlcipher
from mingjing.storage.errors import (
    CorruptDatabase,
    DatabaseLocked,
    DiskFull,
    InputRefused,
    WrongPassword,
)
from mingjing.storage.precheck import inspect_sqlite_file

SECRET = "岚川县机密事项甲"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _units(db: Database) -> list[str]:
    with db.read() as s:
        return sorted(s.scalars(select(Unit.name)).all())


@pytest.fixture
def plain(location: DataLocation) -> Path:
    """A closed, plain database holding one unit named :data:`SECRET`."""
    db = Database.open(location, actor="测试员")
    with db.transaction() as s:
        s.add(Unit(name=SECRET))
    db.close()
    path = location.sqlite_path
    assert path is not None
    return path


def _open(location: DataLocation, key: bytes) -> Database:
    assert location.sqlite_path is not None
    sqlcipher.remember(key, location.sqlite_path)
    return Database.open(location, actor="测试员")


def test_encrypted_file_reveals_nothing_and_opens_with_the_key(
    plain: Path, location: DataLocation
) -> None:
    assert SECRET.encode() in plain.read_bytes()
    key = protection.encrypt_database(plain, "正确的密码123")
    blob = plain.read_bytes()
    assert not blob.startswith(sqlcipher.SQLITE_MAGIC)
    assert SECRET.encode() not in blob
    assert not Path(str(plain) + "-wal").exists()
    doc = json.loads(sqlcipher.key_file(plain).read_text())
    assert doc["format"] == protection.KEY_FORMAT and "wrapped" in doc
    assert key.hex() not in sqlcipher.key_file(plain).read_text()
    with pytest.raises(DatabaseLocked):
        Database.open(location, actor="测试员")
    db = _open(location, protection.unlock(plain, "正确的密码123"))
    try:
        assert _units(db) == [SECRET]
        with db.transaction() as s:
            s.add(Unit(name="乙"))
        assert _units(db) == sorted([SECRET, "乙"])
    finally:
        db.close()
    assert "乙".encode() not in plain.read_bytes()


def test_wrong_password_is_refused_and_changes_nothing(plain: Path) -> None:
    protection.encrypt_database(plain, "正确的密码123")
    before = (_digest(plain), _digest(sqlcipher.key_file(plain)))
    with pytest.raises(WrongPassword, match="密码错误"):
        protection.unlock(plain, "错误的密码123")
    assert (_digest(plain), _digest(sqlcipher.key_file(plain))) == before
    assert sqlcipher.key_for(plain) is None


@pytest.mark.parametrize(
    "damage",
    [
        lambda doc: "不是 JSON",
        lambda doc: json.dumps({**doc, "format": "别的东西"}),
        lambda doc: json.dumps({**doc, "nonce": "***"}),
        lambda doc: json.dumps({**doc, "kdf": {**doc["kdf"], "n": 2**40}}),
    ],
)
def test_damaged_key_file_is_named_and_points_to_the_recovery_key(
    plain: Path, damage: object
) -> None:
    protection.encrypt_database(plain, "正确的密码123")
    keyfile = sqlcipher.key_file(plain)
    keyfile.write_text(damage(json.loads(keyfile.read_text())))  # type: ignore[operator]
    before = _digest(plain)
    with pytest.raises(InputRefused) as caught:
        protection.unlock(plain, "正确的密码123")
    assert str(keyfile) in str(caught.value) and "恢复密钥" in str(caught.value)
    assert _digest(plain) == before


def test_a_key_file_from_a_newer_program_says_so(plain: Path) -> None:
    protection.encrypt_database(plain, "正确的密码123")
    keyfile = sqlcipher.key_file(plain)
    keyfile.write_text(json.dumps({**json.loads(keyfile.read_text()), "version": 9}))
    with pytest.raises(InputRefused, match="更新版本"):
        protection.unlock(plain, "正确的密码123")


def test_a_key_file_of_another_database_does_not_fit(tmp_path: Path, plain: Path) -> None:
    protection.encrypt_database(plain, "正确的密码123")
    other = tmp_path / "other" / "mingjing.sqlite3"
    other_db = Database.open(f"sqlite:///{other}", actor="测试员")
    other_db.close()
    protection.encrypt_database(other, "正确的密码123")
    sqlcipher.key_file(plain).write_bytes(sqlcipher.key_file(other).read_bytes())
    with pytest.raises(WrongPassword, match="不相配"):
        protection.unlock(plain, "正确的密码123")


def test_missing_key_file_is_explained(plain: Path) -> None:
    protection.encrypt_database(plain, "正确的密码123")
    sqlcipher.key_file(plain).unlink()
    with pytest.raises(CorruptDatabase, match="password recover"):
        inspect_sqlite_file(plain)
    with pytest.raises(InputRefused, match="不见了"):
        protection.unlock(plain, "正确的密码123")


def test_recovery_key_round_trip_and_typos(plain: Path, location: DataLocation) -> None:
    key = protection.encrypt_database(plain, "正确的密码123")
    code = protection.format_recovery_key(key)
    groups = code.split("-")
    assert len(groups) == 14 and all(len(g) == 4 for g in groups)
    assert not set(code) & set("01IO")
    assert protection.parse_recovery_key(code.lower().replace("-", " ")) == key
    # Typed with a Chinese input method: full-width letters and dashes.
    full_width = "".join(chr(ord(c) + 0xFEE0) if c != "-" else "－" for c in code)
    assert protection.parse_recovery_key(full_width) == key
    with pytest.raises(WrongPassword, match="没有 O"):
        protection.parse_recovery_key("O" + code[1:])
    typo = ("B" if code[0] != "B" else "C") + code[1:]
    with pytest.raises(WrongPassword, match="输错"):
        protection.parse_recovery_key(typo)
    with pytest.raises(WrongPassword, match="56 个"):
        protection.parse_recovery_key(code[:-5])
    # The key file lost: the recovery key alone opens the data and sets a new password.
    sqlcipher.key_file(plain).unlink()
    found = protection.unlock_with_recovery_key(plain, code)
    protection.write_key_file(plain, found, "新的密码456")
    db = _open(location, protection.unlock(plain, "新的密码456"))
    try:
        assert _units(db) == [SECRET]
    finally:
        db.close()


def test_recovery_key_of_another_database_is_refused(plain: Path) -> None:
    protection.encrypt_database(plain, "正确的密码123")
    stranger = protection.format_recovery_key(bytes(range(32)))
    before = _digest(plain)
    with pytest.raises(WrongPassword, match="不是这个数据库的"):
        protection.unlock_with_recovery_key(plain, stranger)
    assert _digest(plain) == before


def test_a_password_is_the_same_however_it_was_typed(plain: Path) -> None:
    import unicodedata

    protection.encrypt_database(plain, "café-密码１２３")  # composed é, full-width digits
    typed = unicodedata.normalize("NFD", "café-密码123")
    assert protection.unlock(plain, typed)


def test_a_changed_wrapped_key_is_damage_not_a_wrong_password(plain: Path) -> None:
    protection.encrypt_database(plain, "正确的密码123")
    keyfile = sqlcipher.key_file(plain)
    doc = json.loads(keyfile.read_text())
    doc["wrapped"] = doc["wrapped"][:-6] + (
        "AAAAAA" if doc["wrapped"][-6:] != "AAAAAA" else "BBBBBB"
    )
    keyfile.write_text(json.dumps(doc))
    with pytest.raises(InputRefused, match="校验不符"):
        protection.unlock(plain, "正确的密码123")


def test_change_password_keeps_the_data_key(plain: Path) -> None:
    key = protection.encrypt_database(plain, "正确的密码123")
    before = _digest(plain)
    protection.change_password(plain, key, "新的密码456")
    assert _digest(plain) == before  # only the key file was rewritten
    with pytest.raises(WrongPassword):
        protection.unlock(plain, "正确的密码123")
    assert protection.unlock(plain, "新的密码456") == key


def test_short_password_refused_before_anything_changes(plain: Path) -> None:
    before = _digest(plain)
    with pytest.raises(InputRefused, match="至少"):
        protection.encrypt_database(plain, "12345")
    assert _digest(plain) == before and not sqlcipher.key_file(plain).exists()


def test_decrypt_puts_it_back_in_the_clear(plain: Path, location: DataLocation) -> None:
    key = protection.encrypt_database(plain, "正确的密码123")
    protection.decrypt_database(plain, key)
    assert plain.read_bytes().startswith(sqlcipher.SQLITE_MAGIC)
    assert not sqlcipher.key_file(plain).exists()
    db = Database.open(location, actor="测试员")
    try:
        assert _units(db) == [SECRET]
    finally:
        db.close()


def test_a_full_disk_while_encrypting_changes_nothing(
    plain: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _digest(plain)

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(protection, "copy_database", full)
    with pytest.raises(DiskFull):
        protection.encrypt_database(plain, "正确的密码123")
    assert _digest(plain) == before
    assert not sqlcipher.key_file(plain).exists()
    assert not list(plain.parent.glob("*.rekeying*"))


def test_locking_again_stops_every_new_connection(plain: Path, location: DataLocation) -> None:
    key = protection.encrypt_database(plain, "正确的密码123")
    db = _open(location, key)
    try:
        assert _units(db) == [SECRET]
        sqlcipher.forget(plain)
        db.engine.dispose()
        with pytest.raises(DatabaseLocked, match="已锁定"):
            _units(db)
        sqlcipher.remember(key, plain)
        assert _units(db) == [SECRET]
    finally:
        db.close()


def test_backups_stay_encrypted_and_restore_keeps_the_key(
    plain: Path, location: DataLocation, tmp_path: Path
) -> None:
    old_plain_backup = backup.backup_sqlite_file(plain, tmp_path / "old", reason="manual")
    key = protection.encrypt_database(plain, "正确的密码123")
    sqlcipher.remember(key, plain)
    made = backup.backup_sqlite_file(plain, location.backups_dir, reason="manual")
    assert SECRET.encode() not in made.read_bytes()
    assert not made.read_bytes().startswith(sqlcipher.SQLITE_MAGIC)
    assert backup.check_backup_file(made, key) is not None
    with pytest.raises(CorruptDatabase, match="密钥"):
        backup.check_backup_file(made, None)
    daily = backup.daily_backup(plain, location.backups_dir)
    assert daily is not None and SECRET.encode() not in daily.read_bytes()
    # An old backup from before the password is encrypted on its way in.
    backup.restore(location, old_plain_backup, actor="测试员")
    assert sqlcipher.is_encrypted(plain)
    assert SECRET.encode() not in plain.read_bytes()
    db = Database.open(location, actor="测试员")
    try:
        assert _units(db) == [SECRET]
    finally:
        db.close()


def test_an_encrypted_backup_restores_elsewhere_with_its_recovery_key(
    plain: Path, location: DataLocation, tmp_path: Path
) -> None:
    from mingjing.config import resolve_location

    key = protection.encrypt_database(plain, "正确的密码123")
    sqlcipher.remember(key, plain)
    made = backup.backup_sqlite_file(plain, tmp_path / "stick", reason="manual")
    elsewhere = resolve_location(tmp_path / "new-laptop")
    Database.open(elsewhere, actor="测试员").close()
    with pytest.raises(CorruptDatabase, match="恢复密钥"):
        backup.restore(elsewhere, made, actor="测试员")
    with pytest.raises(CorruptDatabase):
        backup.restore(elsewhere, made, actor="测试员", source_key=bytes(32))
    backup.restore(elsewhere, made, actor="测试员", source_key=key)
    db = Database.open(elsewhere, actor="测试员")
    try:
        assert _units(db) == [SECRET]
    finally:
        db.close()
