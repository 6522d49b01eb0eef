"""收取自查材料: the office takes in the hand-in files of its members.

Each file is checked completely before anything is written — the package
itself (zip, names, sizes, hashes, format version), the shape of its data,
that it belongs to a campaign of this database, that its member is in the
roster and its checklist is the campaign's — and is then imported in its own
transaction, so a refused file changes nothing and a batch can be cancelled
between files without leaving half a hand-in behind.

What a file does depends on what the office already holds for the member:

- nothing yet: 已导入;
- the same revision with the same content (the file again): 未变;
- a newer revision: 已更新 — answers, study records and the problems that
  came in hand-ins are replaced; problems the office recorded for the
  member itself (an opinion turned into a problem, a 上级点) are kept;
- an older revision, or the same revision with different content: 已拒绝.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from mingjing.domain.enums import (
    DeadlineKind,
    Level,
    SelfCheckState,
    Severity,
    Source,
    StudyForm,
)
from mingjing.domain.models import (
    Answer,
    Area,
    Campaign,
    Item,
    Measure,
    Member,
    Problem,
    RootCause,
    SelfCheck,
    StudyRecord,
)
from mingjing.exchange.package import SUFFIXES, Package, PackageError, data_sha256, read_package
from mingjing.exchange.schema import SUBMISSION_DATA, check
from mingjing.exchange.signing import Identity
from mingjing.services.roles import office
from mingjing.services.roster import member_keys, pin_member_keys
from mingjing.storage import Database
from mingjing.storage.audit import insert_rows


class Outcome(StrEnum):
    IMPORTED = "imported"
    UNCHANGED = "unchanged"
    REPLACED = "replaced"
    REFUSED = "refused"

    @property
    def label(self) -> str:
        return _OUTCOME_LABELS[self]


_OUTCOME_LABELS = {
    Outcome.IMPORTED: "已导入",
    Outcome.UNCHANGED: "未变",
    Outcome.REPLACED: "已更新",
    Outcome.REFUSED: "已拒绝",
}


@dataclass(frozen=True)
class ImportLine:
    """What became of one file."""

    file: Path
    outcome: Outcome
    member: str
    revision: int
    detail: str

    @property
    def text(self) -> str:
        who = f"{self.member}：" if self.member else ""
        return f"{self.file.name}　{self.outcome.label}　{who}{self.detail}"


@dataclass(frozen=True)
class ImportReport:
    lines: tuple[ImportLine, ...]
    cancelled: bool = False

    def count(self, outcome: Outcome) -> int:
        return sum(1 for line in self.lines if line.outcome is outcome)

    @property
    def summary(self) -> str:
        parts = [
            f"{outcome.label} {self.count(outcome)} 份"
            for outcome in Outcome
            if self.count(outcome)
        ]
        head = f"共 {len(self.lines)} 份文件" + ("（已中途取消）" if self.cancelled else "")
        return head + ("：" + "，".join(parts) if parts else "") + "。"


Progress = Callable[[int, int, str], None]
"""``progress(done, total, file_name)``, called before each file and at the end."""


def submission_files(paths: Iterable[Path]) -> list[Path]:
    """The files to import: each file given, and the hand-in files inside each folder."""
    found: list[Path] = []
    seen: set[Path] = set()
    for path in paths:
        if path.is_dir():
            candidates = sorted(p for p in path.rglob(f"*{SUFFIXES['submission']}") if p.is_file())
        else:
            candidates = [path]
        for candidate in candidates:
            key = candidate.resolve()
            if key not in seen:
                seen.add(key)
                found.append(candidate)
    return found


@dataclass(frozen=True)
class _Checklist:
    """A campaign's checklist and roster as ids, read once per batch, not once per file."""

    campaign_id: uuid.UUID
    key: str
    version: int
    items: dict[str, tuple[uuid.UUID, uuid.UUID]]
    """item key → (item id, its area's id)"""
    areas: dict[str, uuid.UUID]
    members: dict[uuid.UUID, str]
    """The unit's roster (not removed): id → 姓名."""


