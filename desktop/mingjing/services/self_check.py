"""个人自查: a member's checklist, problems and hand-in, as plain data.

The staff page reads a :class:`SelfCheckView` and writes back one small
change at a time (an answer's level, its example, a raised problem), each in
its own transaction, so autosave loses at most the change being typed.
Editing a self-check that was handed in or accepted drops it back to
填写中 (the page asks the user first); the office sees the new revision
when it is handed in again.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from mingjing import __version__
from mingjing.config import DataLocation
from mingjing.domain.base import utcnow
from mingjing.domain.enums import (
    DeadlineKind,
    Level,
    SelfCheckState,
    Severity,
    Source,
    StudyForm,
)
from mingjing.domain.errors import DomainError
from mingjing.domain.models import (
    Answer,
    Campaign,
    Item,
    Measure,
    Member,
    Problem,
    RootCause,
    SelfCheck,
    StudyRecord,
)
from mingjing.domain.quality import (
    AnswerText,
    Hint,
    ProblemText,
    checklist_hints,
    statement_hints,
    text_share,
)
from mingjing.domain.states import SelfCheckEvent, self_check_step
from mingjing.exchange.package import SUFFIXES, data_sha256, write_package
from mingjing.exchange.signing import PublicKeys
from mingjing.services.campaigns import write_file_atomically
from mingjing.services.identity import load_identity
from mingjing.services.profile import load_profile
from mingjing.services.roles import check_own
from mingjing.storage import Database
from mingjing.storage.errors import InputRefused


@dataclass(frozen=True)
class ItemView:
    key: str
    number: str
    """As printed: 1.2 is the second manifestation of the first area."""
    text: str
    level: str | None
    example: str
    problem_id: str | None


@dataclass(frozen=True)
class AreaView:
    key: str
    title: str
    items: tuple[ItemView, ...]

    @property
    def answered(self) -> int:
        return sum(1 for i in self.items if i.level is not None)


@dataclass(frozen=True)
class CauseView:
    id: str
    category: str
    """Key of a root-cause category in the template's vocabulary."""
    text: str


@dataclass(frozen=True)
class MeasureView:
    id: str
    text: str
    target: str
    deadline_kind: str
    deadline: dt.date | None


@dataclass(frozen=True)
class StudyView:
    id: str
    studied_on: dt.date | None
    form: str
    """Code of the study form (group, self, seminar, central_group)."""
    topic: str
    hours: float | None
    note: str


@dataclass(frozen=True)
class ProblemView:
    id: str
    text: str
    examples: str
    source: str
    """Label of the channel (自己找…)."""
    severity: str
    item_key: str | None
    causes: tuple[CauseView, ...]
    measures: tuple[MeasureView, ...]
    source_code: str = "self"
    severity_code: str = "general"
    area_key: str | None = None


@dataclass(frozen=True)
class SelfCheckView:
    id: str
    campaign_title: str
    member_name: str
    member_position: str
    state: SelfCheckState
    review_comment: str
    submission_revision: int
    areas: tuple[AreaView, ...]
    problems: tuple[ProblemView, ...]
    overall_analysis: str
    levels: tuple[tuple[str, str], ...]
    """(code, label) of 对号入座 levels, in order."""
    sources: tuple[tuple[str, str], ...] = ()
    severities: tuple[tuple[str, str], ...] = ()
    cause_categories: tuple[tuple[str, str], ...] = ()
    """(key, label) of the campaign template's root-cause categories."""
    study: tuple[StudyView, ...] = ()
    text_length: int = 0
    """Characters in the statement so far (punctuation not counted)."""
    examined_share: int = 0
    """Percent of them in 查摆问题 and 原因剖析."""
    study_forms: tuple[tuple[str, str], ...] = ()
    hints: tuple[Hint, ...] = field(default=())
    personal_matters: str = ""
    is_leader: bool = False
    """A 班子成员: the statement goes to the 专题民主生活会 and has 个人有关事项."""
    submitted_at: dt.datetime | None = None

    @property
    def answered(self) -> int:
        return sum(a.answered for a in self.areas)

    @property
    def total(self) -> int:
        return sum(len(a.items) for a in self.areas)

    def next_unanswered(self, after: str | None = None) -> str | None:
        """The key of the next item without a level, wrapping around."""
        keys = [i.key for a in self.areas for i in a.items]
        open_keys = {i.key for a in self.areas for i in a.items if i.level is None}
        if not open_keys:
            return None
        start = keys.index(after) + 1 if after in keys else 0
        for key in keys[start:] + keys[:start]:
            if key in open_keys:
                return key
        return None


