"""The meeting materials, built from plain data into :class:`Document` blocks.

One builder per material (DOMAIN.md, “Meetings and printed materials”). The
inputs are plain dataclasses filled by :mod:`mingjing.services.materials`;
nothing here reads the database. A section with nothing in it says so in
the document (“（未查摆问题。）”), so an unfinished campaign still prints.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from mingjing.domain.text import cn_date
from mingjing.reports.document import (
    Block,
    Document,
    Heading,
    PageBreak,
    Para,
    Section,
    Signature,
    Subtitle,
    Table,
    Title,
    cn_number,
)

# ------------------------------------------------------------------ inputs


@dataclass(frozen=True)
class StudyLine:
    on: dt.date | None
    form: str
    topic: str
    hours: float | None = None
    note: str = ""


@dataclass(frozen=True)
class MeasureLine:
    text: str
    target: str = ""
    deadline: str = ""
    """As printed: 2025年12月31日前, 立行立改, 长期坚持."""


@dataclass(frozen=True)
class ProblemLine:
    text: str
    examples: str = ""
    area: str = ""
    source: str = ""
    severity: str = ""
    causes: tuple[tuple[str, str], ...] = ()
    """(category label, text)."""
    measures: tuple[MeasureLine, ...] = ()
    leader: str = ""
    deadline: str = ""


@dataclass(frozen=True)
class StatementInput:
    """One 对照检查材料: a member's, or the leadership team's (``team``)."""

    unit: str
    campaign_title: str
    name: str
    position: str = ""
    team: bool = False
    meeting: str = "专题民主生活会"
    areas: tuple[str, ...] = ()
    """The checklist's 问题方面, in order: problems are printed by area."""
    study: tuple[StudyLine, ...] = ()
    talks: tuple[StudyLine, ...] = ()
    """谈心谈话 before the meeting: the topic names whom the member talked with."""
    opinions: int = 0
    """Opinions received about this member (or the team)."""
    opinions_taken: int | None = None
    """Of them, those taken in as problems (None: all were: a member's are counted
    from their problems)."""
    last_year: tuple[str, ...] = ()
    """上年度整改落实情况: one paragraph each; none, none printed."""
    problems: tuple[ProblemLine, ...] = ()
    overall_analysis: str = ""
    cause_categories: tuple[str, ...] = ()
    """Labels in the template's order, to print the causes in."""
    date: dt.date | None = None
    personal_matters: str | None = None
    """需要说明的个人有关事项: None, no such section (a cadre at the 组织生活会);
    empty, the section says it was not written."""
    status_note: str = ""
    """Said under the title when this is not the final text (not handed in, or
    returned for rework): the office sees at once what it is printing."""


@dataclass(frozen=True)
class OpinionLine:
    channel: str
    area: str
    text: str
    count: int = 1
    """Opinions this line stands for (merged ones included)."""
    target: str = ""


@dataclass(frozen=True)
class OpinionsInput:
    unit: str
    campaign_title: str
    raw: int
    items: int
    by_channel: tuple[tuple[str, int], ...]
    by_area: tuple[tuple[str, int], ...]
    lines: tuple[OpinionLine, ...]
    converted: int = 0
    date: dt.date | None = None


@dataclass(frozen=True)
class ConsultationRecord:
    held_on: dt.date | None
    place: str
    topic: str
    host: str
    participants: tuple[str, ...]
    problems: tuple[str, ...]
    diagnosis: str
    measures: tuple[tuple[str, str, str], ...] = ()
    """(measure, owner, deadline text)."""


@dataclass(frozen=True)
class LedgerLine:
    serial: int
    problem: str
    measure: str
    leader: str
    department: str
    deadline: str
    progress: str
    sign_off: str
    area: str = ""
    owner: str = ""
    target: str = ""
    institutional: str = ""
    source: str = ""
    personal: bool = False
    """A member's own problem (not the team's, nor a 会诊's)."""


@dataclass(frozen=True)
class AssignmentSheet:
    number: str
    issued_to: str
    issued_by: str
    issued_on: dt.date | None
    due_date: dt.date | None
    rows: tuple[LedgerLine, ...]
    note: str = ""


