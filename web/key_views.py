"""An organisation's integrations, for its admins: API keys (made, shown once,
with each key's scope, expiry, last use and latest calls, revoked) and webhooks
(registered with their events, each delivery's history and last response,
removed)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import keys
from accounts.exceptions import DomainError
from audit.models import AuditAction, AuditEntry
from notifications import webhooks
from notifications.models import WebhookDelivery
from web.access import second_factor_when_needed
from web.forms import OrganisationKeyForm, WebhookForm
from web.views import show_domain_error

RECENT_CALLS = 5


@second_factor_when_needed
@require_http_methods(["GET", "POST"])
def organisation_keys(request: HttpRequest) -> HttpResponse:
    organisations = keys.organisations_administered(user=request.user).order_by("name")
    if not organisations.exists():
        raise Http404
    form = OrganisationKeyForm(request.POST or None, organisations=organisations)
    new_key = None
    if request.method == "POST" and form.is_valid():
        try:
            _key, new_key = keys.organisation_key_create(by=request.user, **form.cleaned_data)
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            form = OrganisationKeyForm(organisations=organisations)
    rows = list(keys.keys_for_admin(user=request.user))
    calls = AuditEntry.objects.filter(
        action=AuditAction.API_CALL, actor_id__in=[k.user_id for k in rows]
    ).order_by("-created_at", "-pk")
    recent: dict[int, list[AuditEntry]] = {}
    for call in calls[: RECENT_CALLS * max(len(rows), 1)]:
        bucket = recent.setdefault(call.actor_id, [])
        if len(bucket) < RECENT_CALLS:
            bucket.append(call)
    context = {
        "form": form,
        "new_key": new_key,
        "rows": [{"key": k, "calls": recent.get(k.user_id, [])} for k in rows],
    }
    return render(request, "web/organisation_keys.html", context)


@second_factor_when_needed
@require_POST
def organisation_key_revoke(request: HttpRequest, key_id: int) -> HttpResponse:
    key = get_object_or_404(keys.keys_for_admin(user=request.user), pk=key_id)
    keys.organisation_key_revoke(key=key, by=request.user)
    messages.success(request, _("The key “%(name)s” is revoked.") % {"name": key.name})
    return redirect("web:organisation_keys")


RECENT_DELIVERIES = 10


@second_factor_when_needed
@require_http_methods(["GET", "POST"])
def organisation_webhooks(request: HttpRequest) -> HttpResponse:
    organisations = keys.organisations_administered(user=request.user).order_by("name")
    if not organisations.exists():
        raise Http404
    form = WebhookForm(request.POST or None, organisations=organisations)
    new_secret = None
    if request.method == "POST" and form.is_valid():
        try:
            _endpoint, new_secret = webhooks.webhook_create(by=request.user, **form.cleaned_data)
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            form = WebhookForm(organisations=organisations)
    endpoints = list(webhooks.webhooks_for_admin(user=request.user))
    rows = [
        {
            "endpoint": endpoint,
            "deliveries": list(
                WebhookDelivery.objects.filter(endpoint=endpoint).order_by("-created_at", "-pk")[
                    :RECENT_DELIVERIES
                ]
            ),
        }
        for endpoint in endpoints
    ]
    context = {"form": form, "new_secret": new_secret, "rows": rows}
    return render(request, "web/organisation_webhooks.html", context)


@second_factor_when_needed
@require_POST
def organisation_webhook_remove(request: HttpRequest, webhook_id: int) -> HttpResponse:
    endpoint = get_object_or_404(webhooks.webhooks_for_admin(user=request.user), pk=webhook_id)
    webhooks.webhook_remove(endpoint=endpoint, by=request.user)
    messages.success(request, _("The webhook to %(url)s is removed.") % {"url": endpoint.url})
    return redirect("web:organisation_webhooks")
