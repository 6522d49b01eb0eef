"""Chinese line breaking with the line-breaking rules (禁则), on plain text.

reportlab's CJK wrapping knows only part of the rules — its ``ALL_CANNOT_START``
lacks the Chinese full-width punctuation, and nothing checks what a line
*ends* with — and it justifies by stretching spaces, which Chinese text does
not have. So the materials are broken into lines here, on plain text (user
text is never parsed as markup), and drawn character by character.

A unit is what may not be split: one CJK character, a Latin word or number
(``2025``, ``100%``, ``GB/T``), or a doubled ``……`` / ``——``. A line is
filled greedily; then, while the next line would start with a character
that may not start a line (，。、；：？！）》」』”’… and the like) or this
line would end with one that may not end a line (（《「『“‘), the last unit
moves down. Lines other than a paragraph's last are then spread to the full
width by the caller.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

NO_LINE_START = frozenset(
    "，。、；：？！）》」』”’…—～·〕】〗〉］｝〞・"  # full-width
    ",.;:?!)]}%‰℃°"  # half-width that hug what is before them
)
"""May not start a line."""

NO_LINE_END = frozenset("（《「『“‘〔【〖〈［｛〝([{")
"""May not end a line."""

_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9.,:/%+\-_'&]*")
_DATE = re.compile(r"(?:\d{4}年)?\d{1,2}月(?:\d{1,2}日)?(?:前)?|\d{4}年(?:度|底)?")


def split_units(text: str, *, keep_dates: bool = False) -> list[str]:
    """The text in units that a line break may not cut; with ``keep_dates`` a
    date (2025年12月31日, 12月底 is not one) is a unit too, as a narrow table
    column wants it (in body text that would leave gaps in a spread line)."""
    units: list[str] = []
    i = 0
    while i < len(text):
        if keep_dates and text[i].isdigit():
            date = _DATE.match(text, i)
            if date:
                units.append(date.group())
                i = date.end()
                continue
        match = _WORD.match(text, i)
        if match:
            word = match.group().rstrip(".,:'-/&")  # a full stop after a number is punctuation
            units.append(word)
            i += len(word)
            continue
        ch = text[i]
        if ch in "…—" and text[i + 1 : i + 2] == ch:
            units.append(ch * 2)
            i += 2
            continue
        units.append(ch)
        i += 1
    return units


@dataclass(frozen=True)
class Line:
    text: str
    width: float
    """Natural width: the advances of its characters, before spreading."""
    indent: float
    last: bool
    """The last line of its paragraph (set ragged, not spread)."""

    @property
    def chars(self) -> int:
        return len(self.text)


def break_lines(
    text: str,
    width: float,
    advance: Callable[[str], float],
    *,
    first_indent: float = 0.0,
    keep_dates: bool = False,
    no_lone_last: bool = False,
) -> list[Line]:
    """One paragraph (no line feeds) in lines of at most ``width``.

    ``advance(ch)`` is the advance of one character, spacing included.
    A unit wider than a line on its own (a long URL) is cut by characters.
    ``no_lone_last``: a last line of one character (with its punctuation, “施。”)
    takes the unit before it down with it — for ragged table cells, where the
    shorter line above costs nothing; body text keeps its full lines.
    """
    out: list[Line] = []
    current: list[str] = []
    current_width = 0.0
    indent = first_indent

    def unit_width(unit: str) -> float:
        if len(unit) == 1:  # most units: one character
            return advance(unit)
        return sum(advance(ch) for ch in unit)

    def close(units: list[str], last: bool) -> None:
        while units and units[-1] == " ":
            units.pop()
        line_text = "".join(units)
        out.append(Line(line_text, unit_width(line_text), indent, last))

    pending = split_units(text, keep_dates=keep_dates)
    pending.reverse()  # a stack: pop() gives the next unit
    while pending:
        unit = pending.pop()
        w = unit_width(unit)
        available = width - indent
        if not current and unit == " ":
            continue  # no line starts with a space
        if current_width + w <= available + 0.01:
            current.append(unit)
            current_width += w
            continue
        if not current:  # a unit longer than the whole line: cut it
            fit = ""
            for ch in unit:
                if unit_width(fit + ch) > available + 0.01 and fit:
                    break
                fit += ch
            current.append(fit)
            rest = unit[len(fit) :]
            if rest:
                pending.append(rest)
            close(current, last=False)
            current, current_width, indent = [], 0.0, 0.0
            continue
        # ``unit`` would start the next line: apply the rules.
        carried: list[str] = []
        while len(current) > 1 and _breaks_a_rule(current, carried or [unit]):
            carried.insert(0, current.pop())
        if _breaks_a_rule(current, carried or [unit]) and len(unit) > 1 and current:
            # Only an opening mark is left before a date or word too long to
            # join it here: cut that unit after all rather than end on “（”.
            current += carried
            current_width = sum(unit_width(u) for u in current)
            pending += reversed(split_units(unit) if len(split_units(unit)) > 1 else list(unit))
            continue
        if _breaks_a_rule(current, carried or [unit]) and unit[0] in NO_LINE_START and not carried:
            # One character on the line and a comma after it (a very narrow
            # column): the comma hangs at the end rather than start a line.
            current.append(unit)
            close(current, last=False)
            current, current_width, indent = [], 0.0, 0.0
            continue
        close(current, last=False)
        indent = 0.0
        current = carried
        current_width = sum(unit_width(u) for u in carried)
        pending.append(unit)
    if current or not out:
        close(current, last=True)
    if no_lone_last:
        _no_lone_last(out, width, unit_width, keep_dates=keep_dates)
    return out


def _no_lone_last(
    lines: list[Line], width: float, unit_width: Callable[[str], float], *, keep_dates: bool
) -> None:
    if len(lines) < 2:
        return
    prev, last = lines[-2], lines[-1]
    if len(last.text.rstrip("".join(NO_LINE_START))) != 1:
        return
    units = split_units(prev.text, keep_dates=keep_dates)
    if len(units) < 3:
        return
    moved, kept = units[-1], "".join(units[:-1])
    if moved[0] in NO_LINE_START or kept[-1] in NO_LINE_END or moved == " ":
        return
    text = moved + last.text
    if unit_width(text) > width - last.indent + 0.01:
        return
    lines[-2] = Line(kept.rstrip(" "), unit_width(kept.rstrip(" ")), prev.indent, False)
    lines[-1] = Line(text, unit_width(text), last.indent, True)


TITLE_WORDS = (
    "庸政懒政怠政",
    "专题民主生活会",
    "民主生活会",
    "组织生活会",
    "对照检查材料",
    "检查材料",
    "领导班子",
    "问题清单",
    "整改台账",
    "整改落实",
    "落实情况",
    "情况汇总",
    "征求意见",
    "集体会诊",
    "专项行动",
    "会议方案",
    "会议记录",
    "交办单",
    "委员会",
    "公示",
)
"""Words a title's line break may not cut (GB/T 9704 §7.3.1: 回行时要做到词意完整)."""

