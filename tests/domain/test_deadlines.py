"""完成时限 read from the ways ledgers write it, and never guessed silently."""

from __future__ import annotations

import datetime as dt

import pytest

from mingjing.domain.deadlines import Deadline, DeadlineUnreadable, format_deadline, read_deadline
from mingjing.domain.enums import DeadlineKind

REF = dt.date(2025, 11, 20)
D = DeadlineKind.BY_DATE


@pytest.mark.parametrize(
    ("text", "kind", "date", "inferred"),
    [
        ("2025年12月31日", D, dt.date(2025, 12, 31), False),
        ("2025.12.31", D, dt.date(2025, 12, 31), False),
        ("2025-12-31", D, dt.date(2025, 12, 31), False),
        ("2025/1/5", D, dt.date(2025, 1, 5), False),
        ("20251231", D, dt.date(2025, 12, 31), False),
        ("2025年12月31日前", D, dt.date(2025, 12, 31), False),
        ("2025年12月底前完成", D, dt.date(2025, 12, 31), True),
        ("限期整改：2026年3月", D, dt.date(2026, 3, 31), True),
        ("12月底", D, dt.date(2025, 12, 31), True),
        ("11月底", D, dt.date(2025, 11, 30), True),
        ("3月底前", D, dt.date(2026, 3, 31), True),  # before the reference month: next year
        ("2月底", D, dt.date(2026, 2, 28), True),
        ("1月15日", D, dt.date(2026, 1, 15), True),
        ("年底前", D, dt.date(2025, 12, 31), True),
        ("2026年上半年", D, dt.date(2026, 6, 30), True),
        ("上半年", D, dt.date(2026, 6, 30), True),
        ("46022", D, dt.date(2025, 12, 31), False),  # an Excel day number
        ("立行立改", DeadlineKind.IMMEDIATE, None, False),
        ("长期坚持", DeadlineKind.ONGOING, None, False),
        ("立行立改、长期坚持", DeadlineKind.ONGOING, None, False),
        ("", D, None, False),
        ("限期整改", D, None, False),
    ],
)
def test_deadlines_as_offices_write_them(
    text: str, kind: DeadlineKind, date: dt.date | None, inferred: bool
) -> None:
    got = read_deadline(text, REF)
    assert (got.kind, got.date) == (kind, date)
    assert bool(got.inferred) is inferred, got.inferred
    if inferred:
        assert date is not None and date.isoformat() in got.inferred


@pytest.mark.parametrize(
    "text", ["尽快", "2025年13月1日", "2月30日", "13月底", "下周", "2025.02.30"]
)
def test_unreadable_deadlines_are_refused_with_the_text(text: str) -> None:
    with pytest.raises(DeadlineUnreadable) as caught:
        read_deadline(text, REF)
    assert text in str(caught.value)


def test_printed_form() -> None:
    assert format_deadline(D, dt.date(2025, 12, 31)) == "2025-12-31"
    assert format_deadline(D, None) == "限期整改（未定）"
    assert Deadline(DeadlineKind.IMMEDIATE).text == "立行立改"
