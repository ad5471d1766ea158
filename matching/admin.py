from django.contrib import admin

from matching.models import LearnedWeights, Match


@admin.register(Match)
class MatchAdmin(admin.ModelAdmin):
    """Read-only: matches change through the workflow services, never by hand."""

    list_display = [
        "profile",
        "opening",
        "score",
        "state",
        "profile_rank",
        "opening_rank",
        "engine_version",
        "updated_at",
    ]
    list_filter = ["state", "engine_version"]
    search_fields = ["opening__title", "profile__headline"]
    list_select_related = ["profile__user", "opening"]
    raw_id_fields = ["profile", "opening"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(LearnedWeights)
class LearnedWeightsAdmin(admin.ModelAdmin):
    """Made by ``manage.py learn_weights`` only; deleting the newest one goes back
    to the one before (or to the hand-set weights)."""

    list_display = ["version", "created_at", "auc_before", "auc_after", "ndcg_before", "ndcg_after"]
    readonly_fields = [f.name for f in LearnedWeights._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
