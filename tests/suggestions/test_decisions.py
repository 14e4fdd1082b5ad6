"""decide(): one conditional UPDATE, so a card is decided once, by its own store, with a valid reason."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy.orm import Session

from tests.owner.suggestion_cards import card
from workbench.suggestions import decisions
from workbench.suggestions.models import Suggestion


@pytest.fixture
def push(db, world):
    s = card(db.session, world.a.store, world.products[0])
    db.session.commit()
    return s


def _reload(db, s) -> Suggestion:
    db.session.expire_all()
    return db.session.get(Suggestion, s.id)


def test_accept_records_who_and_when(db, world, push):
    assert decisions.decide(db.session, push.id, world.a.store.id, world.owner_a.id, True) == "accepted"
    db.session.commit()
    s = _reload(db, push)
    assert (s.status, s.dismiss_reason, s.decided_by_id) == ("accepted", None, world.owner_a.id)
    assert s.decided_at is not None


def test_accept_ignores_a_reason(db, world, push):
    decisions.decide(db.session, push.id, world.a.store.id, world.owner_a.id, True, "no_stock")
    assert _reload(db, push).dismiss_reason is None


def test_dismiss_stores_the_reason(db, world, push):
    assert decisions.decide(db.session, push.id, world.a.store.id, world.owner_a.id, False, "too_risky") == "dismissed"
    db.session.commit()
    s = _reload(db, push)
    assert (s.status, s.dismiss_reason) == ("dismissed", "too_risky")


@pytest.mark.parametrize("reason", [None, "", "because", "NO_STOCK"])
def test_dismiss_needs_a_listed_reason(db, world, push, reason):
    with pytest.raises(decisions.InvalidReason):
        decisions.decide(db.session, push.id, world.a.store.id, world.owner_a.id, False, reason)
    assert _reload(db, push).status == "new"


def test_second_decision_is_refused(db, world, push):
    decisions.decide(db.session, push.id, world.a.store.id, world.owner_a.id, False, "other")
    with pytest.raises(decisions.AlreadyDecided) as caught:
        decisions.decide(db.session, push.id, world.a.store.id, world.owner_a.id, True)
    assert caught.value.decided == "dismissed" and caught.value.status == 409
    assert _reload(db, push).status == "dismissed"


def test_another_stores_card_is_not_found(db, world, push):
    with pytest.raises(decisions.SuggestionNotFound):
        decisions.decide(db.session, push.id, world.b.store.id, world.owner_b.id, True)
    with pytest.raises(decisions.SuggestionNotFound):
        decisions.decide(db.session, 999_999, world.a.store.id, world.owner_a.id, True)
    assert _reload(db, push).status == "new"


def test_two_devices_at_once_exactly_one_wins(db, world, push):
    """Two threads, each with its own connection, decide the same card at the same moment."""
    engine = db.engine
    store_id, user_id, card_id = world.a.store.id, world.owner_a.id, push.id
    db.session.commit()
    start = threading.Barrier(2)
    outcomes: list[str] = []
    lock = threading.Lock()

    def device(accept: bool) -> None:
        with Session(engine) as session:
            start.wait()
            try:
                decisions.decide(session, card_id, store_id, user_id, accept, None if accept else "other")
                session.commit()
                result = "won"
            except decisions.AlreadyDecided:
                session.rollback()
                result = "refused"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=device, args=(flag,)) for flag in (True, False)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["refused", "won"]
    assert _reload(db, push).status in ("accepted", "dismissed")
