from mingjing.domain.enums import EscalationLevel, Level, Source


def test_labels_follow_the_plan() -> None:
    assert [s.label for s in Source] == ["群众提", "自己找", "上级点", "互相帮", "集体议"]
    assert [lv.label for lv in Level] == ["不存在", "轻微", "较明显", "突出"]


def test_escalation_ladder() -> None:
    assert EscalationLevel.REMIND.next() is EscalationLevel.INQUIRY
    assert EscalationLevel.ADMONISH.next() is EscalationLevel.DISCIPLINE
    assert EscalationLevel.DISCIPLINE.next() is None


def test_values_are_stable_codes() -> None:
    assert Source("masses") is Source.MASSES
    assert Source.from_label("上级点") is Source.SUPERIOR
