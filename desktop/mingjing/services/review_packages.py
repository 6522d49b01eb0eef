"""领导审阅 at the office: the review package for a leader, and the leader's reply.

``export_review`` writes a ``.mjreview`` for one 班子成员: a read-only
snapshot of the campaign as that leader may see it — hand-ins, every
statement as it would print, the problems, the ledger with its progress —
optionally with the rendered 会议材料汇编, signed by the office and sealed
to the leader's laptop (whose keys the office pinned at their first
hand-in). The office keeps a :class:`ReviewExport` row so a reply can be
matched to what the leader read.

``import_review_reply`` reads the leader's ``.mjreviewreply``: sealed to
this office, signed by the key pinned for that leader, answering a review
this office made, not older than a reply already read. Each act carries the
leader's own signature (checked, then kept in ``leader_action``). An act on
a row changed since the snapshot is not applied: it waits as a conflict
until the secretary, shown both, applies or skips it. All in one
transaction: a reply is read whole or not at all.
"""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mingjing import __version__
from mingjing.config import DataLocation
from mingjing.domain.base import utcnow
from mingjing.domain.enums import (
    ProblemStatus,
    RectificationState,
    SelfCheckState,
    Severity,
    Source,
)
from mingjing.domain.errors import DomainError
from mingjing.domain.models import (
    Campaign,
    LeaderAction,
    Member,
    Problem,
    Rectification,
    ReviewExport,
    SelfCheck,
)
from mingjing.domain.review import (
    ACTION_LABELS,
    ALLOWED,
    OWN_ROW,
    ActionView,
    action_statement,
    action_view,
    check_action,
    rectification_label,
)
from mingjing.domain.states import (
    RectificationEvent,
    SelfCheckEvent,
    rectification_step,
    self_check_step,
)
from mingjing.exchange.package import (
    SUFFIXES,
    PackageError,
    data_sha256,
    read_package,
    write_package,
)
from mingjing.exchange.schema import check
from mingjing.exchange.signing import BadKey, Identity
from mingjing.reports.document import (
    Document,
    Heading,
    PageBreak,
    Para,
    Signature,
    Subtitle,
    Table,
    Title,
)
from mingjing.services.campaigns import write_file_atomically
from mingjing.services.roles import office
from mingjing.services.roster import member_keys
from mingjing.storage import Database

REVIEW_FORMAT = 1


# ----------------------------------------------------------------- the package


def document_blocks(document: Document) -> list[dict[str, Any]]:
    """A rendered material as plain blocks for the leader's reading view."""
    out: list[dict[str, Any]] = []
    for section in document.sections:
        for block in section.blocks:
            if isinstance(block, Title):
                out.append({"style": "title", "text": block.text})
            elif isinstance(block, Subtitle):
                out.append({"style": "subtitle", "text": block.text})
            elif isinstance(block, Heading):
                out.append({"style": f"heading{block.level}", "text": block.text})
            elif isinstance(block, Para):
                out.append(
                    {
                        "style": "para",
                        "text": block.text,
                        "align": block.align,
                        "indent": block.indent,
                    }
                )
            elif isinstance(block, Signature):
                date = (
                    f"{block.date.year}年{block.date.month}月{block.date.day}日"
                    if block.date
                    else ""
                )
                out.append(
                    {"style": "signature", "text": "\n".join(x for x in (block.signer, date) if x)}
                )
            elif isinstance(block, Table):
                out.append(
                    {
                        "style": "table",
                        "header": list(block.header),
                        "rows": [list(r) for r in block.rows],
                    }
                )
            elif isinstance(block, PageBreak):
                continue
    return out


@dataclass(frozen=True)
class ReviewMade:
    path: Path
    review_id: str
    leader: str
    statements: int
    ledger_rows: int
    with_materials: bool


