"""HQ's side of fulfilment: mark a pickup point's goods packed, shipped or arrived."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("hq_fulfilment", __name__)
