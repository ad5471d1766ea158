"""Project-wide request guards."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _


class RejectNulBytes:
    """A NUL byte in the path or query string is a 400 before any view runs.

    PostgreSQL refuses NUL in text, so a lookup like ``slug='a\\x00'`` would raise
    a DataError deep in a view: a 500 for what is plainly bad input.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path or "%00" in query or "\x00" in query:
            message = _("The address contains a NUL character.")
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"error": "invalid", "detail": message, "fields": {}}, status=400
                )
            return HttpResponseBadRequest(message)
        return self.get_response(request)
