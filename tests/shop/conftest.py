"""Shop fixtures: the campaign link of store A, the log channel's memory, a fresh limiter."""

from __future__ import annotations

import re

import pytest

from workbench.outbox.channels import get_channel
from workbench.shop.services import campaign_token

CODE_IN_BODY = re.compile(r"(\d{6})")


@pytest.fixture(autouse=True)
def log_channel(app):
    """The process-wide log adapter, emptied so a test reads only its own messages."""
    channel = get_channel("log")
    channel.sent.clear()
    yield channel
    channel.sent.clear()


@pytest.fixture
def token(world):
    return campaign_token(world.a.campaign.id)


@pytest.fixture
def url(token):
    return f"/c/{token}"


def sent_code(channel, phone: str) -> str:
    """The code in the last message the log channel sent to ``phone``."""
    message = channel.last_to(phone)
    assert message is not None, f"no message to {phone}: {list(channel.sent)}"
    return CODE_IN_BODY.search(message.body).group(1)


def order_form(world, phone: str, code: str = "", qty: int = 2, **extra) -> dict:
    cp = world.a.campaign.products[0]
    return {"phone": phone, "code": code, f"qty-{cp.id}": str(qty), **extra}


@pytest.fixture
def req(app):
    """A request context for service tests: messages are translated with the request's locale."""
    with app.test_request_context():
        yield
