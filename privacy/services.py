"""A person's privacy rights (AVG): a copy of their data, and erasure.

Erasure keeps an anonymous placeholder: the user row, their memberships, profile
facts that KPIs count (education level, municipality, career changer, skills),
their suggestions' states and placements stay; name, email, birth date, free
text, availability and tokens go. The audit log is append-only and keeps its
rows, which point at the placeholder.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import smtplib
from typing import Any

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce, Greatest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from accounts import services as account_services
from accounts.models import ApiToken, ImportJob, Invitation, Membership, User
from audit.models import AuditEntry
from learning.models import (
    ENROLMENT_ACTIVE,
    CourseSuggestion,
    Enrolment,
    EnrolmentStatus,
    GuestRequest,
)
from marketplace import services as market
from marketplace.models import Placement, Profile, ProfileSkill
from matching import workflow
from matching.models import Match, MatchState, Stretch

logger = logging.getLogger(__name__)
ERASED_NAME = "—"
ERASED_DOMAIN = "erased.invalid"
EXPORT_VERSION = 1


def _iso(value: Any) -> Any:
    """Dates as ISO 8601; timestamps in UTC, written with ``Z``."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
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
        "exported_at": _iso(timezone.now()),
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
        # What a school's class list said about them, on the invitations they accepted.
        "invitations": [
            {
                "organisation": i.organisation.name,
                "accepted_at": _iso(i.accepted_at),
                "education_level": i.education_level,
                "programme": i.programme,
                "crebo_code": i.crebo_code,
                "class": i.class_name,
            }
            for i in Invitation.objects.filter(accepted_by=user).select_related("organisation")
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
            {
                "skill": ps.skill.slug,
                "label": ps.skill.label_nl,
                "level": ps.level,
                "source": ps.source,
            }
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
        data["stretch_suggestions"] = [
            {
                "opening": s.opening.title,
                "company": s.opening.company.name,
                "rule_missed": s.rule,
                "score": s.score,
                "explanation": s.explanation,
                "engine_version": s.engine_version,
                "created_at": _iso(s.created_at),
            }
            for s in Stretch.objects.filter(profile=profile).select_related("opening__company")
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
        data["course_suggestions"] = [
            {
                "course": c.course.title,
                "provider": c.course.provider.name,
                "rank": c.rank,
                "score": c.score,
                "closes": c.closes,
                "computed_at": _iso(c.computed_at),
            }
            for c in CourseSuggestion.objects.filter(profile=profile).select_related(
                "course__provider"
            )
        ]
    data["course_sign_ups"] = [
        {
            "course": e.course.title,
            "provider": e.course.provider.name,
            "group": e.group,
            "status": e.status,
            "message": e.motivation,
            "requested_at": _iso(e.requested_at),
            "completed_at": _iso(e.completed_at),
            "skills_added": e.skills_added,
        }
        for e in Enrolment.objects.filter(user=user).select_related("course__provider")
    ]
    # Guest lessons they asked for, for a class: the request is the school's, and
    # says nothing of the pupils but their number.
    data["guest_lesson_requests"] = [
        {
            "organisation": g.organisation.name,
            "topic": g.topic,
            "class": g.class_name,
            "status": g.status,
            "note": g.note,
            "asked_at": _iso(g.created_at),
        }
        for g in GuestRequest.objects.filter(requested_by=user).select_related("organisation")
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
        # The stretch list describes them too (levels, dates, hours, skills), and
        # so do the course suggestions drawn from their gaps.
        Stretch.objects.filter(profile=profile).delete()
        CourseSuggestion.objects.filter(profile=profile).delete()
        Profile.objects.filter(pk=profile.pk).update(
            headline="",
            about="",
            experience="",
            programme="",
            crebo_code="",
            available_from=None,
            available_until=None,
            text_skills=[],  # found in the texts just erased
        )
        # Closed to suggestions the way every hide goes: the row's updated_at moves
        # and the workers re-read it, so no warm index keeps scoring the old text.
        market.profile_visibility_set(profile=profile, visible=False)
    ApiToken.objects.filter(user=user).delete()
    # Course sign-ups stay for the region's figures, without their message; open
    # ones are withdrawn (the provider no longer has anyone to confirm).
    Enrolment.objects.filter(user=user).update(motivation="")
    Enrolment.objects.filter(user=user, status__in=ENROLMENT_ACTIVE).update(
        status=EnrolmentStatus.WITHDRAWN
    )
    # Guest-lesson requests are the school's: they stay, without the person who
    # asked (the school's counsellors hear of them instead).
    GuestRequest.objects.filter(requested_by=user).update(requested_by=None)
    # Login throttling keeps the address typed at the login form.
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        model.objects.filter(username__iexact=user.email).delete()
    Invitation.objects.filter(accepted_by=user).update(
        email="", full_name="", education_level="", programme="", crebo_code="", class_name=""
    )
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


def _months(months: int) -> dt.timedelta:
    return dt.timedelta(days=round(months * 365.25 / 12))


def _with_last_activity(users: Any) -> Any:
    """Users annotated with their last sign of life: a login, a profile change, or
    joining."""
    return users.annotate(
        activity=Greatest(
            Coalesce("last_login", "date_joined"),
            Coalesce("profile__updated_at", "date_joined"),
        )
    )


def retention_warning_send(*, user: User, erase_on: dt.date) -> None:
    """The notice before erasure, in the person's language. Not an email one can
    unsubscribe from: the law wants them told."""
    with translation.override(user.language):
        context = {
            "user": user,
            "erase_on": erase_on,
            "login_url": f"{settings.MAAKMATCH_BASE_URL}{reverse('login')}",
        }
        subject = render_to_string("privacy/email/retention_warning_subject.txt", context)
        message = EmailMultiAlternatives(
            subject=" ".join(subject.split()),
            body=render_to_string("privacy/email/retention_warning.txt", context),
            to=[user.email],
        )
        message.attach_alternative(
            render_to_string("privacy/email/retention_warning.html", context), "text/html"
        )
    message.send()


def retention_run(*, now: dt.datetime | None = None) -> dict[str, int]:
    """The daily clean-up: warn inactive profiles, erase those warned long enough
    ago that stayed inactive, delete old rejected and withdrawn suggestions."""
    now = now or timezone.now()
    inactive_since = now - _months(settings.MAAKMATCH_RETENTION_INACTIVE_MONTHS)
    grace = dt.timedelta(days=settings.MAAKMATCH_RETENTION_WARNING_DAYS)
    people = _with_last_activity(
        User.objects.filter(profile__isnull=False, erased_at__isnull=True, is_active=True)
    )
    warned = 0
    to_warn = people.filter(activity__lt=inactive_since).filter(
        Q(retention_warned_at__isnull=True) | Q(retention_warned_at__lt=F("activity"))
    )
    for user in to_warn.iterator():
        try:
            retention_warning_send(user=user, erase_on=(now + grace).date())
        except (OSError, smtplib.SMTPException):
            logger.warning("Retention warning to user %s not sent; tried again tomorrow.", user.pk)
            continue
        User.objects.filter(pk=user.pk).update(retention_warned_at=now)
        warned += 1
    erased = 0
    due = people.filter(retention_warned_at__lte=now - grace, activity__lt=F("retention_warned_at"))
    for user in due.iterator():
        account_erase(user=user)
        erased += 1
    old = now - _months(settings.MAAKMATCH_RETENTION_DECIDED_MONTHS)
    deleted, _detail = (
        Match.objects.filter(state__in=[MatchState.REJECTED, MatchState.WITHDRAWN])
        .filter(Q(state_changed_at__lt=old) | Q(state_changed_at__isnull=True, created_at__lt=old))
        .delete()
    )
    # Invitations nobody used, from class lists or by hand, hold a pupil's name
    # and address: gone once expired for the same grace period.
    unused, _detail = Invitation.objects.filter(
        accepted_at__isnull=True, expires_at__lt=now - grace
    ).delete()
    # Import records (file name, counts, per-line problems) after the decided period.
    imports, _detail = ImportJob.objects.filter(created_at__lt=old).delete()
    # Sign-ups whose e-mailed link was never opened: an address and a name that
    # nobody proved, kept for the link's life and the grace period, then gone.
    link_life = dt.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)
    unconfirmed = account_services.signups_unconfirmed_delete(before=now - link_life - grace)
    counts = {
        "warned": warned,
        "erased": erased,
        "suggestions_deleted": deleted,
        "invitations_deleted": unused,
        "imports_deleted": imports,
        "unconfirmed_signups_deleted": unconfirmed,
    }
    logger.info("Retention: %s", counts)
    return counts
