"""Writes for accounts: sign-ups, memberships, invitations, verification, consent.

Keyword-only functions named ``<entity>_<action>``. Permission checks live here,
not in views, so the web pages and the API enforce the same rules.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, models, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts import selectors
from accounts.background import task_send_on_commit
from accounts.exceptions import DomainError, InvalidState, NotAllowed, SecondFactorRequired
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
    pending: bool = False,
) -> User:
    """A new account. ``pending``: inactive until the person opens the link
    e-mailed to the address (``signup_confirm``)."""
    email = _normal_email(email)
    if User.objects.filter(email__iexact=email).exists():
        raise DomainError(_("An account with this email address already exists."), field="email")
    user = User(email=email, full_name=full_name.strip(), date_of_birth=date_of_birth)
    user.language = language
    if password is not None:
        _password_check(password, user)
    if pending:
        user.is_active = False
        user.signup_pending_since = timezone.now()
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


def _normal_email(email: str) -> str:
    return User.objects.normalize_email(email).strip().lower()


def _password_check(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages), field="password") from None


def membership_create(
    *,
    user: User,
    role: str,
    organisation: Organisation | None = None,
    class_name: str = "",
    is_admin: bool = False,
) -> Membership:
    """Give ``user`` a role; the organisation's kind must fit the role. A student's
    class (from the school's class list) is kept, or updated on a membership that
    exists."""
    existing = Membership.objects.filter(user=user, role=role, organisation=organisation).first()
    if existing is not None:
        if class_name and existing.class_name != class_name:
            existing.class_name = class_name
            existing.save(update_fields=["class_name"])
        return existing
    membership = Membership(
        user=user,
        role=role,
        organisation=organisation,
        class_name=class_name.strip(),
        is_admin=is_admin,
    )
    try:
        membership.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages)) from None
    membership.save()
    return membership


def unique_slug(model: type[models.Model], text: str, *, fallback: str, length: int) -> str:
    """A slug of ``text`` (at most ``length`` characters before a counter) that no
    row of ``model`` holds yet: "name", then "name-2", "name-3"... For
    organisations, openings and courses alike."""
    base = slugify(text)[:length] or fallback
    slug, n = base, 1
    while model._default_manager.filter(slug=slug).exists():
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
    *, email: str, full_name: str, password: str, date_of_birth: dt.date, language: str = "nl"
) -> User | None:
    """A career changer or retraining worker signs up on their own, without a school.

    The answer never tells whether the address already has an account: either
    way the address gets an e-mail (a link that opens the new, still inactive
    account, or a note to the owner), and the caller says "check your e-mail".
    Returns the new account, or None when the address was taken."""
    _birth_date_check(date_of_birth)
    if selectors.is_minor_needing_consent(date_of_birth=date_of_birth):
        raise DomainError(
            _(
                "Pupils under 16 join through their school: ask your counsellor "
                "for an invitation link."
            ),
            field="date_of_birth",
        )
    _password_check(password, User(email=_normal_email(email), full_name=full_name.strip()))
    if _signup_address_taken(email=email, password=password):
        return None
    user = user_create(
        email=email,
        full_name=full_name,
        password=password,
        date_of_birth=date_of_birth,
        language=language,
        pending=True,
    )
    membership_create(user=user, role=Role.STUDENT)
    _signup_mail_on_commit(user=user)
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
    language: str = "nl",
) -> tuple[User, Organisation] | None:
    """A company member signs up their company; it waits for a coordinator's
    verification. As with ``career_changer_signup``, a taken address is never
    revealed: its owner is e-mailed and None comes back. (A KvK number is public,
    so a registered one is said.)"""
    kvk_number = kvk_number.replace(" ", "")
    if Organisation.objects.filter(kind=OrganisationKind.COMPANY, kvk_number=kvk_number).exists():
        raise DomainError(
            _(
                "This KvK number is already registered. Ask a colleague at that company "
                "to invite you."
            ),
            field="kvk_number",
        )
    # Everything that can be wrong is said before the address is looked at.
    company = Organisation(
        kind=OrganisationKind.COMPANY,
        name=company_name.strip(),
        slug=unique_slug(Organisation, company_name, fallback="organisatie", length=180),
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
    _password_check(password, User(email=_normal_email(email), full_name=full_name.strip()))
    if _signup_address_taken(email=email, password=password):
        return None
    user = user_create(
        email=email, full_name=full_name, password=password, language=language, pending=True
    )
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
    # Who registers the company is its first admin (API keys, webhooks).
    membership_create(user=user, role=Role.COMPANY_MEMBER, organisation=company, is_admin=True)
    _signup_mail_on_commit(user=user)
    return user, company


# --- sign-up confirmation -----------------------------------------------------------
class SignupTokens(PasswordResetTokenGenerator):
    """Links that open a pending account: valid for PASSWORD_RESET_TIMEOUT, and
    only while the account waits (opening it changes what the hash covers)."""

    key_salt = "maakmatch.signup-confirmation"

    def _make_hash_value(self, user: User, timestamp: int) -> str:
        return f"{user.pk}|{user.password}|{user.is_active}|{user.signup_pending_since}|{timestamp}"


signup_tokens = SignupTokens()


def _signup_address_taken(*, email: str, password: str) -> bool:
    """If ``email`` has an account, e-mail its owner instead of signing up: a new
    link if it still waits for one, else a note that they already have an
    account. The password is hashed all the same, so the answer takes as long."""
    owner = User.objects.filter(email__iexact=_normal_email(email)).first()
    if owner is None:
        return False
    make_password(password)
    if owner.erased_at is None:
        _signup_mail_on_commit(user=owner)
    return True


def _signup_mail_on_commit(*, user: User) -> None:
    transaction.on_commit(lambda: signup_mail_send(user=user))


def _account_mail_send(*, user: User, template: str, context: dict) -> None:
    """One plain-text e-mail about the account itself (``accounts/email/<template>``),
    in the person's language, to their address."""
    context = {"user": user, **context}
    with translation.override(user.language or settings.LANGUAGE_CODE):
        subject = render_to_string(f"accounts/email/{template}_subject.txt", context)
        body = render_to_string(f"accounts/email/{template}.txt", context)
    send_mail(" ".join(subject.split()), body, None, [user.email])


def signup_mail_send(*, user: User) -> None:
    """The e-mail after a sign-up with ``user``'s address: the confirmation link
    for an account that waits, a note to the owner of one that does not."""
    base = settings.MAAKMATCH_BASE_URL
    if user.signup_pending_since is not None:
        template = "signup_confirm"
        uid = urlsafe_base64_encode(force_bytes(user.pk))
        link = base + reverse("web:signup_confirm", args=[uid, signup_tokens.make_token(user)])
    else:
        template = "signup_address_taken"
        link = base + reverse("login")
    context = {
        "link": link,
        "reset_link": base + reverse("password_reset"),
        "hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
    }
    _account_mail_send(user=user, template=template, context=context)


def signup_pending_user(*, uidb64: str, token: str) -> User | None:
    """The account a confirmation link opens, if the link is still good."""
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError):
        return None
    user = User.objects.filter(pk=pk, signup_pending_since__isnull=False).first()
    if user is None or not signup_tokens.check_token(user, token):
        return None
    return user


