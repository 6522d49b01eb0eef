"""A hand-in laid out like the printed 个人对照检查材料, for reading on screen."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from mingjing.domain.enums import DeadlineKind, Level, StudyForm
from mingjing.domain.review import ActionView
from mingjing.domain.text import cn_date
from mingjing.services.self_check import MeasureView, SelfCheckView, StudyView

_NUMERALS = "一二三四五六七八九十"


def _p(text: str) -> str:
    return "".join(f"<p>{escape(line)}</p>" for line in text.splitlines() if line.strip())


def _deadline(m: MeasureView) -> str:
    kind = DeadlineKind(m.deadline_kind)
    if kind is DeadlineKind.BY_DATE:
        return f"{cn_date(m.deadline)}前" if m.deadline else "（未定）"
    return kind.label


def comments_html(comments: Sequence[ActionView], problems: dict[str, int]) -> str:
    """Leaders' 点评 and other acts on a statement, for the office's reading view."""
    if not comments:
        return ""
    items = []
    for c in comments:
        when = c.acted_at.astimezone()
        about = f"（针对问题 {problems[c.target_id]}）" if c.target_id in problems else ""
        items.append(
            f"<li><b>{escape(c.author)}</b>　{escape(c.kind_label)}{about}："
            f"{escape(c.text) or '（无）'}"
            f"　<i>{when.month}月{when.day}日，{escape(c.state_label)}</i></li>"
        )
    return "<h4>领导审阅意见</h4><ul>" + "".join(items) + "</ul>"


def statement_html(view: SelfCheckView, comments: Sequence[ActionView] = ()) -> str:
    """HTML for a QTextBrowser: headings numbered as units print them."""
    categories = dict(view.cause_categories)
    parts = [
        "<h2 align='center'>个人对照检查材料</h2>",
        f"<p align='center'>{escape(view.member_name)}"
        f"{'（' + escape(view.member_position) + '）' if view.member_position else ''}</p>",
    ]
    parts.append(comments_html(comments, {p.id: n for n, p in enumerate(view.problems, 1)}))
    if view.hints:
        parts.append("<h4>审核提示</h4><ul>")
        parts += [f"<li>{escape(h.message)}</li>" for h in view.hints]
        parts.append("</ul>")
    parts.append(
        f"<p><i>全文约 {view.text_length} 字，查摆问题和原因剖析占 {view.examined_share}%；"
        f"对号入座 {view.answered}/{view.total} 项，查摆问题 {len(view.problems)} 个。</i></p>"
    )

    sections: list[tuple[str, str]] = []

    def record_list(records: tuple[StudyView, ...]) -> str:
        rows = "".join(
            f"<li>{escape(cn_date(r.studied_on) if r.studied_on else '')}"
            f"（{escape(StudyForm(r.form).label)}）{escape(r.topic)}"
            f"{'，' + escape(r.note) if r.note else ''}</li>"
            for r in records
        )
        return f"<ol>{rows}</ol>" if rows else "<p>（未填写）</p>"

    talks = tuple(r for r in view.study if r.form == StudyForm.TALK.value)
    studies = tuple(r for r in view.study if r.form != StudyForm.TALK.value)
    sections.append(("学习情况", record_list(studies)))
    sections.append((f"谈心谈话（{len(talks)}人次）", record_list(talks)))

    problems = []
    for n, p in enumerate(view.problems, 1):
        tag = f"〔{escape(p.source)}　{escape(p.severity)}〕"
        problems.append(f"<p><b>{n}. {escape(p.text)}</b> {tag}</p>")
        problems.append(_p(p.examples) or "<p>（未写具体事例）</p>")
    sections.append(("查摆的问题", "".join(problems) or "<p>（未查摆问题）</p>"))
    if view.is_leader:
        sections.append(
            ("需要说明的个人有关事项", _p(view.personal_matters) or "<p>（未填写）</p>")
        )

    causes: list[str] = []
    for n, p in enumerate(view.problems, 1):
        for c in p.causes:
            label = categories.get(c.category, c.category)
            causes.append(
                f"<p>{len(causes) + 1}. 〔{escape(label)}〕{escape(c.text)}"
                f"<i>（针对问题 {n}）</i></p>"
            )
    if view.overall_analysis.strip():
        causes.append(_p(view.overall_analysis))
    sections.append(("原因剖析", "".join(causes) or "<p>（未剖析原因）</p>"))

    measures: list[str] = []
    for n, p in enumerate(view.problems, 1):
        for m in p.measures:
            target = f"目标：{escape(m.target)}；" if m.target else ""
            measures.append(
                f"<p>{len(measures) + 1}. {escape(m.text)}（{target}完成时限："
                f"{escape(_deadline(m))}）<i>（针对问题 {n}）</i></p>"
            )
    sections.append(("整改措施", "".join(measures) or "<p>（未提出整改措施）</p>"))

    for index, (title, body) in enumerate(sections):
        parts.append(f"<h3>{_NUMERALS[index]}、{title}</h3>{body}")

    answered = [
        item for area in view.areas for item in area.items if item.level not in (None, "none")
    ]
    if answered:
        parts.append("<h3>附：对号入座情况（轻微及以上）</h3>")
        parts.append("<table border='1' cellspacing='0' cellpadding='4' width='100%'>")
        parts.append("<tr><th>序号</th><th>具体表现</th><th>程度</th><th>具体事例</th></tr>")
        for item in answered:
            level = Level(item.level).label if item.level else ""
            parts.append(
                f"<tr><td>{item.number}</td><td>{escape(item.text)}</td>"
                f"<td>{escape(level)}</td><td>{escape(item.example)}</td></tr>"
            )
        parts.append("</table>")
    return "".join(parts)
