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
