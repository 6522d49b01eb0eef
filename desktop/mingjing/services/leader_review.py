"""领导审阅 on the leader's laptop: the review package, the leader's acts, the reply.

The laptop must have joined the campaign as the leader the package is for:
the package is then checked against the office key pinned at joining and
opened with this laptop's own key. The file is kept sealed in the data
folder (``reviews/current.mjreview``) and read into memory when shown; a
newer review replaces it, an older one is refused.

Each act (:data:`mingjing.domain.review.ACTION_LABELS`) is a ``leader_action``
row, signed by this laptop's key as it is written. ``export_reply`` writes
every act of the review — drafts and those sent before, so a lost stick
costs nothing — sealed to the office and signed; the office reads each act
once.
"""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from mingjing import __version__
from mingjing.config import DataLocation
from mingjing.domain.base import utcnow
from mingjing.domain.errors import DomainError
from mingjing.domain.models import LeaderAction
from mingjing.domain.review import (
    DECISIONS,
    OWN_ROW,
    ActionView,
    action_statement,
    action_view,
    check_action,
    rectification_label,
)
from mingjing.exchange.package import (
    SUFFIXES,
    Package,
    PackageError,
    read_package,
    read_package_bytes,
    write_package,
)
from mingjing.exchange.schema import check
from mingjing.exchange.signing import PublicKeys
from mingjing.services.campaigns import write_file_atomically
from mingjing.services.identity import load_identity
from mingjing.services.profile import Profile, load_profile
from mingjing.services.roles import LEADER, allowed
from mingjing.storage import Database

REVIEW_FOLDER = "reviews"
CURRENT = "current" + SUFFIXES["review"]
AWAITING_SIGN_OFF = "awaiting_sign_off"

_PROBLEM = {
    "id": "uuid",
    "revision": int,
    "owner_id": "uuid?",
    "area": str,
    "text": str,
    "source": str,
    "source_code": str,
    "severity": str,
}
_BLOCK = {"style": str}
REVIEW_DATA = {
    "review_format": int,
    "review_id": "uuid",
    "campaign": {"id": "uuid", "title": str, "unit": str},
    "leader": {"id": "uuid", "name": str, "position": str},
    "made_by": str,
    "made_on": "date",
    "hand_ins": [
        {
            "member_id": "uuid",
            "name": str,
            "position": str,
            "department": str,
            "is_leader": bool,
            "state_label": str,
            "handed_in": bool,
            "problems": int,
        }
    ],
    "statements": [
        {
            "self_check_id": "uuid",
            "revision": int,
            "member_id": "uuid",
            "name": str,
            "position": str,
            "is_leader": bool,
            "state": str,
            "state_label": str,
            "problems": [_PROBLEM],
            "blocks": [_BLOCK],
        }
    ],
    "team": {"blocks": [_BLOCK], "problems": [_PROBLEM]},
    "ledger": [
        {
            "id": "uuid",
            "revision": int,
            "serial": int,
            "area": str,
            "problem": str,
            "source": str,
            "measure": str,
            "leader": str,
            "department": str,
            "owner": str,
            "deadline_text": str,
            "state": str,
            "state_label": str,
            "urgency": str,
            "progress": str,
            "sign_off": str,
        }
    ],
}


@dataclass(frozen=True)
class Review:
    """A review package as the leader reads it (plain data, already checked)."""

    review_id: str
    campaign_id: str
    campaign_title: str
    unit: str
    leader_id: str
    leader_name: str
    made_by: str
    made_on: dt.date
    hand_ins: tuple[dict[str, Any], ...]
    statements: tuple[dict[str, Any], ...]
    team_blocks: tuple[dict[str, Any], ...]
    team_problems: tuple[dict[str, Any], ...]
    ledger: tuple[dict[str, Any], ...]
    materials_title: str = ""
    template: tuple[str, int] = ("", 0)
    office: PublicKeys | None = None
    _materials: str = field(default="", repr=False)

    @property
    def has_materials(self) -> bool:
        return bool(self._materials)

    def materials_pdf(self) -> bytes:
        return base64.b64decode(self._materials) if self._materials else b""

    def statement(self, self_check_id: str) -> dict[str, Any]:
        for s in self.statements:
            if s["self_check_id"] == self_check_id:
                return s
        raise DomainError("审阅文件中没有这份对照检查材料。")

    def ledger_row(self, row_id: str) -> dict[str, Any]:
        for row in self.ledger:
            if row["id"] == row_id:
                return row
        raise DomainError("审阅文件中没有这项整改。")

    def problem(self, problem_id: str) -> tuple[dict[str, Any], str]:
        """The problem and whose it is (a name, or 领导班子)."""
        for s in self.statements:
            for p in s["problems"]:
                if p["id"] == problem_id:
                    return p, s["name"]
        for p in self.team_problems:
            if p["id"] == problem_id:
                return p, "领导班子"
        raise DomainError("审阅文件中没有这个问题。")

    def responsible_for(self, row: dict[str, Any]) -> bool:
        """The leader is this row's 责任领导 or 责任人: someone else signs it off."""
        return self.leader_id in (row.get("leader_id"), row.get("owner_id"))

    def awaiting_sign_off(self) -> list[dict[str, Any]]:
        return [r for r in self.ledger if r["state"] == AWAITING_SIGN_OFF]


