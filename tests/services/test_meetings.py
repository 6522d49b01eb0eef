"""Meeting records: planned from the usual agenda, saved whole, printed."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from mingjing.domain.models import Member
from mingjing.domain.text import cn_date
from mingjing.services import materials, meetings
from mingjing.services.errors import DomainError
from mingjing.storage import Database

TODAY = dt.date(2025, 12, 18)


def test_plan_save_reload_and_print(ledger_db: Database, ledger_cid: str) -> None:
    plan = meetings.plan_meeting(ledger_db, ledger_cid, "democratic_life", TODAY)
    assert plan.agenda[1][0] == "主要负责同志代表领导班子作对照检查"
    assert plan.host_id is not None and len(plan.attendees) >= 5
    leaders = list(plan.attendees)
    absent = meetings.Attendee(
        leaders[-1].member_id, leaders[-1].name, "absent", reason="参加省级培训"
    )
    observer = meetings.Attendee(None, "钟立群", "observer", title="派驻纪检监察组组长")
    data = meetings.MeetingInput(
        **{
            **plan.__dict__,
            "place": "局机关三楼会议室",
            "attendees": (*leaders[:-1], absent, observer),
            "agenda": tuple((t, f"{t}的记录。") for t, _ in plan.agenda),
            "criticisms": (
                meetings.CriticismInput(
                    leaders[0].member_id, leaders[1].member_id, "调研少。", "接受。"
                ),
                meetings.CriticismInput(leaders[1].member_id, None, "自我批评：拖延。"),
            ),
            "follow_up": "会后5个工作日内完善整改清单。",
        }
    )
    mid = meetings.save_meeting(ledger_db, ledger_cid, data)
    view = meetings.load_meeting(ledger_db, mid)
    assert view.data.place == "局机关三楼会议室"
    assert [a.status for a in view.data.attendees].count("absent") == 1
    assert view.data.criticisms[1].to_id is None  # self-criticism
    record = materials.meeting_record(ledger_db, ledger_cid, mid)
    assert record is not None
    assert (leaders[-1].name, "参加省级培训") in record.absentees
    assert record.criticisms[1][1] == ""  # printed as 作自我批评
    # Saving again replaces the lists, it does not add to them.
    meetings.save_meeting(ledger_db, ledger_cid, data, mid)
    assert len(meetings.load_meeting(ledger_db, mid).data.agenda) == len(plan.agenda)
    assert mid in [m.id for m in meetings.list_meetings(ledger_db, ledger_cid)]
    meetings.delete_meeting(ledger_db, mid)
    assert mid not in [m.id for m in meetings.list_meetings(ledger_db, ledger_cid)]


def test_incomplete_records_are_refused_by_what_is_missing(
    ledger_db: Database, ledger_cid: str
) -> None:
    plan = meetings.plan_meeting(ledger_db, ledger_cid, "organizational_life", TODAY)
    assert plan.attendees == () and "民主评议党员" in plan.agenda[3][0]
    someone = meetings.Attendee(None, "王某", "absent")
    with pytest.raises(DomainError, match="王某缺席，请写明原因"):
        meetings.save_meeting(
            ledger_db,
            ledger_cid,
            meetings.MeetingInput(**{**plan.__dict__, "attendees": (someone,)}),
        )
    with pytest.raises(DomainError, match="没有写是谁提出的"):
        meetings.save_meeting(
            ledger_db,
            ledger_cid,
            meetings.MeetingInput(
                **{**plan.__dict__, "criticisms": (meetings.CriticismInput(None, None, "x"),)}
            ),
        )
    with pytest.raises(DomainError, match="不在本单位名单中"):
        meetings.save_meeting(
            ledger_db,
            ledger_cid,
            meetings.MeetingInput(
                **{**plan.__dict__, "host_id": "00000000-0000-0000-0000-000000000001"}
            ),
        )


def test_a_branch_meeting_is_hosted_by_the_branch_secretary(
    ledger_db: Database, ledger_cid: str
) -> None:
    plan = meetings.plan_meeting(ledger_db, ledger_cid, "organizational_life", TODAY)
    with ledger_db.read() as s:
        host = s.get(Member, uuid.UUID(plan.host_id or ""))
        assert host is not None and host.position.endswith("机关党支部书记")
    assert plan.branch == "机关党支部"
    assert plan.attendees == ()  # the branch's members are chosen by the office
    leaders = meetings.plan_meeting(ledger_db, ledger_cid, "democratic_life", TODAY)
    assert leaders.host_id != plan.host_id


def test_the_record_names_people_in_roster_order_and_the_recorder_once(
    ledger_db: Database, ledger_cid: str
) -> None:
    record = materials.meeting_record(ledger_db, ledger_cid, None)  # the demo's meeting
    assert record is not None and record.recorder
    assert not any(o.startswith(record.recorder) for o in record.observers)
    roster = [x.name for x in materials._unit_members(ledger_db, ledger_cid)]
    for names in (record.attendees, record.members):
        ranks = [roster.index(name) for name in names]
        assert ranks == sorted(ranks)
    assert set(record.attendees) <= set(record.members)
    for consult in materials.consultation_records(ledger_db, ledger_cid):
        assert len(set(consult.problems)) == len(consult.problems)
        ranks = [roster.index(n) for n in consult.participants if n in roster]
        assert ranks == sorted(ranks)
    assert all(" " not in o for o in record.observers)


def test_the_plan_bears_its_own_date(ledger_db: Database, ledger_cid: str) -> None:
    """The 会议方案 is issued before the meeting and its 落款 bears that day; without
    one it bears the day the record was made (as meetings saved before 0007 do)."""
    import dataclasses

    plan = meetings.plan_meeting(ledger_db, ledger_cid, "democratic_life", TODAY)
    held = TODAY + dt.timedelta(days=20)
    data = dataclasses.replace(plan, held_on=held, planned_on=TODAY + dt.timedelta(days=6))
    mid = meetings.save_meeting(ledger_db, ledger_cid, data)
    assert meetings.load_meeting(ledger_db, mid).data.planned_on == TODAY + dt.timedelta(days=6)
    record = materials.meeting_record(ledger_db, ledger_cid, mid)
    assert record is not None and record.planned_on == TODAY + dt.timedelta(days=6)
    undated = dataclasses.replace(data, planned_on=None)
    meetings.save_meeting(ledger_db, ledger_cid, undated, mid)
    record = materials.meeting_record(ledger_db, ledger_cid, mid)
    assert record is not None and record.planned_on == min(dt.date.today(), held)  # made today
    late = dataclasses.replace(data, planned_on=held + dt.timedelta(days=1))
    with pytest.raises(DomainError, match="晚于开会日期") as refused:
        meetings.save_meeting(ledger_db, ledger_cid, late, mid)
    assert cn_date(held) in str(refused.value)
    assert meetings.load_meeting(ledger_db, mid).data.planned_on is None  # nothing changed