def _leader(session: Session, campaign: Campaign, who: str) -> Member:
    """A 班子成员 by id or by name (``姓名`` or ``姓名（职务）`` when names repeat)."""
    try:
        found = session.get(Member, uuid.UUID(who))
        candidates = [found] if found is not None else []
    except ValueError:
        name = who.strip()
        members = session.scalars(
            select(Member).where(Member.unit_id == campaign.unit_id, Member.deleted_at.is_(None))
        ).all()
        candidates = [m for m in members if m.name == name or f"{m.name}（{m.position}）" == name]
    if not candidates:
        raise DomainError(f"名单中没有“{who}”。")
    if len(candidates) > 1:
        raise DomainError(f"名单中有{len(candidates)}个“{who}”，请写成“姓名（职务）”。")
    leader = candidates[0]
    if leader.unit_id != campaign.unit_id or leader.deleted_at is not None:
        raise DomainError(f"“{who}”不在本单位的名单中。")
    if not leader.is_leader:
        raise DomainError(f"{leader.name}不是领导班子成员。领导审阅文件只发给班子成员。")
    return leader


def _problem_line(p: Problem, areas: dict[uuid.UUID, str]) -> dict[str, Any]:
    return {
        "id": str(p.id),
        "revision": p.revision,
        "owner_id": str(p.owner_member_id) if p.owner_member_id else None,
        "area": areas.get(p.area_id, "") if p.area_id else "",
        "text": p.text,
        "source": p.source.label,
        "source_code": p.source.value,
        "severity": p.severity.label,
    }


def review_payload(
    db: Database,
    campaign_id: str,
    leader_id: str,
    *,
    review_id: str,
    made_by: str,
    today: dt.date,
    materials: tuple[str, bytes] | None = None,
) -> dict[str, Any]:
    """What the leader's laptop will read (plain JSON data)."""
    from mingjing.services import materials as mat
    from mingjing.services.ledger import all_rows
    from mingjing.services.review import hand_ins

    cid = uuid.UUID(campaign_id)
    with db.read() as session:
        campaign = session.get(Campaign, cid)
        if campaign is None:
            raise DomainError("找不到这个专项行动。")
        leader = session.get(Member, uuid.UUID(leader_id))
        assert leader is not None
        areas = {a.id: a.title for a in campaign.template.areas}
        problems = session.scalars(
            select(Problem)
            .where(Problem.campaign_id == cid, Problem.deleted_at.is_(None))
            .order_by(Problem.sort_order, Problem.created_at)
        ).all()
        problem_lines = [_problem_line(p, areas) for p in problems]
        team_lines = [_problem_line(p, areas) for p in problems if p.owner_team_id is not None]
        checks = {
            str(c.member_id): c
            for c in session.scalars(select(SelfCheck).where(SelfCheck.campaign_id == cid)).all()
        }
        check_revisions = {k: (str(c.id), c.revision) for k, c in checks.items()}
        ledger_revisions = {
            str(i): r
            for i, r in session.execute(
                select(Rectification.id, Rectification.revision).where(
                    Rectification.campaign_id == cid, Rectification.deleted_at.is_(None)
                )
            ).all()
        }
        campaign_json = {
            "id": campaign_id,
            "title": campaign.title,
            "unit": campaign.unit.name,
            "template_id": campaign.template.key,
            "template_version": campaign.template.version,
        }
        leader_json = {"id": str(leader.id), "name": leader.name, "position": leader.position}
    status = hand_ins(db, campaign_id)
    handed = [r for r in status.members if r.handed_in]
    documents = mat.statement_documents(db, campaign_id, [r.member_id for r in handed], today)
    statements = []
    for r in handed:
        self_check_id, revision = check_revisions[r.member_id]
        statements.append(
            {
                "self_check_id": self_check_id,
                "revision": revision,
                "member_id": r.member_id,
                "name": r.name,
                "position": r.position,
                "is_leader": r.is_leader,
                "state": r.state.value if r.state else "",
                "state_label": r.state_label,
                "submitted_at": r.submitted_at.isoformat() if r.submitted_at else None,
                "problems": [p for p in problem_lines if p["owner_id"] == r.member_id],
                "blocks": document_blocks(documents[r.member_id]),
            }
        )
    ledger = [
        {
            "id": row.id,
            "revision": ledger_revisions.get(row.id, 0),
            "serial": row.serial,
            "area": row.area,
            "problem": row.problem,
            "source": row.source,
            "measure": row.measure,
            "target": row.target,
            "leader": row.leader,
            "leader_id": row.leader_id,
            "department": row.department,
            "owner": row.owner,
            "owner_id": row.owner_id,
            "deadline": row.deadline.isoformat() if row.deadline else None,
            "deadline_text": row.deadline_text,
            "state": row.state,
            "state_label": row.state_label,
            "urgency": row.urgency,
            "progress": row.progress,
            "sign_off": row.sign_off,
            "evidence": row.evidence,
        }
        for row in all_rows(db, campaign_id, today=today)
    ]
    team_document = mat.team_statement_document(db, campaign_id, today)
    payload: dict[str, Any] = {
        "review_format": REVIEW_FORMAT,
        "review_id": review_id,
        "campaign": campaign_json,
        "leader": leader_json,
        "made_by": made_by,
        "made_on": today.isoformat(),
        "hand_ins": [
            {
                "member_id": r.member_id,
                "name": r.name,
                "position": r.position,
                "department": r.department,
                "is_leader": r.is_leader,
                "state_label": r.state_label,
                "handed_in": r.handed_in,
                "problems": r.problems,
            }
            for r in status.members
        ],
        "statements": statements,
        "team": {"blocks": document_blocks(team_document), "problems": team_lines},
        "ledger": ledger,
        "materials": None,
    }
    if materials is not None:
        title, pdf = materials
        payload["materials"] = {"title": title, "pdf": base64.b64encode(pdf).decode("ascii")}
    return payload