def _review_from(package: Package, source: str) -> Review:
    data = package.data
    check(source, data, REVIEW_DATA)
    if data["review_format"] > 1:
        raise PackageError(source, "审阅文件由更新版本的明镜生成，请先升级本机的明镜")
    materials = data.get("materials")
    if materials is not None and not (
        isinstance(materials, dict)
        and isinstance(materials.get("pdf"), str)
        and isinstance(materials.get("title"), str)
    ):
        raise PackageError(source, "数据中 materials 格式不对")
    campaign = data["campaign"]
    return Review(
        review_id=data["review_id"],
        campaign_id=campaign["id"],
        campaign_title=campaign["title"],
        unit=campaign["unit"],
        leader_id=data["leader"]["id"],
        leader_name=data["leader"]["name"],
        made_by=data["made_by"],
        made_on=dt.date.fromisoformat(data["made_on"]),
        hand_ins=tuple(data["hand_ins"]),
        statements=tuple(data["statements"]),
        team_blocks=tuple(data["team"]["blocks"]),
        team_problems=tuple(data["team"]["problems"]),
        ledger=tuple(data["ledger"]),
        materials_title=materials["title"] if materials else "",
        template=(package.manifest.template_id, package.manifest.template_version),
        office=package.signer,
        _materials=materials["pdf"] if materials else "",
    )


def _check_for_me(package: Package, source: str, profile: Profile) -> None:
    if not profile.joined:
        raise PackageError(source, "本机还没有加入专项行动，不能打开领导审阅文件")
    if package.signer.sign != profile.office_sign_key:
        raise PackageError(
            source,
            f"不是本单位办公室签发的（签名密钥指纹 {package.signer.fingerprint}）",
        )
    if package.manifest.member_id != profile.member_id:
        raise PackageError(source, "这份审阅文件是发给另一位领导的")
    if package.manifest.campaign_id != profile.campaign_id:
        raise PackageError(source, "这份审阅文件属于另一个专项行动")


def _stored(location: DataLocation) -> Path:
    return location.data_dir / REVIEW_FOLDER / CURRENT


def open_review(location: DataLocation, path: Path) -> Review:
    """Check a review package and keep it as this laptop's current review."""
    source = str(path)
    identity = load_identity(location.data_dir)
    package = read_package(path, expected_kind="review", identity=identity)
    profile = load_profile(location.data_dir)
    _check_for_me(package, source, profile)
    review = _review_from(package, source)
    stored = _stored(location)
    if stored.exists():
        try:
            kept = read_package(stored, expected_kind="review", identity=identity)
        except PackageError:
            kept = None  # a damaged copy is replaced by a good one
        if kept is not None and kept.manifest.created_at > package.manifest.created_at:
            raise PackageError(source, "这是一份较早的审阅文件，本机已有办公室之后发来的，不再采用")
    write_file_atomically(stored, path.read_bytes())
    return review


def current_review(location: DataLocation) -> Review | None:
    """The review kept on this laptop, checked again as it is read; None if there is none."""
    stored = _stored(location)
    if not stored.exists():
        return None
    identity = load_identity(location.data_dir)
    source = str(stored)
    package = read_package_bytes(
        stored.read_bytes(), source=source, expected_kind="review", identity=identity
    )
    _check_for_me(package, source, load_profile(location.data_dir))
    return _review_from(package, source)


