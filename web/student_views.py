"""A student's own pages (profile editor) and everyone's settings: language,
notifications, a copy of their data, deleting the account."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import keys, selectors
from accounts import services as accounts_services
from accounts.exceptions import DomainError
from accounts.models import Role
from marketplace import selectors as marketplace_selectors
from marketplace import services as marketplace_services
from marketplace.models import SKILL_LEVEL_MIN, Profile, SkillSource
from matching import workflow
from privacy import services as privacy
from web import skill_views
from web.forms import AccountDeleteForm, ProfileForm, ProfileSkillRows, SettingsForm
from web.views import show_domain_error


def _profile_initial(profile: Profile | None, user: Any) -> dict[str, Any]:
    if profile is None:
        # A first profile starts from what the school's class list said.
        invitation = selectors.invitation_accepted_by(user=user)
        initial: dict[str, Any] = {"is_visible": True}
        if invitation is not None:
            initial.update(
                education_level=invitation.education_level,
                programme=invitation.programme,
                crebo_code=invitation.crebo_code,
            )
        return initial
    initial = {name: getattr(profile, name) for name in marketplace_services.PROFILE_FIELDS}
    initial["is_visible"] = profile.is_visible
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request: HttpRequest) -> HttpResponse:
    """The student's skill profile: what the engine matches on."""
    if not selectors.user_has_role(user=request.user, role=Role.STUDENT):
        raise PermissionDenied
    profile = (
        Profile.objects.filter(user=request.user).prefetch_related("profile_skills__skill").first()
    )
    form = ProfileForm(request.POST or None, initial=_profile_initial(profile, request.user))
    terms = marketplace_selectors.skill_by_term()
    skill_options = marketplace_selectors.skill_datalist(terms)
    skill_rows = ProfileSkillRows(
        request.POST or None,
        initial=[
            {"skill": ps.skill.label, "level": ps.level}
            for ps in (profile.profile_skills.all() if profile else [])
        ],
        prefix="skills",
        form_kwargs={"terms": terms, "live": skill_options is None},
    )
    proposals = None
    if request.method == "POST" and "propose" in request.POST:
        proposals = skill_views.proposals_for(request, terms)  # no script: the page asks again
    elif request.method == "POST" and form.is_valid() & skill_rows.is_valid():
        skills = [(row["skill"], row["level"]) for row in skill_rows.rows()]
        chosen = {skill.pk for skill, _level in skills}
        skills += [
            (skill, SKILL_LEVEL_MIN)
            for skill in skill_views.proposed_skills_picked(request)
            if skill.pk not in chosen
        ]
        try:
            with transaction.atomic():
                workflow.profile_write(
                    user=request.user, by=request.user, fields=form.cleaned_data, skills=skills
                )
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            messages.success(
                request, _("Your profile is saved. New suggestions follow within minutes.")
            )
            return redirect("web:profile_edit")
    context = {
        "form": form,
        "skill_rows": skill_rows,
        "proposals": proposals,
        "skill_options": skill_options or [],
        "from_course": [
            ps.skill.label
            for ps in (profile.profile_skills.all() if profile else [])
            if ps.source == SkillSource.COURSE
        ],
    }
    return render(request, "web/profile_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def account_settings(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = SettingsForm(
        request.POST or None,
        initial={
            "language": user.language,
            "email_digest": user.email_digest,
            "email_updates": user.email_updates,
        },
    )
    if request.method == "POST" and form.is_valid():
        accounts_services.user_settings_update(user=user, **form.cleaned_data)
        language = form.cleaned_data["language"]
        with translation.override(language):
            messages.success(request, _("Your settings are saved."))
        response = redirect("web:settings")
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        )
        return response
    return render(
        request,
        "web/settings.html",
        {"form": form, "delete_form": AccountDeleteForm(user=user), **_keys_link(user)},
    )


@login_required
@require_POST
def data_download(request: HttpRequest) -> HttpResponse:
    """A copy of everything MaakMatch holds about the person, as JSON."""
    data = privacy.personal_data_export(user=request.user)
    body = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    day = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="maakmatch-mijn-gegevens-{day}.json"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def account_delete(request: HttpRequest) -> HttpResponse:
    form = AccountDeleteForm(request.POST, user=request.user)
    if not form.is_valid():
        settings_form = SettingsForm(
            initial={
                "language": request.user.language,
                "email_digest": request.user.email_digest,
                "email_updates": request.user.email_updates,
            }
        )
        return render(
            request,
            "web/settings.html",
            {"form": settings_form, "delete_form": form, **_keys_link(request.user)},
            status=400,
        )
    privacy.account_erase(user=request.user)
    logout(request)
    messages.success(request, _("Your account and personal data are deleted."))
    return redirect("web:home")


def _keys_link(user: object) -> dict[str, bool]:
    """Whether the settings page links to the organisation's API keys."""
    return {"administers": keys.organisations_administered(user=user).exists()}
