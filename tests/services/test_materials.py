"""Every material of the demo unit rendered and read back."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import docx
import pypdf
import pytest

from mingjing.config import DataLocation
from mingjing.fonts import FontRegistry
from mingjing.reports.layout import rule_breaks
from mingjing.services import materials
from mingjing.services.campaign_setup import create_campaign, default_setup
from mingjing.services.errors import DomainError
from mingjing.storage import Database
from mingjing.storage.errors import InputRefused

TODAY = dt.date(2025, 11, 20)


@pytest.fixture(scope="module")
def fonts() -> FontRegistry:
    return FontRegistry.discover()


def lines_of(data: bytes) -> list[tuple[int, float, str]]:
    """(page, font size, text) of each printed line, as drawn on each sheet (a table
    set across a page is read before its page is turned, see GB/T 9704 §10.2)."""
    import pdfplumber
    from pypdf import PdfWriter

    writer = PdfWriter(clone_from=io.BytesIO(data))
    for page in writer.pages:
        page.pop("/Rotate", None)
    drawn = io.BytesIO()
    writer.write(drawn)
    out = []
    with pdfplumber.open(drawn) as pdf:
        for page in pdf.pages:
            rows: dict[int, list[dict[str, object]]] = {}
            for ch in page.chars:
                rows.setdefault(round(float(ch["matrix"][5]) * 4), []).append(ch)  # type: ignore[index]
            for _, chars in sorted(rows.items(), reverse=True):
                chars.sort(key=lambda c: float(c["x0"]))  # type: ignore[arg-type]
                size = max(float(c["size"]) for c in chars)  # type: ignore[arg-type]
                out.append((page.page_number, size, "".join(str(c["text"]) for c in chars)))
    return out


@pytest.mark.parametrize("kind", sorted(materials.KINDS))
def test_every_material_of_the_demo_unit(
    kind: str, ledger_db: Database, fonts: FontRegistry, tmp_path: Path
) -> None:
    pdf = materials.render(
        ledger_db, kind, tmp_path / f"{kind}.pdf", fonts, today=TODAY, member="陈喆"
    )
    assert pdf.pages >= 1 and pdf.missing == ()
    data = pdf.path.read_bytes()
    assert data.startswith(b"%PDF") and len(pdf.sha256) == 64
    lines = lines_of(data)
    body = [text for _, size, text in lines if abs(size - 16) < 0.1]
    assert rule_breaks(body) == [], kind
    assert any(materials.KINDS[kind][:4] in text for _, _, text in lines) or kind in (
        "statement",
        "package",
        "meeting-plan",
        "minutes",
        "disclosure",
    )
    word = materials.render(
        ledger_db, kind, tmp_path / f"{kind}.docx", fonts, today=TODAY, member="陈喆"
    )
    paragraphs = [p.text for p in docx.Document(str(word.path)).paragraphs]
    printed = "".join(text for _, _, text in lines)
    headings = [t for t in paragraphs if t[:2] in ("一、", "二、", "三、", "四、") and len(t) < 27]
    for heading in headings:
        assert heading in printed, heading  # the PDF and the Word file have the same headings


def test_the_statement_says_what_the_member_wrote(
    ledger_db: Database, fonts: FontRegistry, tmp_path: Path
) -> None:
    from mingjing.services.self_check import find_self_check

    cid = materials._campaign_id(ledger_db)
    data = materials.statement_input(ledger_db, cid, "陈喆", TODAY)
    member = materials._member(ledger_db, cid, "陈喆")
    view = find_self_check(ledger_db, cid, str(member.id))
    assert view is not None and view.problems
    assert [p.text for p in data.problems] == [p.text for p in view.problems]
    rendered = materials.write(
        materials.build(ledger_db, "statement", today=TODAY, member="陈喆"),
        tmp_path / "s.pdf",
        fonts,
    )[0]
    # Page numbers left out: an example may run across a page break.
    text = "".join(t for _, _, t in lines_of(rendered.data) if not re.fullmatch(r"— \d+ —", t))
    for problem in view.problems:
        assert problem.examples[:20] in text
    # 陈喆 has not handed in (a draft at the office): said under the title, undated.
    assert view.state.value == "draft"
    assert "（本人尚未提交个人对照检查材料，以下为办公室现有的内容。）" in text
    assert text.rstrip().endswith("陈喆") and "2025年11月20日" not in text


def test_the_package_contents_point_at_the_right_pages(
    ledger_db: Database, fonts: FontRegistry, tmp_path: Path
) -> None:
    document = materials.build(ledger_db, "package", today=TODAY)
    rendered, data = materials.write(document, tmp_path / "汇编.pdf", fonts)
    reader = pypdf.PdfReader(io.BytesIO(data))
    outline = [entry["/Title"] for entry in reader.outline if isinstance(entry, dict)]
    assert outline[0] == "目　　录"
    assert outline[1:] == [s.title for s in document.sections]
    # Page labels: a viewer names a page by the number printed on it.
    assert reader.page_labels[:3] == ["封面", "封面", "1"]
    assert reader.page_labels[-1] == str(len(reader.pages) - 2)
    lines = lines_of(data)
    front = 2  # the cover and its blank back
    for (title, printed), section in zip(rendered.sections, document.sections, strict=True):
        assert printed % 2 == 1, title  # each material starts on a right-hand page
        page_text = "".join(t for p, _, t in lines if p == printed + front)
        first_title = next(b for b in section.blocks if hasattr(b, "text"))
        assert first_title.text[:6] in page_text, title  # type: ignore[attr-defined]
    contents = "".join(t for p, _, t in lines if p == front + 1)
    assert contents.startswith("目")
    # The demo's package is not final (some statements are not handed in): the
    # cover says （征求意见稿）, the contents page why.
    assert document.draft and "（征求意见稿）" in "".join(t for p, _, t in lines if p == 1)
    assert "说明：本汇编为征求意见稿" in contents
    for title, printed in rendered.sections:
        assert f"{title[:8]}" in contents and str(printed) in contents
    # No number on the cover or a blank page.
    for page in range(1, rendered.pages + 1):
        texts = [t for p, _, t in lines if p == page]
        if not texts:
            continue
        numbered = any(t.startswith("—") and t.endswith("—") for t in texts)
        assert numbered == (page > front), page


def test_an_empty_campaign_prints_what_is_missing(
    db: Database, location: DataLocation, fonts: FontRegistry, tmp_path: Path
) -> None:
    create_campaign(db, location, default_setup(TODAY, "青山县林业局"), today=TODAY)
    _rendered, data = materials.write(
        materials.build(db, "package", today=TODAY), tmp_path / "空.pdf", fonts
    )
    text = "".join(t for _, _, t in lines_of(data))
    for said in ("（尚未安排会议。）", "（整改台账中还没有整改事项。）", "（尚未开展集体会诊。）"):
        assert said in text


def test_wrong_requests_are_refused_by_name(
    ledger_db: Database, fonts: FontRegistry, tmp_path: Path
) -> None:
    with pytest.raises(DomainError, match="名单中没有“王小二”"):
        materials.build(ledger_db, "statement", today=TODAY, member="王小二")
    with pytest.raises(DomainError, match="--member"):
        materials.build(ledger_db, "statement", today=TODAY)
    with pytest.raises(DomainError, match="没有“nonsense”这种材料"):
        materials.build(ledger_db, "nonsense", today=TODAY)
    with pytest.raises(InputRefused, match=r"\.pdf 或 \.docx"):
        materials.render(ledger_db, "ledger", tmp_path / "台账.txt", fonts, today=TODAY)
    assert not (tmp_path / "台账.txt").exists()


def test_what_went_out_is_kept_and_checked(
    ledger_db: Database, fonts: FontRegistry, tmp_path: Path
) -> None:
    cid = materials._campaign_id(ledger_db)
    document = materials.build(ledger_db, "ledger", today=TODAY)
    rendered, data = materials.write(document, tmp_path / "台账.pdf", fonts)
    kept_dir = tmp_path / "materials"
    snap = materials.keep_snapshot(
        ledger_db,
        kept_dir,
        cid,
        kind="ledger",
        title=document.title,
        data=data,
        file_format="pdf",
        pages=rendered.pages,
        options="全部整改事项",
    )
    again = materials.keep_snapshot(
        ledger_db,
        kept_dir,
        cid,
        kind="ledger",
        title=document.title,
        data=data,
        file_format="pdf",
        pages=rendered.pages,
    )
    assert snap.sha256 == again.sha256 and len(list(kept_dir.iterdir())) == 1
    listed = materials.list_snapshots(ledger_db, cid)
    assert [s.id for s in listed[:2]] == [again.id, snap.id]
    assert listed[1].made_by == ledger_db.actor and listed[1].options == "全部整改事项"
    path = materials.snapshot_file(ledger_db, kept_dir, snap.id)
    assert path.read_bytes() == data
    assert materials.snapshot_bytes(ledger_db, kept_dir, snap.id) == data
    path.write_bytes(data[:-10] + b"tampered!!")
    with pytest.raises(InputRefused, match="与生成时不一致"):
        materials.snapshot_file(ledger_db, kept_dir, snap.id)
    with pytest.raises(InputRefused, match="与生成时不一致"):
        materials.snapshot_bytes(ledger_db, kept_dir, snap.id)


def test_what_went_out_is_kept_sealed_while_the_data_has_a_password(
    ledger_db: Database, fonts: FontRegistry, tmp_path: Path
) -> None:
    from mingjing.storage import kept, sqlcipher

    cid = materials._campaign_id(ledger_db)
    document = materials.build(ledger_db, "ledger", today=TODAY)
    _rendered, data = materials.write(document, tmp_path / "台账.pdf", fonts)
    kept_dir = tmp_path / "data" / "materials"
    sqlcipher.remember(bytes(range(32)), kept_dir.parent)  # as unlocking does
    try:
        snap = materials.keep_snapshot(
            ledger_db,
            kept_dir,
            cid,
            kind="ledger",
            title=document.title,
            data=data,
            file_format="pdf",
            pages=1,
        )
        (stored,) = kept_dir.iterdir()
        assert kept.is_sealed(stored) and b"%PDF" not in stored.read_bytes()
        assert materials.snapshot_bytes(ledger_db, kept_dir, snap.id) == data
        opened = materials.snapshot_file(ledger_db, kept_dir, snap.id)
        assert opened.read_bytes() == data and opened.name == f"{document.title}.pdf"
        kept.clear_opened()
    finally:
        sqlcipher.forget(kept_dir.parent)


def test_stand_in_faces_are_said() -> None:
    """Without the official faces the materials are set in the bundled ones, and
    the user is told before printing (only missing characters were named)."""
    bare = FontRegistry.discover(system_dirs=[])
    note = materials.standin_note(bare)
    assert "仿宋" in note and "小标宋" in note and "相近字体" in note


def test_last_years_rows_open_the_statements(ledger_db: Database, fonts: FontRegistry) -> None:
    """上年度整改落实情况 from the rows read in from last year's ledger."""
    from sqlalchemy import select

    from mingjing.domain.models import Rectification

    cid = materials._campaign_id(ledger_db)
    assert materials.last_year(ledger_db, cid, None) == ()
    with ledger_db.transaction() as s:
        for row in s.scalars(select(Rectification)):
            row.imported_from = "2024年整改台账.xlsx"
    team = materials.team_statement_input(ledger_db, cid, TODAY)
    (said,) = team.last_year
    assert said.startswith("上年度班子整改事项") and "已整改销号" in said
    document = materials.build(ledger_db, "team-statement", today=TODAY)
    headings = [b.text for b in document.sections[0].blocks if hasattr(b, "level")]
    assert headings[0] == "一、上年度整改落实情况" and headings[1] == "二、查摆的问题"


