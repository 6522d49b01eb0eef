"""Checklist templates: the built-in ones, and putting one into a database."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from mingjing.domain.checklist import Template, load_template
from mingjing.domain.models import Area, ChecklistTemplate, Item
from mingjing.resources import resource_path

DEFAULT_TEMPLATE_ID = "yongzheng-lanzheng-daizheng"


def builtin_template_paths() -> list[Path]:
    return sorted(resource_path("checklists").glob("*.yaml"))


def builtin_template(template_id: str = DEFAULT_TEMPLATE_ID) -> Template:
    for path in builtin_template_paths():
        template = load_template(path)
        if template.id == template_id:
            return template
    raise KeyError(template_id)


def install_template(session: Session, template: Template) -> ChecklistTemplate:
    """The database copy of ``template``; created if this key+version is new."""
    existing = session.execute(
        select(ChecklistTemplate).where(
            ChecklistTemplate.key == template.id, ChecklistTemplate.version == template.version
        )
    ).scalar_one_or_none()
    if existing is not None:
        return existing
    row = ChecklistTemplate(
        key=template.id,
        version=template.version,
        title=template.title,
        short_title=template.short_title,
        source=template.source,
        vocabulary=template.vocabulary(),
    )
    for a_index, area in enumerate(template.areas):
        area_row = Area(key=area.key, ordinal=a_index + 1, title=area.title)
        area_row.items = [
            Item(key=item.key, ordinal=i_index + 1, text=item.text)
            for i_index, item in enumerate(area.items)
        ]
        row.areas.append(area_row)
    session.add(row)
    session.flush()
    return row
