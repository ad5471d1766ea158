from django.contrib import admin

from insights.models import KpiSnapshot


@admin.register(KpiSnapshot)
class KpiSnapshotAdmin(admin.ModelAdmin):
    """Snapshots are frozen figures: read here, taken from the KPI page or by beat."""

    list_display = ["period", "kind", "taken_at", "taken_by"]
    list_filter = ["kind"]
    readonly_fields = ["period", "kind", "taken_at", "taken_by", "figures"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
