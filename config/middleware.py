"""Project-wide request guards."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
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


class TwoFactorRequired:
    """Coordinators and admin staff confirm a one-time code (TOTP) once per login
    before they open a coordinator's page or the admin; until then they are sent
    to set it up, or to enter it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._needs_code(request):
            from django_otp import user_has_device

            if request.path.startswith("/api/"):
                message = _("Confirm your two-factor code in MaakMatch first.")
                return JsonResponse(
                    {"error": "second_factor_required", "detail": message, "fields": {}},
                    status=403,
                )
            target = (
                "web:two_factor_verify"
                if user_has_device(request.user)
                else ("web:two_factor_setup")
            )
            return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

    @staticmethod
    def _needs_code(request: HttpRequest) -> bool:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or user.is_verified():
            return False
        if not request.path.startswith(settings.MAAKMATCH_TWO_FACTOR_PATHS):
            return False
        from accounts.models import Role
        from accounts.selectors import user_has_role

        return user.is_staff or user_has_role(user=user, role=Role.COORDINATOR)
