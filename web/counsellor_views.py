"""Counsellors' pages: the review queue (one by one, or as a batch) and the
placement planner for a group of students."""

from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet
from django.db.models.functions import Lower
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import selectors
from accounts.exceptions import DomainError
from accounts.models import Role
from audit.services import personal_data_viewed
from matching import reports, workflow
from matching import selectors as matching_selectors
from matching import services as matching_services
from matching.filters import ReviewQueueFilter
from matching.models import Match, MatchState
from web.forms import PlannerGroupForm, RejectForm

QUEUE_PAGE = 25
ID_PATTERN = re.compile(r"[0-9]{1,9}")
# A queue's filters, sent back with a batch form: only plain query characters.
QUERY_PATTERN = re.compile(r"[A-Za-z0-9_=&%+.-]{0,500}")
PLAN_STUDENTS_MAX = 200


def _queue(request: HttpRequest):
    """What this person may decide on; empty for everyone else, so a suggestion
    of someone else's student is "not found"."""
    return matching_selectors.review_queue_for_viewer(viewer=request.user)


def _reviewer_check(request: HttpRequest) -> None:
    if not (
        selectors.user_has_role(user=request.user, role=Role.COUNSELLOR)
        or selectors.user_is_self_directed_student(user=request.user)
    ):
        raise PermissionDenied


def _review_card(match: Match) -> dict:
    cards = matching_selectors.review_cards(matches=[match])
    return cards[0]


@login_required
@require_GET
def review_queue(request: HttpRequest) -> HttpResponse:
    """Suggestions waiting for a decision: filtered, sorted, optionally grouped
    per student, with the filters in the URL."""
    _reviewer_check(request)
    queue = ReviewQueueFilter(request.GET or None, queryset=_queue(request), viewer=request.user)
    page = Paginator(queue.qs, QUEUE_PAGE).get_page(request.GET.get("page"))
    cards = matching_selectors.review_cards(matches=list(page.object_list))
    students = {card["match"].profile.user for card in cards}
    open_reports = list(reports.reports_for_viewer(viewer=request.user)[:50])
    students |= {r.match.profile.user for r in open_reports}
    personal_data_viewed(viewer=request.user, students=list(students), what="review queue")
    context = {
        "queue": queue,
        "page": page,
        "cards": cards,
        "grouped": queue.grouped,
        "reports": open_reports,
        "filtered": any(v for k, v in request.GET.items() if k not in ("page", "sort")),
        "on_my_own": not selectors.user_has_role(user=request.user, role=Role.COUNSELLOR),
    }
    return render(request, "web/review_queue.html", context)


