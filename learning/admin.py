from django.contrib import admin

from learning.models import Course, CourseSkill, CourseSuggestion, Enrolment


class CourseSkillInline(admin.TabularInline):
    model = CourseSkill
    extra = 0
    autocomplete_fields = ["skill"]


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["title", "provider", "place", "starts_on", "on_request", "is_published"]
    list_filter = ["is_published", "on_request", "provider"]
    search_fields = ["title", "description"]
    inlines = [CourseSkillInline]
    raw_id_fields = ["created_by"]


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    list_display = ["course", "user", "group", "status", "requested_at", "completed_at"]
    list_filter = ["status", "group"]
    raw_id_fields = ["course", "user", "decided_by"]


@admin.register(CourseSuggestion)
class CourseSuggestionAdmin(admin.ModelAdmin):
    list_display = ["profile", "course", "rank", "score", "computed_at"]
    raw_id_fields = ["profile", "course"]