class NotJoined(DomainError):
    pass


def _self_check(session: Session, campaign_id: uuid.UUID, member_id: uuid.UUID) -> SelfCheck:
    check_own(session.info, member_id)
    check = session.scalar(
        select(SelfCheck).where(
            SelfCheck.campaign_id == campaign_id, SelfCheck.member_id == member_id
        )
    )
    if check is None:
        check = SelfCheck(campaign_id=campaign_id, member_id=member_id)
        session.add(check)
        session.flush()
    return check


def _get_check(session: Session, self_check_id: str) -> SelfCheck:
    check = session.get(SelfCheck, uuid.UUID(self_check_id))
    if check is None:
        raise DomainError("找不到这份自查表，可能已被删除。")
    check_own(session.info, check.member_id)
    return check


def _problem_count(session: Session, check: SelfCheck) -> int:
    """How many problems the member has (deleted ones too: sort order only grows)."""
    return len(
        session.scalars(
            select(Problem.id).where(
                Problem.campaign_id == check.campaign_id,
                Problem.owner_member_id == check.member_id,
            )
        ).all()
    )


def _view(session: Session, check: SelfCheck) -> SelfCheckView:
    campaign = session.get(Campaign, check.campaign_id)
    member = session.get(Member, check.member_id)
    assert campaign is not None and member is not None
    answers = {a.item_id: a for a in check.answers}
    problems = session.scalars(
        select(Problem)
        .where(
            Problem.campaign_id == campaign.id,
            Problem.owner_member_id == member.id,
            Problem.deleted_at.is_(None),
        )
        .order_by(Problem.sort_order, Problem.created_at)
    ).all()
    raised = {p.item_id: str(p.id) for p in problems if p.item_id is not None}
    areas = []
    for area in campaign.template.areas:
        items = []
        for item in area.items:
            answer = answers.get(item.id)
            items.append(
                ItemView(
                    key=item.key,
                    number=f"{area.ordinal}.{item.ordinal}",
                    text=item.text,
                    level=answer.level.value if answer and answer.level else None,
                    example=answer.example if answer else "",
                    problem_id=raised.get(item.id),
                )
            )
        areas.append(AreaView(area.key, area.title, tuple(items)))
    item_text = {i.id: i.text for a in campaign.template.areas for i in a.items}
    problem_views = tuple(
        ProblemView(
            id=str(p.id),
            text=p.text,
            examples=p.examples,
            source=p.source.label,
            severity=p.severity.label,
            source_code=p.source.value,
            severity_code=p.severity.value,
            area_key=p.area.key if p.area else None,
            item_key=p.item.key if p.item else None,
            causes=tuple(
                CauseView(str(c.id), c.category, c.text)
                for c in sorted(p.root_causes, key=lambda c: (c.sort_order, c.created_at))
                if c.deleted_at is None
            ),
            measures=tuple(
                MeasureView(str(m.id), m.text, m.target, m.deadline_kind.value, m.deadline)
                for m in p.measures
                if m.deleted_at is None
            ),
        )
        for p in problems
    )
    problem_texts = [
        ProblemText(
            text=p.text,
            example=p.examples,
            checklist_text=item_text.get(p.item_id, "") if p.item_id else "",
            causes=tuple(c.text for c in p.root_causes if c.deleted_at is None),
            measures=tuple(m.text for m in p.measures if m.deleted_at is None),
        )
        for p in problems
    ]
    study_text = "".join(r.topic + r.note for r in check.study_records if r.deleted_at is None)
    total, share = text_share(problem_texts, study=study_text, analysis=check.overall_analysis)
    answer_texts = [
        AnswerText(i.number, i.level, i.example, i.problem_id is not None)
        for a in areas
        for i in a.items
    ]
    hints = checklist_hints(answer_texts) + statement_hints(
        problem_texts,
        study=study_text,
        analysis=check.overall_analysis,
        personal_matters=check.personal_matters if member.is_leader else None,
    )
    return SelfCheckView(
        id=str(check.id),
        campaign_title=campaign.title,
        member_name=member.name,
        member_position=member.position,
        state=check.state,
        review_comment=check.review_comment,
        submission_revision=check.submission_revision,
        areas=tuple(areas),
        problems=problem_views,
        overall_analysis=check.overall_analysis,
        personal_matters=check.personal_matters,
        is_leader=member.is_leader,
        submitted_at=check.submitted_at,
        levels=tuple((lv.value, lv.label) for lv in Level),
        sources=tuple((src.value, src.label) for src in Source),
        severities=tuple((sv.value, sv.label) for sv in Severity),
        cause_categories=tuple(
            (str(c["key"]), str(c["label"]))
            for c in campaign.template.vocabulary.get("root_cause_categories", [])
        ),
        hints=tuple(hints),
        text_length=total,
        examined_share=share,
        study=tuple(
            StudyView(str(r.id), r.studied_on, r.form.value, r.topic, r.hours, r.note)
            for r in sorted(
                (r for r in check.study_records if r.deleted_at is None),
                key=lambda r: (r.studied_on or dt.date.max, r.created_at),
            )
        ),
        study_forms=tuple((f.value, f.label) for f in StudyForm),
    )


