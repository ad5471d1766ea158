"""Webhooks: an organisation's HTTPS endpoint hears of events that concern it.

A step queues ``worker.webhook_event`` after its commit; the worker finds the
organisations the event concerns (the student's school, the opening's company
once it may see the candidate, the import's organisation), writes one delivery
per subscribed endpoint and sends each. The payload carries ids only, never a
student's personal data: the receiver fetches the object with its key, so
scoping stays in one place.

Each request is signed: ``MaakMatch-Signature: t=<unix time>,v1=<hex>`` where
``v1`` is HMAC-SHA256 of ``"<t>.<body>"`` with the endpoint's secret, so a
receiver checks the sender and refuses replays older than a few minutes. A
failed attempt is retried with backoff for a day; a delivered one never again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
import time
import urllib.error
import urllib.request
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.exceptions import DomainError, NotAllowed
from accounts.keys import organisations_administered
from accounts.models import ImportJob, Membership, Organisation, Role, User
from marketplace.models import Opening, Placement
from matching.models import Match
from notifications.models import WebhookDelivery, WebhookEndpoint, WebhookEvent

E = WebhookEvent
BACKOFF_SECONDS = (60, 300, 1800, 7200, 21600, 43200)
GIVE_UP_AFTER = dt.timedelta(days=1)
TIMEOUT_SECONDS = 10
RESPONSE_KEPT = 2000
ENDPOINTS_MAX = 10
# Events a company hears of only once the student said yes (before that it may
# not know the suggestion exists).
SCHOOL_ONLY = {E.SUGGESTION_APPROVED}


def sign(*, secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def signature_valid(*, secret: str, header: str, body: bytes, tolerance: int = 300) -> bool:
    """What a receiver does (and the tests do): check the MAC and the age."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs(time.time() - timestamp) > tolerance:
        return False
    expected = sign(secret=secret, timestamp=timestamp, body=body)
    return hmac.compare_digest(expected, header)


# --- endpoints, for an organisation's admins --------------------------------------


def webhooks_for_admin(*, user: User) -> QuerySet[WebhookEndpoint]:
    return (
        WebhookEndpoint.objects.filter(
            organisation__in=organisations_administered(user=user), removed_at__isnull=True
        )
        .select_related("organisation")
        .order_by("-created_at", "-pk")
    )


def _url_check(url: str) -> str:
    url = url.strip()
    allowed = ("https://", "http://") if settings.MAAKMATCH_WEBHOOKS_ALLOW_HTTP else ("https://",)
    if not url.startswith(allowed) or len(url) > 500:
        raise DomainError(_("Give an https:// address."), field="url")
    return url


@transaction.atomic
def webhook_create(
    *, by: User, organisation: Organisation, url: str, events: list[str]
) -> tuple[WebhookEndpoint, str]:
    """A new endpoint; returns it and its signing secret, shown once."""
    if not organisations_administered(user=by).filter(pk=organisation.pk).exists():
        raise NotAllowed(_("Only an admin of the organisation manages its webhooks."))
    url = _url_check(url)
    events = sorted(set(events))
    if not events or not set(events) <= set(E.values):
        raise DomainError(_("Choose at least one event."), field="events")
    Organisation.objects.select_for_update().get(pk=organisation.pk)
    if organisation.webhooks.filter(removed_at__isnull=True).count() >= ENDPOINTS_MAX:
        raise DomainError(_("This organisation has too many webhooks; remove one first."))
    secret = "whsec_" + secrets.token_urlsafe(32)
    endpoint = WebhookEndpoint.objects.create(
        organisation=organisation, url=url, events=events, secret=secret, created_by=by
    )
    return endpoint, secret


def webhook_remove(*, endpoint: WebhookEndpoint, by: User) -> None:
    if not webhooks_for_admin(user=by).filter(pk=endpoint.pk).exists():
        raise NotAllowed(_("Only an admin of the organisation manages its webhooks."))
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(removed_at=timezone.now())


# --- events -------------------------------------------------------------------


def _schools_of(user_id: int) -> set[int]:
    return set(
        Membership.objects.filter(
            user_id=user_id, role=Role.STUDENT, organisation__isnull=False
        ).values_list("organisation_id", flat=True)
    )


