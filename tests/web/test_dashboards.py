"""Each role's overview says what waits and what to do next, in counts; the
home page searches and has a way in for each audience; a suggestion card has
short buttons whose accessible name still names the opening."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Organisation, OrganisationKind
from matching.models import Match, MatchState
from tests import factories
from tests.conftest import World, login_with_second_factor

pytestmark = pytest.mark.django_db
S = MatchState


def _match(world: World, state: str, title: str, student=None) -> Match:
    student = student or world.sam
    profile = getattr(student, "profile", None) or factories.ProfileFactory(user=student)
    return factories.MatchFactory(
        profile=profile,
        opening=factories.OpeningFactory(company=world.company_x, title=title),
        state=state,
        score=0.6,
    )


def _stat(html: str, label: str) -> str | None:
    """The count shown on the tile whose label contains ``label``."""
    for tile in re.findall(r'<a class="mm-stat[^"]*" href="[^"]*">(.*?)</a>', html, re.S):
        if label in tile:
            return re.search(r'mm-stat__count"[^>]*>([^<]+)<', tile).group(1)
    return None


def test_a_students_overview_counts_what_waits_for_them(client: Client, world: World) -> None:
    _match(world, S.APPROVED, "Stage lassen")
    _match(world, S.APPROVED, "Stage draaien")
    _match(world, S.STUDENT_YES, "Stage frezen")
    _match(world, S.SUGGESTED, "Nog niet beoordeeld")  # the counsellor's, not the student's
    client.force_login(world.sam)
    html = client.get(reverse("web:dashboard")).content.decode()
    assert _stat(html, "wachten op je antwoord") == "2"
    assert _stat(html, "zei je ja") == "1"
    assert _stat(html, "van je profiel is ingevuld").endswith("%")


def test_a_counsellors_overview_counts_the_queue(client: Client, world: World) -> None:
    _match(world, S.SUGGESTED, "Stage A")
    _match(world, S.SUGGESTED, "Stage B")
    _match(world, S.SUGGESTED, "Bij een andere school", student=factories.UserFactory())
    client.force_login(world.dirk)
    html = client.get(reverse("web:dashboard")).content.decode()
    assert _stat(html, "wachten op je beoordeling") == "2"
    client.force_login(world.olga)  # another school's counsellor sees none of them
    html = client.get(reverse("web:dashboard")).content.decode()
    assert _stat(html, "wachten op je beoordeling") == "0"


def test_a_companys_overview_names_the_openings_with_candidates(
    client: Client, world: World
) -> None:
    _match(world, S.STUDENT_YES, "Stage CNC-draaier")
    _match(world, S.STUDENT_YES, "Stage CNC-draaier", student=factories.UserFactory())
    client.force_login(world.bram)
    html = client.get(reverse("web:dashboard")).content.decode()
    assert _stat(html, "kandidaat voor Stage CNC-draaier wacht op je") == "1"
    client.force_login(world.otto)  # the other company: nothing of company X
    assert "Stage CNC-draaier" not in client.get(reverse("web:dashboard")).content.decode()


def test_a_coordinators_overview_counts_companies_to_check(client: Client, world: World) -> None:
    login_with_second_factor(client, world.carla)

    def waiting() -> int:
        html = client.get(reverse("web:dashboard")).content.decode()
        return int(_stat(html, "op controle"))

    before = waiting()
    Organisation.objects.create(
        kind=OrganisationKind.COMPANY,
        name="Nieuw BV",
        slug="nieuw",
        kvk_number="99000001",
        sector="metal",
        size_class="micro",
    )
    assert waiting() == before + 1


def test_home_searches_what_where_and_which_kind(client: Client) -> None:
    html = client.get(reverse("web:home")).content.decode()
    search = re.search(r'<form method="get" action="/openings/".*?</form>', html, re.S).group(0)
    for name in ("q", "place", "type"):
        assert f'name="{name}"' in search
    assert "Wat zoek je?" in search
    assert "---------" not in html
    for audience in ("Ik zoek een stage", "Ik ben een bedrijf", "Ik ben decaan"):
        assert audience in html


def test_a_suggestion_card_has_short_buttons_named_after_the_opening(
    client: Client, world: World
) -> None:
    _match(world, S.APPROVED, "Stage lasser")
    _match(world, S.STUDENT_YES, "Stage draaier")
    client.force_login(world.sam)
    html = client.get(reverse("web:my_suggestions")).content.decode()
    assert 'Ja, interessant<span class="visually-hidden"> Stage lasser</span></button>' in html
    assert 'Nee, bedankt<span class="visually-hidden"> Stage lasser</span></button>' in html
    assert "Je zei ja, wacht op het bedrijf" in html
    assert re.search(r'<a href="/openings/[^"]+/">Stage lasser</a>', html)
