"""Campaign packages: the secretary exports one, each staff laptop joins with it.

The package carries what a laptop needs to fill a self-check: the unit and
its leadership team, the campaign with its phases, the checklist template
and the roster. Rows keep their ids, so what comes back in hand-ins merges
with the secretary's database.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mingjing import __version__
from mingjing.config import DataLocation
from mingjing.domain.enums import Phase, Role
from mingjing.domain.errors import DomainError
from mingjing.domain.models import (
    Area,
    Campaign,
    CampaignPhase,
    ChecklistTemplate,
    Item,
    LeadershipTeam,
    Member,
    Unit,
)
from mingjing.exchange.package import SUFFIXES, PackageError, read_package, write_package
from mingjing.exchange.schema import CAMPAIGN_DATA, check
from mingjing.exchange.signing import Identity, PublicKeys
from mingjing.services.profile import Profile, load_profile, save_profile
from mingjing.services.roles import act_as_profile, office
from mingjing.services.summary import current_campaign
from mingjing.storage import Database
from mingjing.storage.errors import InputRefused
from mingjing.storage.precheck import environment_faults


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def campaign_data(session: Session, campaign: Campaign) -> dict[str, Any]:
    unit = campaign.unit
    team = unit.team
    template = campaign.template
    members = session.scalars(
        select(Member)
        .where(Member.unit_id == unit.id, Member.deleted_at.is_(None))
        .order_by(Member.sort_order, Member.name)
    ).all()
    return {
        "unit": {
            "id": str(unit.id),
            "name": unit.name,
            "short_name": unit.short_name,
            "party_body": unit.party_body,
        },
        "team": {
            "id": str(team.id) if team else str(uuid.uuid4()),
            "name": team.name if team else "领导班子",
        },
        "campaign": {
            "id": str(campaign.id),
            "title": campaign.title,
            "doc_number": campaign.doc_number,
            "start_date": _iso(campaign.start_date),
            "end_date": _iso(campaign.end_date),
            "current_phase": campaign.current_phase.value,
            "seal_hand_ins": campaign.seal_hand_ins,
            "phases": [
                {
                    "phase": p.phase.value,
                    "ordinal": p.ordinal,
                    "start_date": _iso(p.start_date),
                    "end_date": _iso(p.end_date),
                }
                for p in campaign.phases
            ],
        },
        "template": {
            "id": str(template.id),
            "key": template.key,
            "version": template.version,
            "title": template.title,
            "short_title": template.short_title,
            "source": template.source,
            "vocabulary": dict(template.vocabulary),
            "areas": [
                {
                    "id": str(a.id),
                    "key": a.key,
                    "ordinal": a.ordinal,
                    "title": a.title,
                    "items": [
                        {"id": str(i.id), "key": i.key, "ordinal": i.ordinal, "text": i.text}
                        for i in a.items
                    ],
                }
                for a in template.areas
            ],
        },
        "members": [
            {
                "id": str(m.id),
                "name": m.name,
                "gender": m.gender,
                "position": m.position,
                "department": m.department,
                "branch": m.branch,
                "is_leader": m.is_leader,
                "is_party_secretary": m.is_party_secretary,
                "supervises": m.supervises,
                "role": m.role.value,
                "sort_order": m.sort_order,
            }
            for m in members
        ],
    }


def write_file_atomically(path: Path, blob: bytes) -> Path:
    partial = path.with_name(path.name + ".partial")
    with environment_faults(str(path)):
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            partial.write_bytes(blob)
            os.replace(partial, path)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    return path


@office
def export_campaign(db: Database, out: Path, identity: Identity) -> Path:
    """``mingjing campaign export --out F``: the current campaign as a package,
    signed with the office's ``identity`` (laptops that join pin its keys).

    ``out`` may be a folder: the file is then named after the unit and campaign.
    Refused while the roster is empty: a staff laptop joining with it would
    have no one to choose.
    """
    with db.read() as session:
        campaign = current_campaign(session)
        if campaign is None:
            raise InputRefused("数据库中还没有专项行动，没有可导出的内容。")
        data = campaign_data(session, campaign)
        if not data["members"]:
            raise InputRefused(
                "名单中还没有人员，请先导入干部名单（或逐个添加）再导出专项行动文件。"
            )
        blob = write_package(
            kind="campaign",
            campaign_id=str(campaign.id),
            member_id="",
            revision=campaign.revision,
            app_version=__version__,
            template_id=campaign.template.key,
            template_version=campaign.template.version,
            data=data,
            identity=identity,
            signer_name=f"{campaign.unit.name}办公室",
        )
        name = f"{campaign.unit.name}-专项行动{SUFFIXES['campaign']}"
    if out.is_dir():
        out = out / name
    return write_file_atomically(out, blob)


@dataclass(frozen=True)
class RosterEntry:
    id: str
    name: str
    position: str
    department: str
    is_leader: bool

    @property
    def label(self) -> str:
        return f"{self.name}（{self.position}）" if self.position else self.name


@dataclass(frozen=True)
class JoinResult:
    unit_name: str
    campaign_title: str
    roster: list[RosterEntry]
    member: RosterEntry | None
    """Who this computer now belongs to; ``None`` if no one was chosen yet."""
    office_fingerprint: str = ""
    """Of the key that signed the file: to compare with the office by phone."""
    office_key_new: bool = False
    """This join registered the office's key (first join, or a trusted new key)."""


