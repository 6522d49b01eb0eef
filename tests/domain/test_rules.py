from __future__ import annotations

import datetime as dt

import pytest

from mingjing.domain.enums import DeadlineKind, RectificationState
from mingjing.domain.rules import Urgency, is_overdue, urgency

TODAY = dt.date(2025, 11, 20)
R = RectificationState


@pytest.mark.parametrize(
    ("state", "kind", "deadline", "expected"),
    [
        (R.IN_PROGRESS, DeadlineKind.BY_DATE, dt.date(2025, 11, 19), True),
        (R.PENDING, DeadlineKind.BY_DATE, dt.date(2025, 11, 19), True),
        (R.IN_PROGRESS, DeadlineKind.BY_DATE, TODAY, False),
        (R.AWAITING_SIGN_OFF, DeadlineKind.BY_DATE, dt.date(2025, 1, 1), False),
        (R.SIGNED_OFF, DeadlineKind.BY_DATE, dt.date(2025, 1, 1), False),
        (R.IN_PROGRESS, DeadlineKind.ONGOING, None, False),
        (R.IN_PROGRESS, DeadlineKind.IMMEDIATE, None, False),
        (R.IN_PROGRESS, DeadlineKind.BY_DATE, None, False),
    ],
)
def test_overdue_is_derived(
    state: RectificationState, kind: DeadlineKind, deadline: dt.date | None, expected: bool
) -> None:
    assert is_overdue(state, kind, deadline, TODAY) is expected


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (-1, Urgency.OVERDUE),
        (0, Urgency.DUE_3),
        (3, Urgency.DUE_3),
        (4, Urgency.DUE_7),
        (7, Urgency.DUE_7),
        (8, Urgency.NONE),
    ],
)
def test_urgency_bands(days: int, expected: Urgency) -> None:
    deadline = TODAY + dt.timedelta(days=days)
    assert urgency(R.IN_PROGRESS, DeadlineKind.BY_DATE, deadline, TODAY) is expected
