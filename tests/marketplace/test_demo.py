"""The demo region: believable, repeatable, and every demo login works."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.test import Client

from accounts.demo import DEMO_PASSWORD
from accounts.models import Membership, Organisation, OrganisationKind, User
from learning.models import GuestOffer, GuestRequest
from marketplace.models import Opening, OpeningSkill, Profile, ProfileSkill, Skill

pytestmark = pytest.mark.django_db
MODELS = [
    User,
    Membership,
    Organisation,
    Opening,
    OpeningSkill,
    Profile,
    ProfileSkill,
    Skill,
    GuestOffer,
    GuestRequest,
]


@pytest.fixture
def demo() -> None:
    """The region alone; tests/matching/test_demo_walk.py covers its suggestions."""
    call_command("seed_demo", force=True, without_suggestions=True, stdout=io.StringIO())


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def test_seed_demo_twice_leaves_the_same_row_counts(demo: None) -> None:
    before = _counts()
    call_command("seed_demo", force=True, without_suggestions=True, stdout=io.StringIO())
    assert _counts() == before


def test_the_demo_region_is_big_enough(demo: None) -> None:
    companies = Organisation.objects.filter(kind=OrganisationKind.COMPANY)
    assert companies.count() >= 60
    assert set(companies.values_list("municipality", flat=True)) >= {
        "De Ronde Venen",
        "Stichtse Vecht",
        "Woerden",
        "Montfoort",
        "Lopik",
        "Oudewater",
        "IJsselstein",
    }
    assert Opening.objects.count() >= 150
    assert Profile.objects.count() >= 400
    assert Profile.objects.filter(is_career_changer=True).count() >= 30
    names = set(Organisation.objects.values_list("name", flat=True))
    assert {
        "ROC Midden-Nederland",
        "Veenlanden College",
        "Minkema College",
        "Kalsbeek College",
        "MBO Rijnland",
        "Wellant College",
        "Vakcentrum voor de Maakindustrie",
        "TechnoHub Woerden",
        "MakerSpace Veenlanden College",
    } <= names


def test_demo_companies_are_marked_fictional(demo: None) -> None:
    demo_companies = Organisation.objects.filter(slug__startswith="demo-bedrijf-")
    assert all(c.name.endswith("(fictief)") for c in demo_companies)


def test_every_demo_opening_asks_for_skills_and_bol_bbl_only_at_recognised_companies(
    demo: None,
) -> None:
    assert not Opening.objects.annotate(n=Count("opening_skills")).filter(n=0).exists()
    assert not Opening.objects.filter(
        type__in=["bol", "bbl"], company__sbb_recognised=False
    ).exists()


def test_demo_profiles_are_dutch_and_have_skills(demo: None) -> None:
    assert not Profile.objects.annotate(n=Count("profile_skills")).filter(n=0).exists()
    about = " ".join(Profile.objects.values_list("about", flat=True)[:50])
    assert " ik " in f" {about.lower()} "


def test_students_belong_to_a_school_or_are_career_changers(demo: None) -> None:
    school_kids = Profile.objects.filter(
        is_career_changer=False, user__email__startswith="student0"
    )
    assert not school_kids.filter(school__isnull=True).exists()
    for profile in school_kids[:20]:
        assert profile.user.memberships.filter(organisation=profile.school).exists()


def test_seed_demo_scales_up_without_touching_existing_rows(demo: None) -> None:
    first = Opening.objects.order_by("slug").values_list("slug", "title")[0]
    call_command(
        "seed_demo",
        force=True,
        students=450,
        openings=170,
        without_suggestions=True,
        stdout=io.StringIO(),
    )
    assert Profile.objects.filter(user__email__regex=r"^student[0-9]{5}@").count() == 450
    assert Opening.objects.filter(slug__startswith="demo-vacature-").count() == 170
    assert Opening.objects.order_by("slug").values_list("slug", "title")[0] == first


@pytest.mark.parametrize(
    ("email", "page"),
    [
        ("coordinator@demo.maakmatch.nl", "/coordinator/companies/"),
        ("decaan@demo.maakmatch.nl", "/counsellor/students/"),
        ("coach@demo.maakmatch.nl", "/counsellor/students/"),
        ("student@demo.maakmatch.nl", "/dashboard/"),
        ("zijinstromer@demo.maakmatch.nl", "/dashboard/"),
        ("bedrijf@demo.maakmatch.nl", "/dashboard/"),
        ("admin@demo.maakmatch.nl", "/admin/"),
    ],
)
def test_each_demo_login_works(demo: None, client: Client, email: str, page: str) -> None:
    response = client.post("/accounts/login/", {"username": email, "password": DEMO_PASSWORD})
    assert response.status_code == 302, email
    response = client.get(page)
    if email.startswith(("coordinator@", "admin@")):
        # The region's data: first the second factor (an authenticator app).
        assert response.status_code == 302
        assert response["Location"].startswith("/account/two-factor/")
    else:
        assert response.status_code == 200


def test_the_home_page_lists_the_demo_openings(demo: None, client: Client) -> None:
    html = client.get("/").content.decode()
    shown = Opening.objects.filter(status="open", company__verified_at__isnull=False)
    assert shown.count() > 100
    assert shown.order_by("-published_at", "pk").first().title in html


def test_seed_demo_refuses_to_run_with_debug_off_unless_forced() -> None:
    with pytest.raises(CommandError, match="DEBUG off"):
        call_command("seed_demo", stdout=io.StringIO())
    assert not User.objects.exists()


def test_seed_demo_keeps_the_first_verification_time(demo: None) -> None:
    company = Organisation.objects.get(slug="metaalwerk-de-linge")
    call_command("seed_demo", force=True, without_suggestions=True, stdout=io.StringIO())
    assert Organisation.objects.get(pk=company.pk).verified_at == company.verified_at


def test_demo_school_students_are_in_classes(demo: None) -> None:
    at_school = Membership.objects.filter(
        role="student", organisation__kind=OrganisationKind.SCHOOL
    )
    assert at_school.count() > 100
    assert not at_school.filter(class_name="").exists()
    classes = set(at_school.values_list("class_name", flat=True))
    assert 10 < len(classes) < at_school.count() / 3  # real classes: several students each
    assert at_school.get(user__email="student@demo.maakmatch.nl").class_name == "EMM3A"
    # Career changers without a school have no class.
    assert not Membership.objects.filter(organisation__isnull=True).exclude(class_name="").exists()


def test_demo_guest_lessons_show_each_side_something(demo: None) -> None:
    """Offers from four companies; the demo company has a request waiting for its
    answer; the demo schools have one given and one planned, so the region's
    figures and every role's guest-lesson page have content."""
    assert GuestOffer.objects.values("company").distinct().count() == 4
    statuses = dict(
        GuestRequest.objects.values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    assert statuses == {"given": 1, "planned": 1, "sent": 1}
    waiting = GuestRequest.objects.get(status="sent")
    assert waiting.offer.company.slug == "metaalwerk-de-linge"
    planned = GuestRequest.objects.get(status="planned")
    assert planned.chosen is not None
    client = Client()
    client.force_login(User.objects.get(email="bedrijf@demo.maakmatch.nl"))
    page = client.get("/guest-lessons/").content.decode()
    assert waiting.topic in page
    client.force_login(User.objects.get(email="coach@demo.maakmatch.nl"))
    page = client.get("/guest-lessons/").content.decode()
    assert planned.topic in page  # a learning location's coach follows the region