def load_self_check(db: Database, campaign_id: str, member_id: str) -> SelfCheckView:
    """The member's self-check for the campaign, created (empty) on first use."""
    with db.transaction() as session:
        check = _self_check(session, uuid.UUID(campaign_id), uuid.UUID(member_id))
        return _view(session, check)


def find_self_check(db: Database, campaign_id: str, member_id: str) -> SelfCheckView | None:
    """The member's self-check as it stands, or None if there is none (nothing is created)."""
    with db.read() as session:
        check = session.scalar(
            select(SelfCheck).where(
                SelfCheck.campaign_id == uuid.UUID(campaign_id),
                SelfCheck.member_id == uuid.UUID(member_id),
            )
        )
        return _view(session, check) if check is not None else None


def read_self_check(db: Database, self_check_id: str) -> SelfCheckView:
    """A self-check by id, as it stands (the office reads a member's hand-in)."""
    with db.read() as session:
        return _view(session, _get_check(session, self_check_id))


def load_own_self_check(db: Database, location: DataLocation) -> SelfCheckView:
    profile = load_profile(location.data_dir)
    if not profile.joined or not profile.campaign_id:
        raise NotJoined(
            "本机还没有加入专项行动。请打开办公室发来的专项行动文件（.mjcampaign），"
            "在名单中选择自己。"
        )
    return load_self_check(db, profile.campaign_id, profile.member_id)


_UNSET: Any = object()


def _as(kind: Callable[[Any], Any], value: Any) -> Any:
    """``kind(value)``, but a field left out stays left out."""
    return value if value is _UNSET else kind(value)


def _apply(row: object, **changes: Any) -> None:
    """Set the fields a caller passed; ``_UNSET`` means "leave it as it is"."""
    for name, value in changes.items():
        if value is not _UNSET:
            setattr(row, name, value)


_SEVERITY_OF_LEVEL = {Level.NOTABLE: Severity.NOTABLE, Level.SERIOUS: Severity.SERIOUS}
"""较明显 → 较重, 突出 → 严重 when an answer is raised as a problem; the member may change it."""


def set_answer(
    db: Database,
    self_check_id: str,
    item_key: str,
    *,
    level: str | None = _UNSET,
    example: str = _UNSET,
) -> SelfCheckState:
    """Store one answer's level and/or example; returns the self-check's state after.

    A handed-in or accepted self-check that changes drops back to 填写中.
    """
    with db.transaction() as session:
        check = _get_check(session, self_check_id)
        item = _item(session, check, item_key)
        answer = next((a for a in check.answers if a.item_id == item.id), None)
        if answer is None:
            answer = Answer(item_id=item.id)
            check.answers.append(answer)
        changed = False
        if level is not _UNSET:
            new_level = Level(level) if level is not None else None
            if answer.level != new_level:
                answer.level = new_level
                changed = True
        if example is not _UNSET and answer.example != example:
            answer.example = example
            changed = True
        if changed and check.state is not SelfCheckState.DRAFT:
            check.state = self_check_step(check.state, SelfCheckEvent.EDIT)
        return check.state


