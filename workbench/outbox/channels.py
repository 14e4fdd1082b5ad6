"""Channel adapters: how a message actually reaches a member's phone.

Only the ``log`` adapter exists: it writes the message to the ``workbench.outbox``
logger (development and tests). A real SMS or WeChat provider is one more class with a
``send(message)`` that raises ``ChannelError`` on failure, registered in ``CHANNELS``.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from flask import current_app, has_app_context

from workbench.formatting import mask_phone

log = logging.getLogger("workbench.outbox")

_DIGIT_RUN = re.compile(r"\d{4,}")


def mask_secrets(text: str) -> str:
    """``text`` safe for a log file: phone numbers masked like ``138****1234`` and every
    other run of four or more digits (one-time codes, 提货码) replaced by ``****``."""
    return _DIGIT_RUN.sub(lambda m: mask_phone(m.group()) if len(m.group()) == 11 else "****", text)


class ChannelError(RuntimeError):
    """The channel did not take the message; ``str(error)`` is stored on the outbox row."""


class UnknownChannel(ChannelError):
    """No adapter is registered under this name (a typo in ``OUTBOX_CHANNEL``)."""


@dataclass(frozen=True)
class Message:
    """What an adapter needs: who, what, and the key that makes a resend recognisable."""

    to: str  # mainland mobile number, 11 digits
    body: str
    kind: str
    dedupe_key: str


class Channel(Protocol):
    name: str

    def send(self, message: Message) -> None:
        """Deliver ``message`` or raise ``ChannelError``."""


class LogChannel:
    """Writes messages to the log (recipient masked). Under TESTING it also keeps the last ones."""

    name = "log"
    KEEP = 50

    def __init__(self) -> None:
        self.sent: deque[Message] = deque(maxlen=self.KEEP)
        self._lock = threading.Lock()

    def send(self, message: Message) -> None:
        # Logs are read by more people than the member: no codes, no phone numbers in them.
        log.info("[%s] to %s (%s): %s", message.kind, mask_phone(message.to), message.dedupe_key,
                 mask_secrets(message.body))
        if has_app_context() and current_app.testing:
            with self._lock:
                self.sent.append(message)

    def last_to(self, phone: str) -> Message | None:
        """The newest message kept for ``phone`` (tests read one-time codes this way)."""
        with self._lock:
            return next((m for m in reversed(self.sent) if m.to == phone), None)


#: Adapter factories by name; ``OUTBOX_CHANNEL`` and ``OutboxMessage.channel`` name one.
CHANNELS: dict[str, Callable[[], Channel]] = {"log": LogChannel}
_instances: dict[str, Channel] = {}
_instances_lock = threading.Lock()


def register_channel(name: str, factory: Callable[[], Channel]) -> None:
    """Add (or replace) an adapter; the next ``get_channel(name)`` builds a fresh one."""
    with _instances_lock:
        CHANNELS[name] = factory
        _instances.pop(name, None)


def get_channel(name: str) -> Channel:
    """The adapter registered as ``name`` (one instance per process), or ``UnknownChannel``."""
    with _instances_lock:
        if name not in _instances:
            factory = CHANNELS.get(name)
            if factory is None:
                known = ", ".join(sorted(CHANNELS))
                raise UnknownChannel(f"unknown outbox channel {name!r}; known: {known}")
            _instances[name] = factory()
        return _instances[name]
