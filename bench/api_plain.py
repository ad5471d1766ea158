"""Plain Django views that serve what two API endpoints serve, with the same
queries (the page, its count, whose students they are, the audit entry for a
reviewer's view, the page's interviews) and dicts built by hand: the yardstick
``bench.api`` compares the product with. They skip only what DRF adds:
serializers, content negotiation, throttling, the browsable machinery.
"""

from __future__ import annotations

from django.db.models import Q
from django.http import HttpRequest, JsonResponse

from accounts import selectors
from accounts.models import OrganisationKind
from accounts.services import api_token_user
from audit.services import personal_data_viewed
from marketplace.models import Opening, OpeningStatus, Place
from marketplace.selectors import places_within
from matching.models import Interview
from matching.selectors import matches_for_viewer

PAGE = 20


def _ref(obj: object, *fields: str) -> dict:
    return {f: getattr(obj, f) for f in fields}


def suggestions(request: HttpRequest) -> JsonResponse:
    key = request.headers.get("Authorization", "").split(" ", 1)[-1]
    user = api_token_user(key=key)
    if user is None:
        return JsonResponse({"detail": "no"}, status=401)
    matches = (
        matches_for_viewer(viewer=user)
        .select_related("opening__company", "opening__place", "profile__user")
        .order_by("-score", "pk")
    )
    if request.GET.get("state"):
        matches = matches.filter(state=request.GET["state"])
    count = matches.count()
    page = list(matches[:PAGE])
    others = {m.profile.user_id for m in page} - {user.pk}
    counselled = (
        set(
            selectors.students_for_viewer(viewer=user)
            .filter(pk__in=others)
            .values_list("pk", flat=True)
        )
        if others
        else set()
    )
    reviewed = [m.profile.user for m in page if m.profile.user_id in counselled]
    personal_data_viewed(viewer=user, students=reviewed, what="suggestion")
    interviews = {i.match_id: i for i in Interview.objects.filter(match__in=page)}
    results = []
    for m in page:
        o = m.opening
        reviewer = m.profile.user_id in counselled
        results.append(
            {
                "id": m.pk,
                "state": m.state,
                "score": round(m.score, 4),
                "opening": {
                    **_ref(o, "slug", "title", "type"),
                    "company": _ref(o.company, "slug", "name"),
                    "place": _ref(o.place, "slug", "name"),
                },
                "view": "reviewer" if reviewer else "student",
                "student": (
                    {"profile": m.profile_id, "full_name": m.profile.user.full_name}
                    if reviewer
                    else None
                ),
                "candidate": None,
                "explanation": m.explanation,
                "blocked_reason": None,
                "state_changed_at": m.state_changed_at,
                "interview": None if m.pk not in interviews else {},
            }
        )
    return JsonResponse({"count": count, "next": None, "previous": None, "results": results})


def openings(request: HttpRequest) -> JsonResponse:
    queryset = Opening.objects.filter(
        status=OpeningStatus.OPEN,
        company__kind=OrganisationKind.COMPANY,
        company__verified_at__isnull=False,
    )
    slug, radius = request.GET.get("place"), request.GET.get("radius_km")
    if slug:
        centre = Place.objects.get(slug=slug)
        near = places_within(place=centre, km=float(radius or 0))
        queryset = queryset.filter(Q(place_id__in=near) if radius else Q(place=centre))
    queryset = (
        queryset.select_related("company", "place")
        .prefetch_related("opening_skills__skill")
        .order_by("-published_at", "-created_at", "pk")
    )
    count = queryset.count()
    results = [
        {
            **_ref(
                o,
                "slug",
                "title",
                "description",
                "type",
                "education_levels",
                "start_date",
                "end_date",
                "hours_per_week",
                "capacity",
                "places_left",
                "status",
                "published_at",
                "expires_at",
            ),
            "company": _ref(o.company, "slug", "name"),
            "place": _ref(o.place, "slug", "name"),
            "skills": [
                {
                    "skill": s.skill.slug,
                    "label_nl": s.skill.label_nl,
                    "label_en": s.skill.label_en,
                    "importance": s.importance,
                    "min_level": s.min_level,
                }
                for s in o.opening_skills.all()
            ],
        }
        for o in queryset[:PAGE]
    ]
    return JsonResponse({"count": count, "next": None, "previous": None, "results": results})
