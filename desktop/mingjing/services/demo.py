"""``mingjing demo``: a fictional unit, realistic in every respect.

The words come from ``resources/demo/unit.yaml`` (written like real material,
all of it invented); this module only arranges them into a campaign with
every state the program knows: self-checks in each state, problems from all
five channels, opinions merged and turned into problems, a 会诊 record,
ledger rows in each state including overdue and due soon, an assignment, an
escalation and a 民主生活会 with minutes.

Dates are placed around *today*, so the reminders look right whenever the
demo is made; the campaign year is the one whose September–December run is
current or just past, and years in the prose follow it.

``size="large"`` recombines the same material into 2,000 members with
proportionate data, for benchmarks.
"""

from __future__ import annotations

import calendar
import datetime as dt
import random
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mingjing.domain.enums import (
    AttendanceStatus,
    DeadlineKind,
    EscalationLevel,
    Level,
    MeetingKind,
    OpinionChannel,
    Phase,
    ProblemStatus,
    RectificationState,
    Role,
    SelfCheckState,
    Severity,
    Source,
    StudyForm,
)
from mingjing.domain.models import (
    AgendaItem,
    Answer,
    Assignment,
    Campaign,
    CampaignPhase,
    ChecklistTemplate,
    Consultation,
    ConsultationMeasure,
    Criticism,
    Escalation,
    Item,
    LeadershipTeam,
    Measure,
    Meeting,
    MeetingAttendance,
    Member,
    Opinion,
    Problem,
    ProgressNote,
    Rectification,
    RootCause,
    SelfCheck,
    StudyRecord,
    Unit,
)
from mingjing.domain.text import short_statement
from mingjing.resources import resource_path
from mingjing.services.checklists import builtin_template, install_template
from mingjing.services.consultations import common_problem
from mingjing.services.roles import office
from mingjing.services.roster import responsible_leader
from mingjing.storage import Database
from mingjing.storage.errors import InputRefused

Size = Literal["small", "large"]

TARGET_DATE = re.compile(r"(\d{4})年(\d{1,2})月(?:(\d{1,2})日|底)前")
"""A date a measure's target is due by, as written (2026年1月底前, 2026年3月15日前)."""
LARGE_MEMBERS = 2000
LARGE_LEADERS = 9
Progress = Callable[[int, int], bool]
"""Called with (done, total); returning False cancels (the transaction rolls back)."""


class DemoCancelled(Exception):
    pass


@dataclass(frozen=True)
class DemoResult:
    unit_name: str
    campaign_title: str
    members: int
    problems: int
    rectifications: int


def _campaign_year(today: dt.date) -> int:
    return today.year if today.month >= 9 else today.year - 1


def load_content(year: int) -> dict[str, Any]:
    """The content bank with its years moved to the campaign ``year``."""
    raw = resource_path("demo", "unit.yaml").read_text(encoding="utf-8")
    shift = year - 2025
    if shift:
        raw = re.sub(r"(?<!\d)(202[3-7])(?!\d)", lambda m: str(int(m.group(1)) + shift), raw)
    data: dict[str, Any] = yaml.safe_load(raw)
    return data


def database_is_empty(session: Session) -> bool:
    return not session.scalar(select(func.count()).select_from(Unit))


