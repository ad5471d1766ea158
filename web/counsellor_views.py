"""Counsellors' pages: the review queue (one by one, or as a batch) and the
placement planner for a group of students."""

from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
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
from matching.models import Match, MatchState
from web.forms import RejectForm

QUEUE_PAGE = 25
ID_PATTERN = re.compile(r"[0-9]{1,9}")
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
    """Suggestions waiting for a decision, best first."""
    _reviewer_check(request)
    page = Paginator(_queue(request), QUEUE_PAGE).get_page(request.GET.get("page"))
    cards = matching_selectors.review_cards(matches=list(page.object_list))
    students = {card["match"].profile.user for card in cards}
    open_reports = list(reports.reports_for_viewer(viewer=request.user)[:50])
    students |= {r.match.profile.user for r in open_reports}
    personal_data_viewed(viewer=request.user, students=list(students), what="review queue")
    context = {
        "page": page,
        "cards": cards,
        "reports": open_reports,
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


def _approve_batch(request: HttpRequest, ids: list[int]) -> HttpResponse:
    approved, refused = workflow.matches_approve_batch(
        matches=_queue(request).filter(pk__in=ids), by=request.user
    )
    messages.success(
        request,
        ngettext("%(n)s suggestion approved.", "%(n)s suggestions approved.", approved)
        % {"n": approved},
    )
    for reason in refused:
        messages.error(request, reason)
    return redirect("web:review_queue")


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
        error = [
            *form.errors.get("preset", []),
            *form.errors.get("reason", []),
            *form.non_field_errors(),
        ][0]
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
    """Approve every ticked suggestion."""
    _reviewer_check(request)
    ids = _ids(request.POST.getlist("match"))
    if not ids:
        messages.error(request, _("Tick at least one suggestion to approve."))
        return redirect("web:review_queue")
    return _approve_batch(request, ids)


@login_required
@require_http_methods(["GET", "POST"])
def planner(request: HttpRequest) -> HttpResponse:
    """Plan a group: tick students, see the best assignment to open places with
    each pair's score, and approve the proposed suggestions as one batch."""
    if not selectors.user_has_role(user=request.user, role=Role.COUNSELLOR):
        raise PermissionDenied
    students = selectors.students_for_viewer(viewer=request.user).exclude(pk=request.user.pk)
    if request.method == "POST":
        return _approve_batch(request, _ids(request.POST.getlist("match")))
    chosen_ids = _ids(request.GET.getlist("student"))
    chosen = list(students.filter(pk__in=chosen_ids).order_by("full_name")[:PLAN_STUDENTS_MAX])
    rows, total = matching_services.placement_plan(students=chosen) if chosen else ([], 0.0)
    if chosen:
        personal_data_viewed(viewer=request.user, students=chosen, what="placement plan")
    context = {
        "students": students.order_by("full_name"),
        "chosen": {s.pk for s in chosen},
        "rows": [
            {
                "student": row.student,
                "match": row.match,
                "words": matching_selectors.score_words(row.match.score) if row.match else "",
            }
            for row in rows
        ],
        "total": total,
        "approvable": [
            r.match.pk for r in rows if r.match and r.match.state == MatchState.SUGGESTED
        ],
    }
    return render(request, "web/planner.html", context)
