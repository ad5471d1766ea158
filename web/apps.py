from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class WebConfig(AppConfig):
    name = "web"
    default = True  # the module also holds the admin's config


class AdminConfig(admin_apps.AdminConfig):
    """The admin, with ``web.admin_site.MaakMatchAdminSite`` as ``admin.site``."""

    default = False
    default_site = "web.admin_site.MaakMatchAdminSite"
