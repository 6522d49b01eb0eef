"""The office's reply reaches the staff laptop: accepted, or returned for rework."""

from __future__ import annotations

from pathlib import Path

import pytest

from mingjing.config import DataLocation
from mingjing.domain.enums import SelfCheckState
from mingjing.exchange.package import PackageError, read_package
from mingjing.exchange.signing import Identity
from mingjing.services.replies import open_reply, write_reply
from mingjing.services.self_check import hand_in, load_own_self_check, set_answer
from mingjing.storage import Database


def reply_to(
    submission: Path,
    out: Path,
    decision: str,
    office_identity: Identity,
    comment: str = "",
    signer: Identity | None = None,
) -> Path:
    package = read_package(submission, expected_kind="submission", identity=office_identity)
    m = package.manifest
    return write_reply(
        out,
        campaign_id=m.campaign_id,
        template_id=m.template_id,
        template_version=m.template_version,
        self_check_id=package.data["self_check"]["id"],
        member_id=m.member_id,
        member_name="陈喆",
        submission_revision=m.revision,
        decision=decision,
        comment=comment,
        reviewer="杨慧琳",
        identity=signer or office_identity,
    )


def test_returned_then_reworked_then_accepted(
    laptop: tuple[DataLocation, Database], tmp_path: Path, office_identity: Identity
) -> None:
    location, db = laptop
    view = load_own_self_check(db, location)
    first = hand_in(db, location, tmp_path)
    returned = reply_to(
        first, tmp_path, "returned", office_identity, "事例不够具体，请补充时间地点。"
    )
    assert returned.name == "陈喆-审核回复-第1次.mjreply"
    result = open_reply(db, location, returned)
    assert result.state is SelfCheckState.RETURNED and result.changed
    view = load_own_self_check(db, location)
    assert view.state is SelfCheckState.RETURNED
    assert view.review_comment == "事例不够具体，请补充时间地点。"
    assert not open_reply(db, location, returned).changed  # opening twice changes nothing

    set_answer(db, view.id, "spirit-ambition", level="slight", example="2025年10月……")
    second = hand_in(db, location, tmp_path)
    with pytest.raises(PackageError, match="之后又提交了第 2 次"):
        open_reply(db, location, returned)
    accepted = reply_to(second, tmp_path, "accepted", office_identity, "同意。")
    assert open_reply(db, location, accepted).state is SelfCheckState.ACCEPTED
    db.close()


def test_a_reply_for_someone_else_is_refused(
    laptop: tuple[DataLocation, Database], tmp_path: Path, office_identity: Identity
) -> None:
    location, db = laptop
    submission = hand_in(db, location, tmp_path)
    package = read_package(submission, identity=office_identity)
    other = write_reply(
        tmp_path / "别人的.mjreply",
        campaign_id=package.manifest.campaign_id,
        template_id=package.manifest.template_id,
        template_version=1,
        self_check_id=package.data["self_check"]["id"],
        member_id="00000000-0000-4000-8000-000000000009",
        member_name="别人",
        submission_revision=1,
        decision="accepted",
        comment="",
        reviewer="杨慧琳",
        identity=office_identity,
    )
    with pytest.raises(PackageError, match="给别人的"):
        open_reply(db, location, other)
    assert load_own_self_check(db, location).state is SelfCheckState.SUBMITTED
    db.close()


def test_a_reply_not_from_the_office_or_older_than_one_opened_is_refused(
    laptop: tuple[DataLocation, Database], tmp_path: Path, office_identity: Identity
) -> None:
    location, db = laptop
    submission = hand_in(db, location, tmp_path)
    forged = reply_to(
        submission, tmp_path / "冒充", "accepted", office_identity, "同意。", Identity.generate()
    )
    with pytest.raises(PackageError, match="不是本单位办公室签发的"):
        open_reply(db, location, forged)
    assert load_own_self_check(db, location).state is SelfCheckState.SUBMITTED
    returned = reply_to(submission, tmp_path / "一", "returned", office_identity, "补充事例。")
    accepted = reply_to(submission, tmp_path / "二", "accepted", office_identity, "同意。")
    assert open_reply(db, location, accepted).state is SelfCheckState.ACCEPTED
    with pytest.raises(PackageError, match="较早的审核回复"):
        open_reply(db, location, returned)  # the earlier one, played back
    assert load_own_self_check(db, location).state is SelfCheckState.ACCEPTED
