"""Guest lessons and company visits: a company's offers, a school's requests for
one class, and the way from request to a date in both calendars.

    open --send--> sent --accept (1-3 dates)--> proposed --choose--> planned --given--> given
                    |                                                  |
                    +--decline--> declined (send it to another offer)  +--cancel--> cancelled

A request is sent to one offer at a time. The company proposes dates (the
interview's slot rules) or declines with a word; the requester picks one date,
and both sides get it as an .ics (``worker.notify_guest_request``). After the
date either side records it as given, with the pupils reached: the region's
figures count those.

May import: accounts, marketplace, matching (its engine and slot rules). Never api/ or web/.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.background import task_send_on_commit
from accounts.exceptions import DomainError, InvalidState, NotAllowed
from accounts.models import Organisation, OrganisationKind, Role, User
from accounts.selectors import user_has_role
from learning import selectors
from learning.models import (
    GuestOffer,
    GuestRequest,
    GuestRequestStatus,
    GuestSlot,
)
from marketplace.models import Skill
from matching.engine.geo import haversine_km
from matching.interviews import SlotInput, slots_check

G = GuestRequestStatus
OFFER_FIELDS = frozenset(
    {
        "format",
        "topic",
        "description",
        "levels",
        "venues",
        "frequency",
        "place",
        "reach_km",
        "pupils_max",
    }
)
REQUEST_FIELDS = frozenset(
    {"format", "topic", "class_name", "level", "pupils", "venues", "place", "note"}
)
ANSWER_MAX = 2_000


def _notify(request: GuestRequest, event: str) -> None:
    task_send_on_commit("worker.notify_guest_request", request.pk, event)


def _full_clean(instance: Any, exclude: list[str]) -> None:
    """The model's own rules as one domain error, for the first field that breaks one."""
    try:
        instance.full_clean(exclude=exclude, validate_unique=False)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise DomainError(messages[0], field=None if field == "__all__" else field) from None


# -- offers -----------------------------------------------------------------------


def _company_check(*, user: User, company: Organisation) -> None:
    if company.kind != OrganisationKind.COMPANY or not user_has_role(
        user=user, role=Role.COMPANY_MEMBER, organisation=company
    ):
        raise NotAllowed(_("Only the company's members keep its guest lessons."))


def _offer_validate(offer: GuestOffer) -> None:
    if not offer.levels:
        raise DomainError(_("Say for which levels."), field="levels")
    if not offer.venues:
        raise DomainError(_("Say where it can take place."), field="venues")
    _full_clean(offer, exclude=["company", "created_by"])


@transaction.atomic
def offer_save(
    *,
    by: User,
    company: Organisation | None = None,
    offer: GuestOffer | None = None,
    data: Mapping[str, Any],
    skills: Iterable[Skill] = (),
) -> GuestOffer:
    """Create an offer for ``company``, or change ``offer``; its skills are replaced."""
    if offer is None:
        if company is None:
            raise ValueError("a new offer needs its company")
        offer = GuestOffer(company=company, created_by=by)
    _company_check(user=by, company=offer.company)
    for name, value in data.items():
        if name in OFFER_FIELDS:
            setattr(offer, name, value)
    _offer_validate(offer)
    offer.save()
    offer.skills.set(list(skills))
    return offer


@transaction.atomic
def offer_set_active(*, offer: GuestOffer, by: User, active: bool) -> GuestOffer:
    _company_check(user=by, company=offer.company)
    offer.is_active = active
    offer.save(update_fields=["is_active", "updated_at"])
    return offer


# -- requests ---------------------------------------------------------------------


def _requester_check(*, user: User, organisation: Organisation) -> None:
    if not selectors.providers_for(user=user).filter(pk=organisation.pk).exists():
        raise NotAllowed(
            _("Only a counsellor of this school or learning location asks for guest lessons.")
        )


def _locked(request: GuestRequest) -> GuestRequest:
    locked = GuestRequest.objects.select_for_update().get(pk=request.pk)
    if locked.offer_id is not None:
        locked.offer = GuestOffer.objects.select_related("company").get(pk=locked.offer_id)
    return locked


