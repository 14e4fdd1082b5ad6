"""Accepting or dismissing a suggestion card: one conditional UPDATE, so only one device wins.

An owner may have the page open on two phones (or tap twice on a slow network). The
decision is written by a single ``UPDATE … WHERE id = ? AND store_id = ? AND status =
'new'``: the database serialises the two writes, the second one matches no row, and we
tell its sender the card was already decided instead of overwriting the first answer.
This works the same on SQLite (the write lock) and PostgreSQL (the row lock, after which
READ COMMITTED re-checks the WHERE clause).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from workbench.errors import ServiceError
from workbench.suggestions.models import DismissReason, Suggestion, SuggestionStatus
from workbench.types import utcnow

#: The reasons an owner can pick when dismissing, in the order the form offers them.
REASONS = tuple(DismissReason)


class DecisionError(ServiceError):
    """A decision that could not be recorded; ``status`` is the HTTP status it maps to."""

    status = 400


class InvalidReason(DecisionError):
    """A dismissal without a reason from ``DismissReason``."""

    status, code = 400, "invalid_reason"
    default = _l("Please choose why you are dismissing this suggestion.")

    def __init__(self, reason: str | None = None) -> None:
        super().__init__()
        self.reason = reason


class SuggestionNotFound(DecisionError):
    """No such card in this store (another store's card looks exactly like a missing one)."""

    status, code = 404, "not_found"

    def __init__(self, suggestion_id: int | None = None) -> None:
        super().__init__()
        self.suggestion_id = suggestion_id


class AlreadyDecided(DecisionError):
    """The card was accepted or dismissed before (``decided`` says which)."""

    status, code = 409, "already_decided"

    def __init__(self, decided: str) -> None:
        super().__init__()
        self.decided = decided

    @property
    def message(self) -> str:
        return str(_l("This suggestion was already accepted, perhaps on another phone. Nothing was changed.")
                   if self.decided == "accepted" else
                   _l("This suggestion was already dismissed, perhaps on another phone. Nothing was changed."))


def parse_reason(reason: str | None) -> DismissReason:
    """The ``DismissReason`` named by ``reason``, or ``InvalidReason``."""
    try:
        return DismissReason((reason or "").strip())
    except ValueError:
        raise InvalidReason(reason) from None


def decide(session: Session, suggestion_id: int, store_id: int, user_id: int, accept: bool,
           reason: str | None = None) -> str:
    """Record the owner's answer to a card of ``store_id``; return the new status.

    The caller commits. Raises ``InvalidReason`` (dismissal without a valid reason),
    ``SuggestionNotFound`` (no such card in this store) or ``AlreadyDecided``.

    :param accept: True to accept; False to dismiss, which needs ``reason``.
    :param reason: a ``DismissReason`` value; ignored when accepting.
    """
    dismiss_reason = None if accept else parse_reason(reason).value
    status = SuggestionStatus.ACCEPTED if accept else SuggestionStatus.DISMISSED
    result = session.execute(
        update(Suggestion)
        .where(
            Suggestion.id == suggestion_id,
            Suggestion.store_id == store_id,
            Suggestion.status == SuggestionStatus.NEW,
        )
        .values(status=status.value, dismiss_reason=dismiss_reason, decided_at=utcnow(), decided_by_id=user_id)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount == 1:
        # The ORM objects in this session still hold the old status; reload on next access.
        for obj in list(session.identity_map.values()):
            if isinstance(obj, Suggestion) and obj.id == suggestion_id:
                session.expire(obj)
        return status.value
    current = session.scalar(
        select(Suggestion.status).where(Suggestion.id == suggestion_id, Suggestion.store_id == store_id)
    )
    if current is None:
        raise SuggestionNotFound(suggestion_id)
    raise AlreadyDecided(current)
