"""Courses: the public search and course pages, a person's course suggestions
and sign-ups, and a coach's courses with their sign-ups (confirm, decline,
record completion; the sign-up rows answer htmx with their own fragment)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import selectors as accounts_selectors
from accounts.exceptions import DomainError
from accounts.models import Role
from audit.services import personal_data_viewed
from learning import selectors, services
from learning.filters import CourseFilter
from learning.models import Course
from marketplace import selectors as marketplace_selectors
from marketplace.models import Opening
from web import jsonld
from web.forms import CourseForm, CourseSkillRows, EnrolmentForm
from web.views import show_domain_error

PAGE_SIZE = 20


@require_GET
def courses(request: HttpRequest) -> HttpResponse:
    """Search: skill, place and radius, start date, who may join, text."""
    queryset = selectors.courses_public().order_by("on_request", "starts_on", "title", "pk")
    search = CourseFilter(request.GET, queryset=queryset)
    valid = search.is_valid()
    page = Paginator(search.qs if valid else queryset.none(), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "web/courses.html", {"search": search, "page": page})


@require_http_methods(["GET", "POST"])
def course_detail(request: HttpRequest, slug: str) -> HttpResponse:
    course = get_object_or_404(selectors.courses_visible_to(viewer=request.user), slug=slug)
    form = EnrolmentForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('login')}?next={request.path}")
        if form.is_valid():
            try:
                services.enrolment_request(
                    course=course, user=request.user, motivation=form.cleaned_data["motivation"]
                )
            except DomainError as exc:
                show_domain_error(form, exc)
            else:
                messages.success(
                    request,
                    _("You are signed up for “%(title)s”. The provider confirms it.")
                    % {"title": course.title},
                )
                return redirect("web:my_courses")
    url = request.build_absolute_uri(reverse("web:course_detail", args=[course.slug]))
    skills_url = request.build_absolute_uri(reverse("api:skill-list"))
    group = selectors.group_of(user=request.user)
    context = {
        "course": course,
        "form": form,
        "json_ld": jsonld.as_script(jsonld.course(course, url=url, skills_url=skills_url)),
        "enrolment": selectors.enrolment_live(course=course, user=request.user),
        "may_join": group is not None and group in course.audiences and course.is_published,
        "keeps_it": selectors.providers_for(user=request.user)
        .filter(pk=course.provider_id)
        .exists(),
        "seats_left": None
        if course.seats is None
        else max(course.seats - selectors.seats_taken(course=course), 0),
    }
    return render(request, "web/course_detail.html", context)


@login_required
@require_GET
def my_courses(request: HttpRequest) -> HttpResponse:
    """Courses that close the gaps in this person's suggestions, and their sign-ups."""
    suggestions = list(selectors.course_suggestions_for(user=request.user))
    opening_ids = {o["opening"] for s in suggestions for o in s.openings}
    openings = {
        o.pk: o for o in Opening.objects.filter(pk__in=opening_ids).select_related("company")
    }
    skills = marketplace_selectors.skill_labels(
        slugs={c["skill"] for s in suggestions for c in s.closes}
    )
    cards = [
        {
            "suggestion": s,
            "course": s.course,
            "closes": [skills.get(c["skill"], c["skill"]) for c in s.closes],
            "openings": [
                {**o, "opening": openings[o["opening"]]}
                for o in s.openings
                if o["opening"] in openings
            ][:3],
        }
        for s in suggestions
    ]
    context = {
        "cards": cards,
        "enrolments": selectors.enrolments_of(user=request.user),
        "group": selectors.group_of(user=request.user),
    }
    return render(request, "web/my_courses.html", context)


