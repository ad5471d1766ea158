"""The ORM bridge: engine inputs in bounded queries, idempotent upserts that keep
what people decided."""

from __future__ import annotations

import pytest

from marketplace.models import Opening, OpeningSkill, Profile, ProfileSkill
from matching import services, store
from matching.engine import ENGINE_VERSION, MatchConfig
from matching.models import Match, MatchState
from tests import factories

pytestmark = pytest.mark.django_db
SMALL = MatchConfig(min_df=1, max_df=1.0, k=2)


@pytest.fixture
def market() -> dict:
    cnc = factories.SkillFactory(
        slug="cnc-draaien", label_nl="CNC-draaien", label_en="CNC turning", synonyms=["draaibank"]
    )
    weld = factories.SkillFactory(
        slug="mig-mag-lassen",
        label_nl="MIG/MAG-lassen",
        label_en="MIG/MAG welding",
        category="welding",
    )
    tig = factories.SkillFactory(
        slug="tig-lassen", label_nl="TIG-lassen", label_en="TIG welding", category="welding"
    )
    weld.related.add(tig)
    woerden = factories.PlaceFactory()
    openings = []
    for title, skill in [
        ("Stage CNC-draaier", cnc),
        ("Stage lasser", weld),
        ("Stage CNC-frezer", cnc),
    ]:
        o = factories.OpeningFactory(
            title=title,
            place=woerden,
            company=factories.CompanyFactory(
                verified_at="2026-01-01T00:00Z", sbb_recognised=True, sbb_recognised_on="2025-01-01"
            ),
        )
        OpeningSkill.objects.create(opening=o, skill=skill, importance="must", min_level=1)
        openings.append(o)
    profiles = []
    for skill in [cnc, weld, tig]:
        p = factories.ProfileFactory(place=woerden, headline=f"Student {skill.label_nl}")
        ProfileSkill.objects.create(profile=p, skill=skill, level=2)
        profiles.append(p)
    return {"openings": openings, "profiles": profiles, "skills": (cnc, weld, tig)}


def test_engine_inputs_are_read_in_a_fixed_number_of_queries(
    market: dict, django_assert_num_queries: object
) -> None:
    # * skills  * skill relations
    with django_assert_num_queries(2):
        taxonomy = services.engine_taxonomy()
    assert taxonomy.related == [("mig-mag-lassen", "tig-lassen")]
    assert taxonomy.resolve("draaibank") == "cnc-draaien"
    # * profiles with user and place  * their skills with the skill
    with django_assert_num_queries(2):
        profiles = [services.profile_record(p) for p in services.profiles_for_matching()]
    # * openings with company and place  * their skills with the skill
    with django_assert_num_queries(2):
        openings = [services.opening_record(o) for o in services.openings_for_matching()]
    assert len(profiles) == 3
    assert len(openings) == 3
    assert openings[0].skills[0].skill == "cnc-draaien"


def test_an_unverified_companys_opening_is_never_suggested(market: dict) -> None:
    hidden = market["openings"][0]
    hidden.company.verified_at = None
    hidden.company.save()
    index = services.match_index_build(config=SMALL)
    services.matches_store_full(index=index)
    assert not Match.objects.filter(opening=hidden).exists()
    assert Match.objects.exists()


def test_the_full_run_stores_scores_explanations_and_version(market: dict) -> None:
    index = services.match_index_build(config=SMALL)
    result = services.matches_store_full(index=index)
    assert result.stored == Match.objects.count() > 0
    match = Match.objects.get(profile=market["profiles"][1], opening=market["openings"][1])
    assert match.state == MatchState.SUGGESTED
    assert match.engine_version == ENGINE_VERSION
    assert 0 <= match.score <= 1
    assert match.explanation["matched_skills"][0]["skill"] == "mig-mag-lassen"
    assert match.explanation["distance_km"] == 0.0
    related = Match.objects.get(profile=market["profiles"][2], opening=market["openings"][1])
    assert related.explanation["related_skills"][0]["via"] == "tig-lassen"
    assert related.explanation["matched_skills"] == []


def test_running_twice_leaves_the_same_rows(market: dict) -> None:
    index = services.match_index_build(config=SMALL)
    services.matches_store_full(index=index)
    first = sorted(
        Match.objects.values_list(
            "profile_id", "opening_id", "score", "state", "profile_rank", "opening_rank"
        )
    )
    services.matches_store_full(index=index)
    for profile in market["profiles"]:
        services.matches_store_for_profile(index=index, profile=profile)
    for opening in market["openings"]:
        services.matches_store_for_opening(index=index, opening=opening)
    again = sorted(
        Match.objects.values_list(
            "profile_id", "opening_id", "score", "state", "profile_rank", "opening_rank"
        )
    )
    assert again == first


