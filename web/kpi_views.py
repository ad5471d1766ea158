"""The coordinators' regional figures: dashboard, skills gap, exports, report."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.exceptions import DomainError
from accounts.models import EducationLevel
from accounts.tabular import csv_text, xlsx_bytes
from insights import kpis
from insights import services as insight_services
from insights.models import SnapshotKind
from marketplace.models import Place
from web import charts
from web.access import coordinator_required

EXPORT_FORMATS = ("csv", "xlsx")


def _period_and_breakdown(request: HttpRequest) -> tuple[kpis.Period, str, bool]:
    """The asked period and breakdown; a wrong one falls back, with a message on
    the page. The flag says whether both were right."""
    errors = []
    default = kpis.Period.quarter_of(timezone.localdate())
    try:
        period = kpis.Period.parse(request.GET.get("period") or default.label)
    except DomainError as exc:
        errors.append(exc.message)
        period = default
    breakdown = request.GET.get("breakdown") or kpis.TOTAL
    if breakdown not in kpis.BREAKDOWNS:
        errors.append(_("Unknown breakdown."))
        breakdown = kpis.TOTAL
    for error in errors:
        messages.error(request, error)
    return period, breakdown, not errors


def _period_choices() -> list[str]:
    year = timezone.localdate().year
    labels = []
    for y in range(year, year - 3, -1):
        labels.append(str(y))
        labels.extend(f"{y}-Q{q}" for q in range(4, 0, -1))
    return labels


def _columns() -> list[dict[str, Any]]:
    return [{"key": k.key, "label": k.label, "kind": k.kind} for k in kpis.KPIS]


@coordinator_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    period, breakdown, _ok = _period_and_breakdown(request)
    data = kpis.dashboard(period=period, breakdown=breakdown)
    context = {
        **data,
        "period": period,
        "breakdown": breakdown,
        "breakdowns": kpis.BREAKDOWNS,
        "periods": _period_choices(),
        "columns": _columns(),
        "trend_chart": charts.line_chart(
            data["trend"],
            "period",
            [
                ("places_offered", _("Places offered"), "series-a"),
                ("places_filled", _("Places filled"), "series-b"),
            ],
        ),
        "place_chart": charts.bar_chart(
            data["by_place"],
            [
                ("places_offered", _("Places offered"), "series-a"),
                ("places_filled", _("Places filled"), "series-b"),
            ],
        ),
    }
    return render(request, "web/kpis.html", context)


def _table_for_export(period: kpis.Period, breakdown: str) -> tuple[list[str], list[list]]:
    rows = kpis.displayed_rows(kpis.kpi_table(period=period, breakdown=breakdown), breakdown)
    header = [str(kpis.BREAKDOWNS[breakdown])] + [str(k.label) for k in kpis.KPIS]
    body = [[row["label"]] + [row[k.key] for k in kpis.KPIS] for row in rows]
    return header, body


def _csv(name: str, header: list[str], body: list[list]) -> HttpResponse:
    response = HttpResponse(csv_text(header, body), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


def _xlsx(name: str, header: list[str], body: list[list]) -> HttpResponse:
    response = HttpResponse(
        xlsx_bytes(name, header, body),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


@coordinator_required
@require_GET
def export(request: HttpRequest, fmt: str) -> HttpResponse:
    """Any KPI table as CSV or XLSX, with small numbers hidden as on the page."""
    if fmt not in EXPORT_FORMATS:
        raise PermissionDenied
    period, breakdown, ok = _period_and_breakdown(request)
    if not ok:
        return redirect("web:kpis")
    header, body = _table_for_export(period, breakdown)
    name = f"maakmatch-kpis-{period.label}-{breakdown}"
    return _csv(name, header, body) if fmt == "csv" else _xlsx(name, header, body)


@coordinator_required
@require_POST
def baseline_take(request: HttpRequest) -> HttpResponse:
    """Freeze a year's figures as its baseline (nulmeting)."""
    try:
        period = kpis.Period.parse(request.POST.get("year", ""))
        if not period.is_year:
            raise DomainError(_("A baseline is taken for a whole year."), field="year")
        insight_services.snapshot_take(period=period, kind=SnapshotKind.BASELINE, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("The figures of %(year)s are frozen as its baseline.") % {"year": period}
        )
    return redirect("web:kpis")


@coordinator_required
@require_GET
def report(request: HttpRequest) -> HttpResponse:
    """A one-page printable quarterly report for the partners' meeting."""
    period, _breakdown, _ok = _period_and_breakdown(request)
    data = kpis.dashboard(period=period, breakdown="municipality")
    context = {
        **data,
        "period": period,
        "columns": _columns(),
        "total": data["rows"][0] if data["rows"] else {},
        "gap": data["gap"],
        "printed_at": timezone.localtime(),
    }
    return render(request, "web/kpi_report.html", context)


@coordinator_required
@require_GET
def skills_gap(request: HttpRequest) -> HttpResponse:
    """What openings ask against what profiles offer, and what is missing most."""
    period, _breakdown, _ok = _period_and_breakdown(request)
    municipality = request.GET.get("municipality") or None
    level = request.GET.get("education_level") or None
    places = list(
        Place.objects.filter(in_region=True).order_by("name").values_list("name", flat=True)
    )
    if municipality not in (None, *places):
        messages.error(request, _("Unknown municipality."))
        municipality = None
    if level not in (None, *EducationLevel.values):
        messages.error(request, _("Unknown education level."))
        level = None
    rows = kpis.skills_gap(period=period, municipality=municipality, education_level=level)
    if request.GET.get("format") == "csv":
        header = [
            _("Skill"),
            _("Demand (places)"),
            _("Supply (profiles)"),
            _("Gap"),
            _("Missing in suggestions"),
            _("Courses in the region"),
        ]
        body = [
            [r["label"], r["demand"], r["supply"], r["gap"], r["missing"], r["courses"]]
            for r in rows
        ]
        return _csv(f"maakmatch-skills-gap-{period.label}", header, body)
    top = [r["skill"] for r in rows[:5]]
    context = {
        "rows": rows,
        "period": period,
        "periods": _period_choices(),
        "places": places,
        "levels": EducationLevel.choices,
        "municipality": municipality or "",
        "level": level or "",
        "trend": kpis.skills_gap_trend(year=period.year, skills=top),
        "trend_skills": [(r["skill"], r["label"]) for r in rows[:5]],
    }
    return render(request, "web/skills_gap.html", context)
