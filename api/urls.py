from csp.decorators import csp_update
from django.urls import include, path
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from api import guest_views, learning_views, views

app_name = "api"
router = DefaultRouter()
# No ``.json`` suffixes: the views do not take a ``format`` argument (a suffix was
# a 500), and a path outside the schema must be "not found". ``Accept`` or
# ``?format=`` choose the renderer.
router.include_format_suffixes = False
router.register("openings", views.OpeningViewSet, basename="opening")
router.register("companies", views.CompanyViewSet, basename="company")
router.register("profiles", views.ProfileViewSet, basename="profile")
router.register("skills", views.SkillViewSet, basename="skill")
router.register("places", views.PlaceViewSet, basename="place")
router.register("suggestions", views.SuggestionViewSet, basename="suggestion")
router.register("placements", views.PlacementViewSet, basename="placement")
router.register("runs", views.MatchRunViewSet, basename="run")
router.register("tokens", views.ApiTokenViewSet, basename="token")
router.register("imports", views.ImportViewSet, basename="import")
router.register("notifications", views.NotificationViewSet, basename="notification")
router.register("webhooks", views.WebhookViewSet, basename="webhook")
router.register("courses", learning_views.CourseViewSet, basename="course")
router.register(
    "course-suggestions", learning_views.CourseSuggestionViewSet, basename="course-suggestion"
)
router.register("sign-ups", learning_views.EnrolmentViewSet, basename="sign-up")
router.register("guest-offers", guest_views.GuestOfferViewSet, basename="guest-offer")
router.register("guest-requests", guest_views.GuestRequestViewSet, basename="guest-request")

urlpatterns = [
    path("schema/", views.SchemaView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file, so the page
    # runs under the site's CSP; Swagger UI sets inline styles, allowed here only.
    path(
        "docs/",
        csp_update({"style-src": ["'unsafe-inline'"]})(
            SpectacularSwaggerSplitView.as_view(url_name="api:schema")
        ),
        name="docs",
    ),
    path("me/", views.MeView.as_view(), name="me"),
    path("me/data/", views.MyDataView.as_view(), name="me-data"),
    path("kpis/", views.KpiView.as_view(), name="kpis"),
    path("kpis/skills-gap/", views.SkillsGapView.as_view(), name="skills-gap"),
    path("", include(router.urls)),
]
