"""The server-error view: a database that cannot be reached is a 503 ("try again
shortly"), not a 500, for pages and the API alike; everything else stays a 500."""

from __future__ import annotations

import sys

from django.db import connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.background import DATABASE_DOWN

RETRY_AFTER_SECONDS = 30
UNAVAILABLE = DATABASE_DOWN


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's handler500. It renders without the request's context, so that
    nothing here needs the database (no user, no session)."""
    exc = sys.exc_info()[1]
    unavailable = isinstance(exc, UNAVAILABLE)
    if unavailable:
        # A broken connection is dropped, so the next request connects afresh:
        # the site comes back on its own once the database does.
        for connection in connections.all(initialized_only=True):
            connection.close_if_unusable_or_obsolete()
    status = 503 if unavailable else 500
    if request.path.startswith("/api/"):
        body = (
            {"error": "unavailable", "detail": _("The service is briefly unavailable; try again.")}
            if unavailable
            else {"error": "server_error", "detail": _("Something went wrong on our side.")}
        )
        response: HttpResponse = JsonResponse(body, status=status)
    else:
        template = "503.html" if unavailable else "500.html"
        html = render_to_string(template, {"LANGUAGE_CODE": get_language() or "nl"})
        response = HttpResponse(html, status=status)
    if unavailable:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