class _Builder:
    """Arranges the content bank into rows; one instance per demo run."""

    def __init__(
        self, session: Session, content: dict[str, Any], today: dt.date, rng: random.Random
    ) -> None:
        self.s = session
        self.c = content
        self.today = today
        self.rng = rng
        self.year = _campaign_year(today)
        self.items: dict[str, Item] = {}
        self.item_area: dict[str, Any] = {}
        self.by_position: dict[str, Member] = {}
        self.leaders: list[Member] = []
        self.staff: list[Member] = []
        self._example_cycle: dict[str, Iterator[str]] = {}

    # ------------------------------------------------------------- helpers

    def day(self, offset: int) -> dt.date:
        return self.today + dt.timedelta(days=offset)

    def at(self, offset_days: int) -> dt.datetime:
        base = dt.datetime.combine(self.day(offset_days), dt.time(9, 30), tzinfo=dt.UTC)
        return base + dt.timedelta(minutes=self.rng.randint(0, 480))

    def example(self, item_key: str, *, leader: bool = False) -> str:
        """An example for the item; a leader's is never one told from below
        (股长让我…, 局领导审稿时…), so a 副局长's statement reads as a leader's."""
        pool = self.c["examples"][item_key]
        key = item_key
        if leader:
            own = [x for x in pool if not any(w in x for w in _FROM_BELOW)]
            if own and len(own) < len(pool):
                pool, key = own, f"{item_key}#leader"
        if key not in self._example_cycle:
            self._example_cycle[key] = _cycle_shuffled(pool, self.rng)
        return next(self._example_cycle[key])

    def member_at(self, position: str) -> Member:
        try:
            return self.by_position[position]
        except KeyError:
            raise ValueError(f"demo content names an unknown position: {position}") from None

    # --------------------------------------------------------------- build

    def template(self) -> ChecklistTemplate:
        row = install_template(self.s, builtin_template())
        for area in row.areas:
            for item in area.items:
                self.items[item.key] = item
                self.item_area[item.key] = area
        return row

    def unit_and_campaign(self, template: ChecklistTemplate) -> tuple[Unit, Campaign]:
        u = self.c["unit"]
        unit = Unit(name=u["name"], short_name=u["short_name"], party_body=u["party_body"])
        unit.team = LeadershipTeam(name=f"{u['short_name']}领导班子")
        self.s.add(unit)
        c = self.c["campaign"]
        start, end = dt.date(self.year, 9, 1), dt.date(self.year, 12, 31)
        campaign = Campaign(
            unit=unit,
            template=template,
            title=c["title"],
            doc_number=c["doc_number"],
            start_date=start,
            end_date=end,
        )
        bounds = [
            (Phase.STUDY, start, dt.date(self.year, 9, 30)),
            (Phase.EXAMINE, dt.date(self.year, 10, 1), dt.date(self.year, 10, 31)),
            (Phase.RECTIFY, dt.date(self.year, 11, 1), dt.date(self.year, 12, 15)),
            (Phase.INSTITUTIONALIZE, dt.date(self.year, 12, 16), end),
        ]
        campaign.current_phase = Phase.RECTIFY
        for ordinal, (phase, p_start, p_end) in enumerate(bounds, 1):
            campaign.phases.append(
                CampaignPhase(phase=phase, ordinal=ordinal, start_date=p_start, end_date=p_end)
            )
            if p_start <= self.today <= p_end:
                campaign.current_phase = phase
        self.s.add(campaign)
        self.s.flush()
        return unit, campaign

    def roster(self, unit: Unit, size: Size) -> list[Member]:
        members: list[Member] = []
        for order, m in enumerate(self.c["members"]):
            member = Member(
                unit=unit,
                name=m["name"],
                gender=m.get("gender", ""),
                position=m["position"],
                department=m["department"],
                is_leader=bool(m.get("is_leader")),
                is_party_secretary=bool(m.get("is_party_secretary")),
                supervises=m.get("supervises", "") or "",
                role=Role(m.get("role", "staff")),
                sort_order=order,
            )
            members.append(member)
            # “办公室主任、机关党支部书记” is found as either post.
            for post in (member.position, *member.position.split("、")):
                self.by_position.setdefault(post, member)
        if size == "large":
            members.extend(self._large_roster(unit, start=len(members)))
        self.s.add_all(members)
        self.s.flush()
        self.leaders = [m for m in members if m.is_leader]
        self.staff = [m for m in members if not m.is_leader]
        return members

    def _large_roster(self, unit: Unit, start: int) -> list[Member]:
        surnames: list[str] = self.c["surnames"]
        given: list[str] = self.c["given_names"]
        positions: list[str] = self.c["positions_staff"]
        departments: list[str] = self.c["departments"]
        taken = {m["name"] for m in self.c["members"]}
        out: list[Member] = []
        extra_leaders = LARGE_LEADERS - sum(1 for m in self.c["members"] if m.get("is_leader"))
        while len(out) + start < LARGE_MEMBERS:
            name = self.rng.choice(surnames) + self.rng.choice(given)
            if name in taken:
                continue
            taken.add(name)
            is_leader = len(out) < extra_leaders
            dept = self.rng.choice(departments)
            out.append(
                Member(
                    unit=unit,
                    name=name,
                    gender=self.rng.choice("男女"),
                    position="党组成员、副局长" if is_leader else self.rng.choice(positions),
                    department="局领导" if is_leader else dept,
                    is_leader=is_leader,
                    supervises=f"分管{dept}" if is_leader else "",
                    role=Role.LEADER if is_leader else Role.STAFF,
                    sort_order=start + len(out),
                )
            )
        return out

    def self_checks(
        self, campaign: Campaign, members: list[Member], progress: Progress | None
    ) -> list[tuple[Member, SelfCheck]]:
        """Each member's checklist, in a spread of states; one member has not started."""
        states = [
            SelfCheckState.ACCEPTED,
            SelfCheckState.SUBMITTED,
            SelfCheckState.ACCEPTED,
            SelfCheckState.DRAFT,
            SelfCheckState.RETURNED,
            SelfCheckState.SUBMITTED,
            SelfCheckState.ACCEPTED,
            SelfCheckState.DRAFT,
        ]
        reviewer = next((m for m in members if m.role is Role.SECRETARY), members[0])
        result: list[tuple[Member, SelfCheck]] = []
        item_keys = list(self.items)
        total = len(members)
        for index, member in enumerate(members):
            if index == total - 1:
                break  # the last member has not started: the remind list is never empty
            state = states[index % len(states)]
            check = SelfCheck(campaign=campaign, member=member, state=state)
            answered = (
                item_keys if state is not SelfCheckState.DRAFT else item_keys[: 9 + index % 9]
            )
            for key in answered:
                level = self.rng.choices(
                    [Level.NONE, Level.SLIGHT, Level.NOTABLE, Level.SERIOUS], [50, 30, 15, 5]
                )[0]
                example = (
                    self.example(key, leader=member.is_leader) if level is not Level.NONE else ""
                )
                check.answers.append(Answer(item=self.items[key], level=level, example=example))
            for record in self.rng.sample(self.c["study_records"], k=3):
                check.study_records.append(
                    StudyRecord(
                        studied_on=self.day(-self.rng.randint(40, 80)),
                        form=StudyForm.from_label(record["form"]),
                        topic=record["topic"],
                        hours=float(record["hours"]),
                        note=record["note"],
                    )
                )
            self.talks(check, member, members, index)
            if state is not SelfCheckState.DRAFT:
                check.submitted_at = self.at(-self.rng.randint(10, 30))
                check.submission_revision = 1 + index % 2
            if state in (SelfCheckState.ACCEPTED, SelfCheckState.RETURNED):
                check.reviewed_at = self.at(-self.rng.randint(3, 9))
                check.reviewer = reviewer
            if state is SelfCheckState.RETURNED:
                check.review_comment = (
                    "查摆的问题多为清单原话，缺少具体事例，请对照自查表逐条补充"
                    "时间、地点和具体事项，原因剖析要从思想根源上深挖，于3日内重新提交。"
                )
            self.s.add(check)
            result.append((member, check))
            if progress and index % 50 == 0 and not progress(index, total):
                raise DemoCancelled
            if index % 200 == 199:
                self.s.flush()
        self.s.flush()
        return result

    def talks(self, check: SelfCheck, member: Member, members: list[Member], index: int) -> None:
        """谈心谈话 before the meeting: a leader with the other leaders and two
        department heads, anyone else with one or two colleagues. Its own
        random stream, so the rest of the demo stays as it was."""
        rng = random.Random(index * 7919 + 17)
        leaders = [x for x in members[:40] if x.is_leader and x is not member]
        others = [x for x in members[:60] if not x.is_leader and x is not member]
        if member.is_leader:
            partners = leaders + rng.sample(others, k=min(2, len(others)))
            check.personal_matters = self.c["personal_matters"][
                index % len(self.c["personal_matters"])
            ]
        else:
            partners = rng.sample(leaders + others, k=min(1 + index % 2, len(leaders + others)))
        points: list[str] = self.c["talk_points"]
        for partner in partners:
            who = f"与{partner.name}同志" + (f"（{partner.position}）" if partner.position else "")
            check.study_records.append(
                StudyRecord(
                    studied_on=self.day(-rng.randint(15, 35)),
                    form=StudyForm.TALK,
                    topic=who,
                    hours=None,
                    note=rng.choice(points),
                )
            )

    def member_problems(
        self, campaign: Campaign, checks: list[tuple[Member, SelfCheck]]
    ) -> list[Problem]:
        problems: list[Problem] = []
        causes: dict[str, list[str]] = self.c["root_causes"]
        categories = list(causes)
        for member, check in checks:
            raised = [a for a in check.answers if a.level in (Level.NOTABLE, Level.SERIOUS)]
            if not raised:
                raised = [a for a in check.answers if a.level is Level.SLIGHT][:1]
            for order, answer in enumerate(raised[:4]):
                key = answer.item.key
                area = self.item_area[key]
                problem = Problem(
                    campaign=campaign,
                    owner_member=member,
                    area=area,
                    item=answer.item,
                    text=short_statement(answer.item.text),
                    examples=answer.example,
                    severity=Severity.NOTABLE
                    if answer.level is Level.SERIOUS
                    else Severity.GENERAL,
                    source=Source.SELF,
                    sort_order=order,
                    # The member's own, as if from their laptop: a hand-in replaces them.
                    submission_revision=check.submission_revision,
                )
                category = categories[(order + len(problems)) % len(categories)]
                problem.root_causes.append(
                    RootCause(
                        campaign=campaign,
                        member=member,
                        category=category,
                        text=self.rng.choice(causes[category]),
                    )
                )
                chosen = self.rng.choice(self.measures_for(area.key, key))
                problem.measures.append(
                    Measure(
                        ordinal=1,
                        text=chosen["text"],
                        target=chosen["target"],
                        deadline=self.deadline_of(chosen["target"], self.rng.randint(-20, 45)),
                    )
                )
                problems.append(problem)
            overall = [self.rng.choice(causes[c]) for c in self.rng.sample(categories, k=2)]
            check.overall_analysis = "\n".join(overall)
        self.s.add_all(problems)
        self.s.flush()
        return problems

    def measures_for(self, area_key: str, item_key: str) -> list[dict[str, Any]]:
        """The content's measures that answer problems of this checklist item
        (those of its area if none names it): a measure fits its problem."""
        pool: list[dict[str, Any]] = self.c["measures"][area_key]
        return [m for m in pool if item_key in m.get("items", ())] or pool

    def deadline_of(self, target: str, otherwise: int) -> dt.date:
        """The date a measure's target names (2026年1月底前 → 31 January), so the
        deadline never falls before the target; else ``otherwise`` days from today."""
        match = TARGET_DATE.search(target)
        if match is None:
            return self.day(otherwise)
        year, month = int(match.group(1)), int(match.group(2))
        if match.group(3):
            return dt.date(year, month, int(match.group(3)))
        return dt.date(year, month, calendar.monthrange(year, month)[1])

    def progress_of(self, measure: str) -> list[str]:
        """Progress notes written for this measure in the content (none for others)."""
        for pool in self.c["measures"].values():
            for m in pool:
                if m["text"] == measure:
                    return list(m.get("progress", ()))
        return []

    def team_problems(self, campaign: Campaign, team: LeadershipTeam) -> list[Problem]:
        problems: list[Problem] = []
        team_causes: dict[str, list[str]] = self.c["team_root_causes"]
        for order, tp in enumerate(self.c["team_problems"]):
            item = self.items.get(tp.get("item") or "")
            area = self.item_area[item.key] if item else _area_by_key(self.items, tp["area"])
            problem = Problem(
                campaign=campaign,
                owner_team=team,
                area=area,
                item=item,
                text=tp["text"],
                examples=tp["example"],
                source=Source(tp["source"]),
                severity=Severity.NOTABLE if order % 3 == 0 else Severity.GENERAL,
                sort_order=order,
            )
            category = list(team_causes)[order % len(team_causes)]
            problem.root_causes.append(
                RootCause(
                    campaign=campaign,
                    team_id=team.id,
                    category=category,
                    text=team_causes[category][order % len(team_causes[category])],
                )
            )
            fitting = self.measures_for(area.key, item.key if item else "")
            chosen = fitting[order % len(fitting)]
            problem.measures.append(
                Measure(ordinal=1, text=chosen["text"], target=chosen["target"])
            )
            problems.append(problem)
        self.s.add_all(problems)
        self.s.flush()
        return problems

    def opinions(self, campaign: Campaign, team: LeadershipTeam, copies: int = 1) -> list[Opinion]:
        """Opinions as gathered; near-duplicates merged, some turned into problems."""
        rows: list[Opinion] = []
        for copy in range(copies):
            first_of_area_target: dict[tuple[str, str], Opinion] = {}
            for index, op in enumerate(self.c["opinions"]):
                target = op["target"]
                opinion = Opinion(
                    campaign=campaign,
                    channel=OpinionChannel(op["channel"]),
                    area=_area_by_key(self.items, op["area"]),
                    text=op["text"],
                    received_on=self.day(-60 - (index * 7 + copy * 3) % 25),
                )
                if target == "team":
                    opinion.target_team = team
                else:
                    opinion.target_member = self.member_at(target)
                key = (op["area"], target)
                if key in first_of_area_target:
                    opinion.merged_into_id = first_of_area_target[key].id
                else:
                    opinion.id = uuid.uuid4()
                    first_of_area_target[key] = opinion
                rows.append(opinion)
        # Anonymity: the stored order must not reveal the order of entry. Opinions
        # that others were merged into are written first (the reference needs them).
        primary = [r for r in rows if r.merged_into_id is None]
        merged = [r for r in rows if r.merged_into_id is not None]
        for batch in (primary, merged):
            self.rng.shuffle(batch)
            self.s.add_all(batch)
            self.s.flush()
        return primary + merged

    def problems_from_opinions(
        self, campaign: Campaign, opinions: list[Opinion], limit: int
    ) -> list[Problem]:
        made: list[Problem] = []
        for opinion in opinions:
            if len(made) >= limit:
                break
            if opinion.merged_into_id is not None or opinion.problem_id is not None:
                continue
            problem = Problem(
                campaign=campaign,
                owner_member=opinion.target_member,
                owner_team=opinion.target_team,
                area=opinion.area,
                text=short_statement(opinion.text),
                examples=opinion.text,
                source=Source.MASSES,
                sort_order=90 + len(made),
            )
            self.s.add(problem)
            self.s.flush()
            opinion.problem_id = problem.id
            made.append(problem)
        return made

    def consultation(
        self, campaign: Campaign, problems: list[Problem], host: Member
    ) -> Consultation:
        spec = self.c["consultation"]
        keys = set(spec["problems"])
        common = [p for p in problems if p.item is not None and p.item.key in keys]
        for p in common:
            p.is_common = True
        consult = Consultation(
            campaign=campaign,
            held_on=self.day(-21),
            place=spec["place"],
            topic=spec["topic"],
            host=host,
            diagnosis=spec["diagnosis"],
        )
        consult.participants = list(self.leaders) + self.staff[:3]
        consult.problems = common[:12]
        for ordinal, m in enumerate(spec["measures"], 1):
            consult.measures.append(
                ConsultationMeasure(
                    ordinal=ordinal,
                    text=m["text"],
                    owner=self.member_at(m["owner_position"]),
                    deadline=self.day(-5 + ordinal * 9),
                )
            )
        collective = Problem(
            campaign=campaign,
            owner_team=campaign.unit.team,
            area=common[0].area if common else None,
            item=common[0].item if common else None,
            text=spec["topic"],
            examples=spec["diagnosis"],
            source=Source.COLLECTIVE,
            is_common=True,
            sort_order=80,
        )
        self.s.add_all([consult, collective])
        self.s.flush()
        return consult

    def ledger(
        self,
        campaign: Campaign,
        problems: list[Problem],
        consult: Consultation,
        secretary: Member,
    ) -> list[Rectification]:
        """Ledger rows in every state, with overdue and due-soon rows among them."""
        notes: list[str] = self.c["progress_notes"]
        outcomes: list[str] = self.c["institutional_outcomes"]
        plan: list[tuple[RectificationState, int | DeadlineKind]] = [
            # (state, deadline offset in days or kind)
            (RectificationState.SIGNED_OFF, -30),
            (RectificationState.IN_PROGRESS, -6),  # overdue
            (RectificationState.IN_PROGRESS, 2),  # due in 3 days
            (RectificationState.PENDING, 6),  # due in 7 days
            (RectificationState.AWAITING_SIGN_OFF, -2),
            (RectificationState.IN_PROGRESS, 25),
            (RectificationState.PENDING, -3),  # overdue, never started
            (RectificationState.IN_PROGRESS, DeadlineKind.ONGOING),
            (RectificationState.SIGNED_OFF, DeadlineKind.IMMEDIATE),
            (RectificationState.IN_PROGRESS, 40),
        ]
        rows: list[Rectification] = []
        signer = (
            next(m for m in self.leaders if m.is_party_secretary)
            if any(m.is_party_secretary for m in self.leaders)
            else self.leaders[0]
        )
        for serial, problem in enumerate(problems, 1):
            state, when = plan[(serial - 1) % len(plan)]
            measure = problem.measures[0] if problem.measures else None
            owner = problem.owner_member
            leader = self.leaders[serial % len(self.leaders)]
            if owner is not None and owner.is_leader:
                leader = owner
            row = Rectification(
                campaign=campaign,
                serial=serial,
                problem=problem,
                problem_text=problem.text,
                area_label=problem.area.title if problem.area else "",
                source_label=problem.source.label,
                measure=measure.text if measure else "制定专项整改方案，逐项明确责任人和完成时限。",
                target=measure.target if measure else "问题得到根本解决，群众满意。",
                responsible_leader=leader,
                responsible_department=owner.department if owner else "办公室",
                cooperating_departments="" if serial % 3 else "办公室、人事股",
                owner=owner or leader,
                state=state,
            )
            if isinstance(when, DeadlineKind):
                row.deadline_kind = when
            else:
                row.deadline = self.day(when)
                # The plan sets the deadline (a row overdue, one due soon…): a
                # target naming a later date would contradict it, so it goes.
                if self.deadline_of(row.target, when) > row.deadline:
                    row.target = TARGET_DATE.sub("", row.target, count=1)
            started = state is not RectificationState.PENDING
            final = state in (RectificationState.AWAITING_SIGN_OFF, RectificationState.SIGNED_OFF)
            if started:
                # Oldest first: the plan made, then the measure's own progress,
                # then (when done) the papers sent for 销号.
                final = state in (
                    RectificationState.AWAITING_SIGN_OFF,
                    RectificationState.SIGNED_OFF,
                )
                own = self.progress_of(row.measure)
                written = [notes[0], notes[1], *own] + ([notes[2]] if final else [])
                count = min(len(written), max(1 + serial % 3, len(own) + final))
                for k, text in enumerate(written[-count:]):
                    row.progress_notes.append(
                        ProgressNote(
                            noted_on=self.day(-40 + k * 12 + serial % 5),
                            text=text,
                            author=row.owner,
                        )
                    )
            if final:
                row.completed_at = self.at(-12)
            if state is RectificationState.SIGNED_OFF:
                row.signed_off_by = signer
                row.signed_off_at = self.at(-4)
                row.sign_off_note = "经核查，整改措施已落实到位，佐证材料齐全，同意销号。"
                row.institutional_outcome = outcomes[serial % len(outcomes)]
                row.institutional_outcome_on = self.day(-8)
                problem.status = ProblemStatus.CLOSED
            else:
                problem.status = ProblemStatus.IN_LEDGER
            rows.append(row)
        base = len(rows)
        for offset, measure_row in enumerate(consult.measures, 1):
            rows.append(
                Rectification(
                    campaign=campaign,
                    serial=base + offset,
                    consultation_measure_id=measure_row.id,
                    problem_text=common_problem(consult.topic),
                    source_label=Source.COLLECTIVE.label,
                    measure=measure_row.text,
                    target="共性问题在全局范围内得到纠正，形成长效机制。",
                    responsible_leader=responsible_leader(measure_row.owner, self.leaders, signer),
                    responsible_department=measure_row.owner.department
                    if measure_row.owner
                    else "办公室",
                    owner=measure_row.owner,
                    deadline=measure_row.deadline,
                    state=RectificationState.IN_PROGRESS,
                )
            )
        self.s.add_all(rows)
        self.s.flush()
        return rows

    def assignment_and_escalation(
        self, campaign: Campaign, rows: list[Rectification], secretary: Member
    ) -> None:
        overdue = [r for r in rows if r.is_overdue(self.today)]
        open_rows = [
            r
            for r in rows
            if r.state in (RectificationState.PENDING, RectificationState.IN_PROGRESS)
        ]
        chosen = (overdue + open_rows)[:3]
        if chosen:
            dept = chosen[0].responsible_department
            slip = Assignment(
                campaign=campaign,
                number=f"整改交办〔{self.year}〕1号",
                issued_by=secretary,
                issued_to_department=dept,
                issued_on=self.day(-18),
                due_date=self.day(-2),
                received_on=self.day(-17),
                note="请对照交办事项逐项整改，按时报送整改进展和佐证材料。",
            )
            slip.rectifications = chosen
            self.s.add(slip)
        reasons: dict[str, list[str]] = self.c["escalation_reasons"]
        for row in overdue[:1]:
            if row.owner is None:
                continue
            self.s.add(
                Escalation(
                    campaign=campaign,
                    member=row.owner,
                    rectification_id=row.id,
                    level=EscalationLevel.REMIND,
                    on_date=self.day(-3),
                    by=next(m for m in self.leaders if m.is_party_secretary)
                    if any(m.is_party_secretary for m in self.leaders)
                    else self.leaders[0],
                    reason=reasons["remind"][0],
                )
            )
        self.s.flush()

    def meeting(self, campaign: Campaign, secretary: Member) -> Meeting:
        spec = self.c["meeting"]
        host = next((m for m in self.leaders if m.is_party_secretary), self.leaders[0])
        held_on = min(self.day(-7), campaign.end_date or self.day(-7))
        meeting = Meeting(
            campaign=campaign,
            kind=MeetingKind.DEMOCRATIC_LIFE,
            # Planned two weeks ahead: the record made then, the 方案 dated then.
            created_at=dt.datetime.combine(
                held_on - dt.timedelta(days=14), dt.time(9, 0), tzinfo=dt.UTC
            ),
            planned_on=held_on - dt.timedelta(days=14),
            theme=spec["theme"],
            held_on=held_on,
            place=spec["place"],
            host=host,
            recorder=secretary,
            follow_up=spec["follow_up"],
        )
        absent = spec.get("absent") or {}
        for leader in self.leaders:
            if leader.position == absent.get("position"):
                meeting.attendance.append(
                    MeetingAttendance(
                        member=leader, status=AttendanceStatus.ABSENT, reason=absent["reason"]
                    )
                )
            else:
                meeting.attendance.append(
                    MeetingAttendance(member=leader, status=AttendanceStatus.PRESENT)
                )
        for observer in spec.get("observers", []):
            title, _, name = str(observer).rpartition(" ")
            meeting.attendance.append(
                MeetingAttendance(
                    name=name or str(observer), title=title, status=AttendanceStatus.OBSERVER
                )
            )
        meeting.attendance.append(
            MeetingAttendance(member=secretary, status=AttendanceStatus.OBSERVER, reason="记录")
        )
        for ordinal, agenda in enumerate(spec["agenda"], 1):
            meeting.agenda.append(
                AgendaItem(ordinal=ordinal, title=agenda["title"], minutes=agenda["minutes"])
            )
        for ordinal, crit in enumerate(spec["criticisms"], 1):
            meeting.criticisms.append(
                Criticism(
                    ordinal=ordinal,
                    from_member=self.member_at(crit["from"]),
                    to_member=self.member_at(crit["to"]),
                    text=crit["text"],
                    response=crit["response"],
                )
            )
        self.s.add(meeting)
        self.s.flush()
        return meeting


