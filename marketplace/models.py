"""The things MaakMatch matches: skills, places, openings and profiles.

Rules every row must keep are database constraints, so that admin, imports and
the shell cannot store what the forms would refuse.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts.models import ChoiceListValidator, EducationLevel, Organisation, Sector, level_rank

SKILL_LEVEL_MIN, SKILL_LEVEL_MAX = 1, 3
HOURS_PER_WEEK_MAX = 60
TRAVEL_RADIUS_MAX_KM = 250


class SkillCategory(models.TextChoices):
    METALWORKING = "metalworking", _("metalworking")
    WELDING = "welding", _("welding")
    CNC = "cnc", _("CNC machining")
    MECHATRONICS = "mechatronics", _("mechatronics")
    PLC_AUTOMATION = "plc_automation", _("PLC and automation")
    ELECTRICAL = "electrical", _("electrical engineering")
    CAD_CAM = "cad_cam", _("CAD/CAM")
    MAINTENANCE = "maintenance", _("maintenance")
    LOGISTICS = "logistics", _("logistics")
    INSTALLATION = "installation", _("installation technology")
    SAFETY = "safety", _("safety")
    QUALITY = "quality", _("quality")
    PRODUCTION = "production", _("production")
    PLASTICS = "plastics", _("plastics and composites")
    DIGITAL = "digital", _("digital skills")
    SOFT = "soft", _("soft skills")


class Skill(models.Model):
    """One skill of the taxonomy, with Dutch and English labels and synonyms."""

    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    label_nl = models.CharField(_("Dutch label"), max_length=150)
    label_en = models.CharField(_("English label"), max_length=150)
    synonyms = models.JSONField(_("synonyms"), default=list, blank=True)
    category = models.CharField(_("category"), max_length=20, choices=SkillCategory.choices)
    esco_uri = models.URLField(_("ESCO URI"), max_length=255, blank=True)
    description = models.TextField(_("description"), blank=True)
    related = models.ManyToManyField(
        "self", verbose_name=_("related skills"), blank=True, symmetrical=True
    )
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        ordering = ["label_nl"]
        constraints = [
            models.CheckConstraint(condition=~Q(label_nl=""), name="skill_label_nl_required"),
            models.CheckConstraint(condition=~Q(label_en=""), name="skill_label_en_required"),
            models.CheckConstraint(
                condition=Q(category__in=SkillCategory.values), name="skill_category_valid"
            ),
            models.UniqueConstraint(
                fields=["esco_uri"], condition=~Q(esco_uri=""), name="skill_esco_uri_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.label_nl

    @property
    def label(self) -> str:
        """The label in the active language (Dutch unless English is chosen)."""
        return self.label_en if (get_language() or "nl").startswith("en") else self.label_nl


class Province(models.TextChoices):
    UTRECHT = "UT", "Utrecht"
    SOUTH_HOLLAND = "ZH", "Zuid-Holland"
    NORTH_HOLLAND = "NH", "Noord-Holland"
    GELDERLAND = "GE", "Gelderland"


class Place(models.Model):
    """A municipality with the latitude and longitude of its centre."""

    name = models.CharField(_("municipality"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    province = models.CharField(_("province"), max_length=2, choices=Province.choices)
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    in_region = models.BooleanField(
        _("in Utrecht-West"),
        default=False,
        help_text=_("One of the seven municipalities of the regional deal."),
    )

    class Meta:
        verbose_name = _("place")
        verbose_name_plural = _("places")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__gte=-90, latitude__lte=90), name="place_latitude_range"
            ),
            models.CheckConstraint(
                condition=Q(longitude__gte=-180, longitude__lte=180),
                name="place_longitude_range",
            ),
            models.CheckConstraint(
                condition=Q(province__in=Province.values), name="place_province_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class OpeningType(models.TextChoices):
    BOL = "bol", _("internship (BOL)")
    BBL = "bbl", _("apprenticeship (BBL)")
    JOB = "job", _("job")
    ORIENTATION = "orientation", _("orientation day")
    GRADUATION = "graduation", _("graduation project")


# Opening types that only an SBB-recognised company may offer.
SBB_OPENING_TYPES = frozenset({OpeningType.BOL, OpeningType.BBL})


class Occupation(models.TextChoices):
    """ISCO-08 unit groups of the region's manufacturing, installation, maintenance
    and logistics work: an opening's occupation, for search engines (schema.org
    ``occupationalCategory``) and the region's figures."""

    MECHANICAL_TECHNICIAN = "3115", _("Mechanical engineering technician")
    ELECTRICAL_TECHNICIAN = "3113", _("Electrical engineering technician")
    ELECTRONICS_TECHNICIAN = "3114", _("Electronics engineering technician")
    MANUFACTURING_SUPERVISOR = "3122", _("Manufacturing supervisor")
    PLUMBER = "7126", _("Plumber and pipe fitter")
    HVAC_MECHANIC = "7127", _("Air-conditioning and refrigeration mechanic")
    WELDER = "7212", _("Welder and flame cutter")
    SHEET_METAL = "7213", _("Sheet-metal worker")
    STRUCTURAL_METAL = "7214", _("Structural-metal preparer and erector")
    TOOLMAKER = "7222", _("Toolmaker")
    MACHINE_TOOL_OPERATOR = "7223", _("Metal-working machine tool setter and operator")
    MACHINERY_MECHANIC = "7233", _("Industrial machinery mechanic")
    ELECTRICIAN = "7411", _("Building electrician")
    ELECTRICAL_MECHANIC = "7412", _("Electrical mechanic and fitter")
    ELECTRONICS_MECHANIC = "7421", _("Electronics mechanic")
    CABINET_MAKER = "7522", _("Cabinet-maker")
    PLASTICS_OPERATOR = "8142", _("Plastic products machine operator")
    MACHINERY_ASSEMBLER = "8211", _("Mechanical machinery assembler")
    ELECTRICAL_ASSEMBLER = "8212", _("Electrical and electronic equipment assembler")
    STOCK_CLERK = "4321", _("Stock clerk")
    FORKLIFT_OPERATOR = "8344", _("Lifting truck operator")


class OpeningStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    OPEN = "open", _("open")
    CLOSED = "closed", _("closed")
    EXPIRED = "expired", _("expired")


class ClosedReason(models.TextChoices):
    FILLED = "filled", _("all places filled")
    BY_COMPANY = "by_company", _("closed by the company")
    EXPIRED = "expired", _("expired")


class Opening(models.Model):
    """An internship, apprenticeship, job, orientation day or graduation project."""

    company = models.ForeignKey(
        Organisation,
        verbose_name=_("company"),
        on_delete=models.CASCADE,
        related_name="openings",
        limit_choices_to={"kind": "company"},
    )
    slug = models.SlugField(_("slug"), max_length=220, unique=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    type = models.CharField(_("type"), max_length=20, choices=OpeningType.choices)
    occupation = models.CharField(
        _("occupation (ISCO-08)"), max_length=4, choices=Occupation.choices, blank=True
    )
    education_levels = models.JSONField(
        _("education levels accepted"),
        default=list,
        blank=True,
        validators=[ChoiceListValidator(EducationLevel.values)],
    )
    # Taxonomy skills the title and description name (slugs), found when it is
    # saved: matching counts them as asked for, below the listed skills.
    text_skills = models.JSONField(_("skills named in the text"), default=list, blank=True)
    skills = models.ManyToManyField(
        Skill, through="OpeningSkill", related_name="openings", verbose_name=_("skills")
    )
    place = models.ForeignKey(
        Place, verbose_name=_("place"), on_delete=models.PROTECT, related_name="openings"
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    hours_per_week = models.PositiveSmallIntegerField(_("hours per week"))
    capacity = models.PositiveSmallIntegerField(_("places"), default=1)
    places_filled = models.PositiveSmallIntegerField(_("places filled"), default=0)
    status = models.CharField(
        _("status"), max_length=10, choices=OpeningStatus.choices, default=OpeningStatus.DRAFT
    )
    # Why it is closed: a cancelled placement reopens an opening closed as filled.
    closed_reason = models.CharField(
        _("reason closed"), max_length=10, choices=ClosedReason.choices, blank=True
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    # When it last stopped being open (closed, filled or expired); the region's
    # figures count an opening as offered in every period it was open.
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    # Set when the row changed and its suggestions are not yet recomputed: the source
    # of truth for matching, so a lost broker message only delays (see worker/).
    needs_matching_since = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("opening")
        verbose_name_plural = _("openings")
        ordering = ["-published_at", "-created_at"]
        indexes = [models.Index(fields=["status", "type"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(type__in=OpeningType.values), name="opening_type_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=OpeningStatus.values), name="opening_status_valid"
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="opening_capacity_positive"),
            models.CheckConstraint(
                condition=Q(places_filled__gte=0) & Q(places_filled__lte=F("capacity")),
                name="opening_filled_within_capacity",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="opening_end_not_before_start",
            ),
            models.CheckConstraint(
                condition=Q(hours_per_week__gte=1) & Q(hours_per_week__lte=HOURS_PER_WEEK_MAX),
                name="opening_hours_per_week_range",
            ),
            models.CheckConstraint(
                condition=~Q(status=OpeningStatus.OPEN) | Q(published_at__isnull=False),
                name="opening_open_is_published",
            ),
            models.CheckConstraint(
                condition=Q(expires_at__isnull=True)
                | Q(published_at__isnull=True)
                | Q(expires_at__gt=F("published_at")),
                name="opening_expires_after_publishing",
            ),
            models.CheckConstraint(condition=~Q(title=""), name="opening_title_required"),
            models.CheckConstraint(
                condition=Q(closed_reason="") | Q(closed_reason__in=ClosedReason.values),
                name="opening_closed_reason_valid",
            ),
            models.CheckConstraint(
                condition=Q(occupation="") | Q(occupation__in=Occupation.values),
                name="opening_occupation_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def places_left(self) -> int:
        return self.capacity - self.places_filled

    @property
    def education_level_labels(self) -> list[str]:
        labels = dict(EducationLevel.choices)
        return [str(labels.get(level, level)) for level in self.education_levels]


class Importance(models.TextChoices):
    MUST = "must", _("must have")
    NICE = "nice", _("nice to have")


class OpeningSkill(models.Model):
    opening = models.ForeignKey(Opening, on_delete=models.CASCADE, related_name="opening_skills")
    skill = models.ForeignKey(Skill, on_delete=models.PROTECT, related_name="+")
    importance = models.CharField(
        _("importance"), max_length=4, choices=Importance.choices, default=Importance.MUST
    )
    min_level = models.PositiveSmallIntegerField(_("minimum level"), default=SKILL_LEVEL_MIN)

    class Meta:
        verbose_name = _("required skill")
        verbose_name_plural = _("required skills")
        constraints = [
            models.UniqueConstraint(fields=["opening", "skill"], name="opening_skill_unique"),
            models.CheckConstraint(
                condition=Q(importance__in=Importance.values),
                name="opening_skill_importance_valid",
            ),
            models.CheckConstraint(
                condition=Q(min_level__gte=SKILL_LEVEL_MIN) & Q(min_level__lte=SKILL_LEVEL_MAX),
                name="opening_skill_level_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.skill} ({self.importance}, ≥{self.min_level})"


class Profile(models.Model):
    """A student's or career changer's skill profile: one per user."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    headline = models.CharField(_("headline"), max_length=200, blank=True)
    about = models.TextField(_("about me"), blank=True)
    # Taxonomy skills the person's own texts name (slugs), found when it is saved:
    # matching counts them, below the skills they ticked.
    text_skills = models.JSONField(_("skills named in the text"), default=list, blank=True)
    skills = models.ManyToManyField(
        Skill, through="ProfileSkill", related_name="profiles", verbose_name=_("skills")
    )
    education_level = models.CharField(
        _("education level"), max_length=10, choices=EducationLevel.choices, blank=True
    )
    programme = models.CharField(_("programme"), max_length=200, blank=True)
    crebo_code = models.CharField(_("crebo code"), max_length=5, blank=True)
    school = models.ForeignKey(
        Organisation,
        verbose_name=_("school"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="student_profiles",
        limit_choices_to={"kind": "school"},
    )
    place = models.ForeignKey(
        Place,
        verbose_name=_("place"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="profiles",
    )
    travel_radius_km = models.PositiveSmallIntegerField(_("travel radius (km)"), default=25)
    wanted_types = models.JSONField(
        _("wanted opening types"),
        default=list,
        blank=True,
        validators=[ChoiceListValidator(OpeningType.values)],
    )
    available_from = models.DateField(_("available from"), null=True, blank=True)
    available_until = models.DateField(_("available until"), null=True, blank=True)
    hours_per_week = models.PositiveSmallIntegerField(_("hours per week"), default=32)
    sectors = models.JSONField(
        _("sectors of interest"),
        default=list,
        blank=True,
        validators=[ChoiceListValidator(Sector.values)],
    )
    is_career_changer = models.BooleanField(_("career changer"), default=False)
    experience = models.TextField(_("work experience"), blank=True)
    is_visible = models.BooleanField(
        _("open to suggestions"),
        default=True,
        help_text=_("When off, no new suggestions are made for this profile."),
    )
    needs_matching_since = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")
        constraints = [
            models.CheckConstraint(
                condition=Q(travel_radius_km__gte=0)
                & Q(travel_radius_km__lte=TRAVEL_RADIUS_MAX_KM),
                name="profile_radius_range",
            ),
            models.CheckConstraint(
                condition=Q(hours_per_week__gte=0) & Q(hours_per_week__lte=HOURS_PER_WEEK_MAX),
                name="profile_hours_per_week_range",
            ),
            models.CheckConstraint(
                condition=Q(available_until__isnull=True)
                | Q(available_from__isnull=True)
                | Q(available_until__gte=F("available_from")),
                name="profile_availability_ordered",
            ),
            models.CheckConstraint(
                condition=Q(crebo_code="") | Q(crebo_code__regex=r"^[0-9]{5}$"),
                name="profile_crebo_code_format",
            ),
            models.CheckConstraint(
                condition=Q(education_level="") | Q(education_level__in=EducationLevel.values),
                name="profile_education_level_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.headline or str(self.user)


class EducationLevelChange(models.Model):
    """A profile's education level changed: the history behind the region's
    progression figure (students who moved up a level)."""

    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="level_changes")
    from_level = models.CharField(max_length=10, choices=EducationLevel.choices, blank=True)
    to_level = models.CharField(max_length=10, choices=EducationLevel.choices, blank=True)
    changed_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("education level change")
        verbose_name_plural = _("education level changes")
        ordering = ["changed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_level or '-'} -> {self.to_level or '-'}"

    @property
    def is_progression(self) -> bool:
        return level_rank(self.to_level) > level_rank(self.from_level) > 0


class SkillSource(models.TextChoices):
    """Where a profile's skill came from: the person's own word, or a course they
    completed (recorded by the course's provider)."""

    OWN = "own", _("stated by the person")
    COURSE = "course", _("from a course")


class ProfileSkill(models.Model):
    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="profile_skills")
    skill = models.ForeignKey(Skill, on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField(_("level"), default=SKILL_LEVEL_MIN)
    source = models.CharField(
        _("source"), max_length=10, choices=SkillSource.choices, default=SkillSource.OWN
    )

    class Meta:
        verbose_name = _("profile skill")
        verbose_name_plural = _("profile skills")
        constraints = [
            models.UniqueConstraint(fields=["profile", "skill"], name="profile_skill_unique"),
            models.CheckConstraint(
                condition=Q(level__gte=SKILL_LEVEL_MIN) & Q(level__lte=SKILL_LEVEL_MAX),
                name="profile_skill_level_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.skill} ({self.level})"


class PlacementStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("confirmed")
    CANCELLED = "cancelled", _("cancelled")


class Placement(models.Model):
    """The confirmed outcome: a student takes a place of an opening.

    It keeps what the regional figures need (type, level, route) as its own
    columns, so they stay true after the student's account is erased.
    """

    profile = models.ForeignKey(
        Profile,
        verbose_name=_("profile"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="placements",
    )
    opening = models.ForeignKey(
        Opening, verbose_name=_("opening"), on_delete=models.PROTECT, related_name="placements"
    )
    company = models.ForeignKey(
        Organisation, verbose_name=_("company"), on_delete=models.PROTECT, related_name="+"
    )
    type = models.CharField(_("type"), max_length=20, choices=OpeningType.choices)
    education_level = models.CharField(
        _("education level"), max_length=10, choices=EducationLevel.choices, blank=True
    )
    is_career_changer = models.BooleanField(_("career changer"), default=False)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=PlacementStatus.choices,
        default=PlacementStatus.CONFIRMED,
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), auto_now_add=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)

    class Meta:
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        ordering = ["-confirmed_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(type__in=OpeningType.values), name="placement_type_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=PlacementStatus.values), name="placement_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="placement_end_not_before_start",
            ),
            models.CheckConstraint(
                condition=Q(status=PlacementStatus.CONFIRMED, cancelled_at__isnull=True)
                | (
                    Q(status=PlacementStatus.CANCELLED, cancelled_at__isnull=False)
                    & ~Q(cancel_reason="")
                ),
                name="placement_cancelled_with_time_and_reason",
            ),
            # One confirmed placement per student and opening (erased students excepted).
            models.UniqueConstraint(
                fields=["profile", "opening"],
                condition=Q(status="confirmed"),
                name="placement_one_confirmed_per_profile_opening",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.opening} ({self.get_status_display()})"
