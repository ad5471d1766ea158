"""Reads about users, roles and organisations, and the role checks everything
else relies on ("may this user see this profile?").

Every check answers for a concrete viewer and object. Coordinators see
aggregates only, so no check here ever grants them a student's personal data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import Invitation, Membership, Organisation, OrganisationKind, Role, User


def _is_authenticated(user: User | None) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def user_roles(*, user: User) -> set[str]:
    if not _is_authenticated(user):
        return set()
    return set(Membership.objects.filter(user=user).values_list("role", flat=True))


def user_with_memberships(*, user_id: int) -> User:
    return User.objects.prefetch_related("memberships__organisation").get(pk=user_id)


# --- the second factor ------------------------------------------------------------
# The one place that decides which powers need a second factor (a TOTP code): the
# roles below, and the admin (staff). Pages, the API and the admin all ask here, so
# a new route cannot forget it: ``user_has_role`` itself refuses these roles to a
# user who has not passed it.
SECOND_FACTOR_ROLES = frozenset({Role.COORDINATOR})


def user_second_factor_required(*, user: User) -> bool:
    """Whether this account must pass a second factor before it uses its powers:
    admin staff, and holders of a role in ``SECOND_FACTOR_ROLES``."""
    if not _is_authenticated(user):
        return False
    if user.is_staff or user.is_superuser:
        return True
    return Membership.objects.filter(user=user, role__in=SECOND_FACTOR_ROLES).exists()


def user_second_factor_passed(*, user: User) -> bool:
    """Whether the request this user came with passed the second factor.

    django-otp marks a session's user (``is_verified()``, true once the one-time
    code was entered in that session); ``api.authentication`` marks a token's user
    the same way, true when the token was made after the code. A user read from
    the database for any other reason carries no mark and has passed nothing."""
    is_verified = getattr(user, "is_verified", None)
    return bool(callable(is_verified) and is_verified())


def user_second_factor_missing(*, user: User) -> bool:
    """This user needs a second factor and has not passed it in this request."""
    return user_second_factor_required(user=user) and not user_second_factor_passed(user=user)


def user_holds_role(*, user: User, role: str, organisation: Organisation | None = None) -> bool:
    """Membership only: whether ``user`` holds ``role``, whatever this request
    passed. For what a person may do, ask ``user_has_role``."""
    if not _is_authenticated(user):
        return False
    memberships = Membership.objects.filter(user=user, role=role)
    if organisation is not None:
        memberships = memberships.filter(organisation=organisation)
    return memberships.exists()


def user_has_role(*, user: User, role: str, organisation: Organisation | None = None) -> bool:
    """Whether ``user`` may act in ``role`` now: they hold it, and, for a role in
    ``SECOND_FACTOR_ROLES``, passed the second factor in this request."""
    if role in SECOND_FACTOR_ROLES and not user_second_factor_passed(user=user):
        return False
    return user_holds_role(user=user, role=role, organisation=organisation)


def organisations_for_user(*, user: User, role: str) -> QuerySet[Organisation]:
    if not _is_authenticated(user):
        return Organisation.objects.none()
    return Organisation.objects.filter(memberships__user=user, memberships__role=role).distinct()


def student_organisations(*, student: User) -> QuerySet[Organisation]:
    return organisations_for_user(user=student, role=Role.STUDENT)


def user_is_self_directed_student(*, user: User) -> bool:
    """An adult without a school (career changer, retraining worker).

    They review their own suggestions; a learning-location coach may also coach them.
    """
    return (
        Membership.objects.filter(user=user, role=Role.STUDENT, organisation__isnull=True).exists()
        and not student_organisations(student=user).filter(kind=OrganisationKind.SCHOOL).exists()
    )


def students_for_viewer(*, viewer: User) -> QuerySet[User]:
    """The students whose personal data this viewer may see.

    A student sees themself; a counsellor sees the students of the schools and
    learning locations they counsel. Nobody else sees anyone.
    """
    if not _is_authenticated(viewer):
        return User.objects.none()
    counselled = Organisation.objects.filter(
        memberships__user=viewer, memberships__role=Role.COUNSELLOR
    )
    own = User.objects.filter(pk=viewer.pk, memberships__role=Role.STUDENT)
    coached = User.objects.filter(
        memberships__role=Role.STUDENT, memberships__organisation__in=counselled
    )
    return (own | coached).filter(erased_at__isnull=True).distinct()


def classes_for_counsellor(*, viewer: User) -> list[str]:
    """The class names (from class lists) of the students this viewer counsels."""
    return list(
        class_memberships_of_viewer(viewer=viewer)
        .exclude(class_name="")
        .order_by("class_name")
        .values_list("class_name", flat=True)
        .distinct()
    )


def class_memberships_of_viewer(*, viewer: User) -> QuerySet[Membership]:
    """Student memberships of the organisations the viewer counsels: where a
    counselled student's class is written."""
    return Membership.objects.filter(
        role=Role.STUDENT,
        organisation__in=organisations_for_user(user=viewer, role=Role.COUNSELLOR),
    )


