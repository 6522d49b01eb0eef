"""This installation's keys: made once, kept private, never silently replaced."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from mingjing.services.identity import KEY_FILE, load_identity
from mingjing.storage.errors import InputRefused


def test_made_once_for_the_user_alone_and_kept(tmp_path: Path) -> None:
    first = load_identity(tmp_path)
    path = tmp_path / KEY_FILE
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_identity(tmp_path).public == first.public
    assert [p.name for p in path.parent.iterdir()] == ["identity.pem"]  # no temporary left


def test_a_damaged_key_file_is_refused_and_left_as_it_is(tmp_path: Path) -> None:
    load_identity(tmp_path)
    path = tmp_path / KEY_FILE
    path.write_bytes(b"-----BEGIN PRIVATE KEY-----\ngarbage\n-----END PRIVATE KEY-----\n")
    with pytest.raises(InputRefused, match=r"identity\.pem"):
        load_identity(tmp_path)
    assert b"garbage" in path.read_bytes()  # not replaced behind the user's back
