"""Organisation API keys: made and revoked by an organisation's admin, used by
its systems (a school's nightly sync, a company's applicant tracking system).

A key acts through an account of its own, a member of the organisation in the
staff role (a school's counsellor, a company's member), so the same selectors
scope what it may see and do as for a colleague, and the audit log names it.
That account cannot log in (no usable password, an address that takes no
mail) and receives no e-mail. Only a hash of the key is stored.

May import: accounts' models and selectors. Never api/ or web/.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import selectors
from accounts.exceptions import DomainError, NotAllowed, SecondFactorRequired
from accounts.models import (
    ORGANISATION_KEY_PREFIX,
    KeyScope,
    Membership,
    Organisation,
    OrganisationKey,
    OrganisationKind,
    Role,
    User,
)

KEY_ROLES = {
    OrganisationKind.SCHOOL: Role.COUNSELLOR,
    OrganisationKind.COMPANY: Role.COMPANY_MEMBER,
}
KEY_DAYS = (30, 90, 365)
KEYS_MAX = 20
KEY_DOMAIN = "keys.maakmatch.invalid"  # RFC 2606: never delivers mail


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def organisations_administered(*, user: User) -> QuerySet[Organisation]:
    """The schools and companies whose keys ``user`` manages."""
    if not user.is_authenticated or not user.is_active:
        return Organisation.objects.none()
    return Organisation.objects.filter(
        kind__in=list(KEY_ROLES),
        memberships__user=user,
        memberships__is_admin=True,
        memberships__role__in=list(KEY_ROLES.values()),
    ).distinct()


def keys_for_admin(*, user: User) -> QuerySet[OrganisationKey]:
    return (
        OrganisationKey.objects.filter(organisation__in=organisations_administered(user=user))
        .select_related("organisation", "created_by")
        .order_by("-created_at", "pk")
    )


def _admin_check(*, user: User, organisation: Organisation) -> None:
    if not organisations_administered(user=user).filter(pk=organisation.pk).exists():
        raise NotAllowed(_("Only an admin of the organisation manages its API keys."))


def _second_factor_check(*, user: User) -> None:
    """An admin who has an authenticator confirms it before making a key."""
    from django_otp import user_has_device

    if user_has_device(user, confirmed=True) and not selectors.user_second_factor_passed(user=user):
        raise SecondFactorRequired(_("Confirm your two-factor code in MaakMatch first."))


@transaction.atomic
def organisation_key_create(
    *, by: User, organisation: Organisation, name: str, scope: str, days: int
) -> tuple[OrganisationKey, str]:
    """A new key for ``organisation``; returns the row and the key, shown once."""
    _admin_check(user=by, organisation=organisation)
    _second_factor_check(user=by)
    name = name.strip()
    if not name:
        raise DomainError(_("Give the key a name, so that you can recognise it."), field="name")
    if len(name) > 100:
        raise DomainError(_("Keep the name under 100 characters."), field="name")
    if scope not in KeyScope.values:
        raise DomainError(_("Choose read or read and write."), field="scope")
    if days not in KEY_DAYS:
        raise DomainError(_("Choose how long the key works."), field="days")
    Organisation.objects.select_for_update().get(pk=organisation.pk)
    if organisation.api_keys.filter(revoked_at__isnull=True).count() >= KEYS_MAX:
        raise DomainError(_("This organisation has too many keys; revoke one first."))
    user = User.objects.create(
        email=f"key-{uuid.uuid4().hex}@{KEY_DOMAIN}",
        full_name=_("API key “%(name)s” of %(organisation)s")
        % {"name": name, "organisation": organisation.name},
        language=by.language,
        email_digest=False,
        email_updates=False,
    )
    user.set_unusable_password()
    user.save(update_fields=["password"])
    Membership.objects.create(
        user=user, role=KEY_ROLES[organisation.kind], organisation=organisation
    )
    secret = ORGANISATION_KEY_PREFIX + secrets.token_urlsafe(32)
    key = OrganisationKey.objects.create(
        organisation=organisation,
        user=user,
        name=name,
        scope=scope,
        prefix=secret[:12],
        key_hash=key_hash(secret),
        created_by=by,
        expires_at=timezone.now() + dt.timedelta(days=days),
    )
    return key, secret


def organisation_key_revoke(*, key: OrganisationKey, by: User) -> OrganisationKey:
    _admin_check(user=by, organisation=key.organisation)
    OrganisationKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    key.refresh_from_db()
    return key


def organisation_key_for(*, secret: str) -> OrganisationKey | None:
    """The live key (unrevoked, unexpired) a secret belongs to, noting its use."""
    if not secret.startswith(ORGANISATION_KEY_PREFIX):
        return None
    now = timezone.now()
    key = (
        OrganisationKey.objects.select_related("user", "organisation")
        .filter(
            key_hash=key_hash(secret),
            revoked_at__isnull=True,
            expires_at__gt=now,
            user__is_active=True,
        )
        .order_by()  # one lookup on the unique hash's index, no sort
        .first()
    )
    if key is None:
        return None
    if key.last_used_at is None or now - key.last_used_at > dt.timedelta(minutes=1):
        OrganisationKey.objects.filter(pk=key.pk).update(last_used_at=now)
    return key
