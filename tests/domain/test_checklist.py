from __future__ import annotations

import re
from pathlib import Path

import pytest

from mingjing.domain.checklist import TemplateError, load_template, parse_template
from mingjing.resources import resource_path

DEFAULT = resource_path("checklists", "yongzheng-lanzheng-daizheng.yaml")
SEED = Path(__file__).resolve().parents[3] / "shared" / "seed" / "campaign-plan.zh-Hans.txt"


@pytest.fixture
def default_text() -> str:
    return DEFAULT.read_text(encoding="utf-8")


def test_default_template_has_the_plans_seven_areas() -> None:
    t = load_template(DEFAULT)
    assert [a.title for a in t.areas] == [
        "精神状态不佳",
        "工作标准不高",
        "工作落实不力",
        "担当意识不强",
        "群众观念不牢",
        "创新精神不够",
        "执行纪律不严",
    ]
    assert t.item_count == sum(len(a.items) for a in t.areas) == 25
    assert [c.label for c in t.sources] == ["群众提", "自己找", "上级点", "互相帮", "集体议"]
    assert [c.label for c in t.escalation_levels] == ["提醒", "函询", "诫勉", "严肃处理"]
    assert len({item.key for _, item in t.items()}) == t.item_count


@pytest.mark.skipif(not SEED.exists(), reason="shared/seed not beside the checkout")
def test_item_wording_comes_from_the_plan() -> None:
    def bare(text: str) -> str:
        return re.sub(r"[，。；、“”\s]", "", text)

    plan = bare(SEED.read_text(encoding="utf-8"))
    t = load_template(DEFAULT)
    for _, item in t.items():
        # Every clause of an item appears in the plan (the split may drop joining words).
        for clause in re.split(r"[，；]", item.text):
            if len(bare(clause)) >= 4:
                assert bare(clause) in plan, clause


@pytest.mark.parametrize(
    ("broken", "line", "field"),
    [
        (
            ("      - key: spirit-ambition\n", "      - kee: spirit-ambition\n"),
            64,
            "areas[1].items[1].kee",
        ),
        (("version: 1\n", "version: one\n"), 14, "version"),
        (
            ("  - {key: self, label: 自己找}\n", "  - {key: masses, label: 自己找}\n"),
            35,
            "sources[2].key",
        ),
        (("title: 强化", "titel: 强化"), 15, "titel"),
    ],
)
def test_errors_name_line_and_field(
    default_text: str, broken: tuple[str, str], line: int, field: str
) -> None:
    old, new = broken
    assert old in default_text
    with pytest.raises(TemplateError) as info:
        parse_template(default_text.replace(old, new, 1), "测试模板.yaml")
    error = info.value
    assert error.field_path == field
    assert error.line == line
    assert "测试模板.yaml" in str(error)
    assert f"第 {line} 行" in str(error)


def test_unknown_field_is_a_typo(default_text: str) -> None:
    with pytest.raises(TemplateError, match="不认识的字段"):
        parse_template(default_text + "\nlevles: []\n", "t.yaml")


def test_duplicate_item_key(default_text: str) -> None:
    text = default_text.replace("key: spirit-listless", "key: spirit-ambition")
    with pytest.raises(TemplateError, match="重复"):
        parse_template(text, "t.yaml")


def test_bad_yaml_and_bad_encoding(tmp_path: Path) -> None:
    with pytest.raises(TemplateError, match="YAML 格式错误"):
        parse_template("areas: [\n", "t.yaml")
    bad = tmp_path / "gbk.yaml"
    bad.write_bytes("标题".encode("gbk"))
    with pytest.raises(TemplateError, match="UTF-8"):
        load_template(bad)
    with pytest.raises(TemplateError, match="文件是空的"):
        parse_template("", "empty.yaml")


def test_a_second_template_needs_no_code(default_text: str) -> None:
    text = default_text.replace("id: yongzheng-lanzheng-daizheng", "id: another-campaign")
    text = text.replace("title: 精神状态不佳", "title: 思想作风不实")
    t = parse_template(text, "other.yaml")
    assert t.id == "another-campaign"
    assert t.areas[0].title == "思想作风不实"
