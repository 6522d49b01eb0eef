"""The review round trip: office → leader's laptop → office, signed and sealed."""

from __future__ import annotations

import base64
import datetime as dt
import sqlite3
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from mingjing.config import DataLocation, resolve_location
from mingjing.domain.enums import RectificationState, SelfCheckState, Source
from mingjing.domain.errors import DomainError
from mingjing.domain.models import LeaderAction, Problem, Rectification, SelfCheck
from mingjing.domain.review import action_statement
from mingjing.exchange.package import Package, PackageError, read_package, write_package
from mingjing.exchange.signing import Identity
from mingjing.services import leader_review as lr
from mingjing.services.campaign_setup import current_campaign_id
from mingjing.services.campaigns import join_campaign
from mingjing.services.review_packages import (
    ReplyRead,
    export_review,
    import_review_reply,
    leader_actions,
    settle_conflict,
    verify_signatures,
)
from mingjing.storage import Database

TODAY = dt.date(2025, 11, 20)
LEADER = "刘志堃"


def _join(tmp_path: Path, campaign_file: Path, name: str) -> tuple[DataLocation, Database]:
    location = resolve_location(tmp_path / name)
    db = Database.open(location, actor=name)
    join_campaign(db, location, campaign_file, name)
    return location, db


@pytest.fixture
def leader(leader_laptop: tuple[DataLocation, Database]) -> tuple[DataLocation, Database]:
    return leader_laptop


def _cid(office: Database) -> str:
    cid = current_campaign_id(office)
    assert cid is not None
    return cid


def _export(office: Database, identity: Identity, out: Path, who: str = LEADER) -> Path:
    made = export_review(
        office, _cid(office), who, out, identity=identity, made_by="杨慧琳", today=TODAY
    )
    return made.path


def _awaiting(office: Database) -> list[Rectification]:
    with office.read() as session:
        return list(
            session.scalars(
                select(Rectification).where(
                    Rectification.state == RectificationState.AWAITING_SIGN_OFF
                )
            ).all()
        )


def test_round_trip_signs_off_returns_and_raises(
    office: Database,
    office_identity: Identity,
    leader: tuple[DataLocation, Database],
    tmp_path: Path,
) -> None:
    location, laptop = leader
    path = _export(office, office_identity, tmp_path / "out")
    assert path.name.startswith(f"{LEADER}-领导审阅-20251120-") and path.suffix == ".mjreview"
    with pytest.raises(PackageError, match="另一台电脑"):  # sealed: not even the office reads it
        read_package(path, identity=office_identity)
    review = lr.open_review(location, path)
    assert review.leader_name == LEADER and review.statements
    assert lr.current_review(location) == review  # kept, sealed, on the laptop
    board = lr.dashboard(review)
    assert board.members == 12 and board.handed_in >= 1
    assert board.problems == sum(n for _, n in board.by_area) == sum(n for _, n in board.by_source)
    assert board.ledger == sum(n for _, n in board.by_state)
    assert board.awaiting_sign_off == len(review.awaiting_sign_off())
    awaiting = [r for r in review.awaiting_sign_off() if not review.responsible_for(r)]
    assert len(awaiting) >= 2

    own = next(s for s in review.statements if s["name"] == LEADER)
    statement = next(s for s in review.statements if s["name"] == "郑国平")
    problem = statement["problems"][0]
    with pytest.raises(DomainError, match="您本人的材料"):
        lr.record_action(
            laptop, location, review, "return", "self_check", own["self_check_id"], "自己退自己。"
        )
    lr.record_action(
        laptop, location, review, "approve", "rectification", awaiting[0]["id"], "已核查佐证材料。"
    )
    lr.record_action(
        laptop, location, review, "reject", "rectification", awaiting[1]["id"], "佐证材料不全。"
    )
    lr.record_action(laptop, location, review, "comment", "problem", problem["id"], "要再具体些。")
    lr.record_action(
        laptop, location, review, "raise", "self_check", statement["self_check_id"],
        "调研报告多次拖延，未按时报送。",
    )  # fmt: skip
    lr.record_action(
        laptop, location, review, "return", "self_check", statement["self_check_id"],
        "原因剖析停留在表面，请深挖思想根源。",
    )  # fmt: skip
    with pytest.raises(DomainError, match="写明理由"):
        lr.record_action(laptop, location, review, "reject", "rectification", awaiting[1]["id"])
    assert len(lr.my_actions(laptop, review)) == 5

    reply = lr.export_reply(laptop, location, review, tmp_path / "stick")
    assert reply.suffix == ".mjreviewreply"
    assert {a.state for a in lr.my_actions(laptop, review)} == {"sent"}
    with pytest.raises(DomainError, match="已经发给办公室"):
        lr.withdraw_action(laptop, lr.my_actions(laptop, review)[0].id)

    replies = tmp_path / "replies"
    read = _read_reply(office, office_identity, reply, tmp_path)
    assert (read.applied, read.conflicts, read.known) == (5, 0, 0), read
    with office.read() as session:
        approved = session.get(Rectification, uuid.UUID(awaiting[0]["id"]))
        rejected = session.get(Rectification, uuid.UUID(awaiting[1]["id"]))
        assert approved is not None and rejected is not None
        assert approved.state is RectificationState.SIGNED_OFF
        assert approved.signed_off_by is not None and approved.signed_off_by.name == LEADER
        assert approved.sign_off_note == "已核查佐证材料。"
        assert rejected.state is RectificationState.IN_PROGRESS
        assert rejected.returned_reason == "佐证材料不全。"
        raised = session.scalars(
            select(Problem).where(Problem.text == "调研报告多次拖延，未按时报送。")
        ).all()
        assert [(p.source, str(p.owner_member_id)) for p in raised] == [
            (Source.SUPERIOR, statement["member_id"])
        ]
        check_row = session.get(SelfCheck, uuid.UUID(statement["self_check_id"]))
        assert check_row is not None and check_row.state is SelfCheckState.RETURNED
        assert check_row.review_comment == "原因剖析停留在表面，请深挖思想根源。"
    assert [p.name for p in read.returned_files] == ["郑国平-审核回复-第1次-刘志堃退回.mjreply"]
    assert (replies / read.returned_files[0].name).exists()
    assert verify_signatures(office, _cid(office)) == []
    assert len(leader_actions(office, _cid(office))) == 5

    # The same reply again changes nothing, and says so.
    with pytest.raises(PackageError, match="已经导入过"):
        _read_reply(office, office_identity, reply, tmp_path)


