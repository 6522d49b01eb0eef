from __future__ import annotations

import datetime as dt
import json

from mingjing.services.demo import create_demo
from mingjing.services.summary import format_summary, summarize
from mingjing.storage import Database


def test_empty_database_summary_says_what_to_do(db: Database) -> None:
    summary = summarize(db)
    assert summary.campaign is None
    assert "mingjing demo" in format_summary(summary)


def test_summary_text_and_json(db: Database) -> None:
    today = dt.date(2025, 11, 20)
    create_demo(db, today=today)
    summary = summarize(db, today=today)
    text = format_summary(summary)
    assert "岚川县农业农村局" in text
    assert f"整改台账：{summary.rectifications} 项，逾期 {summary.overdue} 项" in text
    data = json.loads(json.dumps(summary.to_json(), ensure_ascii=False))
    assert data["members"] == 12
    assert data["campaign"]["start_date"] == "2025-09-01"


def test_summary_on_both_dialects(any_db: Database) -> None:
    today = dt.date(2025, 11, 20)
    create_demo(any_db, today=today)
    summary = summarize(any_db, today=today)
    assert summary.members == 12 and summary.rectifications > 10


def test_summary_agrees_with_counting_the_rows_in_python(db: Database) -> None:
    """The SQL aggregates against an independent count over the loaded rows."""
    from collections import Counter

    from sqlalchemy import select

    from mingjing.domain.enums import SelfCheckState
    from mingjing.domain.models import Member, Opinion, Problem, Rectification, SelfCheck

    today = dt.date(2025, 11, 20)
    create_demo(db, today=today)
    summary = summarize(db, today=today)
    with db.read() as s:
        members = s.scalars(select(Member)).all()
        checks = Counter(c.state for c in s.scalars(select(SelfCheck)))
        problems = s.scalars(select(Problem)).all()
        rows = s.scalars(select(Rectification)).all()
        opinions = s.scalars(select(Opinion)).all()
    assert summary.members == len(members)
    assert summary.leaders == sum(m.is_leader for m in members)
    assert summary.handed_in == checks[SelfCheckState.SUBMITTED] + checks[SelfCheckState.ACCEPTED]
    assert summary.self_checks["退回返工"] == checks[SelfCheckState.RETURNED]
    assert summary.self_checks["未开始"] == len(members) - sum(checks.values())
    assert summary.problems == len(problems)
    assert summary.team_problems == sum(p.owner_team_id is not None for p in problems)
    assert summary.common_problems == sum(p.is_common for p in problems)
    assert summary.problems_by_source == {
        src.label: sum(p.source is src for p in problems) for src in type(problems[0].source)
    }
    assert summary.overdue == sum(r.is_overdue(today) for r in rows) > 0
    assert summary.opinions_after_merge == sum(o.merged_into_id is None for o in opinions)
