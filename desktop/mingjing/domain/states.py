"""State machines of self-checks and ledger rows, as pure functions.

Each machine is a table of allowed (from, event) → to steps; anything else
raises :class:`IllegalTransition` with a sentence a secretary understands.
Services apply the result to rows; the UI asks :func:`allowed_events` to
decide which buttons to enable.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping

from mingjing.domain.enums import RectificationState, SelfCheckState
from mingjing.domain.errors import IllegalTransition


class SelfCheckEvent(enum.StrEnum):
    SUBMIT = "submit"
    ACCEPT = "accept"
    RETURN = "return"
    REOPEN = "reopen"
    """The member edits again: a returned one goes back to draft to be reworked."""
    EDIT = "edit"
    """Content changed: an accepted or submitted self-check drops back to draft."""


SELF_CHECK_EVENT_LABELS: Mapping[SelfCheckEvent, str] = {
    SelfCheckEvent.SUBMIT: "提交",
    SelfCheckEvent.ACCEPT: "审核通过",
    SelfCheckEvent.RETURN: "退回返工",
    SelfCheckEvent.REOPEN: "重新填写",
    SelfCheckEvent.EDIT: "修改内容",
}

_S = SelfCheckState
_SELF_CHECK_STEPS: Mapping[tuple[SelfCheckState, SelfCheckEvent], SelfCheckState] = {
    (_S.DRAFT, SelfCheckEvent.SUBMIT): _S.SUBMITTED,
    (_S.DRAFT, SelfCheckEvent.EDIT): _S.DRAFT,
    (_S.SUBMITTED, SelfCheckEvent.ACCEPT): _S.ACCEPTED,
    (_S.SUBMITTED, SelfCheckEvent.RETURN): _S.RETURNED,
    (_S.SUBMITTED, SelfCheckEvent.EDIT): _S.DRAFT,
    (_S.SUBMITTED, SelfCheckEvent.SUBMIT): _S.SUBMITTED,
    (_S.RETURNED, SelfCheckEvent.REOPEN): _S.DRAFT,
    (_S.RETURNED, SelfCheckEvent.EDIT): _S.DRAFT,
    (_S.ACCEPTED, SelfCheckEvent.EDIT): _S.DRAFT,
    (_S.ACCEPTED, SelfCheckEvent.RETURN): _S.RETURNED,
}


def self_check_step(state: SelfCheckState, event: SelfCheckEvent) -> SelfCheckState:
    """The state after ``event``; raises :class:`IllegalTransition` if not allowed."""
    try:
        return _SELF_CHECK_STEPS[(state, event)]
    except KeyError:
        raise IllegalTransition(
            f"自查表当前状态为“{state.label}”，不能执行“{SELF_CHECK_EVENT_LABELS[event]}”。"
        ) from None


def self_check_events(state: SelfCheckState) -> list[SelfCheckEvent]:
    return [event for (s, event) in _SELF_CHECK_STEPS if s is state]


class RectificationEvent(enum.StrEnum):
    START = "start"
    COMPLETE = "complete"
    SIGN_OFF = "sign_off"
    RETURN = "return"
    """退回: a leader rejects the completion; the row goes back to 整改中."""
    REOPEN = "reopen"
    """A signed-off row found wanting in a later check (盘点) is opened again."""


RECTIFICATION_EVENT_LABELS: Mapping[RectificationEvent, str] = {
    RectificationEvent.START: "开始整改",
    RectificationEvent.COMPLETE: "报告完成",
    RectificationEvent.SIGN_OFF: "销号",
    RectificationEvent.RETURN: "退回",
    RectificationEvent.REOPEN: "重新打开",
}

_R = RectificationState
_RECTIFICATION_STEPS: Mapping[tuple[RectificationState, RectificationEvent], RectificationState] = {
    (_R.PENDING, RectificationEvent.START): _R.IN_PROGRESS,
    (_R.PENDING, RectificationEvent.COMPLETE): _R.AWAITING_SIGN_OFF,
    (_R.IN_PROGRESS, RectificationEvent.COMPLETE): _R.AWAITING_SIGN_OFF,
    (_R.AWAITING_SIGN_OFF, RectificationEvent.SIGN_OFF): _R.SIGNED_OFF,
    (_R.AWAITING_SIGN_OFF, RectificationEvent.RETURN): _R.IN_PROGRESS,
    (_R.SIGNED_OFF, RectificationEvent.REOPEN): _R.IN_PROGRESS,
}


def rectification_step(state: RectificationState, event: RectificationEvent) -> RectificationState:
    """The state after ``event``; raises :class:`IllegalTransition` if not allowed."""
    try:
        return _RECTIFICATION_STEPS[(state, event)]
    except KeyError:
        raise IllegalTransition(
            f"整改事项当前状态为“{state.label}”，不能执行“{RECTIFICATION_EVENT_LABELS[event]}”。"
        ) from None


def rectification_events(state: RectificationState) -> list[RectificationEvent]:
    return [event for (s, event) in _RECTIFICATION_STEPS if s is state]
