"""HTML views. Thin: validate a form, call a service or selector, render."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import selectors, services
from accounts.exceptions import DomainError, InvalidState
from accounts.models import ApiToken, Language, Organisation, OrganisationKind, Role
from audit.services import personal_data_viewed
from learning import selectors as learning_selectors
from marketplace import selectors as marketplace_selectors
from marketplace import services as marketplace_services
from marketplace.filters import OpeningFilter
from marketplace.models import OpeningStatus
from matching import reports, workflow
from matching import selectors as matching_selectors
from matching import services as matching_services
from notifications import services as notification_services
from web.access import coordinator_required, second_factor_when_needed
from web.forms import (
    ApiTokenCreateForm,
    CareerChangerSignupForm,
    CompanySignupForm,
    InvitationCreateForm,
    InvitationJoinForm,
    InvitationSignupForm,
)

HOME_OPENINGS = 12


def show_domain_error(form: forms.Form, exc: DomainError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    openings = marketplace_selectors.openings_public()
    newest = openings[:HOME_OPENINGS]
    search = OpeningFilter(None, queryset=openings).form
    # The home page asks in plain words: what, where, which kind.
    search.fields["q"].label = _("What are you looking for?")
    search.fields["q"].widget.attrs["placeholder"] = _("for example welding, CNC, maintenance")
    search.fields["place"].label = _("Where?")
    search.fields["type"].label = _("Which kind?")
    context = {"openings": newest, "opening_count": openings.count(), "search": search}
    return render(request, "web/home.html", context)


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page says."""
    return redirect(static("web/icons/favicon.ico"))


