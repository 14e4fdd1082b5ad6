"""What a commission page answers when a service refuses its action.

The services raise a code (``states.LifecycleError``, ``plan_editor.Invalid``) and know
nothing of requests or messages, so their tests need no app. A view raises the
``ServiceError`` a code means on its page inside ``errors.refusal()``, which rolls back and
keeps the status: one code can read differently on two pages ("final" on an adjustment says
to adjust next month, on a dispute that the statement is confirmed), so each action has
its own table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from workbench.commission.states import LifecycleError
from workbench.errors import Invalid, ServiceError


@dataclass(frozen=True)
class Refusals:
    """An action's refusals: a service's code → (the error class, its message)."""

    by_code: Mapping[str, tuple[type[ServiceError], object]]
    #: For any other code; without it an unexpected code is raised as it is (a bug, not a refusal).
    other: tuple[type[ServiceError], object] | None = None

    def __call__(self, exc: LifecycleError) -> Exception:
        """The error to raise for ``exc``: a new one each time (raising mutates an exception)."""
        found = self.by_code.get(exc.code, self.other)
        if found is None:
            return exc
        kind, message = found
        return kind(message, code=exc.code)


class FieldErrors(Invalid):
    """A form refused field by field: ``errors`` maps a field's key to its message (400)."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(str(m) for m in errors.values()))
        self.errors = errors
