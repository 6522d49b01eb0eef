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
from mingjing.storage import Database
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
    from mingjing.services.campaigns import write_file_atomically

    digest = hashlib.sha256(data).hexdigest()
    stored = f"{digest}.{file_format}"
    path = materials_dir / stored
    if not path.is_file() or hashlib.sha256(path.read_bytes()).hexdigest() != digest:
        write_file_atomically(path, data)
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


def snapshot_file(db: Database, materials_dir: Path, snapshot_id: str) -> Path:
    """The kept file, checked against its recorded SHA-256."""
    with db.read() as session:
        row = session.get(RenderedMaterial, uuid.UUID(snapshot_id))
        if row is None or row.deleted_at is not None:
            raise DomainError("找不到这份留存的材料。")
        path, digest, title = materials_dir / row.stored_name, row.sha256, row.title
    if not path.is_file():
        raise InputRefused(f"留存的“{title}”文件 {path} 不见了，请从备份中恢复数据文件夹。")
    if hashlib.sha256(path.read_bytes()).hexdigest() != digest:
        raise InputRefused(f"留存的“{title}”文件 {path} 与生成时不一致，可能被改动过。")
    return path