@login_required
@require_POST
def enrolment_withdraw(request: HttpRequest, enrolment_id: int) -> HttpResponse:
    enrolment = get_object_or_404(selectors.enrolments_of(user=request.user), pk=enrolment_id)
    try:
        services.enrolment_withdraw(enrolment=enrolment, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Your sign-up is withdrawn."))
    return redirect("web:my_courses")


def _coach_check(request: HttpRequest) -> None:
    if not selectors.providers_for(user=request.user).exists():
        raise PermissionDenied


def _managed(request: HttpRequest, slug: str) -> Course:
    return get_object_or_404(selectors.courses_managed_by(user=request.user), slug=slug)


@login_required
@require_GET
def coach_courses(request: HttpRequest) -> HttpResponse:
    _coach_check(request)
    context = {
        "courses": selectors.courses_managed_by(user=request.user).order_by("-updated_at"),
        "providers": selectors.providers_for(user=request.user),
    }
    return render(request, "web/coach_courses.html", context)


def _skill_rows_initial(course: Course | None) -> list[dict[str, Any]]:
    if course is None:
        return []
    return [
        {"skill": row.skill.label, "level": row.level}
        for row in course.course_skills.select_related("skill").order_by("pk")
    ]


def _course_form(request: HttpRequest, course: Course | None) -> HttpResponse:
    _coach_check(request)
    providers = selectors.providers_for(user=request.user)
    initial: dict[str, Any] = {}
    if course is not None:
        initial = {name: getattr(course, name) for name in services.COURSE_FIELDS}
    form = CourseForm(
        request.POST or None,
        initial=initial,
        providers=providers if course is None and providers.count() > 1 else None,
    )
    terms = marketplace_selectors.skill_by_term()
    skill_options = marketplace_selectors.skill_datalist(terms)
    skill_rows = CourseSkillRows(
        request.POST or None,
        initial=_skill_rows_initial(course),
        prefix="skills",
        form_kwargs={"terms": terms, "live": skill_options is None},
    )
    if request.method == "POST" and form.is_valid() & skill_rows.is_valid():
        fields = dict(form.cleaned_data)
        provider = fields.pop("provider", None) or (course.provider if course else providers[0])
        skills = [(r["skill"], r["level"]) for r in skill_rows.rows()]
        try:
            with transaction.atomic():
                if course is None:
                    saved = services.course_create(
                        provider=provider, by=request.user, fields=fields, skills=skills
                    )
                else:
                    saved = services.course_update(
                        course=course, by=request.user, fields=fields, skills=skills
                    )
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            messages.success(request, _("“%(title)s” is saved.") % {"title": saved.title})
            return redirect("web:coach_courses")
    context = {
        "form": form,
        "skill_rows": skill_rows,
        "course": course,
        "skill_options": skill_options or [],
    }
    return render(request, "web/course_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def course_new(request: HttpRequest) -> HttpResponse:
    return _course_form(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def course_edit(request: HttpRequest, slug: str) -> HttpResponse:
    return _course_form(request, _managed(request, slug))


@login_required
@require_POST
def course_publish(request: HttpRequest, slug: str, action: str) -> HttpResponse:
    course = _managed(request, slug)
    if action not in ("publish", "unpublish"):
        raise Http404
    try:
        services.course_publish_set(course=course, by=request.user, published=action == "publish")
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        done = (
            _("“%(title)s” is published.")
            if action == "publish"
            else _("“%(title)s” is no longer public.")
        )
        messages.success(request, done % {"title": course.title})
    return redirect("web:coach_courses")


@login_required
@require_GET
def course_enrolments(request: HttpRequest, slug: str) -> HttpResponse:
    """A course's sign-ups, with names: signing up shares them with the provider."""
    course = _managed(request, slug)
    enrolments = list(
        selectors.enrolments_for_provider(viewer=request.user)
        .filter(course=course)
        .order_by("status", "requested_at", "pk")
    )
    personal_data_viewed(
        viewer=request.user, students=[e.user for e in enrolments], what="course sign-ups"
    )
    return render(
        request, "web/course_enrolments.html", {"course": course, "enrolments": enrolments}
    )


ENROLMENT_ACTIONS = {
    "confirm": lambda e, by: services.enrolment_decide(enrolment=e, by=by, confirm=True),
    "decline": lambda e, by: services.enrolment_decide(enrolment=e, by=by, confirm=False),
    "complete": lambda e, by: services.enrolment_complete(enrolment=e, by=by),
}


@login_required
@require_POST
def enrolment_action(request: HttpRequest, enrolment_id: int, action: str) -> HttpResponse:
    """Confirm, decline or complete a sign-up; an htmx request gets the row back."""
    if action not in ENROLMENT_ACTIONS:
        raise Http404
    enrolment = get_object_or_404(
        selectors.enrolments_for_provider(viewer=request.user), pk=enrolment_id
    )
    error = None
    try:
        enrolment = ENROLMENT_ACTIONS[action](enrolment, request.user)
    except DomainError as exc:
        error = exc.message
    if request.htmx:
        enrolment.refresh_from_db()
        return render(request, "web/_enrolment_row.html", {"enrolment": enrolment, "error": error})
    if error:
        messages.error(request, error)
    else:
        messages.success(
            request, _("Saved: %(status)s.") % {"status": enrolment.get_status_display()}
        )
    return redirect("web:course_enrolments", slug=enrolment.course.slug)


@login_required
@require_GET
def company_courses(request: HttpRequest) -> HttpResponse:
    """Courses for a company's staff, ranked by the must-haves of its open openings
    (hard-to-fill ones weigh more) that each teaches."""
    companies = list(
        accounts_selectors.organisations_for_user(user=request.user, role=Role.COMPANY_MEMBER)
    )
    if not companies:
        raise PermissionDenied
    sections = [{"company": c, "rows": selectors.courses_for_company(company=c)} for c in companies]
    return render(request, "web/company_courses.html", {"sections": sections})
