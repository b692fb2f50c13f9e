"""The local web UI and JSON API (``modelclear web``): FastAPI + Jinja2, nothing fetched from elsewhere.

:func:`modelclear.web.app.create_app` builds the application. Importing this package imports
nothing heavy; FastAPI is loaded by :mod:`modelclear.web.app`.
"""
