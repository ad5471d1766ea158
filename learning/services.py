"""Writes for courses, sign-ups and course suggestions. Every rule about who may
do what lives here; pages and the API only call these."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import services as accounts_services
from accounts.background import task_send_on_commit
from accounts.exceptions import DomainError, InvalidState, NotAllowed
from accounts.models import Organisation, User
from learning import selectors
from learning.models import (
    ENROLMENT_ACTIVE,
    Course,
    CourseSkill,
    CourseSuggestion,
    Enrolment,
    EnrolmentStatus,
)
from marketplace.models import Profile, ProfileSkill, Skill, SkillSource
from marketplace.services import profile_save
from matching.engine.courses import courses_for_gaps

COURSE_FIELDS = frozenset(
    {
        "title",
        "description",
        "place",
        "venue",
        "on_request",
        "starts_on",
        "ends_on",
        "duration_hours",
        "cost_eur",
        "seats",
        "audiences",
        "funding_note",
    }
)
# Course suggestions kept per person.
SUGGESTIONS_K = 5


def _provider_check(*, user: User, provider: Organisation) -> None:
    if not selectors.providers_for(user=user).filter(pk=provider.pk).exists():
        raise NotAllowed(_("Only a coach of this learning location keeps its courses."))


def _validate(course: Course) -> None:
    """The course's rules as one domain error for the first field that breaks
    one; the dates' rules first, with their own words."""
    if not course.on_request and course.starts_on is None:
        raise DomainError(
            _("Give a start date, or mark the course as on request."), field="starts_on"
        )
    if course.starts_on and course.ends_on and course.ends_on < course.starts_on:
        raise DomainError(_("The course cannot end before it starts."), field="ends_on")
    if not course.audiences:
        raise DomainError(_("Say who may join."), field="audiences")
    try:
        course.full_clean(exclude=["slug", "provider", "created_by"], validate_unique=False)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise DomainError(messages[0], field=None if field == "__all__" else field) from None


def _skills_set(*, course: Course, skills: Iterable[tuple[Skill, int]]) -> None:
    chosen = {skill.pk: (skill, level) for skill, level in skills}
    if not chosen:
        raise DomainError(_("Name at least one skill the course teaches."), field="skills")
    CourseSkill.objects.filter(course=course).delete()
    CourseSkill.objects.bulk_create(
        CourseSkill(course=course, skill=skill, level=level) for skill, level in chosen.values()
    )


def _suggestions_stale() -> None:
    """The region's course suggestions depend on every published course."""
    task_send_on_commit("worker.course_suggestions_refresh")


@transaction.atomic
def course_create(
    *,
    provider: Organisation,
    by: User,
    fields: Mapping[str, Any],
    skills: Iterable[tuple[Skill, int]],
    publish: bool = False,
) -> Course:
    """A coach drafts (or publishes) a course of their learning location or school."""
    _provider_check(user=by, provider=provider)
    course = Course(
        provider=provider,
        created_by=by,
        is_published=publish,
        **{k: v for k, v in fields.items() if k in COURSE_FIELDS},
    )
    _validate(course)
    course.slug = accounts_services.unique_slug(Course, course.title, fallback="cursus", length=200)
    course.save()
    _skills_set(course=course, skills=skills)
    if publish:
        _suggestions_stale()
    return course


@transaction.atomic
def course_update(
    *,
    course: Course,
    by: User,
    fields: Mapping[str, Any],
    skills: Iterable[tuple[Skill, int]] | None = None,
) -> Course:
    _provider_check(user=by, provider=course.provider)
    course = Course.objects.select_for_update().get(pk=course.pk)
    for key, value in fields.items():
        if key in COURSE_FIELDS:
            setattr(course, key, value)
    _validate(course)
    course.save()
    if skills is not None:
        _skills_set(course=course, skills=skills)
    if course.is_published:
        _suggestions_stale()
    return course


@transaction.atomic
def course_publish_set(*, course: Course, by: User, published: bool) -> Course:
    _provider_check(user=by, provider=course.provider)
    Course.objects.filter(pk=course.pk).update(is_published=published, updated_at=timezone.now())
    course.refresh_from_db()
    _suggestions_stale()
    return course


@transaction.atomic
def enrolment_request(*, course: Course, user: User, motivation: str = "") -> Enrolment:
    """A person signs up; the provider's coach confirms. A second sign-up while
    one is open (or done) is refused, as is one outside the course's audience."""
    course = Course.objects.select_for_update().get(pk=course.pk)
    if not course.is_published:
        raise InvalidState(_("This course is not open for sign-ups."))
    group = selectors.group_of(user=user)
    if group is None:
        raise NotAllowed(_("Sign up as a student, career changer or company employee."))
    if group not in course.audiences:
        labels = ", ".join(course.audience_labels)
        raise NotAllowed(_("This course is for: %(who)s.") % {"who": labels})
    if course.starts_on and not course.on_request and course.starts_on < timezone.localdate():
        raise InvalidState(_("This course has already started."))
    if selectors.enrolment_live(course=course, user=user) is not None:
        raise InvalidState(_("You have already signed up for this course."))
    if course.seats is not None and selectors.seats_taken(course=course) >= course.seats:
        raise InvalidState(_("This course is full."))
    enrolment = Enrolment.objects.create(
        course=course, user=user, group=group, motivation=motivation.strip()[:2000]
    )
    task_send_on_commit("worker.notify_enrolment", enrolment.pk, "requested")
    return enrolment


