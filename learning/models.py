"""Courses, their skills, sign-ups and the course suggestions the worker stores."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from accounts.models import ChoiceListValidator, EducationLevel, Organisation
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


# -- guest lessons and company visits ------------------------------------------


class GuestFormat(models.TextChoices):
    GUEST_LESSON = "guest_lesson", _("guest lesson")
    COMPANY_VISIT = "company_visit", _("company visit")


class GuestVenue(models.TextChoices):
    """Where a guest lesson or visit can take place."""

    SCHOOL = "school", _("at the school")
    COMPANY = "company", _("at the company")
    LEARNING_LOCATION = "learning_location", _("at a learning location")


class GuestFrequency(models.TextChoices):
    ONCE = "once", _("once a year")
    TERM = "term", _("once a term")
    MONTH = "month", _("once a month")
    ON_REQUEST = "on_request", _("whenever asked")


GUEST_REACH_MAX_KM = 200
GUEST_PUPILS_MAX = 500


class GuestOffer(models.Model):
    """A company's offer to teach a guest lesson at a school or to host a visit:
    the topic, the skills it shows, for which levels, how often and where."""

    company = models.ForeignKey(
        Organisation,
        verbose_name=_("company"),
        on_delete=models.CASCADE,
        related_name="guest_offers",
        limit_choices_to={"kind": "company"},
    )
    format = models.CharField(
        _("kind"), max_length=20, choices=GuestFormat.choices, default=GuestFormat.GUEST_LESSON
    )
    topic = models.CharField(_("topic"), max_length=200)
    description = models.TextField(_("description"))
    skills = models.ManyToManyField(
        Skill, blank=True, related_name="guest_offers", verbose_name=_("skills shown")
    )
    levels = models.JSONField(
        _("for which levels"),
        default=list,
        validators=[ChoiceListValidator(EducationLevel.values)],
    )
    venues = models.JSONField(
        _("where"), default=list, validators=[ChoiceListValidator(GuestVenue.values)]
    )
    frequency = models.CharField(
        _("how often"),
        max_length=12,
        choices=GuestFrequency.choices,
        default=GuestFrequency.ON_REQUEST,
    )
    place = models.ForeignKey(
        Place, verbose_name=_("place"), on_delete=models.PROTECT, related_name="guest_offers"
    )
    reach_km = models.PositiveSmallIntegerField(
        _("distance (km)"),
        default=25,
        help_text=_("How far from your place a school may be."),
    )
    pupils_max = models.PositiveSmallIntegerField(
        _("pupils at most"), null=True, blank=True, help_text=_("Leave empty for no limit.")
    )
    is_active = models.BooleanField(_("offered"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("guest lesson offer")
        verbose_name_plural = _("guest lesson offers")
        ordering = ["topic", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(reach_km__gte=1) & Q(reach_km__lte=GUEST_REACH_MAX_KM),
                name="guest_offer_reach_range",
            ),
            models.CheckConstraint(
                condition=Q(format__in=GuestFormat.values), name="guest_offer_format_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.topic

    @property
    def level_labels(self) -> list[str]:
        labels = dict(EducationLevel.choices)
        return [str(labels[v]) for v in self.levels if v in labels]

    @property
    def venue_labels(self) -> list[str]:
        labels = dict(GuestVenue.choices)
        return [str(labels[v]) for v in self.venues if v in labels]


class GuestRequestStatus(models.TextChoices):
    OPEN = "open", _("not yet sent")
    SENT = "sent", _("sent to the company")
    PROPOSED = "proposed", _("dates proposed")
    PLANNED = "planned", _("planned")
    GIVEN = "given", _("given")
    DECLINED = "declined", _("declined by the company")
    CANCELLED = "cancelled", _("cancelled")


class GuestRequest(models.Model):
    """A counsellor's or teacher's request for a guest lesson or visit for one
    class. It is matched to offers, sent to one, and the company proposes dates or
    declines; the chosen date goes into both calendars (``uid``, ``sequence``)."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("school or learning location"),
        on_delete=models.CASCADE,
        related_name="guest_requests",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    format = models.CharField(
        _("kind"), max_length=20, choices=GuestFormat.choices, default=GuestFormat.GUEST_LESSON
    )
    topic = models.CharField(_("topic"), max_length=200)
    class_name = models.CharField(_("class"), max_length=100)
    level = models.CharField(_("level"), max_length=10, choices=EducationLevel.choices)
    pupils = models.PositiveSmallIntegerField(_("pupils"))
    skills = models.ManyToManyField(
        Skill, blank=True, related_name="guest_requests", verbose_name=_("skills")
    )
    venues = models.JSONField(
        _("where it may take place"),
        default=list,
        validators=[ChoiceListValidator(GuestVenue.values)],
    )
    place = models.ForeignKey(
        Place, verbose_name=_("place"), on_delete=models.PROTECT, related_name="guest_requests"
    )
    note = models.TextField(_("note for the company"), blank=True)
    offer = models.ForeignKey(
        GuestOffer,
        verbose_name=_("offer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="requests",
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=GuestRequestStatus.choices,
        default=GuestRequestStatus.OPEN,
    )
    answer = models.TextField(_("the company's answer"), blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    given_at = models.DateTimeField(null=True, blank=True, db_index=True)
    pupils_reached = models.PositiveSmallIntegerField(_("pupils reached"), null=True, blank=True)
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("guest lesson request")
        verbose_name_plural = _("guest lesson requests")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=GuestRequestStatus.values),
                name="guest_request_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(pupils__gte=1) & Q(pupils__lte=GUEST_PUPILS_MAX),
                name="guest_request_pupils_range",
            ),
            models.CheckConstraint(
                condition=~Q(status="given")
                | (Q(given_at__isnull=False) & Q(pupils_reached__isnull=False)),
                name="guest_request_given_counted",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.topic} ({self.class_name})"

    @property
    def venue_labels(self) -> list[str]:
        labels = dict(GuestVenue.choices)
        return [str(labels[v]) for v in self.venues if v in labels]

    @property
    def chosen(self) -> GuestSlot | None:
        return next((s for s in self.slots.all() if s.chosen_at and not s.cancelled_at), None)

    @property
    def open_slots(self) -> list[GuestSlot]:
        return [s for s in self.slots.all() if not s.chosen_at and not s.cancelled_at]


class GuestSlot(models.Model):
    """A date the company proposes for a request; the requester chooses one."""

    request = models.ForeignKey(GuestRequest, on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    location = models.CharField(_("place"), max_length=300)
    chosen_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("guest lesson date")
        verbose_name_plural = _("guest lesson dates")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="guest_slot_ends_after_start"
            ),
            models.CheckConstraint(condition=~Q(location=""), name="guest_slot_location_required"),
            models.UniqueConstraint(
                fields=["request"],
                condition=Q(chosen_at__isnull=False, cancelled_at__isnull=True),
                name="guest_slot_one_chosen",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.starts_at:%Y-%m-%d %H:%M} ({self.location})"
