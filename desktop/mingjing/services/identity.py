"""This installation's keys: made on first use, kept in the data folder.

``keys/identity.pem`` holds the two private keys (signing and sealing; see
:mod:`mingjing.exchange.signing`), readable by the user alone. It never
leaves the computer: packages carry only the public halves. Losing it means
the office no longer recognises this computer's files (its key has changed)
until the secretary registers the new key — which the program says plainly.

Where the data has a password (:mod:`mingjing.services.protection`), the file
is sealed with the database's data key, so a stolen laptop's review files
and sealed packages stay closed; it opens only while the data is unlocked.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from mingjing.exchange.signing import BadKey, Identity
from mingjing.storage import sqlcipher
from mingjing.storage.errors import DatabaseLocked, EnvironmentFault, InputRefused
from mingjing.storage.precheck import environment_faults

KEY_FILE = Path("keys") / "identity.pem"

__all__ = ["KEY_FILE", "Identity", "load_identity"]


def load_identity(data_dir: Path) -> Identity:
    """The installation's identity, made and saved the first time it is needed.

    A damaged key file is refused (naming it), never silently replaced: the
    office has pinned the key inside it.
    """
    path = data_dir / KEY_FILE
    try:
        blob = path.read_bytes()
    except FileNotFoundError:
        return _create(path)
    except OSError as exc:
        raise EnvironmentFault(f"无法读取本机密钥文件 {path}：{exc.strerror}") from exc
    from mingjing.storage import protection

    if protection.is_sealed(blob):
        key = sqlcipher.key_for(data_dir)
        if key is None:
            raise DatabaseLocked("本机数据已加密并已锁定，请输入密码解锁后再试。")
        blob = protection.open_sealed(blob, key, path)
    try:
        return Identity.from_pem(blob)
    except BadKey as exc:
        raise InputRefused(
            f"本机密钥文件 {path} 无法使用（{exc}）。请从备份中恢复这个文件；"
            "如果无法恢复，请把它移走后重新启动明镜，并请办公室为本机重新登记密钥。"
        ) from exc


def _create(path: Path) -> Identity:
    """A new identity, put in place only if none is there yet: two processes
    starting at once (the window and the command line) end with the same keys."""
    identity = Identity.generate()
    blob = identity.to_pem()
    key = sqlcipher.key_for(path.parent.parent)
    if key is not None:
        from mingjing.storage import protection

        blob = protection.seal_bytes(blob, key)
    with environment_faults(str(path)):
        path.parent.mkdir(parents=True, exist_ok=True)
        # A fresh file of the user's alone (mkstemp: O_EXCL, mode 0600; on
        # Windows the folder's ACL applies), never a leftover or a link.
        fd, name = tempfile.mkstemp(prefix=".identity-", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as stream:
                stream.write(blob)
                stream.flush()
                os.fsync(stream.fileno())
            try:
                os.link(name, path)  # fails if another process got there first
            except FileExistsError:
                return load_identity(path.parent.parent)
            except OSError:  # a file system without hard links: replace, as before
                os.replace(name, path)
                name = ""
        finally:
            if name:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(name)
    return identity