@dataclass(frozen=True)
class MeetingRecord:
    kind: str
    """专题民主生活会 / 组织生活会."""
    theme: str
    held_on: dt.date | None
    place: str
    host: str
    recorder: str
    attendees: tuple[str, ...] = ()
    absentees: tuple[tuple[str, str], ...] = ()
    """(name, reason)."""
    observers: tuple[str, ...] = ()
    agenda: tuple[tuple[str, str], ...] = ()
    """(item, minutes)."""
    criticisms: tuple[tuple[str, str, str, str], ...] = ()
    """(from, to — empty for self-criticism, what was said, the response)."""
    follow_up: str = ""
    branch: str = ""
    """The 党支部 holding a 组织生活会."""
    planned_on: dt.date | None = None
    """When the meeting was planned: the date of its 方案."""
    members: tuple[str, ...] = ()
    """Those attending or absent, in roster order (the 方案's 参加人员)."""


@dataclass(frozen=True)
class CampaignMaterials:
    """Everything a meeting package holds."""

    unit: str
    campaign_title: str
    meeting: MeetingRecord | None = None
    team: StatementInput | None = None
    statements: tuple[StatementInput, ...] = ()
    team_problems: tuple[ProblemLine, ...] = ()
    opinions: OpinionsInput | None = None
    consultations: tuple[ConsultationRecord, ...] = ()
    ledger: tuple[LedgerLine, ...] = ()
    assignments: tuple[AssignmentSheet, ...] = ()
    date: dt.date | None = None
    anonymise: bool = False
    """In the public notice, members are not named."""
    extra: dict[str, str] = field(default_factory=dict)


# ------------------------------------------------------------------ helpers


def _paras(text: str, empty: str = "") -> list[Block]:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines and empty:
        return [Para(empty)]
    return [Para(line) for line in lines]


def _sentence(text: str) -> str:
    """End a clause with 。 unless it already ends with a stop (inside a closing
    quote or bracket too: …说“不行。” ends; …传“小道消息” does not)."""
    text = text.strip()
    core = text.rstrip("”’）)」』")
    return text if not core or core[-1] in "。！？；…" else text + "。"


def _join(items: Sequence[str]) -> str:
    return "、".join(i for i in items if i)


def _topic(line: StudyLine) -> str:
    """One thing studied, as it reads in a list after 主要有：. A form's name in
    front (“专题研讨：如何做到…”) keeps it, the subject quoted: 专题研讨“如何做到…”."""
    topic = line.topic.strip().rstrip("。；;")
    head, mark, rest = topic.partition("：")
    rest = rest.strip()
    if mark and rest and len(head) <= 8 and "“" not in rest:
        topic = f"{head}“{rest}”"
    return topic


def quoted(text: str) -> str:
    """“text”, its own double quotes turned single, as Chinese nests them."""
    return "“" + text.replace("“", "‘").replace("”", "’") + "”"


def _hours(value: float) -> str:
    return f"{value:g}"


# ------------------------------------------------------------------ 对照检查材料


