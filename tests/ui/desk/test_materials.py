"""会议材料 page: a material laid out in the background, previewed, printed and
saved (PDF and Word), kept as it went out; a meeting planned and recorded."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import docx
import pytest
from PySide6.QtPrintSupport import QPrinter
from pytestqt.qtbot import QtBot

from mingjing.services import materials
from mingjing.services.workspace import Workspace
from mingjing.ui.desk.materials import Made, MaterialsTab
from mingjing.ui.desk.meetings import MeetingsTab
from mingjing.ui.desk.snapshots import SnapshotsTab
from mingjing.ui.tasks import wait_for_tasks


@pytest.fixture
def tab(demo_workspace: Workspace, open_tab: Any) -> MaterialsTab:
    widget: MaterialsTab = open_tab(demo_workspace, MaterialsTab, "生成材料")
    return widget


def choose(tab: MaterialsTab, kind: str) -> None:
    row = next(
        n for n in range(tab.kinds.count()) if tab.kinds.item(n).text() == materials.KINDS[kind]
    )
    tab.kinds.setCurrentRow(row)


def made(qtbot: QtBot, tab: MaterialsTab, kind: str) -> Made:
    qtbot.waitUntil(lambda: tab.made is not None and tab.made.kind == kind, timeout=60_000)
    assert tab.made is not None
    return tab.made


def test_preview_save_and_keep(
    qtbot: QtBot,
    tab: MaterialsTab,
    demo_workspace: Workspace,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    choose(tab, "statement")
    assert tab.member.isEnabled() and not tab.anonymise.isEnabled()
    assert tab.member.count() == 12
    tab.member.setCurrentIndex(tab.member.findData("陈喆"))
    tab.preview_button.click()
    statement = made(qtbot, tab, "statement")
    assert statement.pages >= 2 and statement.missing == ()
    assert "陈喆" in statement.options
    qtbot.waitUntil(
        lambda: tab.preview.page.pixmap() is not None and not tab.preview.page.pixmap().isNull(),
        timeout=10_000,
    )
    assert tab.preview.where.text() == f"第 1 / {statement.pages} 页"
    tab.preview.next_button.click()
    assert tab.preview.index == 1
    assert "共" in tab.status.text()

    out = tmp_path / "材料"
    monkeypatch.setattr(
        MaterialsTab, "ask_save_file", classmethod(lambda c, p, s, f: str(out / f"陈喆.{f}"))
    )
    # (Waiting from the click on: the material may be kept before the file is seen.)
    with qtbot.wait_signal(tab.kept, timeout=10_000):
        tab.pdf_button.click()  # the laid-out material is saved, not laid out again
        qtbot.waitUntil(lambda: (out / "陈喆.pdf").exists(), timeout=10_000)
    assert (out / "陈喆.pdf").read_bytes() == statement.pdf
    tab.docx_button.click()
    qtbot.waitUntil(lambda: (out / "陈喆.docx").exists(), timeout=10_000)
    word = docx.Document(str(out / "陈喆.docx"))
    assert "个人对照检查材料" in [p.text for p in word.paragraphs]
    wait_for_tasks()
    kept = materials.list_snapshots(demo_workspace.db, tab.context.campaign_id)  # type: ignore[union-attr]
    assert {s.file_format for s in kept[:2]} == {"pdf", "docx"}
    assert all(s.kind == "statement" for s in kept[:2])


def test_printing_sends_every_page(
    qtbot: QtBot, tab: MaterialsTab, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    choose(tab, "ledger")
    printed = tmp_path / "打印.pdf"

    def printer(cls: object, parent: object) -> QPrinter:
        p = QPrinter(QPrinter.PrinterMode.ScreenResolution)
        p.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        p.setOutputFileName(str(printed))
        p.setFullPage(True)
        return p

    monkeypatch.setattr(MaterialsTab, "ask_printer", classmethod(printer))
    tab.print_button.click()  # lays out first, then prints
    ledger = made(qtbot, tab, "ledger")
    qtbot.waitUntil(lambda: "已送打印机" in tab.status.text(), timeout=60_000)
    assert tab.status.text() == f"已送打印机 {ledger.pages} 页。"
    import pypdf

    assert len(pypdf.PdfReader(str(printed)).pages) == ledger.pages


def test_snapshots_listed_and_checked(
    qtbot: QtBot, demo_workspace: Workspace, open_tab: Any, qtmodeltester: Any, tmp_path: Path
) -> None:
    from mingjing.fonts import FontRegistry

    cid = materials._campaign_id(demo_workspace.db)
    document = materials.build(
        demo_workspace.db, "disclosure", today=__import__("datetime").date.today()
    )
    rendered, data = materials.write(document, tmp_path / "公示.pdf", FontRegistry.discover())
    materials.keep_snapshot(
        demo_workspace.db,
        demo_workspace.location.materials_dir,
        cid,
        kind="disclosure",
        title=document.title,
        data=data,
        file_format="pdf",
        pages=rendered.pages,
    )
    snaps: SnapshotsTab = open_tab(demo_workspace, SnapshotsTab, "留存记录")
    qtmodeltester.check(snaps.model)
    assert snaps.model.rowCount() == 1
    assert snaps.model.index(0, 1).data() == document.title
    snaps.table.selectRow(0)
    snaps.show_selected()
    qtbot.waitUntil(lambda: snaps.preview.pages == rendered.pages, timeout=10_000)


def test_a_meeting_planned_and_recorded(
    qtbot: QtBot, demo_workspace: Workspace, open_tab: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    meetings_tab: MeetingsTab = open_tab(demo_workspace, MeetingsTab, "会议记录")
    before = len(meetings_tab.views)
    seen: list[Any] = []

    def answer(cls: object, parent: object, data: Any, members: Any) -> Any:
        seen.append(data)
        from mingjing.services.meetings import MeetingInput

        return MeetingInput(**{**data.__dict__, "place": "三楼会议室", "follow_up": "限期整改。"})

    monkeypatch.setattr(MeetingsTab, "ask_record", classmethod(answer))
    with qtbot.wait_signal(meetings_tab.saved, timeout=10_000):
        meetings_tab.new_branch.click()
    qtbot.waitUntil(lambda: len(meetings_tab.views) == before + 1, timeout=10_000)
    assert seen[0].kind == "organizational_life" and "民主评议党员" in seen[0].agenda[3][0]
    new = next(v for v in meetings_tab.views if v.data.place == "三楼会议室")
    assert new.data.follow_up == "限期整改。"
    assert "组织生活会" in meetings_tab.list.item(meetings_tab.views.index(new)).text()


def test_the_meeting_dialog_gives_back_what_was_typed(
    qtbot: QtBot, demo_workspace: Workspace
) -> None:
    from mingjing.services.meetings import list_meetings
    from mingjing.services.roster import list_members
    from mingjing.ui.desk.meetings import MeetingDialog

    cid = materials._campaign_id(demo_workspace.db)
    view = list_meetings(demo_workspace.db, cid)[0]
    dialog = MeetingDialog(view.data, list_members(demo_workspace.db))
    qtbot.add_widget(dialog)
    dialog.agenda.setCurrentRow(1)
    dialog.minutes_edit.setPlainText("党组书记代表班子作对照检查。")
    dialog._add_observer()
    dialog.attendance.item(dialog.attendance.rowCount() - 1, 0).setText("温晓岚")
    back = dialog.result_data()
    assert back.agenda[1][1] == "党组书记代表班子作对照检查。"
    assert back.agenda[0] == view.data.agenda[0]
    assert back.attendees[-1].name == "温晓岚" and back.attendees[-1].status == "observer"
    assert [c.text for c in back.criticisms] == [c.text for c in view.data.criticisms]
    assert back.host_id == view.data.host_id
    assert back.planned_on == view.data.planned_on  # the demo's 方案, two weeks ahead
    dialog.planned_on.setDate(dialog.planned_on.minimumDate())  # “（同建立记录的日期）”
    assert dialog.planned_on.text() == "（同建立记录的日期）"
    assert dialog.result_data().planned_on is None


def test_the_preview_names_a_packages_pages_by_their_printed_numbers(
    qtbot: QtBot, app_fonts: Any
) -> None:
    from mingjing.fonts import FontRegistry
    from mingjing.reports.document import Document, Para, Section, Title
    from mingjing.reports.pdf import render_pdf
    from mingjing.ui.desk.preview import PdfPreview

    doc = Document(
        "汇编",
        (Section("材料", (Title("材料"), Para("正文。"))),),
        cover=("会议材料汇编", "岚川县农业农村局"),
    )
    rendered = render_pdf(doc, FontRegistry.discover())
    preview = PdfPreview()
    qtbot.add_widget(preview)
    preview.resize(600, 800)
    preview.show()
    preview.set_document(rendered.data, rendered.pages)
    qtbot.waitUntil(lambda: "封面" in preview.where.text(), timeout=10_000)
    assert preview.where.text() == f"第 1 / {rendered.pages} 页（封面）"
    preview.show_page(2)  # the first sheet after the cover and its back
    qtbot.waitUntil(lambda: "页码" in preview.where.text(), timeout=10_000)
    assert preview.where.text() == f"第 3 / {rendered.pages} 页（页码 1）"
