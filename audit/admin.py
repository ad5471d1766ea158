from django.contrib import admin

from audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """The audit log is append-only: nobody adds, changes or deletes entries here."""

    list_display = ["created_at", "action", "actor", "student", "from_state", "to_state"]
    list_filter = ["action", "to_state"]
    list_select_related = ["actor", "student"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False
