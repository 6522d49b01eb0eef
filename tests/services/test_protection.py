"""The password on this computer's data: what it covers, and the ways back."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from mingjing.config import DataLocation
from mingjing.domain.models import Unit
from mingjing.services import protection
from mingjing.services.identity import KEY_FILE, load_identity
from mingjing.storage import Database, backup, kept, sqlcipher
from mingjing.storage import protection as store
from mingjing.storage.errors import DatabaseLocked, InputRefused, WrongPassword

SECRET = "岚川县机密事项乙"


@pytest.fixture
def data(location: DataLocation) -> DataLocation:
    """A closed database with one unit, this computer's keys, a backup, the overview cache."""
    db = Database.open(location, actor="测试员")
    with db.transaction() as s:
        s.add(Unit(name=SECRET))
    db.close()
    assert location.sqlite_path is not None
    load_identity(location.data_dir)
    backup.backup_sqlite_file(location.sqlite_path, location.backups_dir, reason="manual")
    cache = location.data_dir / protection.SNAPSHOT_FILE
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text(f'{{"summary": "{SECRET}"}}', encoding="utf-8")
    for folder, name in (
        (location.evidence_dir, "ab/ab12.jpg"),
        (location.materials_dir, "cd34.pdf"),
    ):
        kept_file = folder / name
        kept_file.parent.mkdir(parents=True, exist_ok=True)
        kept_file.write_bytes(SECRET.encode() * 3)
    return location


def _key(location: DataLocation) -> bytes | None:
    """The key of the kept files (the same for both folders)."""
    return kept.key_of(location.evidence_dir)


def _kept_files(location: DataLocation) -> list[Path]:
    return _every_file(location.evidence_dir) + _every_file(location.materials_dir)