def _item(session: Session, check: SelfCheck, item_key: str) -> Item:
    campaign = session.get(Campaign, check.campaign_id)
    assert campaign is not None
    for area in campaign.template.areas:
        for item in area.items:
            if item.key == item_key:
                return item
    raise DomainError(f"自查表中没有“{item_key}”这一项。")


def raise_problem(db: Database, self_check_id: str, item_key: str) -> str:
    """列为问题: a problem (source 自己找) from an answer; returns its id (existing if raised)."""
    with db.transaction() as session:
        check = _get_check(session, self_check_id)
        item = _item(session, check, item_key)
        existing = session.scalar(
            select(Problem).where(
                Problem.campaign_id == check.campaign_id,
                Problem.owner_member_id == check.member_id,
                Problem.item_id == item.id,
                Problem.deleted_at.is_(None),
            )
        )
        if existing is not None:
            return str(existing.id)
        answer = next((a for a in check.answers if a.item_id == item.id), None)
        count = _problem_count(session, check)
        problem = Problem(
            campaign_id=check.campaign_id,
            owner_member_id=check.member_id,
            area_id=item.area_id,
            item_id=item.id,
            text=item.text,
            examples=answer.example if answer else "",
            source=Source.SELF,
            severity=_SEVERITY_OF_LEVEL.get(answer.level, Severity.GENERAL)
            if answer is not None and answer.level is not None
            else Severity.GENERAL,
            sort_order=count,
        )
        session.add(problem)
        if check.state is not SelfCheckState.DRAFT:
            check.state = self_check_step(check.state, SelfCheckEvent.EDIT)
        session.flush()
        return str(problem.id)


# ------------------------------------------------------------------ problems


def _own_problem(session: Session, problem_id: str) -> tuple[Problem, SelfCheck]:
    """The problem and the self-check it belongs to; editing drops a handed-in one to draft."""
    problem = session.get(Problem, uuid.UUID(problem_id))
    if problem is None or problem.deleted_at is not None or problem.owner_member_id is None:
        raise DomainError("找不到这个问题，可能已被删除。")
    check = _self_check(session, problem.campaign_id, problem.owner_member_id)
    _edited(check)
    return problem, check


def _edited(check: SelfCheck) -> None:
    session = object_session(check)
    if session is not None:
        check_own(session.info, check.member_id)
    if check.state is not SelfCheckState.DRAFT:
        check.state = self_check_step(check.state, SelfCheckEvent.EDIT)


def add_problem(db: Database, self_check_id: str, text: str, source: str = "self") -> str:
    """A problem not raised from a checklist item (群众提, 上级点…, or found by oneself).

    The text may start empty: the form asks for it next.
    """
    with db.transaction() as session:
        check = _get_check(session, self_check_id)
        _edited(check)
        count = _problem_count(session, check)
        problem = Problem(
            campaign_id=check.campaign_id,
            owner_member_id=check.member_id,
            text=text.strip(),
            source=Source(source),
            sort_order=count,
        )
        session.add(problem)
        session.flush()
        return str(problem.id)


def update_problem(
    db: Database,
    problem_id: str,
    *,
    text: str = _UNSET,
    examples: str = _UNSET,
    severity: str = _UNSET,
    source: str = _UNSET,
    area: str | None = _UNSET,
) -> None:
    """``area`` is a 问题方面 key of the campaign's checklist (None: not classified)."""
    with db.transaction() as session:
        problem, _ = _own_problem(session, problem_id)
        if area is not _UNSET:
            if area is None:
                problem.area_id = None
            else:
                campaign = session.get(Campaign, problem.campaign_id)
                assert campaign is not None
                match = next((a for a in campaign.template.areas if a.key == area), None)
                if match is None:
                    raise DomainError(f"自查表中没有“{area}”这个方面。")
                problem.area_id = match.id
        if text is not _UNSET and not text.strip():
            # Blank only as it was when just added (what undoing its first words
            # returns to); a problem with examples, causes or measures needs its text.
            in_use = (
                problem.examples.strip()
                or any(c.deleted_at is None for c in problem.root_causes)
                or any(m.deleted_at is None for m in problem.measures)
            )
            if in_use:
                raise DomainError("问题不能为空。")
        _apply(
            problem,
            text=text,
            examples=examples,
            severity=_as(Severity, severity),
            source=_as(Source, source),
        )


