"""Checking a package's ``data.json`` against the shape its kind promises.

A tiny declarative checker instead of a JSON-Schema library: its messages
are Chinese, name the file and the exact place (``members[3].name``), and
there are only a handful of shapes. Extra keys are allowed (a newer
program may add fields within the same format version); missing or
mistyped ones are not.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from mingjing.exchange.package import PackageError

Shape = Any
"""A type (``str``, ``int``, ``bool``), a name (``"uuid"``, ``"date?"``, ``"str?"``,
``"number?"``),
a dict of shapes, or ``[shape]`` for a list."""

_LABELS = {
    str: "文字",
    int: "整数",
    bool: "是/否",
    dict: "对象",
    list: "列表",
}


def check(source: str, value: Any, shape: Shape, path: str = "") -> None:
    """Raise :class:`PackageError` at the first place ``value`` does not fit ``shape``."""
    where = path or "数据"

    def fail(what: str) -> PackageError:
        return PackageError(source, f"数据中 {where} {what}")

    if isinstance(shape, dict):
        if not isinstance(value, dict):
            raise fail("应为对象")
        for key, sub in shape.items():
            optional = key.endswith("?")
            name = key.rstrip("?")
            if name not in value:
                if optional:
                    continue
                raise PackageError(source, f"数据中缺少 {path + '.' if path else ''}{name}")
            check(source, value[name], sub, f"{path}.{name}" if path else name)
        return
    if isinstance(shape, list):
        if not isinstance(value, list):
            raise fail("应为列表")
        for i, item in enumerate(value):
            check(source, item, shape[0], f"{where}[{i + 1}]")
        return
    if isinstance(shape, str):
        nullable = shape.endswith("?")
        base = shape.rstrip("?")
        if value is None:
            if nullable:
                return
            raise fail("不能为空")
        if base == "uuid":
            try:
                uuid.UUID(str(value))
            except ValueError:
                raise fail("不是有效的编号") from None
            return
        if base == "date":
            try:
                dt.date.fromisoformat(str(value))
            except ValueError:
                raise fail("不是有效的日期") from None
            return
        if base == "str":
            if not isinstance(value, str):
                raise fail("应为文字")
            return
        if base == "number":
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise fail("应为数字")
            return
        raise AssertionError(f"unknown shape {shape!r}")
    if shape is int and isinstance(value, bool):
        raise fail("应为整数")
    if not isinstance(value, shape):
        raise fail(f"应为{_LABELS.get(shape, str(shape))}")


CAMPAIGN_DATA: Shape = {
    "unit": {"id": "uuid", "name": str, "short_name": str, "party_body": str},
    "team": {"id": "uuid", "name": str},
    "campaign": {
        "id": "uuid",
        "title": str,
        "doc_number": str,
        "start_date": "date?",
        "end_date": "date?",
        "current_phase": str,
        "seal_hand_ins?": bool,
        "phases": [{"phase": str, "ordinal": int, "start_date": "date?", "end_date": "date?"}],
    },
    "template": {
        "id": "uuid",
        "key": str,
        "version": int,
        "title": str,
        "short_title": str,
        "source": str,
        "vocabulary": dict,
        "areas": [
            {
                "id": "uuid",
                "key": str,
                "ordinal": int,
                "title": str,
                "items": [{"id": "uuid", "key": str, "ordinal": int, "text": str}],
            }
        ],
    },
    "members": [
        {
            "id": "uuid",
            "name": str,
            "gender": str,
            "position": str,
            "department": str,
            "branch": str,
            "is_leader": bool,
            "is_party_secretary": bool,
            "supervises": str,
            "role": str,
            "sort_order": int,
        }
    ],
}


SUBMISSION_DATA: Shape = {
    "self_check": {
        "id": "uuid",
        "member_id": "uuid",
        "overall_analysis": str,
        # 需要说明的个人有关事项, added within format 1: older hand-ins have none.
        "personal_matters?": str,
    },
    "answers": [{"item": str, "level": "str?", "example": str}],
    "study_records": [
        {
            "id": "uuid",
            "studied_on": "date?",
            "form": str,
            "topic": str,
            "hours": "number?",
            "note": str,
        }
    ],
    "problems": [
        {
            "id": "uuid",
            "item": "str?",
            "area": "str?",
            "text": str,
            "examples": str,
            "severity": str,
            "source": str,
            "sort_order": int,
            "root_causes": [{"id": "uuid", "category": str, "text": str}],
            "measures": [
                {
                    "id": "uuid",
                    "text": str,
                    "target": str,
                    "deadline_kind": str,
                    "deadline": "date?",
                }
            ],
        }
    ],
}
