"""集体会诊: recorded, edited, and turned into ledger rows once."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import select

from mingjing.domain.errors import DomainError
from mingjing.domain.models import Member, Rectification
from mingjing.services.consultations import (
    ConsultationInput,
    MeasureInput,
    create_ledger_rows,
    list_consultations,
    load_consultation,
    save_consultation,
)
from mingjing.services.problem_lists import ProblemFilter, list_problems
from mingjing.services.summary import current_campaign
from mingjing.storage import Database


def test_record_edit_and_open_ledger_rows(office: Database) -> None:
    with office.read() as s:
        campaign = current_campaign(s)
        assert campaign is not None
        cid = str(campaign.id)
        leaders = s.scalars(select(Member).where(Member.is_leader.is_(True))).all()
        # A member whose department another leader than the host supervises.
        staff = next(
            m
            for m in s.scalars(select(Member).where(Member.is_leader.is_(False)))
            if m.department and any(m.department in x.supervises for x in leaders[1:])
        )
        host, staff_id = str(leaders[0].id), str(staff.id)
        # The staff member's 分管 leader answers for their measure; the host if none.
        supervisor = next(str(m.id) for m in leaders if staff.department in m.supervises)
        assert supervisor != host
        participants = tuple(str(m.id) for m in leaders)
    before = len(list_consultations(office, cid))
    problems = tuple(r.id for r in list_problems(office, cid, ProblemFilter(source="self"))[:3])
    with pytest.raises(DomainError, match="主题"):
        save_consultation(office, cid, ConsultationInput(None, "", " ", None, (), "", (), ""))
    data = ConsultationInput(
        held_on=dt.date(2025, 11, 12),
        place="三楼会议室",
        topic="服务群众“最后一公里”问题会诊",
        host_id=host,
        participant_ids=participants,
        other_participants="各股室负责人",
        problem_ids=problems,
        diagnosis="症结在于宗旨意识淡化，考核导向偏重内部事务。",
        measures=(
            MeasureInput("建立群众诉求首问负责制。", host, dt.date(2025, 12, 31)),
            MeasureInput("每月开展一次进村入户走访。", staff_id, None),
            MeasureInput("   "),  # an empty line in the form is ignored
        ),
    )
    new_id = save_consultation(office, cid, data)
    view = load_consultation(office, new_id)
    assert len(list_consultations(office, cid)) == before + 1
    assert view.host and len(view.participants) == len(participants)
    assert [m.text for m in view.measures] == [
        "建立群众诉求首问负责制。",
        "每月开展一次进村入户走访。",
    ]
    assert set(view.problem_ids) == set(problems)

    assert create_ledger_rows(office, new_id) == 2
    assert create_ledger_rows(office, new_id) == 0  # not twice
    statuses = {r.id: r.status for r in list_problems(office, cid)}
    assert {statuses[p] for p in problems} <= {"已纳入台账", "已销号"}
    with office.read() as s:
        rows = s.scalars(
            select(Rectification).where(
                Rectification.consultation_measure_id.in_([uuid.UUID(m.id) for m in view.measures])
            )
        ).all()
        by_text = {r.measure: r for r in rows}
        first = by_text["建立群众诉求首问负责制。"]
        assert str(first.responsible_leader_id) == host  # the owner is a leader
        second = by_text["每月开展一次进村入户走访。"]
        assert str(second.owner_id) == staff_id
        assert str(second.responsible_leader_id) == supervisor  # else their 分管 leader
        assert first.serial != second.serial and "集体会诊" in first.remarks
    assert all(m.in_ledger for m in load_consultation(office, new_id).measures)

    edited = view.as_input()
    edited = ConsultationInput(
        **{
            **edited.__dict__,
            "measures": (*edited.measures[1:], MeasureInput("修订窗口服务规范。", staff_id)),
        }
    )
    save_consultation(office, cid, edited, new_id)
    after = load_consultation(office, new_id)
    assert [m.text for m in after.measures] == ["每月开展一次进村入户走访。", "修订窗口服务规范。"]
    assert [m.in_ledger for m in after.measures] == [True, False]
    assert create_ledger_rows(office, new_id) == 1