def _enrolment_for_coach(*, enrolment: Enrolment, by: User) -> Enrolment:
    if not selectors.enrolments_for_provider(viewer=by).filter(pk=enrolment.pk).exists():
        raise NotAllowed(_("Only a coach of the course's provider decides on sign-ups."))
    return Enrolment.objects.select_for_update().select_related("course").get(pk=enrolment.pk)


@transaction.atomic
def enrolment_decide(*, enrolment: Enrolment, by: User, confirm: bool) -> Enrolment:
    enrolment = _enrolment_for_coach(enrolment=enrolment, by=by)
    if enrolment.status != EnrolmentStatus.REQUESTED:
        raise InvalidState(_("This sign-up has already been decided."))
    course = enrolment.course
    if (
        confirm
        and course.seats is not None
        and selectors.seats_taken(course=course) >= course.seats
    ):
        raise InvalidState(_("This course is full."))
    enrolment.status = EnrolmentStatus.CONFIRMED if confirm else EnrolmentStatus.DECLINED
    enrolment.decided_at, enrolment.decided_by = timezone.now(), by
    enrolment.save(update_fields=["status", "decided_at", "decided_by"])
    task_send_on_commit("worker.notify_enrolment", enrolment.pk, enrolment.status)
    return enrolment


@transaction.atomic
def enrolment_complete(*, enrolment: Enrolment, by: User) -> Enrolment:
    """The coach records that the person completed the course: its skills go on
    the person's profile at the level reached (a higher level they already hold
    stays), marked as from a course, and their suggestions are recomputed."""
    enrolment = _enrolment_for_coach(enrolment=enrolment, by=by)
    if enrolment.status != EnrolmentStatus.CONFIRMED:
        raise InvalidState(_("Only a confirmed sign-up can be completed."))
    added = []
    profile = Profile.objects.select_for_update().filter(user=enrolment.user).first()
    if profile is not None:
        held = {ps.skill_id: ps for ps in ProfileSkill.objects.filter(profile=profile)}
        for row in enrolment.course.course_skills.select_related("skill"):
            current = held.get(row.skill_id)
            if current is None:
                ProfileSkill.objects.create(
                    profile=profile, skill=row.skill, level=row.level, source=SkillSource.COURSE
                )
            elif current.level < row.level:
                current.level, current.source = row.level, SkillSource.COURSE
                current.save(update_fields=["level", "source"])
            else:
                continue
            added.append({"skill": row.skill.slug, "level": row.level})
    enrolment.status, enrolment.completed_at = EnrolmentStatus.COMPLETED, timezone.now()
    enrolment.skills_added = added
    enrolment.save(update_fields=["status", "completed_at", "skills_added"])
    if profile is not None and added:
        profile_save(profile=profile)  # new suggestions once this commits
    task_send_on_commit("worker.notify_enrolment", enrolment.pk, "completed")
    return enrolment


@transaction.atomic
def enrolment_withdraw(*, enrolment: Enrolment, by: User) -> Enrolment:
    if enrolment.user_id != by.pk:
        raise NotAllowed(_("Only the person who signed up can withdraw."))
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    if enrolment.status not in ENROLMENT_ACTIVE:
        raise InvalidState(_("This sign-up can no longer be withdrawn."))
    enrolment.status = EnrolmentStatus.WITHDRAWN
    enrolment.save(update_fields=["status"])
    return enrolment


def course_suggestions_refresh(*, profile_ids: Iterable[int] | None = None) -> int:
    """Rank the courses for these people (everyone who qualifies when None) from
    the gaps in their stored suggestions, and replace their stored course
    suggestions. Returns how many were stored."""
    from marketplace.models import Skill as SkillModel

    profile_ids = None if profile_ids is None else list(profile_ids)  # read twice below
    profiles = selectors.profiles_for_course_suggestions(profile_ids)
    ids = list(profiles.values_list("pk", flat=True))
    asked = set(profile_ids) if profile_ids is not None else None
    gaps = selectors.gaps_for(profile_ids=ids)
    courses = selectors.course_records()
    skills = list(SkillModel.objects.order_by("slug").values_list("slug", flat=True))
    ranked = courses_for_gaps(gaps=gaps, courses=courses, skills=skills, k=SUGGESTIONS_K)
    rows, rank = [], {}
    for s in ranked:
        rank[s.person_id] = rank.get(s.person_id, 0) + 1
        rows.append(
            CourseSuggestion(
                profile_id=s.person_id,
                course_id=s.course_id,
                rank=rank[s.person_id],
                score=s.score,
                closes=[{"skill": k, "level": v} for k, v in s.closes],
                openings=[
                    {
                        "opening": o.opening_id,
                        "must_total": o.must_total,
                        "met_before": o.met_before,
                        "met_after": o.met_after,
                    }
                    for o in s.openings
                ],
            )
        )
    with transaction.atomic():
        stale = CourseSuggestion.objects.all()
        if asked is not None:
            stale = stale.filter(profile_id__in=asked)
        stale.delete()
        CourseSuggestion.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def course_suggestions_refresh_for_opening(*, opening_id: int) -> int:
    """An opening's suggestions changed (it was published, edited or closed): the
    people it is suggested to have other gaps now, so their courses follow."""
    return course_suggestions_refresh(
        profile_ids=selectors.profiles_suggested_opening(opening_id=opening_id)
    )
