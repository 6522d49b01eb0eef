"""Every way a package file can be wrong is refused with the file named."""

from __future__ import annotations

import base64
import io
import json
import zipfile
from pathlib import Path

import pytest

from mingjing.exchange.package import (
    DATA,
    MANIFEST,
    SEALED,
    SIGNATURE,
    PackageError,
    read_package,
    read_package_bytes,
    write_package,
)
from mingjing.exchange.signing import Identity

AUTHOR = Identity.generate()
OFFICE = Identity.generate()


def make(**overrides: object) -> bytes:
    args: dict[str, object] = {
        "kind": "submission",
        "campaign_id": "c-1",
        "member_id": "m-1",
        "revision": 3,
        "app_version": "0.1.0",
        "template_id": "yongzheng-lanzheng-daizheng",
        "template_version": 1,
        "data": {"answers": [{"item": "spirit-ambition", "example": "2025年10月，我……"}]},
        "identity": AUTHOR,
    }
    args.update(overrides)
    return write_package(**args)  # type: ignore[arg-type]


def rezip(
    blob: bytes, change: dict[str, bytes | None], extra: dict[str, bytes] | None = None
) -> bytes:
    """The same package with entries replaced (bytes), removed (None) or added."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(blob)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            if info.filename in change:
                if change[info.filename] is not None:
                    dst.writestr(info.filename, change[info.filename])  # type: ignore[arg-type]
            else:
                dst.writestr(info.filename, src.read(info.filename))
        for name, data in (extra or {}).items():
            dst.writestr(name, data)
    return out.getvalue()


def refused(blob: bytes, words: str, kind: str | None = None) -> None:
    with pytest.raises(PackageError) as info:
        read_package_bytes(blob, source="张三的提交.mjpkg", expected_kind=kind)
    assert "张三的提交.mjpkg" in str(info.value)
    assert words in str(info.value), str(info.value)


def test_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "p.mjpkg"
    path.write_bytes(make())
    package = read_package(path, expected_kind="submission")
    assert package.manifest.revision == 3
    assert package.manifest.template_id == "yongzheng-lanzheng-daizheng"
    assert package.data["answers"][0]["example"].startswith("2025年10月")


def test_not_a_zip_and_truncated() -> None:
    refused(b"just some text, not a package", "不是明镜的数据文件")
    blob = make()
    refused(blob[: len(blob) // 2], "不完整")


@pytest.mark.parametrize("name", ["../evil.json", "/etc/passwd", "sub/data.json", "data.json.exe"])
def test_unexpected_or_escaping_names(name: str) -> None:
    refused(rezip(make(), {}, {name: b"{}"}), "不应有的内容")


def test_missing_entry() -> None:
    refused(rezip(make(), {DATA: None}), "缺少必需的内容")


def test_hash_mismatch() -> None:
    blob = make()
    tampered = json.dumps({"answers": [{"item": "spirit-ambition", "example": "改过"}]})
    refused(rezip(blob, {DATA: tampered.encode()}), "校验值不符")


def test_newer_format_and_wrong_kind() -> None:
    blob = make()
    with zipfile.ZipFile(io.BytesIO(blob)) as z:
        manifest = json.loads(z.read(MANIFEST))
    manifest["format"] = 99
    refused(rezip(blob, {MANIFEST: json.dumps(manifest).encode()}), "更新版本的明镜")
    refused(make(kind="campaign"), "这里需要的是自查提交文件", kind="submission")


def test_broken_manifest() -> None:
    refused(rezip(make(), {MANIFEST: b"{not json"}), "不是有效的 JSON")
    refused(rezip(make(), {MANIFEST: b'{"format": 2}'}), "缺失")
    refused(rezip(make(), {MANIFEST: b'{"format": 1}'}), "旧版明镜生成，没有签名")


def test_zip_bomb_is_refused_before_reading() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr(MANIFEST, b"{}")
        z.writestr(DATA, b"\0" * (65 * 1024 * 1024))
    refused(out.getvalue(), "上限")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr(MANIFEST, b"{}")
        z.writestr(DATA, b"\0" * (8 * 1024 * 1024))
    refused(out.getvalue(), "压缩比异常")


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(PackageError, match="找不到"):
        read_package(tmp_path / "nope.mjpkg")
    with pytest.raises(PackageError, match="文件夹"):
        read_package(tmp_path)


def test_signed_by_its_author(tmp_path: Path) -> None:
    path = tmp_path / "p.mjpkg"
    path.write_bytes(make(signer_name="陈喆"))
    package = read_package(path)
    assert package.signer == AUTHOR.public and package.manifest.signer_name == "陈喆"
    assert not package.sealed
    assert len(AUTHOR.public.fingerprint) == 39  # 128 bits: 3F2A 91C0 … in eight fours


def test_a_signature_that_does_not_match_is_refused() -> None:
    blob = make()
    with zipfile.ZipFile(io.BytesIO(blob)) as z:
        manifest = json.loads(z.read(MANIFEST))
        signature = z.read(SIGNATURE)
    refused(rezip(blob, {SIGNATURE: None}), "没有签名")
    # Another revision claimed: the manifest no longer matches its signature.
    manifest["revision"] = 4
    refused(rezip(blob, {MANIFEST: json.dumps(manifest).encode()}), "签名不符")
    # Someone else's key put in, the original signature kept.
    manifest["revision"] = 3
    manifest["signer"] = {**OFFICE.public.to_json(), "name": "陈喆"}
    refused(rezip(blob, {MANIFEST: json.dumps(manifest).encode()}), "签名不符")
    # A signature of other bytes, and one that is not even base64.
    other = make(revision=5)
    with zipfile.ZipFile(io.BytesIO(other)) as z:
        refused(rezip(blob, {SIGNATURE: z.read(SIGNATURE)}), "签名不符")
    refused(rezip(blob, {SIGNATURE: b"%%%"}), "签名不符")
    assert signature  # (the good one was there)


def test_sealed_for_one_recipient_only(tmp_path: Path) -> None:
    blob = make(seal_to=OFFICE.public)
    with zipfile.ZipFile(io.BytesIO(blob)) as z:
        assert sorted(z.namelist()) == sorted([MANIFEST, SEALED, SIGNATURE])
        sealed = z.read(SEALED)
    assert "2025年10月".encode() not in sealed
    package = read_package_bytes(blob, source="交给办公室的.mjpkg", identity=OFFICE)
    assert package.sealed and package.data["answers"][0]["item"] == "spirit-ambition"
    with pytest.raises(PackageError, match="另一台电脑"):
        read_package_bytes(blob, source="交给办公室的.mjpkg", identity=AUTHOR)
    with pytest.raises(PackageError, match="另一台电脑"):
        read_package_bytes(blob, source="交给办公室的.mjpkg")
    # Sealed data swapped for plain data under the same manifest: refused.
    refused(rezip(blob, {SEALED: None}, {DATA: b"{}"}), "缺少必需的内容")


def test_crafted_files_are_refused_not_crashed_on() -> None:
    """Whatever the bytes, the reader answers with a refusal naming the file."""
    blob = make()
    with zipfile.ZipFile(io.BytesIO(blob)) as z:
        entries = {n: z.read(n) for n in z.namelist()}

    def stored(files: dict[str, bytes], method: int = zipfile.ZIP_STORED) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", compression=method) as z:
            for name, data in files.items():
                z.writestr(name, data)
        return out.getvalue()

    refused(stored({**entries, MANIFEST: b"[" * 60000}), "")  # nested past the parser
    odd = bytearray(stored(entries))
    central = odd.index(b"PK\x01\x02")  # the first entry's central directory header
    odd[central + 10 : central + 12] = (99).to_bytes(2, "little")  # compression method
    refused(bytes(odd), "压缩方式不受支持")
    flagged = bytearray(stored(entries))
    central = flagged.index(b"PK\x01\x02")
    flagged[central + 8 : central + 10] = (1).to_bytes(2, "little")  # “encrypted”
    refused(bytes(flagged), "加密的 zip")
    deflated = bytearray(stored(entries, zipfile.ZIP_DEFLATED))
    start = deflated.index(b"PK\x03\x04") + 30 + len(MANIFEST)
    deflated[start : start + 8] = b"\xff" * 8  # broken deflate data
    refused(bytes(deflated), "")
    refused(stored({**entries, "manifest.json ": b"{}"}), "不应有的内容")


def test_a_sealed_payload_cannot_be_rewrapped_under_another_signature() -> None:
    """Data sealed by one sender, put under another's signed manifest: refused."""
    mallory = Identity.generate()
    genuine = make(seal_to=OFFICE.public)
    with zipfile.ZipFile(io.BytesIO(genuine)) as z:
        sealed = z.read(SEALED)
    forged = make(seal_to=OFFICE.public, identity=mallory)
    with zipfile.ZipFile(io.BytesIO(forged)) as z:
        manifest = json.loads(z.read(MANIFEST))
    import hashlib

    manifest["sha256"] = {SEALED: hashlib.sha256(sealed).hexdigest()}
    body = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()
    signature = base64.b64encode(mallory.sign(body))
    rewrapped = rezip(forged, {MANIFEST: body, SEALED: sealed, SIGNATURE: signature})
    with pytest.raises(PackageError, match="无法解密"):
        read_package_bytes(rewrapped, source="转签的.mjpkg", identity=OFFICE)