@office
def export_review(
    db: Database,
    campaign_id: str,
    leader: str,
    out: Path,
    *,
    identity: Identity,
    made_by: str,
    today: dt.date,
    materials: tuple[str, bytes] | None = None,
) -> ReviewMade:
    """Write the review package for ``leader`` (id or name) to ``out`` (file or folder).

    Refused when the leader's laptop has not handed anything in yet: without
    its key the package could not be sealed, and an unsealed one would show
    everyone's statements to whoever finds the USB stick.
    """
    cid = uuid.UUID(campaign_id)
    with db.read() as session:
        campaign = session.get(Campaign, cid)
        if campaign is None:
            raise DomainError("找不到这个专项行动。")
        member = _leader(session, campaign, leader)
        keys = member_keys(member)
        leader_id, leader_name = str(member.id), member.name
        template = (campaign.template.key, campaign.template.version)
    if keys is None:
        raise DomainError(
            f"还没有{leader_name}电脑的密钥，审阅文件无法加密给他（她）。"
            f"请{leader_name}先在自己的电脑上加入专项行动并提交一次自查材料，"
            "办公室收取后即登记了密钥。"
        )
    review_id = str(uuid.uuid4())
    data = review_payload(
        db,
        campaign_id,
        leader_id,
        review_id=review_id,
        made_by=made_by,
        today=today,
        materials=materials,
    )
    blob = write_package(
        kind="review",
        campaign_id=campaign_id,
        member_id=leader_id,
        revision=1,
        app_version=__version__,
        template_id=template[0],
        template_version=template[1],
        data=data,
        identity=identity,
        signer_name=made_by,
        seal_to=keys,
    )
    # The time too: a second file the same day does not overwrite the first.
    stamp = f"{today:%Y%m%d}-{dt.datetime.now().astimezone():%H%M%S}"
    name = f"{leader_name}-领导审阅-{stamp}{SUFFIXES['review']}"
    target = out / name if out.is_dir() or not out.suffix else out
    with db.transaction() as session:
        session.add(
            ReviewExport(
                id=uuid.UUID(review_id),
                campaign_id=cid,
                leader_id=uuid.UUID(leader_id),
                sha256=data_sha256(data),
                made_by=made_by,
            )
        )
        # Written inside the transaction: no file, no record of it.
        path = write_file_atomically(target, blob)
    return ReviewMade(
        path=path,
        review_id=review_id,
        leader=leader_name,
        statements=len(data["statements"]),
        ledger_rows=len(data["ledger"]),
        with_materials=materials is not None,
    )


