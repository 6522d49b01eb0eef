"""The local user profile: who is acting on this computer.

Every audit entry names the acting profile. Until a profile is set up (by
joining a campaign), the operating-system login name stands in.
"""

from __future__ import annotations

import dataclasses
import getpass
import json
import os
from dataclasses import dataclass
from pathlib import Path

from mingjing.storage.precheck import environment_faults

PROFILE_FILE = "profile.json"


@dataclass(frozen=True)
class Profile:
    display_name: str
    role: str = ""
    member_id: str = ""
    unit_id: str = ""
    campaign_id: str = ""
    office_sign_key: str = ""
    office_seal_key: str = ""
    """The office's public keys, pinned when this computer joined: replies must be
    signed with them, and hand-ins are sealed to them."""

    @property
    def joined(self) -> bool:
        return bool(self.member_id)


def load_profile(data_dir: Path) -> Profile:
    path = data_dir / PROFILE_FILE
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        name = str(raw.get("display_name", "")).strip()
        if name:
            fields = {f.name for f in dataclasses.fields(Profile)}
            return Profile(**{k: str(v) for k, v in raw.items() if k in fields})
    except (OSError, ValueError, AttributeError, TypeError):
        pass
    return Profile(_login_name())


def office_operator(data_dir: Path) -> str:
    """The office's 经办人 as set up with the campaign; empty where none was named
    (the computer's login name is not a name to print)."""
    profile = load_profile(data_dir)
    return profile.display_name if profile.role == "secretary" else ""


def save_profile(data_dir: Path, profile: Profile) -> None:
    """Write the profile atomically (a half-written one would lose who we are)."""
    path = data_dir / PROFILE_FILE
    partial = path.with_name(path.name + ".partial")
    with environment_faults(str(path)):
        data_dir.mkdir(parents=True, exist_ok=True)
        partial.write_text(
            json.dumps(dataclasses.asdict(profile), ensure_ascii=False, indent=1),
            encoding="utf-8",
        )
        os.replace(partial, path)


def _login_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry, e.g. in some containers
        return os.environ.get("USERNAME") or os.environ.get("USER") or "本机用户"