def statement(data: StatementInput) -> Section:
    """个人对照检查材料 or 领导班子对照检查材料."""
    who = f"{data.unit}领导班子" if data.team else data.name
    title = "领导班子对照检查材料" if data.team else "个人对照检查材料"
    blocks: list[Block] = [Title(title)]
    if data.team:
        blocks.append(Subtitle(f"{data.unit}领导班子"))
    else:
        blocks.append(Subtitle(f"{data.position}　{data.name}" if data.position else data.name))
    if data.status_note:
        blocks.append(Para(data.status_note, indent=False))
    subject = "领导班子" if data.team else "本人"
    talked = "、深入谈心谈话" if data.talks or data.team else ""
    opening = (
        f"根据{data.campaign_title}的安排，围绕开好{data.meeting}，{subject}认真学习、"
        f"广泛征求意见{talked}，对照自查表逐项对号入座，深刻查摆问题、剖析根源、"
        f"明确整改措施。现将对照检查情况报告如下。"
    )
    blocks.append(Para(opening))
    if data.study:
        forms = _join(list(dict.fromkeys(s.form for s in data.study)))
        topics = "；".join(t for t in (_topic(s) for s in data.study[:6]) if t)
        more = f"等{len(data.study)}项" if len(data.study) > 6 else ""
        hours = sum(s.hours or 0 for s in data.study)
        total = f"，累计{_hours(hours)}学时" if hours else ""
        blocks.append(
            Para(f"会前，{subject}通过{forms}等方式认真学习，主要有：{topics}{more}{total}。")
        )
    elif not data.team:
        blocks.append(Para("（未填写学习情况。）"))
    if data.talks:
        blocks.append(Para(_talks(data)))
    if data.opinions:
        received = f"会前共收到针对{subject if data.team else '本人'}的意见建议{data.opinions}条"
        if data.opinions_taken is None:
            said = f"{received}，已逐条认领，纳入问题查摆。"
        elif data.opinions_taken:
            said = f"{received}，经梳理，{data.opinions_taken}条已列为问题纳入查摆。"
        else:
            said = f"{received}，已逐条梳理研究。"
        blocks.append(Para(said))
    number = 0

    def heading(text: str) -> Heading:
        nonlocal number
        number += 1
        return Heading(1, f"{cn_number(number)}、{text}")

    if data.last_year:
        blocks.append(heading("上年度整改落实情况"))
        blocks += [Para(t) for t in data.last_year]
    blocks.append(heading("查摆的问题"))
    blocks += _problems_by_area(data)
    if data.personal_matters is not None:
        blocks.append(heading("需要说明的个人有关事项"))
        blocks += _paras(
            data.personal_matters, "（未填写。如没有需要说明的事项，请在自查中写明“无”。）"
        )
    blocks.append(heading("原因剖析"))
    blocks += _causes(data)
    blocks.append(heading("整改措施"))
    blocks += _measures(data)
    blocks.append(Signature(who, data.date))
    label = f"{title}（{data.name}）" if not data.team else title
    return Section(label, tuple(blocks))


def _talked_with(line: StudyLine) -> str:
    """Whom, as it reads after 与: “与李某某同志谈心谈话” → 李某某同志."""
    who = line.topic.strip().rstrip("。")
    if who.startswith("与") and len(who) > 1:
        who = who[1:]
    for tail in ("谈心谈话", "谈话", "交流"):
        if who.endswith(tail) and len(who) > len(tail):
            who = who[: -len(tail)]
            break
    return who.strip()


def _talks(data: StatementInput) -> str:
    n = len(data.talks)
    if data.team:
        return f"会前，班子成员共开展谈心谈话{n}人次，交流思想、互相提醒，听取意见建议。"
    names = list(dict.fromkeys(w for w in (_talked_with(t) for t in data.talks) if w))
    listed = _join(names[:6]) + ("等" if len(names) > 6 else "")
    who = f"与{listed}" if names else ""
    return f"会前，本人{who}谈心谈话{n}人次，交流思想、互相提醒，听取对本人的意见建议。"


def _problems_by_area(data: StatementInput) -> list[Block]:
    if not data.problems:
        return [Para("（未查摆问题。）")]
    out: list[Block] = []
    for n, (area, problems) in enumerate(_by_area(data), 1):
        out.append(Heading(2, f"（{cn_number(n)}）{area}方面"))
        for k, p in enumerate(problems, 1):
            # A problem without its 具体事例 prints as it stands: the gap is the
            # workspace's hint to mend, not a note for the printed page.
            out.append(Para(f"{k}.{_sentence(p.text)}{_examples(p)}"))
    return out


def _causes(data: StatementInput) -> list[Block]:
    out: list[Block] = _paras(data.overall_analysis)
    said = {line.strip() for line in data.overall_analysis.splitlines()}
    by_category: dict[str, list[str]] = {}
    for p in data.problems:
        for label, text in p.causes:
            text = text.strip()
            if text and text not in said:  # the same analysis is printed once
                said.add(text)
                by_category.setdefault(label or "其他", []).append(text)
    order = [c for c in data.cause_categories if c in by_category] + [
        c for c in by_category if c not in data.cause_categories
    ]
    for n, label in enumerate(order, 1):
        out.append(Heading(2, f"（{cn_number(n)}）{label}方面"))
        out += [Para(_sentence(t)) for t in by_category[label]]
    return out or [Para("（未剖析原因。）")]