def package_pdf(db: Database, campaign_id: str, today: dt.date) -> tuple[str, bytes]:
    """会议材料汇编 as a PDF, to travel with a review package."""
    from mingjing.fonts import FontRegistry
    from mingjing.reports.pdf import render_pdf
    from mingjing.services import materials

    document = materials.build(db, "package", today=today, campaign_id=campaign_id)
    return materials.KINDS["package"], render_pdf(document, FontRegistry.discover()).data


@dataclass(frozen=True)
class LeaderChoice:
    id: str
    name: str
    position: str
    key_known: bool
    """Their laptop's keys are pinned: a review can be sealed to it."""


def leaders(db: Database, campaign_id: str) -> list[LeaderChoice]:
    """班子成员 of the campaign's unit, in roster order, for 导出审阅文件."""
    with db.read() as session:
        campaign = session.get(Campaign, uuid.UUID(campaign_id))
        if campaign is None:
            raise DomainError("找不到这个专项行动。")
        rows = session.scalars(
            select(Member)
            .where(
                Member.unit_id == campaign.unit_id,
                Member.deleted_at.is_(None),
                Member.is_leader.is_(True),
            )
            .order_by(Member.sort_order, Member.name)
        ).all()
        return [
            LeaderChoice(str(m.id), m.name, m.position, member_keys(m) is not None) for m in rows
        ]


# ---------------------------------------------------------------- the reply

REPLY_DATA = {
    "review_id": "uuid",
    "campaign_id": "uuid",
    "leader_id": "uuid",
    "leader_name": str,
    "written_at": str,
    "actions": [
        {
            "id": "uuid",
            "kind": str,
            "target_kind": str,
            "target_id": "uuid",
            "target_revision": int,
            "target_label": str,
            "text": str,
            "acted_at": str,
            "signature": str,
        }
    ],
}


@dataclass(frozen=True)
class ReplyRead:
    leader: str
    applied: int
    conflicts: int
    known: int
    """Acts already read from an earlier reply (a reply repeats what was sent before)."""
    returned_files: tuple[Path, ...]
    notes: tuple[str, ...]

    @property
    def summary(self) -> str:
        parts = [f"{self.leader}的审阅意见：新采用 {self.applied} 条"]
        if self.conflicts:
            parts.append(f"{self.conflicts} 条涉及的内容在审阅后已有改动，待您确认")
        if self.known:
            parts.append(f"{self.known} 条此前已导入")
        return "，".join(parts) + "。"


def _parse_time(source: str, value: str, what: str) -> dt.datetime:
    try:
        at = dt.datetime.fromisoformat(value)
    except ValueError:
        raise PackageError(source, f"{what}不是有效的时间") from None
    if at.tzinfo is None:
        raise PackageError(source, f"{what}缺少时区")
    return at


def _describe(session: Session, target_kind: str, target_id: uuid.UUID) -> tuple[int | None, str]:
    """The target's revision now and how it reads now; (None, …) if it is gone."""
    if target_kind == "rectification":
        row = session.get(Rectification, target_id)
        if row is None or row.deleted_at is not None:
            return None, "这项整改已被删除"
        latest = max(
            (n for n in row.progress_notes if n.deleted_at is None),
            key=lambda n: (n.noted_on, n.created_at),
            default=None,
        )
        progress = f"{latest.noted_on.isoformat()}：{latest.text}" if latest else ""
        return row.revision, rectification_label(
            row.serial, row.problem_text or row.measure, row.state.label, progress
        )
    if target_kind == "problem":
        problem = session.get(Problem, target_id)
        if problem is None or problem.deleted_at is not None:
            return None, "这个问题已被删除"
        return problem.revision, problem.text
    if target_kind == "team":
        campaign = session.get(Campaign, target_id)
        if campaign is None:
            return None, "找不到这个专项行动"
        return 0, "领导班子对照检查材料"
    check_row = session.get(SelfCheck, target_id)
    if check_row is None or check_row.deleted_at is not None:
        return None, "这份自查材料已被删除"
    member = session.get(Member, check_row.member_id)
    name = member.name if member else ""
    return check_row.revision, f"{name}的对照检查材料（{check_row.state.label}）"