def test_a_branch_meetings_package_holds_its_members(ledger_db: Database) -> None:
    from mingjing.services import meetings

    cid = materials._campaign_id(ledger_db)
    plan = meetings.plan_meeting(ledger_db, cid, "organizational_life", TODAY)
    members = [m for m in materials._unit_members(ledger_db, cid) if not m.is_leader][:3]
    data = meetings.MeetingInput(
        **{
            **plan.__dict__,
            "branch": "机关第一党支部",
            "attendees": tuple(meetings.Attendee(str(m.id), m.name, "present") for m in members),
        }
    )
    mid = meetings.save_meeting(ledger_db, cid, data)
    document = materials.build(ledger_db, "package", today=TODAY, meeting=mid)
    titles = [s.title for s in document.sections]
    assert "领导班子对照检查材料" not in titles and "领导班子问题清单" not in titles
    assert [t for t in titles if t.startswith("个人对照检查材料")] == [
        f"个人对照检查材料（{m.name}）" for m in members
    ]
    plan_title = document.sections[0].blocks[0].text  # type: ignore[union-attr]
    assert plan_title == "机关第一党支部组织生活会方案"


def _text(section: object) -> str:
    return "\n".join(getattr(b, "text", "") for b in section.blocks)  # type: ignore[attr-defined]


