"""Who may open a page: the decorators for pages that need a role's powers, and
the way to the second factor for those who still have to enter it.

The rules themselves live in ``accounts`` (``selectors.user_has_role``, the second
factor, ``services.coordinator_check``, which the API asks too); these only turn
their answers into a page, a redirect or a 403.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django_otp import user_has_device

from accounts import selectors, services
from accounts.exceptions import NotAllowed, SecondFactorRequired

View = Callable[..., HttpResponse]


def second_factor_redirect(request: HttpRequest) -> HttpResponse:
    """To the code page (or, without an authenticator yet, its set-up), and back."""
    target = "web:two_factor_verify" if user_has_device(request.user) else "web:two_factor_setup"
    return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")


def coordinator_required(view: View) -> View:
    """A coordinator who passed the second factor; a coordinator who has not is
    sent to enter it; anyone else is refused (403), and nobody logged in logs in."""

    @wraps(view)
    def guarded(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        try:
            services.coordinator_check(user=request.user)
        except SecondFactorRequired:
            return second_factor_redirect(request)
        except NotAllowed:
            raise PermissionDenied from None
        return view(request, *args, **kwargs)

    return guarded


def second_factor_when_needed(view: View) -> View:
    """For pages that hand out credentials (API tokens): people who need a
    second factor enter it first; everyone else goes straight on."""

    @wraps(view)
    def guarded(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if selectors.user_second_factor_missing(user=request.user):
            return second_factor_redirect(request)
        return view(request, *args, **kwargs)

    return guarded
