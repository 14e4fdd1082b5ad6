"""``flask demo seed``: a brand with stores that behave like real ones."""

from __future__ import annotations

from flask.cli import AppGroup

demo_cli = AppGroup("demo", help="Demo data.")
