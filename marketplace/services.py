"""Writes for the marketplace: reference data, openings, profiles and placements."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts import selectors as accounts_selectors
from accounts import services as accounts_services
from accounts.background import task_send_on_commit
from accounts.exceptions import DomainError, InvalidState, NotAllowed
from accounts.models import Organisation, OrganisationKind, Role, User
from marketplace import selectors
from marketplace.models import (
    SBB_OPENING_TYPES,
    ClosedReason,
    EducationLevelChange,
    Opening,
    OpeningSkill,
    OpeningStatus,
    Place,
    Placement,
    PlacementStatus,
    Profile,
    ProfileSkill,
    Province,
    Skill,
    SkillCategory,
    SkillSource,
)

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def skill_term_normalise(text: str) -> str:
    """The form in which two labels or synonyms count as the same term."""
    return " ".join(text.casefold().split())


def _skill_records_check(records: list[Mapping[str, Any]]) -> None:
    """Refuse the whole file on the first problem, naming the record.

    Each record's own fields are checked first, then what records say of each
    other (shared terms, related skills), so a typo is reported where it is.
    """
    for number, record in enumerate(records, start=1):
        where = f"skill #{number} ({record.get('slug', '?')})"
        for key in ("slug", "label_nl", "label_en", "category"):
            if not str(record.get(key, "")).strip():
                raise DomainError(f"{where}: '{key}' is missing.")
        if not _SLUG.match(record["slug"]):
            raise DomainError(f"{where}: slug must be lowercase letters, digits and hyphens.")
        if record["category"] not in SkillCategory.values:
            raise DomainError(f"{where}: unknown category {record['category']!r}.")
        synonyms = record.get("synonyms", [])
        if not isinstance(synonyms, list) or not all(isinstance(s, str) for s in synonyms):
            raise DomainError(f"{where}: synonyms must be a list of strings.")
    slugs = [str(r["slug"]) for r in records]
    if len(set(slugs)) != len(slugs):
        raise DomainError("Two skills share a slug.")
    known, owners = set(slugs), {}
    for number, record in enumerate(records, start=1):
        slug, where = record["slug"], f"skill #{number} ({record['slug']})"
        terms = [record["label_nl"], record["label_en"], *record.get("synonyms", [])]
        for term in {skill_term_normalise(t) for t in terms}:
            if owners.setdefault(term, slug) != slug:
                raise DomainError(f"{where}: {term!r} is already a term of skill {owners[term]}.")
        for related in record.get("related", []):
            if related == slug or related not in known:
                raise DomainError(f"{where}: related skill {related!r} does not exist.")


@transaction.atomic
def skills_load(*, records: Iterable[Mapping[str, Any]]) -> tuple[int, int]:
    """Merge the shipped taxonomy by slug; return (created, updated). All or nothing."""
    records = list(records)
    _skill_records_check(records)
    existing = {s.slug: s for s in Skill.objects.all()}
    created = updated = 0
    for record in records:
        fields = {
            "label_nl": record["label_nl"].strip(),
            "label_en": record["label_en"].strip(),
            "synonyms": [s.strip() for s in record.get("synonyms", []) if s.strip()],
            "category": record["category"],
        }
        if "esco_uri" in record:
            fields["esco_uri"] = record["esco_uri"]
        skill = existing.get(record["slug"])
        if skill is None:
            existing[record["slug"]] = Skill.objects.create(slug=record["slug"], **fields)
            created += 1
        elif any(getattr(skill, k) != v for k, v in fields.items()):
            for key, value in fields.items():
                setattr(skill, key, value)
            skill.save()
            updated += 1
    for record in records:
        wanted = [existing[slug] for slug in record.get("related", [])]
        if wanted:
            existing[record["slug"]].related.add(*wanted)
    return created, updated


@transaction.atomic
def places_load(*, records: Iterable[Mapping[str, Any]]) -> tuple[int, int]:
    """Merge the shipped municipalities by name; return (created, updated). All or nothing."""
    created = updated = 0
    for number, record in enumerate(records, start=1):
        try:
            name = str(record["name"]).strip()
            latitude, longitude = float(record["latitude"]), float(record["longitude"])
            province = str(record["province"])
        except (KeyError, TypeError, ValueError) as exc:
            raise DomainError(f"place #{number}: {exc}") from None
        if province not in Province.values:
            raise DomainError(f"place #{number} ({name}): unknown province {province!r}.")
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise DomainError(f"place #{number} ({name}): coordinates out of range.")
        _place, was_created = Place.objects.update_or_create(
            name=name,
            defaults={
                "slug": slugify(name),
                "province": province,
                "latitude": latitude,
                "longitude": longitude,
                "in_region": bool(record.get("in_region", False)),
            },
        )
        created += was_created
        updated += not was_created
    return created, updated


COORDINATOR_GROUP = "Coordinators"
# What the region's coordinators may do in the admin: keep the taxonomy, places,
# openings and organisations. No access to users or profiles (personal data).
COORDINATOR_PERMISSIONS = {
    "marketplace": ["skill", "place", "opening", "openingskill"],
    "accounts": ["organisation"],
}


def coordinator_group_ensure() -> Group:
    """The admin group for coordinators (idempotent). Members also need ``is_staff``."""
    group, _created = Group.objects.get_or_create(name=COORDINATOR_GROUP)
    permissions = Permission.objects.filter(
        content_type__app_label__in=COORDINATOR_PERMISSIONS,
        content_type__model__in=[m for ms in COORDINATOR_PERMISSIONS.values() for m in ms],
    )
    group.permissions.set(permissions)
    return group


def matching_request(model: type[Opening] | type[Profile], pk: int, task: str) -> None:
    """Flag the row, then, once committed, ask a worker to match it now.

    The flag is the truth (the worker's minute sweep finds every flagged row); the
    message only makes it fast. A broker that is down costs a delay, never the save.
    """
    model.objects.filter(pk=pk, needs_matching_since__isnull=True).update(
        needs_matching_since=timezone.now()
    )

    task_send_on_commit(task, pk)


@transaction.atomic
def opening_save(*, opening: Opening) -> Opening:
    """Save a (new or changed) opening; an open one gets fresh suggestions."""
    opening.full_clean()
    opening.text_skills = selectors.text_skills_find(
        row=opening, fields=selectors.OPENING_SKILL_TEXT
    )
    opening.save()
    if opening.status == OpeningStatus.OPEN or opening.matches.exists():
        matching_request(Opening, opening.pk, "worker.match_opening")
    return opening


@transaction.atomic
def opening_publish(*, opening: Opening) -> Opening:
    """Open an opening to students; suggestions follow once the transaction commits."""
    now = timezone.now()
    opening.status = OpeningStatus.OPEN
    opening.published_at = opening.published_at or now
    opening.expires_at = now + dt.timedelta(days=settings.MAAKMATCH_OPENING_OPEN_DAYS)
    return opening_save(opening=opening)


@transaction.atomic
def profile_save(*, profile: Profile) -> Profile:
    """Save a profile; when it is (or was) open to suggestions, they are refreshed."""
    profile.full_clean(exclude=["user"])
    profile.text_skills = selectors.text_skills_find(
        row=profile, fields=selectors.PROFILE_SKILL_TEXT
    )
    profile.save()
    if profile.is_visible or profile.matches.exists():
        matching_request(Profile, profile.pk, "worker.match_profile")
    return profile


def text_skills_refresh(*, batch: int = 500) -> int:
    """Find again the skills every opening's and profile's texts name, after the
    taxonomy changed (an ESCO import, new synonyms); rows that change get fresh
    suggestions. Returns how many rows changed."""
    changed = 0
    find = selectors.text_skills_finder()  # the taxonomy read once for every row
    for model, fields in (
        (Opening, selectors.OPENING_SKILL_TEXT),
        (Profile, selectors.PROFILE_SKILL_TEXT),
    ):
        rows = []
        for row in model.objects.only("pk", "text_skills", *fields).iterator(chunk_size=batch):
            found = find(selectors.skill_text(row, fields))
            if found != row.text_skills:
                row.text_skills = found
                rows.append(row)
        model.objects.bulk_update(rows, ["text_skills"], batch_size=batch)
        model.objects.filter(pk__in=[r.pk for r in rows], needs_matching_since__isnull=True).update(
            needs_matching_since=timezone.now()
        )
        changed += len(rows)
    return changed


@transaction.atomic
def profile_visibility_set(*, profile: Profile, visible: bool) -> Profile:
    """Open or close a profile to suggestions, touching nothing else on it."""
    Profile.objects.filter(pk=profile.pk).update(is_visible=visible, updated_at=timezone.now())
    matching_request(Profile, profile.pk, "worker.match_profile")
    profile.refresh_from_db()
    return profile


@transaction.atomic
def company_verify(*, company: Organisation, coordinator: User) -> Organisation:
    """Verify a company (accounts' rule) and bring its open openings into matching:
    until now they were hidden from students."""
    company = accounts_services.company_verify(company=company, coordinator=coordinator)
    now = timezone.now()
    openings = Opening.objects.filter(company=company, status=OpeningStatus.OPEN)
    # Bump the version, so every worker's warm index reads the rows again.
    openings.update(updated_at=now)
    for pk in openings.values_list("pk", flat=True):
        matching_request(Opening, pk, "worker.match_opening")
    return company


@transaction.atomic
def opening_close(*, opening: Opening, reason: str = ClosedReason.BY_COMPANY) -> Opening:
    """Close an open (or draft) opening. Who may, and what happens to its
    suggestions, is matching's part: ``matching.workflow.opening_close``."""
    locked = Opening.objects.select_for_update().get(pk=opening.pk)
    if locked.status not in (OpeningStatus.OPEN, OpeningStatus.DRAFT):
        raise InvalidState(_("This opening is already closed."))
    locked.status = OpeningStatus.CLOSED
    locked.closed_reason = reason
    locked.closed_at = timezone.now()
    locked.save(update_fields=["status", "closed_reason", "closed_at", "updated_at"])
    matching_request(Opening, locked.pk, "worker.match_opening")
    return locked


@transaction.atomic
def placement_record(
    *,
    profile: Profile,
    opening_id: int,
    by: User,
    start_date: dt.date | None = None,
    end_date: dt.date | None = None,
) -> tuple[Placement, bool]:
    """Take one place of the opening: the placement row, one more place filled and,
    for the last place, the opening closed. Returns (placement, opening_now_full).

    The opening's row is locked first, so two confirmations of the last place
    take turns and the second finds no place left.
    """
    opening = Opening.objects.select_for_update().select_related("company").get(pk=opening_id)
    if opening.status != OpeningStatus.OPEN:
        raise InvalidState(_("This opening is closed; no placement can be confirmed."))
    if opening.places_left <= 0:
        raise InvalidState(_("Every place of this opening is already filled."))
    start = start_date or opening.start_date
    end = end_date if end_date is not None else opening.end_date
    if end is not None and end < start:
        raise DomainError(_("The end date cannot be before the start date."), field="end_date")
    placement = Placement.objects.create(
        profile=profile,
        opening=opening,
        company=opening.company,
        type=opening.type,
        education_level=profile.education_level,
        is_career_changer=profile.is_career_changer,
        start_date=start,
        end_date=end,
        confirmed_by=by,
    )
    opening.places_filled += 1
    full = opening.places_left == 0
    if full:
        opening.status = OpeningStatus.CLOSED
        opening.closed_reason = ClosedReason.FILLED
        opening.closed_at = timezone.now()
    opening.save(
        update_fields=["places_filled", "status", "closed_reason", "closed_at", "updated_at"]
    )
    matching_request(Opening, opening.pk, "worker.match_opening")
    _placement_changed(profile.pk)
    return placement, full


@transaction.atomic
def placement_cancel_record(*, placement: Placement, by: User, reason: str) -> bool:
    """Cancel a placement: the place is free again and an opening closed because
    it was full reopens. Returns whether it reopened. Permission is the caller's."""
    reason = reason.strip()
    if not reason:
        raise DomainError(_("Say why the placement is cancelled."), field="reason")
    opening = Opening.objects.select_for_update().get(pk=placement.opening_id)
    cancelled = Placement.objects.filter(pk=placement.pk, status=PlacementStatus.CONFIRMED).update(
        status=PlacementStatus.CANCELLED,
        cancelled_at=timezone.now(),
        cancelled_by=by,
        cancel_reason=reason,
    )
    if not cancelled:
        raise InvalidState(_("This placement is already cancelled."))
    placement.refresh_from_db()
    opening.places_filled -= 1
    reopened = (
        opening.status == OpeningStatus.CLOSED and opening.closed_reason == ClosedReason.FILLED
    )
    fields = ["places_filled", "updated_at"]
    if reopened:
        now = timezone.now()
        opening.status = OpeningStatus.OPEN
        opening.closed_reason = ""
        opening.closed_at = None
        opening.expires_at = now + dt.timedelta(days=settings.MAAKMATCH_OPENING_OPEN_DAYS)
        fields += ["status", "closed_reason", "closed_at", "expires_at"]
    opening.save(update_fields=fields)
    matching_request(Opening, opening.pk, "worker.match_opening")
    if placement.profile_id is not None:
        _placement_changed(placement.profile_id)
    return reopened


def _placement_changed(profile_id: int) -> None:
    """A placement pauses its student for new suggestions (or, cancelled, no
    longer does): the profile's version moves on, so every matcher (the warm
    index too) reads it afresh, and it is rematched."""
    Profile.objects.filter(pk=profile_id).update(updated_at=timezone.now())
    matching_request(Profile, profile_id, "worker.match_profile")


# --- Writes on behalf of people (the API and the pages) -------------------------

OPENING_FIELDS = frozenset(
    {
        "title",
        "description",
        "type",
        "occupation",
        "education_levels",
        "place",
        "start_date",
        "end_date",
        "hours_per_week",
        "capacity",
    }
)
PROFILE_FIELDS = frozenset(
    {
        "headline",
        "about",
        "education_level",
        "programme",
        "crebo_code",
        "place",
        "travel_radius_km",
        "wanted_types",
        "available_from",
        "available_until",
        "hours_per_week",
        "sectors",
        "experience",
    }
)
# ``is_visible`` is not among them: hiding a profile ends its suggestions, which
# is matching's part (``matching.workflow.profile_write`` / ``profile_hide``).
COMPANY_FIELDS = frozenset({"description", "website", "municipality", "sector", "size_class"})


def _member_check(*, user: User, company: Organisation) -> None:
    if not accounts_selectors.user_has_role(
        user=user, role=Role.COMPANY_MEMBER, organisation=company
    ):
        raise NotAllowed(_("Only the company's own members manage its openings."))


def _validate(instance: Opening | Profile | Organisation, *, exclude: list[str]) -> None:
    """Model validation as one domain error per field (the first message each)."""
    try:
        instance.full_clean(exclude=exclude, validate_unique=False)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise DomainError(messages[0], field=None if field == NON_FIELD_ERRORS else field) from None


def _opening_skills_set(*, opening: Opening, skills: list[tuple[Skill, str, int]] | None) -> None:
    if skills is None:
        return
    OpeningSkill.objects.filter(opening=opening).delete()
    OpeningSkill.objects.bulk_create(
        OpeningSkill(opening=opening, skill=skill, importance=importance, min_level=level)
        for skill, importance, level in skills
    )


def _dates_ordered(start: dt.date | None, end: dt.date | None, *, field: str) -> None:
    if start is not None and end is not None and end < start:
        raise DomainError(_("The end date cannot be before the start date."), field=field)


def _opening_type_check(*, opening: Opening, company: Organisation) -> None:
    if opening.type in SBB_OPENING_TYPES and not company.sbb_recognised:
        raise DomainError(
            _("Only SBB-recognised companies offer BOL internships and BBL apprenticeships."),
            field="type",
        )


@transaction.atomic
def opening_create(
    *,
    company: Organisation,
    by: User,
    fields: Mapping[str, Any],
    skills: list[tuple[Skill, str, int]] | None = None,
) -> Opening:
    """A company member drafts an opening; it is public once published."""
    _member_check(user=by, company=company)
    opening = Opening(company=company, status=OpeningStatus.DRAFT, **_only(fields, OPENING_FIELDS))
    opening.slug = accounts_services.unique_slug(
        Opening, opening.title, fallback="vacature", length=200
    )
    _opening_type_check(opening=opening, company=company)
    _dates_ordered(opening.start_date, opening.end_date, field="end_date")
    _validate(opening, exclude=["slug"])
    for attempt in range(3):
        try:
            with transaction.atomic():
                opening_save(opening=opening)
            break
        except IntegrityError:
            # Another opening took the same slug in the same instant (the only
            # unique rule left once validated): try again with a short suffix.
            if attempt == 2:
                raise
            opening.pk = None
            opening.slug = f"{opening.slug[:200]}-{secrets.token_hex(3)}"
    _opening_skills_set(opening=opening, skills=skills)
    return opening


@transaction.atomic
def opening_update(
    *,
    opening: Opening,
    by: User,
    fields: Mapping[str, Any],
    skills: list[tuple[Skill, str, int]] | None = None,
) -> Opening:
    """Change an opening; an open one gets fresh suggestions."""
    _member_check(user=by, company=opening.company)
    opening = Opening.objects.select_for_update().select_related("company").get(pk=opening.pk)
    if opening.status not in (OpeningStatus.DRAFT, OpeningStatus.OPEN):
        raise InvalidState(_("A closed opening cannot be changed; duplicate it instead."))
    for key, value in _only(fields, OPENING_FIELDS).items():
        setattr(opening, key, value)
    if opening.capacity < opening.places_filled:
        raise DomainError(
            _("There are already %(n)s placements; the places cannot be fewer.")
            % {"n": opening.places_filled},
            field="capacity",
        )
    if opening.status == OpeningStatus.OPEN and opening.capacity == opening.places_filled:
        raise DomainError(
            _("Every place would be filled; close the opening instead."), field="capacity"
        )
    if opening.status == OpeningStatus.OPEN and skills is not None and not skills:
        raise DomainError(_("An open opening needs at least one skill."), field="skills")
    _opening_type_check(opening=opening, company=opening.company)
    _dates_ordered(opening.start_date, opening.end_date, field="end_date")
    _validate(opening, exclude=["slug"])
    _opening_skills_set(opening=opening, skills=skills)
    return opening_save(opening=opening)


@transaction.atomic
def opening_publish_by(*, opening: Opening, by: User) -> Opening:
    """A company member publishes a draft (or extends an open opening)."""
    _member_check(user=by, company=opening.company)
    if opening.status not in (OpeningStatus.DRAFT, OpeningStatus.OPEN):
        raise InvalidState(_("A closed opening cannot be published again; duplicate it."))
    if not opening.opening_skills.exists():
        raise DomainError(_("Add at least one skill before publishing."), field="skills")
    return opening_publish(opening=opening)


def _only(fields: Mapping[str, Any], allowed: frozenset[str]) -> dict[str, Any]:
    unknown = set(fields) - allowed
    if unknown:
        raise DomainError(_("These fields cannot be set: %s.") % ", ".join(sorted(unknown)))
    return dict(fields)


@transaction.atomic
def profile_update(
    *,
    user: User,
    by: User,
    fields: Mapping[str, Any],
    skills: list[tuple[Skill, int]] | None = None,
) -> Profile:
    """A student writes their own profile (it is made on first write)."""
    if by.pk != user.pk or not accounts_selectors.user_has_role(user=user, role=Role.STUDENT):
        raise NotAllowed(_("Only the student themself writes their profile."))
    # get_or_create: two first writes at once make one profile, not an IntegrityError.
    profile, _created = Profile.objects.select_for_update().get_or_create(user=user)
    level_before = profile.education_level
    for key, value in _only(fields, PROFILE_FIELDS).items():
        setattr(profile, key, value)
    _dates_ordered(profile.available_from, profile.available_until, field="available_until")
    _validate(profile, exclude=["user"])
    profile = profile_save(profile=profile)
    if profile.education_level != level_before:
        EducationLevelChange.objects.create(
            profile=profile, from_level=level_before, to_level=profile.education_level
        )
    if skills is not None:
        # A skill a course added stays marked so while its level is kept.
        from_course = dict(
            ProfileSkill.objects.filter(profile=profile, source=SkillSource.COURSE).values_list(
                "skill_id", "level"
            )
        )
        ProfileSkill.objects.filter(profile=profile).delete()
        ProfileSkill.objects.bulk_create(
            ProfileSkill(
                profile=profile,
                skill=skill,
                level=level,
                source=SkillSource.COURSE
                if from_course.get(skill.pk) == level
                else SkillSource.OWN,
            )
            for skill, level in skills
        )
    return profile


@transaction.atomic
def company_update(
    *,
    company: Organisation,
    by: User,
    fields: Mapping[str, Any],
    learning_locations: Iterable[Organisation] | None = None,
) -> Organisation:
    """A company member edits the company's public page, and says which learning
    locations it trains with (``None`` leaves them as they are)."""
    if not accounts_selectors.user_can_manage_organisation(user=by, organisation=company):
        raise NotAllowed(_("Only the company's own members edit its page."))
    company = Organisation.objects.select_for_update().get(pk=company.pk)
    for key, value in _only(fields, COMPANY_FIELDS).items():
        setattr(company, key, value)
    _validate(company, exclude=["slug"])
    company.save()
    if learning_locations is not None:
        locations = list(learning_locations)
        if any(o.kind != OrganisationKind.LEARNING_LOCATION for o in locations):
            raise DomainError(
                _("Only learning locations can be chosen here."), field="learning_locations"
            )
        company.learning_locations.set(locations)
    return company


@transaction.atomic
def opening_duplicate(*, opening: Opening, by: User) -> Opening:
    """A new draft with the same text, terms and skills: for next year's
    internship, or an opening that was closed."""
    fields = {name: getattr(opening, name) for name in OPENING_FIELDS}
    fields["education_levels"] = list(opening.education_levels)
    start = fields["start_date"]
    today = timezone.localdate()
    if start < today:
        # A copy of a past opening starts on the same day, in the first year in
        # which that day has not passed yet.
        shift = today.year - start.year
        while _years_later(start, shift) < today:
            shift += 1
        fields["start_date"] = _years_later(start, shift)
        if fields["end_date"]:
            fields["end_date"] = _years_later(fields["end_date"], shift)
    skills = [
        (row.skill, row.importance, row.min_level)
        for row in opening.opening_skills.select_related("skill")
    ]
    return opening_create(company=opening.company, by=by, fields=fields, skills=skills)


def _years_later(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@transaction.atomic
def esco_skills_merge(*, records: list[dict[str, Any]]) -> tuple[int, int]:
    """Merge ESCO skills by their URI: new ones are created (slug ``esco-<id>``),
    known ones updated; skills without an ESCO URI (the shipped taxonomy, local
    additions) are never touched. Returns (created, updated). All or nothing."""
    existing = {s.esco_uri: s for s in Skill.objects.exclude(esco_uri="")}
    created = updated = 0
    new = []
    for record in records:
        fields = {
            "label_nl": record["label_nl"][:150],
            "label_en": record["label_en"][:150],
            "synonyms": record["synonyms"],
            "description": record["description"],
        }
        skill = existing.get(record["esco_uri"])
        if skill is None:
            slug = "esco-" + record["esco_uri"].rstrip("/").rsplit("/", 1)[-1][:90]
            new.append(
                Skill(slug=slug, esco_uri=record["esco_uri"], category=record["category"], **fields)
            )
        elif any(getattr(skill, k) != v for k, v in fields.items()):
            for key, value in fields.items():
                setattr(skill, key, value)
            skill.save(update_fields=[*fields, "updated_at"])
            updated += 1
    Skill.objects.bulk_create(new, batch_size=1000)
    created = len(new)
    return created, updated
