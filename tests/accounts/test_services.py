"""Sign-ups, invitations, verification and consent, through the services."""

from __future__ import annotations

import datetime as dt
import re
import threading

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from accounts import selectors, services
from accounts.exceptions import DomainError, InvalidState, NotAllowed
from accounts.models import Invitation, Membership, Organisation, Role, User
from tests import factories
from tests.conftest import World

pytestmark = pytest.mark.django_db
ADULT = dt.date(1990, 3, 14)


def test_a_career_changer_signs_up_without_a_school(django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        user = services.career_changer_signup(
            email="Zeynep@Example.nl",
            full_name="Zeynep",
            password="Sterk-wachtwoord-42",
            date_of_birth=ADULT,
        )
    assert user.email == "zeynep@example.nl"
    assert user.check_password("Sterk-wachtwoord-42")
    assert selectors.user_is_self_directed_student(user=user)
    # Closed until the e-mailed link is opened.
    assert not user.is_active
    assert user.signup_pending_since is not None
    assert [m.to for m in mail.outbox] == [["zeynep@example.nl"]]
    link = re.search(r"/signup/confirm/([^/]+)/([^/\s]+)/", mail.outbox[0].body)
    opened = services.signup_confirm(uidb64=link.group(1), token=link.group(2))
    assert opened.is_active
    assert opened.signup_pending_since is None
    with pytest.raises(InvalidState):  # once
        services.signup_confirm(uidb64=link.group(1), token=link.group(2))


def test_it_sends_under_16s_to_their_school() -> None:
    young = timezone.localdate().replace(year=timezone.localdate().year - 13, day=1)
    with pytest.raises(DomainError) as info:
        services.career_changer_signup(
            email="kid@example.nl",
            full_name="Kid",
            password="Sterk-wachtwoord-42",
            date_of_birth=young,
        )
    assert info.value.field == "date_of_birth"
    assert not User.objects.filter(email="kid@example.nl").exists()


def test_it_refuses_a_weak_password_with_the_field_named() -> None:
    with pytest.raises(DomainError) as info:
        services.career_changer_signup(
            email="a@example.nl", full_name="A", password="12345678", date_of_birth=ADULT
        )
    assert info.value.field == "password"
    assert not User.objects.exists()


def test_a_second_sign_up_for_an_address_tells_its_owner_only(
    world: World, django_capture_on_commit_callbacks
) -> None:
    before = User.objects.get(pk=world.sam.pk)
    with django_capture_on_commit_callbacks(execute=True):
        taken = services.career_changer_signup(
            email=world.sam.email.upper(),
            full_name="Sam 2",
            password="Sterk-wachtwoord-42",
            date_of_birth=ADULT,
        )
        company = services.company_signup(
            email=world.sam.email,
            full_name="Sam 3",
            password="Sterk-wachtwoord-42",
            company_name="Overname BV",
            kvk_number="87654321",
            sector="metal",
            size_class="small",
        )
    assert taken is None
    assert company is None
    after = User.objects.get(pk=world.sam.pk)
    assert (after.full_name, after.password, after.is_active) == (
        before.full_name,
        before.password,
        True,
    )
    assert not Organisation.objects.filter(kvk_number="87654321").exists()
    assert [m.to for m in mail.outbox] == [[world.sam.email]] * 2
    assert "al een account" in mail.outbox[0].body or "already have" in mail.outbox[0].body


def test_unconfirmed_sign_ups_are_forgotten_with_their_company() -> None:
    pair = services.company_signup(
        email="wacht@linge.nl",
        full_name="Wacht",
        password="Sterk-wachtwoord-42",
        company_name="Nooit Bevestigd",
        kvk_number="33333333",
        sector="metal",
        size_class="small",
    )
    assert pair is not None
    assert pair[1] not in selectors.companies_awaiting_verification()
    assert services.signups_unconfirmed_delete(before=timezone.now() - dt.timedelta(days=1)) == 0
    assert services.signups_unconfirmed_delete(before=timezone.now() + dt.timedelta(1)) == 1
    assert not User.objects.filter(email="wacht@linge.nl").exists()
    assert not Organisation.objects.filter(kvk_number="33333333").exists()


def test_a_company_signs_up_unverified_with_its_member() -> None:
    user, company = services.company_signup(
        email="bram@linge.nl",
        full_name="Bram",
        password="Sterk-wachtwoord-42",
        company_name="Linge Metaal",
        kvk_number="1234 5678",
        sector="metal",
        size_class="small",
    )
    assert company.kvk_number == "12345678"
    assert company.slug == "linge-metaal"
    assert not company.is_verified
    assert Membership.objects.filter(user=user, organisation=company, role=Role.COMPANY_MEMBER)


def test_it_refuses_a_known_kvk_number_and_keeps_nothing(world: World) -> None:
    with pytest.raises(DomainError) as info:
        services.company_signup(
            email="new@example.nl",
            full_name="New",
            password="Sterk-wachtwoord-42",
            company_name="Copy",
            kvk_number=world.company_x.kvk_number,
            sector="metal",
            size_class="small",
        )
    assert info.value.field == "kvk_number"
    assert not User.objects.filter(email="new@example.nl").exists()


def test_it_refuses_a_role_in_the_wrong_kind_of_organisation(world: World) -> None:
    with pytest.raises(DomainError):
        services.membership_create(
            user=world.sam, role=Role.COMPANY_MEMBER, organisation=world.school_a
        )
    with pytest.raises(DomainError):
        services.membership_create(user=world.sam, role=Role.COORDINATOR, organisation=None)
    with pytest.raises(DomainError):
        services.membership_create(user=world.sam, role=Role.STUDENT, organisation=world.company_x)


def test_a_counsellor_invites_and_a_student_joins(world: World) -> None:
    invitation = services.invitation_create(
        organisation=world.school_a, created_by=world.dirk, email="Nina@Example.nl"
    )
    assert invitation.email == "nina@example.nl"
    user = services.invitation_accept_signup(
        invitation=invitation,
        email="nina@example.nl",
        full_name="Nina",
        password="Sterk-wachtwoord-42",
        date_of_birth=dt.date(2010, 6, 1),
    )
    assert selectors.user_can_view_student(viewer=world.dirk, student=user)
    assert not selectors.user_can_view_student(viewer=world.olga, student=user)
    invitation.refresh_from_db()
    assert invitation.accepted_by == user


def test_it_rejects_other_schools_counsellor_creating_an_invitation(world: World) -> None:
    with pytest.raises(NotAllowed):
        services.invitation_create(organisation=world.school_a, created_by=world.olga)
    with pytest.raises(NotAllowed):
        services.invitation_create(organisation=world.school_a, created_by=world.sam)
    assert not Invitation.objects.exists()


def test_an_invitation_works_once(world: World) -> None:
    invitation = services.invitation_create(organisation=world.school_a, created_by=world.dirk)
    services.invitation_accept_signup(
        invitation=invitation,
        email="one@example.nl",
        full_name="One",
        password="Sterk-wachtwoord-42",
        date_of_birth=ADULT,
    )
    with pytest.raises(InvalidState):
        services.invitation_accept_signup(
            invitation=invitation,
            email="two@example.nl",
            full_name="Two",
            password="Sterk-wachtwoord-42",
            date_of_birth=ADULT,
        )
    assert not User.objects.filter(email="two@example.nl").exists()


def test_an_expired_invitation_is_refused(world: World) -> None:
    invitation = factories.InvitationFactory(
        organisation=world.school_a,
        created_at=timezone.now() - dt.timedelta(days=40),
        expires_at=timezone.now() - dt.timedelta(days=10),
    )
    with pytest.raises(InvalidState):
        services.invitation_accept_existing(invitation=invitation, user=world.zeynep)
    assert not Membership.objects.filter(user=world.zeynep, organisation=world.school_a).exists()


def test_an_addressed_invitation_refuses_another_address(world: World) -> None:
    invitation = services.invitation_create(
        organisation=world.school_a, created_by=world.dirk, email="nina@example.nl"
    )
    with pytest.raises(DomainError) as info:
        services.invitation_accept_signup(
            invitation=invitation,
            email="mallory@example.nl",
            full_name="M",
            password="Sterk-wachtwoord-42",
            date_of_birth=ADULT,
        )
    assert info.value.field == "email"
    with pytest.raises(NotAllowed):
        services.invitation_accept_existing(invitation=invitation, user=world.zeynep)


def test_an_existing_user_joins_through_an_invitation(world: World) -> None:
    invitation = services.invitation_create(organisation=world.location, created_by=world.cas)
    services.invitation_accept_existing(invitation=invitation, user=world.zeynep)
    assert selectors.user_can_view_student(viewer=world.cas, student=world.zeynep)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_racing_acceptances_use_an_invitation_once(world: World) -> None:
    invitation = services.invitation_create(organisation=world.school_a, created_by=world.dirk)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def accept(user: User) -> None:
        try:
            barrier.wait()
            services.invitation_accept_existing(
                invitation=Invitation.objects.get(pk=invitation.pk), user=user
            )
            outcomes.append("joined")
        except InvalidState:
            outcomes.append("refused")
        finally:
            connection.close()

    rival = factories.UserFactory(date_of_birth=ADULT)
    threads = [threading.Thread(target=accept, args=(u,)) for u in (world.zeynep, rival)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["joined", "refused"]
    assert Membership.objects.filter(organisation=world.school_a, role=Role.STUDENT).count() == 3


def test_a_coordinator_verifies_a_company_once(world: World) -> None:
    services.company_verify(company=world.company_x, coordinator=world.carla)
    world.company_x.refresh_from_db()
    assert world.company_x.verified_by == world.carla
    with pytest.raises(InvalidState):
        services.company_verify(company=world.company_x, coordinator=world.carla)


def test_it_rejects_verification_by_anyone_but_a_coordinator(world: World) -> None:
    for user in (world.bram, world.dirk, world.sam):
        with pytest.raises(NotAllowed):
            services.company_verify(company=world.company_y, coordinator=user)
    assert not Organisation.objects.get(pk=world.company_y.pk).is_verified


def test_a_counsellor_records_parental_consent(world: World) -> None:
    services.parental_consent_record(student=world.lotte, counsellor=world.dirk)
    assert world.lotte.parental_consent_by == world.dirk
    assert not selectors.user_needs_parental_consent(user=world.lotte)


def test_it_rejects_consent_recorded_by_other_schools_counsellor(world: World) -> None:
    with pytest.raises(NotAllowed):
        services.parental_consent_record(student=world.lotte, counsellor=world.olga)
    with pytest.raises(NotAllowed):
        services.parental_consent_record(student=world.lotte, counsellor=world.lotte)
    world.lotte.refresh_from_db()
    assert world.lotte.parental_consent_at is None


def test_a_company_signup_that_fails_late_keeps_no_user() -> None:
    # The user row is written before the company is validated: the whole
    # sign-up must roll back.
    with pytest.raises(DomainError) as info:
        services.company_signup(
            email="late@example.nl",
            full_name="Late",
            password="Sterk-wachtwoord-42",
            company_name="Bakkerij",
            kvk_number="55555555",
            sector="bakery",
            size_class="small",
        )
    assert info.value.field == "sector"
    assert not User.objects.filter(email="late@example.nl").exists()
    assert not Organisation.objects.filter(kvk_number="55555555").exists()


def test_two_companies_with_one_name_get_two_slugs() -> None:
    _user, first = services.company_signup(
        email="a@linge.nl",
        full_name="A",
        password="Sterk-wachtwoord-42",
        company_name="Linge Metaal",
        kvk_number="11111111",
        sector="metal",
        size_class="small",
    )
    _user, second = services.company_signup(
        email="b@linge.nl",
        full_name="B",
        password="Sterk-wachtwoord-42",
        company_name="Linge Metaal",
        kvk_number="22222222",
        sector="metal",
        size_class="small",
    )
    assert (first.slug, second.slug) == ("linge-metaal", "linge-metaal-2")


def test_a_student_invitation_needs_a_date_of_birth(world: World) -> None:
    invitation = services.invitation_create(organisation=world.school_a, created_by=world.dirk)
    with pytest.raises(DomainError) as info:
        services.invitation_accept_signup(
            invitation=invitation,
            email="n@example.nl",
            full_name="N",
            password="Sterk-wachtwoord-42",
            date_of_birth=None,
        )
    assert info.value.field == "date_of_birth"
    future = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(DomainError, match="toekomst"):
        services.invitation_accept_signup(
            invitation=invitation,
            email="n@example.nl",
            full_name="N",
            password="Sterk-wachtwoord-42",
            date_of_birth=future,
        )
    assert not User.objects.filter(email="n@example.nl").exists()
    assert Invitation.objects.get(pk=invitation.pk).accepted_at is None


def test_a_colleague_invitation_needs_an_email_address(world: World) -> None:
    with pytest.raises(DomainError) as info:
        services.invitation_create(
            organisation=world.school_a, created_by=world.dirk, role=Role.COUNSELLOR
        )
    assert info.value.field == "email"
    with pytest.raises(DomainError):
        services.invitation_create(
            organisation=world.company_x, created_by=world.bram, role=Role.COMPANY_MEMBER
        )
    assert not Invitation.objects.exists()


def test_an_existing_account_without_birth_date_gives_it_to_join_as_student(
    world: World,
) -> None:
    invitation = services.invitation_create(organisation=world.school_a, created_by=world.dirk)
    with pytest.raises(DomainError) as info:
        services.invitation_accept_existing(invitation=invitation, user=world.bram)
    assert info.value.field == "date_of_birth"
    assert Invitation.objects.get(pk=invitation.pk).accepted_at is None
    services.invitation_accept_existing(
        invitation=invitation, user=world.bram, date_of_birth=dt.date(2011, 2, 2)
    )
    world.bram.refresh_from_db()
    assert world.bram.date_of_birth == dt.date(2011, 2, 2)
    assert selectors.user_needs_parental_consent(user=world.bram)