# ------------------------------------------------------------------ dashboard


@dataclass(frozen=True)
class Dashboard:
    """Counts and progress of the campaign; no one ranked against anyone."""

    members: int
    handed_in: int
    hand_in_states: tuple[tuple[str, int], ...]
    problems: int
    by_area: tuple[tuple[str, int], ...]
    by_source: tuple[tuple[str, int], ...]
    ledger: int
    by_state: tuple[tuple[str, int], ...]
    overdue: int
    due_soon: int
    awaiting_sign_off: int


def dashboard(review: Review) -> Dashboard:
    problems = [p for s in review.statements for p in s["problems"]] + list(review.team_problems)
    areas = Counter(p["area"] or "未分方面" for p in problems)
    sources = Counter(p["source"] for p in problems)
    states = Counter(r["state_label"] for r in review.ledger)
    hand_ins = Counter(h["state_label"] for h in review.hand_ins)
    state_order = ("待整改", "整改中", "已完成待销号", "已销号")
    return Dashboard(
        members=len(review.hand_ins),
        handed_in=sum(1 for h in review.hand_ins if h["handed_in"]),
        hand_in_states=tuple(sorted(hand_ins.items(), key=lambda kv: -kv[1])),
        problems=len(problems),
        by_area=tuple(sorted(areas.items(), key=lambda kv: -kv[1])),
        by_source=tuple(sorted(sources.items(), key=lambda kv: -kv[1])),
        ledger=len(review.ledger),
        by_state=tuple(
            sorted(
                states.items(),
                key=lambda kv: state_order.index(kv[0]) if kv[0] in state_order else 9,
            )
        ),
        overdue=sum(1 for r in review.ledger if r["urgency"] == "overdue"),
        due_soon=sum(1 for r in review.ledger if r["urgency"] in ("due_3", "due_7")),
        awaiting_sign_off=len(review.awaiting_sign_off()),
    )


# ------------------------------------------------------------------ the acts


def _target(review: Review, target_kind: str, target_id: str) -> tuple[int, str]:
    """The target's revision in the review and a label of it in words."""
    if target_kind == "rectification":
        row = review.ledger_row(target_id)
        return row["revision"], rectification_label(
            row["serial"], row["problem"] or row["measure"], row["state_label"], row["progress"]
        )
    if target_kind == "team":
        return 0, "领导班子对照检查材料"
    if target_kind == "problem":
        problem, owner = review.problem(target_id)
        return problem["revision"], f"{owner}的问题：{problem['text']}"
    statement = review.statement(target_id)
    return statement["revision"], f"{statement['name']}的对照检查材料"


@allowed(LEADER)
def record_action(
    db: Database,
    location: DataLocation,
    review: Review,
    kind: str,
    target_kind: str,
    target_id: str,
    text: str = "",
) -> str:
    """Write and sign one act; a new 销号 decision on a row replaces an unsent earlier one."""
    text = check_action(kind, target_kind, text)
    revision, label = _target(review, target_kind, target_id)
    if kind in DECISIONS:
        row = review.ledger_row(target_id)
        if row["state"] != AWAITING_SIGN_OFF:
            raise DomainError("这项整改不在“已完成待销号”状态，无需销号签批。")
        if review.responsible_for(row):
            raise DomainError(OWN_ROW.format("您"))
    if (
        target_kind == "self_check"
        and kind in ("return", "raise")
        and review.statement(target_id)["member_id"] == review.leader_id
    ):
        raise DomainError("这是您本人的材料：请在“个人自查”中自己修改，不能对自己退回或指出问题。")
    if kind == "return" and review.statement(target_id)["state"] not in ("submitted", "accepted"):
        raise DomainError("这份材料不是已提交的状态，无需退回。")
    identity = load_identity(location.data_dir)
    acted_at = utcnow()
    action_id = uuid.uuid4()
    signature = identity.sign(
        action_statement(
            campaign_id=review.campaign_id,
            action_id=str(action_id),
            author_id=review.leader_id,
            kind=kind,
            target_kind=target_kind,
            target_id=target_id,
            target_revision=revision,
            text=text,
            acted_at=acted_at,
        )
    )
    with db.transaction() as session:
        if kind in DECISIONS:
            earlier = session.scalars(
                select(LeaderAction).where(
                    LeaderAction.review_id == uuid.UUID(review.review_id),
                    LeaderAction.target_id == uuid.UUID(target_id),
                    LeaderAction.kind.in_(DECISIONS),
                    LeaderAction.deleted_at.is_(None),
                )
            ).all()
            if any(a.state == "sent" for a in earlier):
                raise DomainError("对这项整改的销号意见已经发给办公室，不能再改。")
            for a in earlier:
                a.deleted_at = acted_at
        session.add(
            LeaderAction(
                id=action_id,
                review_id=uuid.UUID(review.review_id),
                campaign_id=uuid.UUID(review.campaign_id),
                author_id=uuid.UUID(review.leader_id),
                author_name=review.leader_name,
                kind=kind,
                target_kind=target_kind,
                target_id=uuid.UUID(target_id),
                target_revision=revision,
                target_label=label,
                text=text,
                acted_at=acted_at,
                signature=base64.b64encode(signature).decode("ascii"),
                state="draft",
            )
        )
    return str(action_id)


