"""The pages of the foundation: public, sign-up, invitations, counsellor and coordinator."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from accounts import selectors, services
from accounts.models import Invitation, Organisation, Role, User
from audit.models import AuditEntry
from tests.conftest import World, login_with_second_factor
from tests.factories import PASSWORD, CompanyFactory, OpeningFactory

pytestmark = pytest.mark.django_db


def _login(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def test_home_is_dutch_by_default(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="nl" ' in html
    assert "Leren en werken in de maakindustrie in Utrecht-West" in html


def test_home_switches_to_english(client: Client) -> None:
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get("/").content.decode()
    assert '<html lang="en" ' in html
    assert "Learn and work in manufacturing in Utrecht-West" in html


def test_health_reports_ok(client: Client) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}


def _confirm_from_mail(client: Client, mailbox: list) -> HttpResponse:
    link = re.search(r"https?://[^/]+(/signup/confirm/\S+/)", mailbox[-1].body).group(1)
    page = client.get(link)
    assert page.status_code == 200
    assert "<form" in page.content.decode()  # a button: a mail scanner's GET opens nothing
    return client.post(link)


CAREER_CHANGER = {
    "full_name": "Zeynep Yilmaz",
    "email": "zeynep@example.nl",
    "password": PASSWORD,
    "password_again": PASSWORD,
    "date_of_birth": "1990-03-14",
}


def test_a_career_changer_signs_up_and_lands_on_their_overview(
    client: Client, mailoutbox: list, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("web:signup_career_changer"), CAREER_CHANGER)
    assert response["Location"] == reverse("web:signup_sent")
    assert "Kijk in je e-mail" in client.get(response["Location"]).content.decode()
    user = User.objects.get(email="zeynep@example.nl")
    assert not user.is_active  # until the address is proven
    assert client.get(reverse("web:dashboard")).status_code == 302
    assert [m.to for m in mailoutbox] == [["zeynep@example.nl"]]
    opened = _confirm_from_mail(client, mailoutbox)
    assert opened["Location"] == reverse("web:dashboard")
    user = User.objects.get(email="zeynep@example.nl")
    assert selectors.user_is_self_directed_student(user=user)
    assert "zij-instromer" in client.get(reverse("web:dashboard")).content.decode()


def test_sign_up_never_says_whether_an_address_has_an_account(
    client: Client, world: World, mailoutbox: list, django_capture_on_commit_callbacks
) -> None:
    answers = []
    for email in ("nieuw@example.nl", world.sam.email.upper()):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("web:signup_career_changer"), {**CAREER_CHANGER, "email": email}
            )
        page = client.get(response["Location"]).content.decode()
        main = page[page.index("<main") : page.index("</main>")]
        answers.append((response.status_code, response["Location"], main))
    assert answers[0] == answers[1]
    # The owner is told, in their mailbox; their account is untouched.
    assert [m.to for m in mailoutbox] == [["nieuw@example.nl"], [world.sam.email]]
    assert reverse("login") in mailoutbox[1].body
    assert "/signup/confirm/" not in mailoutbox[1].body
    assert User.objects.get(pk=world.sam.pk).check_password(PASSWORD)
    assert User.objects.get(pk=world.sam.pk).full_name == world.sam.full_name
    # A weak password is refused either way, so that cannot tell it either.
    for email in ("nog-een@example.nl", world.sam.email):
        response = client.post(
            reverse("web:signup_career_changer"),
            {
                **CAREER_CHANGER,
                "email": email,
                "password": "12345678",
                "password_again": "12345678",
            },
        )
        assert response.status_code == 200
        assert "password" in response.context["form"].errors


def test_a_used_or_wrong_confirmation_link_opens_nothing(
    client: Client, mailoutbox: list, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("web:signup_career_changer"), CAREER_CHANGER)
    link = re.search(r"(/signup/confirm/\S+/)", mailoutbox[-1].body).group(1)
    forged = link.rstrip("/")[:-2] + "xx/"
    assert client.get(forged).status_code == 400
    assert client.post(forged).status_code == 400
    assert not User.objects.get(email="zeynep@example.nl").is_active
    assert client.post(link).status_code == 302
    client.logout()
    assert client.post(link).status_code == 400


def test_a_bad_sign_up_is_redisplayed_with_field_messages(client: Client) -> None:
    response = client.post(
        reverse("web:signup_career_changer"),
        {
            "full_name": "Zeynep",
            "email": "not-an-address",
            "password": PASSWORD,
            "password_again": "something-else",
            "date_of_birth": "",
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"email", "password_again", "date_of_birth"}
    assert 'value="Zeynep"' in response.content.decode()  # nothing typed is lost
    assert not User.objects.exists()


def test_a_domain_error_lands_on_its_field(client: Client) -> None:
    response = client.post(
        reverse("web:signup_career_changer"),
        {
            "full_name": "Kid",
            "email": "kid@example.nl",
            "password": PASSWORD,
            "password_again": PASSWORD,
            "date_of_birth": "2015-01-01",
        },
    )
    assert response.status_code == 200
    assert "school" in " ".join(response.context["form"].errors["date_of_birth"])


def test_a_company_signs_up_and_waits_for_verification(
    client: Client, mailoutbox: list, django_capture_on_commit_callbacks
) -> None:
    data = {
        "full_name": "Bram de Vries",
        "email": "bram@linge.nl",
        "password": PASSWORD,
        "password_again": PASSWORD,
        "company_name": "Linge Metaal",
        "kvk_number": "1234567",
        "sector": "metal",
        "size_class": "small",
        "municipality": "Woerden",
    }
    response = client.post(reverse("web:signup_company"), data)
    assert response.status_code == 200
    assert "8 cijfers" in response.content.decode()
    assert not Organisation.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("web:signup_company"), {**data, "kvk_number": "12345678"})
    assert response["Location"] == reverse("web:signup_sent")
    company = Organisation.objects.get(kvk_number="12345678")
    assert not company.is_verified
    opened = _confirm_from_mail(client, mailoutbox)
    assert opened["Location"] == reverse("web:dashboard")
    assert "wacht op controle" in client.get(reverse("web:dashboard")).content.decode()


def test_login_is_case_insensitive_on_email(client: Client, world: World) -> None:
    response = client.post(
        reverse("login"), {"username": world.sam.email.upper(), "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get(reverse("web:dashboard")).status_code == 200


def test_a_wrong_password_is_refused_with_a_message(client: Client, world: World) -> None:
    response = client.post(reverse("login"), {"username": world.sam.email, "password": "nope"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()


def test_pages_behind_login_redirect_anonymous_visitors(client: Client) -> None:
    for name in ("web:dashboard", "web:invitations", "web:students", "web:companies_to_verify"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_password_reset_sends_a_working_link(client: Client, world: World) -> None:
    client.post(reverse("password_reset"), {"email": world.sam.email})
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [world.sam.email]
    link = re.search(r"https?://[^\s]+/reset/[^\s]+/", message.body).group(0)
    response = client.get(link, follow=True)
    assert response.context["validlink"]
    new_password = "Nieuw-wachtwoord-77"
    response = client.post(
        response.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
    )
    assert response.status_code == 302
    world.sam.refresh_from_db()
    assert world.sam.check_password(new_password)


def test_password_reset_says_the_same_for_unknown_addresses(client: Client) -> None:
    response = client.post(reverse("password_reset"), {"email": "nobody@example.nl"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_a_counsellor_creates_an_invitation_and_a_student_joins(
    client: Client, world: World
) -> None:
    _login(client, world.dirk)
    response = client.post(
        reverse("web:invitations"),
        {"organisation": world.school_a.pk, "role": Role.STUDENT, "full_name": "Nina", "email": ""},
    )
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    page = client.get(reverse("web:invitations")).content.decode()
    assert invitation.token in page

    newcomer = Client()
    link = reverse("web:invitation_accept", args=[invitation.token])
    assert newcomer.get(link).status_code == 200
    response = newcomer.post(
        link,
        {
            "full_name": "Nina Bakker",
            "email": "nina@example.nl",
            "password": PASSWORD,
            "password_again": PASSWORD,
            "date_of_birth": "2009-04-01",
        },
    )
    assert response.status_code == 302
    nina = User.objects.get(email="nina@example.nl")
    assert selectors.user_can_view_student(viewer=world.dirk, student=nina)
    assert Client().get(link).status_code == 410  # used up


def test_an_unknown_invitation_token_is_gone(client: Client) -> None:
    assert client.get(reverse("web:invitation_accept", args=["nope"])).status_code == 410


def test_it_rejects_other_schools_counsellor_on_the_invitation_form(
    client: Client, world: World
) -> None:
    _login(client, world.olga)
    response = client.post(
        reverse("web:invitations"),
        {"organisation": world.school_a.pk, "role": Role.STUDENT, "full_name": "", "email": ""},
    )
    assert response.status_code == 200
    assert "organisation" in response.context["form"].errors
    assert not Invitation.objects.exists()


def test_it_shows_invitations_only_of_the_viewers_school(client: Client, world: World) -> None:
    theirs = services.invitation_create(organisation=world.school_a, created_by=world.dirk)
    _login(client, world.olga)
    assert theirs.token not in client.get(reverse("web:invitations")).content.decode()


@pytest.mark.parametrize("persona", ["sam", "bram", "carla", "stranger"])
def test_non_counsellors_cannot_open_counsellor_pages(
    client: Client, world: World, persona: str
) -> None:
    _login(client, getattr(world, persona))
    assert client.get(reverse("web:invitations")).status_code == 403
    assert client.get(reverse("web:students")).status_code == 403


def test_a_counsellor_lists_their_students_within_a_query_budget(
    client: Client, world: World, django_assert_num_queries: object
) -> None:
    _login(client, world.dirk)
    # * session  * user  * counsellor role check  * students  * audit entries (one insert)
    # * the students' stretch lists  * the header's unread notifications
    with django_assert_num_queries(7):
        response = client.get(reverse("web:students"))
    html = response.content.decode()
    assert world.sam.full_name in html
    assert world.lotte.full_name in html
    assert world.zeynep.full_name not in html
    # Seeing names and addresses is on the record, one entry per student shown.
    seen = AuditEntry.objects.filter(actor=world.dirk, action="view")
    assert sorted(seen.values_list("student__full_name", flat=True)) == sorted(
        [world.sam.full_name, world.lotte.full_name]
    )


def test_it_rejects_other_schools_counsellor_on_the_students_page(
    client: Client, world: World
) -> None:
    _login(client, world.olga)
    html = client.get(reverse("web:students")).content.decode()
    assert world.sam.full_name not in html
    assert world.sam.email not in html


def test_a_counsellor_records_consent_from_the_students_page(client: Client, world: World) -> None:
    _login(client, world.dirk)
    response = client.post(reverse("web:parental_consent", args=[world.lotte.pk]))
    assert response.status_code == 302
    world.lotte.refresh_from_db()
    assert world.lotte.parental_consent_by == world.dirk


def test_it_rejects_consent_from_other_schools_counsellor(client: Client, world: World) -> None:
    _login(client, world.olga)
    response = client.post(reverse("web:parental_consent", args=[world.lotte.pk]))
    assert response.status_code == 404
    world.lotte.refresh_from_db()
    assert world.lotte.parental_consent_at is None


def test_a_coordinator_verifies_a_company_from_the_list(client: Client, world: World) -> None:
    login_with_second_factor(client, world.carla)
    assert world.company_x.name in client.get(reverse("web:companies_to_verify")).content.decode()
    response = client.post(reverse("web:company_verify", args=[world.company_x.pk]))
    assert response.status_code == 302
    world.company_x.refresh_from_db()
    assert world.company_x.verified_by == world.carla


@pytest.mark.parametrize("persona", ["bram", "dirk", "sam"])
def test_only_coordinators_reach_verification(client: Client, world: World, persona: str) -> None:
    _login(client, getattr(world, persona))
    assert client.get(reverse("web:companies_to_verify")).status_code == 403
    response = client.post(reverse("web:company_verify", args=[world.company_y.pk]))
    assert response.status_code == 403
    world.company_y.refresh_from_db()
    assert not world.company_y.is_verified


def test_the_admin_is_for_staff_only(client: Client, world: World) -> None:
    _login(client, world.carla)
    assert client.get("/admin/").status_code == 302
    staff = User.objects.create_superuser(
        email="admin@example.nl", password=PASSWORD, full_name="Admin"
    )
    login_with_second_factor(client, staff)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/accounts/organisation/").status_code == 200
    assert client.get("/admin/accounts/user/").status_code == 200


def test_home_lists_open_openings_of_verified_companies_only(client: Client) -> None:
    shown = OpeningFactory(title="Stage CNC-draaier bij Linge")
    OpeningFactory(title="Concept leerbaan", status="draft", published_at=None)
    OpeningFactory(title="Niet gecontroleerd", company=CompanyFactory(verified_at=None))
    html = client.get("/").content.decode()
    assert shown.title in html
    assert shown.company.name in html
    assert "Concept leerbaan" not in html
    assert "Niet gecontroleerd" not in html
    assert "1 openstaande vacature" in html
    assert html.count('id="openings-heading"') == 1
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    assert "<" not in title


@pytest.mark.parametrize("url", ["web:signup_career_changer", "web:invitations"])
def test_an_overlong_email_address_is_a_field_error_not_a_500(
    client: Client, world: World, url: str
) -> None:
    email = "a" * 300 + "@example.nl"
    if url == "web:invitations":
        _login(client, world.dirk)
        data = {"organisation": world.school_a.pk, "role": Role.STUDENT, "email": email}
    else:
        data = {
            "full_name": "X",
            "email": email,
            "password": PASSWORD,
            "password_again": PASSWORD,
            "date_of_birth": "1990-01-01",
        }
    response = client.post(reverse(url), data)
    assert response.status_code == 200
    assert "email" in response.context["form"].errors


def test_a_kvk_number_with_spaces_is_accepted(client: Client) -> None:
    response = client.post(
        reverse("web:signup_company"),
        {
            "full_name": "Bram",
            "email": "bram@linge.nl",
            "password": PASSWORD,
            "password_again": PASSWORD,
            "company_name": "Linge Metaal",
            "kvk_number": "1234 5678",
            "sector": "metal",
            "size_class": "small",
        },
    )
    assert response["Location"] == reverse("web:signup_sent")
    assert Organisation.objects.get().kvk_number == "12345678"


def test_signed_in_people_skip_the_sign_up_pages(client: Client, world: World) -> None:
    _login(client, world.sam)
    for name in ("web:signup", "web:signup_career_changer", "web:signup_company"):
        assert client.get(reverse(name))["Location"] == reverse("web:dashboard")


def test_an_existing_account_gives_a_birth_date_to_join_as_student(
    client: Client, world: World
) -> None:
    invitation = services.invitation_create(organisation=world.school_a, created_by=world.dirk)
    _login(client, world.bram)
    link = reverse("web:invitation_accept", args=[invitation.token])
    assert 'name="date_of_birth"' in client.get(link).content.decode()
    response = client.post(link, {"date_of_birth": ""})
    assert response.status_code == 200
    assert "date_of_birth" in response.context["form"].errors
    response = client.post(link, {"date_of_birth": "2010-05-05"})
    assert response.status_code == 302
    assert selectors.user_can_view_student(viewer=world.dirk, student=world.bram)


def test_a_person_makes_and_revokes_an_api_token_on_the_settings_page(
    client: Client, world: World
) -> None:
    _login(client, world.sam)
    page = client.post(reverse("web:api_tokens"), {"name": "Schoolsysteem"})
    assert page.status_code == 200
    key = re.search(r'<code id="new-token">([^<]+)</code>', page.content.decode()).group(1)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert api.get("/api/v1/me/").json()["email"] == world.sam.email
    token = world.sam.api_tokens.get()
    assert key not in client.get(reverse("web:api_tokens")).content.decode()  # shown once
    # Someone else cannot revoke it; its owner can.
    _login(client, world.otto)
    assert client.post(reverse("web:api_token_revoke", args=[token.pk])).status_code == 404
    _login(client, world.sam)
    client.post(reverse("web:api_token_revoke", args=[token.pk]))
    assert api.get("/api/v1/me/").status_code == 401


def test_an_empty_token_name_is_redisplayed_with_a_message(client: Client, world: World) -> None:
    _login(client, world.sam)
    page = client.post(reverse("web:api_tokens"), {"name": ""})
    assert page.status_code == 200
    assert "Dit veld is verplicht." in page.content.decode()
    assert not world.sam.api_tokens.exists()