def _upsert(session: Session, model: type[Any], row_id: str, **values: Any) -> Any:
    obj = session.get(model, uuid.UUID(row_id))
    if obj is None:
        obj = model(id=uuid.UUID(row_id), **values)
        session.add(obj)
    else:
        for key, value in values.items():
            if getattr(obj, key) != value:
                setattr(obj, key, value)
    return obj


def _install_template(session: Session, data: dict[str, Any]) -> ChecklistTemplate:
    existing = session.execute(
        select(ChecklistTemplate).where(
            ChecklistTemplate.key == data["key"], ChecklistTemplate.version == data["version"]
        )
    ).scalar_one_or_none()
    if existing is not None:
        return existing
    template = ChecklistTemplate(
        id=uuid.UUID(data["id"]),
        key=data["key"],
        version=data["version"],
        title=data["title"],
        short_title=data["short_title"],
        source=data["source"],
        vocabulary=data["vocabulary"],
    )
    for a in data["areas"]:
        area = Area(id=uuid.UUID(a["id"]), key=a["key"], ordinal=a["ordinal"], title=a["title"])
        area.items = [
            Item(id=uuid.UUID(i["id"]), key=i["key"], ordinal=i["ordinal"], text=i["text"])
            for i in a["items"]
        ]
        template.areas.append(area)
    session.add(template)
    session.flush()
    return template


def find_member(roster: list[RosterEntry], wanted: str) -> RosterEntry:
    """By name, or by 姓名（职务） when two people share a name."""
    wanted = wanted.strip()
    matches = [r for r in roster if wanted in (r.name, r.label)]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise DomainError(
            f"名单中没有“{wanted}”，请核对姓名。名单：" + "、".join(r.label for r in roster)
        )
    raise DomainError(
        f"名单中有 {len(matches)} 位“{wanted}”，请写明职务：" + "、".join(r.label for r in matches)
    )


class OfficeKeyChanged(PackageError):
    """A campaign package signed with another key than the office's this computer knows."""

    def __init__(self, source: str, new: str, pinned: str) -> None:
        super().__init__(
            source,
            f"签发它的密钥（指纹 {new}）与本机登记的办公室密钥（指纹 {pinned}）不同。"
            "可能是办公室换了电脑，也可能是别人冒充。请打电话向办公室核对指纹，"
            "确认无误后再选择信任新的密钥",
        )
        self.new = new
        self.pinned = pinned