def _state(request: GuestRequest, *allowed: str) -> None:
    if request.status not in allowed:
        raise InvalidState(
            _("This request is %(status)s; that step is not possible now.")
            % {"status": request.get_status_display()}
        )


@transaction.atomic
def request_save(
    *,
    by: User,
    organisation: Organisation | None = None,
    request: GuestRequest | None = None,
    data: Mapping[str, Any],
    skills: Iterable[Skill] = (),
) -> GuestRequest:
    """Create a request for one class, or change one that was not sent yet."""
    if request is None:
        if organisation is None:
            raise ValueError("a new request needs its organisation")
        request = GuestRequest(organisation=organisation, requested_by=by)
    else:
        request = _locked(request)
    _requester_check(user=by, organisation=request.organisation)
    if request.pk is not None:
        _state(request, G.OPEN, G.DECLINED)
    for name, value in data.items():
        if name in REQUEST_FIELDS:
            setattr(request, name, value)
    if not request.venues:
        raise DomainError(_("Say where it may take place."), field="venues")
    _full_clean(request, exclude=["organisation", "requested_by", "offer"])
    request.save()
    request.skills.set(list(skills))
    return request


@transaction.atomic
def request_send(*, request: GuestRequest, offer: GuestOffer, by: User) -> GuestRequest:
    """Send the request to one company's offer. The offer must be active, for the
    class's level and kind, and able to take place somewhere the request allows."""
    request = _locked(request)
    _requester_check(user=by, organisation=request.organisation)
    _state(request, G.OPEN, G.DECLINED)
    if not offer.is_active or offer.company.verified_at is None:
        raise InvalidState(_("This offer is no longer available."))
    if request.status == G.DECLINED and offer.pk == request.offer_id:
        raise InvalidState(_("This company declined; send the request to another offer."))
    if request.format != offer.format:
        raise DomainError(_("The offer is not the kind of activity you ask for."), field="offer")
    if request.level not in offer.levels:
        raise DomainError(_("The offer is not for this class's level."), field="offer")
    if not set(request.venues) & set(offer.venues):
        raise DomainError(_("The offer cannot take place where you ask."), field="offer")
    if _km(request.place, offer.place) > offer.reach_km:
        raise DomainError(
            _("The school lies farther away than the company travels (%(km)s km).")
            % {"km": offer.reach_km},
            field="offer",
        )
    if offer.pupils_max and request.pupils > offer.pupils_max:
        raise DomainError(
            _("The offer takes %(n)s pupils at most.") % {"n": offer.pupils_max}, field="offer"
        )
    request.offer = offer
    request.status = G.SENT
    request.sent_at = timezone.now()
    request.answer, request.answered_at = "", None
    request.save(update_fields=["offer", "status", "sent_at", "answer", "answered_at"])
    _notify(request, "sent")
    return request


def _km(a: Any, b: Any) -> float:
    """The distance between two places, as the ranking measures it."""
    lat = np.radians([a.latitude, b.latitude])
    lon = np.radians([a.longitude, b.longitude])
    return float(haversine_km(lat[:1], lon[:1], lat[1:], lon[1:])[0, 0])


def _offer_company_check(request: GuestRequest, by: User) -> None:
    if request.offer is None:
        raise InvalidState(_("This request was not sent to a company."))
    _company_check(user=by, company=request.offer.company)


@transaction.atomic
def request_accept(
    *, request: GuestRequest, by: User, slots: Sequence[SlotInput], answer: str = ""
) -> GuestRequest:
    """The company says yes and proposes one to three dates (the interview's rules:
    in the future, ending after they start, at most 8 hours, with a place)."""
    request = _locked(request)
    _offer_company_check(request, by)
    _state(request, G.SENT)
    slots = slots_check(slots)
    now = timezone.now()
    GuestSlot.objects.bulk_create(
        GuestSlot(
            request=request,
            starts_at=s.starts_at,
            ends_at=s.ends_at,
            location=s.location.strip(),
        )
        for s in slots
    )
    request.status = G.PROPOSED
    request.answer, request.answered_at = answer.strip()[:ANSWER_MAX], now
    request.save(update_fields=["status", "answer", "answered_at"])
    _notify(request, "proposed")
    return request


