"""The file format that carries data between laptops (see docs/package-format.md).

A package is a zip holding exactly three entries:

- ``manifest.json`` — format version, kind, campaign, member, revision,
  creation time, program version, checklist template, the signer's public
  keys, whom the payload is sealed to (if it is), and the SHA-256 of the
  payload entry;
- ``data.json`` — the payload of that kind, or ``data.sealed`` — the same
  sealed to the recipient's key (:mod:`mingjing.exchange.signing`);
- ``signature.sig`` — the signer's Ed25519 signature of ``manifest.json``,
  base64: it covers the payload through its hash.

:func:`read_package` checks everything before anything is parsed beyond the
manifest: that the file is a zip, that it holds only the expected names (no
folders, no ``..``, no absolute paths), that no entry claims to be larger
than the limits (zip bombs), that the manifest is well-formed and of a
format this program knows, that the signature is the signer's, and that the
payload's hash matches; only then is a sealed payload opened. Every refusal
is a :class:`PackageError` whose message names the file and the reason;
nothing is written anywhere by reading. Whether the signer is the one
expected (the office, the member on the roster) is the caller's question.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import json
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mingjing.domain.errors import DomainError
from mingjing.exchange.signing import BadKey, Identity, PublicKeys, SealError, seal

FORMAT_VERSION = 2
"""2: signed, and optionally sealed. 1 (unsigned) is refused: its origin cannot be told."""
MANIFEST = "manifest.json"
DATA = "data.json"
SEALED = "data.sealed"
SIGNATURE = "signature.sig"
ENTRIES = (MANIFEST, DATA, SEALED, SIGNATURE)
MAX_SIGNATURE_BYTES = 1024
MAX_MANIFEST_BYTES = 64 * 1024
MAX_DATA_BYTES = 64 * 1024 * 1024
MAX_RATIO = 200
"""A JSON payload compresses well, but not by more than this: beyond it is a bomb."""

SUFFIXES = {
    "campaign": ".mjcampaign",
    "submission": ".mjsubmission",
    "reply": ".mjreply",
    "review": ".mjreview",
    "review_reply": ".mjreviewreply",
}
"""File name endings, one per kind, so a double-click can open the right thing."""

KIND_LABELS = {
    "campaign": "专项行动文件",
    "submission": "自查提交文件",
    "reply": "审核回复文件",
    "review": "领导审阅文件",
    "review_reply": "领导审阅意见文件",
}


class PackageError(DomainError):
    """A package file that must not be used; the message names the file and why."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"文件 {source} 不能使用：{reason}")
        self.source = source
        self.reason = reason


@dataclass(frozen=True)
class Manifest:
    format: int
    kind: str
    campaign_id: str
    member_id: str
    revision: int
    created_at: dt.datetime
    app_version: str
    template_id: str
    template_version: int
    sha256: dict[str, str]
    signer: PublicKeys
    signer_name: str = ""
    sealed_to: str = ""
    """The recipient's sealing key (base64) if the payload is sealed; empty if not."""

    def to_json(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "kind": self.kind,
            "campaign_id": self.campaign_id,
            "member_id": self.member_id,
            "revision": self.revision,
            "created_at": self.created_at.isoformat(),
            "app_version": self.app_version,
            "template": {"id": self.template_id, "version": self.template_version},
            "sha256": dict(self.sha256),
            "signer": {**self.signer.to_json(), "name": self.signer_name},
            "sealed_to": self.sealed_to,
        }


@dataclass(frozen=True)
class Package:
    manifest: Manifest
    data: dict[str, Any]

    @property
    def signer(self) -> PublicKeys:
        return self.manifest.signer

    @property
    def sealed(self) -> bool:
        return bool(self.manifest.sealed_to)


def _dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")


def data_sha256(data: dict[str, Any]) -> str:
    """The SHA-256 a package of ``data`` will carry for its ``data.json``."""
    return hashlib.sha256(_dumps(data)).hexdigest()


def write_package(
    *,
    kind: str,
    campaign_id: str,
    member_id: str,
    revision: int,
    app_version: str,
    template_id: str,
    template_version: int,
    data: dict[str, Any],
    identity: Identity,
    signer_name: str = "",
    seal_to: PublicKeys | None = None,
    created_at: dt.datetime | None = None,
) -> bytes:
    """The bytes of a package signed by ``identity`` (and sealed to ``seal_to``,
    if given); the caller writes them (atomically) where it wants."""
    if kind not in KIND_LABELS:
        raise ValueError(f"unknown package kind {kind!r}")
    payload = _dumps(data)
    entry = DATA
    if seal_to is not None:
        context = _seal_context(identity.public, kind, campaign_id, member_id, revision)
        payload, entry = seal(seal_to, payload, context), SEALED
    manifest = Manifest(
        format=FORMAT_VERSION,
        kind=kind,
        campaign_id=campaign_id,
        member_id=member_id,
        revision=revision,
        created_at=created_at or dt.datetime.now(dt.UTC),
        app_version=app_version,
        template_id=template_id,
        template_version=template_version,
        sha256={entry: hashlib.sha256(payload).hexdigest()},
        signer=identity.public,
        signer_name=signer_name,
        sealed_to=seal_to.seal if seal_to is not None else "",
    )
    manifest_bytes = _dumps(manifest.to_json())
    signature = base64.b64encode(identity.sign(manifest_bytes))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MANIFEST, manifest_bytes)
        archive.writestr(entry, payload)
        archive.writestr(SIGNATURE, signature)
    return buffer.getvalue()


