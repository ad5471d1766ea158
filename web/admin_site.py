"""The admin, behind the second factor: staff (and the coordinators among them)
open it only after entering their one-time code in this session.

``accounts.selectors.user_second_factor_missing`` decides; this site asks it on
every admin page and sends those who still need the code to enter it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import update_wrapper

from django.contrib import admin
from django.http import HttpRequest, HttpResponse

from accounts import selectors
from web.access import second_factor_redirect


def _code_pending(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_active and user.is_staff) and selectors.user_second_factor_missing(
        user=user
    )


class MaakMatchAdminSite(admin.AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and not selectors.user_second_factor_missing(
            user=request.user
        )

    def admin_view(self, view: Callable, cacheable: bool = False) -> Callable:
        inner = super().admin_view(view, cacheable)

        def guarded(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
            if _code_pending(request):
                return second_factor_redirect(request)
            return inner(request, *args, **kwargs)

        return update_wrapper(guarded, inner)

    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        # Logged in with the password, not yet with the code: the code, not a
        # second login form ("not authorised").
        if _code_pending(request):
            return second_factor_redirect(request)
        return super().login(request, extra_context)
