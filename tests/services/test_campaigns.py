"""The secretary exports a campaign package; a staff laptop joins with it."""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from mingjing import cli
from mingjing.config import DataLocation, resolve_location
from mingjing.domain.errors import DomainError
from mingjing.domain.models import AuditEntry, Campaign, Item, Member
from mingjing.exchange.package import PackageError, write_package
from mingjing.exchange.signing import Identity
from mingjing.services.campaigns import export_campaign, join_campaign
from mingjing.services.demo import create_demo
from mingjing.services.profile import load_profile
from mingjing.services.roster import add_member, list_members, remove_member
from mingjing.storage import Database
from mingjing.storage.errors import InputRefused

TODAY = dt.date(2025, 11, 20)


@pytest.fixture
def package(db: Database, tmp_path: Path, office_identity: Identity) -> Path:
    create_demo(db, today=TODAY)
    return export_campaign(db, tmp_path, office_identity)


@pytest.fixture
def staff(tmp_path: Path) -> tuple[DataLocation, Database]:
    location = resolve_location(tmp_path / "staff-laptop")
    return location, Database.open(location, actor="干部")


def test_export_then_join_keeps_ids_and_sets_the_profile(
    db: Database, package: Path, staff: tuple[DataLocation, Database]
) -> None:
    location, laptop = staff
    assert package.name == "岚川县农业农村局-专项行动.mjcampaign"
    result = join_campaign(laptop, location, package, "陈喆")
    assert result.member is not None and result.member.name == "陈喆"
    assert len(result.roster) == 12
    with db.read() as s:
        source_ids = set(s.scalars(select(Member.id)))
        source_items = {(i.id, i.key) for i in s.scalars(select(Item))}
        campaign_id = s.scalars(select(Campaign.id)).one()
    with laptop.read() as s:
        assert set(s.scalars(select(Member.id))) == source_ids
        assert {(i.id, i.key) for i in s.scalars(select(Item))} == source_items
        assert s.scalars(select(Campaign.id)).one() == campaign_id
    profile = load_profile(location.data_dir)
    assert profile.display_name == "陈喆" and profile.role == "staff"
    assert profile.campaign_id == str(campaign_id)
    laptop.close()


def test_joining_again_changes_nothing(package: Path, staff: tuple[DataLocation, Database]) -> None:
    location, laptop = staff
    join_campaign(laptop, location, package, "陈喆")
    with laptop.read() as s:
        before = s.scalar(select(func.count()).select_from(AuditEntry))
    join_campaign(laptop, location, package, "陈喆")
    with laptop.read() as s:
        assert s.scalar(select(func.count()).select_from(AuditEntry)) == before
        assert s.scalar(select(func.count()).select_from(Member)) == 12
    laptop.close()


def test_without_a_member_the_roster_is_offered(
    package: Path, staff: tuple[DataLocation, Database]
) -> None:
    location, laptop = staff
    result = join_campaign(laptop, location, package)
    assert result.member is None
    assert "孙珺（党组成员、副局长）" in [r.label for r in result.roster]
    assert not load_profile(location.data_dir).joined
    laptop.close()


def test_unknown_member_is_refused_and_nothing_changes(
    package: Path, staff: tuple[DataLocation, Database]
) -> None:
    location, laptop = staff
    with pytest.raises(DomainError, match="名单中没有“王五”，请核对姓名"):
        join_campaign(laptop, location, package, "王五")
    with laptop.read() as s:
        assert s.scalar(select(func.count()).select_from(Member)) == 0
    laptop.close()


def _rewrite(
    package: Path, target: Path, change: dict[str, object], signer: Identity | None = None
) -> Path:
    with zipfile.ZipFile(package) as z:
        manifest = json.loads(z.read("manifest.json"))
        data = json.loads(z.read("data.json"))
    for dotted, value in change.items():
        node = data
        *parents, last = dotted.split(".")
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node[key]
        node[last] = value
    target.write_bytes(
        write_package(
            kind="campaign",
            campaign_id=manifest["campaign_id"],
            member_id="",
            revision=manifest["revision"],
            app_version="0.1.0",
            template_id=manifest["template"]["id"],
            template_version=manifest["template"]["version"],
            data=data,
            identity=signer or Identity.generate(),
        )
    )
    return target


def test_a_package_from_another_unit_is_refused(
    package: Path, staff: tuple[DataLocation, Database], tmp_path: Path
) -> None:
    location, laptop = staff
    join_campaign(laptop, location, package, "陈喆")
    other = _rewrite(
        package,
        tmp_path / "别的单位.mjcampaign",
        {"unit.id": "00000000-0000-4000-8000-000000000001", "unit.name": "青岚区住建局"},
    )
    with pytest.raises(PackageError, match="青岚区住建局"):
        join_campaign(laptop, location, other, "陈喆")
    laptop.close()