def _campaign_of(session: Session, action: LeaderAction) -> uuid.UUID | None:
    """The campaign the act's target belongs to."""
    if action.target_kind == "team":
        return action.target_id
    kinds: dict[str, Any] = {
        "rectification": Rectification,
        "problem": Problem,
        "self_check": SelfCheck,
    }
    row = session.get(kinds[action.target_kind], action.target_id)
    return row.campaign_id if row is not None else None


def _next_order(session: Session, *where: Any) -> int:
    last = session.scalar(
        select(Problem.sort_order).where(*where).order_by(Problem.sort_order.desc()).limit(1)
    )
    return (last or 0) + 1


def _apply(
    session: Session,
    action: LeaderAction,
    leader: Member,
    write_return: Callable[[SelfCheck], Path] | None,
) -> tuple[str, Path | None]:
    """Carry out one act; returns what it did, in words. Raises DomainError if it cannot."""
    kind = action.kind
    if kind == "comment":
        return "已记入领导点评。", None
    if kind in ("approve", "reject"):
        row = session.get(Rectification, action.target_id)
        assert row is not None
        if row.state is not RectificationState.AWAITING_SIGN_OFF:
            raise DomainError(f"这项整改现在是“{row.state.label}”，不是“已完成待销号”。")
        if leader.id in (row.responsible_leader_id, row.owner_id):
            raise DomainError(OWN_ROW.format(leader.name))
        if kind == "approve":
            row.state = rectification_step(row.state, RectificationEvent.SIGN_OFF)
            row.signed_off_by_id = leader.id
            row.signed_off_at = action.acted_at
            row.sign_off_note = action.text or "同意销号。"
            if row.problem is not None:
                row.problem.status = ProblemStatus.CLOSED
            return f"已销号（{leader.name}签批）。", None
        row.state = rectification_step(row.state, RectificationEvent.RETURN)
        row.returned_reason = action.text
        row.completed_at = None
        return "已退回整改中。", None
    if action.target_kind == "team":  # a problem of the leadership team
        campaign = session.get(Campaign, action.target_id)
        assert campaign is not None and campaign.unit.team is not None
        session.add(
            Problem(
                campaign_id=campaign.id,
                owner_team_id=campaign.unit.team.id,
                text=action.text,
                source=Source.SUPERIOR,
                severity=Severity.GENERAL,
                sort_order=_next_order(session, Problem.owner_team_id == campaign.unit.team.id),
            )
        )
        return "已列入领导班子问题清单（来源：上级点）。", None
    self_check = session.get(SelfCheck, action.target_id)
    assert self_check is not None
    if kind == "raise":
        session.add(
            Problem(
                campaign_id=self_check.campaign_id,
                owner_member_id=self_check.member_id,
                text=action.text,
                source=Source.SUPERIOR,
                severity=Severity.GENERAL,
                sort_order=_next_order(
                    session,
                    Problem.campaign_id == self_check.campaign_id,
                    Problem.owner_member_id == self_check.member_id,
                ),
            )
        )
        return "已列入本人问题（来源：上级点）。", None
    # return for rework
    if not self_check.submission_revision or self_check.state is SelfCheckState.DRAFT:
        raise DomainError("这份自查材料已收回修改，无需退回。")
    self_check.state = self_check_step(self_check.state, SelfCheckEvent.RETURN)
    self_check.reviewed_at = utcnow()
    self_check.review_comment = action.text
    self_check.reviewer_id = leader.id
    written = write_return(self_check) if write_return is not None else None
    said = "已退回返工"
    if written is not None:
        said += f"，给本人的回复文件：{written.name}"
    return said + "。", written


