"""Guest lessons and company visits: a company's offers, a school's requests with
the offers that fit them, each side's steps, and the planned date as .ics.

Who sees what (``learning.selectors.guest_requests_for``): a school's or learning
location's counsellors their own requests; a company's members the requests sent
to its offers; a learning location's coaches every planned or given lesson in the
region. Everyone else gets a 404 for a request, as if it did not exist."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.exceptions import DomainError
from learning import guest_lessons as services
from learning import selectors
from learning.models import GuestOffer, GuestRequest, GuestRequestStatus
from marketplace import selectors as marketplace_selectors
from marketplace.models import Place
from matching.models import INTERVIEW_SLOTS_MAX
from notifications import services as notifications
from web.counsellor_views import ID_PATTERN
from web.forms import (
    GuestDatesForm,
    GuestDeclineForm,
    GuestGivenForm,
    GuestOfferForm,
    GuestRequestForm,
)
from web.views import show_domain_error

G = GuestRequestStatus


def _viewer_kinds(request: HttpRequest) -> tuple[bool, bool]:
    """(keeps a company's offers, asks for guest lessons)."""
    return (
        selectors.guest_companies_for(user=request.user).exists(),
        selectors.providers_for(user=request.user).exists(),
    )


@login_required
@require_GET
def guest_lessons(request: HttpRequest) -> HttpResponse:
    """A company's offers and the requests sent to them; a school's requests; and
    for a learning location's coaches, the region's planned guest lessons."""
    company, requester = _viewer_kinds(request)
    if not (company or requester):
        raise PermissionDenied
    visible = selectors.guest_requests_for(viewer=request.user)
    context: dict[str, Any] = {"company": company, "requester": requester}
    if company:
        companies = selectors.guest_companies_for(user=request.user)
        context["offers"] = selectors.guest_offers_of(viewer=request.user)
        context["incoming"] = visible.filter(offer__company__in=companies).order_by(
            "status", "-sent_at"
        )
    if requester:
        context["own"] = visible.filter(
            organisation__in=selectors.providers_for(user=request.user)
        ).order_by("-created_at")
    context["show_region"] = selectors.is_learning_location_coach(user=request.user)
    if context["show_region"]:
        context["region"] = visible.filter(status__in=selectors.GUEST_REGION_STATES).order_by(
            "-given_at", "-pk"
        )
    return render(request, "web/guest_lessons.html", context)


def _place_of(organisation: Any) -> Any:
    """The organisation's municipality as a place, to start a form with."""
    if organisation is None or not organisation.municipality:
        return None
    return Place.objects.filter(name__iexact=organisation.municipality).first()


# -- offers ---------------------------------------------------------------------------


def _offer_form(request: HttpRequest, offer: GuestOffer | None) -> HttpResponse:
    companies = selectors.guest_companies_for(user=request.user)
    if offer is None and not companies.exists():
        raise PermissionDenied
    initial: dict[str, Any] = {}
    if offer is not None:
        initial = {name: getattr(offer, name) for name in services.OFFER_FIELDS}
        initial["skills"] = list(offer.skills.all())
    elif (place := _place_of(companies.first())) is not None:
        initial["place"] = place.pk
    form = GuestOfferForm(
        request.POST or None,
        initial=initial,
        terms=marketplace_selectors.skill_by_term(),
        owners=companies if offer is None and companies.count() > 1 else None,
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        skills = data.pop("skills")
        owner = data.pop("owner", None) or (offer.company if offer else companies.first())
        try:
            saved = services.offer_save(
                by=request.user, company=owner, offer=offer, data=data, skills=skills
            )
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            messages.success(request, _("“%(topic)s” is saved.") % {"topic": saved.topic})
            return redirect("web:guest_lessons")
    return render(request, "web/guest_offer_form.html", {"form": form, "offer": offer})


@login_required
@require_http_methods(["GET", "POST"])
def guest_offer_new(request: HttpRequest) -> HttpResponse:
    return _offer_form(request, None)


def _own_offer(request: HttpRequest, offer_id: int) -> GuestOffer:
    return get_object_or_404(selectors.guest_offers_of(viewer=request.user), pk=offer_id)


@login_required
@require_http_methods(["GET", "POST"])
def guest_offer_edit(request: HttpRequest, offer_id: int) -> HttpResponse:
    return _offer_form(request, _own_offer(request, offer_id))


@login_required
@require_POST
def guest_offer_active(request: HttpRequest, offer_id: int, action: str) -> HttpResponse:
    if action not in ("offer", "withdraw"):
        raise Http404
    offer = _own_offer(request, offer_id)
    try:
        services.offer_set_active(offer=offer, by=request.user, active=action == "offer")
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        done = _("“%(topic)s” is offered.") if action == "offer" else _("“%(topic)s” is withdrawn.")
        messages.success(request, done % {"topic": offer.topic})
    return redirect("web:guest_lessons")


# -- requests -------------------------------------------------------------------------


def _request_form(request: HttpRequest, guest: GuestRequest | None) -> HttpResponse:
    providers = selectors.providers_for(user=request.user)
    if guest is None and not providers.exists():
        raise PermissionDenied
    initial: dict[str, Any] = {}
    if guest is not None:
        initial = {name: getattr(guest, name) for name in services.REQUEST_FIELDS}
        initial["skills"] = list(guest.skills.all())
    elif (place := _place_of(providers.first())) is not None:
        initial["place"] = place.pk
    form = GuestRequestForm(
        request.POST or None,
        initial=initial,
        terms=marketplace_selectors.skill_by_term(),
        owners=providers if guest is None and providers.count() > 1 else None,
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        skills = data.pop("skills")
        owner = data.pop("owner", None) or (guest.organisation if guest else providers.first())
        try:
            saved = services.request_save(
                by=request.user, organisation=owner, request=guest, data=data, skills=skills
            )
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            messages.success(request, _("Saved. Send it to one of the offers that fit."))
            return redirect("web:guest_request", request_id=saved.pk)
    return render(request, "web/guest_request_form.html", {"form": form, "guest": guest})


@login_required
@require_http_methods(["GET", "POST"])
def guest_request_new(request: HttpRequest) -> HttpResponse:
    return _request_form(request, None)


def _visible(request: HttpRequest, request_id: int) -> GuestRequest:
    return get_object_or_404(selectors.guest_requests_for(viewer=request.user), pk=request_id)


@login_required
@require_http_methods(["GET", "POST"])
def guest_request_edit(request: HttpRequest, request_id: int) -> HttpResponse:
    guest = _visible(request, request_id)
    if "requester" not in selectors.guest_request_roles(request=guest, viewer=request.user):
        raise Http404
    if guest.status not in (G.OPEN, G.DECLINED):
        messages.error(request, _("A request is changed before it is sent."))
        return redirect("web:guest_request", request_id=guest.pk)
    return _request_form(request, guest)


@login_required
@require_GET
def guest_request(request: HttpRequest, request_id: int) -> HttpResponse:
    guest = _visible(request, request_id)
    roles = selectors.guest_request_roles(request=guest, viewer=request.user)
    context: dict[str, Any] = {
        "guest": guest,
        "roles": roles,
        "slot_rows": range(1, INTERVIEW_SLOTS_MAX + 1),
        "given_form": GuestGivenForm(initial={"pupils_reached": guest.pupils}),
        "decline_form": GuestDeclineForm(),
        # A date that has passed can no longer be chosen.
        "open_slots": [slot for slot in guest.open_slots if slot.starts_at > timezone.now()],
        "may_cancel": ("requester" in roles and guest.status not in (G.GIVEN, G.CANCELLED))
        or ("company" in roles and guest.status in (G.SENT, G.PROPOSED, G.PLANNED)),
    }
    if "requester" in roles and guest.status in (G.OPEN, G.DECLINED):
        context["fits"] = [
            {"offer": offer, "fit": fit}
            for offer, fit in selectors.guest_offers_ranked(request=guest)
            if offer.pk != guest.offer_id or guest.status == G.OPEN
        ]
        context["skill_names"] = {s.slug: s.label for s in guest.skills.all()}
    return render(request, "web/guest_request.html", context)


def _step_send(request: HttpRequest, guest: GuestRequest) -> str:
    offer_id = request.POST.get("offer", "")
    offer = (
        selectors.guest_offers_visible_to(viewer=request.user)
        .filter(pk=int(offer_id) if ID_PATTERN.fullmatch(offer_id) else 0)
        .first()
    )
    if offer is None:
        raise DomainError(_("Pick one of the offers."), field="offer")
    services.request_send(request=guest, offer=offer, by=request.user)
    return _("Sent to %(company)s.") % {"company": offer.company.name}


def _step_accept(request: HttpRequest, guest: GuestRequest) -> str:
    form = GuestDatesForm(request.POST)
    if not form.is_valid():
        raise DomainError(" ".join(e for errors in form.errors.values() for e in errors))
    services.request_accept(
        request=guest,
        by=request.user,
        slots=form.cleaned_data["slots"],
        answer=form.cleaned_data["message"],
    )
    return _("Your dates are sent to the school.")


def _step_decline(request: HttpRequest, guest: GuestRequest) -> str:
    form = GuestDeclineForm(request.POST)
    if not form.is_valid():
        raise DomainError(_("Tell the school why, in a few words."), field="answer")
    services.request_decline(request=guest, by=request.user, answer=form.cleaned_data["answer"])
    return _("The school is told.")


def _step_choose(request: HttpRequest, guest: GuestRequest) -> str:
    slot_id = request.POST.get("slot", "")
    services.request_choose(
        request=guest,
        slot_id=int(slot_id) if ID_PATTERN.fullmatch(slot_id) else 0,
        by=request.user,
    )
    return _("Planned; it is in your e-mail for your calendar, and in the company's.")


def _step_given(request: HttpRequest, guest: GuestRequest) -> str:
    form = GuestGivenForm(request.POST)
    if not form.is_valid():
        raise DomainError(_("Give the number of pupils reached."), field="pupils_reached")
    services.request_given(
        request=guest, by=request.user, pupils_reached=form.cleaned_data["pupils_reached"]
    )
    return _("Recorded as given. Thank you!")


def _step_cancel(request: HttpRequest, guest: GuestRequest) -> str:
    services.request_cancel(request=guest, by=request.user)
    return _("Cancelled; the other side is told.")


STEPS = {
    "send": _step_send,
    "accept": _step_accept,
    "decline": _step_decline,
    "choose": _step_choose,
    "given": _step_given,
    "cancel": _step_cancel,
}


@login_required
@require_POST
def guest_request_step(request: HttpRequest, request_id: int, step: str) -> HttpResponse:
    """One step of a request; the services say who may take it and when."""
    if step not in STEPS:
        raise Http404
    guest = _visible(request, request_id)
    try:
        done = STEPS[step](request, guest)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("web:guest_request", request_id=guest.pk)


@login_required
@require_GET
def guest_request_calendar(request: HttpRequest, request_id: int) -> HttpResponse:
    """The planned date as an .ics file, for everyone who can see the request."""
    guest = get_object_or_404(
        selectors.guest_requests_for(viewer=request.user).filter(
            Q(status=G.PLANNED) | Q(status=G.GIVEN)
        ),
        pk=request_id,
    )
    roles = selectors.guest_request_roles(request=guest, viewer=request.user)
    data = notifications.guest_calendar_file(request=guest, with_note="coach" not in roles)
    if data is None:
        raise Http404
    response = HttpResponse(data, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="guest-lesson.ics"'
    return response
