"""Access control over every route in ``app.url_map`` — including routes added later.

Each test walks the URL map, so a new route is checked the day it is added:

- anonymous users are sent to the login page (POST-like routes: redirect/400/401);
- an owner gets 403 on HQ pages, staff get 403 on the owner's pages;
- an owner of store A gets 403/404 for store B's objects, a regional manager of
  region 1 gets 403/404 for store C's objects (region 2), and nothing changes in the
  database when they try to POST to them;
- every state-changing route refuses a request without a CSRF token;
- every GET page answers 200 for the role it is for, with that role's own objects
  (so the checks above cannot pass merely because the pages are broken).

URL arguments are filled from the test world by name. A route with an argument name
this file does not know FAILS the suite: add the name to ``OBJECT_PARAMS`` (a row that
belongs to one store) or ``SHARED_PARAMS`` (brand-wide data any role may see).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import select
from werkzeug.routing import Rule

from tests.conftest import login
from tests.factories import StoreWorld, World
from workbench.models import (
    Interaction,
    JobRecord,
    LiveSession,
    OrderItem,
    Review,
)

#: Endpoints anyone may open without logging in. Keep this list short and justified.
PUBLIC = {
    "static": "CSS, JS and images",
    "main.index": "redirects to the login page or the user's home",
    "main.healthz": "liveness probe for the run script and load balancers",
    "main.login": "/login, where people guess the login page is: a redirect to /auth/login",
    "auth.login": "the login form itself",
    "auth.logout": "logging out an anonymous user does nothing; it redirects to login",
    "shop.campaign": "the campaign order page members open from a poster's QR code (signed token)",
    "shop.request_code": "step 1 of ordering without an account: a one-time code to the phone (rate-limited)",
    "shop.place_order": "step 2: the code proves the phone; the order is placed (rate-limited)",
    "shop.done": "the confirmation of this browser's own order (kept in its session)",
}

#: Routes under these prefixes are for staff (HQ, regional, admin); owners get 403.
STAFF_PREFIXES = ("/hq",)
#: Routes under these prefixes are for store owners; staff get 403.
OWNER_PREFIXES = ("/store",)

#: GET pages that answer something other than 200 to their own role, with the reason.
EXPECTED_STATUS: dict[str, tuple[int, str]] = {
    "earnings.download_pdf": (404, "no PDF has been made for the month yet (the owner asks the worker for one)"),
    "pickup_moved.moved": (301, "the counter's old address, kept for bookmarks: a permanent redirect to /store/pickup"),
}

UNSAFE = ("POST", "PUT", "PATCH", "DELETE")


def _job_id(world: World, sw: StoreWorld) -> str:
    letter = next(k for k in "abc" if getattr(world, k) is sw)
    return f"job-of-owner-{letter}"


def _first_id(db, model, sw: StoreWorld):
    return db.session.scalar(select(model.id).where(model.store_id == sw.store.id).order_by(model.id))


def _suggestion_id(db, sw: StoreWorld) -> int:
    """The store's first card today, made on first use (the world has none)."""
    from workbench.formatting import local_today
    from workbench.suggestions.models import Suggestion

    found = _first_id(db, Suggestion, sw)
    if found is None:
        card = Suggestion(store_id=sw.store.id, for_date=local_today(), kind="push", rank=1,
                          product_id=sw.stock.product_id, metrics={}, reasons=[])
        db.session.add(card)
        db.session.commit()
        found = card.id
    return found


def _campaign_token(sw: StoreWorld) -> str:
    from workbench.shop.services import campaign_token

    return campaign_token(sw.campaign.id)


