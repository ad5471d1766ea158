"""Guest lessons and company visits in the API: a company's offers, a school's
requests, the offers that fit a request, and each side's steps. Thin, like
``api.views``: querysets are scoped to the viewer (others' objects are 404),
``learning.guest_lessons`` makes each change and says who may (403) and when
(409)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.exceptions import DomainError
from api import serializers as s
from learning import guest_lessons, selectors
from learning.models import GuestOffer, GuestRequest
from matching.interviews import SlotInput

OFFER_PATCH_FIELDS = guest_lessons.OFFER_FIELDS | {"is_active"}


def _valid(serializer_class: type, request: Request, **kwargs: Any) -> dict[str, Any]:
    serializer = serializer_class(data=request.data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class GuestOfferViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Guest lessons and company visits companies offer: a company's members keep
    theirs; counsellors of schools and learning locations see every active one."""

    serializer_class = s.GuestOfferSerializer
    permission_classes = [IsAuthenticated]
    lookup_value_regex = "[0-9]{1,18}"
    queryset = GuestOffer.objects.none()

    def get_queryset(self) -> QuerySet[GuestOffer]:
        return selectors.guest_offers_visible_to(viewer=self.request.user).order_by("topic", "pk")

    def create(self, request: Request) -> Response:
        """Offer a guest lesson or visit, for the one company you are a member of."""
        companies = list(selectors.guest_companies_for(user=request.user)[:2])
        if len(companies) != 1:
            raise PermissionDenied(_("Only a member of one company offers guest lessons here."))
        data = _valid(s.GuestOfferSerializer, request)
        skills = data.pop("skills", [])
        active = data.pop("is_active", True)
        offer = guest_lessons.offer_save(
            by=request.user, company=companies[0], data=data, skills=skills
        )
        if not active:
            offer = guest_lessons.offer_set_active(offer=offer, by=request.user, active=False)
        return Response(s.GuestOfferSerializer(offer).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk: str) -> Response:
        """Change an offer of your company (any subset of its fields)."""
        offer = self.get_object()
        data = _valid(s.GuestOfferSerializer, request, partial=True)
        skills = data.pop("skills", None)
        active = data.pop("is_active", None)
        offer = guest_lessons.offer_save(
            by=request.user,
            offer=offer,
            data=data,
            skills=skills if skills is not None else list(offer.skills.all()),
        )
        if active is not None:
            offer = guest_lessons.offer_set_active(offer=offer, by=request.user, active=active)
        return Response(s.GuestOfferSerializer(offer).data)


class GuestRequestViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Requests for a guest lesson or visit for one class: a school's (or learning
    location's) counsellors make and send them, the company it is sent to answers,
    and learning locations' coaches follow the planned ones."""

    serializer_class = s.GuestRequestSerializer
    permission_classes = [IsAuthenticated]
    lookup_value_regex = "[0-9]{1,18}"
    queryset = GuestRequest.objects.none()

    def get_queryset(self) -> QuerySet[GuestRequest]:
        return selectors.guest_requests_for(viewer=self.request.user).order_by("-created_at", "-pk")

    def _present(self, request_id: int) -> Response:
        """The request after a step the viewer just took. Read by id, not through the
        viewer's scope: a company that declined no longer sees the request, but is
        answered with what it did."""
        found = (
            GuestRequest.objects.select_related("organisation", "offer__company", "place")
            .prefetch_related("skills", "slots")
            .get(pk=request_id)
        )
        return Response(s.GuestRequestSerializer(found, context=self.get_serializer_context()).data)

    def create(self, request: Request) -> Response:
        """Ask for a guest lesson or visit, for a class of the one school or learning
        location you counsel at."""
        providers = list(selectors.providers_for(user=request.user)[:2])
        if len(providers) != 1:
            raise PermissionDenied(
                _("Only a counsellor of one school or learning location asks here.")
            )
        data = _valid(s.GuestRequestSerializer, request)
        skills = data.pop("skills", [])
        saved = guest_lessons.request_save(
            by=request.user, organisation=providers[0], data=data, skills=skills
        )
        response = self._present(saved.pk)
        response.status_code = status.HTTP_201_CREATED
        return response

    def partial_update(self, request: Request, pk: str) -> Response:
        """Change a request that was not sent yet (or that a company declined)."""
        guest = self.get_object()
        data = _valid(s.GuestRequestSerializer, request, partial=True)
        skills = data.pop("skills", None)
        guest_lessons.request_save(
            by=request.user,
            request=guest,
            data=data,
            skills=skills if skills is not None else list(guest.skills.all()),
        )
        return self._present(guest.pk)

    @extend_schema(request=None, responses=s.GuestOfferFitSerializer(many=True))
    @action(detail=True, methods=["get"])
    def offers(self, request: Request, pk: str) -> Response:
        """The active offers that fit this request, best first, with why: the
        skills asked that each shows, the topic's similarity and the distance."""
        guest = self.get_object()
        if "requester" not in selectors.guest_request_roles(request=guest, viewer=request.user):
            raise PermissionDenied(_("Only the school that asks sees the offers that fit."))
        rows = [
            {
                "offer": offer,
                "score": fit.score,
                **fit.parts,
                "distance_km": fit.distance_km,
                "skills_shared": list(fit.skills_shared),
            }
            for offer, fit in selectors.guest_offers_ranked(request=guest)
        ]
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(s.GuestOfferFitSerializer(page, many=True).data)

    @extend_schema(request=s.GuestSendSerializer, responses=s.GuestRequestSerializer)
    @action(detail=True, methods=["post"])
    def send(self, request: Request, pk: str) -> Response:
        """Send the request to one offer; its company proposes dates or declines."""
        guest = self.get_object()
        data = _valid(s.GuestSendSerializer, request)
        offer = (
            selectors.guest_offers_visible_to(viewer=request.user).filter(pk=data["offer"]).first()
        )
        if offer is None:
            raise DomainError(_("No such offer."), field="offer")
        guest_lessons.request_send(request=guest, offer=offer, by=request.user)
        return self._present(guest.pk)

    @extend_schema(request=s.GuestAcceptSerializer, responses=s.GuestRequestSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str) -> Response:
        """The company says yes with one to three dates; the school picks one."""
        guest = self.get_object()
        data = _valid(s.GuestAcceptSerializer, request)
        guest_lessons.request_accept(
            request=guest,
            by=request.user,
            slots=[SlotInput(**slot) for slot in data["slots"]],
            answer=data["message"],
        )
        return self._present(guest.pk)

    @extend_schema(request=s.GuestDeclineSerializer, responses=s.GuestRequestSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: str) -> Response:
        """The company says no, with a word for the school."""
        guest = self.get_object()
        data = _valid(s.GuestDeclineSerializer, request)
        guest_lessons.request_decline(request=guest, by=request.user, answer=data["answer"])
        return self._present(guest.pk)

    @extend_schema(request=s.ChooseTimeSerializer, responses=s.GuestRequestSerializer)
    @action(detail=True, methods=["post"])
    def choose(self, request: Request, pk: str) -> Response:
        """The school picks a proposed date: both sides get it for their calendar."""
        guest = self.get_object()
        data = _valid(s.ChooseTimeSerializer, request)
        guest_lessons.request_choose(request=guest, slot_id=data["slot"], by=request.user)
        return self._present(guest.pk)

    @extend_schema(request=s.GuestGivenSerializer, responses=s.GuestRequestSerializer)
    @action(detail=True, methods=["post"])
    def given(self, request: Request, pk: str) -> Response:
        """After its date, either side records it as given, with the pupils reached."""
        guest = self.get_object()
        data = _valid(s.GuestGivenSerializer, request)
        guest_lessons.request_given(
            request=guest, by=request.user, pupils_reached=data["pupils_reached"]
        )
        return self._present(guest.pk)

    @extend_schema(request=None, responses=s.GuestRequestSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        """Either side calls it off; a planned date leaves both calendars."""
        guest = self.get_object()
        guest_lessons.request_cancel(request=guest, by=request.user)
        return self._present(guest.pk)