def test_a_leaders_statement_has_talks_and_personal_matters(ledger_db: Database) -> None:
    from mingjing.reports.materials import statement
    from mingjing.services.self_check import find_self_check, set_personal_matters

    cid = materials._campaign_id(ledger_db)
    leader = materials._member(ledger_db, cid, "孙珺")
    view = find_self_check(ledger_db, cid, str(leader.id))
    assert view is not None and view.is_leader
    data = materials.statement_input(ledger_db, cid, "孙珺", TODAY)
    talks = [s for s in view.study if s.form == "talk"]
    assert len(data.talks) == len(talks) >= 4  # the other leaders and two heads
    assert all(s.form != "谈心谈话" for s in data.study)
    text = _text(statement(data))
    assert f"谈心谈话{len(talks)}人次" in text
    assert "与刘志堃同志（党组书记、局长）、" in text  # whom, without a second 与
    # …in the roster's order: the 党组书记 first, then the others by rank.
    leaders = [x.name for x in materials._leaders(ledger_db, cid) if x.name != "孙珺"]
    said = [text.index(name + "同志") for name in leaders]
    assert said == sorted(said)
    assert "主要有：" in text and "学习了" not in text
    assert "、需要说明的个人有关事项\n" + view.personal_matters in text
    # Dated the day it was handed in, not the day it is printed.
    assert view.submitted_at is not None
    assert data.date == view.submitted_at.astimezone().date() != TODAY

    set_personal_matters(ledger_db, view.id, "")
    text = _text(statement(materials.statement_input(ledger_db, cid, "孙珺", TODAY)))
    assert "需要说明的个人有关事项\n（未填写。如没有需要说明的事项，请在自查中写明“无”。）" in text


