"""Reads for the marketplace. Public reads show only what anyone may see."""

from __future__ import annotations

import numpy as np
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from accounts.models import Membership, Organisation, OrganisationKind, Role, User
from marketplace.models import Opening, OpeningStatus, Place, Skill
from matching.engine.geo import haversine_km


def openings_public() -> QuerySet[Opening]:
    """Open openings of verified companies: what visitors without a login see."""
    return (
        Opening.objects.filter(_public())
        .select_related("company", "place")
        .order_by("-published_at", "pk")
    )


def _public() -> Q:
    return Q(
        status=OpeningStatus.OPEN,
        company__kind=OrganisationKind.COMPANY,
        company__verified_at__isnull=False,
    )


def openings_visible_to(*, viewer: User | AnonymousUser) -> QuerySet[Opening]:
    """Public openings, plus every opening (drafts, closed) of the viewer's own
    companies."""
    if not viewer.is_authenticated:
        return Opening.objects.filter(_public())
    own = Membership.objects.filter(user=viewer, role=Role.COMPANY_MEMBER).values("organisation_id")
    return Opening.objects.filter(_public() | Q(company_id__in=own))


def opening_is_public(*, opening: Opening) -> bool:
    return Opening.objects.filter(_public(), pk=opening.pk).exists()


def companies_public() -> QuerySet[Organisation]:
    """Verified companies: the ones with a public page."""
    return Organisation.objects.filter(
        kind=OrganisationKind.COMPANY, verified_at__isnull=False
    ).order_by("name")


def openings_of_member(*, viewer: User) -> QuerySet[Opening]:
    """Every opening of the companies the viewer is a member of."""
    own = Membership.objects.filter(user=viewer, role=Role.COMPANY_MEMBER).values("organisation_id")
    return (
        Opening.objects.filter(company_id__in=own)
        .select_related("company", "place")
        .order_by("company__name", "-created_at", "pk")
    )


def skill_by_term() -> dict[str, Skill]:
    """Every skill under each of its names (Dutch, English, slug, synonyms),
    lower-cased: what a person may type into a skill field."""
    terms: dict[str, Skill] = {}
    for skill in Skill.objects.all():
        for name in (*skill.synonyms, skill.slug, skill.label_en, skill.label_nl):
            if isinstance(name, str) and name.strip():
                terms[name.strip().casefold()] = skill
    return terms


def places_within(*, place: Place, km: float) -> list[int]:
    """Ids of the places whose centre lies within ``km`` of ``place``'s centre.

    Openings sit at their municipality's centre, so a radius search is a few
    hundred places measured at once, then one ``IN`` filter."""
    rows = list(Place.objects.values_list("pk", "latitude", "longitude"))
    if not rows:
        return []
    ids, lat, lon = zip(*rows, strict=True)
    distances = haversine_km(
        np.radians([place.latitude]),
        np.radians([place.longitude]),
        np.radians(lat),
        np.radians(lon),
    )[0]
    return [pk for pk, d in zip(ids, distances, strict=True) if d <= km + 1e-6]