@require_GET
def manifest(request: HttpRequest) -> JsonResponse:
    """The web app manifest, in the visitor's language."""
    icons = [
        {"src": static("web/icons/logo.svg"), "sizes": "any", "type": "image/svg+xml"},
        {"src": static("web/icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
        {"src": static("web/icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
    ]
    data = {
        "name": "MaakMatch Utrecht-West",
        "short_name": "MaakMatch",
        "description": _("Internships, apprenticeships and jobs in manufacturing in Utrecht-West"),
        "lang": get_language(),
        "start_url": reverse("web:home"),
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0b5394",
        "icons": icons,
    }
    return JsonResponse(data, content_type="application/manifest+json")


@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """Liveness and database reachability, for load balancers and compose."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    roles = selectors.user_roles(user=request.user)
    context = {
        "roles": roles,
        "is_student": Role.STUDENT in roles,
        "is_company_member": Role.COMPANY_MEMBER in roles,
        "is_counsellor": Role.COUNSELLOR in roles,
        "is_coordinator": Role.COORDINATOR in roles,
        "companies": selectors.organisations_for_user(user=request.user, role=Role.COMPANY_MEMBER),
        "schools": selectors.student_organisations(student=request.user),
        "counselled": selectors.organisations_for_user(user=request.user, role=Role.COUNSELLOR),
        "needs_consent": selectors.user_needs_parental_consent(user=request.user),
    }
    user = request.user
    if context["is_student"]:
        context["student"] = matching_selectors.student_counts(student=user)
        context["completeness"], context["missing"] = marketplace_selectors.profile_completeness_of(
            user=user
        )
    if context["is_counsellor"]:
        context["keeps_courses"] = learning_selectors.providers_for(user=user).exists()
    if context["is_counsellor"] or selectors.user_is_self_directed_student(user=user):
        context["review"] = matching_selectors.reviewer_counts(viewer=user)
    if context["is_company_member"]:
        context["company_todo"] = matching_selectors.company_todo(viewer=user)
        context["openings_open"] = (
            marketplace_selectors.openings_of_member(viewer=user)
            .filter(status=OpeningStatus.OPEN)
            .count()
        )
    if context["is_coordinator"]:
        context["to_verify"] = selectors.companies_awaiting_verification().count()
    return render(request, "web/dashboard.html", context)


@require_GET
def signup_choice(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("web:dashboard")
    return render(request, "web/signup_choice.html")


def _language(request: HttpRequest) -> str:
    code = (getattr(request, "LANGUAGE_CODE", "") or "").split("-")[0]
    return code if code in Language.values else Language.DUTCH


@require_http_methods(["GET", "POST"])
def signup_career_changer(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("web:dashboard")
    form = CareerChangerSignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.career_changer_signup(
                email=form.cleaned_data["email"],
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password"],
                date_of_birth=form.cleaned_data["date_of_birth"],
                language=_language(request),
            )
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            # The same answer whether or not the address had an account.
            return redirect("web:signup_sent")
    return render(request, "web/signup_form.html", {"form": form, "kind": "career_changer"})


@require_http_methods(["GET", "POST"])
def signup_company(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("web:dashboard")
    form = CompanySignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.company_signup(
                email=data["email"],
                full_name=data["full_name"],
                password=data["password"],
                company_name=data["company_name"],
                kvk_number=data["kvk_number"],
                sector=data["sector"],
                size_class=data["size_class"],
                municipality=data["municipality"],
                language=_language(request),
            )
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            return redirect("web:signup_sent")
    return render(request, "web/signup_form.html", {"form": form, "kind": "company"})


@require_GET
def signup_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "web/signup_sent.html")


@require_http_methods(["GET", "POST"])
def signup_confirm(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """The e-mailed link: a button opens the account (a mail scanner's GET does
    not), then the person is logged in."""
    if request.method == "GET":
        pending = services.signup_pending_user(uidb64=uidb64, token=token)
        status = 200 if pending is not None else 400
        return render(request, "web/signup_confirm.html", {"pending": pending}, status=status)
    try:
        user = services.signup_confirm(uidb64=uidb64, token=token)
    except DomainError as exc:
        messages.error(request, exc.message)
        return render(request, "web/signup_confirm.html", {"pending": None}, status=400)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    if selectors.organisations_for_user(user=user, role=Role.COMPANY_MEMBER).exists():
        messages.success(
            request,
            _(
                "Your company is registered. A regional coordinator checks the KvK "
                "number; until then your openings are not public."
            ),
        )
    else:
        messages.success(request, _("Welcome to MaakMatch! Your account is ready."))
    return redirect("web:dashboard")


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = selectors.invitation_by_token(token=token)
    if invitation is None or not invitation.is_usable():
        return render(request, "web/invitation_invalid.html", status=410)
    if request.user.is_authenticated:
        needs_birth_date = invitation.role == Role.STUDENT and request.user.date_of_birth is None
        form = InvitationJoinForm(request.POST or None) if needs_birth_date else None
        if request.method == "POST" and (form is None or form.is_valid()):
            try:
                services.invitation_accept_existing(
                    invitation=invitation,
                    user=request.user,
                    date_of_birth=form.cleaned_data["date_of_birth"] if form else None,
                )
            except DomainError as exc:
                if form is None:
                    messages.error(request, exc.message)
                else:
                    show_domain_error(form, exc)
            else:
                messages.success(
                    request,
                    _("You joined %(organisation)s.")
                    % {"organisation": invitation.organisation.name},
                )
                return redirect("web:dashboard")
        return render(
            request, "web/invitation_existing.html", {"invitation": invitation, "form": form}
        )
    if request.method == "GET":
        services.invitation_opened(invitation=invitation)
    form = InvitationSignupForm(
        request.POST or None,
        role=invitation.role,
        email=invitation.email,
        initial={"full_name": invitation.full_name},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.invitation_accept_signup(
                invitation=invitation,
                email=data["email"],
                full_name=data["full_name"],
                password=data["password"],
                date_of_birth=data.get("date_of_birth"),
            )
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request,
                _("You joined %(organisation)s.") % {"organisation": invitation.organisation.name},
            )
            return redirect("web:dashboard")
    return render(request, "web/invitation_signup.html", {"form": form, "invitation": invitation})


@login_required
@require_http_methods(["GET", "POST"])
def invitations(request: HttpRequest) -> HttpResponse:
    organisations = selectors.organisations_for_user(user=request.user, role=Role.COUNSELLOR)
    if not organisations.exists():
        raise PermissionDenied
    form = InvitationCreateForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invitation_create(
                organisation=form.cleaned_data["organisation"],
                created_by=request.user,
                role=form.cleaned_data["role"],
                email=form.cleaned_data["email"],
                full_name=form.cleaned_data["full_name"],
            )
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            link = request.build_absolute_uri(
                reverse("web:invitation_accept", args=[invitation.token])
            )
            messages.success(request, _("Invitation link created: %(link)s") % {"link": link})
            return redirect("web:invitations")
    listing = selectors.invitations_for_viewer(viewer=request.user)[:100]
    return render(request, "web/invitations.html", {"form": form, "invitations": listing})


@login_required
@require_POST
def invitation_revoke(request: HttpRequest, invitation_id: int) -> HttpResponse:
    """Take back an invitation nobody has used: its link stops working."""
    invitation = get_object_or_404(
        selectors.invitations_for_viewer(viewer=request.user), pk=invitation_id
    )
    try:
        services.invitation_revoke(invitation=invitation, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        who = invitation.full_name or invitation.email or _("an open link")
        messages.success(request, _("The invitation for %(who)s is revoked.") % {"who": who})
    return redirect("web:invitations")


@login_required
@require_GET
def students(request: HttpRequest) -> HttpResponse:
    """A counsellor's students, with how complete each profile is."""
    if not selectors.user_has_role(user=request.user, role=Role.COUNSELLOR):
        raise PermissionDenied
    rows = (
        selectors.students_for_viewer(viewer=request.user)
        .exclude(pk=request.user.pk)
        .select_related("profile")
        .annotate(skill_count=marketplace_selectors.profile_skill_count())
        .order_by("full_name")
    )
    listing = []
    for s in rows:
        percent, missing = marketplace_selectors.profile_completeness(
            profile=getattr(s, "profile", None), skill_count=s.skill_count
        )
        listing.append(
            {
                "student": s,
                "needs_consent": selectors.user_needs_parental_consent(user=s),
                "complete": percent,
                "missing": missing,
            }
        )
    # Names and email addresses on screen: a view of personal data, on the record.
    personal_data_viewed(
        viewer=request.user, students=[row["student"] for row in listing], what="student list"
    )
    stretch_cards = matching_selectors.stretch_cards(
        stretches=matching_selectors.stretches_for_viewer(viewer=request.user).exclude(
            profile__user=request.user
        ),
        mine=False,
    )
    groups: dict[int, dict] = {}
    for card in stretch_cards:
        student = card["stretch"].profile.user
        groups.setdefault(student.pk, {"student": student, "cards": []})["cards"].append(card)
    return render(
        request, "web/students.html", {"rows": listing, "stretch_groups": list(groups.values())}
    )


@login_required
@require_POST
def parental_consent(request: HttpRequest, student_id: int) -> HttpResponse:
    # Others' students only: a pupil's own id is "not found" to her, as any other.
    students = selectors.students_for_viewer(viewer=request.user).exclude(pk=request.user.pk)
    student = get_object_or_404(students, pk=student_id)
    try:
        services.parental_consent_record(student=student, counsellor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Parental consent recorded for %(name)s.") % {"name": student.full_name},
        )
    return redirect("web:students")


@coordinator_required
@require_GET
def companies_to_verify(request: HttpRequest) -> HttpResponse:
    """Companies to check, with what a coordinator checks them on."""
    companies = list(selectors.companies_awaiting_verification())
    registrants = selectors.company_registrants(companies=companies)
    rows = [{"company": c, "registrant": registrants.get(c.pk)} for c in companies]
    return render(request, "web/companies_to_verify.html", {"rows": rows})


@coordinator_required
@require_POST
def company_refuse(request: HttpRequest, company_id: int) -> HttpResponse:
    company = get_object_or_404(Organisation, pk=company_id, kind=OrganisationKind.COMPANY)
    try:
        services.company_refuse(
            company=company, coordinator=request.user, reason=request.POST.get("reason", "")
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("%(name)s is refused; its members get the reason by e-mail.")
            % {"name": company.name},
        )
    return redirect("web:companies_to_verify")


@coordinator_required
@require_POST
def company_verify(request: HttpRequest, company_id: int) -> HttpResponse:
    company = get_object_or_404(Organisation, pk=company_id, kind=OrganisationKind.COMPANY)
    try:
        marketplace_services.company_verify(company=company, coordinator=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(name)s is verified.") % {"name": company.name})
    return redirect("web:companies_to_verify")


@coordinator_required
@require_http_methods(["GET", "POST"])
def match_runs(request: HttpRequest) -> HttpResponse:
    """Coordinators: full recomputes with their progress, and starting one."""
    if request.method == "POST":
        try:
            matching_services.match_run_request(by=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The full recompute has been queued."))
        return redirect("web:match_runs")
    return render(request, "web/match_runs.html", matching_services.match_runs_status())


# The signed token is the authority here, not a session: mail clients' one-click
# unsubscribe (RFC 8058) posts without a CSRF token, and nobody is logged in.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks to confirm (link scanners must not unsubscribe anyone); POST does it."""
    try:
        if request.method == "POST":
            user, kind = notification_services.notifications_unsubscribe(token=token)
            done = True
        else:
            user, kind = notification_services.unsubscribe_token_read(token=token)
            done = False
    except InvalidState as exc:
        return render(request, "web/unsubscribe.html", {"error": exc.message}, status=400)
    return render(
        request, "web/unsubscribe.html", {"kind": kind, "done": done, "email": user.email}
    )


@second_factor_when_needed
@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    """Settings: the person's API tokens. A new key is shown on this response only."""
    form = ApiTokenCreateForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_key = services.api_token_create(
                user=request.user, name=form.cleaned_data["name"]
            )
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            form = ApiTokenCreateForm()
    tokens = ApiToken.objects.filter(user=request.user).order_by("-created_at")
    context = {"form": form, "tokens": tokens, "new_key": new_key}
    return render(request, "web/api_tokens.html", context)


@second_factor_when_needed
@require_POST
def api_token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    services.api_token_revoke(token=token, by=request.user)
    messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    return redirect("web:api_tokens")


STUDENT_ANSWERS = {
    "yes": lambda match, by: workflow.match_student_answer(match=match, by=by, yes=True),
    "no": lambda match, by: workflow.match_student_answer(match=match, by=by, yes=False),
    "accept": lambda match, by: workflow.match_invitation_answer(match=match, by=by, accept=True),
    "refuse": lambda match, by: workflow.match_invitation_answer(match=match, by=by, accept=False),
}


@login_required
@require_GET
def my_suggestions(request: HttpRequest) -> HttpResponse:
    """A student's suggestions: the score in words, skills matched and missing, the
    distance, yes or no, and where each application stands."""
    if not selectors.user_has_role(user=request.user, role=Role.STUDENT):
        raise PermissionDenied
    cards = matching_selectors.suggestion_cards(student=request.user)
    stretch = matching_selectors.stretch_cards(
        stretches=matching_selectors.stretches_for_viewer(viewer=request.user).filter(
            profile__user=request.user
        ),
        mine=True,
    )
    context = {
        "cards": cards,
        "paused": marketplace_selectors.placement_pausing(student=request.user),
        "stretch": stretch,
        "on_my_own": selectors.user_is_self_directed_student(user=request.user),
    }
    return render(request, "web/my_suggestions.html", context)


@login_required
@require_POST
def my_suggestion_answer(request: HttpRequest, match_id: int, answer: str) -> HttpResponse:
    if answer not in STUDENT_ANSWERS:
        raise Http404
    match = get_object_or_404(
        matching_selectors.suggestions_for_student(student=request.user).select_related(
            "profile__user"
        ),
        pk=match_id,
    )
    try:
        STUDENT_ANSWERS[answer](match, request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Saved: %(title)s.") % {"title": match.opening.title})
    return redirect("web:my_suggestions")


@login_required
@require_POST
def my_suggestion_report(request: HttpRequest, match_id: int) -> HttpResponse:
    """The student reports a suggestion as wrong; their counsellor hears of it."""
    match = get_object_or_404(
        matching_selectors.suggestions_for_student(student=request.user), pk=match_id
    )
    try:
        reports.suggestion_report(
            match=match, by=request.user, reason=request.POST.get("reason", "")
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if selectors.user_is_self_directed_student(user=request.user):
            messages.success(request, _("Thank you. We use your report to improve suggestions."))
        else:
            messages.success(request, _("Thank you. Your counsellor will look at your report."))
    return redirect("web:my_suggestions")
