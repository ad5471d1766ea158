from django.contrib import admin

from notifications.models import DigestSent


@admin.register(DigestSent)
class DigestSentAdmin(admin.ModelAdmin):
    """Which digest went to whom on which day: a record, not something to edit."""

    list_display = ["day", "kind", "user", "items", "sent_at"]
    list_filter = ["kind", "day"]
    raw_id_fields = ["user"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
