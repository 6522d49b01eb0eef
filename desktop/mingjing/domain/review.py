"""领导审阅: what a leader can do in a review, and the words they sign.

A leader reads a review package on their laptop and acts on what it shows:
上级点 on a problem, a statement or a ledger row (a comment, or a problem
raised for the member with source 上级点), a statement returned for rework
(返工), a 销号 approved or refused. Each act is signed by the leader's key
over :func:`action_statement`, so the office can show later that a 销号 was
the leader's and said exactly this.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mingjing.domain.errors import DomainError

if TYPE_CHECKING:
    from mingjing.domain.models import LeaderAction

ACTION_LABELS: dict[str, str] = {
    "comment": "领导点评",
    "raise": "指出问题（上级点）",
    "return": "退回返工",
    "approve": "同意销号",
    "reject": "不同意销号",
}
TARGET_LABELS: dict[str, str] = {
    "problem": "问题",
    "self_check": "对照检查材料",
    "rectification": "整改事项",
    "team": "领导班子对照检查材料",
}
ALLOWED: dict[str, frozenset[str]] = {
    "comment": frozenset({"problem", "self_check", "rectification", "team"}),
    "raise": frozenset({"self_check", "team"}),
    "return": frozenset({"self_check"}),
    "approve": frozenset({"rectification"}),
    "reject": frozenset({"rectification"}),
}
DECISIONS = frozenset({"approve", "reject"})
"""At most one of these stands per ledger row in a review: the later replaces the earlier."""

STATE_LABELS: dict[str, str] = {
    "draft": "未导出",
    "sent": "已导出",
    "applied": "已采用",
    "conflict": "待确认",
    "skipped": "未采用",
}
MAX_TEXT = 4000
OWN_ROW = (
    "这项整改由{0}负责（责任领导或责任人），不能由本人审批销号，请由其他领导或主要负责同志审批。"
)


def rectification_label(serial: int, problem: str, state: str, progress: str) -> str:
    """A ledger row in words, as a leader saw it or as it stands: the two are shown
    side by side when they differ."""
    said = f"整改台账序号 {serial}：{problem}（{state}"
    if progress:
        short = progress if len(progress) <= 60 else progress[:60] + "……"
        said += f"；最新进展 {short}"
    return said + "）"


def check_action(kind: str, target_kind: str, text: str) -> str:
    """The text to keep, or a :class:`DomainError` saying what is wrong."""
    if kind not in ACTION_LABELS:
        raise DomainError(f"不认识的审阅操作“{kind}”。")
    if target_kind not in ALLOWED[kind]:
        raise DomainError(
            f"{ACTION_LABELS[kind]}不能用于{TARGET_LABELS.get(target_kind, target_kind)}。"
        )
    text = text.strip()
    if kind != "approve" and not text:
        needs = {
            "comment": "请写下点评的内容。",
            "raise": "请写明要列为问题的内容。",
            "return": "退回返工时请写明需要修改的地方。",
            "reject": "不同意销号时请写明理由，责任人才知道还差什么。",
        }
        raise DomainError(needs[kind])
    if len(text) > MAX_TEXT:
        raise DomainError(f"内容超过 {MAX_TEXT} 字，请精简后再写。")
    return text


def action_statement(
    *,
    campaign_id: str,
    action_id: str,
    author_id: str,
    kind: str,
    target_kind: str,
    target_id: str,
    target_revision: int,
    text: str,
    acted_at: dt.datetime,
) -> bytes:
    """The exact bytes a leader signs for one act (one field a line, UTF-8)."""
    if acted_at.tzinfo is None:
        raise ValueError("acted_at must be aware")
    fields = (
        "mingjing-leader-action-1",
        campaign_id,
        action_id,
        author_id,
        kind,
        target_kind,
        target_id,
        str(target_revision),
        acted_at.astimezone(dt.UTC).isoformat(),
        text,
    )
    return "\n".join(fields).encode("utf-8")


@dataclass(frozen=True)
class ActionView:
    """One leader's act as the leader's laptop or the office shows it."""

    id: str
    kind: str
    kind_label: str
    target_kind: str
    target_id: str
    target_label: str
    """What the leader saw, in words."""
    text: str
    acted_at: dt.datetime
    author: str
    state: str
    state_label: str
    outcome: str = ""
    """At the office: what applying it did, or why it was held or skipped."""
    current: str = ""
    """For a conflict: the row as it stands now, in words."""


DONE_LABELS = {
    "comment": "已记录",
    "raise": "已列入问题",
    "return": "已退回返工",
    "approve": "已销号",
    "reject": "已退回整改",
}
"""What an applied act did, in a word or two (the office's 结果 column)."""


def action_view(action: LeaderAction, current: str = "") -> ActionView:
    return ActionView(
        id=str(action.id),
        kind=action.kind,
        kind_label=ACTION_LABELS.get(action.kind, action.kind),
        target_kind=action.target_kind,
        target_id=str(action.target_id),
        target_label=action.target_label,
        text=action.text,
        acted_at=action.acted_at,
        author=action.author_name,
        state=action.state,
        state_label=DONE_LABELS.get(action.kind, "已采用")
        if action.state == "applied"
        else STATE_LABELS.get(action.state, action.state),
        outcome=action.outcome,
        current=current,
    )
