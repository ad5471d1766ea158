"""One place that maps every error to one JSON shape for the whole API:

    {"error": "<code>", "detail": "<message>", "fields": {"<field>": ["<message>", ...]}}

Domain errors: ``NotAllowed`` → 403, ``InvalidState`` → 409, other ``DomainError``
→ 400, each with its ``code`` as ``error`` (``second_factor_required`` for a
coordinator who has not entered their one-time code). DRF's own errors keep their
status with this shape.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from accounts.exceptions import DomainError, InvalidState, NotAllowed


def error_body(code: str, detail: str, fields: dict[str, list[str]] | None = None) -> dict:
    return {"error": code, "detail": detail, "fields": fields or {}}


def _flatten(detail: Any) -> dict[str, list[str]]:
    """DRF's nested error detail as {field: [messages]} (nested paths joined by '.')."""
    fields: dict[str, list[str]] = {}

    def walk(value: Any, path: str) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                walk(item, f"{path}.{key}" if path else str(key))
        elif isinstance(value, list) and value and not all(isinstance(v, str) for v in value):
            for i, item in enumerate(value):
                walk(item, f"{path}.{i}" if path else str(i))
        elif isinstance(value, list):
            if value:
                fields.setdefault(path or "non_field_errors", []).extend(str(v) for v in value)
        else:
            fields.setdefault(path or "non_field_errors", []).append(str(value))

    walk(detail, "")
    return fields


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        if isinstance(exc, NotAllowed):
            http = status.HTTP_403_FORBIDDEN
        elif isinstance(exc, InvalidState):
            http = status.HTTP_409_CONFLICT
        else:
            http = status.HTTP_400_BAD_REQUEST
        fields = {exc.field: [exc.message]} if exc.field else {}
        return Response(error_body(exc.code, exc.message, fields), status=http)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a bug: Django's 500 handler takes it
    if isinstance(exc, exceptions.ValidationError):
        body = error_body("invalid", _("Some fields are not valid."), _flatten(exc.detail))
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        body = error_body(code if isinstance(code, str) else "error", str(detail))
    response.data = body
    return response
