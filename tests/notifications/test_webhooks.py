"""Webhooks against a local HTTP receiver started by the test: the signature
checks out and ages, a 500 is retried with backoff, a success is never sent
again, a day of failures gives up; each event reaches only the organisations
it concerns, with ids and never a student's personal data."""

from __future__ import annotations

import datetime as dt
import json
import time

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.exceptions import DomainError, NotAllowed
from accounts.models import ImportJob, ImportKind, Membership, User
from matching import workflow
from notifications import webhooks
from notifications.models import WebhookDelivery, WebhookEndpoint
from tests import factories
from tests.conftest import World
from tests.receiver import Receiver

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _local_http(settings) -> None:
    settings.MAAKMATCH_WEBHOOKS_ALLOW_HTTP = True  # the receiver speaks plain http


def _admin(*users: User) -> None:
    Membership.objects.filter(user__in=users).update(is_admin=True)


def _endpoint(world: World, url: str, events: list[str], who: str = "company") -> tuple:
    admin, organisation = {
        "company": (world.bram, world.company_x),
        "school": (world.dirk, world.school_a),
        "other": (world.otto, world.company_y),
    }[who]
    _admin(admin)
    return webhooks.webhook_create(by=admin, organisation=organisation, url=url, events=events)


def test_a_delivery_is_signed_carries_ids_only_and_is_sent_once(world: World) -> None:
    match = factories.MatchFactory(
        profile=factories.ProfileFactory(user=world.sam),
        opening=factories.OpeningFactory(company=world.company_x),
        state="student_yes",
    )
    with Receiver() as receiver:
        _endpoint_row, secret = _endpoint(world, receiver.url, ["suggestion.student_yes"])
        (delivery_id,) = webhooks.event_emit(
            event="suggestion.student_yes", data={"suggestion": match.pk}
        )
        assert webhooks.delivery_attempt(delivery_id=delivery_id) == "delivered"
        assert webhooks.delivery_attempt(delivery_id=delivery_id) == "skipped"  # no duplicate
    (request,) = receiver.requests
    signature = request.headers["MaakMatch-Signature"]
    assert webhooks.signature_valid(secret=secret, header=signature, body=request.body)
    assert not webhooks.signature_valid(secret="whsec_ander", header=signature, body=request.body)
    assert not webhooks.signature_valid(secret=secret, header=signature, body=request.body + b" ")
    body = json.loads(request.body)
    assert body["event"] == "suggestion.student_yes"
    assert body["data"] == {"suggestion": match.pk}
    assert body["id"] == delivery_id
    assert body["created_at"].endswith("Z")
    text = request.body.decode()
    for personal in (world.sam.full_name, world.sam.email):
        assert personal not in text
    assert request.headers["MaakMatch-Event"] == "suggestion.student_yes"
    stored = WebhookDelivery.objects.get(pk=delivery_id)
    assert (stored.last_status, stored.attempts, stored.status) == (200, 1, "delivered")


def test_an_old_signature_is_refused_as_a_replay() -> None:
    body = b'{"id": 1}'
    old = webhooks.sign(secret="s", timestamp=int(time.time()) - 3600, body=body)
    assert not webhooks.signature_valid(secret="s", header=old, body=body)
    fresh = webhooks.sign(secret="s", timestamp=int(time.time()), body=body)
    assert webhooks.signature_valid(secret="s", header=fresh, body=body)


def test_a_500_is_retried_with_backoff_then_delivered_once(world: World) -> None:
    job = ImportJob.objects.create(
        kind=ImportKind.OPENINGS, organisation=world.company_x, created_by=world.bram
    )
    with Receiver(statuses=[500, 200]) as receiver:
        _endpoint(world, receiver.url, ["import.finished"])
        (pk,) = webhooks.event_emit(event="import.finished", data={"import": job.pk})
        assert webhooks.delivery_attempt(delivery_id=pk) == "retry"
        first = WebhookDelivery.objects.get(pk=pk)
        assert first.last_status == 500
        assert first.last_response == "kapot"
        wait = first.next_attempt_at - first.last_attempt_at
        assert wait == dt.timedelta(seconds=webhooks.BACKOFF_SECONDS[0])
        assert webhooks.deliveries_due() == []  # not due before the backoff
        due = timezone.now() + dt.timedelta(minutes=2)
        assert webhooks.deliveries_due(now=due) == [pk]
        assert webhooks.delivery_attempt(delivery_id=pk) == "delivered"
        assert webhooks.deliveries_due(now=due) == []
        assert webhooks.delivery_attempt(delivery_id=pk) == "skipped"
    assert len(receiver.requests) == 2
    assert receiver.requests[0].body == receiver.requests[1].body  # the same event


def test_a_day_of_failures_gives_up(world: World) -> None:
    job = ImportJob.objects.create(
        kind=ImportKind.OPENINGS, organisation=world.company_x, created_by=world.bram
    )
    with Receiver(statuses=[503]) as receiver:
        _endpoint(world, receiver.url, ["import.finished"])
        (pk,) = webhooks.event_emit(event="import.finished", data={"import": job.pk})
        WebhookDelivery.objects.filter(pk=pk).update(
            created_at=timezone.now() - dt.timedelta(days=1, minutes=1)
        )
        assert webhooks.delivery_attempt(delivery_id=pk) == "failed"
    assert WebhookDelivery.objects.get(pk=pk).status == "failed"
    assert webhooks.deliveries_due(now=timezone.now() + dt.timedelta(days=2)) == []


