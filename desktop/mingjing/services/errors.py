"""The error kinds a caller of the services must tell apart.

- :class:`EnvironmentFault` (and :class:`InputRefused`): not our bug — a full
  disk, a locked or newer database, a bad file. Show the message; nothing
  was changed.
- :class:`DomainError`: a rule of the campaign said no. Show the message.
- Anything else is a bug: log it with its traceback and say so.
"""

from mingjing.domain.errors import DomainError, IllegalTransition
from mingjing.storage.errors import (
    DatabaseInUse,
    DatabaseLocked,
    EnvironmentFault,
    InputRefused,
    NewerDatabase,
)

__all__ = [
    "DatabaseInUse",
    "DatabaseLocked",
    "DomainError",
    "EnvironmentFault",
    "IllegalTransition",
    "InputRefused",
    "NewerDatabase",
]