def _return_writer(
    session: Session,
    leader: Member,
    *,
    identity: Identity,
    replies_dir: Path,
    reviewer: str,
) -> Callable[[SelfCheck], Path]:
    """Writes the member's reply file for a statement a leader returned (as 审核 does)."""
    from mingjing.services.review import reply_file

    def write(self_check: SelfCheck) -> Path:
        return reply_file(
            session,
            self_check,
            replies_dir,
            decision="returned",
            comment=f"{leader.name}：{self_check.review_comment}",
            reviewer=reviewer,
            reviewer_id=str(leader.id),
            identity=identity,
            by=leader.name,
        )

    return write


RAISED_COMMENT = (
    "指出问题（上级点）：{texts}。已列入您的问题清单，请补充原因剖析和整改措施后重新提交。"
)


def _send_raised(
    session: Session,
    raised: list[LeaderAction],
    write_return: Callable[[SelfCheck], Path],
) -> list[Path]:
    """Send problems raised for members back to them: their statement is returned.

    The member owns their problem list, so a statement already handed in (or
    accepted) goes back with the problems, which their laptop adds from the
    reply file (see :mod:`mingjing.services.replies`). A statement returned by
    the same reply needs nothing more: its reply file carries them too. One not
    handed in gets them with its next reply.
    """
    files: list[Path] = []
    by_check: dict[uuid.UUID, list[LeaderAction]] = {}
    for action in raised:
        by_check.setdefault(action.target_id, []).append(action)
    for check_id, actions in by_check.items():
        check = session.get(SelfCheck, check_id)
        assert check is not None
        if not check.submission_revision or check.state not in (
            SelfCheckState.SUBMITTED,
            SelfCheckState.ACCEPTED,
        ):
            continue
        texts = "；".join(a.text.rstrip("。；") for a in actions)
        check.state = self_check_step(check.state, SelfCheckEvent.RETURN)
        check.reviewed_at = utcnow()
        check.review_comment = RAISED_COMMENT.format(texts=texts)
        check.reviewer_id = actions[0].author_id
        written = write_return(check)
        files.append(written)
        for action in actions:
            action.outcome = (
                f"已列入本人问题（来源：上级点），已退回本人补充原因剖析和整改措施，"
                f"回复文件：{written.name}。"
            )
    return files


