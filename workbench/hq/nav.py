"""HQ's navigation, defined once: the sidebar of every HQ and regional page.

The pages stay with their domain (``hq``, ``fulfilment``, ``pickup``, ``commission``
``hq_views.py``) and all extend ``templates/hq/base.html``, which renders this list. A
page's own item is found from the request's endpoint, so no view or template has to name
its section: a new HQ page under an existing blueprint lights the right item by itself,
and a new section is one line here.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from workbench.auth.models import HQ_ROLES, Role


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: str
    icon: str
    #: Who sees the item (the pages themselves check access; this only hides links).
    roles: frozenset[Role]
    #: Endpoint prefixes of the pages under this item; the longest match wins.
    covers: tuple[str, ...]


NAV: tuple[NavItem, ...] = (
    NavItem("hq.stores", _l("Stores"), "stores", HQ_ROLES, ("hq.stores", "hq.recompute_stores")),
    NavItem("hq.suggestions", _l("Suggestions"), "today", HQ_ROLES, ("hq.suggestions", "hq.run_backtest")),
    NavItem("hq_fulfilment.index", _l("Shipping"), "pickup", HQ_ROLES, ("hq_fulfilment.",)),
    NavItem("hq_aftersales.index", _l("After-sales"), "print", HQ_ROLES, ("hq_aftersales.",)),
    NavItem("hq_commission.index", _l("Commission"), "earnings", HQ_ROLES, ("hq_commission.",)),
    NavItem("hq_commission.plans", _l("Commission plans"), "recompute", HQ_ROLES,
            ("hq_commission.plan", "hq_commission.preview", "hq_commission.create_version")),
)


def current_item(endpoint: str | None) -> NavItem | None:
    """The item the page at ``endpoint`` sits under, or None (a job's page, say)."""
    best, length = None, 0
    for item in NAV:
        for prefix in item.covers:
            if endpoint and endpoint.startswith(prefix) and len(prefix) > length:
                best, length = item, len(prefix)
    return best


def sidebar(role: Role, endpoint: str | None) -> list[tuple[NavItem, bool]]:
    """``(item, is_current)`` for every item the role sees, in order."""
    current = current_item(endpoint)
    return [(item, item is current) for item in NAV if role in item.roles]
