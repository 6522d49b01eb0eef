"""Small text rules shared by screens and printed materials."""

from __future__ import annotations

import datetime as dt
import re


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


def short_statement(text: str, limit: int = 40) -> str:
    """A problem's short statement from a longer text: its first sentence; if
    that is longer than ``limit``, up to the last pause (，、：) within it —
    never cut inside a phrase with an ellipsis, which printed materials cannot
    carry. A first sentence with no pause early enough is kept whole."""
    first = re.split(r"[。；;！!？?\n]", text.strip(), maxsplit=1)[0].strip()
    if len(first) <= limit:
        return first
    cut = max(first.rfind(mark, 0, limit) for mark in "，、：,")
    return first[:cut] if cut >= limit // 3 else first
