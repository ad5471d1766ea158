"""Every database constraint in accounts: the invalid row is refused by the database."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import Invitation, Membership, Organisation, Role, User
from tests import factories
from tests.assertions import assert_refused

pytestmark = pytest.mark.django_db


def _company(**overrides: object) -> Organisation:
    fields = {
        "kind": "company",
        "name": "Draaierij Test",
        "slug": f"draaierij-{Organisation.objects.count()}",
        "kvk_number": "12345678",
        "sector": "metal",
        "size_class": "micro",
    }
    fields.update(overrides)
    return Organisation.objects.create(**fields)


def _school(**overrides: object) -> Organisation:
    fields = {
        "kind": "school",
        "name": "Testschool",
        "slug": f"testschool-{Organisation.objects.count()}",
        "brin_code": "12AB",
    }
    fields.update(overrides)
    return Organisation.objects.create(**fields)


def test_valid_rows_are_accepted() -> None:
    # The baseline every refusal below differs from in exactly one way.
    _company()
    _school()
    Organisation.objects.create(kind="region", name="Regio", slug="regio")
    Organisation.objects.create(kind="learning_location", name="Hub", slug="hub")
    assert Organisation.objects.count() == 4


@pytest.mark.parametrize("kind", ["", "club"])
def test_it_refuses_an_unknown_organisation_kind(kind: str) -> None:
    assert_refused(
        lambda: Organisation.objects.create(kind=kind, name="X", slug="x"), "org_kind_valid"
    )


@pytest.mark.parametrize("kvk", ["", "1234567", "123456789", "1234567a", "12 345678"])
def test_it_refuses_a_company_without_an_8_digit_kvk_number(kvk: str) -> None:
    assert_refused(lambda: _company(kvk_number=kvk), "org_kvk_only_and_valid_for_company")


def test_it_refuses_a_kvk_number_on_a_school() -> None:
    assert_refused(lambda: _school(kvk_number="12345678"), "org_kvk_only_and_valid_for_company")


def test_it_refuses_two_companies_with_one_kvk_number() -> None:
    _company(kvk_number="87654321")
    assert_refused(lambda: _company(kvk_number="87654321"))


@pytest.mark.parametrize("brin", ["", "1234", "AB12", "12ab", "12ABC"])
def test_it_refuses_a_school_without_a_valid_brin_code(brin: str) -> None:
    assert_refused(lambda: _school(brin_code=brin), "org_brin_only_and_valid_for_school")


def test_it_refuses_a_brin_code_on_a_company() -> None:
    assert_refused(lambda: _company(brin_code="12AB"), "org_brin_only_and_valid_for_school")


def test_it_refuses_two_schools_with_one_brin_code() -> None:
    _school(brin_code="34CD")
    assert_refused(lambda: _school(brin_code="34CD"))


@pytest.mark.parametrize(
    "overrides", [{"sector": ""}, {"size_class": ""}, {"sector": "bakery"}, {"size_class": "huge"}]
)
def test_it_refuses_a_company_without_valid_sector_and_size(overrides: dict) -> None:
    assert_refused(lambda: _company(**overrides), "org_company_has_sector_and_size")


def test_it_refuses_sbb_recognition_without_a_date() -> None:
    assert_refused(
        lambda: _company(sbb_recognised=True), "org_sbb_recognition_dated_and_company_only"
    )


def test_it_refuses_an_sbb_date_without_recognition() -> None:
    assert_refused(
        lambda: _company(sbb_recognised_on=dt.date(2024, 1, 1)),
        "org_sbb_recognition_dated_and_company_only",
    )


def test_it_refuses_sbb_recognition_of_a_school() -> None:
    assert_refused(
        lambda: _school(sbb_recognised=True, sbb_recognised_on=dt.date(2024, 1, 1)),
        "org_sbb_recognition_dated_and_company_only",
    )


def test_it_refuses_verifying_a_school() -> None:
    assert_refused(lambda: _school(verified_at=timezone.now()), "org_only_companies_verified")


def test_it_refuses_a_verifier_without_a_time() -> None:
    verifier = factories.UserFactory()
    assert_refused(lambda: _company(verified_by=verifier), "org_verifier_has_time")


def test_it_refuses_duplicate_slugs() -> None:
    _company(slug="same")
    assert_refused(lambda: _school(slug="same"))


def test_it_refuses_two_users_whose_emails_differ_only_in_case() -> None:
    factories.UserFactory(email="sam@example.nl")
    assert_refused(lambda: User.objects.create(email="SAM@example.nl", full_name="Sam"))


def test_it_refuses_an_unknown_language() -> None:
    assert_refused(
        lambda: User.objects.create(email="a@example.nl", full_name="A", language="de"),
        "user_language_valid",
    )


def test_it_refuses_an_implausible_date_of_birth() -> None:
    assert_refused(
        lambda: User.objects.create(
            email="a@example.nl", full_name="A", date_of_birth=dt.date(1850, 1, 1)
        ),
        "user_date_of_birth_plausible",
    )


def test_it_refuses_a_consent_recorder_without_a_time() -> None:
    counsellor = factories.UserFactory()
    assert_refused(
        lambda: User.objects.create(
            email="a@example.nl", full_name="A", parental_consent_by=counsellor
        ),
        "user_parental_consent_has_time",
    )


def test_it_refuses_an_unknown_role() -> None:
    user, school = factories.UserFactory(), factories.SchoolFactory()
    assert_refused(
        lambda: Membership.objects.create(user=user, organisation=school, role="janitor"),
        "membership_role_valid",
    )


@pytest.mark.parametrize("role", [Role.COUNSELLOR, Role.COMPANY_MEMBER, Role.COORDINATOR])
def test_it_refuses_a_non_student_role_without_an_organisation(role: str) -> None:
    user = factories.UserFactory()
    assert_refused(
        lambda: Membership.objects.create(user=user, organisation=None, role=role),
        "membership_only_students_without_org",
    )


def test_it_refuses_the_same_role_twice_in_one_organisation() -> None:
    membership = factories.MembershipFactory()
    assert_refused(
        lambda: Membership.objects.create(
            user=membership.user, organisation=membership.organisation, role=membership.role
        )
    )


def test_it_refuses_two_self_directed_student_memberships() -> None:
    user = factories.UserFactory()
    Membership.objects.create(user=user, organisation=None, role=Role.STUDENT)
    assert_refused(
        lambda: Membership.objects.create(user=user, organisation=None, role=Role.STUDENT)
    )


def test_it_allows_several_roles_for_one_user() -> None:
    user, school = factories.UserFactory(), factories.SchoolFactory()
    Membership.objects.create(user=user, organisation=school, role=Role.STUDENT)
    Membership.objects.create(user=user, organisation=school, role=Role.COUNSELLOR)
    assert user.memberships.count() == 2


def test_it_refuses_an_invitation_that_expires_before_it_was_made() -> None:
    now = timezone.now()
    assert_refused(
        lambda: factories.InvitationFactory(created_at=now, expires_at=now),
        "invitation_expires_after_creation",
    )


def test_it_refuses_an_invitation_for_the_coordinator_role() -> None:
    assert_refused(
        lambda: factories.InvitationFactory(role=Role.COORDINATOR), "invitation_role_valid"
    )


def test_it_refuses_an_acceptor_without_an_acceptance_time() -> None:
    user = factories.UserFactory()
    assert_refused(
        lambda: factories.InvitationFactory(accepted_by=user), "invitation_acceptor_has_time"
    )


def test_it_refuses_duplicate_invitation_tokens() -> None:
    invitation = factories.InvitationFactory()
    assert_refused(lambda: factories.InvitationFactory(token=invitation.token))
    assert Invitation.objects.count() == 1


def test_membership_full_clean_refuses_a_role_in_the_wrong_kind_of_organisation() -> None:
    from django.core.exceptions import ValidationError

    user, company = factories.UserFactory(), factories.CompanyFactory()
    with pytest.raises(ValidationError, match="kan niet bij een bedrijf horen"):
        Membership(user=user, organisation=company, role=Role.STUDENT).full_clean()
    with pytest.raises(ValidationError, match="zonder organisatie"):
        Membership(user=user, organisation=None, role=Role.COUNSELLOR).full_clean()


def test_education_levels_must_be_known_levels() -> None:
    from django.core.exceptions import ValidationError

    school = factories.SchoolFactory(education_levels=["mbo2", "phd"])
    with pytest.raises(ValidationError, match="phd"):
        school.full_clean()