def _organisations(event: str, data: dict[str, Any]) -> set[int]:
    """Who an event concerns, read from the ids it names."""
    if "placement" in data:
        placement = Placement.objects.select_related("profile").filter(pk=data["placement"]).first()
        if placement is None:
            return set()
        schools = _schools_of(placement.profile.user_id) if placement.profile_id else set()
        return schools | {placement.company_id}
    if "suggestion" in data:
        match = Match.objects.select_related("profile", "opening").filter(pk=data["suggestion"])
        match = match.first()
        if match is None:
            return set()
        schools = _schools_of(match.profile.user_id)
        return schools if event in SCHOOL_ONLY else schools | {match.opening.company_id}
    if "opening" in data:
        return set(
            Opening.objects.filter(slug=data["opening"]).values_list("company_id", flat=True)
        )
    if "import" in data:
        return set(
            ImportJob.objects.filter(pk=data["import"]).values_list("organisation_id", flat=True)
        )
    return set()


def event_emit(*, event: str, data: dict[str, Any]) -> list[int]:
    """One delivery per endpoint that listens to ``event`` among the organisations
    it concerns; returns their ids, for the worker to send."""
    if event not in E.values:
        raise ValueError(f"unknown webhook event {event!r}")
    organisations = _organisations(event, data)
    endpoints = [
        endpoint
        for endpoint in WebhookEndpoint.objects.filter(
            organisation_id__in=organisations, removed_at__isnull=True
        )
        if event in endpoint.events
    ]
    now = timezone.now()
    deliveries = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(
            endpoint=endpoint, event=event, payload=data, created_at=now, next_attempt_at=now
        )
        for endpoint in endpoints
    )
    return [d.pk for d in deliveries]


def delivery_body(delivery: WebhookDelivery) -> bytes:
    created = delivery.created_at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    payload = {"id": delivery.pk, "event": delivery.event, "created_at": created}
    return json.dumps({**payload, "data": delivery.payload}, sort_keys=True).encode()


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            return response.status, response.read(RESPONSE_KEPT).decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read(RESPONSE_KEPT).decode("utf-8", "replace")
    except (urllib.error.URLError, OSError, ValueError) as error:
        return 0, str(error)[:RESPONSE_KEPT]


def delivery_attempt(*, delivery_id: int) -> str:
    """Send one delivery if it is due; ``delivered``, ``retry``, ``failed`` or
    ``skipped`` (already delivered or given up, or another worker holds it). The
    row stays locked while it is sent, so no two workers send it at once."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True)
            .select_related("endpoint")
            .filter(pk=delivery_id, delivered_at__isnull=True, given_up_at__isnull=True)
            .first()
        )
        if delivery is None or delivery.endpoint.removed_at is not None:
            return "skipped"
        body = delivery_body(delivery)
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "MaakMatch-Webhooks/1",
            "MaakMatch-Event": delivery.event,
            "MaakMatch-Delivery": str(delivery.pk),
            "MaakMatch-Signature": sign(
                secret=delivery.endpoint.secret, timestamp=int(time.time()), body=body
            ),
        }
        status, text = _post(delivery.endpoint.url, body, headers)
        now = timezone.now()
        delivery.attempts += 1
        delivery.last_status = status or None
        delivery.last_response = text
        delivery.last_attempt_at = now
        if 200 <= status < 300:
            delivery.delivered_at, delivery.next_attempt_at, outcome = now, None, "delivered"
        elif now - delivery.created_at >= GIVE_UP_AFTER:
            delivery.given_up_at, delivery.next_attempt_at, outcome = now, None, "failed"
        else:
            wait = BACKOFF_SECONDS[min(delivery.attempts, len(BACKOFF_SECONDS)) - 1]
            delivery.next_attempt_at, outcome = now + dt.timedelta(seconds=wait), "retry"
        delivery.save()
    return outcome


def deliveries_due(*, now: dt.datetime | None = None) -> list[int]:
    """Deliveries whose next attempt is due, for the minute sweep."""
    return list(
        WebhookDelivery.objects.filter(
            next_attempt_at__lte=now or timezone.now(),
            delivered_at__isnull=True,
            given_up_at__isnull=True,
        ).values_list("pk", flat=True)[:500]
    )