@office
def import_review_reply(
    db: Database,
    location: DataLocation,
    path: Path,
    *,
    identity: Identity,
    replies_dir: Path,
    reviewer: str,
) -> ReplyRead:
    """Read a leader's reply at the office (see the module's text)."""

    source = str(path)
    package = read_package(path, expected_kind="review_reply", identity=identity)
    if not package.sealed:
        raise PackageError(source, "文件没有加密；领导审阅意见必须加密给办公室")
    check(source, package.data, REPLY_DATA)
    data = package.data
    written_at = _parse_time(source, data["written_at"], "写成时间")
    returned: list[Path] = []
    notes: list[str] = []
    applied = conflicts = known = 0
    with db.transaction() as session:
        made = session.get(ReviewExport, uuid.UUID(data["review_id"]))
        if made is None or str(made.campaign_id) != data["campaign_id"]:
            raise PackageError(source, "回复的不是本办公室发出的审阅文件")
        leader = session.get(Member, made.leader_id)
        assert leader is not None
        if str(leader.id) != data["leader_id"] or package.manifest.member_id != data["leader_id"]:
            raise PackageError(source, f"审阅文件是发给{leader.name}的，回复却不是他（她）的")
        keys = member_keys(leader)
        if keys is None or keys.sign != package.signer.sign:
            raise PackageError(
                source,
                f"签名密钥（指纹 {package.signer.fingerprint}）不是{leader.name}电脑登记的密钥",
            )
        if made.last_reply_at is not None and written_at == made.last_reply_at:
            raise PackageError(source, "这份审阅意见已经导入过")
        if made.last_reply_at is not None and written_at < made.last_reply_at:
            raise PackageError(
                source,
                f"这是{leader.name}较早的一份审阅意见，之后的一份已经导入过，不再采用",
            )
        write_return = _return_writer(
            session, leader, identity=identity, replies_dir=replies_dir, reviewer=reviewer
        )
        raised: list[LeaderAction] = []
        for raw in data["actions"]:
            action_id = uuid.UUID(raw["id"])
            kind, target_kind = raw["kind"], raw["target_kind"]
            if kind not in ALLOWED or target_kind not in ALLOWED[kind]:
                raise PackageError(source, f"不认识的审阅操作 {kind}/{target_kind}")
            acted_at = _parse_time(source, raw["acted_at"], "审阅时间")
            statement = action_statement(
                campaign_id=data["campaign_id"],
                action_id=str(action_id),
                author_id=str(leader.id),
                kind=kind,
                target_kind=target_kind,
                target_id=raw["target_id"],
                target_revision=raw["target_revision"],
                text=raw["text"],
                acted_at=acted_at,
            )
            try:
                signature = base64.b64decode(raw["signature"], validate=True)
                good = keys.verify(statement, signature)
            except (ValueError, BadKey):
                good = False
            if not good:
                raise PackageError(source, f"第 {data['actions'].index(raw) + 1} 条意见的签名不符")
            if session.get(LeaderAction, action_id) is not None:
                known += 1
                continue
            try:
                text = check_action(kind, target_kind, raw["text"])
            except DomainError as exc:
                raise PackageError(source, str(exc)) from exc
            action = LeaderAction(
                id=action_id,
                review_id=made.id,
                campaign_id=made.campaign_id,
                author_id=leader.id,
                author_name=leader.name,
                kind=kind,
                target_kind=target_kind,
                target_id=uuid.UUID(raw["target_id"]),
                target_revision=raw["target_revision"],
                target_label=raw["target_label"],
                text=text,
                acted_at=acted_at,
                signature=raw["signature"],
            )
            session.add(action)
            elsewhere = (target_kind == "team" and action.target_id != made.campaign_id) or (
                _campaign_of(session, action) not in (None, made.campaign_id)
            )
            if elsewhere:
                raise PackageError(source, "有意见针对的不是这个专项行动的内容")
            revision, _now = _describe(session, target_kind, action.target_id)
            if revision is None:
                action.state, action.outcome = "skipped", _now + "，未采用。"
                notes.append(f"{ACTION_LABELS[kind]}：{_now}，未采用。")
                continue
            if revision != action.target_revision and kind != "comment":
                action.state = "conflict"
                action.outcome = "领导审阅后这一项又有改动，待办公室确认。"
                conflicts += 1
                continue
            try:
                said, file = _apply(session, action, leader, write_return)
            except DomainError as exc:
                action.state, action.outcome = "conflict", f"{exc}待办公室确认。"
                conflicts += 1
                continue
            action.state, action.outcome = "applied", said
            applied += 1
            if file is not None:
                returned.append(file)
            if kind == "raise" and target_kind == "self_check":
                raised.append(action)
        returned.extend(_send_raised(session, raised, write_return))
        made.last_reply_at = written_at
    return ReplyRead(leader.name, applied, conflicts, known, tuple(returned), tuple(notes))


def _view(session: Session, action: LeaderAction) -> ActionView:
    current = ""
    if action.state == "conflict":
        _rev, current = _describe(session, action.target_kind, action.target_id)
    return action_view(action, current)


def leader_actions(
    db: Database, campaign_id: str, *, conflicts_only: bool = False
) -> list[ActionView]:
    """The leaders' acts read at the office, newest first."""
    with db.read() as session:
        query = select(LeaderAction).where(
            LeaderAction.campaign_id == uuid.UUID(campaign_id), LeaderAction.deleted_at.is_(None)
        )
        if conflicts_only:
            query = query.where(LeaderAction.state == "conflict")
        rows = session.scalars(query.order_by(LeaderAction.acted_at.desc())).all()
        views = [_view(session, a) for a in rows]
        exported = {
            a.id: made.created_at
            for a in rows
            if a.state == "conflict" and (made := session.get(ReviewExport, a.review_id))
        }
    return [
        replace(v, current=v.current + _changes_since(db, v, exported[uuid.UUID(v.id)]))
        if v.target_kind == "rectification" and uuid.UUID(v.id) in exported
        else v
        for v in views
    ]