def _by_area(data: StatementInput) -> list[tuple[str, list[ProblemLine]]]:
    """The problems by 问题方面, in the checklist's order (others last)."""
    groups: dict[str, list[ProblemLine]] = {}
    for p in data.problems:
        groups.setdefault(p.area or "其他", []).append(p)
    order = [a for a in data.areas if a in groups] + [a for a in groups if a not in data.areas]
    return [(area, groups[area]) for area in order]


def _measures(data: StatementInput) -> list[Block]:
    """The measures problem by problem, in the order 查摆的问题 gave them."""
    out: list[Block] = []
    n = 0
    for p in (p for _, problems in _by_area(data) for p in problems):
        measures = [m for m in p.measures if m.text.strip()]
        if not measures:
            continue
        n += 1
        out.append(Heading(2, f"（{cn_number(n)}）针对{quoted(p.text.strip().rstrip('。'))}"))
        for k, m in enumerate(measures, 1):
            target = m.target.strip().rstrip("。；;.")
            details = [
                f"目标：{target}" if target else "",
                f"时限：{m.deadline}" if m.deadline and "未定" not in m.deadline else "",
            ]
            tail = "；".join(d for d in details if d)
            out.append(Para(f"{k}.{_sentence(m.text)}" + (f"（{tail}）" if tail else "")))
    return out or [Para("（未提出整改措施。）")]


# ------------------------------------------------------------------ 班子问题清单


def _examples(p: ProblemLine) -> str:
    """The problem's 具体表现, without what only repeats the problem (an opinion
    or criticism taken in as a problem has its first words in both)."""
    examples = p.examples.strip()
    problem = _bare(p.text)
    if not _bare(examples) or _bare(examples) in problem:
        return ""
    if problem and examples.startswith(problem):
        return examples[len(problem) :].lstrip("。；;.，,、 ")
    return examples


def _bare(text: str) -> str:
    return text.strip().rstrip("。；;.，, ")


def problem_list(unit: str, problems: Sequence[ProblemLine], date: dt.date | None) -> Section:
    rows = tuple(
        (
            str(n),
            p.area or "—",
            p.text,
            _examples(p) or "—",
            p.source,
            "\n".join(f"{k}.{m.text}" for k, m in enumerate(p.measures, 1)) or "（待研究制定）",
            p.leader or "—",
            p.deadline or "—",
        )
        for n, p in enumerate(problems, 1)
    )
    blocks: list[Block] = [Title(f"{unit}领导班子问题清单")]
    if rows:
        blocks.append(
            Table(
                (
                    "序号",
                    "问题方面",
                    "具体问题",
                    "具体表现",
                    "来源",
                    "整改措施",
                    "责任领导",
                    "完成时限",
                ),
                rows,
                (4, 6, 12, 16, 5, 14, 6, 10.5),
                landscape=True,
            )
        )
    else:
        blocks.append(Para("（班子问题清单中还没有问题。）"))
    blocks.append(Signature(f"{unit}", date))
    return Section("领导班子问题清单", tuple(blocks), landscape=True)


# ------------------------------------------------------------------ 征求意见情况汇总


def opinions(data: OpinionsInput) -> Section:
    """Counts by channel and area, then the texts; never who gave them."""
    blocks: list[Block] = [Title("征求意见情况汇总")]
    if not data.raw:
        blocks.append(Para("（尚未征求到意见建议。）"))
        return Section("征求意见情况汇总", tuple(blocks))
    channels = _join([f"{name}{count}条" for name, count in data.by_channel if count])
    blocks.append(
        Para(
            f"根据{data.campaign_title}的安排，{data.unit}通过"
            f"{_join([c for c, _ in data.by_channel])}等方式广泛征求意见建议，"
            f"共收到意见建议{data.raw}条（其中{channels}），"
            f"经梳理归纳为{data.items}条"
            + (f"，已有{data.converted}条转为问题纳入查摆。" if data.converted else "。")
            + "现汇总如下。"
        )
    )
    blocks.append(Heading(1, "一、意见建议分布情况"))
    areas = _join([f"{name}{count}条" for name, count in data.by_area if count])
    blocks.append(Para(f"按问题方面分：{areas}。"))
    blocks.append(Heading(1, "二、意见建议内容"))
    groups: dict[str, list[OpinionLine]] = {}
    for line in data.lines:
        groups.setdefault(line.area or "未归类", []).append(line)
    # In the order the distribution above gives them (then any not counted there).
    order = [name for name, _ in data.by_area if name in groups]
    order += [name for name in groups if name not in order]
    for n, area in enumerate(order, 1):
        lines = groups[area]
        blocks.append(Heading(2, f"（{cn_number(n)}）{area}方面"))
        for k, line in enumerate(lines, 1):
            times = f"（{line.count}条意见反映）" if line.count > 1 else ""
            blocks.append(Para(f"{k}.{_sentence(line.text)}{times}"))
    blocks.append(Signature(data.unit, data.date))
    return Section("征求意见情况汇总", tuple(blocks))