@transaction.atomic
def signup_confirm(*, uidb64: str, token: str) -> User:
    """Open a pending account through its e-mailed link: the address is proven."""
    user = signup_pending_user(uidb64=uidb64, token=token)
    if user is not None:
        # Two clicks race: only one opens it.
        user = User.objects.select_for_update().filter(pk=user.pk).first()
    if user is None or user.signup_pending_since is None:
        raise InvalidState(
            _(
                "This link is not valid any more: it was used or has expired. Sign up "
                "again, or log in if your account is open."
            )
        )
    user.is_active = True
    user.signup_pending_since = None
    user.save(update_fields=["is_active", "signup_pending_since"])
    return user


def signups_unconfirmed_delete(*, before: dt.datetime) -> int:
    """Forget sign-ups whose link was never opened (pending since before
    ``before``), with a company they registered that has nobody else."""
    pending = User.objects.filter(signup_pending_since__lt=before, last_login__isnull=True)
    companies = list(
        Organisation.objects.filter(
            kind=OrganisationKind.COMPANY, verified_at__isnull=True, memberships__user__in=pending
        ).values_list("pk", flat=True)
    )
    _count, detail = pending.delete()
    Organisation.objects.filter(pk__in=companies, memberships__isnull=True).delete()
    return detail.get(User._meta.label, 0)


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


