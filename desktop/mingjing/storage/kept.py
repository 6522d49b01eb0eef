"""Files kept beside the database: 佐证材料 (``evidence/``) and printed materials
(``materials/``), sealed with the data key while the data has a password.

A stolen laptop must reveal nothing, and a scan of a 诫勉谈话 record or a
printed 对照检查材料 says as much as the database does. While a password is
set every kept file is written sealed; setting or removing the password
converts the folders (:func:`reseal_tree`), one file at a time and each in
one rename, so a cut-short conversion leaves every file readable. Readers
take either form.

Sealed format (``MINGJING-KEPT 1``): the magic line, an 8-byte random nonce
prefix, then records of a 4-byte big-endian length and an AES-256-GCM
ciphertext of at most 1 MiB of the file. Record *i* uses the nonce
``prefix + i`` and the associated data ``mingjing-kept-v1`` plus one byte
that is 1 on the last record only, so a truncated, reordered or extended
file is refused, not read short. The key is derived from the data key with
HKDF (the data key itself keys SQLCipher and the sealed private keys).
Evidence may be 200 MB: it is streamed, never held whole in memory.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import logging
import os
import secrets
import shutil
import struct
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from mingjing.storage import sqlcipher
from mingjing.storage.errors import DatabaseLocked, InputRefused
from mingjing.storage.precheck import environment_faults

log = logging.getLogger(__name__)

MAGIC = b"MINGJING-KEPT 1\n"
CHUNK = 1 << 20
_AAD = b"mingjing-kept-v1"
_PREFIX = 8
_LENGTH = struct.Struct(">I")
_TAG = 16
_PARTIAL = ".partial"
"""Suffix of a file being written; with a leading dot, which no kept file's
name (its SHA-256 and extension) has: a user's ``x.partial`` is never swept."""


def _partial(path: Path) -> Path:
    return path.with_name(f".{path.name}{_PARTIAL}")


def key_of(folder: Path) -> bytes | None:
    """The key files in ``folder`` (inside the data folder) are sealed with, or ``None``.

    ``None`` while the data has no password. The data key is held for the
    data folder once unlocked (:func:`mingjing.storage.sqlcipher.remember`).
    """
    data_dir = Path(folder).parent
    data_key = sqlcipher.key_for(data_dir)
    if data_key is None and sqlcipher.is_locked(data_dir):
        # Locked while this work ran (the idle lock): nothing is written in the clear.
        raise DatabaseLocked(f"本机数据已锁定，{folder} 中的文件暂不能读写，请输入密码解锁后再试。")
    return None if data_key is None else _derive(data_key)


def _derive(data_key: bytes) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"mingjing kept files v1"
    ).derive(data_key)


def file_key(data_key: bytes | None) -> bytes | None:
    """The kept-file key for a data key (``None`` stays ``None``)."""
    return None if data_key is None else _derive(data_key)


