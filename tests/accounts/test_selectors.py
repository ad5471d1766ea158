"""Role checks, always with the outsider persona next to the insider."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts import selectors
from accounts.models import Role
from tests import factories
from tests.conftest import World

pytestmark = pytest.mark.django_db


def test_it_lists_roles_of_a_user_with_several(world: World) -> None:
    factories.MembershipFactory(user=world.dirk, organisation=world.location, role=Role.COUNSELLOR)
    factories.MembershipFactory(user=world.dirk, organisation=world.school_b, role=Role.STUDENT)
    assert selectors.user_roles(user=world.dirk) == {Role.COUNSELLOR, Role.STUDENT}
    assert selectors.user_roles(user=world.stranger) == set()
    assert selectors.user_roles(user=AnonymousUser()) == set()


def test_a_student_sees_only_themself(world: World) -> None:
    assert list(selectors.students_for_viewer(viewer=world.sam)) == [world.sam]
    assert selectors.user_can_view_student(viewer=world.sam, student=world.sam)
    assert not selectors.user_can_view_student(viewer=world.sam, student=world.lotte)


def test_a_counsellor_sees_their_own_schools_students(world: World) -> None:
    visible = set(selectors.students_for_viewer(viewer=world.dirk))
    assert visible == {world.sam, world.lotte}


def test_it_rejects_other_schools_counsellor(world: World) -> None:
    assert not selectors.user_can_view_student(viewer=world.olga, student=world.sam)
    assert not selectors.user_can_counsel_student(viewer=world.olga, student=world.sam)
    assert list(selectors.students_for_viewer(viewer=world.olga)) == []


def test_it_rejects_company_members_and_coordinators_and_strangers(world: World) -> None:
    for viewer in (world.bram, world.otto, world.carla, world.stranger):
        assert not selectors.user_can_view_student(viewer=viewer, student=world.sam)
        assert list(selectors.students_for_viewer(viewer=viewer)) == []


def test_it_rejects_anonymous_viewers(world: World) -> None:
    anonymous = AnonymousUser()
    assert not selectors.user_can_view_student(viewer=anonymous, student=world.sam)
    assert not selectors.user_can_counsel_student(viewer=anonymous, student=world.sam)


def test_it_rejects_an_inactive_counsellor(world: World) -> None:
    world.dirk.is_active = False
    world.dirk.save()
    assert not selectors.user_can_view_student(viewer=world.dirk, student=world.sam)


def test_a_learning_location_coach_sees_the_career_changers_they_coach(world: World) -> None:
    assert not selectors.user_can_view_student(viewer=world.cas, student=world.zeynep)
    factories.MembershipFactory(user=world.zeynep, organisation=world.location, role=Role.STUDENT)
    assert selectors.user_can_view_student(viewer=world.cas, student=world.zeynep)
    assert not selectors.user_can_view_student(viewer=world.cas, student=world.sam)


def test_a_career_changer_reviews_their_own_suggestions(world: World) -> None:
    assert selectors.user_is_self_directed_student(user=world.zeynep)
    assert selectors.user_can_review_suggestions_of(viewer=world.zeynep, student=world.zeynep)


def test_a_career_changer_who_joins_a_school_no_longer_reviews_alone(world: World) -> None:
    factories.MembershipFactory(user=world.zeynep, organisation=world.school_b, role=Role.STUDENT)
    assert not selectors.user_is_self_directed_student(user=world.zeynep)
    assert not selectors.user_can_review_suggestions_of(viewer=world.zeynep, student=world.zeynep)
    assert selectors.user_can_review_suggestions_of(viewer=world.olga, student=world.zeynep)


def test_a_coached_career_changer_still_reviews_their_own_suggestions(world: World) -> None:
    factories.MembershipFactory(user=world.zeynep, organisation=world.location, role=Role.STUDENT)
    assert selectors.user_is_self_directed_student(user=world.zeynep)


def test_a_school_student_does_not_review_their_own_suggestions(world: World) -> None:
    assert not selectors.user_is_self_directed_student(user=world.sam)
    assert not selectors.user_can_review_suggestions_of(viewer=world.sam, student=world.sam)
    assert selectors.user_can_review_suggestions_of(viewer=world.dirk, student=world.sam)
    assert not selectors.user_can_review_suggestions_of(viewer=world.olga, student=world.sam)


def test_it_lets_members_manage_only_their_own_company(world: World) -> None:
    assert selectors.user_can_manage_organisation(user=world.bram, organisation=world.company_x)
    assert not selectors.user_can_manage_organisation(user=world.otto, organisation=world.company_x)
    assert not selectors.user_can_manage_organisation(user=world.sam, organisation=world.company_x)
    assert not selectors.user_can_manage_organisation(
        user=world.carla, organisation=world.company_x
    )


def test_it_lets_counsellors_manage_only_their_own_school(world: World) -> None:
    assert selectors.user_can_manage_organisation(user=world.dirk, organisation=world.school_a)
    assert not selectors.user_can_manage_organisation(user=world.olga, organisation=world.school_a)
    assert not selectors.user_can_manage_organisation(user=world.sam, organisation=world.school_a)


def test_it_lets_counsellors_invite_students_only_to_their_school(world: World) -> None:
    assert selectors.user_can_invite_to(
        user=world.dirk, organisation=world.school_a, role=Role.STUDENT
    )
    assert not selectors.user_can_invite_to(
        user=world.olga, organisation=world.school_a, role=Role.STUDENT
    )
    assert not selectors.user_can_invite_to(
        user=world.sam, organisation=world.school_a, role=Role.STUDENT
    )
    assert not selectors.user_can_invite_to(
        user=world.dirk, organisation=world.school_a, role=Role.COORDINATOR
    )


def test_it_lets_company_members_invite_only_colleagues(world: World) -> None:
    assert selectors.user_can_invite_to(
        user=world.bram, organisation=world.company_x, role=Role.COMPANY_MEMBER
    )
    assert not selectors.user_can_invite_to(
        user=world.bram, organisation=world.company_x, role=Role.STUDENT
    )
    assert not selectors.user_can_invite_to(
        user=world.otto, organisation=world.company_x, role=Role.COMPANY_MEMBER
    )


def test_only_coordinators_verify_companies(world: World) -> None:
    assert selectors.user_can_verify_companies(user=world.carla)
    for user in (world.bram, world.dirk, world.sam, world.stranger):
        assert not selectors.user_can_verify_companies(user=user)


def test_it_scopes_invitations_to_the_viewers_organisations(world: World) -> None:
    mine = factories.InvitationFactory(organisation=world.school_a)
    factories.InvitationFactory(organisation=world.school_b)
    assert list(selectors.invitations_for_viewer(viewer=world.dirk)) == [mine]
    assert list(selectors.invitations_for_viewer(viewer=world.sam)) == []


def test_under_16_needs_recorded_consent(world: World) -> None:
    assert selectors.user_needs_parental_consent(user=world.lotte)
    assert not selectors.user_needs_parental_consent(user=world.sam)
    # An unknown age counts as under 16 until someone records it or consent.
    assert selectors.user_needs_parental_consent(user=world.stranger)


@pytest.mark.parametrize(
    ("born", "today", "age"),
    [
        (dt.date(2010, 11, 28), dt.date(2026, 11, 27), 15),
        (dt.date(2010, 11, 27), dt.date(2026, 11, 27), 16),
        (dt.date(2008, 2, 29), dt.date(2026, 2, 28), 17),
        (dt.date(2008, 2, 29), dt.date(2026, 3, 1), 18),
    ],
)
def test_it_counts_age_on_the_birthday(born: dt.date, today: dt.date, age: int) -> None:
    assert selectors.age_on(date_of_birth=born, today=today) == age