@allowed(LEADER)
def withdraw_action(db: Database, action_id: str) -> None:
    """Take back an act not yet sent."""
    with db.transaction() as session:
        action = session.get(LeaderAction, uuid.UUID(action_id))
        if action is None or action.deleted_at is not None:
            raise DomainError("找不到这条意见，可能已撤回。")
        if action.state != "draft":
            raise DomainError("这条意见已经发给办公室，不能撤回。")
        action.deleted_at = utcnow()


def my_actions(db: Database, review: Review) -> list[ActionView]:
    """Everything this leader wrote in the campaign, oldest first: also what was
    written on an earlier review file (a newer one does not make it disappear)."""
    with db.read() as session:
        rows = session.scalars(
            select(LeaderAction).where(*_mine(review)).order_by(LeaderAction.acted_at)
        ).all()
        return [action_view(a) for a in rows]


def _mine(review: Review) -> tuple[Any, ...]:
    return (
        LeaderAction.campaign_id == uuid.UUID(review.campaign_id),
        LeaderAction.author_id == uuid.UUID(review.leader_id),
        LeaderAction.deleted_at.is_(None),
    )


@allowed(LEADER)
def export_reply(db: Database, location: DataLocation, review: Review, out: Path) -> Path:
    """Write the leader's reply — every act of theirs in the campaign, those sent
    before included (the office reads each once) — sealed to the office."""
    profile = load_profile(location.data_dir)
    if not profile.office_seal_key:
        raise DomainError("本机没有登记办公室的密钥，无法加密审阅意见。请重新加入专项行动。")
    office = PublicKeys(profile.office_sign_key, profile.office_seal_key)
    identity = load_identity(location.data_dir)
    now = utcnow()
    with db.transaction() as session:
        actions = session.scalars(
            select(LeaderAction).where(*_mine(review)).order_by(LeaderAction.acted_at)
        ).all()
        if not actions:
            raise DomainError("还没有写任何审阅意见，无需导出。")
        data = {
            "review_id": review.review_id,
            "campaign_id": review.campaign_id,
            "leader_id": review.leader_id,
            "leader_name": review.leader_name,
            "written_at": now.isoformat(),
            "actions": [
                {
                    "id": str(a.id),
                    "kind": a.kind,
                    "target_kind": a.target_kind,
                    "target_id": str(a.target_id),
                    "target_revision": a.target_revision,
                    "target_label": a.target_label,
                    "text": a.text,
                    "acted_at": a.acted_at.isoformat(),
                    "signature": a.signature,
                }
                for a in actions
            ],
        }
        blob = write_package(
            kind="review_reply",
            campaign_id=review.campaign_id,
            member_id=review.leader_id,
            revision=len(actions),
            app_version=__version__,
            template_id=review.template[0],
            template_version=review.template[1],
            data=data,
            identity=identity,
            signer_name=review.leader_name,
            seal_to=office,
            created_at=now,
        )
        stamp = f"{now.astimezone():%Y%m%d-%H%M}"
        name = f"{review.leader_name}-审阅意见-{stamp}{SUFFIXES['review_reply']}"
        target = out / name if out.is_dir() or not out.suffix else out
        path = write_file_atomically(target, blob)
        for a in actions:
            a.state = "sent"
    return path