def test_a_changed_row_waits_for_the_secretary(
    office: Database,
    office_identity: Identity,
    leader: tuple[DataLocation, Database],
    tmp_path: Path,
) -> None:
    from mingjing.services import ledger

    location, laptop = leader
    review = lr.open_review(location, _export(office, office_identity, tmp_path / "out"))
    row = next(r for r in review.awaiting_sign_off() if not review.responsible_for(r))
    lr.record_action(laptop, location, review, "approve", "rectification", row["id"])
    # Meanwhile the office adds a progress note: the row the leader saw changed.
    ledger.update_row(office, row["id"], {"remarks": "补充了会议纪要。"})
    reply = lr.export_reply(laptop, location, review, tmp_path / "stick")
    args = {
        "identity": office_identity,
        "replies_dir": tmp_path / "replies",
        "reviewer": "杨慧琳",
    }
    read = _read_reply(office, office_identity, reply, tmp_path)
    assert (read.applied, read.conflicts) == (0, 1)
    (held,) = leader_actions(office, _cid(office), conflicts_only=True)
    assert held.kind == "approve" and "序号" in held.target_label and "已完成待销号" in held.current
    assert "审阅文件导出后的改动" in held.current and "补充了会议纪要" in held.current
    with pytest.raises(DomainError, match="写明理由"):
        settle_conflict(office, held.id, False, **args)  # type: ignore[arg-type]
    with office.read() as session:
        still = session.get(Rectification, uuid.UUID(row["id"]))
        assert still is not None and still.state is RectificationState.AWAITING_SIGN_OFF
    settled = settle_conflict(office, held.id, True, **args)  # type: ignore[arg-type]
    assert settled.state == "applied"
    with office.read() as session:
        done = session.get(Rectification, uuid.UUID(row["id"]))
        assert done is not None and done.state is RectificationState.SIGNED_OFF
    assert leader_actions(office, _cid(office), conflicts_only=True) == []


def test_a_later_decision_replaces_an_unsent_one(
    office: Database,
    office_identity: Identity,
    leader: tuple[DataLocation, Database],
    tmp_path: Path,
) -> None:
    location, laptop = leader
    review = lr.open_review(location, _export(office, office_identity, tmp_path / "out"))
    row = next(r for r in review.awaiting_sign_off() if not review.responsible_for(r))
    lr.record_action(laptop, location, review, "approve", "rectification", row["id"])
    lr.record_action(laptop, location, review, "reject", "rectification", row["id"], "再看看。")
    (only,) = lr.my_actions(laptop, review)
    assert only.kind == "reject"
    lr.withdraw_action(laptop, only.id)
    assert lr.my_actions(laptop, review) == []


