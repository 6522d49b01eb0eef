from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, inspect, select

from mingjing.domain.enums import RectificationState, SelfCheckState, Source
from mingjing.domain.models import (
    Assignment,
    Consultation,
    Criticism,
    Escalation,
    Meeting,
    Member,
    Opinion,
    Problem,
    Rectification,
    SelfCheck,
)
from mingjing.fonts import FontRegistry
from mingjing.services.demo import create_demo
from mingjing.services.maintenance import check_database
from mingjing.services.summary import summarize
from mingjing.storage import Database
from mingjing.storage.errors import InputRefused

TODAY = dt.date(2025, 11, 20)


@pytest.fixture
def demo(db: Database) -> Database:
    create_demo(db, today=TODAY)
    return db


def test_small_demo_has_every_state(demo: Database) -> None:
    with demo.read() as s:
        members = s.scalars(select(Member)).all()
        assert 10 <= len(members) <= 14
        assert sum(m.is_leader for m in members) == 5
        assert sum(m.is_party_secretary for m in members) == 1
        states = {c.state for c in s.scalars(select(SelfCheck))}
        assert states == set(SelfCheckState)
        assert s.scalar(select(func.count()).select_from(SelfCheck)) == len(members) - 1
        sources = {p.source for p in s.scalars(select(Problem))}
        assert sources == set(Source)
        rows = s.scalars(select(Rectification)).all()
        assert {r.state for r in rows} == set(RectificationState)
        assert any(r.is_overdue(TODAY) for r in rows)
        signed = [r for r in rows if r.state is RectificationState.SIGNED_OFF]
        assert signed and all(r.signed_off_by_id and r.institutional_outcome for r in signed)
        for model in (Consultation, Assignment, Escalation, Meeting, Criticism):
            assert s.scalar(select(func.count()).select_from(model)), model.__name__
        opinions = s.scalars(select(Opinion)).all()
        assert any(o.merged_into_id for o in opinions)
        assert any(o.problem_id for o in opinions)
    assert check_database(demo).ok


def test_demo_text_is_real_content_not_placeholders(demo: Database) -> None:
    with demo.read() as s:
        examples = [p.examples for p in s.scalars(select(Problem)) if p.examples]
    assert len(examples) > 20
    for text in examples:
        assert len(text) >= 20
        assert "XX" not in text and "某某" not in text and "TODO" not in text


def test_demo_names_render_without_boxes(demo: Database) -> None:
    with demo.read() as s:
        names = "".join(s.scalars(select(Member.name)))
    assert FontRegistry.discover().missing_chars(names) == []


def test_opinions_have_no_author_column() -> None:
    columns = {c.key for c in inspect(Opinion).columns}
    assert not columns & {"author", "author_id", "giver", "created_by", "name", "phone"}


def test_summary_counts_the_demo(demo: Database) -> None:
    summary = summarize(demo, today=TODAY)
    assert summary.campaign is not None
    assert summary.members == 12
    assert sum(summary.self_checks.values()) == 12
    assert summary.self_checks["未开始"] == 1
    assert summary.problems == sum(summary.problems_by_source.values())
    assert summary.problems == sum(summary.problems_by_area.values())
    assert summary.rectifications == sum(summary.rectifications_by_state.values())
    assert summary.overdue > 0
    assert summary.opinions > summary.opinions_after_merge > 0
    assert summary.meetings["专题民主生活会"] == 1


def test_demo_refuses_a_database_with_data_unless_forced(demo: Database) -> None:
    with pytest.raises(InputRefused, match="--force"):
        create_demo(demo, today=TODAY)
    with demo.read() as s:
        before = s.scalar(select(func.count()).select_from(Member))
    create_demo(demo, today=TODAY, force=True)
    with demo.read() as s:
        assert s.scalar(select(func.count()).select_from(Member)) == 2 * (before or 0)
    assert check_database(demo).ok


def test_demo_years_follow_the_campaign_year(db: Database) -> None:
    create_demo(db, today=dt.date(2027, 10, 8))
    summary = summarize(db, today=dt.date(2027, 10, 8))
    assert summary.campaign is not None
    assert summary.campaign.start_date == dt.date(2027, 9, 1)
    assert "〔2027〕" in summary.campaign.doc_number
    assert summary.campaign.phase == "查摆剖析"


@pytest.mark.slow
def test_large_demo_for_benchmarks(db: Database) -> None:
    result = create_demo(db, size="large", today=TODAY)
    assert result.members == 2000
    summary = summarize(db, today=TODAY)
    assert summary.members == 2000
    assert summary.leaders == 9
    assert summary.rectifications > 2000
    assert check_database(db).ok


def test_measures_and_progress_fit_their_problems(demo: Database) -> None:
    """Each problem's measure is one written for its checklist item, a ledger row's
    notes are its own measure's (or general ones), and no target outlives its deadline."""
    from sqlalchemy.orm import selectinload

    from mingjing.domain.models import Measure, ProgressNote
    from mingjing.services.demo import TARGET_DATE, load_content

    content = load_content(2025)
    fits = {
        m["text"]: (set(m["items"]), set(m["progress"]))
        for pool in content["measures"].values()
        for m in pool
    }
    general = set(content["progress_notes"])
    with demo.read() as s:
        problems = s.scalars(
            select(Problem).options(selectinload(Problem.measures), selectinload(Problem.item))
        ).all()
        checked = 0
        for problem in problems:
            for measure in problem.measures:
                if measure.text in fits and problem.item is not None:
                    assert problem.item.key in fits[measure.text][0], (problem.text, measure.text)
                    checked += 1
        assert checked >= 30
        rows = s.scalars(
            select(Rectification).options(selectinload(Rectification.progress_notes))
        ).all()
        for row in rows:
            own = fits.get(row.measure, (set(), set()))[1]
            for note in row.progress_notes:
                assert note.text in own | general, (row.measure, note.text)
            match = TARGET_DATE.search(row.target)
            if match and row.deadline is not None:
                named = (int(match.group(1)), int(match.group(2)))
                assert named <= (row.deadline.year, row.deadline.month), (row.target, row.deadline)
        deadlines = s.scalars(select(Measure).where(Measure.deadline.is_not(None))).all()
        for measure in deadlines:
            match = TARGET_DATE.search(measure.target)
            if match:
                named = (int(match.group(1)), int(match.group(2)))
                assert measure.deadline is not None
                assert named == (measure.deadline.year, measure.deadline.month)
        assert s.scalar(select(func.count()).select_from(ProgressNote)) > 0


def test_the_meeting_plan_is_dated_before_the_meeting(demo: Database) -> None:
    with demo.read() as s:
        meeting = s.scalars(select(Meeting)).first()
        assert meeting is not None and meeting.held_on is not None
        planned = meeting.created_at.astimezone().date()
        assert dt.timedelta(days=7) <= meeting.held_on - planned <= dt.timedelta(days=21)