def is_sealed(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return fh.read(len(MAGIC)) == MAGIC
    except OSError:
        return False


# ----------------------------------------------------------------- writing


def _plain_chunks(source: Path | bytes) -> Iterator[bytes]:
    if isinstance(source, bytes):
        for start in range(0, len(source), CHUNK):
            yield source[start : start + CHUNK]
        return
    with source.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            yield chunk


def _sealed_records(chunks: Iterator[bytes], key: bytes) -> Iterator[bytes]:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    aead = AESGCM(key)
    prefix = secrets.token_bytes(_PREFIX)
    yield MAGIC + prefix
    index = 0
    ahead = next(chunks, b"")
    while True:
        chunk, ahead_next = ahead, next(chunks, None)
        last = ahead_next is None
        nonce = prefix + struct.pack(">I", index)
        sealed = aead.encrypt(nonce, chunk, _AAD + (b"\x01" if last else b"\x00"))
        yield _LENGTH.pack(len(sealed)) + sealed
        if last:
            return
        assert ahead_next is not None
        ahead = ahead_next
        index += 1


def write(target: Path, source: Path | bytes, key: bytes | None) -> None:
    """Write ``source`` (a file or bytes) to ``target``: sealed if ``key``, in one rename.

    Nothing is left at ``target`` unless the whole file was written and synced.
    """
    partial = _partial(target)
    with environment_faults(str(target)):
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            with partial.open("wb") as out:
                pieces = _plain_chunks(source)
                for piece in _sealed_records(pieces, key) if key is not None else pieces:
                    out.write(piece)
                out.flush()
                os.fsync(out.fileno())
            os.replace(partial, target)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise


# ----------------------------------------------------------------- reading


def _damaged(path: Path) -> InputRefused:
    return InputRefused(
        f"文件 {path} 已损坏，或不是用本机数据的密钥加密的。请从备份中恢复数据文件夹。"
    )


def _locked(path: Path) -> str:
    return f"文件 {path} 已加密，本机数据锁定时无法打开，请输入密码解锁后再试。"


def _read_exact(fh: BinaryIO, size: int) -> bytes:
    data = fh.read(size)
    return data if len(data) == size else b""


def chunks(path: Path, key: bytes | None) -> Iterator[bytes]:
    """The plain content of a kept file, 1 MiB at a time, sealed or not.

    A sealed file without the key raises :class:`DatabaseLocked`; a damaged
    one :class:`InputRefused`, naming it. Raised before the damaged part is
    handed out only for the record that is damaged: hash or copy to the end
    before trusting what was read.
    """
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    with environment_faults(str(path)), path.open("rb") as fh:
        head = fh.read(len(MAGIC))
        if head != MAGIC:
            yield head
            while chunk := fh.read(CHUNK):
                yield chunk
            return
        if key is None:
            raise DatabaseLocked(_locked(path))
        aead = AESGCM(key)
        prefix = _read_exact(fh, _PREFIX)
        if not prefix:
            raise _damaged(path)
        index = 0
        while True:
            length = _read_exact(fh, _LENGTH.size)
            if not length:
                raise _damaged(path)  # ended before its last record
            (size,) = _LENGTH.unpack(length)
            if not _TAG <= size <= CHUNK + _TAG:
                raise _damaged(path)
            body = _read_exact(fh, size)
            if not body:
                raise _damaged(path)
            nonce = prefix + struct.pack(">I", index)
            last = False
            try:
                plain = aead.decrypt(nonce, body, _AAD + b"\x00")
            except InvalidTag:
                try:
                    plain = aead.decrypt(nonce, body, _AAD + b"\x01")
                except InvalidTag:
                    raise _damaged(path) from None
                last = True
            if last and fh.read(1):
                raise _damaged(path)  # something appended after the last record
            yield plain
            if last:
                return
            index += 1


def read(path: Path, key: bytes | None) -> bytes:
    """The whole plain content (for files of a few megabytes: printed materials)."""
    return b"".join(chunks(path, key))


def digest(path: Path, key: bytes | None) -> tuple[str, int]:
    """SHA-256 (hex) and size of the plain content."""
    sha = hashlib.sha256()
    size = 0
    for chunk in chunks(path, key):
        sha.update(chunk)
        size += len(chunk)
    return sha.hexdigest(), size


# ----------------------------------------------------- opening with a program

_opened_lock = threading.Lock()
_opened: Path | None = None


_OPENED_PREFIX = "mingjing-opened-"
STALE_OPENED_SECONDS = 12 * 3600
"""Plain copies left by a run that ended without clearing them (a crash, a
viewer holding the file): removed by a later run after this long."""


def _sweep_stale_opened() -> None:
    cutoff = time.time() - STALE_OPENED_SECONDS
    for folder in Path(tempfile.gettempdir()).glob(_OPENED_PREFIX + "*"):
        with contextlib.suppress(OSError):
            if folder.is_dir() and folder.stat().st_mtime < cutoff:
                shutil.rmtree(folder, ignore_errors=True)


def _opened_dir() -> Path:
    global _opened
    with _opened_lock:
        if _opened is None or not _opened.is_dir():
            _sweep_stale_opened()
            _opened = Path(tempfile.mkdtemp(prefix=_OPENED_PREFIX))
            atexit.register(clear_opened)
        return _opened


def opened_copy(path: Path, key: bytes | None, name: str) -> Path:
    """A plain copy of a sealed file for another program (a viewer) to open.

    Written to a folder of this run's own (readable by the user alone),
    named ``name``; removed by :func:`clear_opened` when the data is locked
    or the program ends. A plain file is returned as it is.
    """
    if key is None or not is_sealed(path):
        return path
    folder = _opened_dir() / secrets.token_hex(4)
    with environment_faults(str(folder)):
        folder.mkdir(mode=0o700)
        target = folder / (Path(name).name or path.name)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            for chunk in chunks(path, key):
                out.write(chunk)
    return target


def clear_opened() -> None:
    """Remove the plain copies handed to other programs in this run."""
    global _opened
    with _opened_lock:
        folder, _opened = _opened, None
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)
        if folder.exists():  # a viewer still holds a copy (Windows): a later run sweeps it
            log.warning("plain copies left in %s (still open in another program)", folder)


# -------------------------------------------------------------- conversion


def reseal(path: Path, old: bytes | None, new: bytes | None) -> bool:
    """Bring one file under ``new`` (``None``: in the clear); True if it was rewritten.

    With ``old`` ``None`` only plain files are sealed; sealed ones are left.

    Checked before the swap: the new file's content hashes as the old one's.
    """
    sealed = is_sealed(path)
    if (new is None and not sealed) or (new is not None and sealed and old in (None, new)):
        return False  # already so (sealing with no old key: only plain files are sealed)
    if sealed and old is None:
        raise DatabaseLocked(_locked(path))
    before, _ = digest(path, old if sealed else None)
    partial = _partial(path)
    with environment_faults(str(path)):
        try:
            with partial.open("wb") as out:
                pieces = chunks(path, old if sealed else None)
                for piece in _sealed_records(pieces, new) if new is not None else pieces:
                    out.write(piece)
                out.flush()
                os.fsync(out.fileno())
            if digest(partial, new)[0] != before:
                raise InputRefused(
                    f"重新写入文件 {path} 时结果与原文件不一致，已放弃，原文件未改动。"
                )
            os.replace(partial, path)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    return True


def reseal_tree(folder: Path, old: bytes | None, new: bytes | None) -> int:
    """Every kept file under ``folder`` under ``new``; returns how many were rewritten.

    Left-over ``.partial`` files of an interrupted write are removed.
    """
    if not folder.is_dir():
        return 0
    count = 0
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        if path.name.startswith(".") and path.name.endswith(_PARTIAL):
            with contextlib.suppress(OSError):
                path.unlink()
            continue
        try:
            count += reseal(path, old, new)
        except InputRefused as exc:  # damaged, or of another key: left, and said
            log.warning("kept file left as it is: %s", exc)
    return count