def test_review_needs_the_leaders_key_and_a_leader(
    office: Database, office_identity: Identity, tmp_path: Path
) -> None:
    with pytest.raises(DomainError, match="还没有孙珺电脑的密钥"):
        _export(office, office_identity, tmp_path, "孙珺")
    with pytest.raises(DomainError, match="不是领导班子成员"):
        _export(office, office_identity, tmp_path, "陈喆")
    with pytest.raises(DomainError, match="名单中没有"):
        _export(office, office_identity, tmp_path, "无此人")


def test_review_for_another_leader_or_from_another_office_is_refused(
    office: Database,
    office_identity: Identity,
    leader: tuple[DataLocation, Database],
    tmp_path: Path,
    campaign_file: Path,
) -> None:
    location, _laptop = leader
    path = _export(office, office_identity, tmp_path / "out")
    # Another leader's laptop cannot even open it: it is sealed to 刘志堃's.
    other_location, other = _join(tmp_path, campaign_file, "孙珺")
    with pytest.raises(PackageError, match="另一台电脑"):
        lr.open_review(other_location, path)
    other.close()
    # A package signed by someone else's key, for this leader, sealed to them.
    review = read_package(path, identity=_identity(location))
    forged = _rewrite(
        review, tmp_path / "forged.mjreview", review.data, Identity.generate(), _identity(location)
    )
    with pytest.raises(PackageError, match="不是本单位办公室签发的"):
        lr.open_review(location, forged)


def _rewrite(
    like: Package, out: Path, data: dict[str, Any], signer: Identity, seal_to: Identity
) -> Path:
    """A package of ``like``'s kind and manifest with other data, signer or recipient."""
    m = like.manifest
    out.write_bytes(
        write_package(
            kind=m.kind,
            campaign_id=m.campaign_id,
            member_id=m.member_id,
            revision=1,
            app_version="x",
            template_id=m.template_id,
            template_version=m.template_version,
            data=data,
            identity=signer,
            seal_to=seal_to.public,
        )
    )
    return out


def _read_reply(office: Database, identity: Identity, reply: Path, tmp_path: Path) -> ReplyRead:
    return import_review_reply(
        office,
        resolve_location(tmp_path / "office"),
        reply,
        identity=identity,
        replies_dir=tmp_path / "replies",
        reviewer="杨慧琳",
    )


def _identity(location: DataLocation) -> Identity:
    from mingjing.services.identity import load_identity

    return load_identity(location.data_dir)


def test_forged_or_tampered_replies_change_nothing(
    office: Database,
    office_identity: Identity,
    leader: tuple[DataLocation, Database],
    tmp_path: Path,
) -> None:
    location, laptop = leader
    review = lr.open_review(location, _export(office, office_identity, tmp_path / "out"))
    row = next(r for r in review.awaiting_sign_off() if not review.responsible_for(r))
    lr.record_action(laptop, location, review, "approve", "rectification", row["id"], "同意。")
    reply = lr.export_reply(laptop, location, review, tmp_path / "stick")
    package = read_package(reply, identity=office_identity)

    def attempt(data: dict[str, Any], signer: Identity, match: str) -> None:
        bad = _rewrite(package, tmp_path / "bad.mjreviewreply", data, signer, office_identity)
        with pytest.raises(PackageError, match=match):
            _read_reply(office, office_identity, bad, tmp_path)
        assert _awaiting_ids(office) >= {row["id"]}

    # Someone else's key signs the whole reply.
    attempt(package.data, Identity.generate(), "不是刘志堃电脑登记的密钥")
    # The leader's own key, but one act's text changed after it was signed.
    changed = dict(package.data)
    changed["actions"] = [{**package.data["actions"][0], "text": "同意，另加十分。"}]
    attempt(changed, _identity(location), "签名不符")
    # An act whose signature is garbage.
    garbage = dict(package.data)
    garbage["actions"] = [
        {**package.data["actions"][0], "signature": base64.b64encode(b"x" * 64).decode()}
    ]
    attempt(garbage, _identity(location), "签名不符")
    # Answering a review the office never made.
    unknown = {**package.data, "review_id": str(uuid.uuid4())}
    attempt(unknown, _identity(location), "不是本办公室发出的")
    with office.read() as session:
        assert session.scalars(select(LeaderAction)).all() == []


