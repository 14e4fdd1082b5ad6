"""The owner's phone shell: 今日 / 直播 / 提货 / 收益 / 社区."""

from __future__ import annotations

from flask import Blueprint
from flask_login import current_user

from workbench.auth.decorators import owner_required
from workbench.web import render

bp = Blueprint("owner", __name__)


@bp.route("/today")
@owner_required
def today():
    return render("owner/today.html", store=current_user.store)


@bp.route("/live")
@owner_required
def live():
    return render("owner/live.html", store=current_user.store)


@bp.route("/pickup")
@owner_required
def pickup():
    return render("owner/pickup.html", store=current_user.store)


@bp.route("/earnings")
@owner_required
def earnings():
    return render("owner/earnings.html", store=current_user.store)


@bp.route("/community")
@owner_required
def community():
    return render("owner/community.html", store=current_user.store)
