"""Reads for the marketplace. Public reads show only what anyone may see."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import numpy as np
from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, Organisation, OrganisationKind, Role, User
from marketplace.models import (
    Opening,
    OpeningStatus,
    Place,
    Placement,
    PlacementStatus,
    Profile,
    ProfileSkill,
    Skill,
)
from matching.engine.geo import haversine_km
from matching.engine.skill_finder import SkillFinder


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


_finder: tuple[tuple, SkillFinder, dict[int, str]] | None = None
TEXT_SKILLS_MAX = 20


def skill_finder() -> SkillFinder:
    """The engine's finder over the current taxonomy (skills keyed by primary key),
    rebuilt only when a skill is added, removed or changed (one aggregate query
    tells)."""
    return _skill_finder_cached()[1]


def _skill_finder_cached() -> tuple[tuple, SkillFinder, dict[int, str]]:
    global _finder
    version = tuple(Skill.objects.aggregate(n=Count("pk"), latest=Max("updated_at")).values())
    if _finder is None or _finder[0] != version:
        rows = list(Skill.objects.values_list("pk", "slug", "label_nl", "label_en", "synonyms"))
        finder = SkillFinder((pk, [nl, en, *synonyms]) for pk, _slug, nl, en, synonyms in rows)
        _finder = (version, finder, {pk: slug for pk, slug, *_names in rows})
    return _finder


# The fields whose words name skills that count for matching (``text_skills``).
OPENING_SKILL_TEXT = ("title", "description")
PROFILE_SKILL_TEXT = ("headline", "about", "experience")


def skill_text(row: object, fields: Sequence[str]) -> str:
    return "\n".join(getattr(row, name) for name in fields)


def text_skills_finder() -> Callable[[str], list[str]]:
    """A function from a text to the slugs of the taxonomy skills it names, best
    first (SkillFinder), over the taxonomy as it is now: one check for many texts."""
    _version, finder, slugs = _skill_finder_cached()

    def find(text: str) -> list[str]:
        return [slugs[f.skill] for f in finder.find(text[:20_000], limit=TEXT_SKILLS_MAX)]

    return find


def text_skills_find(*, row: object, fields: Sequence[str]) -> list[str]:
    """The slugs of the taxonomy skills ``row``'s ``fields`` name, best first."""
    return text_skills_finder()(skill_text(row, fields))


def skills_by_ids(ids: Iterable[int]) -> list[Skill]:
    """The skills with these ids (unknown ids are left out), by Dutch label."""
    wanted = set(ids)
    return list(Skill.objects.filter(pk__in=wanted).order_by("label_nl")) if wanted else []


# Up to this many skills, a skill field's list offers every name in the page
# (it works without script); past it (the full ESCO has about 14,000) the list
# is filled as the person types.
SKILL_DATALIST_MAX = 600


def skill_labels(*, slugs: Iterable[str]) -> dict[str, str]:
    """Each skill's name in the active language, by slug (one query)."""
    return {s.slug: s.label for s in Skill.objects.filter(slug__in=list(slugs))}


def skill_datalist(terms: dict[str, Skill]) -> list[str] | None:
    """Every name for the page's list, or ``None`` when the taxonomy is too large
    to send whole and the list is to be fetched as the person types."""
    if len({skill.pk for skill in terms.values()}) > SKILL_DATALIST_MAX:
        return None
    return skill_names(terms)


def skill_names_matching(text: str, *, limit: int = 20) -> list[str]:
    """Dutch and English skill names containing ``text``; names that start with
    it come first."""
    query = text.strip()[:100]
    if len(query) < 2:
        return []
    rows = Skill.objects.filter(
        Q(label_nl__icontains=query) | Q(label_en__icontains=query)
    ).values_list("label_nl", "label_en")[: limit * 5]
    folded = query.casefold()
    names = {name for pair in rows for name in pair if folded in name.casefold()}
    return sorted(names, key=lambda n: (not n.casefold().startswith(folded), n.casefold()))[:limit]


def skill_names(terms: dict[str, Skill] | None = None) -> list[str]:
    """Every skill's Dutch and English name, sorted: what a skill field offers as
    the person types. Pass ``skill_by_term()``'s result to read the skills once."""
    skills = (skill_by_term() if terms is None else terms).values()
    return sorted({name for s in skills for name in (s.label_nl, s.label_en)}, key=str.casefold)


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


def distances_from(*, place: Place, openings: Iterable[Opening]) -> dict[int, float]:
    """Per opening, the distance in km (one decimal) from ``place``'s centre to
    the centre of the opening's place: for the distance badge of a search."""
    openings = list(openings)
    if not openings:
        return {}
    lat = np.radians([o.place.latitude for o in openings])
    lon = np.radians([o.place.longitude for o in openings])
    km = haversine_km(np.radians([place.latitude]), np.radians([place.longitude]), lat, lon)[0]
    return {o.pk: round(float(d), 1) for o, d in zip(openings, km, strict=True)}


# What a complete profile has: the parts the engine and a counsellor use.
PROFILE_SKILLS_ENOUGH = 3


def profile_completeness(*, profile: Profile | None, skill_count: int) -> tuple[int, list[str]]:
    """How complete a profile is, in percent, and what is still missing (names
    of parts, translated)."""
    if profile is None:
        return 0, [str(_("a profile"))]
    parts = [
        (bool(profile.headline), _("headline")),
        (bool(profile.about or profile.experience), _("about me")),
        (bool(profile.education_level), _("education level")),
        (profile.place_id is not None, _("place")),
        (bool(profile.wanted_types), _("kinds of openings wanted")),
        (profile.available_from is not None, _("availability")),
        (bool(profile.sectors), _("sectors of interest")),
        (skill_count >= PROFILE_SKILLS_ENOUGH, _("at least three skills")),
    ]
    done = sum(1 for ok, _name in parts if ok)
    return round(100 * done / len(parts)), [str(name) for ok, name in parts if not ok]


def profile_completeness_of(*, user: User) -> tuple[int, list[str]]:
    """``profile_completeness`` of one user's profile."""
    profile = Profile.objects.filter(user=user).first()
    skill_count = profile.profile_skills.count() if profile else 0
    return profile_completeness(profile=profile, skill_count=skill_count)


def profile_skill_count() -> Subquery:
    """An annotation for a user queryset: how many skills their profile lists."""
    return Coalesce(
        Subquery(
            ProfileSkill.objects.filter(profile__user=OuterRef("pk"))
            .order_by()
            .values("profile__user")
            .annotate(n=Count("pk"))
            .values("n")[:1]
        ),
        0,
    )


def placed_now_subquery() -> Exists:
    """For a Profile query: whether the profile has a confirmed placement that has
    not ended (no end date, or ending today or later). Such a student is paused
    for new suggestions."""
    today = timezone.localdate()
    return Exists(
        Placement.objects.filter(profile=OuterRef("pk"), status=PlacementStatus.CONFIRMED).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=today)
        )
    )


def placement_pausing(*, student: User) -> Placement | None:
    """The confirmed placement that pauses this student's suggestions, if any."""
    today = timezone.localdate()
    return (
        Placement.objects.filter(profile__user=student, status=PlacementStatus.CONFIRMED)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .select_related("opening", "company")
        .order_by("-confirmed_at")
        .first()
    )
