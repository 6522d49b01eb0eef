"""Who wrote a package, and who alone may read it.

Each installation holds two key pairs (:class:`Identity`): an Ed25519 pair
that signs every package it writes, and an X25519 pair that packages
addressed to it are sealed to. The public halves (:class:`PublicKeys`) travel
in the packages; a person compares them by their :attr:`~PublicKeys.fingerprint`
(for instance over the phone) when a key is first seen or has changed.

Sealing (:func:`seal`, :func:`unseal`): an ephemeral X25519 key agrees a
secret with the recipient's key; HKDF-SHA256 turns it into a key for
ChaCha20-Poly1305, which encrypts and authenticates the payload. Only the
recipient's private key opens it.
"""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

# cryptography (150 ms to load) is imported where a key is used, not when the
# program starts: most starts read no package.
if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

__all__ = ["BadKey", "Identity", "PublicKeys", "SealError", "seal", "unseal"]

_SEAL_INFO = b"mingjing seal v1"


def _raw_format() -> tuple[Any, Any]:
    from cryptography.hazmat.primitives import serialization

    return serialization.Encoding.Raw, serialization.PublicFormat.Raw


class BadKey(ValueError):
    """A key that cannot be read."""


class SealError(ValueError):
    """A sealed payload that this key cannot open, or that was changed."""


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _raw(text: str, what: str) -> bytes:
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError) as exc:
        raise BadKey(f"{what}不是有效的密钥") from exc
    if len(raw) != 32:
        raise BadKey(f"{what}长度不对")
    return raw


@dataclass(frozen=True)
class PublicKeys:
    """The public half of an identity, as packages carry it (base64 of the raw keys)."""

    sign: str
    seal: str

    @property
    def fingerprint(self) -> str:
        """32 hex digits (128 bits) of the signing key's SHA-256, in fours:
        3F2A 91C0 5B7E 04D2 … — too many to find a key that matches by search."""
        digest = hashlib.sha256(_raw(self.sign, "签名公钥")).hexdigest()[:32].upper()
        return " ".join(digest[i : i + 4] for i in range(0, 32, 4))

    def to_json(self) -> dict[str, str]:
        return {"sign": self.sign, "seal": self.seal}

    @classmethod
    def from_json(cls, raw: object) -> PublicKeys:
        if not isinstance(raw, dict):
            raise BadKey("公钥信息格式不对")
        sign, seal_key = raw.get("sign"), raw.get("seal")
        if not isinstance(sign, str) or not isinstance(seal_key, str):
            raise BadKey("公钥信息不完整")
        keys = cls(sign, seal_key)
        _raw(sign, "签名公钥")
        _raw(seal_key, "加密公钥")
        return keys

    def verify(self, data: bytes, signature: bytes) -> bool:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

        try:
            Ed25519PublicKey.from_public_bytes(_raw(self.sign, "签名公钥")).verify(signature, data)
        except InvalidSignature:
            return False
        return True


class Identity:
    """The private keys of one installation."""

    def __init__(self, signing: Ed25519PrivateKey, sealing: X25519PrivateKey) -> None:
        self._signing = signing
        self._sealing = sealing

    @classmethod
    def generate(cls) -> Identity:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
        from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

        return cls(Ed25519PrivateKey.generate(), X25519PrivateKey.generate())

    @property
    def public(self) -> PublicKeys:
        raw = _raw_format()
        return PublicKeys(
            _b64(self._signing.public_key().public_bytes(*raw)),
            _b64(self._sealing.public_key().public_bytes(*raw)),
        )

    def sign(self, data: bytes) -> bytes:
        return self._signing.sign(data)

    def to_pem(self) -> bytes:
        """Both private keys, PKCS#8 PEM, one after the other."""
        from cryptography.hazmat.primitives import serialization

        fmt = (
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        return self._signing.private_bytes(*fmt) + self._sealing.private_bytes(*fmt)

    @classmethod
    def from_pem(cls, blob: bytes) -> Identity:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
        from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

        marker = b"-----END PRIVATE KEY-----"
        parts = [p + marker for p in blob.split(marker) if p.strip()]
        if len(parts) != 2:
            raise BadKey("密钥文件应包含两把私钥")
        try:
            signing = serialization.load_pem_private_key(parts[0].strip(), password=None)
            sealing = serialization.load_pem_private_key(parts[1].strip(), password=None)
        except (ValueError, TypeError) as exc:
            raise BadKey("密钥文件已损坏") from exc
        if not isinstance(signing, Ed25519PrivateKey) or not isinstance(sealing, X25519PrivateKey):
            raise BadKey("密钥文件中的密钥类型不对")
        return cls(signing, sealing)

    def unseal(self, blob: bytes, context: bytes = b"") -> bytes:
        return unseal(self._sealing, blob, context)


def _key(shared: bytes, recipient: bytes, ephemeral: bytes) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=_SEAL_INFO + recipient + ephemeral
    ).derive(shared)


def seal(recipient: PublicKeys, payload: bytes, context: bytes = b"") -> bytes:
    """``payload`` readable only with the private key behind ``recipient.seal``:
    ephemeral public key (32 bytes), nonce (12), then the ciphertext and tag.

    ``context`` (the sender's signing key and what the package is about) enters
    the key and the associated data: the sealed bytes cannot be re-wrapped
    under another sender's signature or another manifest."""
    from cryptography.hazmat.primitives.asymmetric.x25519 import (
        X25519PrivateKey,
        X25519PublicKey,
    )
    from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

    to = _raw(recipient.seal, "加密公钥")
    ephemeral = X25519PrivateKey.generate()
    mine = ephemeral.public_key().public_bytes(*_raw_format())
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(to))
    nonce = os.urandom(12)
    key = _key(shared, to + context, mine)
    return mine + nonce + ChaCha20Poly1305(key).encrypt(nonce, payload, to + context)


def unseal(private: X25519PrivateKey, blob: bytes, context: bytes = b"") -> bytes:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey
    from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

    if len(blob) < 32 + 12 + 16:
        raise SealError("加密内容不完整")
    mine = private.public_key().public_bytes(*_raw_format())
    theirs, nonce, body = blob[:32], blob[32:44], blob[44:]
    try:
        shared = private.exchange(X25519PublicKey.from_public_bytes(theirs))
        key = _key(shared, mine + context, theirs)
        return ChaCha20Poly1305(key).decrypt(nonce, body, mine + context)
    except (InvalidTag, ValueError) as exc:  # ValueError: a degenerate ephemeral key
        raise SealError("无法解密：不是交给本机的，或内容已被改动") from exc
