"""Quality hints on a personal statement, the way reviewers judge one.

Reviewers of 对照检查材料 apply a few rules (DOMAIN.md): 查摆问题 and 原因剖析
together make at least half of the text; each problem is 见人见事 — it
names a concrete matter, with a time or a place — and is not the
checklist's wording copied; every problem has a cause and a measure.

These are hints, never gates: saving and handing in are not blocked.
Pure functions over plain text, so the staff page, the office's review
and the printed statement can all use them.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass

# Four kinds of concrete detail; an example is 见人见事 when it has two of them.
_SIGNALS = (
    # a time
    re.compile(
        r"\d{2,4}\s*年|\d{1,2}\s*月|\d{1,2}\s*日|[一二三四五六七八九十]+月|今年|去年|前年|"
        r"上半年|下半年|年初|年底|年末|月初|月底|季度|汛期|春耕|秋收|夏收|春节|国庆|期间|"
        r"上周|上个月|本月|当天|那天|年度"
    ),
    # a quantity
    re.compile(r"\d+|[一二两三四五六七八九十几多][个件次户人项条天名份家台位批场轮]"),
    # a place or an organisation
    re.compile(r"[村镇乡县区市街]|合作社|企业|公司|农资店|门店|学校|医院|社区|股室|单位"),
    # a piece of work
    re.compile(
        r"项目|工程|会议|会上|调度会|检查|督查|考核|信访|举报|投诉|材料|文件|资金|补贴|台账|"
        r"走访|调研|验收|整改|报表|审批|合同|方案|培训|课题"
    ),
)
_NOISE = re.compile(r"[\s，。、；：！？“”‘’（）《》,.;:!?()\"'\-—…]")


class HintKind(enum.StrEnum):
    NO_ITEM_EXAMPLE = "no_item_example"
    NOT_RAISED = "not_raised"
    NO_STUDY = "no_study"
    NO_ANALYSIS = "no_analysis"
    BALANCE = "balance"
    NO_EXAMPLE = "no_example"
    NOT_CONCRETE = "not_concrete"
    COPIED = "copied"
    NO_CAUSE = "no_cause"
    NO_MEASURE = "no_measure"
    NO_PERSONAL_MATTERS = "no_personal_matters"
    SECOND_PERSON = "second_person"
    ITEM_AS_PROBLEM = "item_as_problem"


@dataclass(frozen=True)
class ProblemText:
    """One problem as the statement will print it."""

    text: str
    example: str
    checklist_text: str = ""
    """The checklist item it was raised from, if any (to spot copying)."""
    causes: tuple[str, ...] = ()
    measures: tuple[str, ...] = ()


@dataclass(frozen=True)
class Hint:
    kind: HintKind
    message: str
    problem: int | None = None
    """Index of the problem the hint is about (0-based), or None for the whole text."""
    item: str | None = None
    """Number of the checklist item it is about (e.g. 1.2), for checklist hints."""


def _length(text: str) -> int:
    return len(_NOISE.sub("", text))


def _bigrams(text: str) -> set[str]:
    bare = _NOISE.sub("", text)
    return {bare[i : i + 2] for i in range(len(bare) - 1)}


def is_concrete(example: str) -> bool:
    """见人见事: at least two kinds of detail — a time, a quantity, a place, a piece of work."""
    return sum(1 for signal in _SIGNALS if signal.search(example)) >= 2


def copies_checklist(example: str, checklist_text: str) -> bool:
    """The example is (nearly) the checklist's own wording."""
    if not checklist_text or not example:
        return False
    own = _bigrams(example)
    if not own:
        return False
    shared = len(own & _bigrams(checklist_text)) / len(own)
    return shared >= 0.7


@dataclass(frozen=True)
class AnswerText:
    """One checklist answer: its number as printed, level code, example, raised or not."""

    number: str
    level: str | None
    example: str
    raised: bool


def checklist_hints(answers: Sequence[AnswerText]) -> list[Hint]:
    """对号入座 hints: an applying item needs its example; a marked one is usually raised."""
    hints: list[Hint] = []
    for a in answers:
        if a.level in ("slight", "notable", "serious") and not a.example.strip():
            hints.append(
                Hint(
                    HintKind.NO_ITEM_EXAMPLE,
                    f"第 {a.number} 项已对号入座，还没有写具体表现和事例。",
                    item=a.number,
                )
            )
        if a.level in ("notable", "serious") and not a.raised:
            hints.append(
                Hint(
                    HintKind.NOT_RAISED,
                    f"第 {a.number} 项较明显或突出，一般应列为问题。",
                    item=a.number,
                )
            )
    return hints