def join_campaign(
    db: Database,
    location: DataLocation,
    package_path: Path,
    member: str | None = None,
    *,
    switch: bool = False,
    trust_new_office_key: str = "",
) -> JoinResult:
    """Take a campaign package into this computer's database; with ``member``, become them.

    Refused (nothing changed): a damaged, unsigned or newer package, one of
    another kind, one from a unit other than the one this computer has
    joined, or one signed with another key than the office's pinned at the
    first join (unless ``trust_new_office_key`` is that key's fingerprint: the
    user compared it with the office's and trusts exactly that key). Joining a
    second campaign of the same unit keeps the first.
    """
    package = read_package(package_path, expected_kind="campaign")
    source = str(package_path)
    check(source, package.data, CAMPAIGN_DATA)
    data = package.data
    profile = load_profile(location.data_dir)
    if profile.unit_id and profile.unit_id != data["unit"]["id"]:
        raise PackageError(
            source,
            f"这是“{data['unit']['name']}”的专项行动文件，本机已加入的是另一个单位",
        )
    office = package.signer
    if (
        profile.office_sign_key
        and profile.office_sign_key != office.sign
        and trust_new_office_key != office.fingerprint
    ):
        pinned = PublicKeys(profile.office_sign_key, profile.office_seal_key)
        raise OfficeKeyChanged(source, office.fingerprint, pinned.fingerprint)
    roster = [
        RosterEntry(m["id"], m["name"], m["position"], m["department"], m["is_leader"])
        for m in data["members"]
    ]
    chosen = find_member(roster, member) if member else None
    if chosen is not None and profile.member_id and profile.member_id != chosen.id and not switch:
        raise DomainError(
            f"本机已由“{profile.display_name}”使用，其自查材料保存在本机。"
            "如确需改由他人使用，请确认后再更换（命令行加 --switch）。"
        )
    try:
        phases = [Phase(p["phase"]) for p in data["campaign"]["phases"]]
        current = Phase(data["campaign"]["current_phase"])
        roles = [Role(m["role"]) for m in data["members"]]
    except ValueError as exc:
        raise PackageError(source, f"数据中有本程序不认识的取值（{exc}）") from exc

    with db.transaction() as session:
        u = data["unit"]
        unit = _upsert(
            session,
            Unit,
            u["id"],
            name=u["name"],
            short_name=u["short_name"],
            party_body=u["party_body"],
        )
        session.flush()
        t = data["team"]
        existing_team = session.scalar(
            select(LeadershipTeam).where(LeadershipTeam.unit_id == unit.id)
        )
        if existing_team is None:
            session.add(LeadershipTeam(id=uuid.UUID(t["id"]), unit_id=unit.id, name=t["name"]))
        template = _install_template(session, data["template"])
        c = data["campaign"]
        campaign = _upsert(
            session,
            Campaign,
            c["id"],
            unit_id=unit.id,
            template_id=template.id,
            title=c["title"],
            doc_number=c["doc_number"],
            start_date=_date(c["start_date"]),
            end_date=_date(c["end_date"]),
            current_phase=current,
            # Older campaign files have no switch: they sealed.
            seal_hand_ins=c.get("seal_hand_ins", True) is not False,
        )
        if campaign.unit_id != unit.id:
            raise PackageError(source, "同一专项行动属于另一个单位，文件可能被改动过")
        session.flush()
        known = {p.phase: p for p in campaign.phases}
        for phase, p in zip(phases, c["phases"], strict=True):
            row = known.get(phase)
            if row is None:
                campaign.phases.append(
                    CampaignPhase(
                        phase=phase,
                        ordinal=p["ordinal"],
                        start_date=_date(p["start_date"]),
                        end_date=_date(p["end_date"]),
                    )
                )
            else:
                row.ordinal = p["ordinal"]
                row.start_date = _date(p["start_date"])
                row.end_date = _date(p["end_date"])
        for m, role in zip(data["members"], roles, strict=True):
            _upsert(
                session,
                Member,
                m["id"],
                unit_id=unit.id,
                name=m["name"],
                gender=m["gender"],
                position=m["position"],
                department=m["department"],
                branch=m["branch"],
                is_leader=m["is_leader"],
                is_party_secretary=m["is_party_secretary"],
                supervises=m["supervises"],
                role=role,
                sort_order=m["sort_order"],
            )
    if chosen is not None:
        role = roles[[r.id for r in roster].index(chosen.id)]
        save_profile(
            location.data_dir,
            Profile(
                display_name=chosen.name,
                role=role.value,
                member_id=chosen.id,
                unit_id=data["unit"]["id"],
                campaign_id=data["campaign"]["id"],
                office_sign_key=office.sign,
                office_seal_key=office.seal,
            ),
        )
        act_as_profile(db, location.data_dir)
    return JoinResult(
        unit_name=data["unit"]["name"],
        campaign_title=data["campaign"]["title"],
        roster=roster,
        member=chosen,
        office_fingerprint=office.fingerprint,
        office_key_new=profile.office_sign_key != office.sign,
    )
