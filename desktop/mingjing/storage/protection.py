"""A password for the local database: encrypted at rest, a recovery key on paper.

The database is encrypted (SQLCipher, AES-256) with a random 256-bit *data
key*, not with the password itself. Beside it, ``<database>.key`` keeps the
data key wrapped with AES-256-GCM under a key derived from the password by
scrypt. So:

- a wrong password is told apart from a damaged database before SQLite is
  touched (the GCM tag does not match), and says so;
- changing the password rewrites only that small file;
- the **recovery key** is the data key itself, written as 14 groups of four
  letters and digits with a checksum. With it the database opens even if the
  key file is lost, and a new password can be set. Without the password and
  without the recovery key nobody can read the data — that is the point, and
  the program says so plainly where a password is set.

Backups are copies under the same data key (:mod:`mingjing.storage.backup`),
so they open with the same password. Small files that must not lie in the
clear beside an encrypted database (this computer's private keys) are sealed
with the data key too (:func:`seal_bytes`).

Every step that rewrites the database writes a complete, checked copy first
and swaps it in with one rename; a failure leaves the database as it was.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import secrets
import unicodedata
from pathlib import Path
from typing import Any

from mingjing.storage import sqlcipher
from mingjing.storage.backup import copy_database
from mingjing.storage.errors import InputRefused, WrongPassword
from mingjing.storage.precheck import environment_faults

__all__ = [
    "KEY_FORMAT",
    "change_password",
    "decrypt_database",
    "encrypt_database",
    "format_recovery_key",
    "open_sealed",
    "parse_recovery_key",
    "seal_bytes",
    "unlock",
    "unlock_with_recovery_key",
    "write_key_file",
]

KEY_FORMAT = "mingjing-database-key"
KEY_VERSION = 1
_AAD = b"mingjing-database-key-v1"
SCRYPT_N = 2**15  # 32 MiB and about 0.1 s here: slow to guess, quick to type once
SCRYPT_R = 8
SCRYPT_P = 1
MIN_PASSWORD = 6

_SEALED_MAGIC = b"MINGJING-SEALED 1\n"
_SEALED_AAD = b"mingjing-sealed-file-v1"

_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # 32 symbols, no 0/O, 1/I
_CHECK = 3  # bytes of SHA-256 after the key: 35 bytes → 56 symbols → 14 groups


# ----------------------------------------------------------------- passwords


def _normal(password: str) -> str:
    """One form for what looks the same: full-width letters typed with a Chinese input
    method are the half-width ones, and é is one code point however it was typed."""
    return unicodedata.normalize("NFKC", password)


def password_problem(password: str) -> str | None:
    """Why ``password`` cannot be used, or ``None``."""
    if len(password) < MIN_PASSWORD:
        return f"密码至少要有 {MIN_PASSWORD} 个字符。"
    if password.strip() != password:
        return "密码的开头和结尾不能是空格。"
    return None


def _derive(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(_normal(password).encode("utf-8"))


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: Any) -> bytes:
    if not isinstance(text, str):
        raise ValueError("not text")
    return base64.b64decode(text.encode("ascii"), validate=True)


def write_key_file(database: Path, key: bytes, password: str) -> Path:
    """Wrap ``key`` under ``password`` into ``<database>.key`` (atomic)."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    problem = password_problem(password)
    if problem is not None:
        raise InputRefused(problem)
    salt, nonce = secrets.token_bytes(16), secrets.token_bytes(12)
    wrapping = _derive(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    doc = {
        "format": KEY_FORMAT,
        "version": KEY_VERSION,
        "kdf": {"name": "scrypt", "n": SCRYPT_N, "r": SCRYPT_R, "p": SCRYPT_P, "salt": _b64(salt)},
        "cipher": "AES-256-GCM",
        "nonce": _b64(nonce),
        "wrapped": _b64(AESGCM(wrapping).encrypt(nonce, key, _AAD)),
    }
    doc["check"] = _check_of(doc)
    path = sqlcipher.key_file(database)
    _write_atomically(path, json.dumps(doc, indent=1).encode("utf-8"), private=True)
    return path


def _check_of(doc: dict[str, Any]) -> str:
    """A checksum of the file's fields: damage is told apart from a wrong password."""
    fields = json.dumps({k: v for k, v in doc.items() if k != "check"}, sort_keys=True)
    return hashlib.sha256(fields.encode("utf-8")).hexdigest()[:16]


def _read_key_file(database: Path) -> dict[str, Any]:
    path = sqlcipher.key_file(database)
    try:
        doc = json.loads(path.read_bytes())
    except FileNotFoundError:
        raise InputRefused(
            f"数据库 {database} 旁边的密钥文件 {path.name} 不见了，无法用密码解锁。"
            "请用恢复密钥打开，再设置新密码。"
        ) from None
    except OSError as exc:
        raise InputRefused(f"无法读取密钥文件 {path}（{exc.strerror}）。") from exc
    except ValueError:
        doc = None
    if not isinstance(doc, dict) or doc.get("format") != KEY_FORMAT:
        raise InputRefused(
            f"密钥文件 {path} 已损坏或不是明镜的密钥文件，无法用密码解锁。"
            "请用恢复密钥打开，再设置新密码。"
        )
    if doc.get("version") != KEY_VERSION:
        raise InputRefused(
            f"密钥文件 {path} 由更新版本的明镜写成（格式 {doc.get('version')}），"
            "请安装最新版本的明镜后再打开。"
        )
    if "check" in doc and doc["check"] != _check_of(doc):
        raise InputRefused(
            f"密钥文件 {path} 已损坏（校验不符），无法用密码解锁。请用恢复密钥打开，再设置新密码。"
        )
    return doc


def unlock(database: Path, password: str) -> bytes:
    """The data key of ``database``, if ``password`` is right; else :class:`WrongPassword`."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    doc = _read_key_file(database)
    try:
        kdf = doc["kdf"]
        salt, nonce, wrapped = _unb64(kdf["salt"]), _unb64(doc["nonce"]), _unb64(doc["wrapped"])
        n, r, p = int(kdf["n"]), int(kdf["r"]), int(kdf["p"])
        if kdf["name"] != "scrypt" or not (2**10 <= n <= 2**20 and 1 <= r <= 32 and 1 <= p <= 16):
            raise ValueError("unsupported kdf")
    except (KeyError, TypeError, ValueError):
        raise InputRefused(
            f"密钥文件 {sqlcipher.key_file(database)} 已损坏，无法用密码解锁。"
            "请用恢复密钥打开，再设置新密码。"
        ) from None
    try:
        key = AESGCM(_derive(password, salt, n, r, p)).decrypt(nonce, wrapped, _AAD)
    except InvalidTag:
        raise WrongPassword("密码错误，请重新输入（注意大小写和输入法状态）。") from None
    _check_key(database, key, wrong="密钥文件与数据库不相配")
    return key


def _check_key(database: Path, key: bytes, *, wrong: str) -> None:
    """Read the first page with ``key``: does it open this database?"""
    try:
        con = sqlcipher.connect(f"{database.resolve().as_uri()}?mode=ro", uri=True, key=key)
        try:
            con.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            con.close()
    except sqlcipher.DatabaseError:
        raise WrongPassword(f"{wrong}：打不开数据库 {database}。数据库未作任何改动。") from None


# -------------------------------------------------------------- recovery key


def format_recovery_key(key: bytes) -> str:
    """``ABCD-EFGH-…``: the data key and a checksum, 14 groups of four."""
    raw = key + hashlib.sha256(key).digest()[:_CHECK]
    bits = int.from_bytes(raw, "big")
    count = len(raw) * 8 // 5
    symbols = [_ALPHABET[(bits >> (5 * (count - 1 - i))) & 31] for i in range(count)]
    text = "".join(symbols)
    return "-".join(text[i : i + 4] for i in range(0, len(text), 4))


def parse_recovery_key(text: str) -> bytes:
    """The data key in a typed recovery key; a typo is caught by the checksum."""
    # Half-width however it was typed; any dash or space between the groups dropped.
    typed = unicodedata.normalize("NFKC", text).upper()
    cleaned = "".join(ch for ch in typed if ch.isalnum())
    wrong = sorted({ch for ch in cleaned if ch in "01IO"})
    if wrong:
        raise WrongPassword(
            f"恢复密钥里没有 {'、'.join(wrong)}（不用 0、1、I、O，以免认错），"
            "请对照保存的恢复密钥重新输入。"
        )
    if len(cleaned) != 56 or any(ch not in _ALPHABET for ch in cleaned):
        raise WrongPassword(
            "恢复密钥应是 56 个字母和数字（分成 14 组，每组 4 个），请对照保存的恢复密钥重新输入。"
        )
    bits = 0
    for ch in cleaned:
        bits = (bits << 5) | _ALPHABET.index(ch)
    raw = bits.to_bytes(35, "big")
    key, check = raw[:32], raw[32:]
    if hashlib.sha256(key).digest()[:_CHECK] != check:
        raise WrongPassword("恢复密钥中有输错的字符，请对照保存的恢复密钥逐组核对。")
    return key


def unlock_with_recovery_key(database: Path, text: str) -> bytes:
    key = parse_recovery_key(text)
    _check_key(database, key, wrong="这个恢复密钥不是这个数据库的")
    return key


# --------------------------------------------------- encrypting the database


def encrypt_database(database: Path, password: str) -> bytes:
    """Give a plain database a password; returns the new data key.

    The caller holds the one-window lock and has closed every connection.
    The encrypted copy is written and checked beside the database; the key
    file is written; then the copy replaces the database in one rename.
    """
    problem = password_problem(password)
    if problem is not None:
        raise InputRefused(problem)
    if sqlcipher.is_encrypted(database):
        raise InputRefused(f"数据库 {database} 已经设了密码。")
    key = secrets.token_bytes(32)
    _rewrite(
        database,
        old_key=None,
        new_key=key,
        before_swap=lambda: write_key_file(database, key, password),
    )
    return key


def decrypt_database(database: Path, key: bytes) -> None:
    """Take the password off: the database is written back in the clear."""
    _rewrite(database, old_key=key, new_key=None, before_swap=lambda: None)
    with contextlib.suppress(FileNotFoundError):
        sqlcipher.key_file(database).unlink()


def change_password(database: Path, key: bytes, new_password: str) -> None:
    """A new password for the same data key (the recovery key stays valid)."""
    write_key_file(database, key, new_password)


def _rewrite(
    database: Path, *, old_key: bytes | None, new_key: bytes | None, before_swap: Any
) -> None:
    staging = database.with_name(database.name + ".rekeying")
    with environment_faults(str(database)):
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(str(staging) + suffix).unlink(missing_ok=True)
        _checkpoint(database, old_key)
        copy_database(database, staging, source_key=old_key, target_key=new_key)
        try:
            _verify_copy(database, old_key, staging, new_key)
            before_swap()
            for suffix in ("-wal", "-shm"):
                Path(str(database) + suffix).unlink(missing_ok=True)
            os.replace(staging, database)
        finally:
            staging.unlink(missing_ok=True)


def _checkpoint(database: Path, key: bytes | None) -> None:
    """Fold the WAL into the main file, so that no -wal is left for the old file."""
    con = sqlcipher.connect(database, key=key)
    try:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    finally:
        con.close()


def _counts(path: Path, key: bytes | None) -> dict[str, int]:
    con = sqlcipher.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, key=key)
    try:
        verdict = con.execute("PRAGMA quick_check").fetchone()
        if verdict != ("ok",):
            raise InputRefused(f"数据库 {path} 检查未通过（{verdict}），未作任何改动。")
        tables = [
            r[0]
            for r in con.execute(
                "SELECT name FROM sqlite_master"
                " WHERE type='table' AND sql NOT LIKE 'CREATE VIRTUAL%'"
            )
        ]
        return {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    finally:
        con.close()


def _verify_copy(
    source: Path, source_key: bytes | None, copy: Path, copy_key: bytes | None
) -> None:
    if _counts(source, source_key) != _counts(copy, copy_key):
        raise InputRefused(
            f"重新写入数据库 {source} 时结果与原文件不一致，已放弃，原文件未作任何改动。"
        )


# ------------------------------------------------------------- sealed files


def seal_bytes(data: bytes, key: bytes) -> bytes:
    """``data`` encrypted with the data key (AES-256-GCM), marked as sealed."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = secrets.token_bytes(12)
    return _SEALED_MAGIC + nonce + AESGCM(key).encrypt(nonce, data, _SEALED_AAD)


def is_sealed(blob: bytes) -> bool:
    return blob.startswith(_SEALED_MAGIC)


def open_sealed(blob: bytes, key: bytes, where: Path) -> bytes:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    body = blob[len(_SEALED_MAGIC) :]
    try:
        return AESGCM(key).decrypt(body[:12], body[12:], _SEALED_AAD)
    except (InvalidTag, ValueError):
        raise InputRefused(f"文件 {where} 已损坏，或不是用本机数据库的密钥加密的。") from None


def _write_atomically(path: Path, data: bytes, *, private: bool = False) -> None:
    """Write ``data`` to ``path`` in one rename; ``private``: readable by the user alone."""
    partial = path.with_name(path.name + ".partial")
    with environment_faults(str(path)):
        path.parent.mkdir(parents=True, exist_ok=True)
        partial.unlink(missing_ok=True)
        mode = 0o600 if private else 0o644
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(partial, path)


def rewrite_sealed(path: Path, old_key: bytes | None, new_key: bytes | None) -> None:
    """Re-seal a small file for a new key (``None``: in the clear), atomically."""
    blob = path.read_bytes()
    plain = open_sealed(blob, old_key, path) if old_key is not None and is_sealed(blob) else blob
    _write_atomically(
        path, seal_bytes(plain, new_key) if new_key is not None else plain, private=True
    )
