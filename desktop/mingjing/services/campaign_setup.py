"""建立专项行动: the office sets up the unit, the campaign and its checklist.

The plan's shape is the default: four phases from September to the end of
the year and the built-in checklist. A template file of the unit's own may
be given instead; one with a mistake is refused with the file, line and
field named, and nothing is created.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from mingjing.config import DataLocation
from mingjing.domain.checklist import Template, load_template
from mingjing.domain.enums import Phase, Role
from mingjing.domain.errors import DomainError
from mingjing.domain.models import Campaign, CampaignPhase, LeadershipTeam, Unit
from mingjing.services.checklists import builtin_template, install_template
from mingjing.services.profile import Profile, load_profile, save_profile
from mingjing.services.roles import act_as_profile, office
from mingjing.storage import Database


@dataclass(frozen=True)
class PhaseDates:
    phase: str
    """A :class:`Phase` code."""
    start: dt.date | None
    end: dt.date | None

    @property
    def label(self) -> str:
        return Phase(self.phase).label


@dataclass(frozen=True)
class CampaignSetup:
    unit_name: str
    title: str
    doc_number: str = ""
    unit_short_name: str = ""
    party_body: str = ""
    """党组（党委）的名称, e.g. 中共某某局党组."""
    team_name: str = ""
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    phases: tuple[PhaseDates, ...] = field(default=())
    template_path: Path | None = None
    """A checklist template file; None: the built-in one."""
    seal_hand_ins: bool = True
    """干部的提交文件加密给办公室 (the default; a unit may turn it off)."""
    operator: str = ""
    """Who keeps the records at the office (a name for reply files and the audit
    trail); kept in this computer's profile, not with the campaign."""


_PLAN_SHARES = (
    (Phase.STUDY, 30),
    (Phase.EXAMINE, 31),
    (Phase.RECTIFY, 45),
    (Phase.INSTITUTIONALIZE, 16),
)
"""Days of each phase in the plan (1 September to 31 December)."""


def phases_between(start: dt.date, end: dt.date) -> tuple[PhaseDates, ...]:
    """The four phases over ``start``–``end``, in the plan's proportions."""
    days = (end - start).days + 1
    total = sum(share for _, share in _PLAN_SHARES)
    result = []
    first = start
    used = 0
    for index, (phase, share) in enumerate(_PLAN_SHARES):
        used += share
        last = (
            end
            if index == len(_PLAN_SHARES) - 1
            else start + dt.timedelta(days=max(round(days * used / total) - 1, 0))
        )
        last = max(last, first)
        result.append(PhaseDates(phase.value, first, min(last, end)))
        first = min(last + dt.timedelta(days=1), end)
    return tuple(result)


def default_setup(today: dt.date, unit_name: str = "") -> CampaignSetup:
    """The plan's shape: September to year end, four phases, the built-in checklist."""
    template = builtin_template()
    start, end = dt.date(today.year, 9, 1), dt.date(today.year, 12, 31)
    return CampaignSetup(
        unit_name=unit_name,
        title=template.title.removesuffix("自查表"),
        start_date=start,
        end_date=end,
        phases=phases_between(start, end),
    )


def read_template(path: Path | None) -> Template:
    """The template a setup names (refused with file, line and field if it has a mistake)."""
    return builtin_template() if path is None else load_template(path)


def _check(setup: CampaignSetup) -> None:
    if not setup.unit_name.strip():
        raise DomainError("请填写单位名称。")
    if not setup.title.strip():
        raise DomainError("请填写专项行动的名称。")
    if setup.start_date and setup.end_date and setup.start_date > setup.end_date:
        raise DomainError("开始日期晚于结束日期，请核对。")
    for p in setup.phases:
        if p.start and p.end and p.start > p.end:
            raise DomainError(f"“{p.label}”阶段的开始日期晚于结束日期，请核对。")


def _current_phase(setup: CampaignSetup, today: dt.date) -> Phase:
    current = Phase.STUDY
    for p in setup.phases:
        if p.start and p.start <= today:
            current = Phase(p.phase)
    return current


