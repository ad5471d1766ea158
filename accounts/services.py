"""Writes for accounts: sign-ups, memberships, invitations, verification, consent.

Keyword-only functions named ``<entity>_<action>``. Permission checks live here,
not in views, so the web pages and the API enforce the same rules.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts import selectors
from accounts.exceptions import DomainError, InvalidState, NotAllowed
from accounts.models import (
    API_TOKEN_PREFIX_LENGTH,
    EARLIEST_BIRTH_DATE,
    ApiToken,
    Invitation,
    Language,
    Membership,
    Organisation,
    OrganisationKind,
    Role,
    User,
)


def user_create(
    *,
    email: str,
    full_name: str,
    password: str | None,
    date_of_birth: dt.date | None = None,
    language: str = "nl",
) -> User:
    email = User.objects.normalize_email(email).strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise DomainError(_("An account with this email address already exists."), field="email")
    user = User(email=email, full_name=full_name.strip(), date_of_birth=date_of_birth)
    user.language = language
    if password is not None:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise DomainError(" ".join(exc.messages), field="password") from None
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        # Two sign-ups raced for the same address; the unique index decided.
        raise DomainError(
            _("An account with this email address already exists."), field="email"
        ) from None
    return user


def membership_create(
    *, user: User, role: str, organisation: Organisation | None = None
) -> Membership:
    """Give ``user`` a role; the organisation's kind must fit the role."""
    existing = Membership.objects.filter(user=user, role=role, organisation=organisation).first()
    if existing is not None:
        return existing
    membership = Membership(user=user, role=role, organisation=organisation)
    try:
        membership.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages)) from None
    membership.save()
    return membership


def _unique_slug(name: str) -> str:
    base = slugify(name)[:180] or "organisatie"
    slug, n = base, 1
    while Organisation.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _birth_date_check(date_of_birth: dt.date | None) -> None:
    if date_of_birth is None:
        return
    today = timezone.localdate()
    if date_of_birth > today:
        raise DomainError(_("The date of birth lies in the future."), field="date_of_birth")
    if date_of_birth < EARLIEST_BIRTH_DATE:
        raise DomainError(_("Enter a real date of birth."), field="date_of_birth")


@transaction.atomic
def career_changer_signup(
    *, email: str, full_name: str, password: str, date_of_birth: dt.date
) -> User:
    """A career changer or retraining worker signs up on their own, without a school."""
    _birth_date_check(date_of_birth)
    if selectors.is_minor_needing_consent(date_of_birth=date_of_birth):
        raise DomainError(
            _(
                "Pupils under 16 join through their school: ask your counsellor "
                "for an invitation link."
            ),
            field="date_of_birth",
        )
    user = user_create(
        email=email, full_name=full_name, password=password, date_of_birth=date_of_birth
    )
    membership_create(user=user, role=Role.STUDENT)
    return user