def delete_problem(db: Database, problem_id: str) -> None:
    """Soft delete: the row stays (and can be restored); the list no longer shows it."""
    with db.transaction() as session:
        problem, _ = _own_problem(session, problem_id)
        problem.soft_delete()


def restore_problem(db: Database, problem_id: str) -> None:
    """Undo of 删除 (or redo of 新增 / 列为问题): the problem comes back as it was,
    with its causes and measures, in its place."""
    with db.transaction() as session:
        problem = session.get(Problem, uuid.UUID(problem_id))
        if problem is None or problem.owner_member_id is None:
            raise DomainError("找不到这个问题，无法恢复。")
        if problem.deleted_at is None:
            return
        if problem.item_id is not None and session.scalar(
            select(Problem.id).where(
                Problem.campaign_id == problem.campaign_id,
                Problem.owner_member_id == problem.owner_member_id,
                Problem.item_id == problem.item_id,
                Problem.deleted_at.is_(None),
            )
        ):
            raise DomainError("这一项已重新列为问题，原来的问题不再恢复。")
        problem.restore()
        _edited(_self_check(session, problem.campaign_id, problem.owner_member_id))


def move_problem(db: Database, problem_id: str, new_index: int) -> None:
    """Reorder the member's problems (drag and drop): ``problem_id`` goes to ``new_index``."""
    with db.transaction() as session:
        problem, check = _own_problem(session, problem_id)
        ordered = list(
            session.scalars(
                select(Problem)
                .where(
                    Problem.campaign_id == check.campaign_id,
                    Problem.owner_member_id == check.member_id,
                    Problem.deleted_at.is_(None),
                )
                .order_by(Problem.sort_order, Problem.created_at)
            )
        )
        ordered.remove(problem)
        ordered.insert(max(0, min(new_index, len(ordered))), problem)
        for index, row in enumerate(ordered):
            if row.sort_order != index:
                row.sort_order = index


def add_root_cause(db: Database, problem_id: str, category: str, text: str) -> str:
    with db.transaction() as session:
        problem, check = _own_problem(session, problem_id)
        cause = RootCause(
            campaign_id=problem.campaign_id,
            problem_id=problem.id,
            member_id=check.member_id,
            category=category,
            text=text,
            sort_order=len(problem.root_causes),
        )
        session.add(cause)
        session.flush()
        return str(cause.id)


def update_root_cause(
    db: Database, cause_id: str, *, category: str = _UNSET, text: str = _UNSET
) -> None:
    with db.transaction() as session:
        _apply(_cause(session, cause_id), category=category, text=text)


def _cause(session: Session, cause_id: str) -> RootCause:
    cause = session.get(RootCause, uuid.UUID(cause_id))
    if cause is None or cause.problem_id is None:
        raise DomainError("找不到这条原因剖析，可能已被删除。")
    _own_problem(session, str(cause.problem_id))
    return cause


def delete_root_cause(db: Database, cause_id: str) -> None:
    """Soft delete, so 撤销 can bring it back with :func:`restore_root_cause`."""
    with db.transaction() as session:
        _cause(session, cause_id).soft_delete()


def restore_root_cause(db: Database, cause_id: str) -> None:
    with db.transaction() as session:
        _cause(session, cause_id).restore()


def add_measure(
    db: Database,
    problem_id: str,
    text: str,
    *,
    target: str = "",
    deadline_kind: str = "by_date",
    deadline: dt.date | None = None,
) -> str:
    with db.transaction() as session:
        problem, _ = _own_problem(session, problem_id)
        measure = Measure(
            text=text,
            target=target,
            deadline_kind=DeadlineKind(deadline_kind),
            deadline=deadline,
            ordinal=len(problem.measures) + 1,
        )
        problem.measures.append(measure)
        session.flush()
        return str(measure.id)


def update_measure(
    db: Database,
    measure_id: str,
    *,
    text: str = _UNSET,
    target: str = _UNSET,
    deadline_kind: str = _UNSET,
    deadline: dt.date | None = _UNSET,
) -> None:
    with db.transaction() as session:
        _apply(
            _measure(session, measure_id),
            text=text,
            target=target,
            deadline_kind=_as(DeadlineKind, deadline_kind),
            deadline=deadline,
        )


