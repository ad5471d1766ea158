"""Users, organisations, memberships (roles) and invitations.

Rules that the data must always keep are database constraints, so that no code
path (admin, import, shell) can store a row that breaks them.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

EARLIEST_BIRTH_DATE = dt.date(1900, 1, 1)


@deconstructible
class ChoiceListValidator:
    """A JSON list whose items are all values of one set of choices.

    Runs in ``full_clean`` (admin, forms, services). JSON list contents cannot be
    checked by a constraint that works on both SQLite and PostgreSQL.
    """

    def __init__(self, choices: list[str]) -> None:
        self.choices = list(choices)

    def __call__(self, value: object) -> None:
        if not isinstance(value, list):
            raise ValidationError(_("Expected a list."), code="not_a_list")
        unknown = [item for item in value if item not in self.choices]
        if unknown:
            raise ValidationError(
                _("Unknown value(s): %(values)s."),
                code="unknown_choices",  # not "invalid_choice": Field would swap the message
                params={"values": ", ".join(map(str, unknown))},
            )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ChoiceListValidator) and other.choices == self.choices


class EducationLevel(models.TextChoices):
    VMBO = "vmbo", "VMBO"
    HAVO = "havo", "HAVO"
    VWO = "vwo", "VWO"
    MBO_1 = "mbo1", _("MBO level 1")
    MBO_2 = "mbo2", _("MBO level 2")
    MBO_3 = "mbo3", _("MBO level 3")
    MBO_4 = "mbo4", _("MBO level 4")
    HBO = "hbo", "HBO"
    WO = "wo", "WO"


# How far along each level is, for progression: a move to a higher number is a
# step up (VMBO to MBO 2, MBO 2 to MBO 3, MBO 4 to HBO, HAVO to HBO...).
LEVEL_RANKS = {
    EducationLevel.VMBO: 1,
    EducationLevel.MBO_1: 2,
    EducationLevel.MBO_2: 3,
    EducationLevel.HAVO: 3,
    EducationLevel.MBO_3: 4,
    EducationLevel.MBO_4: 5,
    EducationLevel.VWO: 5,
    EducationLevel.HBO: 6,
    EducationLevel.WO: 7,
}


def level_rank(level: str) -> int:
    """0 for no level."""
    return LEVEL_RANKS.get(level, 0)


class Language(models.TextChoices):
    DUTCH = "nl", "Nederlands"
    ENGLISH = "en", "English"


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: object) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username: str | None) -> User:
        # People type their address with capitals; logins are case-insensitive.
        return self.get(email__iexact=username)

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in with their email address."""

    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.DUTCH
    )
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    parental_consent_at = models.DateTimeField(
        _("parental consent recorded at"), null=True, blank=True
    )
    parental_consent_by = models.ForeignKey(
        "self",
        verbose_name=_("parental consent recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Notification settings; every email carries a link that switches its kind off.
    email_digest = models.BooleanField(
        _("daily digest by email"),
        default=True,
        help_text=_("New suggestions, or the suggestions waiting for your review, once a day."),
    )
    email_updates = models.BooleanField(
        _("updates by email"),
        default=True,
        help_text=_("An email when an application moves on: forwarded, invited, accepted."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    # Set when the person erased their account: the row stays as an anonymous
    # placeholder (placements and KPIs keep counting it), with nothing personal.
    erased_at = models.DateTimeField(_("erased at"), null=True, blank=True)
    # Set when the person was told their inactive account will be erased.
    retention_warned_at = models.DateTimeField(_("warned of erasure at"), null=True, blank=True)
    # Set when the person signed up on their own and has not yet opened the link
    # e-mailed to the address (the account stays inactive until then).
    signup_pending_since = models.DateTimeField(
        _("sign-up waiting for its e-mail link since"), null=True, blank=True
    )
    is_staff = models.BooleanField(_("staff"), default=False)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
            models.CheckConstraint(
                condition=Q(language__in=Language.values), name="user_language_valid"
            ),
            models.CheckConstraint(
                condition=Q(date_of_birth__isnull=True) | Q(date_of_birth__gte=EARLIEST_BIRTH_DATE),
                name="user_date_of_birth_plausible",
            ),
            models.CheckConstraint(
                condition=Q(parental_consent_by__isnull=True)
                | Q(parental_consent_at__isnull=False),
                name="user_parental_consent_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} <{self.email}>"

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class OrganisationKind(models.TextChoices):
    SCHOOL = "school", _("school")
    COMPANY = "company", _("company")
    LEARNING_LOCATION = "learning_location", _("learning location")
    REGION = "region", _("region")


class Sector(models.TextChoices):
    METAL = "metal", _("metalworking")
    MACHINERY = "machinery", _("machine building")
    ELECTRICAL = "electrical", _("electrical engineering")
    INSTALLATION = "installation", _("installation technology")
    FOOD_MACHINES = "food_machines", _("food processing machinery")
    PLASTICS = "plastics", _("plastics and composites")
    WOOD = "wood", _("wood and furniture")
    LOGISTICS = "logistics", _("logistics")
    CONSTRUCTION = "construction", _("construction")
    OTHER = "other", _("other manufacturing")


class SizeClass(models.TextChoices):
    MICRO = "micro", _("1 to 9 employees")
    SMALL = "small", _("10 to 49 employees")
    MEDIUM = "medium", _("50 to 249 employees")
    LARGE = "large", _("250 employees or more")


KVK_PATTERN = r"^[0-9]{8}$"
# BRIN codes of Dutch schools: two digits and two capital letters, e.g. "25LX".
BRIN_PATTERN = r"^[0-9]{2}[A-Z]{2}$"


class Organisation(models.Model):
    """A school, company, learning location or the region.

    One table with per-kind fields, guarded by constraints, so that memberships
    and later models point at one thing.
    """

    kind = models.CharField(_("kind"), max_length=20, choices=OrganisationKind.choices)
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    website = models.URLField(_("website"), blank=True)
    municipality = models.CharField(_("municipality"), max_length=100, blank=True)
    # School
    brin_code = models.CharField(_("BRIN code"), max_length=4, blank=True)
    education_levels = models.JSONField(
        _("education levels offered"),
        default=list,
        blank=True,
        validators=[ChoiceListValidator(EducationLevel.values)],
    )
    # Company
    kvk_number = models.CharField(_("KvK number"), max_length=8, blank=True)
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices, blank=True)
    size_class = models.CharField(_("size"), max_length=10, choices=SizeClass.choices, blank=True)
    sbb_recognised = models.BooleanField(
        _("SBB-recognised work-based learning company"), default=False
    )
    sbb_recognised_on = models.DateField(_("SBB recognition date"), null=True, blank=True)
    # The learning locations a company trains with (Vakcentrum, TechnoHub, MakerSpace).
    learning_locations = models.ManyToManyField(
        "self",
        verbose_name=_("learning locations"),
        symmetrical=False,
        blank=True,
        related_name="partner_companies",
        limit_choices_to={"kind": "learning_location"},
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        User,
        verbose_name=_("verified by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # A company the region's coordinator refused, and why (e-mailed to its members).
    refused_at = models.DateTimeField(_("refused at"), null=True, blank=True)
    refused_by = models.ForeignKey(
        User,
        verbose_name=_("refused by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    refusal_reason = models.TextField(_("reason for refusing"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=OrganisationKind.values), name="org_kind_valid"
            ),
            models.CheckConstraint(
                condition=(Q(kind=OrganisationKind.COMPANY) & Q(kvk_number__regex=KVK_PATTERN))
                | (~Q(kind=OrganisationKind.COMPANY) & Q(kvk_number="")),
                name="org_kvk_only_and_valid_for_company",
            ),
            models.UniqueConstraint(
                fields=["kvk_number"],
                condition=Q(kind=OrganisationKind.COMPANY),
                name="org_company_kvk_unique",
            ),
            models.CheckConstraint(
                condition=(Q(kind=OrganisationKind.SCHOOL) & Q(brin_code__regex=BRIN_PATTERN))
                | (~Q(kind=OrganisationKind.SCHOOL) & Q(brin_code="")),
                name="org_brin_only_and_valid_for_school",
            ),
            models.UniqueConstraint(
                fields=["brin_code"],
                condition=Q(kind=OrganisationKind.SCHOOL),
                name="org_school_brin_unique",
            ),
            models.CheckConstraint(
                condition=~Q(kind=OrganisationKind.COMPANY)
                | (Q(sector__in=Sector.values) & Q(size_class__in=SizeClass.values)),
                name="org_company_has_sector_and_size",
            ),
            models.CheckConstraint(
                condition=Q(sbb_recognised=False, sbb_recognised_on__isnull=True)
                | Q(
                    sbb_recognised=True,
                    sbb_recognised_on__isnull=False,
                    kind=OrganisationKind.COMPANY,
                ),
                name="org_sbb_recognition_dated_and_company_only",
            ),
            models.CheckConstraint(
                condition=Q(verified_at__isnull=True) | Q(kind=OrganisationKind.COMPANY),
                name="org_only_companies_verified",
            ),
            models.CheckConstraint(
                condition=Q(verified_by__isnull=True) | Q(verified_at__isnull=False),
                name="org_verifier_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None


class Role(models.TextChoices):
    STUDENT = "student", _("student")
    COMPANY_MEMBER = "company_member", _("company member")
    COUNSELLOR = "counsellor", _("counsellor")
    COORDINATOR = "coordinator", _("coordinator")


# Which organisation kinds each role can belong to. A student may also have no
# organisation at all: a career changer or retraining worker who signed up alone.
ROLE_ORGANISATION_KINDS: dict[str, frozenset[str]] = {
    Role.STUDENT: frozenset({OrganisationKind.SCHOOL, OrganisationKind.LEARNING_LOCATION}),
    Role.COMPANY_MEMBER: frozenset({OrganisationKind.COMPANY}),
    Role.COUNSELLOR: frozenset({OrganisationKind.SCHOOL, OrganisationKind.LEARNING_LOCATION}),
    Role.COORDINATOR: frozenset({OrganisationKind.REGION}),
}


class Membership(models.Model):
    """Gives a user a role, usually within an organisation. A user may hold several."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    # A student's class at the school, as the school's class list says ("ELT2A").
    class_name = models.CharField(_("class"), max_length=50, blank=True)
    # The organisation's admin: makes its API keys and webhooks. A company's
    # registrant is one; a coordinator can make others in the admin.
    is_admin = models.BooleanField(_("admin of the organisation"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.CheckConstraint(condition=Q(role__in=Role.values), name="membership_role_valid"),
            models.CheckConstraint(
                condition=Q(organisation__isnull=False) | Q(role=Role.STUDENT),
                name="membership_only_students_without_org",
            ),
            models.UniqueConstraint(
                fields=["user", "organisation", "role"],
                condition=Q(organisation__isnull=False),
                name="membership_unique_in_org",
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=Q(organisation__isnull=True),
                name="membership_unique_without_org",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "role"])]

    def __str__(self) -> str:
        where = self.organisation.name if self.organisation_id else "—"
        return f"{self.user.email}: {self.role} @ {where}"

    def clean(self) -> None:
        # A rule across two tables, so no CHECK constraint can hold it; full_clean
        # (admin, forms) and accounts.services.membership_create enforce it.
        if self.organisation_id is None:
            if self.role != Role.STUDENT:
                raise ValidationError(_("Only students can be registered without an organisation."))
        elif self.role in ROLE_ORGANISATION_KINDS and (
            self.organisation.kind not in ROLE_ORGANISATION_KINDS[self.role]
        ):
            raise ValidationError(
                _("A %(role)s cannot belong to a %(kind)s.")
                % {
                    "role": Role(self.role).label,
                    "kind": OrganisationKind(self.organisation.kind).label,
                }
            )


def invitation_token_new() -> str:
    return secrets.token_urlsafe(32)


class Invitation(models.Model):
    """A link a counsellor (or company member) hands out to join their organisation."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.STUDENT)
    email = models.EmailField(_("email address"), blank=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    token = models.CharField(max_length=64, unique=True, default=invitation_token_new)
    created_by = models.ForeignKey(
        User, null=True, on_delete=models.SET_NULL, related_name="invitations_created"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # What a school's class list says about the student (a CSV import fills these;
    # the profile editor starts from them).
    education_level = models.CharField(
        _("education level"), max_length=10, choices=EducationLevel.choices, blank=True
    )
    programme = models.CharField(_("programme"), max_length=200, blank=True)
    crebo_code = models.CharField(_("crebo code"), max_length=5, blank=True)
    class_name = models.CharField(_("class"), max_length=50, blank=True)
    import_job = models.ForeignKey(
        "ImportJob", null=True, blank=True, on_delete=models.SET_NULL, related_name="invitations"
    )
    emailed_at = models.DateTimeField(null=True, blank=True)
    # The mail server refused the address for good: no more tries.
    email_refused_at = models.DateTimeField(null=True, blank=True)
    # The first time the link was opened (the sign-up page shown), and a revocation.
    opened_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=[Role.STUDENT, Role.COUNSELLOR, Role.COMPANY_MEMBER]),
                name="invitation_role_valid",
            ),
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")),
                name="invitation_expires_after_creation",
            ),
            models.CheckConstraint(
                condition=Q(accepted_by__isnull=True) | Q(accepted_at__isnull=False),
                name="invitation_acceptor_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation.name}: {self.role} ({self.email or 'open link'})"

    def is_usable(self, now: dt.datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > now

    def status(self, now: dt.datetime | None = None) -> str:
        """Where it stands, for its sender: used, revoked, expired, opened, sent
        (e-mailed) or created (a link handed out by hand)."""
        now = now or timezone.now()
        if self.accepted_at is not None:
            return "used"
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= now:
            return "expired"
        if self.opened_at is not None:
            return "opened"
        return "sent" if self.emailed_at is not None else "created"


API_TOKEN_PREFIX_LENGTH = 8


class ApiToken(models.Model):
    """A personal API token. Only a hash of the key is stored: the key is shown
    once, when it is made. A person may hold several, each named, and revoke any."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    # The first characters of the key, so that a person can tell their tokens apart.
    prefix = models.CharField(max_length=API_TOKEN_PREFIX_LENGTH, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    # Made in a session that had passed the second factor: only such a token
    # carries the powers that need one (a coordinator's). A token made before its
    # owner became a coordinator does not.
    second_factor = models.BooleanField(_("made after the second factor"), default=False)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="api_token_name_required"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class ImportKind(models.TextChoices):
    STUDENTS = "students", _("student invitations")
    OPENINGS = "openings", _("openings")


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("waiting for a worker")
    CHECKING = "checking", _("checking the rows")
    SAVING = "saving", _("saving")
    SENDING = "sending", _("sending the emails")
    DONE = "done", _("done")
    FAILED = "failed", _("refused")


class ImportJob(models.Model):
    """One uploaded CSV file: checked whole, then stored whole, or not at all.

    Small files are handled while the person waits; a file over
    ``MAAKMATCH_IMPORT_INLINE_ROWS`` rows goes to the worker, which reports its
    progress here. The uploaded text is kept only until the job ends.
    """

    kind = models.CharField(_("kind"), max_length=20, choices=ImportKind.choices)
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="import_jobs",
    )
    created_by = models.ForeignKey(
        User, null=True, on_delete=models.SET_NULL, related_name="import_jobs"
    )
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    language = models.CharField(max_length=8, default="nl")
    content = models.TextField(blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0)
    emails_sent = models.PositiveIntegerField(default=0)
    emails_refused = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    # Runs claimed by a worker: past MAX_ATTEMPTS the job is given up, not retried forever.
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    # The worker's heartbeat: the sweep restarts a job whose heartbeat stopped.
    progressed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ImportKind.values), name="import_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ImportStatus.values), name="import_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.filename} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.FAILED)


class KeyScope(models.TextChoices):
    READ = "read", _("read")
    READ_WRITE = "read_write", _("read and write")


ORGANISATION_KEY_PREFIX = "mmo_"


class OrganisationKey(models.Model):
    """An API key that belongs to an organisation, not to a person: a school's
    nightly sync, a company's applicant tracking system. It acts through its own
    account (``user``), a member of the organisation in its staff role, so every
    rule of scope holds for it as for a colleague, and the audit log names it.
    Only a hash of the key is stored; it expires and can be revoked."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="api_keys"
    )
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="organisation_key")
    name = models.CharField(_("name"), max_length=100)
    scope = models.CharField(_("scope"), max_length=10, choices=KeyScope.choices)
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        User, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("made by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("organisation API key")
        verbose_name_plural = _("organisation API keys")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="organisation_key_name_required"),
            models.CheckConstraint(
                condition=Q(scope__in=KeyScope.values), name="organisation_key_scope_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def status(self) -> str:
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if self.expires_at <= timezone.now() else "active"
