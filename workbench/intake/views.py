"""Routes of the intake blueprint."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("intake", __name__)