TITLE_HEADS = ("问题", "情况", "工作", "材料", "方案", "记录", "清单", "台账", "汇编")
"""Head nouns that close the phrase before them: a title line does not start with
one (…怠政 / 问题专项行动… reads wrong; …怠政问题 / 专项行动… right)."""


def break_title(text: str, width: float, advance: Callable[[str], float]) -> list[Line] | None:
    """A title of more than one line broken where the sense allows, or None if it
    fits one line.

    Of the places the rules allow, the chosen ones keep :data:`TITLE_WORDS`
    whole, start no line with one of :data:`TITLE_HEADS`, and make the lines
    even; a break before 关于 (发文机关 over 事由) is preferred even if the
    lines are less even. If the fewest lines can only be had by a bad break, one
    line more is taken (…解决 / 庸政懒政怠政问题专项行动 / 专题民主生活会).
    """
    count = len(break_lines(text, width, advance))
    if count < 2:
        return None
    units = split_units(text)
    widths = [sum(advance(ch) for ch in u) for u in units]
    em = max(widths, default=1.0)
    starts = [0]
    for u in units:
        starts.append(starts[-1] + len(u))
    spans = [
        (m.start(), m.start() + len(word))
        for word in TITLE_WORDS + TITLE_HEADS
        for m in re.finditer(re.escape(word), text)
    ]

    def break_cost(i: int) -> float | None:
        """Cost of a line starting at unit ``i`` (None: not allowed)."""
        if _breaks_a_rule(units[:i], units[i:]):
            return None
        offset = starts[i]
        cost = 0.0
        if any(start < offset < end for start, end in spans):
            cost += 100 * em
        if text.startswith(TITLE_HEADS, offset):
            cost += 50 * em
        if text.startswith("关于", offset):
            cost -= 8 * em
        if text[offset - 1] in "、，；：":
            cost -= 6 * em  # after a pause mark: the natural place
        return cost

    breaks = [break_cost(i) if i else 0.0 for i in range(len(units))]
    prefix = [0.0]
    for w in widths:
        prefix.append(prefix[-1] + w)

    def best(k: int) -> tuple[float, list[int]] | None:
        """The cheapest k lines: (cost, start units of lines 2..k)."""
        even = prefix[-1] / k
        inf = float("inf")
        m = len(units)
        # cost[j][i]: the best cost of j lines covering units[:i]
        cost = [[inf] * (m + 1) for _ in range(k + 1)]
        back = [[0] * (m + 1) for _ in range(k + 1)]
        cost[0][0] = 0.0
        for j in range(1, k + 1):
            for i in range(1, m + 1):
                for h in range(j - 1, i):
                    if cost[j - 1][h] == inf:
                        continue
                    line = prefix[i] - prefix[h]
                    if line > width + 0.01:
                        continue
                    b = breaks[h]
                    if b is None:
                        continue
                    # Even lines; of equals, the longer above (梯形, not 倒梯形).
                    c = cost[j - 1][h] + b + abs(line - even) + 0.05 * line * (j - 1)
                    if c < cost[j][i]:
                        cost[j][i], back[j][i] = c, h
        if cost[k][m] == inf:
            return None
        cuts, i = [], m
        for j in range(k, 0, -1):
            i = back[j][i]
            cuts.append(i)
        return cost[k][m], sorted(cuts)[1:]

    chosen = best(count)
    more = best(count + 1)
    if more is not None and (chosen is None or more[0] + 10 * em < chosen[0]):
        chosen = more
    if chosen is None:
        return None
    edges = [0, *chosen[1], len(units)]
    return [
        Line(text[starts[a] : starts[b]], prefix[b] - prefix[a], 0.0, b == len(units))
        for a, b in itertools.pairwise(edges)
    ]


def _breaks_a_rule(line: list[str], following: list[str]) -> bool:
    """Whether breaking between ``line`` and ``following`` breaks a rule."""
    return following[0][0] in NO_LINE_START or line[-1][-1] in NO_LINE_END


def rule_breaks(lines: Sequence[str]) -> list[tuple[int, str]]:
    """The lines that break the rules: (line index, the offending character).

    For tests and checks of rendered documents: a line starting with a
    character of :data:`NO_LINE_START`, or ending with one of :data:`NO_LINE_END`.
    """
    found = []
    for n, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            continue
        if stripped[0] in NO_LINE_START:
            found.append((n, stripped[0]))
        if stripped[-1] in NO_LINE_END:
            found.append((n, stripped[-1]))
    return found
