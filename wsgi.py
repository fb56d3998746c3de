"""Entry point for ``flask`` and gunicorn: ``gunicorn wsgi:app``."""

from airm_training import create_app

app = create_app()