@login_required
@require_POST
def report_handled(request: HttpRequest, report_id: int) -> HttpResponse:
    report = get_object_or_404(reports.reports_for_viewer(viewer=request.user), pk=report_id)
    try:
        reports.report_handle(report=report, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The report is marked as handled."))
    return redirect("web:review_queue")


def _ids(values: list[str]) -> list[int]:
    """Row ids from a form, ignoring anything that is not a plain small number."""
    return [int(v) for v in values if ID_PATTERN.fullmatch(v)]


def _form_error(form: RejectForm) -> str:
    """The first thing wrong with a reject form, to say on the card or page."""
    return [
        *form.errors.get("preset", []),
        *form.errors.get("reason", []),
        *form.non_field_errors(),
    ][0]


def _batch_done(request: HttpRequest, done: int, refused: list[str], message: str) -> None:
    messages.success(request, message % {"n": done})
    for reason in refused:
        messages.error(request, reason)


def _approve_batch(request: HttpRequest, ids: list[int]) -> HttpResponse:
    approved, refused = workflow.matches_approve_batch(
        matches=_queue(request).filter(pk__in=ids), by=request.user
    )
    text = ngettext("%(n)s suggestion approved.", "%(n)s suggestions approved.", approved)
    _batch_done(request, approved, refused, text)
    return redirect("web:review_queue")


def _back_to_queue(request: HttpRequest) -> HttpResponse:
    """Back to the queue as it was filtered (the query string came with the form)."""
    query = request.POST.get("query", "")
    url = reverse("web:review_queue")
    return redirect(f"{url}?{query}" if QUERY_PATTERN.fullmatch(query) and query else url)


@login_required
@require_POST
def review_step(request: HttpRequest, match_id: int, step: str) -> HttpResponse:
    """Approve or reject one suggestion. With htmx, the card is replaced in place."""
    if step not in ("approve", "reject"):
        raise Http404
    _reviewer_check(request)
    match = _queue(request).filter(pk=match_id).first()
    if match is None:
        # Decided meanwhile (a second click, a colleague): show where it stands,
        # but only to this suggestion's reviewers. The card names the student, so
        # the scope is the reviewer's, never the wider "may open" one (which
        # holds a company's anonymised candidates).
        decided = (
            matching_selectors.reviewable_matches_for_viewer(viewer=request.user)
            .filter(pk=match_id)
            .first()
        )
        if request.htmx and decided is not None:
            personal_data_viewed(
                viewer=request.user,
                students=[decided.profile.user],
                matches=[decided],
                what="review queue",
            )
            card = _review_card(decided)
            card["error"] = _("This suggestion has already been decided.")
            return render(request, "web/_review_card.html", {"card": card})
        raise Http404
    error = None
    form = RejectForm(request.POST) if step == "reject" else None
    if form is not None and not form.is_valid():
        error = _form_error(form)
    else:
        try:
            if step == "approve":
                workflow.match_approve(match=match, by=request.user)
            else:
                workflow.match_reject(
                    match=match, by=request.user, reason=form.cleaned_data["reason"]
                )
        except DomainError as exc:
            error = exc.message
    match.refresh_from_db()
    if request.htmx:
        card = _review_card(match)
        card["error"] = error
        return render(request, "web/_review_card.html", {"card": card})
    if error:
        messages.error(request, error)
    elif step == "approve":
        messages.success(request, _("Approved: %(title)s.") % {"title": match.opening.title})
    else:
        messages.success(request, _("Rejected: %(title)s.") % {"title": match.opening.title})
    return redirect("web:review_queue")


@login_required
@require_POST
def review_batch(request: HttpRequest) -> HttpResponse:
    """Approve, or reject with one reason, every ticked suggestion."""
    _reviewer_check(request)
    ids = _ids(request.POST.getlist("match"))
    if not ids:
        messages.error(request, _("Tick at least one suggestion."))
        return _back_to_queue(request)
    selection = _queue(request).filter(pk__in=ids)
    if request.POST.get("action") == "reject":
        form = RejectForm(request.POST)
        if not form.is_valid():
            messages.error(request, _form_error(form))
            return _back_to_queue(request)
        done, refused = workflow.matches_reject_batch(
            matches=selection, by=request.user, reason=form.cleaned_data["reason"]
        )
        text = ngettext("%(n)s suggestion rejected.", "%(n)s suggestions rejected.", done)
    else:
        done, refused = workflow.matches_approve_batch(matches=selection, by=request.user)
        text = ngettext("%(n)s suggestion approved.", "%(n)s suggestions approved.", done)
    _batch_done(request, done, refused, text)
    return _back_to_queue(request)


@login_required
@require_http_methods(["GET", "POST"])
def planner(request: HttpRequest) -> HttpResponse:
    """Plan a class or a programme: pick the group, tick all or some of its
    students, see the best assignment to open places with each pair's score,
    the places left per opening and who stays unplaced and why; approve the
    proposed suggestions as one batch."""
    if not selectors.user_has_role(user=request.user, role=Role.COUNSELLOR):
        raise PermissionDenied
    if request.method == "POST":
        return _approve_batch(request, _ids(request.POST.getlist("match")))
    students = selectors.students_with_class(viewer=request.user).exclude(pk=request.user.pk)
    asked = "klas" in request.GET or "programme" in request.GET
    group = PlannerGroupForm(
        request.GET if asked else None,
        classes=selectors.classes_for_counsellor(viewer=request.user),
        programmes=_programmes(students),
    )
    in_group = students.none()
    if group.is_valid() and (group.cleaned_data["klas"] or group.cleaned_data["programme"]):
        in_group = students
        if group.cleaned_data["klas"]:
            in_group = in_group.filter(class_name=group.cleaned_data["klas"])
        if group.cleaned_data["programme"]:
            in_group = in_group.filter(profile__programme=group.cleaned_data["programme"])
    elif request.GET.getlist("student"):
        in_group = students  # a link that names students (a plan shared before)
    in_group = list(
        in_group.select_related("profile").order_by("full_name", "pk")[:PLAN_STUDENTS_MAX]
    )
    if request.GET.get("whole"):
        chosen = in_group
    else:
        ticked = set(_ids(request.GET.getlist("student")))
        chosen = [s for s in in_group if s.pk in ticked]
    plan = matching_services.placement_plan(students=chosen) if chosen else None
    if chosen:
        personal_data_viewed(viewer=request.user, students=chosen, what="placement plan")
    # Names shared by two of the counsellor's students, in this group or not.
    shared = set(
        students.order_by()
        .annotate(name=Lower("full_name"))
        .values_list("name", flat=True)
        .annotate(n=Count("pk", distinct=True))
        .filter(n__gt=1)
    )
    context = {
        "group": group,
        "students": [{"user": s, "duplicate": s.full_name.lower() in shared} for s in in_group],
        "chosen": {s.pk for s in chosen},
        "plan": plan,
        "rows": [
            {
                "student": row.student,
                "match": row.match,
                "why": row.why,
                "words": matching_selectors.score_words(row.match.score) if row.match else "",
            }
            for row in (plan.rows if plan else [])
        ],
        "approvable": [
            r.match.pk
            for r in (plan.rows if plan else [])
            if r.match and r.match.state == MatchState.SUGGESTED
        ],
    }
    return render(request, "web/planner.html", context)


def _programmes(students: QuerySet) -> list[str]:
    return list(
        students.exclude(profile__programme="")
        .exclude(profile__isnull=True)
        .order_by("profile__programme")
        .values_list("profile__programme", flat=True)
        .distinct()
    )
