"""Reads for the marketplace. Public reads show only what anyone may see."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import OrganisationKind
from marketplace.models import Opening, OpeningStatus


def openings_public() -> QuerySet[Opening]:
    """Open openings of verified companies: what visitors without a login see."""
    return (
        Opening.objects.filter(
            status=OpeningStatus.OPEN,
            company__kind=OrganisationKind.COMPANY,
            company__verified_at__isnull=False,
        )
        .select_related("company", "place")
        .order_by("-published_at", "pk")
    )