@transaction.atomic
def company_signup(
    *,
    email: str,
    full_name: str,
    password: str,
    company_name: str,
    kvk_number: str,
    sector: str,
    size_class: str,
    municipality: str = "",
) -> tuple[User, Organisation]:
    """A company member signs up their company; it waits for a coordinator's verification."""
    kvk_number = kvk_number.replace(" ", "")
    if Organisation.objects.filter(kind=OrganisationKind.COMPANY, kvk_number=kvk_number).exists():
        raise DomainError(
            _(
                "This KvK number is already registered. Ask a colleague at that company "
                "to invite you."
            ),
            field="kvk_number",
        )
    user = user_create(email=email, full_name=full_name, password=password)
    company = Organisation(
        kind=OrganisationKind.COMPANY,
        name=company_name.strip(),
        slug=_unique_slug(company_name),
        kvk_number=kvk_number,
        sector=sector,
        size_class=size_class,
        municipality=municipality.strip(),
    )
    try:
        company.full_clean(exclude=["slug"], validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise DomainError(" ".join(messages), field=field) from None
    try:
        with transaction.atomic():
            company.save()
    except IntegrityError:
        # A simultaneous sign-up took the KvK number (or the slug) first.
        if Organisation.objects.filter(
            kind=OrganisationKind.COMPANY, kvk_number=kvk_number
        ).exists():
            raise DomainError(
                _("This KvK number is already registered."), field="kvk_number"
            ) from None
        company.slug = f"{company.slug}-{secrets.token_hex(3)}"
        company.save()
    membership_create(user=user, role=Role.COMPANY_MEMBER, organisation=company)
    return user, company


def invitation_create(
    *,
    organisation: Organisation,
    created_by: User,
    role: str = Role.STUDENT,
    email: str = "",
    full_name: str = "",
) -> Invitation:
    if not selectors.user_can_invite_to(user=created_by, organisation=organisation, role=role):
        raise NotAllowed(_("You cannot invite people to this organisation."))
    if role != Role.STUDENT and not email.strip():
        # A colleague's link grants access to personal data: never an open link.
        raise DomainError(
            _("Invitations for colleagues need the colleague's email address."), field="email"
        )
    now = timezone.now()
    return Invitation.objects.create(
        organisation=organisation,
        role=role,
        email=email.strip().lower(),
        full_name=full_name.strip(),
        created_by=created_by,
        created_at=now,
        expires_at=now + dt.timedelta(days=settings.MAAKMATCH_INVITATION_DAYS),
    )


def _invitation_claim(*, invitation: Invitation, user: User) -> None:
    """Mark the invitation used, exactly once, even if two requests race."""
    now = timezone.now()
    claimed = Invitation.objects.filter(
        pk=invitation.pk, accepted_at__isnull=True, expires_at__gt=now
    ).update(accepted_at=now, accepted_by=user)
    if claimed != 1:
        raise InvalidState(_("This invitation has expired or has already been used."))
    invitation.accepted_at, invitation.accepted_by = now, user


@transaction.atomic
def invitation_accept_signup(
    *,
    invitation: Invitation,
    email: str,
    full_name: str,
    password: str,
    date_of_birth: dt.date | None,
) -> User:
    """A new person joins through an invitation link and gets its role."""
    if not invitation.is_usable():
        raise InvalidState(_("This invitation has expired or has already been used."))
    if invitation.email and invitation.email != email.strip().lower():
        raise DomainError(_("This invitation is for another email address."), field="email")
    if invitation.role == Role.STUDENT and date_of_birth is None:
        raise DomainError(_("Students give their date of birth."), field="date_of_birth")
    _birth_date_check(date_of_birth)
    user = user_create(
        email=email, full_name=full_name, password=password, date_of_birth=date_of_birth
    )
    _invitation_claim(invitation=invitation, user=user)
    membership_create(user=user, role=invitation.role, organisation=invitation.organisation)
    return user


@transaction.atomic
def invitation_accept_existing(
    *, invitation: Invitation, user: User, date_of_birth: dt.date | None = None
) -> Membership:
    """A person who already has an account joins the inviting organisation.

    Joining as a student needs a date of birth, so parental consent can be judged.
    """
    if invitation.email and invitation.email != user.email:
        raise NotAllowed(_("This invitation is for another email address."))
    if invitation.role == Role.STUDENT and user.date_of_birth is None:
        if date_of_birth is None:
            raise DomainError(_("Students give their date of birth."), field="date_of_birth")
        _birth_date_check(date_of_birth)
        user.date_of_birth = date_of_birth
        user.save(update_fields=["date_of_birth"])
    _invitation_claim(invitation=invitation, user=user)
    return membership_create(user=user, role=invitation.role, organisation=invitation.organisation)


def company_verify(*, company: Organisation, coordinator: User) -> Organisation:
    if not selectors.user_can_verify_companies(user=coordinator):
        raise NotAllowed(_("Only the region's coordinators verify companies."))
    if company.kind != OrganisationKind.COMPANY:
        raise DomainError(_("Only companies are verified."))
    now = timezone.now()
    updated = Organisation.objects.filter(pk=company.pk, verified_at__isnull=True).update(
        verified_at=now, verified_by=coordinator, updated_at=now
    )
    if updated != 1:
        raise InvalidState(_("This company has already been verified."))
    company.refresh_from_db()
    return company


def parental_consent_record(*, student: User, counsellor: User) -> User:
    """A counsellor records that a parent or guardian consented for an under-16."""
    if not selectors.user_can_counsel_student(viewer=counsellor, student=student):
        raise NotAllowed(_("Only a counsellor of this student's school can record consent."))
    now = timezone.now()
    User.objects.filter(pk=student.pk, parental_consent_at__isnull=True).update(
        parental_consent_at=now, parental_consent_by=counsellor
    )
    student.refresh_from_db()
    return student


# Each kind of email, and the setting its unsubscribe link switches off.
NOTIFICATION_SETTINGS = {"digest": "email_digest", "updates": "email_updates"}
_UNSUBSCRIBE_SALT = "maakmatch.unsubscribe"


def unsubscribe_token_make(*, user: User, kind: str) -> str:
    """A signed token for an email's unsubscribe link: works without logging in,
    names one person and one kind of email, and cannot be forged or edited."""
    if kind not in NOTIFICATION_SETTINGS:
        raise ValueError(f"Unknown notification kind {kind!r}.")
    return signing.dumps({"u": user.pk, "k": kind}, salt=_UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_token_read(*, token: str) -> tuple[User, str]:
    """The person and kind a token names; InvalidState for a broken or foreign token."""
    try:
        data = signing.loads(token, salt=_UNSUBSCRIBE_SALT)
        user = User.objects.get(pk=data["u"], is_active=True)
        kind = data["k"]
    except (signing.BadSignature, KeyError, TypeError, User.DoesNotExist):
        raise InvalidState(_("This unsubscribe link is not valid.")) from None
    if kind not in NOTIFICATION_SETTINGS:
        raise InvalidState(_("This unsubscribe link is not valid."))
    return user, kind


def notifications_unsubscribe(*, token: str) -> tuple[User, str]:
    """Switch off the kind of email the token names (idempotent)."""
    user, kind = unsubscribe_token_read(token=token)
    User.objects.filter(pk=user.pk).update(**{NOTIFICATION_SETTINGS[kind]: False})
    setattr(user, NOTIFICATION_SETTINGS[kind], False)
    return user, kind


API_TOKENS_MAX = 20


def api_token_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns the row and the key, which is never stored."""
    name = name.strip()
    if not name:
        raise DomainError(_("Give the token a name, so that you can recognise it."), field="name")
    if len(name) > 100:
        raise DomainError(_("Keep the name under 100 characters."), field="name")
    active = ApiToken.objects.select_for_update().filter(user=user, revoked_at__isnull=True)
    if active.count() >= API_TOKENS_MAX:
        raise InvalidState(_("You have too many tokens; revoke one first."))
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=key[:API_TOKEN_PREFIX_LENGTH], key_hash=api_token_hash(key)
    )
    return token, key


def api_token_revoke(*, token: ApiToken, by: User) -> ApiToken:
    if token.user_id != by.pk:
        raise NotAllowed(_("You can only revoke your own tokens."))
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token.refresh_from_db()
    return token


def api_token_user(*, key: str) -> User | None:
    """The active user an unrevoked key belongs to, noting when it was last used."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=api_token_hash(key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    # At most one write a minute per token, not one per request.
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def user_settings_update(
    *, user: User, language: str, email_digest: bool, email_updates: bool
) -> User:
    """A person's own settings: the language of pages and emails, and which
    emails they want."""
    if language not in Language.values:
        raise DomainError(_("Unknown language."), field="language")
    user.language = language
    user.email_digest = email_digest
    user.email_updates = email_updates
    user.save(update_fields=["language", "email_digest", "email_updates"])
    return user
