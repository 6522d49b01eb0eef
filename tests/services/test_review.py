"""The office reads hand-ins, returns one for rework and accepts the rework."""

from __future__ import annotations

from pathlib import Path

import pytest

from mingjing.config import DataLocation
from mingjing.domain.enums import SelfCheckState
from mingjing.domain.errors import DomainError
from mingjing.exchange.signing import Identity
from mingjing.services import self_check as staff
from mingjing.services.replies import open_reply
from mingjing.services.review import HandInStatus, hand_ins, review
from mingjing.services.submissions import Outcome, import_submission
from mingjing.services.summary import current_campaign
from mingjing.storage import Database
from mingjing.storage.errors import EnvironmentFault


def campaign_id(db: Database) -> str:
    with db.read() as s:
        campaign = current_campaign(s)
        assert campaign is not None
        return str(campaign.id)


def status_of(db: Database, name: str) -> HandInStatus:
    (row,) = [m for m in hand_ins(db, campaign_id(db)).members if m.name == name]
    return row


def test_return_for_rework_then_accept_round_trip(
    laptop: tuple[DataLocation, Database],
    office: Database,
    tmp_path: Path,
    office_identity: Identity,
) -> None:
    location, db = laptop
    outbox, inbox = tmp_path / "交回", tmp_path / "发回"
    view = staff.load_own_self_check(db, location)
    staff.set_answer(db, view.id, "spirit-ambition", level="slight", example="2025年9月……")
    first = staff.hand_in(db, location, outbox)
    assert import_submission(office, first, identity=office_identity).outcome is Outcome.IMPORTED

    row = status_of(office, "陈喆")
    assert row.state is SelfCheckState.SUBMITTED and row.waiting
    assert row.self_check_id is not None
    statement = staff.read_self_check(office, row.self_check_id)
    assert statement.member_name == "陈喆" and statement.answered == 1

    with pytest.raises(DomainError, match="写明需要修改"):
        review(
            office,
            statement.id,
            "returned",
            "  ",
            inbox,
            reviewer="杨慧琳",
            identity=office_identity,
        )
    reply = review(
        office,
        statement.id,
        "returned",
        "事例不具体，请补充时间地点。",
        inbox,
        reviewer="杨慧琳",
        identity=office_identity,
    )
    assert reply == inbox / "陈喆-审核回复-第1次.mjreply"
    assert status_of(office, "陈喆").state is SelfCheckState.RETURNED
    assert open_reply(db, location, reply).state is SelfCheckState.RETURNED

    staff.set_answer(db, view.id, "spirit-ambition", example="2025年9月12日在某小区……")
    second = staff.hand_in(db, location, outbox)
    assert import_submission(office, second, identity=office_identity).outcome is Outcome.REPLACED
    row = status_of(office, "陈喆")
    assert row.state is SelfCheckState.SUBMITTED and row.revision == 2
    accepted = review(
        office, statement.id, "accepted", "", inbox, reviewer="杨慧琳", identity=office_identity
    )
    assert accepted.name == "陈喆-审核回复-第2次.mjreply"
    assert open_reply(db, location, accepted).state is SelfCheckState.ACCEPTED
    with pytest.raises(DomainError, match="不能执行"):
        review(
            office, statement.id, "accepted", "", inbox, reviewer="杨慧琳", identity=office_identity
        )


def test_a_failed_reply_file_changes_nothing(
    laptop: tuple[DataLocation, Database],
    office: Database,
    tmp_path: Path,
    office_identity: Identity,
) -> None:
    location, db = laptop
    first = staff.hand_in(db, location, tmp_path / "交回")
    import_submission(office, first, identity=office_identity)
    row = status_of(office, "陈喆")
    blocker = tmp_path / "是文件"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(EnvironmentFault, match="是文件"):
        review(
            office,
            str(row.self_check_id),
            "accepted",
            "",
            blocker / "回复",
            reviewer="杨慧琳",
            identity=office_identity,
        )
    assert status_of(office, "陈喆").state is SelfCheckState.SUBMITTED


def test_the_remind_list_names_who_has_not_handed_in(
    office: Database, office_identity: Identity
) -> None:
    result = hand_ins(office, campaign_id(office))
    assert len(result.members) == 12
    missing = {m.name for m in result.missing}
    assert missing and all(m.state_label == "未提交" for m in result.missing)
    handed = {m.name for m in result.members if m.handed_in}
    assert not (missing & handed)
    assert result.count(SelfCheckState.ACCEPTED) >= 1
    draft = next(m.self_check_id for m in result.missing if m.self_check_id)
    assert draft is not None
    with pytest.raises(DomainError, match="还没有提交"):
        review(
            office, draft, "accepted", "", Path("."), reviewer="杨慧琳", identity=office_identity
        )