# ------------------------------------------------------------------ 集体会诊记录


def consultations(unit: str, records: Sequence[ConsultationRecord]) -> Section:
    blocks: list[Block] = [Title("集体会诊记录")]
    if not records:
        blocks.append(Para("（尚未开展集体会诊。）"))
    for n, r in enumerate(records, 1):
        if n > 1:
            blocks.append(PageBreak())
        if len(records) > 1:
            blocks.append(Heading(1, f"{cn_number(n)}、{r.topic or '集体会诊'}"))
        blocks += [
            Para(f"时间：{cn_date(r.held_on) or '（未填）'}", indent=False),
            Para(f"地点：{r.place or '（未填）'}", indent=False),
            Para(f"主持人：{r.host or '（未填）'}", indent=False),
            Para(f"参加人员：{_join(list(r.participants)) or '（未填）'}", indent=False),
            Para(f"会诊问题：{'；'.join(r.problems) or '（未填）'}", indent=False),
            Heading(2, "（一）症结分析"),
            *_paras(r.diagnosis, "（未填写症结分析。）"),
            Heading(2, "（二）整改措施"),
        ]
        if r.measures:
            for k, (text, owner, deadline) in enumerate(r.measures, 1):
                who = f"责任人：{owner}" if owner else ""
                when = f"完成时限：{deadline}" if deadline else ""
                tail = "；".join(x for x in (who, when) if x)
                blocks.append(Para(f"{k}.{_sentence(text)}" + (f"（{tail}）" if tail else "")))
        else:
            blocks.append(Para("（未提出整改措施。）"))
    return Section("集体会诊记录", tuple(blocks))


# ------------------------------------------------------------------ 整改台账


LEDGER_HEADER = (
    "序号",
    "具体问题",
    "整改措施",
    "责任领导",
    "责任部门",
    "完成时限",
    "整改进展",
    "销号情况",
)


def ledger(unit: str, lines: Sequence[LedgerLine], date: dt.date | None) -> Section:
    blocks: list[Block] = [Title(f"{unit}整改台账")]
    if lines:
        blocks.append(
            Table(
                LEDGER_HEADER,
                tuple(
                    (
                        str(x.serial),
                        x.problem,
                        x.measure,
                        x.leader,
                        x.department,
                        x.deadline,
                        x.progress,
                        x.sign_off,
                    )
                    for x in lines
                ),
                (4, 13, 14, 7, 7, 10.5, 15, 10.5),  # a whole date fits 完成时限, 销号情况
                landscape=True,
            )
        )
        blocks.append(Para(f"共{len(lines)}项。", indent=False))
    else:
        blocks.append(Para("（整改台账中还没有整改事项。）"))
    blocks.append(Signature(unit, date))
    return Section("整改台账", tuple(blocks), landscape=True)


# ------------------------------------------------------------------ 交办单


