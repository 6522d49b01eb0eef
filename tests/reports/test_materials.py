"""The wording the materials builders write themselves, on plain data."""

from __future__ import annotations

import datetime as dt

from mingjing.reports.document import Heading, Para
from mingjing.reports.materials import (
    MeasureLine,
    ProblemLine,
    StatementInput,
    StudyLine,
    statement,
)


def _texts(data: StatementInput) -> list[str]:
    return [b.text for b in statement(data).blocks if isinstance(b, Para | Heading)]


def test_a_problem_is_said_once_and_ends_as_a_sentence() -> None:
    criticism = ProblemLine(
        text="在饭桌上传“小道消息”",
        examples="在饭桌上传“小道消息”。今年6月，我在县里的饭局上转述未经证实的人事传言。",
        area="纪律规矩",
    )
    bare = ProblemLine(text="对群众反映的问题回应不及时", area="服务群众")
    texts = _texts(
        StatementInput(
            unit="岚川县农业农村局",
            campaign_title="专项行动",
            name="陈喆",
            areas=("服务群众", "纪律规矩"),
            problems=(criticism, bare),
        )
    )
    assert "1.在饭桌上传“小道消息”。今年6月，我在县里的饭局上转述未经证实的人事传言。" in texts
    assert "1.对群众反映的问题回应不及时。" in texts  # no editor's note printed
    assert not any("未写具体事例" in t for t in texts)


def test_the_measures_follow_the_problems_order() -> None:
    """Section 四 lists the measures in the order section 二 gave the problems (by area)."""
    late = ProblemLine(text="乙问题", area="纪律规矩", measures=(MeasureLine("乙措施"),))
    early = ProblemLine(text="甲问题", area="服务群众", measures=(MeasureLine("甲措施"),))
    texts = _texts(
        StatementInput(
            unit="单位",
            campaign_title="专项行动",
            name="陈喆",
            areas=("服务群众", "纪律规矩"),
            problems=(late, early),
        )
    )
    assert texts.index("（一）服务群众方面") < texts.index("（二）纪律规矩方面")
    assert texts.index("（一）针对“甲问题”") < texts.index("（二）针对“乙问题”")


def test_what_was_studied_reads_as_a_list() -> None:
    study = (
        StudyLine(dt.date(2025, 10, 9), "专题研讨", "专题研讨：如何做到心中有责", 3),
        StudyLine(dt.date(2025, 10, 12), "集中学习", "到望溪镇石门村开展现场教学", 4),
    )
    (sentence,) = [
        t
        for t in _texts(
            StatementInput(unit="单位", campaign_title="专项行动", name="陈喆", study=study)
        )
        if t.startswith("会前")
    ]
    assert sentence == (
        "会前，本人通过专题研讨、集中学习等方式认真学习，主要有："
        "专题研讨“如何做到心中有责”；到望溪镇石门村开展现场教学，累计7学时。"
    )


def test_an_unfinished_package_is_marked_and_says_why() -> None:
    from mingjing.reports import materials as m
    from mingjing.reports.document import DRAFT_MARK

    done = m.StatementInput(unit="某局", campaign_title="专项行动", name="甲", position="局长")
    pending = m.StatementInput(
        unit="某局", campaign_title="专项行动", name="乙", position="副局长",
        status_note="（本人尚未提交个人对照检查材料。）",
    )  # fmt: skip
    final = m.CampaignMaterials(unit="某局", campaign_title="专项行动", statements=(done,))
    assert m.draft_note(final) == ""
    assert m.package(final).draft == ""
    draft = m.CampaignMaterials(unit="某局", campaign_title="专项行动", statements=(done, pending))
    note = m.draft_note(draft)
    assert "征求意见稿" in note and "乙的对照检查材料尚未定稿" in note and "甲" not in note
    assert m.package(draft).draft == note
    assert DRAFT_MARK == "（征求意见稿）"
