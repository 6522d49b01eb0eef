from __future__ import annotations

import datetime as dt
import json
from typing import Any

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


def test_a_staff_laptop_sees_its_own_progress(laptop: Any) -> None:
    from mingjing.services import self_check as staff
    from mingjing.services.overview import Summary
    from mingjing.services.profile import load_profile

    location, db = laptop
    view = staff.load_own_self_check(db, location)
    staff.set_answer(db, view.id, "spirit-ambition", level="notable", example="2025年10月……")
    problem = staff.raise_problem(db, view.id, "spirit-ambition")
    staff.add_root_cause(db, problem, "担当作为", "怕担责任。")
    staff.hand_in(db, location, location.data_dir.parent / "u盘")
    summary = summarize(db, member_id=load_profile(location.data_dir).member_id)
    own = summary.own
    assert own is not None and own.name == "陈喆"
    assert (own.answered, own.total, own.problems, own.causes, own.measures) == (1, 25, 1, 1, 0)
    assert own.state == "已提交待审核" and own.revision == 1 and own.submitted_on is not None
    assert Summary.from_json(summary.to_json()) == summary  # the snapshot keeps it
