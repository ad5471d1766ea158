"""Who is asking, read one way by login lockout (django-axes) and the API's
request limits (DRF throttling): the client's IP address, and the account name
typed at the login.

The address:

``X-Forwarded-For`` is only believed for the number of reverse proxies the
deployment says it has (``PROXY_COUNT``): each proxy appends the address it saw,
so the client is the ``PROXY_COUNT``-th entry from the right. Anything further
left was written by the client and could be anything. With no proxy the header
is ignored and the socket's address (``REMOTE_ADDR``) counts.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    remote = request.META.get("REMOTE_ADDR", "") or ""
    proxies = settings.MAAKMATCH_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies <= 0 or not forwarded:
        return remote
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    if not hops:
        return remote
    # Fewer entries than proxies: the header did not pass every proxy, so the
    # left-most entry is the closest to the client that a proxy vouches for.
    return hops[-min(proxies, len(hops))]


def lockout_username(request: HttpRequest, credentials: dict | None = None) -> str:
    """The account a login attempt is for, as lockout counts it: trimmed and in
    lower case, because logins find the account case-insensitively. Counted raw,
    ``SAM@x.nl`` and ``sam@x.nl`` were five free guesses each."""
    field = settings.AXES_USERNAME_FORM_FIELD
    value = (credentials or {}).get(field)
    if value is None:
        value = request.POST.get(field, "") if request is not None else ""
    return str(value).strip().lower()
