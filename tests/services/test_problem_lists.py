"""问题清单: filters, Chinese search, 共性问题 and promotion to the team's list."""

from __future__ import annotations

import pytest

from mingjing.domain.errors import DomainError
from mingjing.services.problem_lists import (
    TEAM,
    ProblemFilter,
    choices,
    common_candidates,
    list_problems,
    promote_to_team,
    set_common,
)
from mingjing.services.summary import current_campaign
from mingjing.storage import Database


@pytest.fixture
def cid(office: Database) -> str:
    with office.read() as s:
        campaign = current_campaign(s)
        assert campaign is not None
        return str(campaign.id)


def test_filters_narrow_the_list(office: Database, cid: str) -> None:
    everything = list_problems(office, cid)
    assert everything[0].is_team  # the team's problems come first
    assert {r.source for r in everything} >= {"自己找", "群众提", "上级点", "互相帮", "集体议"}
    options = choices(office, cid)
    assert options.owners[0][0] == TEAM and options.owners[0][1].endswith("领导班子")
    assert len(options.areas) == 7

    team = list_problems(office, cid, ProblemFilter(owner=TEAM))
    assert team and all(r.is_team for r in team)
    masses = list_problems(office, cid, ProblemFilter(source="masses"))
    assert masses and all(r.source == "群众提" for r in masses)
    assert any(r.opinions for r in masses)  # opinions turned into problems keep the link
    first_area = options.areas[0][0]
    in_area = list_problems(office, cid, ProblemFilter(area_key=first_area))
    assert in_area and all(r.area_key == first_area for r in in_area)
    assert len(in_area) < len(everything)
    member = next(r for r in everything if not r.is_team)
    own = list_problems(office, cid, ProblemFilter(owner=member.owner_id))
    assert own and {r.owner for r in own} == {member.owner}


def test_search_finds_chinese_substrings_and_needs_every_word(office: Database, cid: str) -> None:
    everything = list_problems(office, cid)
    sample = next(r for r in everything if len(r.examples) > 12)
    word = sample.examples[4:8]
    found = list_problems(office, cid, ProblemFilter(text=word))
    assert sample.id in {r.id for r in found}
    assert all(word in r.text or word in r.examples for r in found)
    assert list_problems(office, cid, ProblemFilter(text=f"{word}　不可能出现的词")) == []
    assert list_problems(office, cid, ProblemFilter(text="100%_")) == []  # wildcards are text


def test_common_problems_and_promotion(office: Database, cid: str) -> None:
    candidates = common_candidates(office, cid, min_members=2)
    assert candidates
    top = candidates[0]
    assert len(top.members) >= 2 and len(set(top.members)) == len(top.members)
    assert set_common(office, list(top.problem_ids), True) == len(top.problem_ids) - top.marked
    assert set_common(office, list(top.problem_ids), True) == 0
    commons = {r.id for r in list_problems(office, cid, ProblemFilter(common_only=True))}
    assert set(top.problem_ids) <= commons

    member_problem = next(r for r in list_problems(office, cid) if not r.is_team)
    copy = promote_to_team(office, member_problem.id)
    assert promote_to_team(office, member_problem.id) == copy
    team = {r.id: r for r in list_problems(office, cid, ProblemFilter(owner=TEAM))}
    assert team[copy].promoted_from == member_problem.id
    assert team[copy].text == member_problem.text
    original = next(r for r in list_problems(office, cid) if r.id == member_problem.id)
    assert original.promoted_to == copy
    with pytest.raises(DomainError, match="已经是领导班子"):
        promote_to_team(office, copy)


def test_the_office_records_edits_and_removes_its_own_problems(office: Database, cid: str) -> None:
    from mingjing.services.problem_lists import (
        ProblemInput,
        add_problem,
        delete_problem,
        update_problem,
    )

    options = choices(office, cid)
    member_id = options.owners[1][0]
    first_area = options.areas[0][0]
    pid = add_problem(
        office,
        cid,
        ProblemInput(owner=member_id, text="上级巡察指出：调研不深入。", area_key=first_area),
    )
    team_pid = add_problem(
        office, cid, ProblemInput(owner=TEAM, text="班子集体议定的问题。", source="collective")
    )
    rows = {r.id: r for r in list_problems(office, cid)}
    assert rows[pid].source == "上级点" and rows[pid].area_key == first_area
    assert not rows[pid].from_hand_in and rows[team_pid].is_team
    update_problem(
        office,
        pid,
        ProblemInput(
            owner=member_id, text="改后的表述", examples="2025年10月……", severity="notable"
        ),
    )
    rows = {r.id: r for r in list_problems(office, cid)}
    assert (
        rows[pid].text == "改后的表述"
        and rows[pid].severity == "较重"
        and rows[pid].area_key is None
    )
    with pytest.raises(DomainError, match="请填写问题的表述"):
        update_problem(office, pid, ProblemInput(owner=member_id, text="  "))
    handed = next(r for r in rows.values() if r.from_hand_in)
    with pytest.raises(DomainError, match="应由本人修改"):
        update_problem(office, handed.id, ProblemInput(owner=member_id, text="x"))
    delete_problem(office, pid)
    assert pid not in {r.id for r in list_problems(office, cid)}
