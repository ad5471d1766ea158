"""Pages anyone may see: opening search and detail, company pages, the algorithm."""

from __future__ import annotations

import functools
import re

import markdown
from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from marketplace import selectors as marketplace_selectors
from marketplace.filters import OpeningFilter
from web import jsonld
from web.markdown_tables import TableComponentExtension

PAGE_SIZE = 20


@require_GET
def openings(request: HttpRequest) -> HttpResponse:
    """Search: type, education level, place and radius, skill, sector, text."""
    queryset = marketplace_selectors.openings_public().prefetch_related("opening_skills__skill")
    search = OpeningFilter(request.GET, queryset=queryset)
    # Company pages list their own openings; the page's form has no slug field.
    search.form.fields.pop("company", None)
    # An invalid filter (a radius of -5, an unknown place) shows the form's
    # messages and no list, never every opening as if nothing was asked.
    valid = search.is_valid()
    results = search.qs if valid else queryset.none()
    page = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
    place = search.form.cleaned_data.get("place") if valid else None
    distances = (
        marketplace_selectors.distances_from(place=place, openings=page.object_list)
        if place is not None
        else {}
    )
    context = {"search": search, "page": page, "distances": distances}
    return render(request, "web/openings.html", context)


@require_GET
def opening_detail(request: HttpRequest, slug: str) -> HttpResponse:
    opening = get_object_or_404(
        marketplace_selectors.openings_visible_to(viewer=request.user)
        .select_related("company", "place")
        .prefetch_related("opening_skills__skill", "company__learning_locations"),
        slug=slug,
    )
    url = request.build_absolute_uri(reverse("web:opening_detail", args=[opening.slug]))
    skills_url = request.build_absolute_uri(reverse("api:skill-list"))
    context = {
        "opening": opening,
        "json_ld": jsonld.as_script(jsonld.job_posting(opening, url=url, skills_url=skills_url)),
        "is_public": marketplace_selectors.opening_is_public(opening=opening),
    }
    return render(request, "web/opening_detail.html", context)


@require_GET
def company_detail(request: HttpRequest, slug: str) -> HttpResponse:
    company = get_object_or_404(
        marketplace_selectors.companies_public().prefetch_related("learning_locations"),
        slug=slug,
    )
    context = {
        "company": company,
        "openings": marketplace_selectors.openings_public().filter(company=company),
    }
    return render(request, "web/company_detail.html", context)


DUTCH_HEADING = re.compile(r"^## In gewone woorden.*$", re.MULTILINE)
DEVELOPERS_HEADING = re.compile(r"^## .*for developers.*$", re.MULTILINE)


@functools.cache
def _algorithm_summary(language: str) -> str:
    """The plain-language part of docs/algorithm.md in one language: the English
    sections above the Dutch one, or the Dutch one; never the developers' part.
    The page and the document can so never disagree."""
    text = (settings.BASE_DIR / "docs" / "algorithm.md").read_text(encoding="utf-8")
    plain = DEVELOPERS_HEADING.split(text, maxsplit=1)[0]
    english, dutch = DUTCH_HEADING.split(plain, maxsplit=1)
    chosen = dutch if language == "nl" else re.sub(r"^# .*\n", "", english, count=1)
    return markdown.markdown(
        chosen, extensions=["tables", TableComponentExtension()], output_format="html"
    )


@require_GET
def algorithm(request: HttpRequest) -> HttpResponse:
    language = "nl" if (get_language() or "nl").startswith("nl") else "en"
    summary: SafeString = mark_safe(_algorithm_summary(language))  # noqa: S308 (our own doc)
    return render(request, "web/algorithm.html", {"summary": summary, "language": language})


@functools.cache
def _integrating(language: str) -> str:
    """docs/integrating.md (or its Dutch twin, integrating.nl.md) as HTML, without
    its first heading (the page has its own)."""
    name = "integrating.nl.md" if language == "nl" else "integrating.md"
    text = (settings.BASE_DIR / "docs" / name).read_text(encoding="utf-8")
    text = re.sub(r"^# .*\n", "", text, count=1)
    return markdown.markdown(
        text,
        extensions=["tables", "fenced_code", TableComponentExtension()],
        output_format="html",
    )


@require_GET
def integrating(request: HttpRequest) -> HttpResponse:
    """How schools and companies connect their systems: keys, the chain, conventions."""
    language = "nl" if (get_language() or "nl").startswith("nl") else "en"
    body: SafeString = mark_safe(_integrating(language))  # noqa: S308 (our own doc)
    return render(request, "web/integrating.html", {"body": body, "language": language})