def assignments(unit: str, sheets: Sequence[AssignmentSheet]) -> Section:
    """One page each."""
    blocks: list[Block] = []
    for n, sheet in enumerate(sheets):
        if n:
            blocks.append(PageBreak())
        blocks += [
            Title("整改事项交办单"),
            Subtitle(sheet.number),
            Para(f"{sheet.issued_to}：", indent=False),
            Para(
                "经研究，现将下列整改事项交由你单位办理，请于"
                f"{cn_date(sheet.due_date) or '规定时限'}前整改到位，"
                "并将整改结果和佐证材料按时报送。"
            ),
        ]
        for k, row in enumerate(sheet.rows, 1):
            blocks.append(Heading(3, f"{k}.（台账第{row.serial}项）{_sentence(row.problem)}"))
            blocks.append(Para(f"整改措施：{row.measure}"))
            blocks.append(Para(f"完成时限：{row.deadline}"))
        if sheet.note:
            blocks.append(Para(f"有关要求：{sheet.note}"))
        blocks.append(Signature(unit, sheet.issued_on))
        blocks.append(Para(f"交办人：{sheet.issued_by or '　　　　'}", indent=False))
        blocks.append(Para("签收人：　　　　　　签收日期：　　年　　月　　日", indent=False))
    if not sheets:
        blocks = [Title("整改事项交办单"), Para("（还没有交办单。）")]
    return Section("整改事项交办单", tuple(blocks))


# ------------------------------------------------------------------ 会议方案 / 会议记录


def meeting_plan(unit: str, m: MeetingRecord | None) -> Section:
    title = f"{(m.branch if m and m.branch else unit)}{m.kind if m else '专题民主生活会'}方案"
    blocks: list[Block] = [Title(title)]
    if m is None:
        return Section("会议方案", (*blocks, Para("（尚未安排会议。）")))
    blocks += [
        Heading(1, "一、会议主题"),
        Para(m.theme or "（未填写会议主题。）"),
        Heading(1, "二、时间地点"),
        Para(f"时间：{cn_date(m.held_on) or '（待定）'}；地点：{m.place or '（待定）'}。"),
        Heading(1, "三、参加人员"),
        Para(f"主持人：{m.host or '（待定）'}；记录人：{m.recorder or '（待定）'}。"),
        Para(
            "参加人员："
            + (
                _join(list(m.members) or [*m.attendees, *(name for name, _ in m.absentees)])
                or "（待定）"
            )
            + "。"
        ),
    ]
    if m.observers:
        blocks.append(Para(f"列席（督导）：{_join(list(m.observers))}。"))
    blocks.append(Heading(1, "四、会前准备"))
    blocks += _preparation(m)
    blocks.append(Heading(1, "五、会议议程"))
    if m.agenda:
        blocks += [Para(f"{k}.{_sentence(item)}") for k, (item, _) in enumerate(m.agenda, 1)]
    else:
        blocks.append(Para("（未安排议程。）"))
    blocks += [
        Heading(1, "六、有关要求"),
        Para(
            "参会同志要提前认真准备个人对照检查材料，深入开展批评和自我批评，"
            "做到见人见事、开诚布公；会后抓好问题整改，列入整改台账，实行盘点销号。"
        ),
        Signature(m.branch or unit, m.planned_on or m.held_on),
    ]
    return Section("会议方案", tuple(blocks))


def _preparation(m: MeetingRecord) -> list[Block]:
    """会前准备: what is done before the meeting, in the order it is done."""
    leaders = m.kind != "组织生活会"
    who = "班子成员" if leaders else "支部党员"
    talks = (
        "党组书记与班子成员逐一谈心谈话，班子成员之间、班子成员与分管部门负责人之间"
        "必谈，交流思想、互相提醒。"
        if leaders
        else "支部委员之间、支部委员与党员之间、党员与党员之间开展谈心谈话，互相提意见、点问题。"
    )
    write = (
        "班子成员自己动手撰写个人对照检查材料，党组书记主持起草领导班子对照检查材料，"
        "对照检查材料于会前一周送办公室汇总，按规定报送审核。"
        if leaders
        else "支部党员自己动手撰写发言提纲，对照查摆问题、剖析原因、明确整改措施，"
        "于会前交支部审阅。"
    )
    return [
        Heading(2, "（一）深入学习研讨"),
        Para(f"{who}围绕会议主题，认真开展学习，集中学习研讨与个人自学相结合。"),
        Heading(2, "（二）广泛征求意见"),
        Para(
            "通过座谈会、问卷调查、意见箱、个别访谈等方式，广泛征求干部群众和服务对象的"
            "意见建议，梳理归类后原汁原味反馈本人。"
        ),
        Heading(2, "（三）开展谈心谈话"),
        Para(talks),
        Heading(2, "（四）撰写对照检查材料" if leaders else "（四）撰写发言提纲"),
        Para(write),
    ]


