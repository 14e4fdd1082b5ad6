"""Routes of the shop blueprint."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("shop", __name__)
