"""Errors a user can understand: every message is Chinese and says what to do."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the campaign was broken (an illegal transition, a missing field…).

    ``str(error)`` is a complete Chinese sentence fit for a message box.
    """


class IllegalTransition(DomainError):
    """A state machine was asked for a step it does not allow."""