def _changes_since(db: Database, view: ActionView, since: dt.datetime) -> str:
    """What was done to a ledger row after the review file was made, field by field:
    the secretary sees what the leader did not."""
    from mingjing.services.history import ledger_row_history

    try:
        lines = [h for h in ledger_row_history(db, view.target_id) if h.at >= since]
    except DomainError:
        return ""
    changes = [w for h in lines for w in h.what]
    if not changes:
        return ""
    return "。审阅文件导出后的改动：" + "；".join(changes)


@office
def comments_on(db: Database, target_ids: Sequence[str]) -> list[ActionView]:
    """Leaders' acts on these statements, problems or ledger rows, oldest first:
    shown where the office reads them (审核, the ledger)."""
    ids = [uuid.UUID(i) for i in target_ids]
    if not ids:
        return []
    with db.read() as session:
        rows = session.scalars(
            select(LeaderAction)
            .where(
                LeaderAction.target_id.in_(ids),
                LeaderAction.deleted_at.is_(None),
                LeaderAction.state.in_(("applied", "conflict", "skipped")),
            )
            .order_by(LeaderAction.acted_at)
        ).all()
        return [action_view(a) for a in rows]


@office
def settle_conflict(
    db: Database,
    action_id: str,
    apply: bool,
    *,
    identity: Identity,
    replies_dir: Path,
    reviewer: str,
    reason: str = "",
) -> ActionView:
    """The secretary's decision on an act held as a conflict: apply it now, or skip it
    (saying why: the leader's word is not set aside without one)."""
    if not apply and not reason.strip():
        raise DomainError("不采用领导的意见时，请写明理由。")

    with db.transaction() as session:
        action = session.get(LeaderAction, uuid.UUID(action_id))
        if action is None or action.state != "conflict":
            raise DomainError("这条审阅意见不在待确认之列。")
        if not apply:
            action.state = "skipped"
            action.outcome = f"办公室确认不采用：{reason.strip()}"
            return _view(session, action)
        leader = session.get(Member, action.author_id)
        assert leader is not None
        write_return = _return_writer(
            session, leader, identity=identity, replies_dir=replies_dir, reviewer=reviewer
        )
        revision, now = _describe(session, action.target_kind, action.target_id)
        if revision is None:
            raise DomainError(f"{now}，无法采用。")
        said, _file = _apply(session, action, leader, write_return)
        action.state, action.outcome = "applied", said
        if action.kind == "raise" and action.target_kind == "self_check":
            _send_raised(session, [action], write_return)
        action.outcome = "办公室确认后采用：" + action.outcome
        return _view(session, action)


def verify_signatures(db: Database, campaign_id: str | None = None) -> list[str]:
    """Acts read at the office whose kept signature no longer matches their words
    (someone edited the database); all campaigns when ``campaign_id`` is None."""
    bad: list[str] = []
    with db.read() as session:
        query = select(LeaderAction).where(
            LeaderAction.state.in_(("applied", "conflict", "skipped"))
        )
        if campaign_id is not None:
            query = query.where(LeaderAction.campaign_id == uuid.UUID(campaign_id))
        rows = session.scalars(query).all()
        for a in rows:
            leader = session.get(Member, a.author_id)
            keys = member_keys(leader) if leader is not None else None
            statement = action_statement(
                campaign_id=str(a.campaign_id),
                action_id=str(a.id),
                author_id=str(a.author_id),
                kind=a.kind,
                target_kind=a.target_kind,
                target_id=str(a.target_id),
                target_revision=a.target_revision,
                text=a.text,
                acted_at=a.acted_at,
            )
            try:
                good = keys is not None and keys.verify(
                    statement, base64.b64decode(a.signature, validate=True)
                )
            except ValueError:
                good = False
            if not good:
                bad.append(f"{a.author_name} {ACTION_LABELS.get(a.kind, a.kind)}：{a.target_label}")
    return bad


__all__: Sequence[str] = (
    "ActionView",
    "ReplyRead",
    "ReviewMade",
    "document_blocks",
    "export_review",
    "import_review_reply",
    "leader_actions",
    "settle_conflict",
    "verify_signatures",
)