def _statement_line_id(db, sw: StoreWorld) -> int:
    """A closed October statement with one line for the store, made on first use."""
    from workbench.commission.models import CommissionStatement, StatementLine

    found = db.session.scalar(select(StatementLine.id).where(StatementLine.store_id == sw.store.id))
    if found is None:
        item = db.session.scalar(select(OrderItem).where(OrderItem.order_id == sw.orders[0].id))
        st = CommissionStatement(store_id=sw.store.id, period="2026-10", status="closed",
                                 closed_at=datetime(2026, 10, 31, 18, tzinfo=UTC))
        db.session.add(st)
        db.session.flush()
        line = StatementLine(statement_id=st.id, store_id=sw.store.id, kind="earning", order_item_id=item.id,
                             earned_on=date(2026, 10, 3), amount_fen=item.amount_fen, source="tier", rate_bp=800,
                             tier=1, commission_fen=item.amount_fen * 8 // 100, payable_on=date(2026, 10, 10))
        db.session.add(line)
        db.session.commit()
        found = line.id
    return found


#: URL arguments naming a row that belongs to one store: ``(db, world, store) -> value``.
OBJECT_PARAMS: dict[str, Callable[[Any, World, StoreWorld], Any]] = {
    "store_id": lambda db, w, s: s.store.id,
    "region_id": lambda db, w, s: s.store.region_id,
    "owner_id": lambda db, w, s: s.owner.id,
    "user_id": lambda db, w, s: s.owner.id,
    "order_id": lambda db, w, s: s.orders[0].id,
    "order_code": lambda db, w, s: s.orders[0].code,
    "order_item_id": lambda db, w, s: db.session.scalar(
        select(OrderItem.id).where(OrderItem.order_id == s.orders[0].id)),
    "item_id": lambda db, w, s: db.session.scalar(
        select(OrderItem.id).where(OrderItem.order_id == s.orders[0].id)),
    "member_id": lambda db, w, s: s.members[0].id,
    "campaign_id": lambda db, w, s: s.campaign.id,
    "stock_id": lambda db, w, s: s.stock.id,
    "batch_id": lambda db, w, s: s.stock.id,
    "stock_batch_id": lambda db, w, s: s.stock.id,
    "community_id": lambda db, w, s: s.community.id,
    "building_id": lambda db, w, s: s.building.id,
    "pickup_point_id": lambda db, w, s: s.pickup_point.id,
    "point_id": lambda db, w, s: s.pickup_point.id,
    "live_id": lambda db, w, s: _first_id(db, LiveSession, s),
    "live_session_id": lambda db, w, s: _first_id(db, LiveSession, s),
    "session_id": lambda db, w, s: _first_id(db, LiveSession, s),
    "review_id": lambda db, w, s: _first_id(db, Review, s),
    "interaction_id": lambda db, w, s: _first_id(db, Interaction, s),
    "suggestion_id": lambda db, w, s: _suggestion_id(db, s),
    # Jobs are visible to the user who launched them only; see the ``jobs`` fixture.
    "job_id": lambda db, w, s: _job_id(w, s),
    # The pickup counter: a store's pickup record (undo) and after-sales ticket (photo, resolve).
    "verification_id": lambda db, w, s: s.verification.id,
    "ticket_id": lambda db, w, s: s.ticket.id,
    "line_id": lambda db, w, s: _statement_line_id(db, s),
}

#: URL arguments naming brand-wide data (or plain values) any role with the page may see.
SHARED_PARAMS: dict[str, Callable[[Any, World], Any]] = {
    "product_id": lambda db, w: w.products[0].id,
    "sku": lambda db, w: w.products[0].sku,
    "category_id": lambda db, w: w.products[0].category_id,
    "supplier_id": lambda db, w: w.products[0].supplier_id,
    "day": lambda db, w: date.today().isoformat(),
    "lang": lambda db, w: "en",
    # The public order page's signed campaign link: anyone with the poster may open it.
    "token": lambda db, w: _campaign_token(w.a),
    # Commission plans are brand-wide rules (every world store is on the same one); regional managers may read them.
    "plan_id": lambda db, w: w.a.store.commission_plan_id,
    # A month: each store sees its own statement of it (live when not closed).
    "period": lambda db, w: "2026-10",
}


class UnknownParam(LookupError):
    pass


def rules(app):
    return sorted((r for r in app.url_map.iter_rules() if r.endpoint != "static"), key=lambda r: r.rule)


def methods(rule) -> list[str]:
    return sorted(rule.methods - {"HEAD", "OPTIONS"})


def object_args(rule) -> set[str]:
    return set(rule.arguments) & set(OBJECT_PARAMS)


def fill(db, world: World, sw: StoreWorld, rule) -> str:
    """The URL of ``rule`` with its arguments taken from store ``sw`` of the world."""
    values = {}
    for arg in sorted(rule.arguments):
        if arg in OBJECT_PARAMS:
            values[arg] = OBJECT_PARAMS[arg](db, world, sw)
        elif arg in SHARED_PARAMS:
            values[arg] = SHARED_PARAMS[arg](db, world)
        else:
            raise UnknownParam(
                f"route {rule.rule} ({rule.endpoint}) takes <{arg}>, which tests/test_access.py "
                f"does not know: add it to OBJECT_PARAMS if it names a row of one store, or to "
                f"SHARED_PARAMS if any role that may open the page may see it"
            )
    built = rule.build(values, append_unknown=False)
    assert built is not None, f"could not build {rule.rule} from {values}"
    return built[1]


def prefixed(rule, prefixes) -> bool:
    return rule.rule.startswith(prefixes)


def snapshot(db) -> dict[str, list]:
    """Every row of every table, to prove a refused request changed nothing."""
    return {
        table.name: sorted(repr(tuple(row)) for row in db.session.execute(select(table)))
        for table in db.metadata.sorted_tables
    }


def changed_tables(db, before: dict[str, list]) -> list[str]:
    """Names of the tables whose rows differ from the ``before`` snapshot."""
    after = snapshot(db)
    return [name for name in before if before[name] != after[name]]


def report(failures: list[str]) -> None:
    if failures:
        pytest.fail("\n".join(failures), pytrace=False)


@pytest.fixture
def jobs(db, world):
    """A finished job per owner (owner B's comes with the world)."""
    for sw in (world.a, world.c):
        db.session.add(JobRecord(id=_job_id(world, sw), name="x", description="a job",
                                 user_id=sw.owner.id, store_id=sw.store.id, status="finished"))
    db.session.commit()
    assert db.session.get(JobRecord, _job_id(world, world.b)) is not None
    # Statement lines too, before any snapshot of "what a refused request changed" is taken.
    for sw in (world.a, world.b, world.c):
        _statement_line_id(db, sw)


@pytest.fixture
def clients(app, world, jobs):
    return {
        "anonymous": app.test_client(),
        "owner": login(app.test_client(), world.owner_a),
        "regional": login(app.test_client(), world.regional),
        "hq": login(app.test_client(), world.hq),
    }


def test_every_argument_name_is_known(app, db, world, jobs):
    failures = []
    for rule in rules(app):
        try:
            fill(db, world, world.a, rule)
        except UnknownParam as exc:
            failures.append(str(exc))
    report(failures)


def test_public_allow_list_is_current(app):
    endpoints = {r.endpoint for r in app.url_map.iter_rules()}
    assert not set(PUBLIC) - endpoints, f"PUBLIC names endpoints that no longer exist: {set(PUBLIC) - endpoints}"


def test_every_endpoint_requires_login_except_the_allow_list(app, db, world, clients):
    anonymous = clients["anonymous"]
    failures, protected = [], 0
    for rule in rules(app):
        if rule.endpoint in PUBLIC:
            continue
        url = fill(db, world, world.a, rule)
        for method in methods(rule):
            response = anonymous.open(url, method=method)
            location = response.headers.get("Location", "")
            if method == "GET":
                ok = response.status_code == 302 and "/auth/login" in location
            else:  # with CSRF off in tests, login_required must be what stops it
                ok = response.status_code in (302, 303, 401) and (
                    response.status_code == 401 or "/auth/login" in location)
            if not ok:
                failures.append(f"anonymous {method} {url} ({rule.endpoint}) → "
                                f"{response.status_code} {location}: should redirect to login")
            protected += 1
            if "GET" not in rule.methods:
                get = anonymous.get(url)
                if get.status_code != 405:
                    failures.append(f"anonymous GET {url} ({rule.endpoint}, {method}-only) → "
                                    f"{get.status_code}, expected 405")
    report(failures)
    assert protected, "no protected route found: is the URL map empty?"


def test_public_endpoints_never_fail(app, clients):
    anonymous = clients["anonymous"]
    for rule in rules(app):
        if rule.endpoint in PUBLIC and not rule.arguments:
            for method in methods(rule):
                response = anonymous.open(rule.rule, method=method)
                assert response.status_code < 500, f"{method} {rule.rule} → {response.status_code}"
                if method in UNSAFE:
                    assert response.status_code != 200 or rule.endpoint == "auth.login"


def test_owner_gets_403_on_staff_pages(app, db, world, clients):
    failures = []
    for rule in rules(app):
        if prefixed(rule, STAFF_PREFIXES):
            url = fill(db, world, world.a, rule)
            for method in methods(rule):
                status = clients["owner"].open(url, method=method).status_code
                if status != 403:
                    failures.append(f"owner {method} {url} ({rule.endpoint}) → {status}, expected 403")
    report(failures)


def test_staff_get_403_on_owner_pages(app, db, world, clients):
    failures = []
    for rule in rules(app):
        if prefixed(rule, OWNER_PREFIXES):
            url = fill(db, world, world.a, rule)
            for who in ("regional", "hq"):
                for method in methods(rule):
                    status = clients[who].open(url, method=method).status_code
                    if status != 403:
                        failures.append(f"{who} {method} {url} ({rule.endpoint}) → {status}, expected 403")
    report(failures)


def cross_store_failures(app, db, world, client, who: str, sw: StoreWorld) -> tuple[list[str], int]:
    """Requests to every object route with store ``sw``'s objects that were not refused."""
    before = snapshot(db)
    failures, checked = [], 0
    for rule in rules(app):
        if not object_args(rule):
            continue
        url = fill(db, world, sw, rule)
        for method in methods(rule):
            checked += 1
            response = client.open(url, method=method, headers={"HX-Request": "true"} if method != "GET" else {})
            if response.status_code not in (403, 404):
                failures.append(f"{who} {method} {url} ({rule.endpoint}, store {sw.store.code}'s objects) "
                                f"→ {response.status_code}, expected 403 or 404")
    if changed := changed_tables(db, before):
        failures.append(f"refused requests changed tables: {changed}")
    return failures, checked


@pytest.mark.parametrize(("who", "target"), [("owner", "b"), ("regional", "c")],
                         ids=["owner_a-store_b", "regional1-store_c"])
def test_other_stores_objects_are_403_or_404(app, db, world, clients, who, target):
    """Every route with an object argument, filled with a store the user may not see."""
    failures, checked = cross_store_failures(app, db, world, clients[who], who, getattr(world, target))
    report(failures)
    assert checked, "no route with an object argument found"


@pytest.mark.own_app  # it adds routes, which an app that has served requests refuses
def test_the_walk_catches_an_unscoped_route_and_an_unknown_argument(app, db, world, jobs):
    """The safety net itself: a leaky route and an unmapped argument must be reported."""
    from workbench.auth.decorators import owner_required
    from workbench.models import Order

    @owner_required
    def leaky(order_id):  # the bug this file exists to catch: no scoping helper
        return {"total": db.session.get(Order, order_id).total_fen}

    app.add_url_rule("/store/leaky/<int:order_id>", "owner.leaky", leaky, methods=["GET", "POST"])
    owner = login(app.test_client(), world.owner_a)
    failures, _ = cross_store_failures(app, db, world, owner, "owner", world.b)
    assert any("owner.leaky" in f and "GET" in f for f in failures), failures
    assert any("owner.leaky" in f and "POST" in f for f in failures), failures

    app.url_map.add(Rule("/store/x/<mystery_id>", endpoint="owner.leaky"))
    rule = next(r for r in app.url_map.iter_rules() if "mystery_id" in r.arguments)
    with pytest.raises(UnknownParam, match="mystery_id.*OBJECT_PARAMS"):
        fill(db, world, world.a, rule)


def _client_for(rule) -> str:
    return "hq" if prefixed(rule, STAFF_PREFIXES) else "owner"


def test_every_page_renders_for_its_own_role(app, db, world, clients):
    """The positive control: with their own objects, the right role gets 200."""
    failures = []
    for rule in rules(app):
        if rule.endpoint in PUBLIC or "GET" not in rule.methods:
            continue
        url = fill(db, world, world.a, rule)
        roles = ["hq", "regional"] if prefixed(rule, STAFF_PREFIXES) else ["owner"]
        expected, why = EXPECTED_STATUS.get(rule.endpoint, (200, ""))
        for who in roles:
            for headers in ({}, {"HX-Request": "true"}):
                response = clients[who].get(url, headers=headers)
                if response.status_code != expected:
                    failures.append(f"{who} GET {url} ({rule.endpoint}) {headers or ''} → "
                                    f"{response.status_code}, expected {expected} {why}")
    report(failures)


def test_every_unsafe_route_requires_a_csrf_token(app, db, world, clients):
    app.config["WTF_CSRF_ENABLED"] = True
    before = snapshot(db)
    failures, checked = [], 0
    for rule in rules(app):
        unsafe = [m for m in methods(rule) if m in UNSAFE]
        if not unsafe:
            continue
        url = fill(db, world, world.a, rule)
        who = "anonymous" if rule.endpoint in PUBLIC else _client_for(rule)
        for method in unsafe:
            checked += 1
            for headers in ({}, {"HX-Request": "true"}):
                response = clients[who].open(url, method=method, headers=headers)
                if response.status_code != 400:
                    failures.append(f"{who} {method} {url} ({rule.endpoint}) without a CSRF token → "
                                    f"{response.status_code}, expected 400")
    if changed := changed_tables(db, before):
        failures.append(f"requests without a CSRF token changed tables: {changed}")
    report(failures)
    assert checked, "no POST route found"
