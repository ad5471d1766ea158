"""Course search (django-filter), shared by the web pages and the API: skill,
place and radius, date, who may join, and text."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from learning.models import Audience, Course
from marketplace.filters import PlaceAndTextSearch, place_filter, radius_filter, text_filter
from marketplace.models import Skill


class CourseFilter(PlaceAndTextSearch, django_filters.FilterSet):
    skill = django_filters.ModelChoiceFilter(
        queryset=Skill.objects.all(),
        to_field_name="slug",
        field_name="course_skills__skill",
        distinct=True,
        label=_("Skill"),
    )
    place = place_filter()
    radius_km = radius_filter()
    starts_after = django_filters.DateFilter(
        method="filter_starts_after",
        label=_("Starts on or after"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    audience = django_filters.ChoiceFilter(
        choices=Audience.choices, method="filter_audience", label=_("For")
    )
    q = text_filter()

    class Meta:
        model = Course
        fields = ["skill", "place", "radius_km", "starts_after", "audience"]

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.form.fields["skill"].label_from_instance = lambda skill: skill.label

    def filter_starts_after(self, queryset: QuerySet, name: str, value: object) -> QuerySet:
        # Courses on request can start whenever suits: they always qualify.
        return queryset.filter(Q(on_request=True) | Q(starts_on__gte=value))

    def filter_audience(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # JSON text contains the quoted value: works alike on PostgreSQL and SQLite.
        return queryset.filter(audiences__icontains=f'"{value}"')
