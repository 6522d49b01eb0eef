"""Kept files (evidence, printed materials) sealed with the data key: round trips,
damage of every kind refused, conversion both ways, plain copies for viewers."""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

import pytest

from mingjing.storage import kept, sqlcipher
from mingjing.storage.errors import DatabaseLocked, InputRefused

KEY = bytes(range(32))
SECRET = "诫勉谈话记录（虚构）".encode()


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> int:
    """Records of 64 bytes, so that several-record files stay small."""
    monkeypatch.setattr(kept, "CHUNK", 64)
    return 64


@pytest.mark.parametrize("size", [0, 1, 63, 64, 65, 128, 1000])
def test_round_trip_at_every_record_boundary(tmp_path: Path, small_chunks: int, size: int) -> None:
    data = (SECRET * 200)[:size]
    target = tmp_path / "evidence" / "a.pdf"
    kept.write(target, data, KEY)
    blob = target.read_bytes()
    assert blob.startswith(kept.MAGIC) and kept.is_sealed(target)
    if size >= len(SECRET):
        assert SECRET not in blob
    assert kept.read(target, KEY) == data
    assert kept.digest(target, KEY)[1] == size
    assert not list(target.parent.glob("*.partial"))


def test_a_file_source_is_streamed_and_plain_without_a_key(tmp_path: Path) -> None:
    source = tmp_path / "扫描件.jpg"
    data = secrets.token_bytes(3 * (1 << 20) + 17)  # more than one real record
    source.write_bytes(data)
    sealed, plain = tmp_path / "sealed", tmp_path / "plain"
    kept.write(sealed, source, KEY)
    kept.write(plain, source, None)
    assert plain.read_bytes() == data and not kept.is_sealed(plain)
    assert kept.read(sealed, KEY) == data
    assert kept.digest(sealed, KEY) == kept.digest(plain, None)


def _records(blob: bytes) -> tuple[bytes, list[bytes]]:
    head_size = len(kept.MAGIC) + 8
    head, rest, records = blob[:head_size], blob[head_size:], []
    while rest:
        size = int.from_bytes(rest[:4], "big")
        records.append(rest[: 4 + size])
        rest = rest[4 + size :]
    return head, records


def test_damage_of_every_kind_is_refused_naming_the_file(tmp_path: Path, small_chunks: int) -> None:
    target = tmp_path / "留存.pdf"
    kept.write(target, SECRET * 20, KEY)
    good = target.read_bytes()
    head, records = _records(good)
    assert len(records) >= 3
    flipped = bytearray(good)
    flipped[len(head) + 10] ^= 1
    damaged = {
        "truncated after a record": head + b"".join(records[:-1]),
        "cut inside a record": good[:-5],
        "records swapped": head + records[1] + records[0] + b"".join(records[2:]),
        "appended": good + b"x",
        "a last record appended again": good + records[-1],
        "a flipped bit": bytes(flipped),
        "no records": head,
        "magic only": kept.MAGIC,
    }
    for what, blob in damaged.items():
        target.write_bytes(blob)
        with pytest.raises(InputRefused, match="已损坏") as caught:
            kept.read(target, KEY)
        assert str(target) in str(caught.value), what
    target.write_bytes(good)
    with pytest.raises(InputRefused):
        kept.read(target, bytes(32))  # another data key
    with pytest.raises(DatabaseLocked):
        kept.read(target, None)  # locked: the key is not held
    assert kept.read(target, KEY) == SECRET * 20


def test_reseal_both_ways_and_a_tree(tmp_path: Path, small_chunks: int) -> None:
    folder = tmp_path / "evidence"
    files = {folder / "ab" / f"{i}.jpg": SECRET * i for i in range(1, 5)}
    for path, data in files.items():
        kept.write(path, data, None)
    (folder / "ab" / ".9.jpg.partial").write_bytes(b"left over")
    files[folder / "cd" / "扫描件.partial"] = SECRET  # a user's file of that name is kept
    kept.write(folder / "cd" / "扫描件.partial", SECRET, None)
    assert kept.reseal_tree(folder, None, KEY) == 5
    assert not (folder / "ab" / ".9.jpg.partial").exists()
    for path, data in files.items():
        assert SECRET not in path.read_bytes() and kept.read(path, KEY) == data
    assert kept.reseal_tree(folder, None, KEY) == 0  # already sealed: nothing to do
    other = bytes(range(1, 33))
    assert kept.reseal_tree(folder, KEY, other) == 5
    assert kept.reseal_tree(folder, other, None) == 5
    for path, data in files.items():
        assert path.read_bytes() == data
    assert kept.reseal_tree(tmp_path / "没有", None, KEY) == 0


