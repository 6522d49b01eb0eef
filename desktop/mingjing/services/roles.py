"""Who may do what, enforced in the services rather than only hidden in the window.

A computer acts in one role, read from its profile when the database opens
(:func:`act_as_profile`):

- ``secretary`` — the office: everything. A computer that never joined a
  campaign (it set one up, or holds the demo) is the office.
- ``leader`` — a 班子成员's laptop: their own self-check, the review they
  were sent (:mod:`mingjing.services.leader_review`), 销号.
- ``staff`` — a cadre's laptop: their own self-check and problems only.

Service functions state their roles with :func:`allowed` (or :data:`office`);
a call from another role is refused with :class:`RoleRefused` before it
reads or writes anything. Self-check functions also check that the record is
the member's own (:func:`check_own`). Every guarded function is listed in
:data:`GUARDED`, so the tests call each one as each wrong role.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from mingjing.domain.errors import DomainError

SECRETARY = "secretary"
LEADER = "leader"
STAFF = "staff"
ROLE_LABELS = {SECRETARY: "办公室", LEADER: "领导", STAFF: "干部个人"}

P = ParamSpec("P")
R = TypeVar("R")

GUARDED: dict[str, frozenset[str]] = {}
"""``module.function`` → the roles that may call it."""


class RoleRefused(DomainError):
    """A service called by a role that may not: nothing was read or changed."""


def _refusal(roles: frozenset[str], acting: str) -> str:
    here = ROLE_LABELS.get(acting, acting)
    if roles == {SECRETARY}:
        return f"这项工作只能在办公室的电脑上进行（本机是{here}使用的电脑）。"
    if roles == {LEADER}:
        return f"这项操作只能在领导本人的电脑上进行（本机是{here}使用的电脑）。"
    allowed_here = "、".join(ROLE_LABELS[r] for r in sorted(roles))
    return f"这项操作只能由{allowed_here}进行（本机是{here}使用的电脑）。"


def allowed(*roles: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Guard a service whose first argument is the :class:`Database` (``db.role``)."""
    permitted = frozenset(roles)

    def guard(fn: Callable[P, R]) -> Callable[P, R]:
        GUARDED[f"{fn.__module__}.{fn.__qualname__}"] = permitted

        @functools.wraps(fn)
        def checked(*args: P.args, **kwargs: P.kwargs) -> R:
            db = args[0] if args else kwargs.get("db")
            acting = getattr(db, "role", "")
            if acting and acting not in permitted:
                raise RoleRefused(_refusal(permitted, acting))
            return fn(*args, **kwargs)

        checked.roles = permitted  # type: ignore[attr-defined]
        return checked

    return guard


office = allowed(SECRETARY)
"""The office's work: the roster, opinions, problem lists, 会诊, the ledger, materials."""


def check_own(info: dict[str, Any], member_id: object) -> None:
    """On a laptop (staff or leader), a self-check must be the member's own.

    ``info`` is the session's ``info`` (the database puts the role there).
    """
    from mingjing.storage.database import MEMBER_KEY, ROLE_KEY

    acting = info.get(ROLE_KEY, "")
    if acting in (STAFF, LEADER) and str(member_id) != info.get(MEMBER_KEY, ""):
        raise RoleRefused("本机只能查看和修改本人的自查材料。")


def role_of(joined: bool, role: str) -> str:
    """The role a computer acts in, from its profile."""
    if joined and role in (STAFF, LEADER):
        return role
    return SECRETARY


def act_as_profile(db: Any, data_dir: Any) -> None:
    """Set ``db.role`` and ``db.member_id`` from the profile in ``data_dir``."""
    from mingjing.services.profile import load_profile

    profile = load_profile(data_dir)
    db.role = role_of(profile.joined, profile.role)
    db.member_id = profile.member_id if profile.joined else ""
