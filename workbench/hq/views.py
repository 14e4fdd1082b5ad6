"""HQ and regional managers' desktop pages."""

from __future__ import annotations

from flask import Blueprint

from workbench.auth.decorators import staff_required
from workbench.web import render

bp = Blueprint("hq", __name__)


@bp.route("/stores")
@staff_required
def stores():
    return render("hq/stores.html")
