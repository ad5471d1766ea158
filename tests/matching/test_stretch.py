"""The stretch list ("Misschien ook interessant"): openings that narrowly miss one
of the counsellor's rules, stored apart from suggestions and shown only to the
student and their counsellor, for every way in."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from matching import services
from matching.engine import MatchConfig
from matching.models import Match, Stretch
from tests import factories
from tests.conftest import World

pytestmark = pytest.mark.django_db
CONFIG = MatchConfig(min_df=1, max_df=1.0)


@pytest.fixture
def stretched(world: World) -> dict:
    """Sam (mbo 3, BOL) near two BOL places: one for mbo 3, one for mbo 4 only."""
    company = factories.CompanyFactory(
        verified_at=timezone.now(), sbb_recognised=True, sbb_recognised_on="2025-01-01"
    )
    place = factories.PlaceFactory()
    fits = factories.OpeningFactory(
        title="Stage onderhoudsmonteur", company=company, place=place, education_levels=["mbo3"]
    )
    above = factories.OpeningFactory(
        title="Stage allround monteur niveau 4",
        company=company,
        place=place,
        education_levels=["mbo4"],
    )
    profile = factories.ProfileFactory(user=world.sam, place=place, education_level="mbo3")
    return {"fits": fits, "above": above, "profile": profile}


def test_a_full_run_stores_the_near_miss_apart_from_the_suggestions(stretched: dict) -> None:
    services.matches_store_full(index=services.match_index_build(config=CONFIG))
    assert set(Match.objects.values_list("opening_id", flat=True)) == {stretched["fits"].pk}
    (stretch,) = Stretch.objects.all()
    assert (stretch.opening_id, stretch.rule, stretch.position) == (
        stretched["above"].pk,
        "level",
        1,
    )
    assert stretch.explanation["stretch"] == {
        "rule": "level",
        "profile": "mbo3",
        "accepted": ["mbo4"],
    }
    # Each run replaces the list whole: once the level fits, it is a suggestion.
    stretched["above"].education_levels = ["mbo3", "mbo4"]
    stretched["above"].save()
    services.matches_store_full(index=services.match_index_build(config=CONFIG))
    assert not Stretch.objects.exists()
    assert Match.objects.filter(opening=stretched["above"]).exists()


def test_a_profile_refresh_replaces_its_stretch_list(stretched: dict) -> None:
    index = services.match_index_build(config=CONFIG)
    services.matches_store_for_profile(index=index, profile=stretched["profile"])
    assert list(Stretch.objects.values_list("opening_id", "rule")) == [
        (stretched["above"].pk, "level")
    ]
    profile = stretched["profile"]
    profile.education_level = "mbo4"  # now the mbo 3 place is the near miss
    profile.save()
    services.matches_store_for_profile(index=index, profile=profile)
    assert list(Stretch.objects.values_list("opening_id", "rule")) == [
        (stretched["fits"].pk, "level")
    ]


def _html(client: Client, user: object, name: str, hx: bool = False) -> tuple[int, str]:
    client.force_login(user)
    extra = {"HTTP_HX_REQUEST": "true"} if hx else {}
    response = client.get(reverse(name), **extra)
    return response.status_code, response.content.decode()


@pytest.mark.parametrize("hx", [False, True])
def test_the_student_and_their_counsellor_see_it_with_the_rule_in_words(
    client: Client, world: World, stretched: dict, hx: bool
) -> None:
    services.matches_store_full(index=services.match_index_build(config=CONFIG))
    title = stretched["above"].title
    status, html = _html(client, world.sam, "web:my_suggestions", hx)
    assert status == 200
    assert "Misschien ook interessant" in html
    assert title in html
    assert "Vraagt om MBO niveau 4; jouw niveau is MBO niveau 3." in html
    status, html = _html(client, world.dirk, "web:students", hx)
    assert status == 200
    assert "Misschien ook interessant" in html
    assert title in html
    assert "Vraagt om MBO niveau 4; het niveau van de student is MBO niveau 3." in html


@pytest.mark.parametrize("hx", [False, True])
def test_outsiders_never_see_a_stretch_list(
    client: Client, world: World, stretched: dict, hx: bool
) -> None:
    services.matches_store_full(index=services.match_index_build(config=CONFIG))
    title = stretched["above"].title
    # A counsellor of another school: her own students page, without Sam's list.
    status, html = _html(client, world.olga, "web:students", hx)
    assert status == 200
    assert title not in html
    assert world.sam.full_name not in html
    # Another student: his own page, without Sam's list.
    other = factories.UserFactory()
    factories.MembershipFactory(user=other, role="student", organisation=world.school_b)
    status, html = _html(client, other, "web:my_suggestions", hx)
    assert status == 200
    assert title not in html
    # Company members never reach either page.
    for member in (world.bram, world.otto):
        for name in ("web:students", "web:my_suggestions"):
            status, html = _html(client, member, name, hx)
            assert status == 403
            assert title not in html
    # A closed opening leaves the list.
    stretched["above"].status = "closed"
    stretched["above"].save()
    assert title not in _html(client, world.sam, "web:my_suggestions")[1]


def test_a_pair_that_is_or_was_a_suggestion_never_shows_as_a_stretch(
    client: Client, world: World, stretched: dict
) -> None:
    services.matches_store_full(index=services.match_index_build(config=CONFIG))
    title = stretched["above"].title
    assert title in _html(client, world.sam, "web:my_suggestions")[1]
    # Say a counsellor once rejected this very pair (an older engine suggested it).
    factories.MatchFactory(
        profile=stretched["profile"], opening=stretched["above"], state="rejected"
    )
    for user, page in ((world.sam, "web:my_suggestions"), (world.dirk, "web:students")):
        assert title not in _html(client, user, page)[1]


def test_a_hidden_profile_drops_its_stretch_list_and_erasure_deletes_it(
    client: Client, world: World, stretched: dict
) -> None:
    from marketplace.models import Profile
    from privacy import services as privacy

    services.matches_store_full(index=services.match_index_build(config=CONFIG))
    title = stretched["above"].title
    export = privacy.personal_data_export(user=world.sam)
    assert [s["rule_missed"] for s in export["stretch_suggestions"]] == ["level"]
    Profile.objects.filter(pk=stretched["profile"].pk).update(is_visible=False)
    assert title not in _html(client, world.dirk, "web:students")[1]
    Profile.objects.filter(pk=stretched["profile"].pk).update(is_visible=True)
    privacy.account_erase(user=world.sam)
    assert not Stretch.objects.exists()


def test_two_writers_of_one_stretch_list_never_collide(stretched: dict) -> None:
    index = services.match_index_build(config=CONFIG)
    _ranked, stretch = index.top_k_and_stretch_for_profiles()
    services.stretch_store(index=index, suggestions=list(stretch), profile_ids=[])
    # A second writer that did not see the first one's rows (its delete found none).
    services.stretch_store(index=index, suggestions=list(stretch), profile_ids=[])
    assert Stretch.objects.count() == len(stretch) == 1
