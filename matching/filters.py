"""The counsellor's review queue, filtered and sorted (django-filter). The
filters live in the URL, so a colleague opens the same view from a shared link."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import EducationLevel, User
from accounts.selectors import class_memberships_of_viewer, classes_for_counsellor
from marketplace.models import OpeningType, Place
from matching.models import Match
from matching.selectors import SCORE_WORDS, SCORE_WORDS_OTHERWISE

# Score bands by the words a student reads: (value, label, lowest, below).
STRONG, GOOD = (lowest for lowest, _label in SCORE_WORDS)
SCORE_BANDS = {
    "strong": (SCORE_WORDS[0][1], STRONG, None),
    "good": (SCORE_WORDS[1][1], GOOD, STRONG),
    "possible": (SCORE_WORDS_OTHERWISE, None, GOOD),
}

SORTS = {
    "score": ("-score", "pk"),
    "date": ("-created_at", "pk"),
    "student": ("profile__user__full_name", "profile_id", "-score", "pk"),
}


class ReviewQueueFilter(django_filters.FilterSet):
    """Narrow a reviewer's queue. Class and programme list only what the
    reviewer's own students have, so no choice reveals another school's."""

    klas = django_filters.ChoiceFilter(method="filter_class", label=_("Class"))
    programme = django_filters.ChoiceFilter(field_name="profile__programme", label=_("Programme"))
    education_level = django_filters.ChoiceFilter(
        field_name="profile__education_level",
        choices=EducationLevel.choices,
        label=_("Education level"),
    )
    type = django_filters.ChoiceFilter(
        field_name="opening__type", choices=OpeningType.choices, label=_("Type of opening")
    )
    municipality = django_filters.ModelChoiceFilter(
        field_name="opening__place",
        queryset=Place.objects.order_by("name"),
        to_field_name="slug",
        label=_("Municipality of the opening"),
    )
    band = django_filters.ChoiceFilter(
        method="filter_band",
        choices=[(value, label) for value, (label, _lo, _hi) in SCORE_BANDS.items()],
        label=_("Score"),
    )
    sort = django_filters.ChoiceFilter(
        method="filter_noop",
        choices=[
            ("score", _("best score first")),
            ("date", _("newest first")),
            ("student", _("by student")),
        ],
        empty_label=None,
        label=_("Sort"),
    )

    class Meta:
        model = Match
        fields: list[str] = []

    def __init__(self, *args: Any, viewer: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.viewer = viewer
        classes = classes_for_counsellor(viewer=viewer)
        self.filters["klas"].extra["choices"] = [(c, c) for c in classes]
        programmes = (
            self.queryset.exclude(profile__programme="")
            .order_by("profile__programme")
            .values_list("profile__programme", flat=True)
            .distinct()
        )
        self.filters["programme"].extra["choices"] = [(p, p) for p in programmes]

    @property
    def sort_order(self) -> tuple[str, ...]:
        sort = self.form.cleaned_data.get("sort") if self.form.is_valid() else None
        return SORTS.get(sort or "score", SORTS["score"])

    @property
    def grouped(self) -> bool:
        """By student: the page shows one heading per student."""
        return self.sort_order == SORTS["student"]

    @property
    def qs(self) -> QuerySet[Match]:
        if self.is_bound and not self.is_valid():
            return self.queryset.none()  # a choice not offered (another school's class)
        return super().qs.order_by(*self.sort_order)

    def filter_noop(self, queryset: QuerySet, name: str, value: object) -> QuerySet:
        return queryset  # read by sort_order

    def filter_class(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        in_class = class_memberships_of_viewer(viewer=self.viewer).filter(
            user=OuterRef("profile__user"), class_name=value
        )
        return queryset.filter(Exists(in_class))

    def filter_band(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        _label, lowest, below = SCORE_BANDS[value]
        if lowest is not None:
            queryset = queryset.filter(score__gte=lowest)
        if below is not None:
            queryset = queryset.filter(score__lt=below)
        return queryset
