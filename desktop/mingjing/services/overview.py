"""The overview's data without the database: the summary types and its snapshot.

Nothing here imports SQLAlchemy, so the window can show the last overview
before the database layer has even been loaded. The snapshot is valid only
for the database state it was computed from (see
:func:`mingjing.storage.precheck.fingerprint`), on the same day (overdue
counts change at midnight) and for the same program version.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from dataclasses import asdict, dataclass, field
from typing import Any

from mingjing import __version__
from mingjing.config import DataLocation
from mingjing.domain.text import cn_date
from mingjing.storage.precheck import fingerprint

log = logging.getLogger(__name__)
SNAPSHOT_FILE = "overview.json"


@dataclass(frozen=True)
class CampaignInfo:
    id: str
    title: str
    doc_number: str
    unit_name: str
    start_date: dt.date | None
    end_date: dt.date | None
    phase: str


@dataclass(frozen=True)
class OwnProgress:
    """On a staff laptop the overview is about its user: the rest of the unit's
    work is at the office, and this computer only knows the roster."""

    name: str
    position: str
    state: str
    """The self-check's state label, or 未开始."""
    answered: int
    total: int
    problems: int
    causes: int
    measures: int
    revision: int
    submitted_on: dt.date | None
    review_comment: str


@dataclass
class Summary:
    campaign: CampaignInfo | None
    members: int = 0
    leaders: int = 0
    self_checks: dict[str, int] = field(default_factory=dict)
    """By state label, plus 未开始 for members with no self-check yet."""
    handed_in: int = 0
    """Self-checks submitted or accepted (a returned one must be handed in again)."""
    problems: int = 0
    team_problems: int = 0
    common_problems: int = 0
    problems_by_source: dict[str, int] = field(default_factory=dict)
    problems_by_area: dict[str, int] = field(default_factory=dict)
    problems_by_status: dict[str, int] = field(default_factory=dict)
    opinions: int = 0
    opinions_after_merge: int = 0
    consultations: int = 0
    rectifications: int = 0
    rectifications_by_state: dict[str, int] = field(default_factory=dict)
    overdue: int = 0
    meetings: dict[str, int] = field(default_factory=dict)
    today: dt.date = field(default_factory=dt.date.today)
    own: OwnProgress | None = None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["today"] = self.today.isoformat()
        if self.campaign is not None:
            for key in ("start_date", "end_date"):
                value = data["campaign"][key]
                data["campaign"][key] = value.isoformat() if value else None
        if self.own is not None and self.own.submitted_on is not None:
            data["own"]["submitted_on"] = self.own.submitted_on.isoformat()
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Summary:
        values = dict(data)
        values["today"] = dt.date.fromisoformat(values["today"])
        campaign = values.get("campaign")
        if campaign is not None:
            for key in ("start_date", "end_date"):
                if campaign.get(key):
                    campaign[key] = dt.date.fromisoformat(campaign[key])
            values["campaign"] = CampaignInfo(**campaign)
        own = values.get("own")
        if own is not None:
            if own.get("submitted_on"):
                own["submitted_on"] = dt.date.fromisoformat(own["submitted_on"])
            values["own"] = OwnProgress(**own)
        return cls(**values)


def _snapshot_path(location: DataLocation) -> Any:
    return location.data_dir / "cache" / SNAPSHOT_FILE


def _key(location: DataLocation, today: dt.date) -> str | None:
    path = location.sqlite_path
    if path is None:
        return None  # a shared server changes under us: always ask it
    stamp = fingerprint(path)
    if stamp is None:
        return None
    return f"{__version__}|{path}|{stamp}|{today.isoformat()}"


def load_snapshot(location: DataLocation, today: dt.date | None = None) -> Summary | None:
    """The last overview, if the database has not changed since it was taken."""
    key = _key(location, today or dt.date.today())
    if key is None:
        return None
    try:
        raw = json.loads(_snapshot_path(location).read_text(encoding="utf-8"))
        if raw.get("key") != key:
            return None
        return Summary.from_json(raw["summary"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def save_snapshot(location: DataLocation, summary: Summary) -> None:
    """Keep ``summary`` for the next start; a failure only costs speed, so it is logged."""
    key = _key(location, summary.today)
    if key is None:
        return
    path = _snapshot_path(location)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        partial.write_text(
            json.dumps({"key": key, "summary": summary.to_json()}, ensure_ascii=False),
            encoding="utf-8",
        )
        os.replace(partial, path)
    except OSError as exc:
        log.warning("could not save the overview snapshot: %s", exc)


def format_summary(summary: Summary) -> str:
    """The plain-text form printed by ``mingjing summary``."""
    if summary.campaign is None:
        return "数据库中还没有专项行动。可运行“mingjing demo”生成示例单位，或在程序中新建。"
    c = summary.campaign
    period = ""
    if c.start_date and c.end_date:
        period = f"{cn_date(c.start_date)}至{cn_date(c.end_date)}"

    def line(title: str, counts: dict[str, int]) -> str:
        return f"{title}：" + "，".join(f"{k} {v}" for k, v in counts.items())

    lines = [
        f"{c.unit_name}　{c.title}",
        f"文号：{c.doc_number or '（无）'}　时间：{period or '（未定）'}　当前阶段：{c.phase}",
        "",
        f"人员：{summary.members} 人，其中班子成员 {summary.leaders} 人",
        line("个人自查", summary.self_checks),
        f"问题：{summary.problems} 个（班子问题 {summary.team_problems} 个，"
        f"共性问题 {summary.common_problems} 个）",
        line("　按来源", summary.problems_by_source),
        line("　按方面", summary.problems_by_area),
        line("　按状态", summary.problems_by_status),
        f"征求意见：{summary.opinions} 条，梳理为 {summary.opinions_after_merge} 条",
        f"集体会诊：{summary.consultations} 次",
        f"整改台账：{summary.rectifications} 项，逾期 {summary.overdue} 项",
        line("　按状态", summary.rectifications_by_state),
        line("会议", summary.meetings),
    ]
    return "\n".join(lines)
