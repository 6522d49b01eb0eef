"""The local user profile: who is acting on this computer.

Every audit entry names the acting profile. Until a profile is set up (the
staff workspace's joining step), the operating-system login name stands in.
"""

from __future__ import annotations

import getpass
import json
import os
from dataclasses import dataclass
from pathlib import Path

PROFILE_FILE = "profile.json"


@dataclass(frozen=True)
class Profile:
    display_name: str
    role: str = ""
    member_id: str = ""


def load_profile(data_dir: Path) -> Profile:
    path = data_dir / PROFILE_FILE
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        name = str(raw.get("display_name", "")).strip()
        if name:
            return Profile(name, str(raw.get("role", "")), str(raw.get("member_id", "")))
    except (OSError, ValueError, AttributeError):
        pass
    return Profile(_login_name())


def _login_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry, e.g. in some containers
        return os.environ.get("USERNAME") or os.environ.get("USER") or "本机用户"
