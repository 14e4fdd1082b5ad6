"""The owner's phone shell: 今日 / 直播 / 提货 / 收益 / 社区.

Each tab is a full page whose content is one fragment (``owner/_<tab>.html``); an htmx
refresh gets that fragment alone. The store comes from ``current_store()`` and nowhere
else, and its id is all the services see.
"""

from __future__ import annotations

from flask import Blueprint

from workbench.auth.decorators import owner_required
from workbench.auth.scoping import current_store
from workbench.extensions import db
from workbench.formatting import local_today
from workbench.owner import charts, services
from workbench.types import utcnow
from workbench.web import render

bp = Blueprint("owner", __name__)


@bp.route("/today")
@owner_required
def today():
    """今日: weather, yesterday against last week, 7-day sales, expiring stock, open campaigns."""
    store = current_store()
    data = services.today_overview(db.session, store.id, local_today())
    chart = charts.sales_chart(data.last_7_days) if any(d.orders for d in data.last_7_days) else None
    return render("owner/today.html", "owner/_today.html", store=store, tab="today", data=data, chart=chart)


@bp.route("/live")
@owner_required
def live():
    """直播: upcoming and recent live streams, and when members watch."""
    store = current_store()
    now = utcnow()
    data = services.live_overview(db.session, store.id, now)
    chart = charts.hours_chart(data.views_by_hour, data.peak_hour) if data.total_views else None
    return render("owner/live.html", "owner/_live.html", store=store, tab="live", data=data, chart=chart, now=now)


@bp.route("/pickup")
@owner_required
def pickup():
    """提货: orders waiting at the pickup point, by member, overdue first in line."""
    store = current_store()
    now = utcnow()
    data = services.pickup_overview(db.session, store.id, now)
    return render("owner/pickup.html", "owner/_pickup.html", store=store, tab="pickup", data=data, now=now)


@bp.route("/earnings")
@owner_required
def earnings():
    """收益: month-to-date sales, by category, and the commission tier they reach."""
    store = current_store()
    data = services.earnings_overview(db.session, store.id, local_today())
    return render("owner/earnings.html", "owner/_earnings.html", store=store, tab="earnings", data=data)


@bp.route("/community")
@owner_required
def community():
    """社区: compounds and buildings, member reach, top tags, reviews and NPS."""
    store = current_store()
    data = services.community_overview(db.session, store.id, local_today())
    return render("owner/community.html", "owner/_community.html", store=store, tab="community", data=data)
