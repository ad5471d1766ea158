"""Courses, their skills, sign-ups and the course suggestions the worker stores."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from accounts.models import ChoiceListValidator, Organisation
from marketplace.models import SKILL_LEVEL_MAX, SKILL_LEVEL_MIN, Place, Profile, Skill

COST_MAX_EUR = 100_000
DURATION_MAX_HOURS = 2_000
SEATS_MAX = 1_000


class Audience(models.TextChoices):
    """Who may join a course; also the group a participant is counted in."""

    EMPLOYEE = "employee", _("employees")
    CAREER_CHANGER = "career_changer", _("career changers")
    PUPIL = "pupil", _("pupils and students")


class Course(models.Model):
    """A course or training a learning location (or a school) offers."""

    provider = models.ForeignKey(
        Organisation,
        verbose_name=_("provider"),
        on_delete=models.CASCADE,
        related_name="courses",
        limit_choices_to={"kind__in": ["learning_location", "school"]},
    )
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=220, unique=True)
    description = models.TextField(_("description"))
    skills = models.ManyToManyField(
        Skill, through="CourseSkill", related_name="courses", verbose_name=_("skills taught")
    )
    place = models.ForeignKey(
        Place, verbose_name=_("place"), on_delete=models.PROTECT, related_name="courses"
    )
    venue = models.CharField(
        _("venue"),
        max_length=200,
        blank=True,
        help_text=_("Where exactly, e.g. the building or the company."),
    )
    on_request = models.BooleanField(
        _("on request"),
        default=False,
        help_text=_("No fixed dates: the provider plans it with the participants."),
    )
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    duration_hours = models.PositiveSmallIntegerField(_("duration (hours)"))
    cost_eur = models.DecimalField(_("cost (euro)"), max_digits=8, decimal_places=2, default=0)
    seats = models.PositiveSmallIntegerField(
        _("seats"), null=True, blank=True, help_text=_("Leave empty for no limit.")
    )
    audiences = models.JSONField(
        _("who may join"),
        default=list,
        validators=[ChoiceListValidator(Audience.values)],
    )
    funding_note = models.TextField(
        _("funding"),
        blank=True,
        help_text=_(
            "For example the SLIM scheme for SMEs or the sector's training fund. "
            "Plain information: MaakMatch makes no claim about who is eligible."
        ),
    )
    is_published = models.BooleanField(_("published"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["title", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(on_request=True) | Q(starts_on__isnull=False),
                name="course_dated_or_on_request",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(starts_on__isnull=True)
                | Q(ends_on__gte=F("starts_on")),
                name="course_dates_ordered",
            ),
            models.CheckConstraint(
                condition=Q(cost_eur__gte=0) & Q(cost_eur__lte=COST_MAX_EUR),
                name="course_cost_range",
            ),
            models.CheckConstraint(
                condition=Q(duration_hours__gte=1) & Q(duration_hours__lte=DURATION_MAX_HOURS),
                name="course_duration_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def audience_labels(self) -> list[str]:
        labels = dict(Audience.choices)
        return [str(labels[a]) for a in self.audiences if a in labels]


class CourseSkill(models.Model):
    """A skill a course teaches, and the level a participant reaches."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="course_skills")
    skill = models.ForeignKey(Skill, on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField(_("level reached"), default=SKILL_LEVEL_MIN)

    class Meta:
        verbose_name = _("course skill")
        verbose_name_plural = _("course skills")
        constraints = [
            models.UniqueConstraint(fields=["course", "skill"], name="course_skill_unique"),
            models.CheckConstraint(
                condition=Q(level__gte=SKILL_LEVEL_MIN) & Q(level__lte=SKILL_LEVEL_MAX),
                name="course_skill_level_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.skill} ({self.level})"


class EnrolmentStatus(models.TextChoices):
    REQUESTED = "requested", _("signed up")
    CONFIRMED = "confirmed", _("confirmed")
    COMPLETED = "completed", _("completed")
    DECLINED = "declined", _("declined")
    WITHDRAWN = "withdrawn", _("withdrawn")


# A sign-up in one of these holds a seat and blocks a second sign-up.
ENROLMENT_ACTIVE = (EnrolmentStatus.REQUESTED, EnrolmentStatus.CONFIRMED)


class Enrolment(models.Model):
    """A person's sign-up for a course; the provider's coach confirms it and
    records completion, which adds the course's skills to the person's profile."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="enrolments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolments"
    )
    group = models.CharField(_("group"), max_length=20, choices=Audience.choices)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=EnrolmentStatus.choices,
        default=EnrolmentStatus.REQUESTED,
    )
    motivation = models.TextField(_("message to the provider"), blank=True)
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True, db_index=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The skills completion added or raised on the profile: [{"skill", "level"}].
    skills_added = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "user"],
                condition=Q(status__in=["requested", "confirmed", "completed"]),
                name="enrolment_one_live_per_person",
            ),
            models.CheckConstraint(
                condition=Q(status__in=EnrolmentStatus.values), name="enrolment_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status="completed") | Q(completed_at__isnull=False),
                name="enrolment_completed_dated",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.course}"


class CourseSuggestion(models.Model):
    """A course the worker suggests to a person, with the gaps it closes.

    ``closes`` lists the missing must-haves the course teaches at the level asked
    ([{"skill", "level"}]); ``openings`` says, per suggestion it helps, how many of
    that opening's must-haves the person meets before and after the course."""

    profile = models.ForeignKey(
        Profile, on_delete=models.CASCADE, related_name="course_suggestions"
    )
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="suggestions")
    rank = models.PositiveSmallIntegerField()
    score = models.FloatField()
    closes = models.JSONField(default=list)
    openings = models.JSONField(default=list)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("course suggestion")
        verbose_name_plural = _("course suggestions")
        ordering = ["profile", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "course"], name="course_suggestion_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.course} for {self.profile_id}"
