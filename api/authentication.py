"""API credentials: ``Authorization: Bearer <key>`` (or ``Token <key>``).

A personal token acts as its person. An organisation key (``mmo_…``) acts as
the organisation, through its own account; a read key may only read (any
other method is a 403)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from accounts.keys import organisation_key_for
from accounts.models import ORGANISATION_KEY_PREFIX, KeyScope, OrganisationKey, User
from accounts.services import api_token_user

KEYWORDS = (b"bearer", b"token")
# ``request.auth`` for a token login, so views can tell it from a session.
TOKEN_AUTH = "api-token"  # noqa: S105 (a marker, not a secret)
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


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
        if key.startswith(ORGANISATION_KEY_PREFIX):
            return self._organisation_key(request, key)
        user = api_token_user(key=key)
        if user is None:
            raise exceptions.AuthenticationFailed(_("The token is not valid or was revoked."))
        return user, TOKEN_AUTH

    def _organisation_key(self, request: Request, secret: str) -> tuple[User, OrganisationKey]:
        key = organisation_key_for(secret=secret)
        if key is None:
            raise exceptions.AuthenticationFailed(
                _("The key is not valid, expired or was revoked.")
            )
        # For the audit log (api.middleware), refused calls included: DRF keeps
        # no user or auth on a request whose authentication raised.
        request._request.organisation_key = key
        if key.scope == KeyScope.READ and request.method not in SAFE_METHODS:
            raise exceptions.PermissionDenied(_("This key may only read."))
        return key.user, key

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema: object) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "A personal API token from your settings page, or an organisation key "
                "(`mmo_…`) made by a school's or company's admin."
            ),
        }
