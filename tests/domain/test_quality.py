from __future__ import annotations

from mingjing.domain.quality import (
    HintKind,
    ProblemText,
    copies_checklist,
    is_concrete,
    statement_hints,
)

ITEM = "工作热情减弱，进取意识淡化，作风疲沓，不愿吃苦挨累"
CONCRETE = (
    "2025年10月县里部署高标准农田建设项目验收时，我以材料没备齐为由推迟到月底才去双河镇，"
    "3个标段中有1个至今没有验收。"
)


def good(**changes: object) -> ProblemText:
    values: dict[str, object] = {
        "text": "工作热情减弱，作风疲沓",
        "example": CONCRETE,
        "checklist_text": ITEM,
        "causes": ("宗旨意识淡薄，对群众的事情没有真正放在心上，满足于按部就班。",),
        "measures": ("11月底前完成剩余标段验收，建立周调度台账。",),
    }
    values.update(changes)
    return ProblemText(**values)  # type: ignore[arg-type]


STUDY = "参加了集中学习。"
ANALYSIS = "究其根源，是理想信念有所松懈。"


def kinds(problems: list[ProblemText], **kw: str) -> list[HintKind]:
    kw.setdefault("study", STUDY)
    kw.setdefault("analysis", ANALYSIS)
    return [h.kind for h in statement_hints(problems, **kw)]


def test_a_good_statement_has_no_hints() -> None:
    assert kinds([good(), good()]) == []


def test_concrete_means_a_time_and_a_matter() -> None:
    assert is_concrete(CONCRETE)
    assert not is_concrete("平时工作中有时候不够积极主动，标准不够高。")
    assert not is_concrete("今年以来工作不够积极。")  # a time, but no matter or place


def test_copying_the_checklist_is_not_an_example() -> None:
    assert copies_checklist("工作热情减弱，进取意识淡化，作风疲沓", ITEM)
    assert not copies_checklist(CONCRETE, ITEM)
    assert kinds([good(example="工作热情减弱、进取意识淡化，作风有些疲沓，不愿吃苦。")]) == [
        HintKind.COPIED
    ]


def test_missing_example_cause_and_measure() -> None:
    hints = statement_hints(
        [good(example="", causes=(), measures=(" ",))], study=STUDY, analysis=ANALYSIS
    )
    assert [h.kind for h in hints] == [HintKind.NO_EXAMPLE, HintKind.NO_CAUSE, HintKind.NO_MEASURE]
    assert all(h.problem == 0 for h in hints)
    assert "第 1 个问题" in hints[0].message


def test_problems_and_causes_should_be_half_the_text() -> None:
    long_study = "认真学习了系列重要讲话精神和专题教育的各项文件，参加集中学习和专题研讨。" * 12
    hints = statement_hints([good()], study=long_study, analysis=ANALYSIS)
    assert [h.kind for h in hints] == [HintKind.BALANCE]
    assert "%" in hints[0].message
    assert kinds([good()], study="参加了集中学习。") == []


def test_the_demo_examples_written_like_real_ones_count_as_concrete() -> None:
    import yaml

    from mingjing.resources import resource_path

    content = yaml.safe_load(resource_path("demo", "unit.yaml").read_text(encoding="utf-8"))
    examples = [e for pool in content["examples"].values() for e in pool]
    assert len(examples) > 50
    assert [e for e in examples if not is_concrete(e)] == []


def test_study_and_overall_analysis_are_expected() -> None:
    assert kinds([good()], study="", analysis="") == [HintKind.NO_STUDY, HintKind.NO_ANALYSIS]
    assert kinds([], study="", analysis="") == []  # nothing written yet: nothing to nag about


def test_checklist_hints() -> None:
    from mingjing.domain.quality import AnswerText, checklist_hints

    hints = checklist_hints(
        [
            AnswerText("1.1", "none", "", False),
            AnswerText("1.2", "slight", "", False),
            AnswerText("1.3", "serious", CONCRETE, False),
            AnswerText("2.1", "notable", CONCRETE, True),
        ]
    )
    assert [(h.kind, h.message[:8]) for h in hints] == [
        (HintKind.NO_ITEM_EXAMPLE, "第 1.2 项已"),
        (HintKind.NOT_RAISED, "第 1.3 项较"),
    ]


def test_text_share() -> None:
    from mingjing.domain.quality import text_share

    total, share = text_share([good()], study=STUDY, analysis=ANALYSIS)
    assert total > 80 and 50 < share < 100
    assert text_share([]) == (0, 0)


def test_a_leader_is_reminded_of_the_personal_matters() -> None:
    kinds = [h.kind for h in statement_hints([], personal_matters="")]
    assert kinds == [HintKind.NO_PERSONAL_MATTERS]
    assert statement_hints([], personal_matters="无") == []
    assert statement_hints([], personal_matters=None) == []  # a cadre's statement has none


def test_a_criticism_copied_in_the_second_person_is_pointed_out() -> None:
    from mingjing.domain.quality import addresses_someone

    assert addresses_someone("你作为分管领导只去过一次现场")
    assert addresses_someone("作为班长，您对议定事项的督办抓得不够")
    assert not addresses_someone("我在电话里答复“你们先自己想办法”，没有到现场协调")
    copied = ProblemText(
        text="项目跟踪不力", example="你作为分管领导只去过一次现场。", causes=("x",)
    )
    kinds = [h.kind for h in statement_hints([copied], study="学习", analysis="剖析")]
    assert HintKind.SECOND_PERSON in kinds


def test_a_checklist_item_taken_as_the_problem_is_pointed_out() -> None:
    item = "工作热情减弱，进取意识淡化，作风疲沓，不愿吃苦挨累"
    same = ProblemText(
        text=item + "。", example="2025年10月我推迟了3天才到现场。", checklist_text=item
    )
    own = ProblemText(text="验收拖延、不到现场", example="…", checklist_text=item)
    kinds = [h.kind for h in statement_hints([same, own], study="学习", analysis="剖析")]
    assert kinds.count(HintKind.ITEM_AS_PROBLEM) == 1
