"""审核回复: the office's answer to a hand-in, carried back to the staff laptop.

The office writes a reply package (accepted, or returned for rework with a
comment) for one hand-in revision; the staff laptop opens it and shows the
state. A reply to an older hand-in than the laptop's latest is refused: the
office has not seen the newer one yet.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mingjing import __version__
from mingjing.config import DataLocation
from mingjing.domain.enums import SelfCheckState, Severity, Source
from mingjing.domain.models import Member, Problem, SelfCheck
from mingjing.exchange.package import SUFFIXES, PackageError, read_package, write_package
from mingjing.exchange.schema import check
from mingjing.exchange.signing import Identity, PublicKeys
from mingjing.services.campaigns import write_file_atomically
from mingjing.services.identity import KEY_FILE, load_identity
from mingjing.services.profile import load_profile
from mingjing.storage import Database

DECISIONS = {"accepted": SelfCheckState.ACCEPTED, "returned": SelfCheckState.RETURNED}

REPLY_DATA = {
    "self_check_id": "uuid",
    "member_id": "uuid",
    "decision": str,
    "comment": str,
    "reviewer": str,
    "reviewer_id": "uuid?",
    "reviewed_at": str,
    "submission_revision": int,
    # Problems a leader raised for the member (上级点), for their own list.
    "problems?": [{"id": "uuid", "text": str}],
}


def write_reply(
    out: Path,
    *,
    campaign_id: str,
    template_id: str,
    template_version: int,
    self_check_id: str,
    member_id: str,
    member_name: str,
    submission_revision: int,
    decision: str,
    comment: str,
    reviewer: str,
    identity: Identity,
    seal_to: PublicKeys | None = None,
    reviewer_id: str | None = None,
    reviewed_at: dt.datetime | None = None,
    by: str = "",
    problems: Sequence[tuple[str, str]] = (),
) -> Path:
    """Write a reply package (the office's review of one hand-in revision),
    signed by the office and sealed to the member's computer if its keys are known.

    ``problems``: (id, text) of problems leaders raised for the member that
    are not yet in their hand-ins; the laptop adds them to the member's list.
    """
    if decision not in DECISIONS:
        raise ValueError(decision)
    blob = write_package(
        kind="reply",
        campaign_id=campaign_id,
        member_id=member_id,
        revision=submission_revision,
        app_version=__version__,
        template_id=template_id,
        template_version=template_version,
        data={
            "self_check_id": self_check_id,
            "member_id": member_id,
            "decision": decision,
            "comment": comment,
            "reviewer": reviewer,
            "reviewer_id": reviewer_id,
            "reviewed_at": (reviewed_at or dt.datetime.now(dt.UTC)).isoformat(),
            "submission_revision": submission_revision,
            "problems": [{"id": pid, "text": text} for pid, text in problems],
        },
        identity=identity,
        signer_name=reviewer,
        seal_to=seal_to,
    )
    # ``by`` (a leader who returned it) keeps the file apart from the office's own reply.
    who = f"-{by}退回" if by else ""
    name = f"{member_name}-审核回复-第{submission_revision}次{who}{SUFFIXES['reply']}"
    # A path without a file ending is a folder (created if missing), as for hand-ins.
    folder = out.is_dir() or not out.suffix
    return write_file_atomically(out / name if folder else out, blob)


@dataclass(frozen=True)
class ReplyResult:
    decision: str
    comment: str
    state: SelfCheckState
    changed: bool
    note: str
    """A sentence for the user about what happened."""


def open_reply(db: Database, location: DataLocation, path: Path) -> ReplyResult:
    """Apply the office's reply on the staff laptop; refuse one meant for someone
    else, one not signed by the office this computer joined, or an older one."""
    key_file = location.data_dir / KEY_FILE
    package = read_package(
        path,
        expected_kind="reply",
        # No key of its own yet: it cannot have joined, and reading makes none.
        identity=load_identity(location.data_dir) if key_file.exists() else None,
    )
    source = str(path)
    check(source, package.data, REPLY_DATA)
    data = package.data
    decision = data["decision"]
    if decision not in DECISIONS:
        raise PackageError(source, f"不认识的审核结果 {decision!r}")
    profile = load_profile(location.data_dir)
    if not profile.joined:
        raise PackageError(source, "本机还没有加入专项行动")
    if package.signer.sign != profile.office_sign_key:
        pinned = (
            PublicKeys(profile.office_sign_key, profile.office_seal_key).fingerprint
            if profile.office_sign_key
            else "无"
        )
        raise PackageError(
            source,
            f"不是本单位办公室签发的（签名密钥指纹 {package.signer.fingerprint}，"
            f"本机登记的办公室密钥指纹 {pinned}）",
        )
    if (
        data["member_id"] != profile.member_id
        or package.manifest.campaign_id != profile.campaign_id
    ):
        raise PackageError(source, "这是给别人的审核回复，不是给本机使用人的")
    revision = int(data["submission_revision"])
    with db.transaction() as session:
        row = session.scalar(
            select(SelfCheck).where(
                SelfCheck.campaign_id == uuid.UUID(profile.campaign_id),
                SelfCheck.member_id == uuid.UUID(profile.member_id),
            )
        )
        if row is None or row.submission_revision == 0:
            raise PackageError(source, "本机还没有提交过自查材料，无从回复")
        if revision < row.submission_revision:
            raise PackageError(
                source,
                f"这是对第 {revision} 次提交的回复，本机之后又提交了第 "
                f"{row.submission_revision} 次，请等待办公室对最新一次的回复",
            )
        if revision > row.submission_revision:
            raise PackageError(
                source, f"回复的是第 {revision} 次提交，本机只提交过 {row.submission_revision} 次"
            )
        try:
            reviewed_at = dt.datetime.fromisoformat(data["reviewed_at"])
        except ValueError as exc:
            raise PackageError(source, "审核时间格式不对") from exc
        if reviewed_at.tzinfo is None:
            raise PackageError(source, "审核时间缺少时区")
        if row.reviewed_at == reviewed_at and row.review_comment == data["comment"]:
            return ReplyResult(
                decision, data["comment"], row.state, False, "这份审核回复已经打开过。"
            )
        if row.reviewed_at is not None and reviewed_at < row.reviewed_at:
            raise PackageError(
                source, "这是一份较早的审核回复，本机已经打开过办公室之后的回复，不再采用"
            )
        row.reviewed_at = reviewed_at
        row.review_comment = data["comment"]
        reviewer_id = data.get("reviewer_id")
        if reviewer_id and session.get(Member, uuid.UUID(reviewer_id)) is not None:
            row.reviewer_id = uuid.UUID(reviewer_id)
        if row.state is SelfCheckState.SUBMITTED:
            row.state = DECISIONS[decision]
            note = (
                "办公室已审核通过。"
                if decision == "accepted"
                else "办公室退回返工，请按意见修改后重新提交。"
            )
        else:
            note = "办公室的意见已记下。您在提交后又修改过，改完后请重新提交。"
        added = _add_raised(session, row, data.get("problems", []))
        if added:
            note += (
                f"领导指出的问题 {added} 个已列入您的问题清单（来源：上级点），"
                "请补充原因剖析和整改措施。"
            )
        return ReplyResult(decision, data["comment"], row.state, True, note)


def _add_raised(session: Session, row: SelfCheck, raised: list[dict[str, str]]) -> int:
    """Add the problems leaders raised (上级点) that this laptop does not have yet.

    Under the office's id, so the next hand-in updates the office's row with
    the member's causes and measures instead of adding a second one. One the
    member has already (even deleted) is left as it is.
    """
    added = 0
    for item in raised:
        pid = uuid.UUID(item["id"])
        if session.get(Problem, pid) is not None:
            continue
        order = session.scalar(
            select(func.coalesce(func.max(Problem.sort_order), 0)).where(
                Problem.campaign_id == row.campaign_id,
                Problem.owner_member_id == row.member_id,
            )
        )
        session.add(
            Problem(
                id=pid,
                campaign_id=row.campaign_id,
                owner_member_id=row.member_id,
                text=item["text"],
                source=Source.SUPERIOR,
                severity=Severity.GENERAL,
                sort_order=int(order or 0) + 1,
            )
        )
        session.flush()
        added += 1
    return added
