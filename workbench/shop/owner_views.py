"""The owner's side of the campaign page: the list of campaigns and each one's poster.

The poster carries the campaign's QR code (the public ``/c/<token>`` link), the link
itself with a copy button, and a printable A4 sheet to put up in the lobby.
"""

from __future__ import annotations

from flask import Blueprint
from flask_babel import gettext as _
from sqlalchemy import select

from workbench.auth.decorators import owner_required
from workbench.auth.scoping import current_store, get_scoped_or_404, scoped
from workbench.extensions import db
from workbench.orders.models import Campaign
from workbench.qr import qr_svg
from workbench.shop import services
from workbench.types import utcnow
from workbench.web import render

bp = Blueprint("campaigns", __name__)

LIST_LIMIT = 30


@bp.route("/")
@owner_required
def index():
    """The store's campaigns, newest first, each with its state and a link to its poster."""
    store = current_store()
    now = utcnow()
    campaigns = db.session.scalars(
        scoped(select(Campaign), Campaign).order_by(Campaign.starts_at.desc(), Campaign.id.desc()).limit(LIST_LIMIT)
    ).all()
    rows = [(c, services.campaign_state(c, now)) for c in campaigns]
    return render("shop/owner/index.html", "shop/owner/_index.html", store=store, tab="pickup", rows=rows)


@bp.route("/<int:campaign_id>/poster")
@owner_required
def poster(campaign_id: int):
    """QR code, link (copy), and a printable poster of one of the owner's campaigns."""
    store = current_store()
    campaign = get_scoped_or_404(Campaign, campaign_id)
    page = services.campaign_page(db.session, services.load_campaign(db.session, campaign.id), utcnow())
    url = services.campaign_url(campaign.id)
    return render("shop/owner/poster.html", "shop/owner/_poster.html", store=store, tab="pickup", view=page,
                  url=url, qr=qr_svg(url, scale=5, title=_("Scan to order")),
                  qr_big=qr_svg(url, scale=8, title=_("Scan to order")))
