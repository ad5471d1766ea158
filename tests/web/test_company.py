"""Company members' pages: the company page editor, openings (create, edit,
publish, close, duplicate), anonymised candidates with invite/decline, placement."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from marketplace.models import Opening, OpeningSkill, OpeningStatus, Placement
from matching.models import Match, MatchState
from tests import factories
from tests.conftest import World

pytestmark = pytest.mark.django_db
S = MatchState


@pytest.fixture
def verified(world: World) -> World:
    world.company_x.verified_at = timezone.now()
    world.company_x.sbb_recognised = True
    world.company_x.sbb_recognised_on = dt.date(2020, 1, 1)
    world.company_x.save()
    factories.SkillFactory(slug="cnc-draaien", label_nl="CNC-draaien", label_en="CNC turning")
    factories.SkillFactory(slug="lassen", label_nl="Lassen", label_en="Welding", synonyms=["TIG"])
    factories.PlaceFactory(name="Woerden")
    return world


def _opening_post(**overrides: str) -> dict[str, str]:
    start = timezone.localdate() + dt.timedelta(days=40)
    data = {
        "title": "Stage CNC-draaien",
        "description": "Draaien en frezen bij een familiebedrijf.",
        "type": "bol",
        "education_levels": ["mbo2", "mbo3"],
        "place": str(factories.PlaceFactory(name="Woerden").pk),
        "start_date": start.isoformat(),
        "end_date": (start + dt.timedelta(days=100)).isoformat(),
        "hours_per_week": "32",
        "capacity": "2",
        "skills-TOTAL_FORMS": "3",
        "skills-INITIAL_FORMS": "0",
        "skills-MIN_NUM_FORMS": "0",
        "skills-MAX_NUM_FORMS": "40",
        "skills-0-skill": "CNC turning",
        "skills-0-level": "2",
        "skills-0-importance": "must",
        "skills-1-skill": "tig",
        "skills-1-level": "1",
        "skills-1-importance": "nice",
        "skills-2-skill": "",
        "skills-2-level": "1",
        "skills-2-importance": "must",
    }
    data.update(overrides)
    return data


def test_a_member_creates_a_draft_with_skills_named_in_english_or_by_synonym(
    client: Client, verified: World
) -> None:
    client.force_login(verified.bram)
    response = client.post(reverse("web:opening_new"), _opening_post(), follow=True)
    opening = Opening.objects.get(title="Stage CNC-draaien")
    assert opening.status == OpeningStatus.DRAFT
    assert opening.company == verified.company_x
    rows = {
        (r.skill.slug, r.importance, r.min_level)
        for r in OpeningSkill.objects.filter(opening=opening)
    }
    assert rows == {("cnc-draaien", "must", 2), ("lassen", "nice", 1)}
    assert "is opgeslagen" in response.content.decode()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"skills-0-skill": "Onderwaterlassen"}, "staat niet in de lijst"),
        ({"end_date": "2020-01-01"}, "einddatum ligt vóór de begindatum"),
        ({"hours_per_week": "-4"}, "minstens 1"),
        ({"title": ""}, "Dit veld is verplicht"),
        ({"skills-1-skill": "CNC-draaien"}, "staat al in de lijst"),
    ],
)
def test_bad_input_redisplays_the_form_in_dutch_and_saves_nothing(
    client: Client, verified: World, overrides: dict, message: str
) -> None:
    client.force_login(verified.bram)
    response = client.post(reverse("web:opening_new"), _opening_post(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Opening.objects.exists()
    assert not OpeningSkill.objects.exists()


def test_bad_input_in_english(client: Client, verified: World) -> None:
    client.force_login(verified.bram)
    client.cookies["django_language"] = "en"
    response = client.post(
        reverse("web:opening_new"), _opening_post(**{"skills-0-skill": "Onderwaterlassen"})
    )
    assert "is not in the skills list" in response.content.decode()


def test_an_unrecognised_company_cannot_offer_bol(client: Client, verified: World) -> None:
    verified.company_x.sbb_recognised = False
    verified.company_x.sbb_recognised_on = None
    verified.company_x.save()
    client.force_login(verified.bram)
    response = client.post(reverse("web:opening_new"), _opening_post())
    assert response.status_code == 200
    assert "SBB" in response.content.decode()
    assert not Opening.objects.exists()


def test_publish_close_and_duplicate(client: Client, verified: World) -> None:
    client.force_login(verified.bram)
    client.post(reverse("web:opening_new"), _opening_post())
    opening = Opening.objects.get()
    client.post(reverse("web:opening_action", args=[opening.slug, "publish"]))
    opening.refresh_from_db()
    assert opening.status == OpeningStatus.OPEN
    client.post(reverse("web:opening_action", args=[opening.slug, "close"]))
    opening.refresh_from_db()
    assert opening.status == OpeningStatus.CLOSED
    response = client.post(reverse("web:opening_action", args=[opening.slug, "duplicate"]))
    copy = Opening.objects.exclude(pk=opening.pk).get()
    assert response["Location"] == reverse("web:opening_edit", args=[copy.slug])
    assert copy.status == OpeningStatus.DRAFT
    assert copy.title == opening.title
    assert set(copy.opening_skills.values_list("skill__slug", flat=True)) == {
        "cnc-draaien",
        "lassen",
    }


def test_editing_keeps_what_is_not_changed(client: Client, verified: World) -> None:
    client.force_login(verified.bram)
    client.post(reverse("web:opening_new"), _opening_post())
    opening = Opening.objects.get()
    page = client.get(reverse("web:opening_edit", args=[opening.slug])).content.decode()
    assert 'value="CNC-draaien"' in page  # the skill shows by its Dutch name
    client.post(
        reverse("web:opening_edit", args=[opening.slug]),
        _opening_post(title="Stage draaien en frezen", **{"skills-1-skill": ""}),
    )
    opening.refresh_from_db()
    assert opening.title == "Stage draaien en frezen"
    assert list(opening.opening_skills.values_list("skill__slug", flat=True)) == ["cnc-draaien"]


def test_the_company_page_editor(client: Client, verified: World) -> None:
    client.force_login(verified.bram)
    response = client.post(
        reverse("web:company_edit", args=[verified.company_x.slug]),
        {
            "description": "Wij draaien en frezen.",
            "website": "www.example.nl",
            "municipality": "Woerden",
            "sector": "metal",
            "size_class": "small",
            "learning_locations": [str(verified.location.pk)],
        },
    )
    assert response.status_code == 302
    verified.company_x.refresh_from_db()
    assert verified.company_x.description == "Wij draaien en frezen."
    assert verified.company_x.website == "https://www.example.nl"
    assert list(verified.company_x.learning_locations.all()) == [verified.location]


def _forwarded(world: World, state: str = S.STUDENT_YES) -> Match:
    profile = factories.ProfileFactory(user=world.sam, available_from=dt.date(2027, 2, 1))
    opening = factories.OpeningFactory(company=world.company_x, title="Stage monteur")
    return factories.MatchFactory(
        profile=profile,
        opening=opening,
        state=state,
        explanation={
            "distance_km": 7.3,
            "matched_skills": [{"skill": "cnc-draaien", "credit": 1.0}],
            "missing_must_haves": [{"skill": "lassen"}],
        },
    )


def test_candidates_are_anonymised_until_they_accept(client: Client, verified: World) -> None:
    match = _forwarded(verified)
    client.force_login(verified.bram)
    url = reverse("web:opening_candidates", args=[match.opening.slug])
    html = client.get(url).content.decode()
    assert "Kandidaat " in html
    assert verified.sam.full_name not in html
    assert verified.sam.email not in html
    assert "7.3" not in html
    assert "7,3" not in html
    assert "5-10 km" in html
    assert "CNC-draaien" in html
    assert "Lassen" in html
    Match.objects.filter(pk=match.pk).update(state=S.ACCEPTED)
    html = client.get(url).content.decode()
    assert verified.sam.full_name in html
    assert verified.sam.email in html


def test_invite_then_place(client: Client, verified: World) -> None:
    match = _forwarded(verified)
    client.force_login(verified.bram)
    base = (match.opening.slug, match.pk)
    response = client.post(
        reverse("web:candidate_step", args=[*base, "invite"]),
        {"message": "Kom langs!"},
        follow=True,
    )
    assert "is uitgenodigd" in response.content.decode()
    assert Match.objects.get(pk=match.pk).state == S.INVITED
    Match.objects.filter(pk=match.pk).update(state=S.ACCEPTED)
    client.post(
        reverse("web:candidate_step", args=[*base, "place"]),
        {"start_date": "2027-02-01", "end_date": "2027-06-30"},
    )
    assert Match.objects.get(pk=match.pk).state == S.PLACED
    placement = Placement.objects.get()
    assert placement.start_date == dt.date(2027, 2, 1)


def test_a_placement_with_dates_in_the_wrong_order_is_refused(
    client: Client, verified: World
) -> None:
    match = _forwarded(verified, S.ACCEPTED)
    client.force_login(verified.bram)
    response = client.post(
        reverse("web:candidate_step", args=[match.opening.slug, match.pk, "place"]),
        {"start_date": "2027-06-01", "end_date": "2027-02-01"},
        follow=True,
    )
    assert "einddatum ligt vóór de begindatum" in response.content.decode()
    assert Match.objects.get(pk=match.pk).state == S.ACCEPTED
    assert not Placement.objects.exists()


def test_decline(client: Client, verified: World) -> None:
    match = _forwarded(verified)
    client.force_login(verified.bram)
    client.post(reverse("web:candidate_step", args=[match.opening.slug, match.pk, "decline"]))
    assert Match.objects.get(pk=match.pk).state == S.DECLINED


def test_outsiders_get_404_on_every_company_page(client: Client, verified: World) -> None:
    match = _forwarded(verified)
    slug = match.opening.slug
    urls = [
        ("get", reverse("web:opening_candidates", args=[slug])),
        ("get", reverse("web:opening_edit", args=[slug])),
        ("post", reverse("web:opening_action", args=[slug, "close"])),
        ("post", reverse("web:opening_action", args=[slug, "duplicate"])),
        ("post", reverse("web:candidate_step", args=[slug, match.pk, "invite"])),
        ("get", reverse("web:company_edit", args=[verified.company_x.slug])),
    ]
    client.force_login(verified.otto)  # a member of another company
    for method, url in urls:
        assert getattr(client, method)(url).status_code == 404, url
    for outsider in (verified.sam, verified.dirk, verified.carla):  # no company at all
        client.force_login(outsider)
        for method, url in urls:
            assert getattr(client, method)(url).status_code in (403, 404), (outsider, url)
    assert Match.objects.get(pk=match.pk).state == S.STUDENT_YES
    assert Opening.objects.count() == 1


def test_a_candidate_not_forwarded_is_not_found(client: Client, verified: World) -> None:
    match = _forwarded(verified, S.APPROVED)  # the student has not said yes
    client.force_login(verified.bram)
    html = client.get(reverse("web:opening_candidates", args=[match.opening.slug])).content.decode()
    assert "Kandidaat " not in html
    response = client.post(
        reverse("web:candidate_step", args=[match.opening.slug, match.pk, "invite"])
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("today", "start", "expected"),
    [
        (dt.date(2026, 6, 1), dt.date(2025, 6, 1), dt.date(2026, 6, 1)),
        (dt.date(2024, 5, 31), dt.date(2023, 6, 1), dt.date(2024, 6, 1)),
        (dt.date(2026, 6, 2), dt.date(2025, 6, 1), dt.date(2027, 6, 1)),
        (dt.date(2025, 3, 1), dt.date(2024, 2, 29), dt.date(2026, 2, 28)),
    ],
)
def test_a_duplicate_of_a_past_opening_starts_on_the_next_such_day(
    verified: World, monkeypatch: pytest.MonkeyPatch, today, start, expected
) -> None:
    from marketplace import services

    monkeypatch.setattr(services.timezone, "localdate", lambda: today)
    opening = factories.OpeningFactory(
        company=verified.company_x, start_date=start, end_date=start + dt.timedelta(days=90)
    )
    copy = services.opening_duplicate(opening=opening, by=verified.bram)
    assert copy.start_date == expected
    assert (copy.end_date - copy.start_date).days in (89, 90, 91)
