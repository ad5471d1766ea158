from django.urls import path, register_converter

from web import (
    company_views,
    counsellor_views,
    course_views,
    guest_views,
    import_views,
    interview_views,
    key_views,
    kpi_views,
    notification_views,
    public_views,
    skill_views,
    student_views,
    two_factor_views,
    views,
)

app_name = "web"


class IdConverter:
    """A row id: up to 18 digits, so that a longer number is "not found" rather
    than an integer overflow in the database."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(IdConverter, "id")

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.health, name="health"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("openings/", public_views.openings, name="openings"),
    path("openings/<slug:slug>/", public_views.opening_detail, name="opening_detail"),
    path("companies/<slug:slug>/", public_views.company_detail, name="company_detail"),
    path("courses/", course_views.courses, name="courses"),
    path("courses/<slug:slug>/", course_views.course_detail, name="course_detail"),
    path("student/courses/", course_views.my_courses, name="my_courses"),
    path(
        "student/sign-ups/<id:enrolment_id>/withdraw/",
        course_views.enrolment_withdraw,
        name="enrolment_withdraw",
    ),
    path("company/courses/", course_views.company_courses, name="company_courses"),
    path("coach/courses/", course_views.coach_courses, name="coach_courses"),
    path("coach/courses/new/", course_views.course_new, name="course_new"),
    path("coach/courses/<slug:slug>/edit/", course_views.course_edit, name="course_edit"),
    path(
        "coach/courses/<slug:slug>/publication/<str:action>/",
        course_views.course_publish,
        name="course_publish",
    ),
    path(
        "coach/courses/<slug:slug>/sign-ups/",
        course_views.course_enrolments,
        name="course_enrolments",
    ),
    path(
        "coach/sign-ups/<id:enrolment_id>/<str:action>/",
        course_views.enrolment_action,
        name="enrolment_action",
    ),
    path("guest-lessons/", guest_views.guest_lessons, name="guest_lessons"),
    path("guest-lessons/offers/new/", guest_views.guest_offer_new, name="guest_offer_new"),
    path(
        "guest-lessons/offers/<id:offer_id>/edit/",
        guest_views.guest_offer_edit,
        name="guest_offer_edit",
    ),
    path(
        "guest-lessons/offers/<id:offer_id>/<str:action>/",
        guest_views.guest_offer_active,
        name="guest_offer_active",
    ),
    path("guest-lessons/requests/new/", guest_views.guest_request_new, name="guest_request_new"),
    path(
        "guest-lessons/requests/<id:request_id>/",
        guest_views.guest_request,
        name="guest_request",
    ),
    path(
        "guest-lessons/requests/<id:request_id>/edit/",
        guest_views.guest_request_edit,
        name="guest_request_edit",
    ),
    path(
        "guest-lessons/requests/<id:request_id>/calendar.ics",
        guest_views.guest_request_calendar,
        name="guest_request_calendar",
    ),
    path(
        "guest-lessons/requests/<id:request_id>/<str:step>/",
        guest_views.guest_request_step,
        name="guest_request_step",
    ),
    path("algorithm/", public_views.algorithm, name="algorithm"),
    path("integrating/", public_views.integrating, name="integrating"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("signup/", views.signup_choice, name="signup"),
    path("signup/career-changer/", views.signup_career_changer, name="signup_career_changer"),
    path("signup/company/", views.signup_company, name="signup_company"),
    path("signup/sent/", views.signup_sent, name="signup_sent"),
    path("signup/confirm/<str:uidb64>/<str:token>/", views.signup_confirm, name="signup_confirm"),
    path("invite/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("counsellor/invitations/", views.invitations, name="invitations"),
    path(
        "counsellor/invitations/<id:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("counsellor/invitations/import/", import_views.students_import, name="students_import"),
    path("company/openings/import/", import_views.openings_import, name="openings_import"),
    path(
        "coordinator/openings/import/",
        import_views.openings_import_region,
        name="openings_import_region",
    ),
    path("skills/proposals/", skill_views.skill_proposals, name="skill_proposals"),
    path("skills/options/", skill_views.skill_options, name="skill_options"),
    path("imports/<id:job_id>/", import_views.import_detail, name="import_detail"),
    path("imports/template/<str:kind>.csv", import_views.import_template, name="import_template"),
    path("counsellor/students/", views.students, name="students"),
    path(
        "counsellor/students/<id:student_id>/consent/",
        views.parental_consent,
        name="parental_consent",
    ),
    path("counsellor/review/", counsellor_views.review_queue, name="review_queue"),
    path("counsellor/review/batch/", counsellor_views.review_batch, name="review_batch"),
    path(
        "counsellor/review/<id:match_id>/<str:step>/",
        counsellor_views.review_step,
        name="review_step",
    ),
    path("counsellor/planner/", counsellor_views.planner, name="planner"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("student/profile/", student_views.profile_edit, name="profile_edit"),
    path("settings/", student_views.account_settings, name="settings"),
    path("account/two-factor/", two_factor_views.setup, name="two_factor_setup"),
    path("account/two-factor/verify/", two_factor_views.verify, name="two_factor_verify"),
    path("account/two-factor/enrol/<str:token>/", two_factor_views.enrol, name="two_factor_enrol"),
    path("settings/data/", student_views.data_download, name="data_download"),
    path("settings/delete/", student_views.account_delete, name="account_delete"),
    path("settings/tokens/", views.api_tokens, name="api_tokens"),
    path("settings/keys/", key_views.organisation_keys, name="organisation_keys"),
    path("settings/webhooks/", key_views.organisation_webhooks, name="organisation_webhooks"),
    path(
        "settings/webhooks/<id:webhook_id>/remove/",
        key_views.organisation_webhook_remove,
        name="organisation_webhook_remove",
    ),
    path(
        "settings/keys/<id:key_id>/revoke/",
        key_views.organisation_key_revoke,
        name="organisation_key_revoke",
    ),
    path("student/suggestions/", views.my_suggestions, name="my_suggestions"),
    path("notifications/", notification_views.notification_list, name="notifications"),
    path("notifications/read/", notification_views.notifications_read, name="notifications_read"),
    path(
        "notifications/<id:notification_id>/",
        notification_views.notification_open,
        name="notification_open",
    ),
    # Before the answers' pattern, which would take "report" for an answer.
    path(
        "student/suggestions/<id:match_id>/report/",
        views.my_suggestion_report,
        name="my_suggestion_report",
    ),
    path(
        "student/suggestions/<id:match_id>/interview/<str:step>/",
        interview_views.interview_step,
        name="interview_step",
    ),
    path(
        "interviews/<id:match_id>/interview.ics",
        interview_views.interview_calendar,
        name="interview_calendar",
    ),
    path(
        "student/suggestions/<id:match_id>/<str:answer>/",
        views.my_suggestion_answer,
        name="my_suggestion_answer",
    ),
    path(
        "counsellor/reports/<id:report_id>/handled/",
        counsellor_views.report_handled,
        name="report_handled",
    ),
    path("settings/tokens/<id:token_id>/revoke/", views.api_token_revoke, name="api_token_revoke"),
    path("company/openings/", company_views.company_openings, name="company_openings"),
    path("company/openings/new/", company_views.opening_new, name="opening_new"),
    path("company/openings/<slug:slug>/edit/", company_views.opening_edit, name="opening_edit"),
    path(
        "company/openings/<slug:slug>/candidates/",
        company_views.opening_candidates,
        name="opening_candidates",
    ),
    path(
        "company/openings/<slug:slug>/candidates/<id:match_id>/<str:step>/",
        company_views.candidate_step,
        name="candidate_step",
    ),
    path(
        "company/openings/<slug:slug>/<str:action>/",
        company_views.opening_action,
        name="opening_action",
    ),
    path("company/<slug:slug>/edit/", company_views.company_edit, name="company_edit"),
    path("coordinator/companies/", views.companies_to_verify, name="companies_to_verify"),
    path("coordinator/kpis/", kpi_views.dashboard, name="kpis"),
    path("coordinator/kpis/export.<str:fmt>", kpi_views.export, name="kpi_export"),
    path("coordinator/kpis/baseline/", kpi_views.baseline_take, name="kpi_baseline"),
    path("coordinator/kpis/report/", kpi_views.report, name="kpi_report"),
    path("coordinator/skills-gap/", kpi_views.skills_gap, name="skills_gap"),
    path("coordinator/runs/", views.match_runs, name="match_runs"),
    path(
        "coordinator/companies/<id:company_id>/verify/",
        views.company_verify,
        name="company_verify",
    ),
    path(
        "coordinator/companies/<id:company_id>/refuse/",
        views.company_refuse,
        name="company_refuse",
    ),
]