_FROM_BELOW = ("股长", "局领导", "局长", "局里安排我", "股室安排我", "分管领导", "领导审稿")
"""Words of an example told by someone with a superior in the unit."""


def _cycle_shuffled(pool: list[str], rng: random.Random) -> Iterator[str]:
    while True:
        batch = list(pool)
        rng.shuffle(batch)
        yield from batch


def _area_by_key(items: dict[str, Item], area_key: str) -> Any:
    for item in items.values():
        if item.area.key == area_key:
            return item.area
    raise ValueError(f"demo content names an unknown area: {area_key}")


@office
def create_demo(
    db: Database,
    *,
    size: Size = "small",
    force: bool = False,
    today: dt.date | None = None,
    seed: int = 2015,
    progress: Progress | None = None,
) -> DemoResult:
    """Build the demo unit in one transaction.

    Refuses a database that already holds a unit unless ``force`` — then the
    demo unit is added beside the existing data (nothing is deleted; the
    audit trail stays append-only).
    """
    today = today or dt.date.today()
    rng = random.Random(seed)
    with db.transaction() as session:
        if not force and not database_is_empty(session):
            raise InputRefused(
                "数据库中已有数据，为避免混淆没有生成示例单位。"
                "如确需在现有数据旁再添加一个示例单位，请加 --force。"
            )
        b = _Builder(session, load_content(_campaign_year(today)), today, rng)
        template = b.template()
        unit, campaign = b.unit_and_campaign(template)
        members = b.roster(unit, size)
        secretary = next((m for m in members if m.role is Role.SECRETARY), members[0])
        checks = b.self_checks(campaign, members, progress)
        problems = b.member_problems(campaign, checks)
        assert unit.team is not None
        team_problems = b.team_problems(campaign, unit.team)
        copies = 1 if size == "small" else max(1, len(members) // 40)
        opinions = b.opinions(campaign, unit.team, copies=copies)
        masses = b.problems_from_opinions(campaign, opinions, limit=4 if size == "small" else 200)
        superior, peers = _more_channels(b, campaign, members)
        consult = b.consultation(campaign, problems, secretary)
        if size == "small":
            ledger_problems = team_problems + problems[:12] + masses[:2] + superior + peers
        else:
            ledger_problems = team_problems + problems + masses + superior + peers
        rows = b.ledger(campaign, ledger_problems, consult, secretary)
        b.assignment_and_escalation(campaign, rows, secretary)
        b.meeting(campaign, secretary)
        if progress is not None and not progress(1, 1):
            raise DemoCancelled
        all_problems = len(problems) + len(team_problems) + len(masses) + len(superior)
        all_problems += len(peers) + 1
        return DemoResult(
            unit_name=unit.name,
            campaign_title=campaign.title,
            members=len(members),
            problems=all_problems,
            rectifications=len(rows),
        )


def _more_channels(
    b: _Builder, campaign: Campaign, members: list[Member]
) -> tuple[list[Problem], list[Problem]]:
    """上级点 problems from the party secretary, 互相帮 from the meeting's criticisms."""
    superior: list[Problem] = []
    secretary_of_party = next((m for m in b.leaders if m.is_party_secretary), b.leaders[0])
    for order, leader in enumerate(m for m in b.leaders if m is not secretary_of_party):
        crit = next((c for c in b.c["meeting"]["criticisms"] if c["to"] == leader.position), None)
        if crit is None:
            continue
        text = crit["text"]
        source = Source.SUPERIOR if crit["from"] == secretary_of_party.position else Source.PEERS
        problem = Problem(
            campaign=campaign,
            owner_member=leader,
            area=_area_by_key(
                b.items, b.c["team_problems"][order % len(b.c["team_problems"])]["area"]
            ),
            # As the member took it in, in their own words, not the critic's “你”.
            text=crit.get("problem") or short_statement(text),
            examples=crit.get("example") or text,
            source=source,
            sort_order=70 + order,
        )
        superior.append(problem)
    b.s.add_all(superior)
    b.s.flush()
    peers = [p for p in superior if p.source is Source.PEERS]
    superior = [p for p in superior if p.source is Source.SUPERIOR]
    if not peers and superior:
        superior[-1].source = Source.PEERS
        peers = [superior.pop()]
    if not superior and peers:
        peers[0].source = Source.SUPERIOR
        superior = [peers.pop(0)]
    return superior, peers