def _every_file(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


def _units(location: DataLocation) -> list[str]:
    db = Database.open(location, actor="测试员")
    try:
        with db.read() as s:
            return list(s.scalars(select(Unit.name)).all())
    finally:
        db.close()


def test_a_password_leaves_nothing_readable_in_the_data_folder(data: DataLocation) -> None:
    fingerprint = load_identity(data.data_dir).public.fingerprint
    assert protection.status(data) == protection.Protection(True, False, True)
    code = protection.set_password(data, "正确的密码123")
    assert protection.status(data) == protection.Protection(True, True, True)
    for path in _every_file(data.data_dir):
        blob = path.read_bytes()
        assert SECRET.encode() not in blob, path
        assert b"PRIVATE KEY" not in blob, path
    assert not (data.data_dir / protection.SNAPSHOT_FILE).exists()
    assert len(_kept_files(data)) == 2
    for path in _kept_files(data):  # the evidence and the printed materials
        assert kept.read(path, _key(data)) == SECRET.encode() * 3
    # Locked: neither the data nor this computer's keys nor the kept files can be used.
    protection.lock(data)
    for path in _kept_files(data):
        with pytest.raises(DatabaseLocked):
            kept.read(path, _key(data))
    assert protection.status(data).unlocked is False
    with pytest.raises(DatabaseLocked):
        _units(data)
    with pytest.raises(DatabaseLocked):
        load_identity(data.data_dir)
    with pytest.raises(WrongPassword):
        protection.unlock(data, "错误的密码")
    protection.unlock(data, "正确的密码123")
    assert _units(data) == [SECRET]
    assert load_identity(data.data_dir).public.fingerprint == fingerprint
    assert protection.recovery_key(data, "正确的密码123") == code
    with pytest.raises(WrongPassword):
        protection.recovery_key(data, "错误的密码")


def test_a_new_identity_made_while_protected_is_sealed(data: DataLocation) -> None:
    protection.set_password(data, "正确的密码123")
    (data.data_dir / KEY_FILE).unlink()
    made = load_identity(data.data_dir)
    assert b"PRIVATE KEY" not in (data.data_dir / KEY_FILE).read_bytes()
    assert load_identity(data.data_dir).public == made.public


def test_remove_password_puts_everything_back_in_the_clear(data: DataLocation) -> None:
    fingerprint = load_identity(data.data_dir).public.fingerprint
    protection.set_password(data, "正确的密码123")
    with pytest.raises(WrongPassword):
        protection.remove_password(data, "错误的密码")
    assert protection.status(data).password_set
    protection.remove_password(data, "正确的密码123")
    assert protection.status(data) == protection.Protection(True, False, True)
    assert b"PRIVATE KEY" in (data.data_dir / KEY_FILE).read_bytes()
    for item in backup.list_backups(data.backups_dir):
        assert item.path.read_bytes().startswith(sqlcipher.SQLITE_MAGIC)
    for path in _kept_files(data):
        assert path.read_bytes() == SECRET.encode() * 3
    sqlcipher.forget_all()
    assert _units(data) == [SECRET]
    assert load_identity(data.data_dir).public.fingerprint == fingerprint


def test_forgotten_password_recovered_with_the_recovery_key(data: DataLocation) -> None:
    code = protection.set_password(data, "正确的密码123")
    protection.lock(data)
    with pytest.raises(InputRefused, match="至少"):
        protection.recover(data, code, "短")
    with pytest.raises(WrongPassword):
        protection.recover(
            data, code.replace(code[5], "Z" if code[5] != "Z" else "Y", 1), "新的密码456"
        )
    protection.recover(data, code, "新的密码456")
    assert _units(data) == [SECRET]
    protection.lock(data)
    protection.unlock(data, "新的密码456")
    assert protection.recovery_key(data, "新的密码456") == code


def test_change_password(data: DataLocation) -> None:
    protection.set_password(data, "正确的密码123")
    with pytest.raises(WrongPassword):
        protection.change_password(data, "错误的密码", "新的密码456")
    protection.change_password(data, "正确的密码123", "新的密码456")
    protection.lock(data)
    with pytest.raises(WrongPassword):
        protection.unlock(data, "正确的密码123")
    protection.unlock(data, "新的密码456")
    assert _units(data) == [SECRET]


def test_every_change_of_protection_is_in_the_audit_trail(data: DataLocation) -> None:
    from mingjing.domain.models import AuditEntry
    from mingjing.storage.audit import verify_chain

    code = protection.set_password(data, "正确的密码123")
    protection.change_password(data, "正确的密码123", "新的密码456")
    protection.recover(data, code, "再换一个789")
    protection.remove_password(data, "再换一个789")
    db = Database.open(data, actor="测试员")
    try:
        with db.read() as s:
            actions = s.scalars(
                select(AuditEntry.action)
                .where(AuditEntry.entity == "database")
                .order_by(AuditEntry.seq)
            ).all()
        assert actions == [
            "password-set",
            "password-changed",
            "password-recovered",
            "password-removed",
        ]
        with db.read() as s:
            checked, problem = verify_chain(s)
        assert problem is None and checked > 4
    finally:
        db.close()


def test_recovery_key_file(data: DataLocation, tmp_path: Path) -> None:
    code = protection.set_password(data, "正确的密码123")
    out = protection.save_recovery_key(data, "正确的密码123", tmp_path / "恢复密钥.txt")
    text = out.read_text(encoding="utf-8")
    assert code in text and "分开保管" in text


def test_a_server_database_cannot_have_one(tmp_path: Path) -> None:
    from mingjing.config import resolve_location

    server = resolve_location(tmp_path, "postgresql+psycopg://u@h/db")
    assert protection.status(server).available is False
    with pytest.raises(InputRefused, match="服务器"):
        protection.set_password(server, "正确的密码123")


def test_backup_of_another_key_is_left_and_logged(
    data: DataLocation, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    other = tmp_path / "other.sqlite3"
    Database.open(f"sqlite:///{other}", actor="测试员").close()
    store.encrypt_database(other, "别人的密码123")
    stranger = data.backups_dir / "mingjing-20250101-090000-manual.sqlite3"
    stranger.write_bytes(other.read_bytes())
    before = stranger.read_bytes()
    protection.set_password(data, "正确的密码123")
    assert stranger.read_bytes() == before
    assert any("left as it is" in r.getMessage() for r in caplog.records)


def test_a_kept_file_left_plain_is_sealed_at_the_next_unlock(data: DataLocation) -> None:
    """A setting of the password cut short after the database, or a file put back
    from elsewhere: sealed once the data key is at hand again."""
    protection.set_password(data, "正确的密码123")
    protection.lock(data)
    stray = data.evidence_dir / "ef" / "ef56.pdf"
    stray.parent.mkdir(parents=True)
    stray.write_bytes(SECRET.encode())
    protection.unlock(data, "正确的密码123")
    assert SECRET.encode() not in stray.read_bytes()
    assert kept.read(stray, kept.key_of(data.evidence_dir)) == SECRET.encode()


def test_a_removal_cut_short_after_the_files_leaves_everything_readable(
    data: DataLocation, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The files are put back in the clear before the database: a stop between
    the two leaves a still-encrypted database whose password opens all."""
    protection.set_password(data, "正确的密码123")

    def cut(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store, "decrypt_database", cut)
    with pytest.raises(OSError, match="No space"):
        protection.remove_password(data, "正确的密码123")
    monkeypatch.undo()
    sqlcipher.forget_all()
    assert protection.status(data).password_set
    protection.unlock(data, "正确的密码123")
    assert _units(data) == [SECRET]
    for path in _kept_files(data):
        assert kept.read(path, _key(data)) == SECRET.encode() * 3


def test_a_setting_cut_short_in_the_kept_files_leaves_no_secret_after_unlock(
    data: DataLocation, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The kept files are sealed last (the slowest step, the likeliest to meet a
    full disk); the backups, the keys and the cache are sealed before, and what
    was cut short is finished at the next unlock."""

    def full(*args: object, **kwargs: object) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(kept, "reseal_tree", full)
    with pytest.raises(OSError, match="No space"):
        protection.set_password(data, "正确的密码123")
    monkeypatch.undo()
    for path in [*_every_file(data.backups_dir), data.data_dir / KEY_FILE]:
        assert SECRET.encode() not in path.read_bytes() and b"PRIVATE KEY" not in path.read_bytes()
    assert not (data.data_dir / protection.SNAPSHOT_FILE).exists()
    sqlcipher.forget_all()
    protection.unlock(data, "正确的密码123")
    for path in _every_file(data.data_dir):
        assert SECRET.encode() not in path.read_bytes(), path


def test_a_removal_stopped_by_a_bad_backup_keeps_the_private_keys_sealed(
    data: DataLocation, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Unsealing goes the other way: the private keys come out last."""
    protection.set_password(data, "正确的密码123")

    def broken(*args: object, **kwargs: object) -> None:
        raise InputRefused("备份无法改写")

    monkeypatch.setattr(protection, "_reseal_backups", broken)
    with pytest.raises(InputRefused):
        protection.remove_password(data, "正确的密码123")
    monkeypatch.undo()
    assert b"PRIVATE KEY" not in (data.data_dir / KEY_FILE).read_bytes()
    assert protection.status(data).password_set


def test_a_damaged_kept_file_does_not_block_removing_the_password(data: DataLocation) -> None:
    protection.set_password(data, "正确的密码123")
    (victim,) = _every_file(data.materials_dir)
    victim.write_bytes(victim.read_bytes()[:-4])
    protection.remove_password(data, "正确的密码123")
    assert not protection.status(data).password_set
    (evidence,) = _every_file(data.evidence_dir)
    assert evidence.read_bytes() == SECRET.encode() * 3