def _awaiting_ids(office: Database) -> set[str]:
    return {str(r.id) for r in _awaiting(office)}


def test_an_edited_signoff_in_the_database_is_reported(
    office: Database,
    office_identity: Identity,
    leader: tuple[DataLocation, Database],
    tmp_path: Path,
) -> None:
    location, laptop = leader
    review = lr.open_review(location, _export(office, office_identity, tmp_path / "out"))
    row = next(r for r in review.awaiting_sign_off() if not review.responsible_for(r))
    lr.record_action(laptop, location, review, "approve", "rectification", row["id"], "同意。")
    reply = lr.export_reply(laptop, location, review, tmp_path / "stick")
    _read_reply(office, office_identity, reply, tmp_path)
    assert verify_signatures(office, _cid(office)) == []
    office.close()
    con = sqlite3.connect(tmp_path / "office" / "mingjing.sqlite3")
    con.execute("UPDATE leader_action SET text = '同意，已核查。'")
    con.commit()
    con.close()
    reopened = Database.open(resolve_location(tmp_path / "office"), actor="办公室")
    try:
        (bad,) = verify_signatures(reopened, _cid(reopened))
        assert "刘志堃 同意销号" in bad
    finally:
        reopened.close()


def test_a_leader_does_not_sign_off_a_row_they_are_responsible_for(
    office: Database,
    office_identity: Identity,
    leader: tuple[DataLocation, Database],
    tmp_path: Path,
) -> None:
    location, laptop = leader
    review = lr.open_review(location, _export(office, office_identity, tmp_path / "out"))
    own = [r for r in review.awaiting_sign_off() if review.responsible_for(r)]
    assert own, "the demo has a row awaiting 销号 that 刘志堃 is responsible for"
    with pytest.raises(DomainError, match="不能由本人审批销号"):
        lr.record_action(laptop, location, review, "approve", "rectification", own[0]["id"])
    assert lr.my_actions(laptop, review) == []


def test_the_leadership_teams_material_takes_comments_and_problems(
    office: Database,
    office_identity: Identity,
    leader: tuple[DataLocation, Database],
    tmp_path: Path,
) -> None:
    location, laptop = leader
    review = lr.open_review(location, _export(office, office_identity, tmp_path / "out"))
    lr.record_action(laptop, location, review, "comment", "team", review.campaign_id, "要更具体。")
    lr.record_action(
        laptop, location, review, "raise", "team", review.campaign_id, "班子议事决策程序执行不严。"
    )
    with pytest.raises(DomainError, match="不能用于"):
        lr.record_action(laptop, location, review, "return", "team", review.campaign_id, "退回。")
    reply = lr.export_reply(laptop, location, review, tmp_path / "stick")
    read = _read_reply(office, office_identity, reply, tmp_path)
    assert (read.applied, read.conflicts) == (2, 0)
    with office.read() as session:
        (raised,) = session.scalars(
            select(Problem).where(Problem.text == "班子议事决策程序执行不严。")
        ).all()
        assert raised.owner_team_id is not None and raised.source is Source.SUPERIOR
    labels = {a.kind: a.state_label for a in leader_actions(office, _cid(office))}
    assert labels == {"comment": "已记录", "raise": "已列入问题"}


def test_a_newer_review_file_keeps_what_the_leader_wrote_before(
    office: Database,
    office_identity: Identity,
    leader: tuple[DataLocation, Database],
    tmp_path: Path,
) -> None:
    location, laptop = leader
    first = lr.open_review(location, _export(office, office_identity, tmp_path / "one"))
    statement = next(s for s in first.statements if s["name"] == "郑国平")
    lr.record_action(
        laptop, location, first, "comment", "self_check", statement["self_check_id"], "再具体些。"
    )
    sent = lr.export_reply(laptop, location, first, tmp_path / "stick")
    assert _read_reply(office, office_identity, sent, tmp_path).applied == 1
    second = lr.open_review(location, _export(office, office_identity, tmp_path / "two"))
    assert second.review_id != first.review_id
    (earlier,) = lr.my_actions(laptop, second)
    assert earlier.text == "再具体些。" and earlier.state == "sent"
    lr.record_action(laptop, location, second, "comment", "team", second.campaign_id, "好。")
    again = lr.export_reply(laptop, location, second, tmp_path / "stick2")
    read = _read_reply(office, office_identity, again, tmp_path)
    assert (read.applied, read.known) == (1, 1)
    # The older file is refused now: the laptop keeps the newer one.
    with pytest.raises(PackageError, match="较早的审阅文件"):
        lr.open_review(location, next((tmp_path / "one").glob("*.mjreview")))


