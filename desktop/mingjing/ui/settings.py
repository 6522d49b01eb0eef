"""Settings, declared once (after orange-canvas-core's ``config.py``).

Every setting is a :class:`Setting` with its key, type, default and a
description; :class:`Settings` reads and writes them over ``QSettings`` and
nothing else in the program touches ``QSettings`` directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QByteArray, QSettings

T = TypeVar("T")


@dataclass(frozen=True)
class Setting(Generic[T]):
    key: str
    type: type[T]
    default: T
    description: str


WINDOW_GEOMETRY: Setting[QByteArray] = Setting(
    "window/geometry", QByteArray, QByteArray(), "主窗口的位置和大小"
)
WINDOW_STATE: Setting[QByteArray] = Setting(
    "window/state", QByteArray, QByteArray(), "主窗口工具栏和停靠窗口的布局"
)
LAST_PAGE: Setting[str] = Setting("window/last_page", str, "overview", "上次关闭时所在的页面")
BACKUP_DAILY: Setting[bool] = Setting(
    "backup/daily", bool, True, "每天第一次打开时自动备份数据库，保留最近 7 份"
)
LAST_BACKUP_DIR: Setting[str] = Setting("backup/last_dir", str, "", "上次保存备份的文件夹")
IDLE_LOCK_MINUTES: Setting[int] = Setting(
    "security/idle_lock_minutes", int, 10, "设了密码时，无操作多少分钟后自动锁定（0 为不锁定）"
)
PASSWORD_OFFERED: Setting[bool] = Setting(
    "security/password_offered", bool, False, "第一次使用时是否已提示过设置密码"
)

ALL_SETTINGS: tuple[Setting[Any], ...] = (
    WINDOW_GEOMETRY,
    WINDOW_STATE,
    LAST_PAGE,
    BACKUP_DAILY,
    LAST_BACKUP_DIR,
    IDLE_LOCK_MINUTES,
    PASSWORD_OFFERED,
)


class Settings:
    """Typed access to the declared settings."""

    def __init__(self, qsettings: QSettings) -> None:
        self._q = qsettings

    def get(self, setting: Setting[T]) -> T:
        value = self._q.value(setting.key, setting.default)
        if setting.type is bool and isinstance(value, str):
            return value.lower() in ("1", "true", "yes")  # type: ignore[return-value]
        if value is None or (
            setting.type is not QByteArray and not isinstance(value, setting.type)
        ):
            try:
                return setting.type(value)  # type: ignore[call-arg]
            except (TypeError, ValueError):
                return setting.default
        return value  # type: ignore[return-value]

    def set(self, setting: Setting[T], value: T) -> None:
        self._q.setValue(setting.key, value)

    def sync(self) -> None:
        self._q.sync()
