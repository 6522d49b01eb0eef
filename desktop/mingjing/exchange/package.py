"""The file format that carries data between laptops (see docs/package-format.md).

A package is a zip holding exactly two entries:

- ``manifest.json`` — format version, kind, campaign, member, revision,
  creation time, program version, checklist template, and the SHA-256 of
  every other entry;
- ``data.json`` — the payload of that kind.

:func:`read_package` checks everything before anything is parsed beyond the
manifest: that the file is a zip, that it holds only the expected names (no
folders, no ``..``, no absolute paths), that no entry claims to be larger
than the limits (zip bombs), that the manifest is well-formed and of a
format this program knows, and that each entry's hash matches. Every
refusal is a :class:`PackageError` whose message names the file and the
reason; nothing is written anywhere by reading.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mingjing.domain.errors import DomainError

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATA = "data.json"
ENTRIES = (MANIFEST, DATA)
MAX_MANIFEST_BYTES = 64 * 1024
MAX_DATA_BYTES = 64 * 1024 * 1024
MAX_RATIO = 200
"""A JSON payload compresses well, but not by more than this: beyond it is a bomb."""

SUFFIXES = {
    "campaign": ".mjcampaign",
    "submission": ".mjsubmission",
    "reply": ".mjreply",
    "review": ".mjreview",
}
"""File name endings, one per kind, so a double-click can open the right thing."""

KIND_LABELS = {
    "campaign": "专项行动文件",
    "submission": "自查提交文件",
    "reply": "审核回复文件",
    "review": "领导审阅文件",
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
        }


@dataclass(frozen=True)
class Package:
    manifest: Manifest
    data: dict[str, Any]


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
    created_at: dt.datetime | None = None,
) -> bytes:
    """The bytes of a package; the caller writes them (atomically) where it wants."""
    if kind not in KIND_LABELS:
        raise ValueError(f"unknown package kind {kind!r}")
    payload = _dumps(data)
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
        sha256={DATA: hashlib.sha256(payload).hexdigest()},
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MANIFEST, _dumps(manifest.to_json()))
        archive.writestr(DATA, payload)
    return buffer.getvalue()


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
    return Manifest(
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


def read_package(path: Path, *, expected_kind: str | None = None) -> Package:
    """Read and verify a package file; raises :class:`PackageError`."""
    source = str(path)
    try:
        blob = path.read_bytes()
    except FileNotFoundError:
        raise PackageError(source, "找不到这个文件") from None
    except IsADirectoryError:
        raise PackageError(source, "这是一个文件夹，不是文件") from None
    except OSError as exc:
        raise PackageError(source, f"无法读取（{exc.strerror}）") from exc
    return read_package_bytes(blob, source=source, expected_kind=expected_kind)


def read_package_bytes(blob: bytes, *, source: str, expected_kind: str | None = None) -> Package:
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
            if MANIFEST not in names or DATA not in names:
                raise PackageError(source, "缺少必需的内容（清单或数据）")
            for info in infos:
                limit = MAX_MANIFEST_BYTES if info.filename == MANIFEST else MAX_DATA_BYTES
                if info.file_size > limit:
                    raise PackageError(source, f"{info.filename} 声称的大小超出上限")
                if info.compress_size and info.file_size / info.compress_size > MAX_RATIO:
                    raise PackageError(source, f"{info.filename} 的压缩比异常，已拒绝解压")
            manifest = _parse_manifest(source, _read_limited(archive, MANIFEST, source))
            payload = _read_limited(archive, DATA, source)
    except zipfile.BadZipFile as exc:
        raise PackageError(source, "文件已损坏或不完整") from exc
    if expected_kind is not None and manifest.kind != expected_kind:
        raise PackageError(
            source,
            f"这是{KIND_LABELS[manifest.kind]}，这里需要的是{KIND_LABELS[expected_kind]}",
        )
    declared = manifest.sha256.get(DATA)
    if declared != hashlib.sha256(payload).hexdigest():
        raise PackageError(source, "内容与校验值不符，文件在传递中被改动或已损坏")
    try:
        data = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise PackageError(source, "数据不是有效的 JSON") from exc
    if not isinstance(data, dict):
        raise PackageError(source, "数据格式不对")
    return Package(manifest, data)


def _read_limited(archive: zipfile.ZipFile, name: str, source: str) -> bytes:
    """Read an entry, never more than its limit, whatever its header claims."""
    limit = MAX_MANIFEST_BYTES if name == MANIFEST else MAX_DATA_BYTES
    with archive.open(name) as stream:
        blob = stream.read(limit + 1)
    if len(blob) > limit:
        raise PackageError(source, f"{name} 超出大小上限")
    return blob
