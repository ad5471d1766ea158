"""Request limits per anonymous IP address and per user (``API_THROTTLE_RATES``).

The rates are read from settings on every request rather than fixed when the
class is imported, so an environment or test can change them.
"""

from __future__ import annotations

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from accounts.identity import client_address


class _FromSettings:
    scope: str

    def get_rate(self) -> str | None:
        return settings.API_THROTTLE_RATES.get(self.scope)

    def get_ident(self, request: Request) -> str:
        # The same address login lockout uses: X-Forwarded-For only as far as
        # PROXY_COUNT proxies vouch for it, so a made-up header is no new client.
        return client_address(request)


class AnonThrottle(_FromSettings, AnonRateThrottle):
    scope = "anon"


class UserThrottle(_FromSettings, UserRateThrottle):
    scope = "user"
