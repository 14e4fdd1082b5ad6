"""HQ's side of the counter: after-sales tickets (缺货/破损) to resolve."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("hq_aftersales", __name__)
