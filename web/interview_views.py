"""Interviews on the student's side (pick a time, ask for another, cancel) and
the calendar file for either side. The company's steps are candidate steps
(``company_views.candidate_step``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.exceptions import DomainError
from matching import interviews
from matching import selectors as matching_selectors
from notifications import services as notifications
from web.counsellor_views import ID_PATTERN

NOTE_MAX = 500


def _own(request: HttpRequest, match_id: int):
    return get_object_or_404(
        matching_selectors.suggestions_for_student(student=request.user).select_related(
            "profile__user"
        ),
        pk=match_id,
    )


@login_required
@require_POST
def interview_step(request: HttpRequest, match_id: int, step: str) -> HttpResponse:
    """The student picks a proposed time, asks for another, or cancels the chosen one."""
    if step not in ("choose", "other_time", "cancel"):
        raise Http404
    match = _own(request, match_id)
    try:
        interview = interviews.interview_of(match=match)
        if step == "choose":
            slot_id = request.POST.get("slot", "")
            slot = interview.slots.filter(
                pk=int(slot_id) if ID_PATTERN.fullmatch(slot_id) else 0
            ).first()
            if slot is None:
                raise DomainError(_("Pick one of the proposed times."))
            interviews.interview_choose(slot=slot, by=request.user)
            done = _("The interview is planned; it is in your e-mail for your calendar.")
        elif step == "other_time":
            note = request.POST.get("note", "")[:NOTE_MAX]
            interviews.interview_other_time(match=match, by=request.user, note=note)
            done = _("The company is asked for another time.")
        else:
            interviews.interview_cancel(interview=interview, by=request.user)
            done = _("The interview is cancelled; the company is told.")
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("web:my_suggestions")


@login_required
@require_GET
def interview_calendar(request: HttpRequest, match_id: int) -> HttpResponse:
    """The chosen time as an .ics file, for the student or the company's members."""
    found = interviews.interview_chosen_for_viewer(match_id=match_id, viewer=request.user)
    if found is None:
        raise Http404
    interview, slot, for_company = found
    data = notifications.interview_calendar_file(
        interview=interview, slot=slot, for_company=for_company
    )
    response = HttpResponse(data, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="interview.ics"'
    return response
