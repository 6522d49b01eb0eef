"""A staff laptop fills its checklist, raises problems and hands in a file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from mingjing.config import DataLocation
from mingjing.domain.enums import SelfCheckState
from mingjing.domain.quality import HintKind
from mingjing.exchange.package import read_package
from mingjing.exchange.signing import Identity
from mingjing.services.profile import load_profile
from mingjing.services.self_check import (
    NotJoined,
    hand_in,
    load_own_self_check,
    raise_problem,
    set_answer,
    set_overall_analysis,
)
from mingjing.storage import Database

EXAMPLE = (
    "2025年10月县里部署高标准农田项目验收时，我以材料没备齐为由推迟到月底才去双河镇，"
    "3个标段中有1个至今没有验收。"
)


def test_a_fresh_checklist_has_every_item_unanswered(
    laptop: tuple[DataLocation, Database],
) -> None:
    location, db = laptop
    view = load_own_self_check(db, location)
    assert view.member_name == "陈喆"
    assert view.state is SelfCheckState.DRAFT
    assert view.areas[0].title == "精神状态不佳"
    assert view.total == 25 and view.answered == 0
    assert view.areas[1].items[0].number == "2.1"
    assert view.next_unanswered() == "spirit-ambition"
    assert [label for _, label in view.levels] == ["不存在", "轻微", "较明显", "突出"]
    db.close()


def test_answers_problems_hints_and_hand_in(
    laptop: tuple[DataLocation, Database], tmp_path: Path, office_identity: Identity
) -> None:
    location, db = laptop
    view = load_own_self_check(db, location)
    set_answer(db, view.id, "spirit-ambition", level="none")
    set_answer(db, view.id, "spirit-enthusiasm", level="notable", example=EXAMPLE)
    problem_id = raise_problem(db, view.id, "spirit-enthusiasm")
    assert raise_problem(db, view.id, "spirit-enthusiasm") == problem_id  # once only
    view = load_own_self_check(db, location)
    assert view.answered == 2
    assert view.next_unanswered("spirit-ambition") == "spirit-listless"
    (problem,) = view.problems
    assert problem.examples == EXAMPLE and problem.source == "自己找"
    assert view.areas[0].items[1].problem_id == problem_id
    assert {h.kind for h in view.hints} == {
        HintKind.ITEM_AS_PROBLEM,  # raised from the item: its words until rewritten
        HintKind.NO_CAUSE,
        HintKind.NO_MEASURE,
        HintKind.NO_STUDY,
        HintKind.NO_ANALYSIS,
    }
    assert view.text_length > 40 and view.examined_share == 100

    outbox = tmp_path / "u盘"
    outbox.mkdir()
    first = hand_in(db, location, outbox)
    assert first.name == "陈喆-自查材料-第1次.mjsubmission"
    package = read_package(first, expected_kind="submission", identity=office_identity)
    assert package.manifest.revision == 1
    assert package.manifest.member_id == load_profile(location.data_dir).member_id
    answers = {a["item"]: a for a in package.data["answers"]}
    assert answers["spirit-enthusiasm"]["example"] == EXAMPLE
    assert package.data["problems"][0]["item"] == "spirit-enthusiasm"
    assert load_own_self_check(db, location).state is SelfCheckState.SUBMITTED

    # Editing after handing in drops it back to 填写中; the next hand-in is revision 2.
    state = set_answer(db, view.id, "spirit-listless", level="slight", example="……")
    assert state is SelfCheckState.DRAFT
    second = hand_in(db, location, outbox)
    assert read_package(second, identity=office_identity).manifest.revision == 2
    db.close()


def test_a_computer_that_has_not_joined_is_told_how(db: Database, location: DataLocation) -> None:
    with pytest.raises(NotJoined, match="专项行动文件"):
        load_own_self_check(db, location)


def test_problem_list_causes_measures_order_and_study(
    laptop: tuple[DataLocation, Database], tmp_path: Path, office_identity: Identity
) -> None:
    from mingjing.services.self_check import (
        add_measure,
        add_problem,
        add_root_cause,
        add_study_record,
        delete_problem,
        move_problem,
        set_overall_analysis,
        update_problem,
        update_root_cause,
    )

    location, db = laptop
    view = load_own_self_check(db, location)
    set_answer(db, view.id, "spirit-enthusiasm", level="notable", example=EXAMPLE)
    first = raise_problem(db, view.id, "spirit-enthusiasm")
    update_problem(db, first, text="验收高标准农田项目拖延，不到现场")  # in own words
    second = add_problem(db, view.id, "对群众反映的灌溉渠维修问题回应不及时", source="masses")
    third = add_problem(db, view.id, "临时的问题")
    update_problem(
        db, second, examples="2025年9月，石门村群众三次来电反映水渠漏水，我拖了两周才派人查看。"
    )
    update_problem(db, second, severity="notable")
    cause = add_root_cause(db, first, "commitment", "担当意识弱化，怕麻烦。")
    update_root_cause(db, cause, text="担当意识弱化，遇到难题怕麻烦、怕担责。")
    add_root_cause(db, second, "purpose", "宗旨意识淡薄，没有把群众的急事当成自己的事。")
    for pid in (first, second):
        add_measure(db, pid, "11月底前逐项销号", target="群众满意", deadline=dt.date(2025, 11, 30))
    move_problem(db, second, 0)
    delete_problem(db, third)
    set_overall_analysis(db, view.id, "究其根源，主要是理想信念有所松懈。")
    add_study_record(db, view.id, topic="专题学习研讨", form="seminar", hours=2.5)

    view = load_own_self_check(db, location)
    assert [p.id for p in view.problems] == [second, first]
    assert view.problems[0].source == "群众提" and view.problems[0].severity == "较重"
    assert view.problems[1].causes[0].text.startswith("担当意识弱化，遇到难题")
    assert view.problems[1].measures[0].deadline == dt.date(2025, 11, 30)
    assert view.overall_analysis.startswith("究其根源")
    assert view.hints == ()

    out = hand_in(db, location, tmp_path)
    data = read_package(out, identity=office_identity).data
    assert [p["id"] for p in data["problems"]] == [second, first]
    assert data["problems"][0]["root_causes"][0]["category"] == "purpose"
    assert data["study_records"][0]["hours"] == 2.5
    # Any edit after handing in drops the self-check back to 填写中.
    update_problem(db, first, text="工作热情减弱，作风有些疲沓")
    assert load_own_self_check(db, location).state is SelfCheckState.DRAFT
    db.close()


def test_hand_in_to_a_new_folder_never_overwrites(
    laptop: tuple[DataLocation, Database], tmp_path: Path
) -> None:
    from mingjing.storage.errors import InputRefused

    location, db = laptop
    usb = tmp_path / "U盘" / "自查材料"  # does not exist yet, no file ending: a folder
    made = hand_in(db, location, usb)
    assert made.parent == usb and made.name.endswith("第1次.mjsubmission")
    explicit = tmp_path / "交给办公室.mjsubmission"
    view = load_own_self_check(db, location)
    set_overall_analysis(db, view.id, "补充剖析。")  # a change: the next revision
    hand_in(db, location, explicit)
    set_overall_analysis(db, view.id, "再次补充。")
    with pytest.raises(InputRefused, match="已经存在"):
        hand_in(db, location, explicit)
    assert load_own_self_check(db, location).submission_revision == 2  # the refused one rolled back
    db.close()


def test_deleted_problems_causes_measures_and_study_come_back_as_they_were(
    laptop: tuple[DataLocation, Database],
) -> None:
    """What 撤销 relies on: a deletion is soft and the same record is restored."""
    from mingjing.services import self_check as svc
    from mingjing.services.errors import DomainError

    location, db = laptop
    view = load_own_self_check(db, location)
    set_answer(db, view.id, "spirit-enthusiasm", level="notable", example=EXAMPLE)
    raised = raise_problem(db, view.id, "spirit-enthusiasm")
    first = svc.add_root_cause(db, raised, "ideals", "理想信念有所动摇。")
    second = svc.add_root_cause(db, raised, "purpose", "宗旨意识淡薄。")
    measure = svc.add_measure(db, raised, "年底前完成双河镇标段验收。")
    record = svc.add_study_record(db, view.id, topic="党纪学习教育")

    svc.delete_root_cause(db, first)
    svc.delete_measure(db, measure)
    svc.delete_study_record(db, record)
    (problem,) = load_own_self_check(db, location).problems
    assert [c.id for c in problem.causes] == [second] and problem.measures == ()
    svc.restore_root_cause(db, first)
    svc.restore_measure(db, measure)
    svc.restore_study_record(db, record)
    view = load_own_self_check(db, location)
    (problem,) = view.problems
    assert [c.id for c in problem.causes] == [first, second]  # in its old place
    assert [m.text for m in problem.measures] == ["年底前完成双河镇标段验收。"]
    assert [r.id for r in view.study] == [record]

    svc.delete_problem(db, raised)
    view = load_own_self_check(db, location)
    assert view.problems == () and view.areas[0].items[1].problem_id is None
    svc.restore_problem(db, raised)
    view = load_own_self_check(db, location)
    assert [p.id for p in view.problems] == [raised]
    assert len(view.problems[0].causes) == 2 and view.areas[0].items[1].problem_id == raised

    # Raised again meanwhile: the old one is not brought back beside it.
    svc.delete_problem(db, raised)
    again = raise_problem(db, view.id, "spirit-enthusiasm")
    with pytest.raises(DomainError, match="已重新列为问题"):
        svc.restore_problem(db, raised)
    assert [p.id for p in load_own_self_check(db, location).problems] == [again]
    db.close()


def test_a_problem_may_be_blank_only_while_it_is_empty(
    laptop: tuple[DataLocation, Database],
) -> None:
    """Undoing the first words of a new problem returns it to blank; a problem
    with examples, causes or measures keeps its text."""
    from mingjing.services import self_check as svc
    from mingjing.services.errors import DomainError

    location, db = laptop
    view = load_own_self_check(db, location)
    pid = svc.add_problem(db, view.id, "")
    svc.update_problem(db, pid, text="拖延")
    svc.update_problem(db, pid, text="")  # as it was when added
    svc.update_problem(db, pid, text="拖延")
    svc.add_measure(db, pid, "限时办结。")
    with pytest.raises(DomainError, match="问题不能为空"):
        svc.update_problem(db, pid, text="  ")
    assert load_own_self_check(db, location).problems[0].text == "拖延"
    db.close()
