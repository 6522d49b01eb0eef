"""The office's first run: from an empty database to a campaign, from the overview."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from mingjing.fonts import FontRegistry
from mingjing.services.campaign_setup import CampaignSetup, default_setup, load_setup
from mingjing.services.workspace import Workspace
from mingjing.ui.app import build_window
from mingjing.ui.desk.campaign_dialog import CampaignDialog
from mingjing.ui.desk.page import DeskPage


def test_office_first_run_creates_and_exports_a_campaign(
    qtbot: QtBot,
    workspace: Workspace,
    app_fonts: FontRegistry,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    win = build_window(workspace.location, app_fonts, workspace)
    qtbot.add_widget(win)
    with qtbot.wait_signal(win.first_page_shown, timeout=30_000):
        win.show()
        win.refresh()
    assert win.overview.create_button.isVisible()

    def fill(cls: object, parent: object, setup: CampaignSetup, editing: bool) -> CampaignSetup:
        assert not editing
        return CampaignSetup(
            **{
                **setup.__dict__,
                "unit_name": "青山县林业局",
                "doc_number": "青林发〔2026〕9号",
                "operator": "王芳",
            }
        )

    monkeypatch.setattr(DeskPage, "ask_setup", classmethod(fill))
    with qtbot.wait_signal(win.desk.campaign_created, timeout=10_000):
        win.overview.create_button.click()
    qtbot.wait_until(lambda: "青山县林业局" in win.desk.heading.text(), timeout=5_000)
    assert win.page_keys()[win.nav.currentRow()] == "gathering"
    assert "青林发〔2026〕9号" in win.desk.info.text()
    from mingjing.services.profile import load_profile

    assert load_profile(workspace.location.data_dir).display_name == "王芳"
    qtbot.wait_until(lambda: "青山县林业局" in win.campaign_label.text(), timeout=5_000)

    from mingjing.services.roster import add_member

    add_member(workspace.db, "李强", "科员", "办公室")
    told: list[str] = []
    monkeypatch.setattr(DeskPage, "ask_export_folder", classmethod(lambda c, p: str(tmp_path)))
    monkeypatch.setattr(DeskPage, "tell_info", classmethod(lambda c, p, t: told.append(t)))
    win.desk.export_campaign()
    qtbot.wait_until(lambda: bool(told), timeout=5_000)
    assert (tmp_path / "青山县林业局-专项行动.mjcampaign").exists()


def test_campaign_dialog_round_trips_a_setup(qtbot: QtBot, app_fonts: FontRegistry) -> None:
    setup = CampaignSetup(
        **{**default_setup(dt.date(2026, 10, 8), "青山县林业局").__dict__, "doc_number": "9号"}
    )
    dialog = CampaignDialog(setup, editing=False)
    qtbot.add_widget(dialog)
    assert "7 个方面" in dialog.template_note.text()
    dialog.start.setDate(dialog.start.date().addMonths(1))  # the phases follow
    dialog.operator.setText("王芳")
    result = dialog.setup()
    assert result.unit_name == "青山县林业局" and result.doc_number == "9号"
    assert result.start_date == dt.date(2026, 10, 1)
    assert result.phases[0].start == dt.date(2026, 10, 1)
    assert result.phases[-1].end == dt.date(2026, 12, 31)
    assert result.template_path is None and result.operator == "王芳"
    dialog.unit.clear()
    dialog._accept()
    assert dialog.problem.text() == "请填写单位名称。" and dialog.result() == 0


def test_edit_keeps_what_was_not_changed(
    desk: DeskPage, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert desk.context is not None and desk.setup_data is not None
    monkeypatch.setattr(
        DeskPage,
        "ask_setup",
        classmethod(lambda c, p, s, e: CampaignSetup(**{**s.__dict__, "title": "改过的名称"})),
    )
    with qtbot.wait_signal(desk.loaded, timeout=10_000):
        desk.edit_campaign()
    assert load_setup(desk.context.db, desk.context.campaign_id).title == "改过的名称"
    assert "改过的名称" in desk.info.text()