def test_a_sealed_file_is_not_converted_without_its_key(tmp_path: Path) -> None:
    path = tmp_path / "a.pdf"
    kept.write(path, SECRET, KEY)
    before = path.read_bytes()
    with pytest.raises(DatabaseLocked, match="已加密"):
        kept.reseal(path, None, None)
    assert kept.reseal(path, None, bytes(32)) is False  # sealing plain files only
    with pytest.raises(InputRefused):
        kept.reseal(path, bytes(32), None)
    assert path.read_bytes() == before


def test_key_of_a_kept_folder_follows_the_data_folder(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    assert kept.key_of(data_dir / "evidence") is None
    sqlcipher.remember(KEY, data_dir)
    try:
        derived = kept.key_of(data_dir / "evidence")
        assert derived is not None and derived != KEY and derived == kept.file_key(KEY)
    finally:
        sqlcipher.forget(data_dir)
    assert kept.key_of(data_dir / "materials") is None


def test_opened_copies_are_plain_private_and_cleared(tmp_path: Path) -> None:
    path = tmp_path / "ab12.pdf"
    kept.write(path, SECRET, KEY)
    copy = kept.opened_copy(path, KEY, "整改报告.pdf")
    assert copy.name == "整改报告.pdf" and copy.read_bytes() == SECRET
    assert not copy.is_relative_to(tmp_path)
    if os.name == "posix":
        assert copy.stat().st_mode & 0o077 == 0
    second = kept.opened_copy(path, KEY, "整改报告.pdf")  # opened twice: both exist
    assert second != copy and second.read_bytes() == SECRET
    kept.clear_opened()
    assert not copy.exists() and not second.exists()
    plain = tmp_path / "plain.pdf"
    kept.write(plain, SECRET, None)
    assert kept.opened_copy(plain, KEY, "x.pdf") == plain  # nothing to hide: opened in place


def test_a_damaged_file_does_not_stop_a_conversion(tmp_path: Path) -> None:
    folder = tmp_path / "materials"
    kept.write(folder / "a.pdf", SECRET, KEY)
    kept.write(folder / "b.pdf", SECRET, KEY)
    damaged = (folder / "a.pdf").read_bytes()[:-3]
    (folder / "a.pdf").write_bytes(damaged)
    assert kept.reseal_tree(folder, KEY, None) == 1  # b; a is left as it was, and logged
    assert (folder / "b.pdf").read_bytes() == SECRET
    assert (folder / "a.pdf").read_bytes() == damaged


def test_nothing_is_written_in_the_clear_once_locked(tmp_path: Path) -> None:
    """Work that reaches a kept folder after the idle lock stops; it does not take
    the missing key for “no password”."""
    data_dir = tmp_path / "data"
    sqlcipher.remember(KEY, data_dir)
    sqlcipher.lock(data_dir)
    try:
        with pytest.raises(DatabaseLocked, match="已锁定"):
            kept.key_of(data_dir / "evidence")
        sqlcipher.remember(KEY, data_dir)  # unlocked again
        assert kept.key_of(data_dir / "evidence") == kept.file_key(KEY)
    finally:
        sqlcipher.forget(data_dir)
    assert kept.key_of(data_dir / "evidence") is None  # password removed: plain


def test_copies_left_by_an_ended_run_are_swept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    kept.clear_opened()
    old = tmp_path / "mingjing-opened-crashed"
    (old / "ab").mkdir(parents=True)
    (old / "ab" / "诫勉谈话记录.pdf").write_bytes(SECRET)
    recent = tmp_path / "mingjing-opened-running"
    recent.mkdir()
    stale = time.time() - kept.STALE_OPENED_SECONDS - 60
    os.utime(old, (stale, stale))
    path = tmp_path / "x.pdf"
    kept.write(path, SECRET, KEY)
    copy = kept.opened_copy(path, KEY, "x.pdf")
    assert copy.is_relative_to(tmp_path)
    assert not old.exists() and recent.exists()  # another run's folder is left alone
    kept.clear_opened()