def test_each_event_reaches_only_the_organisations_it_concerns(world: World) -> None:
    url = "http://127.0.0.1:9/hooks"  # never called here
    events = ["suggestion.approved", "suggestion.student_yes", "placement.confirmed"]
    company, _ = _endpoint(world, url, events, "company")
    school, _ = _endpoint(world, url, events, "school")
    other, _ = _endpoint(world, url, events, "other")
    match = factories.MatchFactory(
        profile=factories.ProfileFactory(user=world.sam),
        opening=factories.OpeningFactory(company=world.company_x, capacity=3),
        state="accepted",
    )

    def reached(event: str, **data: object) -> set[int]:
        ids = webhooks.event_emit(event=event, data=data)
        return set(WebhookDelivery.objects.filter(pk__in=ids).values_list("endpoint", flat=True))

    # The company may not know of a suggestion before the student says yes.
    assert reached("suggestion.approved", suggestion=match.pk) == {school.pk}
    assert reached("suggestion.student_yes", suggestion=match.pk) == {school.pk, company.pk}
    placement = workflow.match_place(match=match, by=world.bram)
    assert reached("placement.confirmed", placement=placement.pk) == {school.pk, company.pk}
    # An endpoint that did not ask for an event does not get it.
    assert reached("placement.cancelled", placement=placement.pk) == set()
    assert other.pk not in set(WebhookDelivery.objects.values_list("endpoint", flat=True))


def test_endpoints_are_https_for_admins_only(world: World, settings) -> None:
    settings.MAAKMATCH_WEBHOOKS_ALLOW_HTTP = False
    _admin(world.bram)
    with pytest.raises(DomainError):
        webhooks.webhook_create(
            by=world.bram,
            organisation=world.company_x,
            url="http://ats.example.nl/hook",
            events=["opening.filled"],
        )
    with pytest.raises(DomainError):
        webhooks.webhook_create(
            by=world.bram, organisation=world.company_x, url="https://ats.example.nl", events=[]
        )
    with pytest.raises(NotAllowed):  # otto is no admin of company X
        webhooks.webhook_create(
            by=world.otto,
            organisation=world.company_x,
            url="https://ats.example.nl/hook",
            events=["opening.filled"],
        )
    endpoint, secret = webhooks.webhook_create(
        by=world.bram,
        organisation=world.company_x,
        url="https://ats.example.nl/hook",
        events=["opening.filled"],
    )
    assert secret.startswith("whsec_")
    assert endpoint.events == ["opening.filled"]


def test_the_webhooks_page_registers_shows_history_and_removes(
    client: Client, world: World
) -> None:
    _admin(world.bram)
    client.force_login(world.bram)
    url = reverse("web:organisation_webhooks")
    body = {
        "organisation": world.company_x.slug,
        "url": "https://ats.example.nl/hook",
        "events": ["opening.filled", "placement.confirmed"],
    }
    html = client.post(url, body).content.decode()
    assert "Kopieer het nu" in html
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.secret in html
    WebhookDelivery.objects.create(
        endpoint=endpoint,
        event="opening.filled",
        payload={"opening": "x"},
        last_status=500,
        last_response="kapot",
        attempts=1,
        next_attempt_at=timezone.now(),
    )
    again = client.get(url).content.decode()
    assert endpoint.secret not in again  # shown once
    assert "kapot" in again
    # Another company's member neither sees nor removes it.
    other = Client()
    _admin(world.otto)
    other.force_login(world.otto)
    assert "ats.example.nl" not in other.get(url).content.decode()
    remove = reverse("web:organisation_webhook_remove", args=[endpoint.pk])
    assert other.post(remove).status_code == 404
    assert client.post(remove).status_code == 302
    assert WebhookEndpoint.objects.get().removed_at is not None


def test_the_api_registers_a_webhook_and_shows_its_deliveries(world: World) -> None:
    from rest_framework.test import APIClient

    _admin(world.bram)
    api = APIClient()
    api.force_authenticate(world.bram)
    body = {
        "organisation": world.company_x.slug,
        "url": "https://ats.example.nl/hook",
        "events": ["opening.filled", "opening.filled"],
    }
    assert "events" in api.post("/api/v1/webhooks/", body, format="json").json()["fields"]
    body["events"] = ["opening.filled"]
    created = api.post("/api/v1/webhooks/", body, format="json").json()
    assert created["secret"].startswith("whsec_")
    endpoint = WebhookEndpoint.objects.get(pk=created["id"])
    WebhookDelivery.objects.create(
        endpoint=endpoint, event="opening.filled", payload={"opening": "stage-cnc"}
    )
    listed = api.get("/api/v1/webhooks/").json()["results"]
    assert [w["id"] for w in listed] == [endpoint.pk]
    assert "secret" not in listed[0]  # shown once
    (delivery,) = api.get(f"/api/v1/webhooks/{endpoint.pk}/deliveries/").json()
    assert (delivery["event"], delivery["status"]) == ("opening.filled", "pending")
    assert delivery["payload"] == {"opening": "stage-cnc"}