def test_a_refresh_keeps_what_a_person_decided(market: dict) -> None:
    index = services.match_index_build(config=SMALL)
    services.matches_store_full(index=index)
    profile, opening = market["profiles"][0], market["openings"][0]
    match = Match.objects.get(profile=profile, opening=opening)
    Match.objects.filter(pk=match.pk).update(state=MatchState.APPROVED)
    # The student drops the skill: the opening leaves their top-k...
    ProfileSkill.objects.filter(profile=profile).delete()
    profile.wanted_types = ["job"]
    profile.save()
    services.matches_store_for_profile(index=index, profile=profile)
    services.matches_store_for_opening(index=index, opening=opening)
    match.refresh_from_db()
    # ...but a counsellor approved it, so it stays approved.
    assert match.state == MatchState.APPROVED


def test_untouched_suggestions_that_fall_out_retire_and_come_back(market: dict) -> None:
    index = services.match_index_build(config=SMALL)
    services.matches_store_full(index=index)
    profile = market["profiles"][0]
    # The profile's own list (what its refresh below brings back); an opening's list
    # may hold it too, but only that opening's refresh restores those.
    before = set(
        Match.objects.filter(
            profile=profile, state=MatchState.SUGGESTED, profile_rank__isnull=False
        ).values_list("opening_id", flat=True)
    )
    assert before
    profile.wanted_types = ["job"]  # the openings are internships: nothing fits now
    profile.save()
    fresh = services.profile_record(profile)
    result = services.matches_store_for_profile(index=index, profile=profile)
    assert fresh.types == ["job"]
    assert result.stored == 0
    # Retired unless still in some opening's own top-k list.
    for match in Match.objects.filter(profile=profile):
        assert (match.state == MatchState.RETIRED) == (match.opening_rank is None)
    for opening in market["openings"]:
        services.matches_store_for_opening(index=index, opening=opening)
    assert not Match.objects.filter(profile=profile, state=MatchState.SUGGESTED).exists()
    profile.wanted_types = ["bol"]
    profile.save()
    services.matches_store_for_profile(index=index, profile=profile)
    after = set(
        Match.objects.filter(profile=profile, state=MatchState.SUGGESTED).values_list(
            "opening_id", flat=True
        )
    )
    assert after == before


def test_nothing_to_match_builds_no_index() -> None:
    assert services.match_index_build() is None


def test_an_older_computation_finishing_late_never_overwrites_a_newer_one(market: dict) -> None:
    profile = market["profiles"][0]
    old_index = services.match_index_build(config=SMALL)  # read before the change
    profile.headline = "Ervaren CNC-draaier en frezer"
    profile.save()
    new_index = services.match_index_build(config=SMALL)
    services.matches_store_for_profile(index=new_index, profile=profile)
    fresh = sorted(
        Match.objects.filter(profile=profile).values_list("opening_id", "score", "profile_version")
    )
    assert fresh
    assert {v for _o, _s, v in fresh} == {profile.updated_at}
    # A full-run chunk that read the profile before the change finishes now.
    late = list(old_index.top_k_for_profiles(profile_ids=[profile.pk]))
    assert {s.score for s in late} != {s for _o, s, _v in fresh}
    services.matches_store_ranked(
        index=old_index, suggestions=late, scope=store.profiles_scope(old_index, [profile.pk])
    )
    assert (
        sorted(
            Match.objects.filter(profile=profile).values_list(
                "opening_id", "score", "profile_version"
            )
        )
        == fresh
    )


def test_skills_named_in_a_text_are_found_on_save_and_counted(market: dict) -> None:
    """A profile that writes "draaibank" in its own words but ticks nothing holds
    CNC-draaien from its text: stored on save, counted, and said so."""
    from marketplace import services as market_services

    profile = factories.ProfileFactory(
        place=market["profiles"][0].place, headline="Zij-instromer", about="Jaren aan de draaibank."
    )
    market_services.profile_save(profile=profile)
    assert Profile.objects.get(pk=profile.pk).text_skills == ["cnc-draaien"]
    opening = market["openings"][1]  # the welding internship
    opening.description = "Je last met MIG/MAG en draait soms op de CNC-draaibank."
    market_services.opening_save(opening=opening)
    assert "cnc-draaien" in Opening.objects.get(pk=opening.pk).text_skills
    services.matches_store_full(index=services.match_index_build(config=SMALL))
    match = Match.objects.get(profile=profile, opening=market["openings"][0])
    (item,) = match.explanation["matched_skills"]
    assert (item["skill"], item["from_text"], item["level"]) == ("cnc-draaien", True, None)
    assert item["credit"] == SMALL.text_skill_credit


def test_after_the_taxonomy_changes_the_text_skills_are_found_again(market: dict) -> None:
    from io import StringIO

    from django.core.management import call_command

    profile = market["profiles"][0]
    Profile.objects.filter(pk=profile.pk).update(about="Ik sleutel aan een draaibank.")
    call_command("text_skills_refresh", stdout=(out := StringIO()))
    refreshed = Profile.objects.get(pk=profile.pk)
    assert refreshed.text_skills == ["cnc-draaien"]
    assert refreshed.needs_matching_since is not None  # the sweep rescores it
    assert "openings and profiles name other skills now" in out.getvalue()
    call_command("text_skills_refresh", stdout=(again := StringIO()))
    assert again.getvalue().startswith("0 ")  # nothing changed the second time