def test_a_cadres_statement_has_no_personal_matters_section(ledger_db: Database) -> None:
    from mingjing.reports.materials import statement

    cid = materials._campaign_id(ledger_db)
    data = materials.statement_input(ledger_db, cid, "陈喆", TODAY)
    assert data.personal_matters is None
    text = _text(statement(data))
    assert "个人有关事项" not in text
    assert "组织生活会" in text and "谈心谈话" in text


def test_the_team_statement_counts_the_leaders_talks(ledger_db: Database) -> None:
    from mingjing.reports.materials import statement

    cid = materials._campaign_id(ledger_db)
    data = materials.team_statement_input(ledger_db, cid, TODAY)
    leaders = [x.name for x in materials._leaders(ledger_db, cid)]
    expected = sum(
        len(materials.statement_input(ledger_db, cid, name, TODAY).talks) for name in leaders
    )
    assert len(data.talks) == expected > 0
    assert f"班子成员共开展谈心谈话{expected}人次" in _text(statement(data))
    # What became of the opinions about the team is said as it is.
    from mingjing.services.opinions import list_opinions

    about = [o for o in list_opinions(ledger_db, cid) if o.target_kind == "team"]
    taken = sum(1 for o in about if o.problem_id)
    assert data.opinions == len(about) and data.opinions_taken == taken
    said = f"{taken}条已列为问题纳入查摆" if taken else "已逐条梳理研究"
    assert said in _text(statement(data)) and "已逐条认领" not in _text(statement(data))
    assert "个人有关事项" not in _text(statement(data))


def test_next_years_statements_open_with_this_campaigns_ledger(
    ledger_db: Database, tmp_path: Path
) -> None:
    """A campaign after the one in the database reads its 整改台账 for 上年度."""
    from mingjing.config import resolve_location
    from mingjing.services.campaign_setup import current_campaign_id

    old = materials._campaign_id(ledger_db)
    open_lines = materials.ledger_lines(ledger_db, old, TODAY)
    signed = sum(1 for x in open_lines if x.sign_off.startswith("已销号"))
    mine = [x for x in open_lines if x.leader == "孙珺"]
    setup = default_setup(dt.date(2026, 9, 1), "岚川县农业农村局")
    setup = setup.__class__(**{**setup.__dict__, "title": "2026年度作风建设专项行动"})
    create_campaign(
        ledger_db,
        resolve_location(tmp_path / "office"),
        setup,
        today=dt.date(2026, 9, 1),
        another=True,
    )
    new = current_campaign_id(ledger_db)
    assert new is not None and new != old
    said = materials.last_year(ledger_db, new, None)
    (team,) = said
    assert team.startswith(
        f"上年度强化责任担当、认真解决庸政懒政怠政问题专项行动的班子整改事项{len(open_lines)}项，"
        f"目前已整改销号{signed}项"
    ), team
    (own,) = materials.last_year(ledger_db, new, "孙珺")
    assert f"本人牵头负责的整改事项{len(mine)}项" in own
    assert materials.last_year(ledger_db, old, None) == ()  # nothing before the first