def _measure(session: Session, measure_id: str) -> Measure:
    measure = session.get(Measure, uuid.UUID(measure_id))
    if measure is None:
        raise DomainError("找不到这条整改措施，可能已被删除。")
    _own_problem(session, str(measure.problem_id))
    return measure


def delete_measure(db: Database, measure_id: str) -> None:
    """Soft delete, so 撤销 can bring it back with :func:`restore_measure`."""
    with db.transaction() as session:
        _measure(session, measure_id).soft_delete()


def restore_measure(db: Database, measure_id: str) -> None:
    with db.transaction() as session:
        _measure(session, measure_id).restore()


def set_overall_analysis(db: Database, self_check_id: str, text: str) -> None:
    """原因剖析 in the member's own words, beyond the causes of single problems."""
    _set_check_text(db, self_check_id, "overall_analysis", text)


def set_personal_matters(db: Database, self_check_id: str, text: str) -> None:
    """需要说明的个人有关事项 (or “无”), printed in a leader's statement."""
    _set_check_text(db, self_check_id, "personal_matters", text)


def _set_check_text(db: Database, self_check_id: str, field: str, text: str) -> None:
    """One of the self-check's whole texts; an edit only if it changed."""
    with db.transaction() as session:
        check = _get_check(session, self_check_id)
        if getattr(check, field) != text:
            setattr(check, field, text)
            _edited(check)


def add_study_record(
    db: Database,
    self_check_id: str,
    *,
    topic: str,
    form: str = "self",
    studied_on: dt.date | None = None,
    hours: float | None = None,
    note: str = "",
) -> str:
    """学习情况: what was studied, when and how; it opens the statement."""
    with db.transaction() as session:
        check = _get_check(session, self_check_id)
        _edited(check)
        record = StudyRecord(
            topic=topic, form=StudyForm(form), studied_on=studied_on, hours=hours, note=note
        )
        check.study_records.append(record)
        session.flush()
        return str(record.id)


def update_study_record(
    db: Database,
    record_id: str,
    *,
    topic: str = _UNSET,
    form: str = _UNSET,
    studied_on: dt.date | None = _UNSET,
    hours: float | None = _UNSET,
    note: str = _UNSET,
) -> None:
    with db.transaction() as session:
        record = session.get(StudyRecord, uuid.UUID(record_id))
        if record is None or record.deleted_at is not None:
            raise DomainError("找不到这条学习记录，可能已被删除。")
        _edited(record.self_check)
        _apply(
            record,
            topic=topic,
            form=_as(StudyForm, form),
            studied_on=studied_on,
            hours=hours,
            note=note,
        )


def delete_study_record(db: Database, record_id: str) -> None:
    with db.transaction() as session:
        record = session.get(StudyRecord, uuid.UUID(record_id))
        if record is None:
            raise DomainError("找不到这条学习记录，可能已被删除。")
        _edited(record.self_check)
        record.soft_delete()


def restore_study_record(db: Database, record_id: str) -> None:
    """Undo of 删除 (or redo of 新增) for a study record."""
    with db.transaction() as session:
        record = session.get(StudyRecord, uuid.UUID(record_id))
        if record is None:
            raise DomainError("找不到这条学习记录，无法恢复。")
        _edited(record.self_check)
        record.restore()