def text_share(
    problems: Sequence[ProblemText], *, study: str = "", analysis: str = ""
) -> tuple[int, int]:
    """(total characters, percent of them in 查摆问题 and 原因剖析), punctuation not counted."""
    examined = sum(_length(p.text) + _length(p.example) for p in problems)
    causes = _length(analysis) + sum(_length(c) for p in problems for c in p.causes)
    measures = sum(_length(m) for p in problems for m in p.measures)
    total = _length(study) + examined + causes + measures
    return total, round(100 * (examined + causes) / total) if total else 0


_QUOTED = re.compile(r"“[^”]*”|‘[^’]*’|「[^」]*」")


def _plain(text: str) -> str:
    return re.sub(r"[\s，。、；：！？,.;:!?]", "", text)


def addresses_someone(text: str) -> bool:
    """Whether the text speaks to someone (你, 您) outside quoted words: a
    criticism copied as it was said, not yet in the member's own words."""
    return bool(re.search(r"[你您]", _QUOTED.sub("", text)))


def statement_hints(
    problems: Sequence[ProblemText],
    *,
    study: str = "",
    analysis: str = "",
    personal_matters: str | None = None,
) -> list[Hint]:
    """Hints for a statement: its problems, overall analysis and study record, and
    (``personal_matters`` not None: a leader's) the personal matters to explain."""
    hints: list[Hint] = []
    if personal_matters is not None and not personal_matters.strip():
        hints.append(
            Hint(
                HintKind.NO_PERSONAL_MATTERS,
                "还没有写需要说明的个人有关事项（没有的，写“无”）。",
            )
        )
    if problems and not _length(study):
        hints.append(Hint(HintKind.NO_STUDY, "还没有填写学习情况（材料开头要写学习情况）。"))
    if problems and not _length(analysis):
        hints.append(Hint(HintKind.NO_ANALYSIS, "还没有写综合原因剖析。"))
    examined = sum(_length(p.text) + _length(p.example) for p in problems)
    causes = _length(analysis) + sum(_length(c) for p in problems for c in p.causes)
    measures = sum(_length(m) for p in problems for m in p.measures)
    total = _length(study) + examined + causes + measures
    if total and (examined + causes) * 2 < total:
        share = round(100 * (examined + causes) / total)
        hints.append(
            Hint(
                HintKind.BALANCE,
                f"查摆问题和原因剖析合计只占全文的 {share}%，一般应不少于一半。",
            )
        )
    for index, p in enumerate(problems):
        n = index + 1
        if not p.example.strip():
            hints.append(
                Hint(HintKind.NO_EXAMPLE, f"第 {n} 个问题还没有具体事例，请做到见人见事。", index)
            )
        elif copies_checklist(p.example, p.checklist_text):
            hints.append(
                Hint(
                    HintKind.COPIED,
                    f"第 {n} 个问题的事例与自查表原文基本相同，照抄清单不算事例。",
                    index,
                )
            )
        elif not is_concrete(p.example):
            hints.append(
                Hint(
                    HintKind.NOT_CONCRETE,
                    f"第 {n} 个问题的事例不够具体，请写明时间、地点和具体事情。",
                    index,
                )
            )
        if p.checklist_text and _plain(p.text) == _plain(p.checklist_text):
            hints.append(
                Hint(
                    HintKind.ITEM_AS_PROBLEM,
                    f"第 {n} 个问题照搬了自查表条目，请结合本人实际，用自己的话概括问题。",
                    index,
                )
            )
        if addresses_someone(p.text) or addresses_someone(p.example):
            hints.append(
                Hint(
                    HintKind.SECOND_PERSON,
                    f"第 {n} 个问题用了“你”“您”：别人的批评意见列为问题时，请改成本人的口吻。",
                    index,
                )
            )
        if not any(c.strip() for c in p.causes):
            hints.append(Hint(HintKind.NO_CAUSE, f"第 {n} 个问题还没有剖析原因。", index))
        if not any(m.strip() for m in p.measures):
            hints.append(Hint(HintKind.NO_MEASURE, f"第 {n} 个问题还没有整改措施。", index))
    return hints