def minutes(unit: str, m: MeetingRecord | None) -> Section:
    holder = m.branch if m and m.branch else unit
    blocks: list[Block] = [Title(f"{holder}{m.kind if m else '专题民主生活会'}会议记录")]
    if m is None:
        return Section("会议记录", (*blocks, Para("（尚未召开会议。）")))
    blocks += [
        Para(f"会议主题：{m.theme or '（未填）'}", indent=False),
        Para(f"时间：{cn_date(m.held_on) or '（未填）'}", indent=False),
        Para(f"地点：{m.place or '（未填）'}", indent=False),
        Para(f"主持人：{m.host or '（未填）'}　　记录人：{m.recorder or '（未填）'}", indent=False),
        Para(f"出席人员：{_join(list(m.attendees)) or '（未填）'}", indent=False),
    ]
    if m.absentees:
        absent = "；".join(
            f"{name}（{reason}）" if reason else name for name, reason in m.absentees
        )
        blocks.append(Para(f"缺席人员：{absent}", indent=False))
    if m.observers:
        blocks.append(Para(f"列席（督导）人员：{_join(list(m.observers))}", indent=False))
    blocks.append(Heading(1, "一、会议议程及记录"))
    if m.agenda:
        for k, (item, text) in enumerate(m.agenda, 1):
            blocks.append(Heading(2, f"（{cn_number(k)}）{item}"))
            blocks += _paras(text, "（未记录。）")
    else:
        blocks.append(Para("（未记录议程。）"))
    blocks.append(Heading(1, "二、批评和自我批评"))
    if m.criticisms:
        for k, (giver, receiver, said, response) in enumerate(m.criticisms, 1):
            if receiver and receiver != giver:
                head = f"{k}.{giver}对{receiver}提出批评意见："
            else:
                head = f"{k}.{giver}作自我批评："
            blocks.append(Para(head + said))
            if response:
                blocks.append(Para(f"{receiver or giver}表态：{response}"))
    else:
        blocks.append(Para("（未记录。）"))
    blocks.append(Heading(1, "三、会议议定事项"))
    blocks += _paras(m.follow_up, "（未记录。）")
    return Section("会议记录", tuple(blocks))


# ------------------------------------------------------------------ 整改情况公示


def _result(line: LedgerLine, on: dt.date | None = None) -> str:
    """整改结果 for the public: done and when, or being done and by when — never
    who signed it off, nor a progress note written for the office (in the
    first person, with names)."""
    if line.sign_off.startswith("已销号"):
        parts = [x.strip("（）") for x in re.split(r"[\n（，]", line.sign_off) if x.strip("（）")]
        when = next((x for x in parts if re.match(r"\d{4}年", x)), "")
        return f"已整改完成（{when}）" if when else "已整改完成"
    if line.sign_off.startswith("已完成"):
        return "已完成，待验收"
    deadline = line.deadline.strip()
    due = re.match(r"(\d{4})年(\d{1,2})月(\d{1,2})日", deadline)
    if due and on is not None and dt.date(*map(int, due.groups())) < on:
        return "正在整改"  # its date has passed: no promise the notice cannot keep
    if deadline and deadline not in ("未定", "—"):
        return f"正在整改（时限：{deadline}）"
    return "正在整改"


def _working_days_after(day: dt.date, count: int) -> dt.date:
    """The last of ``count`` working days from ``day`` (Saturdays and Sundays skipped;
    public holidays are not known here)."""
    n = 0
    while True:
        if day.weekday() < 5:
            n += 1
            if n == count:
                return day
        day += dt.timedelta(days=1)