def invitation_opened(*, invitation: Invitation) -> None:
    """Note the first time an invitation's link was opened (its sender sees it)."""
    Invitation.objects.filter(pk=invitation.pk, opened_at__isnull=True).update(
        opened_at=timezone.now()
    )


def invitation_revoke(*, invitation: Invitation, by: User) -> Invitation:
    """Its sender's organisation takes back an invitation nobody has used yet."""
    if not selectors.invitations_for_viewer(viewer=by).filter(pk=invitation.pk).exists():
        raise NotAllowed(_("You may not revoke this invitation."))
    revoked = Invitation.objects.filter(
        pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
    if revoked != 1:
        raise InvalidState(_("This invitation has already been used or revoked."))
    invitation.refresh_from_db()
    return invitation


def _invitation_claim(*, invitation: Invitation, user: User) -> None:
    """Mark the invitation used, exactly once, even if two requests race."""
    now = timezone.now()
    claimed = Invitation.objects.filter(
        pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
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
    membership_create(
        user=user,
        role=invitation.role,
        organisation=invitation.organisation,
        class_name=invitation.class_name,
    )
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
    return membership_create(
        user=user,
        role=invitation.role,
        organisation=invitation.organisation,
        class_name=invitation.class_name,
    )


def _company_check(*, company: Organisation, coordinator: User) -> None:
    """Only the region's coordinators verify or refuse, and only companies."""
    coordinator_check(
        user=coordinator, refusal=_("Only the region's coordinators verify companies.")
    )
    if company.kind != OrganisationKind.COMPANY:
        raise DomainError(_("Only companies are verified."))


def company_verify(*, company: Organisation, coordinator: User) -> Organisation:
    _company_check(company=company, coordinator=coordinator)
    now = timezone.now()
    updated = Organisation.objects.filter(pk=company.pk, verified_at__isnull=True).update(
        verified_at=now, verified_by=coordinator, updated_at=now
    )
    if updated != 1:
        raise InvalidState(_("This company has already been verified."))
    company.refresh_from_db()
    return company


def company_refuse(*, company: Organisation, coordinator: User, reason: str) -> Organisation:
    """The coordinator refuses a company that asked to be verified, with a reason
    its members are e-mailed. It leaves the queue; its openings stay hidden."""
    _company_check(company=company, coordinator=coordinator)
    reason = reason.strip()
    if not reason:
        raise DomainError(_("Say why this company is refused."), field="reason")
    now = timezone.now()
    updated = Organisation.objects.filter(
        pk=company.pk, verified_at__isnull=True, refused_at__isnull=True
    ).update(refused_at=now, refused_by=coordinator, refusal_reason=reason, updated_at=now)
    if updated != 1:
        raise InvalidState(_("This company has already been verified or refused."))
    task_send_on_commit("worker.notify_company_refused", company.pk)
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


API_TOKENS_MAX = 20


def api_token_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns the row and the key, which is never stored."""
    second_factor_check(user=user)
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
        user=user,
        name=name,
        prefix=key[:API_TOKEN_PREFIX_LENGTH],
        key_hash=api_token_hash(key),
        second_factor=selectors.user_second_factor_passed(user=user),
    )
    return token, key


def api_token_revoke(*, token: ApiToken, by: User) -> ApiToken:
    second_factor_check(user=by)
    if token.user_id != by.pk:
        raise NotAllowed(_("You can only revoke your own tokens."))
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token.refresh_from_db()
    return token


def api_token_user(*, key: str) -> User | None:
    """The active user an unrevoked key belongs to, noting when it was last used.

    The user comes back marked, as django-otp marks a session's user, with whether
    the token was made after the second factor (``is_verified()``): only then does
    it carry the powers that need one."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=api_token_hash(key), revoked_at__isnull=True, user__is_active=True)
        .order_by()  # one lookup on the unique hash's index, no sort
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    # At most one write a minute per token, not one per request.
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return second_factor_mark(user=token.user, passed=token.second_factor)


def second_factor_mark(*, user: User, passed: bool) -> User:
    """Mark ``user`` as django-otp marks the user of a session: ``is_verified()``
    says whether this request passed the second factor, which is what
    ``selectors.user_second_factor_passed`` reads."""
    user.otp_device = None
    user.is_verified = lambda: passed
    return user


def coordinator_check(*, user: User, refusal: str | None = None) -> None:
    """Refuse anyone but a coordinator who passed the second factor: a coordinator
    without it is told to enter their code, anyone else gets ``refusal``."""
    if selectors.user_has_role(user=user, role=Role.COORDINATOR):
        return
    if selectors.user_holds_role(user=user, role=Role.COORDINATOR):
        second_factor_check(user=user)
    raise NotAllowed(refusal or _("Only the region's coordinators may do this."))


def second_factor_check(*, user: User) -> None:
    """Refuse a person who needs a second factor and has not passed it in this
    request: their credentials (tokens) and powers wait for the code."""
    if selectors.user_second_factor_missing(user=user):
        raise SecondFactorRequired(_("Confirm your two-factor code in MaakMatch first."))


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


# --- the second factor: a first authenticator through an e-mailed link -----------
# A coordinator's or staff member's first authenticator is set up only after they
# open a link sent to their account's address: a stolen password alone cannot
# enrol the thief's phone. The link is signed, expires
# (MAAKMATCH_SECOND_FACTOR_LINK_MINUTES) and works once: it names the account's
# authenticator state, which opening it changes.
_ENROLMENT_SALT = "maakmatch.second-factor-enrolment"
AUTHENTICATOR_BEING_SET_UP = "authenticator (being set up)"


def _enrolment_state(user: User) -> str:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    devices = list(
        TOTPDevice.objects.filter(user=user).order_by("pk").values_list("key", "confirmed")
    )
    return salted_hmac(_ENROLMENT_SALT, f"{user.pk}|{user.password}|{devices}").hexdigest()[:32]


def second_factor_enrolment_token(*, user: User) -> str:
    return signing.dumps({"u": user.pk, "s": _enrolment_state(user)}, salt=_ENROLMENT_SALT)


def second_factor_enrolment_link_send(*, user: User, next_url: str = "") -> None:
    """E-mail ``user`` the link that lets this account set up its first authenticator."""
    token = second_factor_enrolment_token(user=user)
    link = settings.MAAKMATCH_BASE_URL + reverse("web:two_factor_enrol", args=[token])
    if next_url:
        link += "?" + urlencode({"next": next_url})
    context = {"link": link, "minutes": settings.MAAKMATCH_SECOND_FACTOR_LINK_MINUTES}
    _account_mail_send(user=user, template="second_factor_link", context=context)


@transaction.atomic
def second_factor_enrolment_open(*, user: User, token: str) -> object:
    """Open an e-mailed set-up link: a new authenticator to confirm (a TOTP device,
    unconfirmed), replacing any half-set-up one. The link works for the account
    it was sent to, once, within its time."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    invalid = InvalidState(
        _(
            "This set-up link is not valid any more: it was used, expired, or is "
            "for another account. Ask for a new one."
        )
    )
    try:
        data = signing.loads(
            token,
            salt=_ENROLMENT_SALT,
            max_age=settings.MAAKMATCH_SECOND_FACTOR_LINK_MINUTES * 60,
        )
    except signing.BadSignature:
        raise invalid from None
    # Lock the account's row: two clicks on one link cannot both open it.
    User.objects.select_for_update().get(pk=user.pk)
    if not isinstance(data, dict) or data.get("u") != user.pk:
        raise invalid
    if data.get("s") != _enrolment_state(user):
        raise invalid
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, confirmed=False, name=AUTHENTICATOR_BEING_SET_UP)
