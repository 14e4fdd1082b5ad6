"""Routes of the pickup blueprint."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("pickup", __name__)
