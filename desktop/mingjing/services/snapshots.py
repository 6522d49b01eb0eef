"""留存记录: every material printed or saved, kept as it went out.

The bytes are stored in the data folder under their SHA-256 and listed with
what, when and by whom; a kept file is checked against its hash when it is
opened again. Apart from :mod:`mingjing.services.materials` so that listing
and opening them does not load the layout engines.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from mingjing.domain.errors import DomainError
from mingjing.domain.models import RenderedMaterial
from mingjing.services.roles import office
from mingjing.storage import Database, kept
from mingjing.storage.errors import InputRefused


@dataclass(frozen=True)
class Snapshot:
    id: str
    kind: str
    title: str
    file_format: str
    sha256: str
    size: int
    pages: int
    made_by: str
    options: str
    made_at: dt.datetime


def _snapshot(row: RenderedMaterial) -> Snapshot:
    return Snapshot(
        str(row.id),
        row.kind,
        row.title,
        row.file_format,
        row.sha256,
        row.size,
        row.pages,
        row.made_by,
        row.options,
        row.created_at,
    )


@office
def keep_snapshot(
    db: Database,
    materials_dir: Path,
    campaign_id: str,
    *,
    kind: str,
    title: str,
    data: bytes,
    file_format: str,
    pages: int,
    options: str = "",
) -> Snapshot:
    """Keep what was printed or saved: the bytes under their SHA-256, and a record
    of what, when and by whom (the same file twice is stored once)."""
    digest = hashlib.sha256(data).hexdigest()
    stored = f"{digest}.{file_format}"
    path = materials_dir / stored
    key = kept.key_of(materials_dir)
    if not _intact(path, key, digest):
        kept.write(path, data, key)  # sealed while the data has a password
    with db.transaction() as session:
        row = RenderedMaterial(
            campaign_id=uuid.UUID(campaign_id),
            kind=kind,
            title=title,
            file_format=file_format,
            stored_name=stored,
            sha256=digest,
            size=len(data),
            pages=pages,
            made_by=db.actor,
            options=options,
        )
        session.add(row)
        session.flush()
        return _snapshot(row)


def list_snapshots(db: Database, campaign_id: str) -> list[Snapshot]:
    with db.read() as session:
        rows = session.scalars(
            select(RenderedMaterial)
            .where(
                RenderedMaterial.campaign_id == uuid.UUID(campaign_id),
                RenderedMaterial.deleted_at.is_(None),
            )
            .order_by(RenderedMaterial.created_at.desc())
        ).all()
        return [_snapshot(r) for r in rows]


def _intact(path: Path, key: bytes | None, digest: str) -> bool:
    try:
        return path.is_file() and kept.digest(path, key)[0] == digest
    except InputRefused:  # a damaged sealed file: written again
        return False


def _kept(db: Database, materials_dir: Path, snapshot_id: str) -> tuple[Path, str, str]:
    """The kept file, the name to show it by and its recorded SHA-256."""
    with db.read() as session:
        row = session.get(RenderedMaterial, uuid.UUID(snapshot_id))
        if row is None or row.deleted_at is not None:
            raise DomainError("找不到这份留存的材料。")
        path, digest, title = materials_dir / row.stored_name, row.sha256, row.title
        name = f"{title}.{row.file_format}"
    if not path.is_file():
        raise InputRefused(f"留存的“{title}”文件 {path} 不见了，请从备份中恢复数据文件夹。")
    return path, name, digest


def _changed(path: Path, name: str) -> InputRefused:
    return InputRefused(f"留存的“{name}”文件 {path} 与生成时不一致，可能被改动过。")


def snapshot_file(db: Database, materials_dir: Path, snapshot_id: str) -> Path:
    """The kept file for another program to open, checked against its recorded SHA-256.

    While the data has a password the kept file is sealed: a plain copy is
    made for this run (removed when the data is locked or the program ends).
    """
    path, name, digest = _kept(db, materials_dir, snapshot_id)
    key = kept.key_of(materials_dir)
    if kept.digest(path, key)[0] != digest:
        raise _changed(path, name)
    return kept.opened_copy(path, key, name)


def snapshot_bytes(db: Database, materials_dir: Path, snapshot_id: str) -> bytes:
    """The kept file's content, checked (for the preview inside the window)."""
    path, name, digest = _kept(db, materials_dir, snapshot_id)
    data = kept.read(path, kept.key_of(materials_dir))
    if hashlib.sha256(data).hexdigest() != digest:
        raise _changed(path, name)
    return data
