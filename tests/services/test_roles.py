"""Roles are enforced in the services: each wrong role is refused, nothing changes."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path
from types import SimpleNamespace

import pytest

import mingjing.services
from mingjing.config import DataLocation
from mingjing.services import roles
from mingjing.services.roles import GUARDED, LEADER, SECRETARY, STAFF, RoleRefused
from mingjing.storage import Database

ALL_ROLES = (SECRETARY, LEADER, STAFF)

for info in pkgutil.iter_modules(mingjing.services.__path__):
    importlib.import_module(f"mingjing.services.{info.name}")

OFFICE_MODULES = (
    "campaign_setup",
    "campaigns",
    "roster",
    "opinions",
    "problem_lists",
    "consultations",
    "meetings",
    "ledger",
    "ledger_sheets",
    "submissions",
    "review",
    "review_packages",
    "materials",
    "snapshots",
    "demo",
    "leader_review",
)
READS = {
    # Reads that every computer makes (its own data; a laptop holds no one else's)
    # or that the office's pages make before they know whether this is the office.
    "campaign_setup.load_setup",
    "campaign_setup.current_campaign_id",
    "campaigns.join_campaign",  # a laptop joins; it writes only this computer's profile
    "roster.list_members",
    "roster.responsible_leader",
    "problem_lists.choices",
    "problem_lists.list_problems",
    "problem_lists.common_candidates",
    "consultations.list_consultations",
    "consultations.load_consultation",
    "meetings.list_meetings",
    "meetings.load_meeting",
    "ledger.count_rows",
    "ledger.page_rows",
    "ledger.first_page",
    "ledger.all_rows",
    "ledger.row_view",
    "ledger.row_detail",
    "ledger.choices",
    "ledger.group_counts",
    "ledger.reminders",
    "ledger.evidence_file",
    "ledger.list_assignments",
    "ledger.list_escalations",
    "ledger.suggest_escalations",
    "review.hand_ins",
    "review_packages.review_payload",  # called only by export_review (guarded)
    "review_packages.package_pdf",  # likewise
    "review_packages.leaders",
    "review_packages.leader_actions",
    "review_packages.verify_signatures",  # mingjing check, on any computer
    "materials.statement_input",
    "materials.statement_documents",
    "materials.team_statement_document",
    "materials.last_year",
    "materials.team_problems",
    "materials.team_statement_input",
    "materials.opinions_input",
    "materials.consultation_records",
    "materials.ledger_lines",
    "materials.assignment_sheets",
    "materials.meeting_record",
    "materials.render",  # goes through build (guarded)
    "snapshots.list_snapshots",
    "snapshots.snapshot_file",
    "snapshots.snapshot_bytes",
    "leader_review.my_actions",
}


@pytest.mark.parametrize("name", sorted(GUARDED))
def test_every_guarded_service_refuses_every_wrong_role(name: str) -> None:
    module, function = name.rsplit(".", 1)
    fn = getattr(importlib.import_module(module), function)
    for role in set(ALL_ROLES) - GUARDED[name]:
        # The refusal comes before anything is read: no arguments are even looked at.
        with pytest.raises(RoleRefused):
            fn(SimpleNamespace(role=role, member_id=""))


def test_every_service_taking_the_database_is_classified() -> None:
    """A new service in an office module is either guarded or named a read here."""
    unclassified = []
    for short in OFFICE_MODULES:
        module = importlib.import_module(f"mingjing.services.{short}")
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("_") or fn.__module__ != module.__name__:
                continue
            params = list(inspect.signature(fn).parameters)
            if not params or params[0] != "db":
                continue
            if f"{module.__name__}.{name}" not in GUARDED and f"{short}.{name}" not in READS:
                unclassified.append(f"{short}.{name}")
    assert unclassified == []
    stale = [r for r in READS if f"mingjing.services.{r}" in GUARDED]
    assert stale == []


def test_the_roles_of_a_computer_come_from_its_profile() -> None:
    assert roles.role_of(False, "") == SECRETARY  # set up a campaign, or the demo
    assert roles.role_of(True, "staff") == STAFF
    assert roles.role_of(True, "leader") == LEADER
    assert roles.role_of(True, "secretary") == SECRETARY


def _audit_count(db: Database) -> int:
    from sqlalchemy import func, select

    from mingjing.domain.models import AuditEntry

    with db.read() as session:
        return int(session.scalar(select(func.count()).select_from(AuditEntry)) or 0)


def test_a_staff_laptop_is_refused_office_work_and_others_self_checks(
    laptop: tuple[DataLocation, Database],
) -> None:
    from mingjing.services import ledger, opinions, self_check
    from mingjing.services.campaign_setup import current_campaign_id
    from mingjing.services.roster import list_members

    location, db = laptop
    assert (db.role, bool(db.member_id)) == (STAFF, True)  # set when it joined
    own = self_check.load_own_self_check(db, location)
    before = _audit_count(db)
    cid = current_campaign_id(db)
    assert cid is not None
    with pytest.raises(RoleRefused, match="办公室的电脑"):
        opinions.add_opinion(db, cid, "意见", "座谈会")  # type: ignore[call-arg]
    with pytest.raises(RoleRefused, match="办公室的电脑"):
        ledger.update_row(db, "00000000-0000-0000-0000-000000000000", {"remarks": "x"})
    other = next(m for m in list_members(db) if m.id != db.member_id)
    with pytest.raises(RoleRefused, match="本人的自查材料"):
        self_check.load_self_check(db, cid, other.id)
    assert _audit_count(db) == before
    # Its own work goes on.
    self_check.set_overall_analysis(db, own.id, "宗旨意识淡化。")
    db.close()


def test_a_leader_acts_on_a_review_and_the_office_cannot(
    leader_laptop: tuple[DataLocation, Database], office: Database
) -> None:
    from mingjing.services import leader_review

    _location, db = leader_laptop
    assert db.role == LEADER
    office.role = SECRETARY
    with pytest.raises(RoleRefused, match="领导本人的电脑"):
        leader_review.withdraw_action(office, "00000000-0000-0000-0000-000000000000")
    db.role = STAFF
    with pytest.raises(RoleRefused, match="领导本人的电脑"):
        leader_review.withdraw_action(db, "00000000-0000-0000-0000-000000000000")


def test_the_command_line_acts_in_the_profiles_role(
    laptop: tuple[DataLocation, Database], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from mingjing import cli

    location, db = laptop
    db.close()
    code = cli.main(
        ["--data-dir", str(location.data_dir), "ledger", "export", "--out", str(tmp_path)]
    )
    assert code == 3
    assert "只能在办公室的电脑上进行" in capsys.readouterr().err
