"""Opening search (django-filter), shared by the web pages and the API."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import EducationLevel, Sector
from marketplace.models import Opening, OpeningType, Place, Skill
from marketplace.selectors import places_within

RADIUS_MAX_KM = 250
TEXT_WORDS_MAX = 8


def place_filter() -> django_filters.ModelChoiceFilter:
    """A place by slug; with ``radius_filter`` beside it, every place that near."""
    return django_filters.ModelChoiceFilter(
        queryset=Place.objects.order_by("name"),
        to_field_name="slug",
        method="filter_place",
        label=_("Place"),
    )


def radius_filter() -> django_filters.NumberFilter:
    return django_filters.NumberFilter(
        method="filter_noop", min_value=0, max_value=RADIUS_MAX_KM, label=_("Radius in km")
    )


def text_filter() -> django_filters.CharFilter:
    return django_filters.CharFilter(method="filter_text", max_length=200, label=_("Text"))


class PlaceAndTextSearch:
    """The methods behind ``place_filter``, ``radius_filter`` and ``text_filter``,
    for a FilterSet over a model with a place, a title and a description
    (openings, courses)."""

    def filter_noop(self, queryset: QuerySet, name: str, value: float) -> QuerySet:
        return queryset  # read by filter_place

    def filter_place(self, queryset: QuerySet, name: str, value: Place) -> QuerySet:
        radius = self.form.cleaned_data.get("radius_km")
        if not radius:
            return queryset.filter(place=value)
        return queryset.filter(place_id__in=places_within(place=value, km=float(radius)))

    def filter_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        for word in value.split()[:TEXT_WORDS_MAX]:
            queryset = queryset.filter(Q(title__icontains=word) | Q(description__icontains=word))
        return queryset


class OpeningFilter(PlaceAndTextSearch, django_filters.FilterSet):
    type = django_filters.ChoiceFilter(choices=OpeningType.choices, label=_("Type"))
    education_level = django_filters.ChoiceFilter(
        choices=EducationLevel.choices,
        method="filter_level",
        label=_("Education level"),
    )
    place = place_filter()
    radius_km = radius_filter()
    skill = django_filters.ModelChoiceFilter(
        queryset=Skill.objects.all(),
        to_field_name="slug",
        field_name="opening_skills__skill",
        distinct=True,
        label=_("Skill"),
    )
    sector = django_filters.ChoiceFilter(
        choices=Sector.choices, field_name="company__sector", label=_("Sector")
    )
    company = django_filters.CharFilter(
        field_name="company__slug", max_length=200, label=_("Company (slug)")
    )
    q = text_filter()

    class Meta:
        model = Opening
        fields = ["type", "education_level", "place", "radius_km", "skill", "sector", "company"]

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.form.fields["skill"].label_from_instance = lambda skill: skill.label

    def filter_level(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # JSON text contains the quoted value: works alike on PostgreSQL and SQLite.
        return queryset.filter(Q(education_levels__icontains=f'"{value}"') | Q(education_levels=[]))