def disclosure(
    unit: str,
    lines: Sequence[LedgerLine],
    date: dt.date | None,
    anonymise: bool = False,
    campaign_title: str = "专项行动",
) -> Section:
    """整改情况公示 (开门抓整改): the 班子整改清单 and the 会诊's common problems —
    their measures and results; no opinion givers, and no member's own problems
    (those are reported within the party); with ``anonymise`` no 责任部门 either."""
    public = [x for x in lines if not x.personal]
    kept = len(lines) - len(public)
    period = "公示期为5个工作日"
    if date is not None:
        end = _working_days_after(date, 5)
        period = f"公示时间为{cn_date(date)}至{cn_date(end)}（5个工作日）"
    blocks: list[Block] = [
        Title(f"{unit}关于{campaign_title}整改落实情况的公示"),
        Para(
            f"为坚持开门抓整改，主动接受群众监督，现将{unit}{campaign_title}查摆问题的"
            f"整改落实情况予以公示。{period}。如有意见建议，请在公示期内通过来信、"
            f"来电或来访向{unit}办公室反映。"
        ),
    ]
    if public:
        header = (
            ("序号", "问题", "整改措施", "整改结果")
            if anonymise
            else ("序号", "问题", "整改措施", "责任部门", "整改结果")
        )
        widths = (4, 16, 18, 14) if anonymise else (4, 14, 16, 7, 15)
        rows = tuple(
            (str(n), x.problem, x.measure, _result(x, date))
            if anonymise
            else (str(n), x.problem, x.measure, x.department, _result(x, date))
            for n, x in enumerate(public, 1)
        )
        blocks.append(Table(header, rows, widths, font_size=12))
        if kept:
            blocks.append(Para(f"班子成员个人的{kept}项整改事项，按规定在党内通报，不在此公示。"))
    else:
        blocks.append(Para("（尚无整改事项。）"))
    blocks.append(Signature(unit, date))
    return Section("整改情况公示", tuple(blocks))


# ------------------------------------------------------------------ documents


def single(section: Section, unit: str) -> Document:
    return Document(title=section.title, sections=(section,), author=unit)


def draft_note(data: CampaignMaterials) -> str:
    """Why the package is not final yet, in a sentence; empty when it is."""
    parts: list[str] = []
    unfinished = [s.name for s in data.statements if s.status_note]
    if data.team is not None and data.team.status_note:
        unfinished.insert(0, "领导班子")
    if unfinished:
        parts.append(f"{'、'.join(unfinished)}的对照检查材料尚未定稿（未提交或已退回修改）")
    open_team = sum(1 for p in data.team_problems if not p.measures)
    if open_team:
        parts.append(f"班子问题清单中有 {open_team} 个问题的整改措施待研究制定")
    open_rows = sum(1 for line in data.ledger if not line.measure.strip())
    if open_rows:
        parts.append(f"整改台账中有 {open_rows} 项整改措施待研究制定")
    if not parts:
        return ""
    return "说明：本汇编为征求意见稿。" + "；".join(parts) + "。定稿后请重新生成。"


def package(data: CampaignMaterials) -> Document:
    """会议材料汇编: cover, contents, then every material in the order they are used."""
    sections: list[Section] = [meeting_plan(data.unit, data.meeting)]
    if data.team is not None:  # a 民主生活会: the leadership's statement and list
        sections.append(statement(data.team))
        sections.append(problem_list(data.unit, data.team_problems, data.team.date))  # (its date)
    for s in data.statements:
        sections.append(statement(s))
    if data.opinions is not None:
        sections.append(opinions(data.opinions))
    sections.append(consultations(data.unit, data.consultations))
    sections.append(ledger(data.unit, data.ledger, data.date))
    if data.assignments:
        sections.append(assignments(data.unit, data.assignments))
    sections.append(minutes(data.unit, data.meeting))
    sections.append(
        disclosure(data.unit, data.ledger, data.date, data.anonymise, data.campaign_title)
    )
    kind = data.meeting.kind if data.meeting else "专题民主生活会"
    cover = (
        f"{data.campaign_title}{kind}",
        "会议材料汇编",
        data.unit,
        f"{data.date.year}年{data.date.month}月" if data.date else "",
    )
    return Document(
        title=f"{kind}会议材料汇编",
        sections=tuple(sections),
        cover=tuple(c for c in cover if c),
        draft=draft_note(data),
        contents=True,
        author=data.unit,
        subject=data.campaign_title,
    )