def test_what_is_prepared_for_the_meeting_is_dated_no_later_than_it(ledger_db: Database) -> None:
    from mingjing.reports.document import Signature
    from mingjing.services import meetings

    cid = materials._campaign_id(ledger_db)
    plan = meetings.plan_meeting(ledger_db, cid, "democratic_life", TODAY)
    held = TODAY - dt.timedelta(days=3)
    mid = meetings.save_meeting(
        ledger_db, cid, meetings.MeetingInput(**{**plan.__dict__, "held_on": held})
    )
    later = TODAY + dt.timedelta(days=10)

    def signed(kind: str) -> dt.date | None:
        document = materials.build(ledger_db, kind, today=later, meeting=mid)
        return next(b for b in document.sections[0].blocks if isinstance(b, Signature)).date

    assert signed("team-statement") == held
    assert signed("problem-list") == held
    assert signed("opinions") == held
    assert signed("ledger") == later  # the ledger and the notice say where things stand now
    package = materials.build(ledger_db, "package", today=later, meeting=mid)
    dates = {
        s.title: next((b.date for b in s.blocks if isinstance(b, Signature)), None)
        for s in package.sections
    }
    assert dates["领导班子对照检查材料"] == dates["领导班子问题清单"] == held


def test_the_public_notice_says_what_the_public_may_read(ledger_db: Database) -> None:
    from mingjing.reports.document import Para, Table

    cid = materials._campaign_id(ledger_db)
    lines = materials.ledger_lines(ledger_db, cid, TODAY)
    signers = {x.sign_off.split("\n")[-1] for x in lines if x.sign_off.startswith("已销号")}
    assert signers  # the demo has rows signed off, by leaders
    notice = materials.build(ledger_db, "disclosure", today=TODAY).sections[0]
    (table,) = [b for b in notice.blocks if isinstance(b, Table)]
    results = [row[-1] for row in table.rows]
    assert {r.split("（")[0] for r in results} <= {"已整改完成", "已完成，待验收", "正在整改"}
    assert not any(name in r for r in results for name in signers)
    assert not any("本人" in r or "销号" in r for r in results)
    for r in results:  # no deadline already past when the notice goes up
        if due := re.search(r"时限：(\d{4})年(\d{1,2})月(\d{1,2})日", r):
            assert dt.date(*map(int, due.groups())) >= TODAY, r
    text = "\n".join(b.text for b in notice.blocks if isinstance(b, Para))
    assert "公示时间为2025年11月20日至2025年11月26日（5个工作日）" in text  # Thu → Wed
    personal = sum(1 for x in lines if x.personal)
    assert 0 < personal < len(lines)
    assert len(table.rows) == len(lines) - personal  # the team's list and the 会诊's
    assert f"班子成员个人的{personal}项整改事项，按规定在党内通报" in text
    assert not any(row[1].endswith("会诊") for row in table.rows)


def test_the_team_problem_list_names_the_responsible_leaders(ledger_db: Database) -> None:
    cid = materials._campaign_id(ledger_db)
    problems = materials.team_problems(ledger_db, cid, TODAY)
    leaders = {x.name for x in materials._leaders(ledger_db, cid)}
    with_rows = [p for p in problems if p.deadline]  # opened in the ledger
    assert with_rows and all(p.leader for p in with_rows)
    assert all(set(p.leader.split("、")) <= leaders for p in with_rows)


def test_a_statement_returned_for_rework_is_printed_as_such(ledger_db: Database) -> None:
    from sqlalchemy import select

    from mingjing.domain.enums import SelfCheckState
    from mingjing.domain.models import Member, SelfCheck

    cid = materials._campaign_id(ledger_db)
    with ledger_db.read() as s:
        name = s.scalars(
            select(Member.name)
            .join(SelfCheck, SelfCheck.member_id == Member.id)
            .where(SelfCheck.state == SelfCheckState.RETURNED)
        ).first()
    assert name is not None
    data = materials.statement_input(ledger_db, cid, name, TODAY)
    assert data.status_note == "（此稿已退回本人修改，尚未重新提交。）" and data.date is None
