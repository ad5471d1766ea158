"""Every call made with an organisation key goes into the audit log under the
key's own account (its name), with the method, path and status."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from accounts.models import OrganisationKey
from audit.services import api_call_recorded


class OrganisationKeyAudit:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # Set by api.authentication on Django's request, refused calls included.
        key = getattr(request, "organisation_key", None)
        if isinstance(key, OrganisationKey):
            api_call_recorded(
                actor=key.user,
                method=request.method or "",
                path=request.get_full_path(),
                status=response.status_code,
            )
        return response
