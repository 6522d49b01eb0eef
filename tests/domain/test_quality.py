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


def kinds(problems: list[ProblemText], **kw: str) -> list[HintKind]:
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
    hints = statement_hints([good(example="", causes=(), measures=(" ",))])
    assert [h.kind for h in hints] == [HintKind.NO_EXAMPLE, HintKind.NO_CAUSE, HintKind.NO_MEASURE]
    assert all(h.problem == 0 for h in hints)
    assert "第 1 个问题" in hints[0].message


def test_problems_and_causes_should_be_half_the_text() -> None:
    long_study = "认真学习了系列重要讲话精神和专题教育的各项文件，参加集中学习和专题研讨。" * 12
    hints = statement_hints([good()], study=long_study)
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
