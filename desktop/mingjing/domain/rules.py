"""Pure rules derived from stored facts (never stored themselves)."""

from __future__ import annotations

import datetime as dt
import enum

from mingjing.domain.enums import DeadlineKind, RectificationState

_OPEN_STATES = frozenset({RectificationState.PENDING, RectificationState.IN_PROGRESS})


class Urgency(enum.StrEnum):
    """到期提醒 bands: due in 7 days, in 3 days (yellow), overdue (red)."""

    NONE = "none"
    DUE_7 = "due_7"
    DUE_3 = "due_3"
    OVERDUE = "overdue"


def is_overdue(
    state: RectificationState,
    deadline_kind: DeadlineKind,
    deadline: dt.date | None,
    today: dt.date,
) -> bool:
    """逾期: open work whose dated deadline has passed.

    Rows reported complete are not overdue: the wait is the signer's, not the
    owner's. 立行立改 and 长期坚持 rows have no date to pass.
    """
    return (
        state in _OPEN_STATES
        and deadline_kind is DeadlineKind.BY_DATE
        and deadline is not None
        and deadline < today
    )


def urgency(
    state: RectificationState,
    deadline_kind: DeadlineKind,
    deadline: dt.date | None,
    today: dt.date,
) -> Urgency:
    if state not in _OPEN_STATES or deadline_kind is not DeadlineKind.BY_DATE or deadline is None:
        return Urgency.NONE
    days = (deadline - today).days
    if days < 0:
        return Urgency.OVERDUE
    if days <= 3:
        return Urgency.DUE_3
    if days <= 7:
        return Urgency.DUE_7
    return Urgency.NONE
