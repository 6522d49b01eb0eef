"""建立专项行动: from nothing to a campaign the office can export."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select

from mingjing.config import DataLocation
from mingjing.domain.checklist import TemplateError
from mingjing.domain.enums import Phase
from mingjing.domain.errors import DomainError
from mingjing.domain.models import Campaign, LeadershipTeam, Unit
from mingjing.exchange.signing import Identity
from mingjing.resources import resource_path
from mingjing.services.campaign_setup import (
    CampaignSetup,
    create_campaign,
    default_setup,
    load_setup,
    phases_between,
    update_campaign,
)
from mingjing.services.campaigns import export_campaign
from mingjing.services.profile import load_profile
from mingjing.storage import Database

TODAY = dt.date(2026, 10, 8)


def test_default_setup_follows_the_plan() -> None:
    setup = default_setup(TODAY, "青山县林业局")
    assert setup.title == "强化责任担当、认真解决懒政怠政问题专项行动"
    assert (setup.start_date, setup.end_date) == (dt.date(2026, 9, 1), dt.date(2026, 12, 31))
    assert [p.label for p in setup.phases] == ["学习教育", "查摆剖析", "整改落实", "建章立制"]


def test_create_then_export(
    db: Database, location: DataLocation, tmp_path: Path, office_identity: Identity
) -> None:
    setup = CampaignSetup(
        **{
            **default_setup(TODAY).__dict__,
            "unit_name": "青山县林业局",
            "unit_short_name": "县林业局",
            "doc_number": "青林发〔2026〕9号",
        }
    )
    cid = create_campaign(db, location, setup, today=TODAY)
    with db.read() as s:
        campaign = s.get(Campaign, uuid.UUID(cid))
        assert campaign is not None
        assert campaign.current_phase is Phase.EXAMINE  # 8 October
        assert campaign.template.key == "yongzheng-lanzheng-daizheng"
        team = s.scalars(select(LeadershipTeam)).one()
        assert team.name == "县林业局领导班子"
    profile = load_profile(location.data_dir)
    assert profile.role == "secretary" and profile.campaign_id == cid and not profile.joined
    assert load_setup(db, cid).doc_number == "青林发〔2026〕9号"
    from mingjing.services.roster import add_member
    from mingjing.storage.errors import InputRefused

    with pytest.raises(InputRefused, match="名单中还没有人员"):
        export_campaign(db, tmp_path, office_identity)
    add_member(db, "王芳", "科员", "办公室")
    assert export_campaign(db, tmp_path, office_identity).exists()

    update_campaign(db, cid, CampaignSetup(**{**setup.__dict__, "title": "新的名称"}))
    assert load_setup(db, cid).title == "新的名称"
    with pytest.raises(DomainError, match="晚于"):
        update_campaign(
            db,
            cid,
            CampaignSetup(**{**setup.__dict__, "start_date": dt.date(2027, 1, 1)}),
        )


def test_a_template_with_a_typo_is_refused_and_nothing_is_created(
    db: Database, location: DataLocation, tmp_path: Path
) -> None:
    text = (resource_path("checklists") / "yongzheng-lanzheng-daizheng.yaml").read_text(
        encoding="utf-8"
    )
    broken = tmp_path / "本单位自查表.yaml"
    broken.write_text(text.replace("version: 1", "versoin: 1", 1), encoding="utf-8")
    setup = CampaignSetup(
        **{**default_setup(TODAY, "青山县林业局").__dict__, "template_path": broken}
    )
    with pytest.raises(TemplateError) as info:
        create_campaign(db, location, setup, today=TODAY)
    assert "本单位自查表.yaml" in str(info.value) and "第 " in str(info.value)
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Unit)) == 0
    with pytest.raises(DomainError, match="单位名称"):
        create_campaign(db, location, default_setup(TODAY), today=TODAY)


def test_phases_split_any_range_in_the_plans_proportions() -> None:
    default = default_setup(TODAY)
    plan = [(p.start, p.end) for p in default.phases]
    assert plan == [
        (dt.date(2026, 9, 1), dt.date(2026, 9, 30)),
        (dt.date(2026, 10, 1), dt.date(2026, 10, 31)),
        (dt.date(2026, 11, 1), dt.date(2026, 12, 15)),
        (dt.date(2026, 12, 16), dt.date(2026, 12, 31)),
    ]
    short = phases_between(dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert short[0].start == dt.date(2026, 11, 1) and short[-1].end == dt.date(2026, 11, 30)
    for before, after in itertools.pairwise(short):
        assert before.end is not None and after.start is not None
        assert after.start == before.end + dt.timedelta(days=1)
