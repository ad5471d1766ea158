"""Query filters (django-filter) for the API's lists."""

from __future__ import annotations

import math

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import EducationLevel, Sector
from marketplace.models import Opening, OpeningType, Place, Skill, SkillCategory
from matching.models import Match, MatchState

RADIUS_MAX_KM = 250
EARTH_RADIUS_KM = 6371.0


def _km(a: Place, b: Place) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (a.latitude, a.longitude, b.latitude, b.longitude))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


class OpeningFilter(django_filters.FilterSet):
    type = django_filters.ChoiceFilter(choices=OpeningType.choices)
    education_level = django_filters.ChoiceFilter(
        choices=EducationLevel.choices,
        method="filter_level",
        label=_("Education level (openings that accept it, or any level)"),
    )
    place = django_filters.ModelChoiceFilter(
        queryset=Place.objects.all(),
        to_field_name="slug",
        method="filter_place",
        label=_("Place (municipality slug); with radius_km, everything within that distance"),
    )
    radius_km = django_filters.NumberFilter(
        method="filter_noop", min_value=0, max_value=RADIUS_MAX_KM, label=_("Radius in km")
    )
    skill = django_filters.ModelChoiceFilter(
        queryset=Skill.objects.all(),
        to_field_name="slug",
        field_name="opening_skills__skill",
        distinct=True,
        label=_("Skill slug"),
    )
    sector = django_filters.ChoiceFilter(choices=Sector.choices, field_name="company__sector")
    company = django_filters.CharFilter(field_name="company__slug", max_length=200)
    q = django_filters.CharFilter(method="filter_text", max_length=200, label=_("Text"))

    class Meta:
        model = Opening
        fields = ["type", "education_level", "place", "radius_km", "skill", "sector", "company"]

    def filter_noop(self, queryset: QuerySet, name: str, value: object) -> QuerySet:
        return queryset  # read by filter_place

    def filter_level(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # JSON text contains the quoted value: works alike on PostgreSQL and SQLite.
        return queryset.filter(Q(education_levels__icontains=f'"{value}"') | Q(education_levels=[]))

    def filter_place(self, queryset: QuerySet, name: str, value: Place) -> QuerySet:
        radius = self.form.cleaned_data.get("radius_km")
        if not radius:
            return queryset.filter(place=value)
        # Openings sit at their municipality's centre: the places within the
        # radius are found among a few hundred rows, then one IN filter.
        near = [p.pk for p in Place.objects.all() if _km(value, p) <= float(radius)]
        return queryset.filter(place_id__in=near)

    def filter_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        for word in value.split()[:8]:
            queryset = queryset.filter(Q(title__icontains=word) | Q(description__icontains=word))
        return queryset


class SkillFilter(django_filters.FilterSet):
    category = django_filters.ChoiceFilter(choices=SkillCategory.choices)
    q = django_filters.CharFilter(method="filter_text", max_length=100, label=_("Text"))

    class Meta:
        model = Skill
        fields = ["category"]

    def filter_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(
            Q(label_nl__icontains=value) | Q(label_en__icontains=value) | Q(slug__icontains=value)
        )


class PlaceFilter(django_filters.FilterSet):
    class Meta:
        model = Place
        fields = ["in_region", "province"]


class SuggestionFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=MatchState.choices)
    opening = django_filters.CharFilter(field_name="opening__slug", max_length=220)

    class Meta:
        model = Match
        fields = ["state", "opening"]