def test_an_act_on_another_campaigns_row_refuses_the_reply(
    office: Database,
    office_identity: Identity,
    leader: tuple[DataLocation, Database],
    tmp_path: Path,
) -> None:
    location, laptop = leader
    review = lr.open_review(location, _export(office, office_identity, tmp_path / "out"))
    # Signed by the leader, but the 班子 of a campaign this review is not about.
    lr.record_action(laptop, location, review, "comment", "team", review.campaign_id, "好。")
    with laptop.transaction() as session:
        act = session.scalars(select(LeaderAction)).one()
    reply = lr.export_reply(laptop, location, review, tmp_path / "stick")
    package = read_package(reply, identity=office_identity)
    other = str(uuid.uuid4())
    forged_act = dict(package.data["actions"][0], target_id=other)
    signature = _identity(location).sign(
        action_statement(
            campaign_id=review.campaign_id, action_id=str(act.id), author_id=review.leader_id,
            kind="comment", target_kind="team", target_id=other, target_revision=0,
            text="好。", acted_at=act.acted_at,
        )
    )  # fmt: skip
    forged_act["signature"] = base64.b64encode(signature).decode()
    bad = _rewrite(
        package,
        tmp_path / "bad.mjreviewreply",
        {**package.data, "actions": [forged_act]},
        _identity(location),
        office_identity,
    )
    with pytest.raises(PackageError):
        _read_reply(office, office_identity, bad, tmp_path)
    with office.read() as session:
        assert session.scalars(select(LeaderAction)).all() == []


def test_a_problem_raised_for_a_member_reaches_their_laptop(
    office: Database,
    office_identity: Identity,
    leader: tuple[DataLocation, Database],
    laptop: tuple[DataLocation, Database],
    tmp_path: Path,
) -> None:
    """上级点 for a member: their statement goes back with the problem, their laptop
    adds it under the office's id, and the next hand-in brings it back with measures."""
    from mingjing.services.replies import open_reply
    from mingjing.services.self_check import hand_in, load_own_self_check
    from mingjing.services.submissions import import_submissions

    member_location, member_db = laptop
    load_own_self_check(member_db, member_location)
    first = hand_in(member_db, member_location, tmp_path / "hand-in-1")
    import_submissions(office, [first], identity=office_identity)

    location, leader_db = leader
    review = lr.open_review(location, _export(office, office_identity, tmp_path / "out"))
    statement = next(s for s in review.statements if s["name"] == "陈喆")
    text = "下乡调研次数少，对基层情况掌握不准。"
    lr.record_action(
        leader_db, location, review, "raise", "self_check", statement["self_check_id"], text
    )
    reply = lr.export_reply(leader_db, location, review, tmp_path / "stick")
    read = _read_reply(office, office_identity, reply, tmp_path)
    assert (read.applied, read.conflicts) == (1, 0)
    (back,) = read.returned_files
    with office.read() as session:
        check_row = session.get(SelfCheck, uuid.UUID(statement["self_check_id"]))
        assert check_row is not None and check_row.state is SelfCheckState.RETURNED
        assert text.rstrip("。") in check_row.review_comment
        (raised,) = session.scalars(select(Problem).where(Problem.text == text)).all()
        assert raised.source is Source.SUPERIOR and raised.submission_revision is None
    (view,) = leader_actions(office, _cid(office))
    assert "已退回本人补充" in view.outcome

    opened = open_reply(member_db, member_location, back)
    assert opened.state is SelfCheckState.RETURNED
    assert "领导指出的问题 1 个" in opened.note
    with member_db.read() as session:
        mine = session.get(Problem, raised.id)
        assert mine is not None and mine.text == text and mine.source is Source.SUPERIOR
    assert not open_reply(member_db, member_location, back).changed  # once only

    # The member answers it; the next hand-in updates the office's row, no second one.
    from mingjing.services.self_check import add_measure

    add_measure(member_db, str(raised.id), "每月至少下乡调研两次，形成调研报告。")
    second = hand_in(member_db, member_location, tmp_path / "hand-in-2")
    import_submissions(office, [second], identity=office_identity)
    with office.read() as session:
        rows = session.scalars(select(Problem).where(Problem.text == text)).all()
        assert [r.id for r in rows] == [raised.id]
        assert rows[0].submission_revision == 2
        assert [m.text for m in rows[0].measures] == ["每月至少下乡调研两次，形成调研报告。"]