def submission_data(session: Session, check: SelfCheck) -> dict[str, Any]:
    """What a hand-in carries: answers by item key, problems with causes and measures."""
    items = {i.id: i.key for a in check.answers for i in [a.item]}
    problems = session.scalars(
        select(Problem)
        .where(
            Problem.campaign_id == check.campaign_id,
            Problem.owner_member_id == check.member_id,
            Problem.deleted_at.is_(None),
        )
        .order_by(Problem.sort_order)
    ).all()
    return {
        "self_check": {
            "id": str(check.id),
            "member_id": str(check.member_id),
            "overall_analysis": check.overall_analysis,
            "personal_matters": check.personal_matters,
        },
        "answers": [
            {
                "item": items[a.item_id],
                "level": a.level.value if a.level else None,
                "example": a.example,
            }
            for a in check.answers
        ],
        "study_records": [
            {
                "id": str(r.id),
                "studied_on": r.studied_on.isoformat() if r.studied_on else None,
                "form": r.form.value,
                "topic": r.topic,
                "hours": r.hours,
                "note": r.note,
            }
            for r in check.study_records
            if r.deleted_at is None
        ],
        "problems": [
            {
                "id": str(p.id),
                "item": p.item.key if p.item else None,
                "area": p.area.key if p.area else None,
                "text": p.text,
                "examples": p.examples,
                "severity": p.severity.value,
                "source": p.source.value,
                "sort_order": p.sort_order,
                "root_causes": [
                    {"id": str(c.id), "category": c.category, "text": c.text}
                    for c in p.root_causes
                    if c.deleted_at is None
                ],
                "measures": [
                    {
                        "id": str(m.id),
                        "text": m.text,
                        "target": m.target,
                        "deadline_kind": m.deadline_kind.value,
                        "deadline": m.deadline.isoformat() if m.deadline else None,
                    }
                    for m in p.measures
                    if m.deleted_at is None
                ],
            }
            for p in problems
        ],
    }


def hand_in(db: Database, location: DataLocation, out: Path) -> Path:
    """提交: mark the self-check handed in and write the submission package.

    Each hand-in with changes gets the next revision, so the office keeps the
    newest; handing in again without changes writes the same revision (the
    office sees it as unchanged). ``out`` may be a folder; the file is then
    named after the member.
    """
    profile = load_profile(location.data_dir)
    if not profile.joined:
        raise NotJoined(
            "本机还没有选择使用人，请先用专项行动文件加入，并在名单中选择自己。"
            if profile.unit_id
            else "本机还没有加入专项行动，无法提交。"
        )
    if not profile.office_sign_key:
        raise NotJoined(
            "本机还不知道办公室的密钥，提交文件无法加密。"
            "请重新打开办公室发来的专项行动文件（本机的自查内容不受影响）。"
        )
    office = PublicKeys(profile.office_sign_key, profile.office_seal_key)
    identity = load_identity(location.data_dir)
    with db.transaction() as session:
        check = _self_check(session, uuid.UUID(profile.campaign_id), uuid.UUID(profile.member_id))
        data = submission_data(session, check)
        sealing = session.get(Campaign, check.campaign_id)
        if sealing is not None and not sealing.seal_hand_ins:
            # The unit turned sealing off: the file says so, and the office reads it.
            data = {**data, "unsealed_by_unit": True}
        digest = data_sha256(data)
        # Handed in and not changed since: the same revision again (a lost file is
        # made anew; the office sees 未变), not a new one that would need a review.
        unchanged = (
            check.state in (SelfCheckState.SUBMITTED, SelfCheckState.ACCEPTED)
            and check.submission_revision > 0
            and check.submission_sha256 == digest
        )
        if not unchanged:
            if check.state is SelfCheckState.RETURNED:
                check.state = self_check_step(check.state, SelfCheckEvent.REOPEN)
            check.state = self_check_step(check.state, SelfCheckEvent.SUBMIT)
            check.submission_revision += 1
            check.submitted_at = utcnow()
            check.submission_sha256 = digest
        campaign = session.get(Campaign, check.campaign_id)
        member = session.get(Member, check.member_id)
        assert campaign is not None and member is not None
        blob = write_package(
            kind="submission",
            campaign_id=str(campaign.id),
            member_id=str(member.id),
            revision=check.submission_revision,
            app_version=__version__,
            template_id=campaign.template.key,
            template_version=campaign.template.version,
            data=data,
            identity=identity,
            signer_name=member.name,
            # Only the office's computer can open it (unless the unit said otherwise).
            seal_to=office if campaign.seal_hand_ins else None,
            created_at=dt.datetime.now(dt.UTC),
        )
        name = f"{member.name}-自查材料-第{check.submission_revision}次{SUFFIXES['submission']}"
        # A path without a file ending is a folder (created if missing, e.g. on a U 盘).
        folder = out.is_dir() or not out.suffix
        target = out / name if folder else out
        if target.exists():
            if unchanged and folder:
                return target  # that very hand-in is already there
            raise InputRefused(f"{target} 已经存在。请换一个位置或文件名，以免覆盖以前的提交。")
        # Written inside the transaction: if the file cannot be written, the
        # state and revision roll back and the member can try again.
        return write_file_atomically(target, blob)