def _seal_context(
    signer: PublicKeys, kind: str, campaign_id: str, member_id: str, revision: int
) -> bytes:
    """What a sealed payload is bound to: its signer and what the package is."""
    return "\n".join((signer.sign, kind, campaign_id, member_id, str(revision))).encode()


def _field(source: str, raw: dict[str, Any], name: str, kind: type, what: str) -> Any:
    value = raw.get(name)
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
        raise PackageError(source, f"清单（{MANIFEST}）中的 {name} 缺失或不是{what}")
    return value


def _parse_manifest(source: str, blob: bytes) -> Manifest:
    try:
        raw = json.loads(blob.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise PackageError(source, f"清单（{MANIFEST}）不是有效的 JSON") from exc
    if not isinstance(raw, dict):
        raise PackageError(source, f"清单（{MANIFEST}）格式不对")
    fmt = _field(source, raw, "format", int, "整数")
    if fmt > FORMAT_VERSION:
        raise PackageError(
            source, f"文件由更新版本的明镜生成（格式版本 {fmt}），请先升级本机的明镜"
        )
    if fmt == 1:
        raise PackageError(
            source,
            "文件由旧版明镜生成，没有签名，无法确认是谁发出的；请对方升级明镜后重新生成",
        )
    if fmt < 1:
        raise PackageError(source, f"格式版本 {fmt} 不正确")
    kind = _field(source, raw, "kind", str, "文字")
    if kind not in KIND_LABELS:
        raise PackageError(source, f"不认识的文件类型 {kind!r}")
    template = raw.get("template")
    if not isinstance(template, dict):
        raise PackageError(source, f"清单（{MANIFEST}）中缺少自查表模板信息")
    hashes = _field(source, raw, "sha256", dict, "校验值表")
    try:
        created = dt.datetime.fromisoformat(_field(source, raw, "created_at", str, "时间"))
    except ValueError as exc:
        raise PackageError(source, f"清单（{MANIFEST}）中的 created_at 不是有效时间") from exc
    signer = raw.get("signer")
    try:
        keys = PublicKeys.from_json(signer)
    except BadKey as exc:
        raise PackageError(source, f"清单（{MANIFEST}）中的签名人公钥无效：{exc}") from exc
    assert isinstance(signer, dict)
    name = signer.get("name", "")
    sealed_to = raw.get("sealed_to", "")
    if not isinstance(name, str) or not isinstance(sealed_to, str):
        raise PackageError(source, f"清单（{MANIFEST}）中的签名人或收件人格式不对")
    return Manifest(
        signer=keys,
        signer_name=name,
        sealed_to=sealed_to,
        format=fmt,
        kind=kind,
        campaign_id=_field(source, raw, "campaign_id", str, "文字"),
        member_id=_field(source, raw, "member_id", str, "文字"),
        revision=_field(source, raw, "revision", int, "整数"),
        created_at=created,
        app_version=_field(source, raw, "app_version", str, "文字"),
        template_id=_field(source, template, "id", str, "文字"),
        template_version=_field(source, template, "version", int, "整数"),
        sha256={str(k): str(v) for k, v in hashes.items()},
    )


def read_package(
    path: Path, *, expected_kind: str | None = None, identity: Identity | None = None
) -> Package:
    """Read and verify a package file; raises :class:`PackageError`.

    A sealed package opens only with ``identity``, the recipient's."""
    source = str(path)
    try:
        if path.is_file() and path.stat().st_size > MAX_DATA_BYTES + 2 * MAX_MANIFEST_BYTES:
            raise PackageError(source, "文件大小超出上限，不是明镜的数据文件")
        blob = path.read_bytes()
    except FileNotFoundError:
        raise PackageError(source, "找不到这个文件") from None
    except IsADirectoryError:
        raise PackageError(source, "这是一个文件夹，不是文件") from None
    except OSError as exc:
        raise PackageError(source, f"无法读取（{exc.strerror}）") from exc
    return read_package_bytes(blob, source=source, expected_kind=expected_kind, identity=identity)


def _limit(name: str) -> int:
    if name == MANIFEST:
        return MAX_MANIFEST_BYTES
    if name == SIGNATURE:
        return MAX_SIGNATURE_BYTES
    return MAX_DATA_BYTES


def read_package_bytes(
    blob: bytes,
    *,
    source: str,
    expected_kind: str | None = None,
    identity: Identity | None = None,
) -> Package:
    """Verify and read a package's bytes; anything wrong is a :class:`PackageError`
    naming ``source`` — a crafted file never escapes as another exception."""
    try:
        return _read(blob, source, expected_kind, identity)
    except PackageError:
        raise
    except (
        ValueError,
        RecursionError,
        RuntimeError,
        NotImplementedError,
        OSError,
        EOFError,
        zlib.error,
    ) as exc:
        # zlib and zipfile errors, JSON nested beyond the parser, a key that is
        # not one: the file is damaged or made to harm.
        raise PackageError(source, f"文件已损坏或格式异常（{type(exc).__name__}）") from exc


def _read(
    blob: bytes, source: str, expected_kind: str | None, identity: Identity | None
) -> Package:
    if not zipfile.is_zipfile(io.BytesIO(blob)):
        raise PackageError(source, "文件已损坏、不完整，或不是明镜的数据文件，请让对方重新发送")
    try:
        with zipfile.ZipFile(io.BytesIO(blob)) as archive:
            infos = archive.infolist()
            names = [i.filename for i in infos]
            for name in names:
                if name not in ENTRIES:
                    raise PackageError(source, f"包含不应有的内容 {name!r}")
            if len(names) != len(set(names)):
                raise PackageError(source, "同一内容出现了两次")
            for info in infos:
                if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                    raise PackageError(source, f"{info.filename} 的压缩方式不受支持")
                if info.flag_bits & 0x1:
                    raise PackageError(source, f"{info.filename} 是加密的 zip 内容，不能读取")
                if info.file_size > _limit(info.filename):
                    raise PackageError(source, f"{info.filename} 声称的大小超出上限")
                if info.compress_size and info.file_size / info.compress_size > MAX_RATIO:
                    raise PackageError(source, f"{info.filename} 的压缩比异常，已拒绝解压")
            if MANIFEST not in names:
                raise PackageError(source, "缺少必需的内容（清单）")
            manifest_bytes = _read_limited(archive, MANIFEST, source)
            manifest = _parse_manifest(source, manifest_bytes)
            if SIGNATURE not in names:
                raise PackageError(source, "没有签名，无法确认是谁发出的")
            signature = _read_limited(archive, SIGNATURE, source)
            entry = SEALED if manifest.sealed_to else DATA
            if entry not in names or (DATA in names and SEALED in names):
                raise PackageError(source, "缺少必需的内容（数据），或数据与清单不符")
            payload = _read_limited(archive, entry, source)
    except zipfile.BadZipFile as exc:
        raise PackageError(source, "文件已损坏或不完整") from exc
    try:
        signed = manifest.signer.verify(manifest_bytes, base64.b64decode(signature, validate=True))
    except ValueError:
        signed = False
    if not signed:
        raise PackageError(source, "签名不符：文件在传递中被改动，或不是签名人发出的")
    if expected_kind is not None and manifest.kind != expected_kind:
        raise PackageError(
            source,
            f"这是{KIND_LABELS[manifest.kind]}，这里需要的是{KIND_LABELS[expected_kind]}",
        )
    declared = manifest.sha256.get(entry)
    if declared != hashlib.sha256(payload).hexdigest():
        raise PackageError(source, "内容与校验值不符，文件在传递中被改动或已损坏")
    if manifest.sealed_to:
        if identity is None or identity.public.seal != manifest.sealed_to:
            raise PackageError(source, "文件已加密，是交给另一台电脑的，本机无法打开")
        context = _seal_context(
            manifest.signer,
            manifest.kind,
            manifest.campaign_id,
            manifest.member_id,
            manifest.revision,
        )
        try:
            payload = identity.unseal(payload, context)
        except SealError as exc:
            raise PackageError(source, str(exc)) from exc
        if len(payload) > MAX_DATA_BYTES:
            raise PackageError(source, f"{DATA} 超出大小上限")
    try:
        data = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise PackageError(source, "数据不是有效的 JSON") from exc
    if not isinstance(data, dict):
        raise PackageError(source, "数据格式不对")
    return Package(manifest, data)


def _read_limited(archive: zipfile.ZipFile, name: str, source: str) -> bytes:
    """Read an entry, never more than its limit, whatever its header claims."""
    limit = _limit(name)
    with archive.open(name) as stream:
        blob = stream.read(limit + 1)
    if len(blob) > limit:
        raise PackageError(source, f"{name} 超出大小上限")
    return blob