def students_with_class(*, viewer: User) -> QuerySet[User]:
    """The viewer's students, each with ``class_name``: their class at one of the
    viewer's schools (empty when the class list did not say)."""
    return students_for_viewer(viewer=viewer).annotate(
        class_name=Coalesce(
            Subquery(
                class_memberships_of_viewer(viewer=viewer)
                .filter(user=OuterRef("pk"))
                .exclude(class_name="")
                .order_by("class_name")
                .values("class_name")[:1]
            ),
            Value(""),
        )
    )


def user_can_view_student(*, viewer: User, student: User) -> bool:
    return students_for_viewer(viewer=viewer).filter(pk=student.pk).exists()


def user_can_counsel_student(*, viewer: User, student: User) -> bool:
    """A counsellor of one of the student's organisations (not the student themself)."""
    if not _is_authenticated(viewer):
        return False
    return Membership.objects.filter(
        user=student,
        role=Role.STUDENT,
        organisation__memberships__user=viewer,
        organisation__memberships__role=Role.COUNSELLOR,
    ).exists()


def user_can_review_suggestions_of(*, viewer: User, student: User) -> bool:
    """Who approves a student's suggestions: their counsellor, or the adult
    without a school themself."""
    if user_can_counsel_student(viewer=viewer, student=student):
        return True
    return viewer.pk == student.pk and user_is_self_directed_student(user=student)


def user_can_manage_organisation(*, user: User, organisation: Organisation) -> bool:
    """Edit the organisation's page and act in its name."""
    role_for_kind = {
        OrganisationKind.COMPANY: Role.COMPANY_MEMBER,
        OrganisationKind.SCHOOL: Role.COUNSELLOR,
        OrganisationKind.LEARNING_LOCATION: Role.COUNSELLOR,
        OrganisationKind.REGION: Role.COORDINATOR,
    }
    return user_has_role(
        user=user, role=role_for_kind[organisation.kind], organisation=organisation
    )


def user_can_invite_to(*, user: User, organisation: Organisation, role: str) -> bool:
    """Counsellors invite students and colleagues; company members invite colleagues."""
    if organisation.kind in (OrganisationKind.SCHOOL, OrganisationKind.LEARNING_LOCATION):
        return role in (Role.STUDENT, Role.COUNSELLOR) and user_has_role(
            user=user, role=Role.COUNSELLOR, organisation=organisation
        )
    if organisation.kind == OrganisationKind.COMPANY:
        return role == Role.COMPANY_MEMBER and user_has_role(
            user=user, role=Role.COMPANY_MEMBER, organisation=organisation
        )
    return False


def user_can_verify_companies(*, user: User) -> bool:
    return user_has_role(user=user, role=Role.COORDINATOR)


def companies_awaiting_verification() -> QuerySet[Organisation]:
    """Unverified companies, except those whose sign-up still waits for its
    e-mailed link (nobody has proved the address yet)."""
    waiting = Membership.objects.filter(
        organisation=OuterRef("pk"), user__signup_pending_since__isnull=False
    )
    confirmed = Membership.objects.filter(
        organisation=OuterRef("pk"), user__signup_pending_since__isnull=True
    )
    return (
        Organisation.objects.filter(
            kind=OrganisationKind.COMPANY, verified_at__isnull=True, refused_at__isnull=True
        )
        .exclude(Exists(waiting) & ~Exists(confirmed))
        .order_by("created_at")
    )


def company_registrants(*, companies: Sequence[Organisation]) -> dict[int, Membership]:
    """Per company, its first member: the person who registered it."""
    first: dict[int, Membership] = {}
    rows = (
        Membership.objects.filter(organisation__in=companies, role=Role.COMPANY_MEMBER)
        .select_related("user")
        .order_by("created_at", "pk")
    )
    for row in rows:
        first.setdefault(row.organisation_id, row)
    return first


def age_on(*, date_of_birth: dt.date | None, today: dt.date | None = None) -> int | None:
    if date_of_birth is None:
        return None
    today = today or timezone.localdate()
    born = date_of_birth
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def is_minor_needing_consent(
    *, date_of_birth: dt.date | None, today: dt.date | None = None
) -> bool:
    age = age_on(date_of_birth=date_of_birth, today=today)
    return age is not None and age < settings.MAAKMATCH_PARENTAL_CONSENT_AGE


def user_needs_parental_consent(*, user: User, today: dt.date | None = None) -> bool:
    """Under-16s need parental consent recorded before companies may see them.

    An unknown age counts as under 16: privacy by default.
    """
    if user.parental_consent_at is not None:
        return False
    if user.date_of_birth is None:
        return True
    return is_minor_needing_consent(date_of_birth=user.date_of_birth, today=today)


def invitations_for_viewer(*, viewer: User) -> QuerySet[Invitation]:
    managed = Organisation.objects.filter(
        memberships__user=viewer,
        memberships__role__in=[Role.COUNSELLOR, Role.COMPANY_MEMBER],
    )
    return Invitation.objects.filter(organisation__in=managed).select_related("organisation")


def invitation_accepted_by(*, user: User) -> Invitation | None:
    """The latest student invitation this person accepted: what their school's
    class list said about them (level, programme, crebo, class)."""
    return (
        Invitation.objects.filter(accepted_by=user, role=Role.STUDENT)
        .order_by("-accepted_at")
        .first()
    )


def invitation_by_token(*, token: str) -> Invitation | None:
    return Invitation.objects.select_related("organisation").filter(token=token).first()
