"""Line breaking with the Chinese line-breaking rules."""

from __future__ import annotations

import pytest

from mingjing.reports.layout import (
    NO_LINE_END,
    NO_LINE_START,
    break_lines,
    break_title,
    rule_breaks,
    split_units,
)


def em(ch: str) -> float:
    """Full-width characters one em, Latin half."""
    return 1.0 if ord(ch) > 0x2E7F else 0.5


def test_units_keep_numbers_words_and_doubled_marks_whole() -> None:
    assert split_units("2025年GB/T 9704规定……如此——完") == [
        "2025",
        "年",
        "GB/T",
        " ",
        "9704",
        "规",
        "定",
        "……",
        "如",
        "此",
        "——",
        "完",
    ]
    assert split_units("达到100%。") == ["达", "到", "100%", "。"]


def test_no_line_starts_with_closing_punctuation() -> None:
    # Ten to a line: the comma would start line two, so 九 goes down with it.
    text = "一二三四五六七八九十，十一十二"
    lines = break_lines(text, 10, em)
    assert [line.text for line in lines] == ["一二三四五六七八九", "十，十一十二"]
    assert not lines[0].last and lines[-1].last
    assert lines[0].width == 9


def test_no_line_ends_with_an_opening_mark() -> None:
    text = "一二三四五六七八九“十”一二"
    lines = [line.text for line in break_lines(text, 10, em)]
    assert lines == ["一二三四五六七八九", "“十”一二"]


def test_a_run_of_closing_marks_moves_together() -> None:
    text = "一二三四五六七八九十”。后面"
    lines = [line.text for line in break_lines(text, 10, em)]
    assert lines[1].startswith("十”。")
    assert rule_breaks(lines) == []


def test_first_line_indent_and_long_words() -> None:
    lines = break_lines("甲" * 30, 28, em, first_indent=2)
    assert [len(line.text) for line in lines] == [26, 4]
    assert lines[0].indent == 2 and lines[1].indent == 0
    url = "https://example.invalid/" + "a" * 60
    cut = break_lines(url, 10, em)
    assert "".join(line.text for line in cut) == url
    assert all(line.width <= 10 for line in cut)


@pytest.mark.parametrize("width", range(1, 30))
def test_rules_hold_at_every_width(width: int) -> None:
    """Down to a column of six characters; below that (a run of closing marks
    wider than the column) the text still comes out whole, rules or not."""
    text = (
        "我以“材料没备齐”为由，推迟到月底才去双河镇（3个标段中有1个至今没有验收）。"
        "群众反映：“拖了两周才派人查看！”……这是《条例》所不允许的；要立行立改？"
    ) * 3
    lines = [line.text for line in break_lines(text, width, em)]
    assert "".join(lines) == text
    if width >= 6:
        assert rule_breaks(lines) == []
    assert all(sum(em(c) for c in line) <= max(width, 1) + 1.01 for line in lines[:-1])


def test_the_rule_sets_cover_chinese_punctuation() -> None:
    for ch in "，。、；：？！）》」』”’…":
        assert ch in NO_LINE_START
    for ch in "（《「『“‘":
        assert ch in NO_LINE_END
    assert rule_breaks(["，开头", "结尾（", "正常"]) == [(0, "，"), (1, "（")]


def test_a_date_stays_whole_in_a_narrow_column_only() -> None:
    date = "2025年12月31日"
    cell = [line.text for line in break_lines("请于" + date + "前完成", 8, em, keep_dates=True)]
    assert cell == ["请于", date + "前", "完成"]
    body = [line.text for line in break_lines("请于" + date + "前完成", 8, em)]
    assert body == ["请于2025年12月31", "日前完成"]  # body text fills its lines
    # Too narrow for the date: cut by characters as before, nothing lost.
    narrow = break_lines(date, 3, em, keep_dates=True)
    assert "".join(line.text for line in narrow) == date
    assert split_units("2025年度12月底", keep_dates=True)[:2] == ["2025年度", "12月"]


@pytest.mark.parametrize(
    ("title", "lines"),
    [
        (
            "岚川县农业农村局关于专项行动整改落实情况的公示",
            ["岚川县农业农村局", "关于专项行动整改落实情况的公示"],
        ),
        (
            "岚川县农业农村局领导班子专题民主生活会会议记录",
            ["岚川县农业农村局领导班子", "专题民主生活会会议记录"],
        ),
    ],
)
def test_a_title_breaks_at_a_sense_boundary(title: str, lines: list[str]) -> None:
    broken = break_title(title, 20, em)
    assert broken is not None
    assert [line.text for line in broken] == lines
    assert broken[-1].last and not broken[0].last


def test_a_title_on_one_line_is_left_alone_and_three_are_even() -> None:
    assert break_title("个人对照检查材料", 20, em) is None
    broken = break_title("很" * 45, 20, em)
    assert broken is not None and [line.text for line in broken] == ["很" * 15] * 3


def test_a_bad_break_costs_a_line_more() -> None:
    """At 17 characters a line, two lines would cut 庸政懒政怠政 / 问题: three are taken."""
    title = "强化责任担当、认真解决庸政懒政怠政问题专项行动专题民主生活会"
    broken = break_title(title, 17, em)
    assert broken is not None
    assert [line.text for line in broken] == [
        "强化责任担当、",
        "认真解决庸政懒政怠政问题",
        "专项行动专题民主生活会",
    ]
    # With room for it, two lines, the longer above.
    two = break_title(title, 20, em)
    assert two is not None
    assert [line.text for line in two] == [
        "强化责任担当、认真解决庸政懒政怠政问题",
        "专项行动专题民主生活会",
    ]


def test_an_opening_mark_is_not_left_alone_before_a_whole_date() -> None:
    """（ and a date that will not fit beside it: the date is cut, not the rule."""
    text = "已销号（2026年11月22日）"
    lines = [line.text for line in break_lines(text, 7, em, keep_dates=True)]
    assert "".join(lines) == text
    assert rule_breaks(lines) == [], lines
    assert "（" not in lines  # never a line of the mark alone


def test_a_cell_does_not_end_on_one_lone_character() -> None:
    """“…措 / 施。” in a narrow cell: the character before goes down with it."""
    text = "建立上级文件闭环台账，明确领导时限，落实整改措施。"
    width = 8.0  # eight characters of width 1
    plain = break_lines(text, width, lambda ch: 1.0)
    assert plain[-1].text == "施。"  # what a plain break gives
    lines = break_lines(text, width, lambda ch: 1.0, no_lone_last=True)
    assert lines[-1].text == "措施。" and lines[-2].text.endswith("整改")
    assert "".join(line.text for line in lines) == text
    assert [line.last for line in lines].count(True) == 1 and lines[-1].last
    # Nothing to take when the line above would end on an opening mark.
    quoted = "一二三四五六七“八”九。"
    guarded = break_lines(quoted, 6.0, lambda ch: 1.0, no_lone_last=True)
    assert rule_breaks([line.text for line in guarded]) == []
