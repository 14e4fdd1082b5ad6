"""WSGI entry point: ``gunicorn wsgi:app`` or ``flask --app wsgi run``."""

from workbench import create_app

app = create_app()
