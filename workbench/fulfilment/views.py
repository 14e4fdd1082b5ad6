"""Routes of the fulfilment blueprint."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("fulfilment", __name__)
