"""Small text rules shared by screens and printed materials."""

from __future__ import annotations

import datetime as dt


def cn_date(value: dt.date | None, empty: str = "") -> str:
    """2025年1月5日 — the form GB/T 9704 uses, with no leading zeros."""
    if value is None:
        return empty
    return f"{value.year}年{value.month}月{value.day}日"
