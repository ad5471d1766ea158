from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from marketplace.models import Opening, OpeningSkill, Place, Placement, Profile, ProfileSkill, Skill


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ["label_nl", "label_en", "category", "slug", "esco_uri"]
    list_filter = ["category"]
    search_fields = ["label_nl", "label_en", "slug", "synonyms", "esco_uri"]
    filter_horizontal = ["related"]
    prepopulated_fields = {"slug": ["label_nl"]}


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    list_display = ["name", "province", "in_region", "latitude", "longitude"]
    list_filter = ["province", "in_region"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


class OpeningSkillInline(admin.TabularInline):
    model = OpeningSkill
    extra = 1
    autocomplete_fields = ["skill"]


@admin.register(Opening)
class OpeningAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "company",
        "type",
        "status",
        "place",
        "capacity",
        "places_filled",
        "skill_count",
        "published_at",
    ]
    list_filter = ["status", "type", "place__in_region", "place", "company__sector"]
    search_fields = ["title", "description", "company__name", "slug"]
    list_select_related = ["company", "place"]
    autocomplete_fields = ["company", "place"]
    date_hierarchy = "published_at"
    inlines = [OpeningSkillInline]
    readonly_fields = ["created_at", "updated_at"]
    prepopulated_fields = {"slug": ["title"]}

    def get_queryset(self, request: HttpRequest) -> QuerySet[Opening]:
        return super().get_queryset(request).annotate(skill_total=Count("opening_skills"))

    @admin.display(description=_("skills"), ordering="skill_total")
    def skill_count(self, opening: Opening) -> int:
        return opening.skill_total


class ProfileSkillInline(admin.TabularInline):
    model = ProfileSkill
    extra = 1
    autocomplete_fields = ["skill"]


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = [
        "user",
        "headline",
        "education_level",
        "school",
        "place",
        "travel_radius_km",
        "is_career_changer",
        "is_visible",
        "updated_at",
    ]
    list_filter = ["education_level", "is_career_changer", "is_visible", "school", "place"]
    search_fields = ["user__email", "user__full_name", "headline", "programme", "crebo_code"]
    list_select_related = ["user", "school", "place"]
    raw_id_fields = ["user"]
    autocomplete_fields = ["school", "place"]
    inlines = [ProfileSkillInline]
    readonly_fields = ["created_at", "updated_at"]


@admin.register(Placement)
class PlacementAdmin(admin.ModelAdmin):
    """Read-only: placements are confirmed and cancelled through the workflow."""

    list_display = ["opening", "company", "type", "status", "start_date", "confirmed_at"]
    list_filter = ["status", "type"]
    list_select_related = ["opening", "company"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
