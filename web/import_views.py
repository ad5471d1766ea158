"""Bulk imports from CSV: a counsellor's class list, a company's (or the region's)
openings, the templates to fill in, and each import's progress and result."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts import imports as account_imports
from accounts import selectors
from accounts.exceptions import DomainError
from accounts.models import ImportKind, Role
from accounts.tabular import MAX_BYTES, Column, TableInvalid
from marketplace import imports as marketplace_imports
from web.access import coordinator_required
from web.forms import ImportUploadForm

TEMPLATES = {
    "students": (account_imports.students_template_csv, "maakmatch-studenten"),
    "openings": (
        lambda: marketplace_imports.openings_template_csv(coordinator=False),
        "maakmatch-vacatures",
    ),
    "openings-kvk": (
        lambda: marketplace_imports.openings_template_csv(coordinator=True),
        "maakmatch-vacatures-kvk",
    ),
}


def _upload_page(
    request: HttpRequest,
    *,
    title: str,
    organisations: object | None,
    columns: tuple[Column, ...],
    template: str,
    start: object,
) -> HttpResponse:
    form = ImportUploadForm(
        request.POST or None, request.FILES or None, organisations=organisations
    )
    errors = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        organisation = form.cleaned_data.get("organisation")
        try:
            job = start(
                by=request.user,
                organisation=organisation,
                filename=upload.name or "",
                data=upload.read(MAX_BYTES + 1),
            )
        except TableInvalid as exc:
            errors = exc.errors
            messages.error(
                request, _("Nothing was imported: fix the lines below and upload the file again.")
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("web:import_detail", job_id=job.pk)
    context = {
        "title": title,
        "form": form,
        "errors": errors,
        "columns": columns,
        "template": template,
        "jobs": account_imports.jobs_of(viewer=request.user)[:10],
    }
    return render(request, "web/import_upload.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def students_import(request: HttpRequest) -> HttpResponse:
    organisations = selectors.organisations_for_user(user=request.user, role=Role.COUNSELLOR)
    if not organisations.exists():
        raise PermissionDenied
    return _upload_page(
        request,
        title=_("Import a class list"),
        organisations=organisations,
        columns=account_imports.STUDENT_COLUMNS,
        template="students",
        start=account_imports.students_import_start,
    )


@login_required
@require_http_methods(["GET", "POST"])
def openings_import(request: HttpRequest) -> HttpResponse:
    companies = selectors.organisations_for_user(user=request.user, role=Role.COMPANY_MEMBER)
    if not companies.exists():
        raise PermissionDenied
    return _upload_page(
        request,
        title=_("Import openings"),
        organisations=companies,
        columns=marketplace_imports.columns_for(coordinator=False),
        template="openings",
        start=marketplace_imports.openings_import_start,
    )


@coordinator_required
@require_http_methods(["GET", "POST"])
def openings_import_region(request: HttpRequest) -> HttpResponse:
    """Coordinators: openings for any company, named per row by KvK number."""
    return _upload_page(
        request,
        title=_("Import openings for the region's companies"),
        organisations=None,
        columns=marketplace_imports.columns_for(coordinator=True),
        template="openings-kvk",
        start=marketplace_imports.openings_import_start,
    )


@login_required
@require_GET
def import_template(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in TEMPLATES:
        raise Http404
    make, name = TEMPLATES[kind]
    response = HttpResponse(make(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


@login_required
@require_GET
def import_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    """One import's progress (polled while it runs) and its result; only its uploader sees it."""
    job = get_object_or_404(account_imports.jobs_of(viewer=request.user), pk=job_id)
    back = {
        ImportKind.STUDENTS: "web:invitations",
        ImportKind.OPENINGS: "web:company_openings" if job.organisation_id else "web:dashboard",
    }[job.kind]
    return render(request, "web/import_detail.html", {"job": job, "back": back})
