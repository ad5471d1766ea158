"""Query filters (django-filter) for the API's lists. Opening search is shared
with the web pages, so it lives in ``marketplace.filters``."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from marketplace.filters import OpeningFilter
from marketplace.models import Place, Skill, SkillCategory
from matching.models import Match, MatchState
from notifications.models import Notification

MAX_ID = 999_999_999_999_999_999  # ids in paths have at most 18 digits


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
    student = django_filters.NumberFilter(
        method="filter_student",
        min_value=1,
        max_value=MAX_ID,
        label=_("The student's profile id"),
    )

    class Meta:
        model = Match
        fields = ["state", "opening", "student"]

    def filter_student(self, queryset: QuerySet, name: str, value: int) -> QuerySet:
        return queryset.filter(profile_id=int(value))


class OpeningSearchForm(forms.Form):
    def clean(self) -> dict:
        data = super().clean()
        if data.get("radius_km") is not None and not data.get("place"):
            self.add_error("radius_km", _("A radius needs a place to measure from."))
        return data


class OpeningApiFilter(OpeningFilter):
    """The public search, strict: a radius without a place is a 400."""

    class Meta(OpeningFilter.Meta):
        form = OpeningSearchForm


class NotificationFilter(django_filters.FilterSet):
    unread = django_filters.BooleanFilter(
        field_name="read_at", lookup_expr="isnull", label=_("Only unread")
    )

    class Meta:
        model = Notification
        fields = ["unread"]


__all__ = [
    "NotificationFilter",
    "OpeningApiFilter",
    "OpeningFilter",
    "PlaceFilter",
    "SkillFilter",
    "SuggestionFilter",
]
