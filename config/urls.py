"""Top-level URL routes: web pages, the REST API, auth pages, admin, i18n."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("web.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/v1/", include("api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

# A database that cannot be reached answers 503 with a friendly page, not 500.
handler500 = "web.errors.server_error"
