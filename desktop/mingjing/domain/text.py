"""Small text rules shared by screens and printed materials."""

from __future__ import annotations

import datetime as dt


def cn_date(value: dt.date | None, empty: str = "") -> str:
    """2025年1月5日 — the form GB/T 9704 uses, with no leading zeros."""
    if value is None:
        return empty
    return f"{value.year}年{value.month}月{value.day}日"


def unigrams(text: str) -> str:
    """Every letter, digit and Chinese character of ``text`` as a word of its own.

    Chinese has no spaces between words, so a full-text index that splits on
    spaces would index whole clauses. Indexed one character a word, a search
    for 会议 is the phrase “会 议”, which matches exactly where the text
    contains 会议 — the substring match users expect — and an index answers it
    instead of a scan. Punctuation and spaces are dropped; letters are lower case.
    """
    return " ".join(ch for ch in text.lower() if ch.isalnum())