def _checklist(
    session: Session, campaign_id: uuid.UUID, cache: dict[uuid.UUID, _Checklist | None]
) -> _Checklist | None:
    """None: no such campaign in this database."""
    if campaign_id in cache:
        return cache[campaign_id]
    campaign = session.get(Campaign, campaign_id)
    known = None
    if campaign is not None and campaign.deleted_at is None:
        template = campaign.template
        rows = session.execute(
            select(Item.key, Item.id, Area.id, Area.key)
            .join(Area, Area.id == Item.area_id)
            .where(Area.template_id == template.id)
        ).all()
        members = session.execute(
            select(Member.id, Member.name).where(
                Member.unit_id == campaign.unit_id, Member.deleted_at.is_(None)
            )
        ).all()
        known = _Checklist(
            campaign_id=campaign.id,
            key=template.key,
            version=template.version,
            items={r[0]: (r[1], r[2]) for r in rows},
            areas={r[3]: r[2] for r in rows},
            members={r[0]: r[1] for r in members},
        )
    cache[campaign_id] = known
    return known


@office
def import_submissions(
    db: Database,
    paths: Iterable[Path],
    *,
    identity: Identity,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> ImportReport:
    """Import hand-in files (and folders of them), one transaction per file;
    ``identity`` is the office's, which the hand-ins are sealed to."""
    files = submission_files(paths)
    lines: list[ImportLine] = []
    cache: dict[uuid.UUID, _Checklist | None] = {}
    for index, path in enumerate(files):
        if cancelled is not None and cancelled():
            return ImportReport(tuple(lines), cancelled=True)
        if progress is not None:
            progress(index, len(files), path.name)
        lines.append(import_submission(db, path, identity=identity, _cache=cache))
    if progress is not None:
        progress(len(files), len(files), "")
    return ImportReport(tuple(lines))


def _check_unsealed_allowed(db: Database, source: str, package: Package) -> None:
    """An unsealed hand-in is read only where the unit turned sealing off, and it says so."""
    with db.read() as session:
        campaign = session.get(Campaign, uuid.UUID(package.manifest.campaign_id))
        sealing = campaign is None or campaign.seal_hand_ins
    if sealing:
        raise _refuse(source, "文件没有加密，不能确认只有办公室看过，请本人重新提交")
    if package.data.get("unsealed_by_unit") is not True:
        raise _refuse(source, "文件没有加密，也没有注明是按本单位的设置不加密的，请本人重新提交")


@office
def import_submission(
    db: Database,
    path: Path,
    *,
    identity: Identity,
    _cache: dict[uuid.UUID, _Checklist | None] | None = None,
) -> ImportLine:
    """Import one hand-in file; a refusal is a line, not an exception.

    The hand-in must be sealed to this office (``identity``) and signed with
    the key pinned for its member (the first hand-in pins it)."""
    member_name = ""
    revision = 0
    cache = {} if _cache is None else _cache
    try:
        package = read_package(path, expected_kind="submission", identity=identity)
        revision = package.manifest.revision
        check(str(path), package.data, SUBMISSION_DATA)
        if not package.sealed:
            _check_unsealed_allowed(db, str(path), package)
        with db.transaction() as session, session.no_autoflush:
            incoming = _Incoming.parse(session, str(path), package, cache)
            member_name = incoming.member_name
            pin = _check_signer(session, incoming)
            # One flush per file: one audit append, and a clash of ids with
            # someone else's rows shows here as a refusal, not a crash.
            try:
                outcome, detail = _apply(session, incoming)
                if pin is not None:  # after the rows: the fast first import needs a clean session
                    pin_member_keys(pin, incoming.package.signer)
                    # First use: said, so the secretary can check it with the member.
                    detail += (
                        f"；首次登记其电脑的密钥，指纹 {incoming.package.signer.fingerprint}，"
                        "请与本人核对"
                    )
                session.flush()
            except IntegrityError:
                raise _refuse(
                    str(path), "记录的编号与本机已有的他人记录冲突，文件可能被改动过"
                ) from None
    except PackageError as exc:
        return ImportLine(path, Outcome.REFUSED, member_name, revision, exc.reason)
    return ImportLine(path, outcome, member_name, revision, detail)


def _check_signer(session: Session, incoming: _Incoming) -> Member | None:
    """The member's first hand-in pins the key it is signed with (returned: the
    member to pin it on); a later one signed with another key is refused until
    the office registers it anew."""
    member = session.get(Member, incoming.member_id)
    assert member is not None
    signer = incoming.package.signer
    pinned = member_keys(member)
    if pinned is None and member.public_keys:
        raise _refuse(
            incoming.source,
            f"本机登记的{member.name}的密钥记录已损坏，不能核对签名；"
            "请在人员名单中为其重新登记密钥后再导入",
        )
    if pinned is None:
        return member
    if pinned.sign != signer.sign:
        raise _refuse(
            incoming.source,
            f"签名密钥（指纹 {signer.fingerprint}）与此前登记的{member.name}的密钥"
            f"（指纹 {pinned.fingerprint}）不同。如确认本人换了电脑或重装了明镜，"
            "请在人员名单中为其重新登记密钥后再导入；否则这份文件可能是别人冒名提交的",
        )
    return None


def _refuse(source: str, reason: str) -> PackageError:
    return PackageError(source, reason)


def _enum(source: str, kind: Any, value: str, where: str) -> Any:
    try:
        return kind(value)
    except ValueError:
        raise _refuse(source, f"数据中 {where} 的取值 {value!r} 本程序不认识") from None


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


@dataclass
class _Incoming:
    """A hand-in whose every reference has been checked against this database."""

    source: str
    package: Package
    sha256: str
    campaign_id: uuid.UUID
    member_id: uuid.UUID
    member_name: str
    checklist: _Checklist

    @classmethod
    def parse(
        cls,
        session: Session,
        source: str,
        package: Package,
        cache: dict[uuid.UUID, _Checklist | None],
    ) -> _Incoming:
        manifest, data = package.manifest, package.data
        try:
            campaign_id = uuid.UUID(manifest.campaign_id)
            member_id = uuid.UUID(manifest.member_id)
        except ValueError:
            raise _refuse(source, "清单中的专项行动或提交人编号无效") from None
        checklist = _checklist(session, campaign_id, cache)
        if checklist is None:
            raise _refuse(
                source, "这份文件属于另一个专项行动（别的单位的或往年的），不是本机正在进行的这一个"
            )
        if data["self_check"]["member_id"] != manifest.member_id:
            raise _refuse(source, "清单与数据中的提交人不一致，文件可能被改动过")
        member_name = checklist.members.get(member_id)
        if member_name is None:
            raise _refuse(source, "提交人不在本单位的人员名单中")
        if (manifest.template_id, manifest.template_version) != (checklist.key, checklist.version):
            raise _refuse(
                source,
                f"使用的自查表（{manifest.template_id} 第 {manifest.template_version} 版）"
                f"与本专项行动的（{checklist.key} 第 {checklist.version} 版）不同",
            )
        incoming = cls(source, package, "", campaign_id, member_id, member_name, checklist)
        incoming._check_values()
        # Of the content, not of the sealed bytes (sealed anew at every hand-in).
        incoming.sha256 = data_sha256(package.data)
        return incoming

    def _check_values(self) -> None:
        data, source = self.package.data, self.source
        for n, answer in enumerate(data["answers"], 1):
            if answer["item"] not in self.checklist.items:
                raise _refuse(source, f"数据中 answers[{n}] 指向自查表中没有的条目")
            if answer["level"] is not None:
                _enum(source, Level, answer["level"], f"answers[{n}].level")
        for n, record in enumerate(data["study_records"], 1):
            _enum(source, StudyForm, record["form"], f"study_records[{n}].form")
        for n, problem in enumerate(data["problems"], 1):
            where = f"problems[{n}]"
            if problem["item"] is not None and problem["item"] not in self.checklist.items:
                raise _refuse(source, f"数据中 {where} 指向自查表中没有的条目")
            if problem["area"] is not None and problem["area"] not in self.checklist.areas:
                raise _refuse(source, f"数据中 {where} 指向自查表中没有的问题方面")
            _enum(source, Severity, problem["severity"], f"{where}.severity")
            _enum(source, Source, problem["source"], f"{where}.source")
            for m, measure in enumerate(problem["measures"], 1):
                _enum(
                    source,
                    DeadlineKind,
                    measure["deadline_kind"],
                    f"{where}.measures[{m}].deadline_kind",
                )


def _apply(session: Session, incoming: _Incoming) -> tuple[Outcome, str]:
    manifest, data = incoming.package.manifest, incoming.package.data
    revision = manifest.revision
    row = session.scalar(
        select(SelfCheck).where(
            SelfCheck.campaign_id == incoming.campaign_id,
            SelfCheck.member_id == incoming.member_id,
        )
    )
    held = row.submission_revision if row is not None and row.submission_sha256 else 0
    if held:
        assert row is not None
        if revision < held:
            raise _refuse(
                incoming.source,
                f"这是第 {revision} 次提交，已导入的是更新的第 {held} 次，旧的不会覆盖新的",
            )
        if revision == held:
            if row.submission_sha256 == incoming.sha256:
                return Outcome.UNCHANGED, f"第 {revision} 次提交已导入过，内容相同"
            raise _refuse(
                incoming.source,
                f"与已导入的第 {revision} 次提交内容不同。"
                "同一次提交不应有两个版本，请向本人核实是哪一份",
            )
    values = {
        "overall_analysis": data["self_check"]["overall_analysis"],
        "personal_matters": data["self_check"].get("personal_matters", ""),
        "submission_revision": revision,
        "submission_sha256": incoming.sha256,
        "submitted_at": manifest.created_at,
        "state": SelfCheckState.SUBMITTED,
    }
    if row is None:
        wanted = uuid.UUID(data["self_check"]["id"])
        taken = session.get(SelfCheck, wanted) is not None
        _insert_new(session, incoming, uuid.uuid4() if taken else wanted, values)
    else:
        _set(row, **values)
        _replace_content(session, incoming, row, new=False)
    count = len(data["problems"])
    if held:
        return Outcome.REPLACED, f"第 {revision} 次提交替换了第 {held} 次，问题 {count} 个"
    return Outcome.IMPORTED, f"第 {revision} 次提交，问题 {count} 个"


def _insert_new(
    session: Session, incoming: _Incoming, check_id: uuid.UUID, values: dict[str, Any]
) -> None:
    """A member's first hand-in: every row is new, so insert them table by table.

    The same rows as adding the objects would give, at a fraction of the cost
    (see :func:`mingjing.storage.audit.insert_rows`). The audit trail gets one
    ``import`` entry holding the file's whole ``data.json`` with its SHA-256,
    revision and name, rather than one ``create`` entry per row: what came
    in is kept verbatim, and the import of 500 hand-ins no longer spends a
    third of its time on the trail. A later revision replaces rows through
    the ORM, so its entries show what changed, row by row.
    """
    data = incoming.package.data
    items, areas = incoming.checklist.items, incoming.checklist.areas
    campaign_id, member_id = incoming.campaign_id, incoming.member_id
    revision = incoming.package.manifest.revision
    check_row = {"id": check_id, "campaign_id": campaign_id, "member_id": member_id, **values}
    answers = [
        {
            "self_check_id": check_id,
            "item_id": items[a["item"]][0],
            "level": Level(a["level"]) if a["level"] is not None else None,
            "example": a["example"],
        }
        for a in data["answers"]
    ]
    records = [
        {
            "id": uuid.UUID(r["id"]),
            "self_check_id": check_id,
            "studied_on": _date(r["studied_on"]),
            "form": StudyForm(r["form"]),
            "topic": r["topic"],
            "hours": float(r["hours"]) if r["hours"] is not None else None,
            "note": r["note"],
        }
        for r in data["study_records"]
    ]
    problems, causes, measures = [], [], []
    for p in data["problems"]:
        pid = uuid.UUID(p["id"])
        item = items.get(p["item"]) if p["item"] else None
        area_id = areas.get(p["area"]) if p["area"] else None
        problems.append(
            {
                "id": pid,
                "campaign_id": campaign_id,
                "owner_member_id": member_id,
                "item_id": item[0] if item is not None else None,
                "area_id": area_id if area_id is not None else (item[1] if item else None),
                "text": p["text"],
                "examples": p["examples"],
                "severity": Severity(p["severity"]),
                "source": Source(p["source"]),
                "sort_order": p["sort_order"],
                "submission_revision": revision,
            }
        )
        causes += [
            {
                "id": uuid.UUID(c["id"]),
                "campaign_id": campaign_id,
                "problem_id": pid,
                "member_id": member_id,
                "category": c["category"],
                "text": c["text"],
                "sort_order": n,
            }
            for n, c in enumerate(p["root_causes"])
        ]
        measures += [
            {
                "id": uuid.UUID(m["id"]),
                "problem_id": pid,
                "ordinal": n,
                "text": m["text"],
                "target": m["target"],
                "deadline_kind": DeadlineKind(m["deadline_kind"]),
                "deadline": _date(m["deadline"]),
            }
            for n, m in enumerate(p["measures"])
        ]
    changes = {
        "file": Path(incoming.source).name,
        "sha256": incoming.sha256,
        "revision": revision,
        "member_id": str(member_id),
        "data": data,
    }
    insert_rows(
        session,
        [
            (SelfCheck, [check_row]),
            (Answer, answers),
            (StudyRecord, records),
            (Problem, problems),
            (RootCause, causes),
            (Measure, measures),
        ],
        entry=("import", "self_check", str(check_id), changes),
    )


def _replace_content(session: Session, incoming: _Incoming, row: SelfCheck, *, new: bool) -> None:
    data = incoming.package.data
    items, areas = incoming.checklist.items, incoming.checklist.areas
    # Answers, keyed by checklist item.
    answers = {a.item_id: a for a in row.answers}
    given = set()
    for a in data["answers"]:
        item_id = items[a["item"]][0]
        given.add(item_id)
        level = Level(a["level"]) if a["level"] is not None else None
        answer = answers.get(item_id)
        if answer is None:
            row.answers.append(Answer(item_id=item_id, level=level, example=a["example"]))
        else:
            if answer.level != level:
                answer.level = level
            if answer.example != a["example"]:
                answer.example = a["example"]
    for item_id, answer in answers.items():
        if item_id not in given and (answer.level is not None or answer.example):
            answer.level = None
            answer.example = ""

    # Study records, by id.
    records = {r.id: r for r in row.study_records}
    kept: set[uuid.UUID] = set()
    for r in data["study_records"]:
        rid = uuid.UUID(r["id"])
        kept.add(rid)
        values = {
            "studied_on": _date(r["studied_on"]),
            "form": StudyForm(r["form"]),
            "topic": r["topic"],
            "hours": float(r["hours"]) if r["hours"] is not None else None,
            "note": r["note"],
        }
        record = records.get(rid)
        if record is None:
            row.study_records.append(StudyRecord(id=rid, **values))
        else:
            _set(record, deleted_at=None, **values)
    for rid, record in records.items():
        if rid not in kept and record.deleted_at is None:
            record.soft_delete()

    # Problems that came in hand-ins, with their causes and measures, by id.
    mine: dict[uuid.UUID, Problem] = {}
    if not new:
        mine = {
            p.id: p
            for p in session.scalars(
                select(Problem)
                .where(
                    Problem.campaign_id == incoming.campaign_id,
                    Problem.owner_member_id == incoming.member_id,
                )
                .options(selectinload(Problem.root_causes), selectinload(Problem.measures))
            ).all()
        }
    incoming_problems = data["problems"]
    problem_ids = [uuid.UUID(p["id"]) for p in incoming_problems]

    revision = incoming.package.manifest.revision
    for p in incoming_problems:
        pid = uuid.UUID(p["id"])
        item = items.get(p["item"]) if p["item"] else None
        area_id = areas.get(p["area"]) if p["area"] else None
        values = {
            "item_id": item[0] if item is not None else None,
            "area_id": area_id if area_id is not None else (item[1] if item else None),
            "text": p["text"],
            "examples": p["examples"],
            "severity": Severity(p["severity"]),
            "source": Source(p["source"]),
            "sort_order": p["sort_order"],
            "submission_revision": revision,
        }
        problem = mine.get(pid)
        if problem is None:
            problem = Problem(
                id=pid,
                campaign_id=incoming.campaign_id,
                owner_member_id=incoming.member_id,
                root_causes=[],
                measures=[],
                **values,
            )
            session.add(problem)
        else:
            _set(problem, deleted_at=None, **values)
        _replace_children(
            problem,
            "root_causes",
            p["root_causes"],
            lambda c, n: {
                "campaign_id": incoming.campaign_id,
                "member_id": incoming.member_id,
                "category": c["category"],
                "text": c["text"],
                "sort_order": n,
            },
            RootCause,
        )
        _replace_children(
            problem,
            "measures",
            p["measures"],
            lambda m, n: {
                "ordinal": n,
                "text": m["text"],
                "target": m["target"],
                "deadline_kind": DeadlineKind(m["deadline_kind"]),
                "deadline": _date(m["deadline"]),
            },
            Measure,
        )
    gone = set(problem_ids)
    for pid, problem in mine.items():
        if (
            pid not in gone
            and problem.submission_revision is not None
            and problem.deleted_at is None
        ):
            problem.soft_delete()


def _set(row: Any, **values: Any) -> None:
    for key, value in values.items():
        if getattr(row, key) != value:
            setattr(row, key, value)


def _replace_children(
    parent: Problem,
    attribute: str,
    given: list[dict[str, Any]],
    values_of: Callable[[dict[str, Any], int], dict[str, Any]],
    model: Any,
) -> None:
    children: list[Any] = getattr(parent, attribute)
    existing = {c.id: c for c in children}
    kept: set[uuid.UUID] = set()
    for n, entry in enumerate(given):
        cid = uuid.UUID(entry["id"])
        kept.add(cid)
        values = values_of(entry, n)
        child = existing.get(cid)
        if child is None:
            children.append(model(id=cid, **values))
        else:
            _set(child, deleted_at=None, **values)
    for cid, child in existing.items():
        if cid not in kept and child.deleted_at is None:
            child.soft_delete()
