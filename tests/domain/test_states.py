from __future__ import annotations

import pytest

from mingjing.domain.enums import RectificationState, SelfCheckState
from mingjing.domain.errors import IllegalTransition
from mingjing.domain.states import (
    RectificationEvent,
    SelfCheckEvent,
    rectification_events,
    rectification_step,
    self_check_events,
    self_check_step,
)

S = SelfCheckState
R = RectificationState


@pytest.mark.parametrize(
    ("state", "event", "expected"),
    [
        (S.DRAFT, SelfCheckEvent.SUBMIT, S.SUBMITTED),
        (S.SUBMITTED, SelfCheckEvent.ACCEPT, S.ACCEPTED),
        (S.SUBMITTED, SelfCheckEvent.RETURN, S.RETURNED),
        (S.RETURNED, SelfCheckEvent.REOPEN, S.DRAFT),
        (S.ACCEPTED, SelfCheckEvent.EDIT, S.DRAFT),
        (S.SUBMITTED, SelfCheckEvent.EDIT, S.DRAFT),
    ],
)
def test_self_check_allowed_steps(
    state: SelfCheckState, event: SelfCheckEvent, expected: SelfCheckState
) -> None:
    assert self_check_step(state, event) is expected


@pytest.mark.parametrize(
    ("state", "event"),
    [
        (S.DRAFT, SelfCheckEvent.ACCEPT),
        (S.DRAFT, SelfCheckEvent.RETURN),
        (S.ACCEPTED, SelfCheckEvent.SUBMIT),
        (S.RETURNED, SelfCheckEvent.ACCEPT),
    ],
)
def test_self_check_illegal_steps_raise_in_chinese(
    state: SelfCheckState, event: SelfCheckEvent
) -> None:
    with pytest.raises(IllegalTransition) as info:
        self_check_step(state, event)
    message = str(info.value)
    assert state.label in message
    assert "不能" in message


def test_full_rectification_path() -> None:
    state = R.PENDING
    for event in (
        RectificationEvent.START,
        RectificationEvent.COMPLETE,
        RectificationEvent.RETURN,
        RectificationEvent.COMPLETE,
        RectificationEvent.SIGN_OFF,
    ):
        state = rectification_step(state, event)
    assert state is R.SIGNED_OFF


@pytest.mark.parametrize(
    ("state", "event"),
    [
        (R.PENDING, RectificationEvent.SIGN_OFF),
        (R.IN_PROGRESS, RectificationEvent.SIGN_OFF),
        (R.SIGNED_OFF, RectificationEvent.COMPLETE),
        (R.PENDING, RectificationEvent.RETURN),
    ],
)
def test_rectification_illegal_steps(state: RectificationState, event: RectificationEvent) -> None:
    with pytest.raises(IllegalTransition, match="整改事项当前状态为"):
        rectification_step(state, event)


def test_sign_off_only_from_awaiting() -> None:
    for state in R:
        if RectificationEvent.SIGN_OFF in rectification_events(state):
            assert state is R.AWAITING_SIGN_OFF


def test_every_self_check_state_has_a_way_forward() -> None:
    for state in S:
        assert self_check_events(state), state
