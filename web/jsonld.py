"""schema.org ``JobPosting`` for an opening's page and ``Course`` for a course's
page, so search engines list them."""

from __future__ import annotations

import json
from typing import Any

from django.utils.html import _json_script_escapes
from django.utils.safestring import SafeString, mark_safe

from marketplace.models import Occupation, Opening, OpeningType

# schema.org employmentType values; orientation days and graduation projects
# are neither, so they are OTHER.
EMPLOYMENT_TYPES = {
    OpeningType.BOL: "INTERN",
    OpeningType.BBL: "INTERN",
    OpeningType.JOB: "FULL_TIME",
}
FULL_TIME_HOURS = 36
TAXONOMY_NAME = "MaakMatch vaardigheden (ESCO waar bekend)"


def _employment_type(opening: Opening) -> str:
    kind = EMPLOYMENT_TYPES.get(opening.type, "OTHER")
    if kind == "FULL_TIME" and opening.hours_per_week < FULL_TIME_HOURS:
        return "PART_TIME"
    return kind


def _place(place: Any) -> dict[str, Any]:
    """A municipality as a schema.org ``Place``: its address and its centre."""
    return {
        "@type": "Place",
        "address": {
            "@type": "PostalAddress",
            "addressLocality": place.name,
            "addressRegion": place.get_province_display(),
            "addressCountry": "NL",
        },
        "geo": {
            "@type": "GeoCoordinates",
            "latitude": place.latitude,
            "longitude": place.longitude,
        },
    }


def _skill_term(skill: Any, skills_url: str) -> dict[str, Any]:
    """A skill of the taxonomy as a schema.org ``DefinedTerm`` (ESCO's URI where known)."""
    term: dict[str, Any] = {
        "@type": "DefinedTerm",
        "name": skill.label_nl,
        "alternateName": skill.label_en,
        "termCode": skill.slug,
        "inDefinedTermSet": skills_url,
    }
    if skill.esco_uri:
        term["url"] = skill.esco_uri
    return term


def job_posting(opening: Opening, *, url: str, skills_url: str) -> dict[str, Any]:
    company = opening.company
    organisation: dict[str, Any] = {"@type": "Organization", "name": company.name}
    if company.website:
        organisation["sameAs"] = company.website
    skills = [_skill_term(row.skill, skills_url) for row in opening.opening_skills.all()]
    posting: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "JobPosting",
        "title": opening.title,
        "description": opening.description,
        "url": url,
        "identifier": {"@type": "PropertyValue", "name": company.name, "value": opening.slug},
        "datePosted": opening.published_at.date().isoformat() if opening.published_at else None,
        "validThrough": opening.expires_at.isoformat() if opening.expires_at else None,
        "employmentType": _employment_type(opening),
        "hiringOrganization": organisation,
        "jobLocation": _place(opening.place),
        "jobStartDate": opening.start_date.isoformat(),
        "workHours": f"{opening.hours_per_week} uur per week",
        "totalJobOpenings": opening.places_left,
        "skills": skills,
        "directApply": False,
    }
    if opening.education_levels:
        posting["educationRequirements"] = [
            {"@type": "EducationalOccupationalCredential", "credentialCategory": level}
            for level in opening.education_levels
        ]
    if opening.occupation:
        posting["occupationalCategory"] = {
            "@type": "CategoryCode",
            "codeValue": opening.occupation,
            "inCodeSet": "ISCO-08",
            "name": str(Occupation(opening.occupation).label),
        }
    return {k: v for k, v in posting.items() if v is not None}


def as_script(data: dict[str, Any]) -> SafeString:
    """A ``<script type="application/ld+json">`` block, escaped like ``json_script``
    so that text from the opening can never close the element."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True).translate(_json_script_escapes)
    return mark_safe(f'<script type="application/ld+json">{text}</script>')  # noqa: S308


def course(course: Any, *, url: str, skills_url: str) -> dict[str, Any]:
    """schema.org ``Course`` with one ``CourseInstance`` (its dates, or on request)."""
    provider: dict[str, Any] = {"@type": "Organization", "name": course.provider.name}
    if course.provider.website:
        provider["sameAs"] = course.provider.website
    place = {**_place(course.place), "name": course.venue or course.place.name}
    instance: dict[str, Any] = {
        "@type": "CourseInstance",
        "courseMode": "onsite",
        "location": place,
        "courseWorkload": f"PT{course.duration_hours}H",
    }
    if course.starts_on and not course.on_request:
        instance["startDate"] = course.starts_on.isoformat()
        if course.ends_on:
            instance["endDate"] = course.ends_on.isoformat()
    teaches = [_skill_term(row.skill, skills_url) for row in course.course_skills.all()]
    return {
        "@context": "https://schema.org",
        "@type": "Course",
        "name": course.title,
        "description": course.description,
        "url": url,
        "courseCode": course.slug,
        "provider": provider,
        "teaches": teaches,
        "timeRequired": f"PT{course.duration_hours}H",
        "offers": {
            "@type": "Offer",
            "price": f"{course.cost_eur:.2f}",
            "priceCurrency": "EUR",
            "category": "Paid" if course.cost_eur > 0 else "Free",
        },
        "hasCourseInstance": [instance],
        "inLanguage": "nl",
    }
