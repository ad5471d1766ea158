"""Personal API tokens: ``Authorization: Bearer <key>`` (or ``Token <key>``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from accounts.models import User
from accounts.services import api_token_user

KEYWORDS = (b"bearer", b"token")
# ``request.auth`` for a token login, so views can tell it from a session.
TOKEN_AUTH = "api-token"  # noqa: S105 (a marker, not a secret)


class ApiTokenAuthentication(BaseAuthentication):
    """A token the user made on their settings page; only its hash is stored."""

    def authenticate(self, request: Request) -> tuple[User, str] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in KEYWORDS:
            return None  # not ours: session authentication may still apply
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Give one token after the keyword."))
        try:
            key = parts[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("The token is not valid.")) from None
        user = api_token_user(key=key)
        if user is None:
            raise exceptions.AuthenticationFailed(_("The token is not valid or was revoked."))
        return user, TOKEN_AUTH

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema: object) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token from your settings page.",
        }
