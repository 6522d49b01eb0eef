from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

from mingjing.ui import settings as S


def test_declared_settings_round_trip(tmp_path: Path) -> None:
    q = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    settings = S.Settings(q)
    assert settings.get(S.LAST_PAGE) == "overview"
    assert settings.get(S.BACKUP_DAILY) is True
    settings.set(S.BACKUP_DAILY, False)
    settings.set(S.LAST_PAGE, "ledger")
    settings.set(S.WINDOW_GEOMETRY, QByteArray(b"\x01\x02"))
    settings.sync()
    again = S.Settings(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    assert again.get(S.BACKUP_DAILY) is False
    assert again.get(S.LAST_PAGE) == "ledger"
    assert bytes(again.get(S.WINDOW_GEOMETRY).data()) == b"\x01\x02"


def test_every_setting_is_described() -> None:
    keys = [s.key for s in S.ALL_SETTINGS]
    assert len(keys) == len(set(keys))
    assert all(s.description for s in S.ALL_SETTINGS)
