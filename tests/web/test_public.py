"""Public pages: opening search with its filters, the detail page's JobPosting
JSON-LD, company pages and the algorithm page."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from marketplace.models import OpeningSkill
from tests import factories
from tests.conftest import World

pytestmark = pytest.mark.django_db


def _titles(html: str) -> set[str]:
    return set(re.findall(r'<h3 class="mm-card__title"><a href="[^"]+">([^<]+)</a></h3>', html))


@pytest.fixture
def openings(world: World) -> dict:
    woerden = factories.PlaceFactory(name="Woerden", latitude=52.0853, longitude=4.8836)
    montfoort = factories.PlaceFactory(name="Montfoort", latitude=52.0458, longitude=4.9525)
    groningen = factories.PlaceFactory(
        name="Nijmegen", province="GE", latitude=51.8126, longitude=5.8372, in_region=False
    )
    world.company_x.verified_at = timezone.now()
    world.company_x.sector = "metal"
    world.company_x.save()
    cnc = factories.SkillFactory(slug="cnc-draaien", label_nl="CNC-draaien", label_en="CNC turning")
    a = factories.OpeningFactory(
        company=world.company_x, place=woerden, title="Stage draaien", type="bol"
    )
    OpeningSkill.objects.create(opening=a, skill=cnc)
    b = factories.OpeningFactory(
        company=world.company_x,
        place=montfoort,
        title="Leerbaan lassen",
        type="bbl",
        education_levels=["mbo3"],
        description="Lassen met TIG en MIG/MAG.",
    )
    c = factories.OpeningFactory(place=groningen, title="Baan monteur", type="job")
    draft = factories.OpeningFactory(
        company=world.company_x, title="Concept frezen", status="draft", published_at=None
    )
    unverified = factories.OpeningFactory(
        company=world.company_y, title="Niet gecontroleerd bedrijf"
    )
    return {"a": a, "b": b, "c": c, "draft": draft, "unverified": unverified}


def _search(client: Client, **query: str) -> set[str]:
    response = client.get(reverse("web:openings"), query)
    assert response.status_code == 200
    return _titles(response.content.decode())


def test_search_lists_public_openings_only(client: Client, openings: dict) -> None:
    assert _search(client) == {"Stage draaien", "Leerbaan lassen", "Baan monteur"}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"type": "bbl"}, {"Leerbaan lassen"}),
        ({"education_level": "mbo3"}, {"Stage draaien", "Leerbaan lassen", "Baan monteur"}),
        ({"education_level": "mbo4"}, set()),
        ({"place": "woerden"}, {"Stage draaien"}),
        ({"place": "woerden", "radius_km": "10"}, {"Stage draaien", "Leerbaan lassen"}),
        ({"skill": "cnc-draaien"}, {"Stage draaien"}),
        ({"sector": "metal", "type": "bol"}, {"Stage draaien"}),
        ({"q": "TIG lassen"}, {"Leerbaan lassen"}),
    ],
)
def test_each_filter_narrows_the_list(
    client: Client, openings: dict, query: dict, expected: set
) -> None:
    assert _search(client, **query) == expected


def test_a_bad_filter_shows_a_message_in_dutch_and_no_list(client: Client, openings: dict) -> None:
    html = client.get(reverse("web:openings"), {"radius_km": "-5"}).content.decode()
    assert "minstens 0" in html
    assert _titles(html) == set()


def test_the_detail_page_carries_a_job_posting(client: Client, openings: dict) -> None:
    opening = openings["a"]
    html = client.get(reverse("web:opening_detail", args=[opening.slug])).content.decode()
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert block, "no JSON-LD on the page"
    posting = json.loads(block.group(1))
    assert posting["@type"] == "JobPosting"
    assert posting["title"] == "Stage draaien"
    assert posting["employmentType"] == "INTERN"
    assert posting["hiringOrganization"]["name"] == opening.company.name
    assert posting["jobLocation"]["address"]["addressLocality"] == "Woerden"
    assert posting["skills"] == [
        {
            "@type": "DefinedTerm",
            "name": "CNC-draaien",
            "alternateName": "CNC turning",
            "termCode": "cnc-draaien",
            "inDefinedTermSet": "http://testserver/api/v1/skills/",
        }
    ]


def test_text_in_the_json_ld_cannot_close_the_script(client: Client, openings: dict) -> None:
    opening = openings["a"]
    opening.description = "</script><script>alert(1)</script>"
    opening.save()
    html = client.get(reverse("web:opening_detail", args=[opening.slug])).content.decode()
    assert "<script>alert(1)" not in html
    assert "\\u003C/script\\u003E" in html


def test_learning_location_ties_show_on_opening_and_company(
    client: Client, world: World, openings: dict
) -> None:
    world.company_x.learning_locations.add(world.location)
    opening_html = client.get(
        reverse("web:opening_detail", args=[openings["a"].slug])
    ).content.decode()
    company_html = client.get(
        reverse("web:company_detail", args=[world.company_x.slug])
    ).content.decode()
    assert world.location.name in opening_html
    assert world.location.name in company_html
    assert "Stage draaien" in company_html
    assert "Concept frezen" not in company_html


def test_drafts_and_unverified_companies_are_not_public(
    client: Client, world: World, openings: dict
) -> None:
    for slug in (openings["draft"].slug, openings["unverified"].slug):
        assert client.get(reverse("web:opening_detail", args=[slug])).status_code == 404
    assert client.get(reverse("web:company_detail", args=[world.company_y.slug])).status_code == 404
    client.force_login(world.otto)  # another company's member sees no draft either
    assert (
        client.get(reverse("web:opening_detail", args=[openings["draft"].slug])).status_code == 404
    )
    client.force_login(world.bram)  # the company's own member does
    html = client.get(reverse("web:opening_detail", args=[openings["draft"].slug]))
    assert html.status_code == 200
    assert "Alleen je bedrijf" in html.content.decode()


def test_the_algorithm_page_renders_the_documents_summary(client: Client) -> None:
    html = client.get(reverse("web:algorithm")).content.decode()
    # Its tables are the table component: labelled cells for the phone layout.
    assert '<table class="utrecht-table utrecht-table--html-table mm-table">' in html
    assert re.search(r'<td data-label="[^"]+">', html)
    assert "harde\nregels" in html or "harde regels" in html
    assert "hard rules" not in html
    assert "for developers" not in html
    assert "MatchConfig" not in html
    client.cookies["django_language"] = "en"
    html = client.get(reverse("web:algorithm")).content.decode()
    assert "hard rules" in html
    assert "gewone woorden" not in html
    assert "for developers" not in html


def test_english_search_page(client: Client, openings: dict) -> None:
    client.cookies["django_language"] = "en"
    html = client.get(reverse("web:openings"), {"radius_km": "-5"}).content.decode()
    assert "greater than or equal to 0" in html
    assert "Search openings" in html


def test_a_known_occupation_becomes_the_occupational_category(
    client: Client, openings: dict
) -> None:
    opening = openings["a"]
    opening.occupation = "7223"
    opening.save()
    html = client.get(reverse("web:opening_detail", args=[opening.slug])).content.decode()
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    posting = json.loads(block.group(1))
    assert posting["occupationalCategory"]["codeValue"] == "7223"
    assert posting["occupationalCategory"]["inCodeSet"] == "ISCO-08"
    html_no = client.get(reverse("web:opening_detail", args=[openings["b"].slug])).content.decode()
    assert "occupationalCategory" not in html_no


def test_a_search_from_a_place_shows_each_openings_distance(client: Client, openings: dict) -> None:
    html = client.get(reverse("web:openings"), {"place": "woerden", "radius_km": "10"}).content
    html = html.decode()
    # Woerden to Montfoort is about 6 km; an opening in Woerden itself is 0 km away.
    assert 'utrecht-data-badge">op 6,4 km</span>' in html
    assert 'utrecht-data-badge">op 0,0 km</span>' in html
    assert "op 6,4 km" not in client.get(reverse("web:openings")).content.decode()