def test_malformed_data_names_the_place(
    package: Path, staff: tuple[DataLocation, Database], tmp_path: Path
) -> None:
    location, laptop = staff
    bad = _rewrite(package, tmp_path / "坏.mjcampaign", {"members.0.name": 42})
    with pytest.raises(PackageError, match=r"members\[1\]\.name 应为文字"):
        join_campaign(laptop, location, bad, "陈喆")
    with pytest.raises(PackageError, match="已损坏"):
        (tmp_path / "文本.mjcampaign").write_text("hello", encoding="utf-8")
        join_campaign(laptop, location, tmp_path / "文本.mjcampaign", "陈喆")
    laptop.close()


def test_switching_the_user_of_a_laptop_needs_confirmation(
    package: Path, staff: tuple[DataLocation, Database]
) -> None:
    from mingjing.domain.errors import DomainError

    location, laptop = staff
    join_campaign(laptop, location, package, "陈喆")
    with pytest.raises(DomainError, match="本机已由“陈喆”使用"):
        join_campaign(laptop, location, package, "孙珺")
    assert load_profile(location.data_dir).display_name == "陈喆"
    join_campaign(laptop, location, package, "孙珺", switch=True)
    assert load_profile(location.data_dir).display_name == "孙珺"
    laptop.close()


EMPTY_ROSTER = "名单中还没有人员，请先导入干部名单（或逐个添加）再导出专项行动文件。"


def test_an_empty_roster_is_not_exported(
    db: Database, tmp_path: Path, office_identity: Identity
) -> None:
    create_demo(db, today=TODAY)
    for member in list_members(db):
        remove_member(db, member.id)
    out = tmp_path / "u盘"
    out.mkdir()
    with pytest.raises(InputRefused) as info:
        export_campaign(db, out, office_identity)
    assert str(info.value) == EMPTY_ROSTER
    assert list(out.iterdir()) == []
    add_member(db, "王芳", "科员", "办公室")
    assert export_campaign(db, out, office_identity).exists()


def test_an_empty_roster_is_not_exported_from_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    office = str(tmp_path / "office")
    create = ["--data-dir", office, "campaign", "create", "--unit", "青山县林业局"]
    export = ["--data-dir", office, "campaign", "export", "--out", str(tmp_path)]
    assert cli.main(create) == 0
    capsys.readouterr()
    assert cli.main(export) == 3
    assert EMPTY_ROSTER in capsys.readouterr().err
    assert not list(tmp_path.glob("*.mjcampaign"))


def test_the_office_key_is_pinned_at_join_and_a_new_one_needs_consent(
    package: Path,
    staff: tuple[DataLocation, Database],
    tmp_path: Path,
    office_identity: Identity,
) -> None:
    from mingjing.services.campaigns import OfficeKeyChanged
    from mingjing.services.profile import load_profile

    location, laptop = staff
    first = join_campaign(laptop, location, package, "陈喆")
    assert first.office_key_new and first.office_fingerprint == office_identity.public.fingerprint
    assert not join_campaign(laptop, location, package, "陈喆").office_key_new
    profile = load_profile(location.data_dir)
    assert profile.office_sign_key == office_identity.public.sign
    assert profile.office_seal_key == office_identity.public.seal

    # The same campaign signed by someone else (a new office computer, or a forger).
    impostor = Identity.generate()
    forged = _rewrite(package, tmp_path / "另签.mjcampaign", {}, signer=impostor)
    with pytest.raises(OfficeKeyChanged) as info:
        join_campaign(laptop, location, forged, "陈喆")
    assert impostor.public.fingerprint in str(info.value)
    assert office_identity.public.fingerprint in str(info.value)
    assert load_profile(location.data_dir) == profile  # nothing changed
    # Trust is given to one key: a file signed by yet another is still refused.
    other = _rewrite(package, tmp_path / "又一签.mjcampaign", {}, signer=Identity.generate())
    with pytest.raises(OfficeKeyChanged):
        join_campaign(
            laptop, location, other, "陈喆", trust_new_office_key=impostor.public.fingerprint
        )
    # After comparing the fingerprints by phone, the user trusts the new key.
    joined = join_campaign(
        laptop, location, forged, "陈喆", trust_new_office_key=impostor.public.fingerprint
    )
    assert joined.office_key_new
    assert load_profile(location.data_dir).office_sign_key == impostor.public.sign
