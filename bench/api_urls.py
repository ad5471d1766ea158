"""The product's URLs plus the bench's plain views (never part of the product)."""

from django.urls import include, path

from bench import api_plain

urlpatterns = [
    path("bench/plain/suggestions/", api_plain.suggestions, name="plain_suggestions"),
    path("bench/plain/openings/", api_plain.openings, name="plain_openings"),
    path("", include("config.urls")),
]