@transaction.atomic
def request_decline(*, request: GuestRequest, by: User, answer: str) -> GuestRequest:
    """The company says no, with a word for the school."""
    request = _locked(request)
    _offer_company_check(request, by)
    _state(request, G.SENT)
    if not answer.strip():
        raise DomainError(_("Tell the school why, in a few words."), field="answer")
    request.status = G.DECLINED
    request.answer, request.answered_at = answer.strip()[:ANSWER_MAX], timezone.now()
    request.save(update_fields=["status", "answer", "answered_at"])
    _notify(request, "declined")
    return request


@transaction.atomic
def request_choose(*, request: GuestRequest, slot_id: int, by: User) -> GuestRequest:
    """The requester picks one of the proposed dates: it is planned, and both sides
    get it for their calendar."""
    request = _locked(request)
    _requester_check(user=by, organisation=request.organisation)
    _state(request, G.PROPOSED)
    slot = request.slots.filter(
        pk=slot_id, chosen_at__isnull=True, cancelled_at__isnull=True
    ).first()
    if slot is None:
        raise DomainError(_("Pick one of the proposed dates."), field="slot")
    now = timezone.now()
    if slot.starts_at <= now:
        raise InvalidState(_("This date has passed; ask the company for another."))
    slot.chosen_at = now
    slot.save(update_fields=["chosen_at"])
    request.slots.exclude(pk=slot.pk).filter(cancelled_at__isnull=True).update(cancelled_at=now)
    request.status = G.PLANNED
    request.sequence = F("sequence") + 1
    request.save(update_fields=["status", "sequence"])
    request.refresh_from_db(fields=["sequence"])
    _notify(request, "planned")
    return request


# Where the company that the request was sent to still has a say.
COMPANY_STATES = (G.SENT, G.PROPOSED, G.PLANNED, G.GIVEN)


def _side(request: GuestRequest, by: User) -> str:
    """ "requester" or "company": the side ``by`` takes this step for. A company
    that declined is no longer a side."""
    if selectors.providers_for(user=by).filter(pk=request.organisation_id).exists():
        return "requester"
    if (
        request.offer is not None
        and request.status in COMPANY_STATES
        and user_has_role(user=by, role=Role.COMPANY_MEMBER, organisation=request.offer.company)
    ):
        return "company"
    raise NotAllowed(_("Only the school and the company of this guest lesson do that."))


@transaction.atomic
def request_given(*, request: GuestRequest, by: User, pupils_reached: int) -> GuestRequest:
    """After its date, either side records the lesson as given and how many pupils
    it reached (at most the class's size)."""
    request = _locked(request)
    _side(request, by)
    _state(request, G.PLANNED)
    chosen = request.chosen
    if chosen is None or chosen.starts_at > timezone.now():
        raise InvalidState(_("A guest lesson is recorded as given after its date."))
    if not 0 <= pupils_reached <= request.pupils:
        raise DomainError(
            _("Give a number from 0 to the class's %(n)s pupils.") % {"n": request.pupils},
            field="pupils_reached",
        )
    request.status = G.GIVEN
    request.given_at = chosen.starts_at
    request.pupils_reached = pupils_reached
    request.save(update_fields=["status", "given_at", "pupils_reached"])
    return request


@transaction.atomic
def request_cancel(*, request: GuestRequest, by: User) -> GuestRequest:
    """Either side calls it off before it is given; the other side is told, and a
    planned date is taken out of both calendars."""
    request = _locked(request)
    _side(request, by)
    _state(request, G.OPEN, G.SENT, G.PROPOSED, G.PLANNED, G.DECLINED)
    was_planned = request.status == G.PLANNED
    company_knows = request.status in (G.SENT, G.PROPOSED, G.PLANNED)
    if not was_planned:  # a planned date stays, so its cancellation can name it
        request.slots.filter(cancelled_at__isnull=True).update(cancelled_at=timezone.now())
    request.status = G.CANCELLED
    request.sequence = F("sequence") + 1
    request.save(update_fields=["status", "sequence"])
    request.refresh_from_db(fields=["sequence"])
    if company_knows:
        _notify(request, "cancelled")
    return request
