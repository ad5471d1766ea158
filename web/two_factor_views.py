"""Two-factor authentication (TOTP) for coordinators and admin staff: set up an
authenticator app once, then enter its 6-digit code after each login.

A coordinator's or staff member's first authenticator is set up only after they
open a link e-mailed to their account's address (``accounts.services``), so a
stolen password alone cannot enrol another phone. Entering a code rotates the
session id, as the password login does.
"""

from __future__ import annotations

import base64

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import selectors, services
from accounts.exceptions import DomainError

# The session remembers which half-set-up authenticator the e-mailed link opened.
ENROLMENT_SESSION_KEY = "maakmatch_second_factor_enrolment"


class TokenForm(forms.Form):
    token = forms.RegexField(
        label=gettext_lazy("6-digit code from your authenticator app"),
        regex=r"^\s*[0-9]{6}\s*$",
        error_messages={"invalid": gettext_lazy("The code has 6 digits.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return "/"


def _with_next(name: str, request: HttpRequest) -> str:
    return f"{reverse(name)}?{urlencode({'next': _next(request)})}"


def key_for_people(device: TOTPDevice) -> str:
    """The secret as authenticator apps take it when typed: base32 (RFC 4648,
    without padding), in groups of four. django-otp stores it as hex."""
    text = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def _confirmed(request: HttpRequest, device: TOTPDevice) -> None:
    """The code was right: this session has passed the second factor. A new
    session id, so that one fixed before the code is worth nothing after it."""
    otp_login(request, device)
    request.session.pop(ENROLMENT_SESSION_KEY, None)
    request.session.cycle_key()


def _device_to_set_up(request: HttpRequest) -> TOTPDevice | None:
    """The unconfirmed authenticator this session may confirm. Those who need a
    second factor get one only through the e-mailed link; others make one here."""
    user = request.user
    if selectors.user_second_factor_required(user=user):
        device_id = request.session.get(ENROLMENT_SESSION_KEY)
        if not isinstance(device_id, int):
            return None
        return TOTPDevice.objects.filter(user=user, confirmed=False, pk=device_id).first()
    device, _created = TOTPDevice.objects.get_or_create(
        user=user, confirmed=False, defaults={"name": services.AUTHENTICATOR_BEING_SET_UP}
    )
    return device


@login_required
@require_http_methods(["GET", "POST"])
def setup(request: HttpRequest) -> HttpResponse:
    """Show a QR code and key for a new authenticator; a right code confirms it."""
    if TOTPDevice.objects.filter(user=request.user, confirmed=True).exists():
        return redirect(_with_next("web:two_factor_verify", request))
    device = _device_to_set_up(request)
    if device is None:
        if request.method == "POST":
            services.second_factor_enrolment_link_send(user=request.user, next_url=_next(request))
            messages.success(
                request,
                _("We e-mailed you a link to %(email)s. Open it to go on.")
                % {"email": request.user.email},
            )
            return redirect(_with_next("web:two_factor_setup", request))
        return render(request, "web/two_factor_link.html", {"next": _next(request)})
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"].strip()):
            device.confirmed = True
            device.name = "authenticator"
            device.save(update_fields=["confirmed", "name"])
            _confirmed(request, device)
            messages.success(request, _("Two-factor authentication is on."))
            return redirect(_next(request))
        form.add_error("token", _("That code is not right; check the time on your phone."))
    qr = segno.make(device.config_url, error="m").svg_data_uri(scale=4, dark="#1b1b1b")
    context = {"form": form, "qr": qr, "key": key_for_people(device), "next": _next(request)}
    return render(request, "web/two_factor_setup.html", context)


@login_required
@require_GET
def enrol(request: HttpRequest, token: str) -> HttpResponse:
    """The e-mailed link: it lets this session set up the account's first authenticator."""
    try:
        device = services.second_factor_enrolment_open(user=request.user, token=token)
    except DomainError as exc:
        messages.error(request, exc.message)
        return render(request, "web/two_factor_link.html", {"next": _next(request)}, status=400)
    request.session[ENROLMENT_SESSION_KEY] = device.pk
    return redirect(_with_next("web:two_factor_setup", request))


@login_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """Enter the current code once per login."""
    devices = TOTPDevice.objects.filter(user=request.user, confirmed=True)
    if not devices.exists():
        return redirect(_with_next("web:two_factor_setup", request))
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"].strip()
        for device in devices:
            if device.verify_is_allowed()[0] and device.verify_token(token):
                _confirmed(request, device)
                return redirect(_next(request))
        form.add_error("token", _("That code is not right, or you tried too often; wait a little."))
    return render(request, "web/two_factor_verify.html", {"form": form, "next": _next(request)})