@office
def create_campaign(
    db: Database,
    location: DataLocation,
    setup: CampaignSetup,
    *,
    today: dt.date | None = None,
    another: bool = False,
    operator: str = "",
) -> str:
    """Create the unit (or reuse this database's), its team, the campaign; returns its id.

    This computer becomes the office's: the profile records the secretary role
    and, if given, the name of the person who keeps the records (``operator``,
    shown in reply files and the audit trail). A database that already holds a
    campaign is refused unless ``another``: the program works on the latest
    campaign, so a second one by mistake would hide the first one's hand-ins.
    """
    _check(setup)
    template = read_template(setup.template_path)  # before anything is written
    today = today or dt.date.today()
    with db.transaction() as session:
        if not another:
            from mingjing.services.summary import current_campaign

            existing = current_campaign(session)
            if existing is not None:
                raise DomainError(
                    f"本机已有专项行动“{existing.title}”。程序总是打开最近建立的专项行动，"
                    "再建一个会使现有的提交材料、意见和会诊记录看不到。"
                    "如确是开展新一轮专项行动，请加 --new。"
                )
        units = session.scalars(select(Unit).where(Unit.deleted_at.is_(None))).all()
        unit = next((u for u in units if u.name == setup.unit_name.strip()), None)
        if unit is None:
            unit = Unit(
                name=setup.unit_name.strip(),
                short_name=setup.unit_short_name.strip(),
                party_body=setup.party_body.strip(),
            )
            session.add(unit)
            session.flush()
        team = session.scalar(select(LeadershipTeam).where(LeadershipTeam.unit_id == unit.id))
        if team is None:
            team = LeadershipTeam(
                unit_id=unit.id,
                name=setup.team_name.strip()
                or f"{setup.unit_short_name.strip() or setup.unit_name.strip()}领导班子",
            )
            session.add(team)
        row = install_template(session, template)
        campaign = Campaign(
            unit_id=unit.id,
            template_id=row.id,
            title=setup.title.strip(),
            doc_number=setup.doc_number.strip(),
            start_date=setup.start_date,
            end_date=setup.end_date,
            current_phase=_current_phase(setup, today),
            seal_hand_ins=setup.seal_hand_ins,
        )
        for ordinal, p in enumerate(setup.phases, 1):
            campaign.phases.append(
                CampaignPhase(
                    phase=Phase(p.phase), ordinal=ordinal, start_date=p.start, end_date=p.end
                )
            )
        session.add(campaign)
        session.flush()
        campaign_id, unit_id = str(campaign.id), str(unit.id)
    profile = load_profile(location.data_dir)
    if not profile.member_id:
        save_profile(
            location.data_dir,
            Profile(
                display_name=(operator or setup.operator).strip() or profile.display_name,
                role=Role.SECRETARY.value,
                unit_id=unit_id,
                campaign_id=campaign_id,
            ),
        )
    act_as_profile(db, location.data_dir)
    return campaign_id


@office
def update_campaign(db: Database, campaign_id: str, setup: CampaignSetup) -> None:
    """Change the campaign's title, number, dates and phases (not its checklist)."""
    _check(setup)
    with db.transaction() as session:
        campaign = session.get(Campaign, uuid.UUID(campaign_id))
        if campaign is None or campaign.deleted_at is not None:
            raise DomainError("找不到这个专项行动。")
        campaign.title = setup.title.strip()
        campaign.doc_number = setup.doc_number.strip()
        campaign.start_date = setup.start_date
        campaign.end_date = setup.end_date
        campaign.seal_hand_ins = setup.seal_hand_ins
        unit = campaign.unit
        unit.name = setup.unit_name.strip()
        if setup.unit_short_name.strip():
            unit.short_name = setup.unit_short_name.strip()
        if setup.party_body.strip():
            unit.party_body = setup.party_body.strip()
        known = {p.phase: p for p in campaign.phases}
        for ordinal, p in enumerate(setup.phases, 1):
            row = known.get(Phase(p.phase))
            if row is None:
                campaign.phases.append(
                    CampaignPhase(
                        phase=Phase(p.phase), ordinal=ordinal, start_date=p.start, end_date=p.end
                    )
                )
            else:
                row.ordinal, row.start_date, row.end_date = ordinal, p.start, p.end


def load_setup(db: Database, campaign_id: str) -> CampaignSetup:
    with db.read() as session:
        campaign = session.get(Campaign, uuid.UUID(campaign_id))
        if campaign is None:
            raise DomainError("找不到这个专项行动。")
        unit = campaign.unit
        return CampaignSetup(
            unit_name=unit.name,
            title=campaign.title,
            doc_number=campaign.doc_number,
            unit_short_name=unit.short_name,
            party_body=unit.party_body,
            team_name=unit.team.name if unit.team else "",
            start_date=campaign.start_date,
            end_date=campaign.end_date,
            phases=tuple(
                PhaseDates(p.phase.value, p.start_date, p.end_date)
                for p in sorted(campaign.phases, key=lambda p: p.ordinal)
            ),
            seal_hand_ins=campaign.seal_hand_ins,
        )


def current_campaign_id(db: Database) -> str | None:
    """The campaign the office works on (the latest one), or None before the first."""
    from mingjing.services.summary import current_campaign

    with db.read() as session:
        campaign = current_campaign(session)
        return str(campaign.id) if campaign is not None else None
