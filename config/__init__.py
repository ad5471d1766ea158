"""The Django project: settings, URLs, WSGI/ASGI entry points.

The design card called this package ``platform``; that name shadows the standard
library's ``platform`` module (see README, "Layout"), so it lives here instead.
It may import every app; no app imports it except through ``django.conf.settings``.
"""
