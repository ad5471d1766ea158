"""A person's privacy rights (AVG): a copy of their data, and erasure.

Erasure keeps an anonymous placeholder: the user row, their memberships, profile
facts that KPIs count (education level, municipality, career changer, skills),
their suggestions' states and placements stay; name, email, birth date, free
text, availability and tokens go. The audit log is append-only and keeps its
rows, which point at the placeholder.
"""

from __future__ import annotations

import secrets
from typing import Any

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from accounts.models import ApiToken, Invitation, Membership, User
from marketplace import services as market
from marketplace.models import Placement, Profile, ProfileSkill
from matching import workflow
from matching.models import AuditEntry, Match

ERASED_NAME = "—"
ERASED_DOMAIN = "erased.invalid"
EXPORT_VERSION = 1


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _actor(actor_id: int | None, user_id: int) -> str:
    """Who acted, without naming anyone else: self, other (a person) or system."""
    if actor_id is None:
        return "system"
    return "self" if actor_id == user_id else "other"


def personal_data_export(*, user: User) -> dict[str, Any]:
    """Everything MaakMatch holds about ``user``, as JSON-ready data."""
    profile = Profile.objects.filter(user=user).select_related("place", "school").first()
    data: dict[str, Any] = {
        "format": "maakmatch-personal-data",
        "version": EXPORT_VERSION,
        "exported_at": timezone.now().isoformat(),
        "account": {
            "email": user.email,
            "full_name": user.full_name,
            "language": user.language,
            "date_of_birth": _iso(user.date_of_birth),
            "parental_consent_at": _iso(user.parental_consent_at),
            "email_digest": user.email_digest,
            "email_updates": user.email_updates,
            "date_joined": _iso(user.date_joined),
            "last_login": _iso(user.last_login),
        },
        "memberships": [
            {"organisation": m.organisation.name if m.organisation else None, "role": m.role}
            for m in Membership.objects.filter(user=user).select_related("organisation")
        ],
        "profile": None,
        "suggestions": [],
        "placements": [],
        "audit_log": [],
        "api_tokens": [
            {
                "name": t.name,
                "created_at": _iso(t.created_at),
                "last_used_at": _iso(t.last_used_at),
                "revoked_at": _iso(t.revoked_at),
            }
            for t in ApiToken.objects.filter(user=user).order_by("created_at")
        ],
    }
    if profile is not None:
        data["profile"] = {
            field: _iso(getattr(profile, field))
            for field in (
                "headline",
                "about",
                "experience",
                "education_level",
                "programme",
                "crebo_code",
                "travel_radius_km",
                "wanted_types",
                "available_from",
                "available_until",
                "hours_per_week",
                "sectors",
                "is_career_changer",
                "is_visible",
                "created_at",
                "updated_at",
            )
        }
        data["profile"]["place"] = profile.place.name if profile.place else None
        data["profile"]["school"] = profile.school.name if profile.school else None
        data["profile"]["skills"] = [
            {"skill": ps.skill.slug, "label": ps.skill.label_nl, "level": ps.level}
            for ps in ProfileSkill.objects.filter(profile=profile).select_related("skill")
        ]
        data["suggestions"] = [
            {
                "opening": m.opening.title,
                "company": m.opening.company.name,
                "state": m.state,
                "score": m.score,
                "explanation": m.explanation,
                "engine_version": m.engine_version,
                "created_at": _iso(m.created_at),
                "state_changed_at": _iso(m.state_changed_at),
            }
            for m in Match.objects.filter(profile=profile).select_related("opening__company")
        ]
        data["placements"] = [
            {
                "opening": p.opening.title,
                "company": p.company.name,
                "type": p.type,
                "start_date": _iso(p.start_date),
                "end_date": _iso(p.end_date),
                "status": p.status,
            }
            for p in Placement.objects.filter(profile=profile).select_related("opening", "company")
        ]
    data["audit_log"] = [
        {
            "when": _iso(e.created_at),
            "action": e.action,
            "by": "self"
            if e.actor_id == user.pk
            else ("system" if e.actor_id is None else "other"),
            "from_state": e.from_state,
            "to_state": e.to_state,
            "reason": e.reason,
        }
        for e in AuditEntry.objects.filter(student=user).order_by("created_at")
    ]
    return data


@transaction.atomic
def account_erase(*, user: User) -> User:
    """Erase a person: what names, reaches or describes them goes; the facts the
    region's figures count stay, under an anonymous placeholder."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.erased_at is not None:
        return user
    profile = Profile.objects.filter(user=user).first()
    if profile is not None:
        # Companies and counsellors waiting on this person are told by the state:
        # withdrawn. Nobody is emailed: the address is about to go.
        workflow.matches_end(
            matches=Match.objects.filter(profile=profile),
            by=None,
            reason=gettext_noop("The student deleted their account."),
            notify=False,
        )
        Profile.objects.filter(pk=profile.pk).update(
            headline="",
            about="",
            experience="",
            programme="",
            crebo_code="",
            available_from=None,
            available_until=None,
        )
        # Closed to suggestions the way every hide goes: the row's updated_at moves
        # and the workers re-read it, so no warm index keeps scoring the old text.
        market.profile_visibility_set(profile=profile, visible=False)
    ApiToken.objects.filter(user=user).delete()
    # Login throttling keeps the address typed at the login form.
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        model.objects.filter(username__iexact=user.email).delete()
    Invitation.objects.filter(accepted_by=user).update(email="", full_name="")
    # An open invitation addressed to them goes: blanking its address would turn
    # it into a link anyone could use.
    Invitation.objects.filter(email__iexact=user.email, accepted_at__isnull=True).delete()
    tag = secrets.token_hex(8)
    user.email = f"erased-{tag}@{ERASED_DOMAIN}"
    user.full_name = ERASED_NAME
    user.date_of_birth = None
    user.parental_consent_at = None
    user.parental_consent_by = None
    user.email_digest = False
    user.email_updates = False
    user.last_login = None
    # A new password hash ends every session (Django checks it on each request),
    # and an inactive user can neither log in nor use a token.
    user.password = make_password(None)
    user.is_active = False
    user.erased_at = timezone.now()
    user.save()
    return user
