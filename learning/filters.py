"""Course search (django-filter), shared by the web pages and the API: skill,
place and radius, date, who may join, and text."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from learning.models import Audience, Course
from marketplace.models import Place, Skill
from marketplace.selectors import places_within

RADIUS_MAX_KM = 250
TEXT_WORDS_MAX = 8


class CourseFilter(django_filters.FilterSet):
    skill = django_filters.ModelChoiceFilter(
        queryset=Skill.objects.all(),
        to_field_name="slug",
        field_name="course_skills__skill",
        distinct=True,
        label=_("Skill"),
    )
    place = django_filters.ModelChoiceFilter(
        queryset=Place.objects.order_by("name"),
        to_field_name="slug",
        method="filter_place",
        label=_("Place"),
    )
    radius_km = django_filters.NumberFilter(
        method="filter_noop", min_value=0, max_value=RADIUS_MAX_KM, label=_("Radius in km")
    )
    starts_after = django_filters.DateFilter(
        method="filter_starts_after",
        label=_("Starts on or after"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    audience = django_filters.ChoiceFilter(
        choices=Audience.choices, method="filter_audience", label=_("For")
    )
    q = django_filters.CharFilter(method="filter_text", max_length=200, label=_("Text"))

    class Meta:
        model = Course
        fields = ["skill", "place", "radius_km", "starts_after", "audience"]

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.form.fields["skill"].label_from_instance = lambda skill: skill.label

    def filter_noop(self, queryset: QuerySet, name: str, value: float) -> QuerySet:
        return queryset  # read by filter_place

    def filter_place(self, queryset: QuerySet, name: str, value: Place) -> QuerySet:
        radius = self.form.cleaned_data.get("radius_km")
        if not radius:
            return queryset.filter(place=value)
        return queryset.filter(place_id__in=places_within(place=value, km=float(radius)))

    def filter_starts_after(self, queryset: QuerySet, name: str, value: object) -> QuerySet:
        # Courses on request can start whenever suits: they always qualify.
        return queryset.filter(Q(on_request=True) | Q(starts_on__gte=value))

    def filter_audience(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # JSON text contains the quoted value: works alike on PostgreSQL and SQLite.
        return queryset.filter(audiences__icontains=f'"{value}"')

    def filter_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        for word in value.split()[:TEXT_WORDS_MAX]:
            queryset = queryset.filter(Q(title__icontains=word) | Q(description__icontains=word))
        return queryset
