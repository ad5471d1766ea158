"""Company members' pages: the company page, openings, candidates, placements."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import selectors
from accounts.exceptions import DomainError
from accounts.models import Role
from marketplace import selectors as marketplace_selectors
from marketplace import services as marketplace_services
from marketplace.models import SKILL_LEVEL_MIN, Importance, Opening
from matching import interviews, workflow
from matching import selectors as matching_selectors
from matching.models import INTERVIEW_SLOTS_MAX
from web import skill_views
from web.forms import (
    CompanyForm,
    InterviewTimesForm,
    OpeningForm,
    OpeningSkillRows,
    PlacementForm,
)
from web.views import show_domain_error


def _companies(request: HttpRequest):
    companies = selectors.organisations_for_user(user=request.user, role=Role.COMPANY_MEMBER)
    if not companies.exists():
        raise PermissionDenied
    return companies


def _own_opening(request: HttpRequest, slug: str) -> Opening:
    # Another company's opening is "not found", as if it did not exist.
    return get_object_or_404(
        marketplace_selectors.openings_of_member(viewer=request.user).prefetch_related(
            "opening_skills__skill"
        ),
        slug=slug,
    )


@login_required
@require_GET
def company_openings(request: HttpRequest) -> HttpResponse:
    companies = _companies(request)
    openings = list(marketplace_selectors.openings_of_member(viewer=request.user))
    counts = matching_selectors.candidate_counts(opening_ids=[o.pk for o in openings])
    pipelines = matching_selectors.opening_pipelines(openings=openings, viewer=request.user)
    rows = [
        {"opening": o, "candidates": counts.get(o.pk, 0), "pipeline": pipelines.get(o.pk, [])}
        for o in openings
    ]
    return render(request, "web/company_openings.html", {"companies": companies, "rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def company_edit(request: HttpRequest, slug: str) -> HttpResponse:
    company = get_object_or_404(_companies(request), slug=slug)
    initial = {
        "description": company.description,
        "website": company.website,
        "municipality": company.municipality,
        "sector": company.sector,
        "size_class": company.size_class,
        "learning_locations": list(company.learning_locations.all()),
    }
    form = CompanyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        locations = fields.pop("learning_locations")
        try:
            marketplace_services.company_update(
                company=company, by=request.user, fields=fields, learning_locations=locations
            )
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            messages.success(request, _("The company page is saved."))
            return redirect("web:company_detail", slug=company.slug)
    return render(request, "web/company_edit.html", {"company": company, "form": form})


def _skill_rows_initial(opening: Opening | None) -> list[dict[str, Any]]:
    if opening is None:
        return []
    return [
        {"skill": row.skill.label, "level": row.min_level, "importance": row.importance}
        for row in opening.opening_skills.all()
    ]


def _opening_form(request: HttpRequest, opening: Opening | None) -> HttpResponse:
    companies = _companies(request)
    initial: dict[str, Any] = {}
    if opening is not None:
        initial = {name: getattr(opening, name) for name in marketplace_services.OPENING_FIELDS}
    form = OpeningForm(
        request.POST or None,
        initial=initial,
        companies=companies if opening is None and companies.count() > 1 else None,
    )
    terms = marketplace_selectors.skill_by_term()
    skill_options = marketplace_selectors.skill_datalist(terms)
    skill_rows = OpeningSkillRows(
        request.POST or None,
        initial=_skill_rows_initial(opening),
        prefix="skills",
        form_kwargs={"terms": terms, "live": skill_options is None},
    )
    proposals = None
    if request.method == "POST" and "propose" in request.POST:
        proposals = skill_views.proposals_for(request, terms)  # no script: the page asks again
    elif request.method == "POST" and form.is_valid() & skill_rows.is_valid():
        fields = dict(form.cleaned_data)
        company = fields.pop("company", None) or (opening.company if opening else companies[0])
        skills = [(r["skill"], r["importance"], r["level"]) for r in skill_rows.rows()]
        chosen = {skill.pk for skill, _importance, _level in skills}
        skills += [
            (skill, Importance.NICE, SKILL_LEVEL_MIN)
            for skill in skill_views.proposed_skills_picked(request)
            if skill.pk not in chosen
        ]
        try:
            with transaction.atomic():
                if opening is None:
                    saved = marketplace_services.opening_create(
                        company=company, by=request.user, fields=fields, skills=skills
                    )
                else:
                    saved = marketplace_services.opening_update(
                        opening=opening, by=request.user, fields=fields, skills=skills
                    )
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            messages.success(request, _("“%(title)s” is saved.") % {"title": saved.title})
            return redirect("web:company_openings")
    context = {
        "form": form,
        "skill_rows": skill_rows,
        "proposals": proposals,
        "opening": opening,
        "skill_options": skill_options or [],
    }
    return render(request, "web/opening_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def opening_new(request: HttpRequest) -> HttpResponse:
    return _opening_form(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def opening_edit(request: HttpRequest, slug: str) -> HttpResponse:
    return _opening_form(request, _own_opening(request, slug))


@login_required
@require_POST
def opening_action(request: HttpRequest, slug: str, action: str) -> HttpResponse:
    opening = _own_opening(request, slug)
    try:
        if action == "publish":
            marketplace_services.opening_publish_by(opening=opening, by=request.user)
            done = _("“%(title)s” is published; suggestions follow within minutes.")
        elif action == "close":
            workflow.opening_close(opening=opening, by=request.user)
            done = _("“%(title)s” is closed.")
        elif action == "duplicate":
            copy = marketplace_services.opening_duplicate(opening=opening, by=request.user)
            messages.success(request, _("A copy is saved as a draft; check it and publish it."))
            return redirect("web:opening_edit", slug=copy.slug)
        else:
            raise Http404
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done % {"title": opening.title})
    return redirect("web:company_openings")


@login_required
@require_GET
def opening_candidates(request: HttpRequest, slug: str) -> HttpResponse:
    """The candidates forwarded to one opening, anonymised until they accept."""
    opening = _own_opening(request, slug)
    candidates = matching_selectors.candidate_cards(opening=opening, viewer=request.user)
    pipelines = matching_selectors.opening_pipelines(openings=[opening], viewer=request.user)
    context = {
        "opening": opening,
        "pipeline": pipelines.get(opening.pk, []),
        "candidates": candidates,
        "slot_rows": range(1, INTERVIEW_SLOTS_MAX + 1),
        "one_row": range(1, 2),
        "placement_form": PlacementForm(initial={"start_date": opening.start_date}),
    }
    return render(request, "web/opening_candidates.html", context)


@login_required
@require_POST
def candidate_step(request: HttpRequest, slug: str, match_id: int, step: str) -> HttpResponse:
    opening = _own_opening(request, slug)
    match = get_object_or_404(
        matching_selectors.candidates_for_opening(opening=opening, viewer=request.user),
        pk=match_id,
    )
    pseudonym = matching_selectors.candidate_pseudonym(
        profile_id=match.profile_id, company_id=opening.company_id
    )
    forms_by_step = {
        "invite": InterviewTimesForm,
        "propose": InterviewTimesForm,
        "move": lambda data: InterviewTimesForm(data, rows=1),
        "place": PlacementForm,
    }
    form = forms_by_step[step](request.POST) if step in forms_by_step else None
    if form is not None and not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("web:opening_candidates", slug=opening.slug)
    try:
        if step == "invite" and form.cleaned_data["slots"]:
            interviews.interview_propose(
                match=match,
                by=request.user,
                message=form.cleaned_data["message"],
                slots=form.cleaned_data["slots"],
            )
            done = _("%(who)s is invited, with the times you proposed.")
        elif step == "invite":
            workflow.match_invite(
                match=match, by=request.user, message=form.cleaned_data["message"]
            )
            done = _("%(who)s is invited.")
        elif step == "propose":
            interviews.interview_propose(
                match=match,
                by=request.user,
                message=form.cleaned_data["message"],
                slots=form.cleaned_data["slots"],
            )
            done = _("New times are proposed to %(who)s.")
        elif step == "move" and form.cleaned_data["slots"]:
            interviews.interview_move(
                interview=interviews.interview_of(match=match),
                by=request.user,
                slot=form.cleaned_data["slots"][0],
            )
            done = _("The interview with %(who)s is moved; both calendars get the update.")
        elif step == "move":
            raise DomainError(_("Fill in the new date, times and place."))
        elif step == "cancel_interview":
            interviews.interview_cancel(
                interview=interviews.interview_of(match=match), by=request.user
            )
            done = _("The interview with %(who)s is cancelled.")
        elif step == "decline":
            workflow.match_decline(match=match, by=request.user)
            done = _("%(who)s is declined.")
        elif step == "place":
            workflow.match_place(match=match, by=request.user, **form.cleaned_data)
            done = _("The placement of %(who)s is confirmed.")
        else:
            raise Http404
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done % {"who": pseudonym})
    return redirect("web:opening_candidates", slug=opening.slug)
    try:
        if step == "invite":
            workflow.match_invite(match=match, by=request.user, **form.cleaned_data)
            done = _("%(who)s is invited.")
        elif step == "decline":
            workflow.match_decline(match=match, by=request.user)
            done = _("%(who)s is declined.")
        elif step == "place":
            workflow.match_place(match=match, by=request.user, **form.cleaned_data)
            done = _("The placement of %(who)s is confirmed.")
        else:
            raise Http404
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done % {"who": pseudonym})
    return redirect("web:opening_candidates", slug=opening.slug)
