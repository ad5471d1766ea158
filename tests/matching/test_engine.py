"""The matching engine on small, hand-checkable cases. No database."""

from __future__ import annotations

import datetime as dt
import itertools
import random

import numpy as np
import pytest

from matching.engine import (
    ENGINE_VERSION,
    EngineInputError,
    MatchConfig,
    MatchIndex,
    OpeningRecord,
    ProfileRecord,
    Taxonomy,
    plan_placements,
    plan_placements_greedy,
)
from matching.engine.records import RequiredSkill as Need

WOERDEN = (52.0853, 4.8836)
MONTFOORT = (52.0458, 4.9528)  # 6.5 km from Woerden
UTRECHT = (52.0907, 5.1214)  # 16.3 km from Woerden
AMSTERDAM = (52.3676, 4.9041)
TAXONOMY = Taxonomy(
    keys=["cnc-draaien", "mig-mag-lassen", "tig-lassen", "plc", "samenwerken", "heftruck"],
    related=[("mig-mag-lassen", "tig-lassen")],
    terms={"lasser": "mig-mag-lassen"},
)
# Small corpora cannot meet the production document-frequency pruning.
CONFIG = MatchConfig(min_df=1, max_df=1.0)


def opening(oid: object = "o", **kw: object) -> OpeningRecord:
    defaults = {"title": "Vacature", "type": "job", "lat": WOERDEN[0], "lon": WOERDEN[1]}
    return OpeningRecord(oid, **{**defaults, **kw})


def profile(pid: object = "p", **kw: object) -> ProfileRecord:
    defaults = {
        "types": ["job", "bol", "bbl", "orientation", "graduation"],
        "lat": WOERDEN[0],
        "lon": WOERDEN[1],
        "radius_km": 25,
    }
    return ProfileRecord(pid, **{**defaults, **kw})


def features(p: ProfileRecord, o: OpeningRecord, config: MatchConfig = CONFIG) -> dict:
    """Feature values of one pair (plus 'allowed'), via the full matrix path."""
    index = MatchIndex.build(profiles=[p], openings=[o], taxonomy=TAXONOMY, config=config)
    mask, values = index.features(index.pside, index.oside)
    names = ["skills", "text", "level", "distance", "availability", "sector"]
    return {"allowed": bool(mask[0, 0])} | {n: float(values[i, 0, 0]) for i, n in enumerate(names)}


# ----- skill coverage --------------------------------------------------------------


def test_skill_coverage_weighs_must_haves_double() -> None:
    o = opening(skills=[Need("cnc-draaien", "must", 1), Need("samenwerken", "nice", 1)])
    only_must = features(profile(skills=[("cnc-draaien", 1)]), o)["skills"]
    only_nice = features(profile(skills=[("samenwerken", 1)]), o)["skills"]
    assert only_must == pytest.approx(2 / 3)
    assert only_nice == pytest.approx(1 / 3)
    both = features(profile(skills=[("cnc-draaien", 3), ("samenwerken", 1)]), o)["skills"]
    assert both == pytest.approx(1.0)


def test_skills_named_in_text_count_below_ticked_ones() -> None:
    o = opening(skills=[Need("cnc-draaien", "must", 1)])
    named = features(profile(text_skills=["cnc-draaien"]), o)["skills"]
    ticked = features(profile(skills=[("cnc-draaien", 1)]), o)["skills"]
    assert (named, ticked) == (pytest.approx(CONFIG.text_skill_credit), 1.0)
    # An opening whose description names PLC without listing it asks for it, as a
    # nice-to-have at half a listed one's weight: 0.5 of 2 + 0.5.
    o = opening(skills=[Need("cnc-draaien", "must", 1)], text_skills=["plc"])
    assert features(profile(skills=[("plc", 1)]), o)["skills"] == pytest.approx(0.5 / 2.5)


@pytest.mark.parametrize(
    ("held", "required", "credit"), [(1, 3, 1 / 3), (2, 3, 2 / 3), (1, 2, 1 / 2), (3, 2, 1.0)]
)
def test_a_level_below_the_minimum_counts_partly(held: int, required: int, credit: float) -> None:
    o = opening(skills=[Need("plc", "must", required)])
    assert features(profile(skills=[("plc", held)]), o)["skills"] == pytest.approx(credit)


def test_a_related_skill_earns_partial_credit() -> None:
    o = opening(skills=[Need("mig-mag-lassen", "must", 2)])
    assert features(profile(skills=[("tig-lassen", 3)]), o)["skills"] == pytest.approx(0.5)
    assert features(profile(skills=[("plc", 3)]), o)["skills"] == 0.0


def test_a_pair_earns_the_better_of_own_level_and_related_credit() -> None:
    o = opening(skills=[Need("mig-mag-lassen", "must", 3)])
    weak_own = profile(skills=[("mig-mag-lassen", 1)])
    assert features(weak_own, o)["skills"] == pytest.approx(1 / 3)
    weak_own_strong_relative = profile(skills=[("mig-mag-lassen", 1), ("tig-lassen", 3)])
    assert features(weak_own_strong_relative, o)["skills"] == pytest.approx(0.5)


def test_scores_stay_in_0_1_because_a_skill_cannot_be_listed_twice() -> None:
    with pytest.raises(EngineInputError, match="profile 'p': skills: a skill is listed twice"):
        features(profile(skills=[("plc", 1), ("plc", 3)]), opening())
    with pytest.raises(EngineInputError, match="opening 'o': skills: a skill is listed twice"):
        features(profile(), opening(skills=[Need("plc"), Need("plc", "nice")]))


def test_holding_a_skill_beats_holding_its_relative() -> None:
    o = opening(skills=[Need("mig-mag-lassen", "must", 1)])
    both = profile(skills=[("mig-mag-lassen", 1), ("tig-lassen", 3)])
    assert features(both, o)["skills"] == pytest.approx(1.0)


def test_an_opening_without_skills_is_neutral_on_skills() -> None:
    assert features(profile(skills=[("plc", 1)]), opening())["skills"] == CONFIG.neutral


# ----- text ------------------------------------------------------------------------


def _text_similarity(a: str, b: str, others: list[str]) -> float:
    corpus = [opening(f"o{i}", title=t) for i, t in enumerate([b, *others])]
    index = MatchIndex.build(
        profiles=[profile(headline=a)], openings=corpus, taxonomy=TAXONOMY, config=CONFIG
    )
    _mask, values = index.features(index.pside, index.oside)
    return values[1, 0]


UNRELATED = [
    "logistiek medewerker magazijn orderpicken",
    "kok in een restaurant",
    "verkoper in een winkel",
    "administratief medewerker op kantoor",
]


def test_text_finds_cnc_draaier_in_draaien_op_een_cnc_draaibank() -> None:
    sims = _text_similarity("CNC-draaier", "draaien op een CNC-draaibank", UNRELATED)
    assert sims[0] > 0.3
    assert sims[0] > 5 * sims[1:].max()


def test_text_finds_lasser_in_mig_mag_lassen() -> None:
    sims = _text_similarity("lasser", "MIG/MAG lassen", UNRELATED)
    assert sims[0] > 0.1
    assert sims[0] > 5 * sims[1:].max()


def test_dutch_stop_words_do_not_make_texts_similar() -> None:
    sims = _text_similarity("ik ben een van de", "het is een van de", ["lassen"])
    assert sims[0] == pytest.approx(0.0, abs=1e-6)


# ----- level, distance, availability, sector --------------------------------------


@pytest.mark.parametrize(
    ("level", "accepted", "fit"),
    [
        ("mbo3", ["mbo3"], 1.0),
        ("mbo2", ["mbo3"], 0.5),
        ("mbo4", ["mbo3", "mbo2"], 0.5),
        ("vmbo", ["mbo4"], 0.0),
        ("mbo2", [], 1.0),
        ("", ["mbo2"], CONFIG.neutral),
    ],
)
def test_education_level_fit(level: str, accepted: list[str], fit: float) -> None:
    assert features(profile(level=level), opening(levels=accepted))["level"] == fit


def test_distance_scores_against_the_radius() -> None:
    o = opening(lat=UTRECHT[0], lon=UTRECHT[1])
    near = features(profile(radius_km=30), o)
    assert near["allowed"]
    assert near["distance"] == pytest.approx(1 - 16.3 / 30, abs=0.01)
    same_place = features(profile(), opening())
    assert same_place["distance"] == pytest.approx(1.0)


def test_an_opening_beyond_the_radius_is_filtered() -> None:
    o = opening(lat=UTRECHT[0], lon=UTRECHT[1])
    assert not features(profile(radius_km=15), o)["allowed"]
    assert features(profile(radius_km=17), o)["allowed"]


def test_a_zero_radius_keeps_the_own_town() -> None:
    assert features(profile(radius_km=0), opening())["allowed"]
    assert not features(profile(radius_km=0), opening(lat=MONTFOORT[0], lon=MONTFOORT[1]))[
        "allowed"
    ]


def test_no_place_means_no_distance_filter_and_a_neutral_distance() -> None:
    f = features(profile(lat=None, lon=None), opening(lat=AMSTERDAM[0], lon=AMSTERDAM[1]))
    assert f["allowed"]
    assert f["distance"] == CONFIG.neutral


def test_availability_is_the_share_of_dates_and_hours_covered() -> None:
    o = opening(start=dt.date(2027, 1, 1), end=dt.date(2027, 1, 10), hours=40)
    full = profile(available_from=dt.date(2026, 12, 1), available_to=dt.date(2027, 2, 1), hours=40)
    assert features(full, o)["availability"] == pytest.approx(1.0)
    half_dates = profile(available_from=dt.date(2027, 1, 6), hours=40)
    assert features(half_dates, o)["availability"] == pytest.approx(0.5)
    half_hours = profile(hours=20)
    assert features(half_hours, o)["availability"] == pytest.approx(0.5)
    both_half = profile(available_from=dt.date(2027, 1, 6), hours=20)
    assert features(both_half, o)["availability"] == pytest.approx(0.25)
    # Gone before it starts: no hours make up for that.
    gone = profile(available_to=dt.date(2026, 12, 31), hours=40)
    assert features(gone, o)["availability"] == 0.0


@pytest.mark.parametrize(
    ("sectors", "sector", "fit"),
    [
        (["metal"], "metal", 1.0),
        (["logistics"], "metal", 0.0),
        ([], "metal", CONFIG.neutral),
        (["metal"], "", CONFIG.neutral),
    ],
)
def test_sector_interest(sectors: list[str], sector: str, fit: float) -> None:
    assert features(profile(sectors=sectors), opening(sector=sector))["sector"] == fit


# ----- hard filters ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "level", "accepted", "allowed"),
    [
        # A BPV place, an orientation day or a graduation project: the accepted levels.
        ("bol", "mbo3", ["mbo3", "mbo4"], True),
        ("bol", "mbo2", ["mbo3", "mbo4"], False),  # one below: not a main suggestion
        ("bbl", "mbo4", ["mbo2", "mbo3"], False),  # one above: not the programme either
        ("bbl", "havo", ["mbo3"], False),  # same rank, other kind of school
        ("orientation", "vmbo", ["vmbo"], True),
        ("graduation", "mbo4", ["hbo"], False),
        # A job: the lowest accepted level is a minimum, above it is welcome.
        ("job", "mbo4", ["mbo2"], True),
        ("job", "hbo", ["mbo3", "mbo4"], True),
        ("job", "mbo1", ["mbo2"], False),
        # No levels asked, or none known: the rule has nothing to go on.
        ("bol", "mbo2", [], True),
        ("bol", "", ["mbo3"], True),
    ],
)
def test_the_level_rule(kind: str, level: str, accepted: list[str], allowed: bool) -> None:
    o = opening(type=kind, levels=accepted, company_recognised=True)
    assert features(profile(level=level), o)["allowed"] is allowed
    off = MatchConfig(min_df=1, max_df=1.0, hard_rules=False)
    assert features(profile(level=level), o, off)["allowed"]  # a rule, not a score


def test_dates_that_do_not_overlap_rule_an_opening_out() -> None:
    o = opening(start=dt.date(2027, 2, 1), end=dt.date(2027, 6, 30))
    assert not features(profile(available_to=dt.date(2027, 1, 31)), o)["allowed"]
    assert not features(profile(available_from=dt.date(2027, 7, 1)), o)["allowed"]
    assert features(profile(available_to=dt.date(2027, 2, 1)), o)["allowed"]  # one day
    # An open-ended job counts from its start (for open_ended_days).
    job = opening(start=dt.date(2027, 2, 1))
    assert features(profile(available_from=dt.date(2027, 5, 1)), job)["allowed"]
    assert not features(profile(available_to=dt.date(2027, 1, 15)), job)["allowed"]
    # No dates on the opening: nothing to overlap.
    assert features(profile(available_to=dt.date(2020, 1, 1)), opening())["allowed"]


@pytest.mark.parametrize(
    ("available", "asked", "allowed"),
    [(8, 32, False), (15, 32, False), (16, 32, True), (24, 32, True), (40, 32, True)],
)
def test_far_fewer_hours_than_asked_rule_an_opening_out(
    available: int, asked: int, allowed: bool
) -> None:
    assert features(profile(hours=available), opening(hours=asked))["allowed"] is allowed


def test_a_ruled_out_pair_never_reaches_the_top_k() -> None:
    fits = opening("fits", type="bol", levels=["mbo3"], company_recognised=True)
    below = opening("below", type="bol", levels=["mbo4"], company_recognised=True)
    index = MatchIndex.build(
        profiles=[profile("p", level="mbo3")],
        openings=[fits, below],
        taxonomy=TAXONOMY,
        config=CONFIG,
    )
    assert {s.opening_id for s in index.top_k_for_profiles()} == {"fits"}
    assert [s.opening_id for s in index.score_profile(profile("p", level="mbo3"))] == ["fits"]


def _stretch(profiles: list[ProfileRecord], openings: list[OpeningRecord]) -> dict:
    index = MatchIndex.build(profiles=profiles, openings=openings, taxonomy=TAXONOMY, config=CONFIG)
    main, stretch = index.top_k_and_stretch_for_profiles()
    found = {(s.profile_id, s.opening_id): s.stretch_rule for s in stretch}
    # One pass: the main list is the plain top-k, and the two never share a pair.
    assert main.pairs() == index.top_k_for_profiles().pairs()
    assert not main.pairs() & set(found)
    # The incremental path finds the same stretch list.
    for p in profiles:
        ranked, near = index.score_profile_with_stretch(p)
        assert [s.opening_id for s in ranked] == [s.opening_id for s in index.score_profile(p)]
        assert {(s.profile_id, s.opening_id): s.stretch_rule for s in near} == {
            pair: rule for pair, rule in found.items() if pair[0] == p.id
        }
    return found


def test_the_stretch_list_holds_narrow_misses_of_exactly_one_rule() -> None:
    bol = {"type": "bol", "company_recognised": True}
    spring = {"start": dt.date(2027, 2, 1), "end": dt.date(2027, 6, 30)}
    openings = [
        opening("fits", levels=["mbo3"], hours=32, **bol, **spring),
        opening("one-level-up", levels=["mbo4"], hours=32, **bol, **spring),
        opening("two-levels-up", levels=["hbo"], hours=32, **bol, **spring),
        opening(
            "starts-soon-after",
            levels=["mbo3"],
            hours=32,
            **bol,
            start=dt.date(2027, 7, 10),
            end=dt.date(2027, 12, 1),
        ),
        opening(
            "months-later",
            levels=["mbo3"],
            hours=32,
            **bol,
            start=dt.date(2027, 10, 1),
            end=dt.date(2027, 12, 1),
        ),
        opening("hours-short", levels=["mbo3"], hours=40, **bol, **spring),
        opening("hours-far-short", levels=["mbo3"], hours=60, **bol, **spring),
        opening("two-misses", levels=["mbo4"], hours=40, **bol, **spring),
        opening(
            "too-far",
            levels=["mbo3"],
            hours=32,
            lat=AMSTERDAM[0],
            lon=AMSTERDAM[1],
            **bol,
            **spring,
        ),
    ]
    p = profile("p", level="mbo3", hours=16, available_to=dt.date(2027, 6, 30))
    # 16 of 40 hours is 0.4 (a near miss of the half rule); 16 of 60 is 0.27.
    assert _stretch([p], openings) == {
        ("p", "one-level-up"): "level",
        ("p", "starts-soon-after"): "dates",
        ("p", "hours-short"): "hours",
    }


def test_a_job_a_level_below_its_minimum_is_a_stretch_and_above_is_a_suggestion() -> None:
    job = opening("job", levels=["mbo3", "mbo4"])
    assert _stretch([profile("low", level="mbo2"), profile("high", level="hbo")], [job]) == {
        ("low", "job"): "level"
    }


def test_a_region_without_any_near_miss_has_an_empty_stretch_list() -> None:
    fits = opening("fits", type="bol", company_recognised=True, levels=["mbo3"])
    assert _stretch([profile("p", level="mbo3")], [fits]) == {}


def test_no_stretch_list_without_the_rules_or_when_switched_off() -> None:
    o = opening("o", type="bol", company_recognised=True, levels=["mbo4"])
    for config in (
        MatchConfig(min_df=1, max_df=1.0, stretch_k=0),
        MatchConfig(min_df=1, max_df=1.0, hard_rules=False),
    ):
        index = MatchIndex.build(
            profiles=[profile("p", level="mbo3")], openings=[o], taxonomy=TAXONOMY, config=config
        )
        assert len(index.top_k_and_stretch_for_profiles()[1]) == 0
        assert index.score_profile_with_stretch(profile("p", level="mbo3"))[1] == []


def test_the_stretch_list_is_cut_at_stretch_k_best_first() -> None:
    openings = [
        opening(f"o{i}", type="bol", company_recognised=True, levels=["mbo4"],
                title="CNC draaier" if i == 4 else "Vacature", lat=WOERDEN[0] + i * 0.01)
        for i in range(5)
    ]  # fmt: skip
    p = profile("p", level="mbo3", headline="CNC draaier")
    index = MatchIndex.build(profiles=[p], openings=openings, taxonomy=TAXONOMY, config=CONFIG)
    _main, stretch = index.top_k_and_stretch_for_profiles()
    ranked = list(stretch)
    assert len(ranked) == CONFIG.stretch_k
    assert ranked[0].opening_id == "o4"  # the text match comes first
    assert [s.score for s in ranked] == sorted((s.score for s in ranked), reverse=True)


@pytest.mark.parametrize(
    ("p_kw", "o_kw"),
    [
        ({"types": ["job"]}, {"type": "bol", "company_recognised": True}),
        ({}, {"is_open": False}),
        ({}, {"places_left": 0}),
        ({}, {"type": "bol", "company_recognised": False}),
        ({}, {"type": "bbl", "company_recognised": False}),
        ({"visible": False}, {}),
    ],
)
def test_hard_filters_refuse(p_kw: dict, o_kw: dict) -> None:
    assert not features(profile(**p_kw), opening(**o_kw))["allowed"]


def test_a_recognised_company_may_offer_bol_and_an_unrecognised_one_a_job() -> None:
    assert features(profile(), opening(type="bol", company_recognised=True))["allowed"]
    assert features(profile(), opening(type="job", company_recognised=False))["allowed"]


# ----- score, explanation ----------------------------------------------------------


def _region(n_profiles: int, n_openings: int, seed: int = 7) -> tuple[list, list]:
    rng = random.Random(seed)
    towns = [WOERDEN, MONTFOORT, UTRECHT, AMSTERDAM, (52.2063, 4.8625), (51.9722, 4.95)]
    words = [
        "cnc",
        "draaien",
        "frezen",
        "lassen",
        "monteur",
        "plc",
        "heftruck",
        "magazijn",
        "onderhoud",
        "elektro",
        "installatie",
        "storing",
        "team",
        "productie",
    ]
    types = ["bol", "bbl", "job", "orientation", "graduation"]
    levels = ["vmbo", "mbo2", "mbo3", "mbo4", "havo"]
    profiles = []
    for i in range(n_profiles):
        lat, lon = rng.choice(towns)
        profiles.append(
            profile(
                f"p{i}",
                headline=" ".join(rng.sample(words, 3)),
                about=" ".join(rng.sample(words, 5)),
                skills=[
                    (k, rng.randint(1, 3)) for k in rng.sample(TAXONOMY.keys, rng.randint(0, 4))
                ],
                level=rng.choice([*levels, ""]),
                lat=lat + rng.uniform(-0.05, 0.05),
                lon=lon + rng.uniform(-0.05, 0.05),
                radius_km=rng.choice([0, 5, 10, 20, 40]),
                types=rng.sample(types, rng.randint(1, 3)),
                hours=rng.choice([8, 24, 40]),
                sectors=rng.sample(["metal", "logistics", "electrical"], rng.randint(0, 2)),
                available_from=dt.date(2027, 1, 1) + dt.timedelta(days=rng.randint(0, 200)),
                visible=rng.random() > 0.05,
            )
            if rng.random() > 0.05
            else profile(f"p{i}", lat=None, lon=None, headline=rng.choice(words))
        )
    openings = []
    for j in range(n_openings):
        lat, lon = rng.choice(towns)
        start = dt.date(2027, 1, 1) + dt.timedelta(days=rng.randint(0, 200))
        openings.append(
            opening(
                f"o{j}",
                title=" ".join(rng.sample(words, 2)),
                description=" ".join(rng.sample(words, 6)),
                type=rng.choice(types),
                company_recognised=rng.random() > 0.3,
                skills=[
                    Need(k, rng.choice(["must", "nice"]), rng.randint(1, 3))
                    for k in rng.sample(TAXONOMY.keys, rng.randint(0, 3))
                ],
                levels=rng.sample(levels, rng.randint(0, 2)),
                lat=lat + rng.uniform(-0.05, 0.05),
                lon=lon + rng.uniform(-0.05, 0.05),
                start=start,
                end=start + dt.timedelta(days=rng.choice([1, 90, 365])),
                hours=rng.choice([8, 32, 40]),
                places_left=rng.choice([0, 1, 2]),
                sector=rng.choice(["metal", "logistics", ""]),
            )
        )
    return profiles, openings


@pytest.fixture(scope="module")
def region() -> MatchIndex:
    profiles, openings = _region(300, 120)
    return MatchIndex.build(
        profiles=profiles,
        openings=openings,
        taxonomy=TAXONOMY,
        config=MatchConfig(min_df=1, max_df=0.9, k=5),
    )


def test_scores_lie_in_0_1_and_equal_the_sum_of_contributions(region: MatchIndex) -> None:
    scores, contributions = region.score(region.pside, region.oside)
    finite = np.isfinite(scores)
    assert finite.any()
    assert (~finite).any()
    assert scores[finite].min() >= 0.0
    assert scores[finite].max() <= 1.0 + 1e-6
    np.testing.assert_allclose(scores[finite], contributions.sum(axis=0)[finite], rtol=1e-6)


def test_weights_and_k_live_in_one_validated_config() -> None:
    with pytest.raises(ValueError, match="sum to 1"):
        MatchConfig(
            weights={
                "skills": 1,
                "text": 1,
                "level": 0,
                "distance": 0,
                "availability": 0,
                "sector": 0,
            }
        )
    with pytest.raises(ValueError, match="k must"):
        MatchConfig(k=0)


def test_the_explanation_names_skills_gap_distance_and_level() -> None:
    o = opening(
        "o1",
        lat=UTRECHT[0],
        lon=UTRECHT[1],
        levels=["mbo2"],
        skills=[
            Need("mig-mag-lassen", "must", 2),
            Need("plc", "must", 2),
            Need("samenwerken", "nice", 1),
            Need("cnc-draaien", "must", 3),
        ],
    )
    p = profile(
        "p1",
        level="mbo3",
        radius_km=30,
        skills=[("tig-lassen", 3), ("samenwerken", 2), ("cnc-draaien", 1)],
    )
    index = MatchIndex.build(profiles=[p], openings=[o], taxonomy=TAXONOMY, config=CONFIG)
    (suggestion,) = list(index.top_k_for_profiles())
    why = index.explain(suggestion)
    assert why["engine_version"] == ENGINE_VERSION == suggestion.engine_version
    # Each required skill in one list: held, held below the level, related, missing.
    assert [(m["skill"], m["credit"]) for m in why["matched_skills"]] == [("samenwerken", 1.0)]
    (partial,) = why["partial_skills"]
    assert (partial["skill"], partial["level"], partial["required_level"]) == ("cnc-draaien", 1, 3)
    assert partial["credit"] == pytest.approx(1 / 3, abs=1e-3)
    (related,) = why["related_skills"]
    assert (related["skill"], related["via"], related["credit"]) == (
        "mig-mag-lassen",
        "tig-lassen",
        0.5,
    )
    assert [m["skill"] for m in why["missing_must_haves"]] == ["plc"]
    assert why["distance_km"] == pytest.approx(16.3, abs=0.1)
    assert why["level"] == {"profile": "mbo3", "accepted": ["mbo2"], "fit": 0.5, "profile_rank": 3}
    assert sum(why["contributions"].values()) == pytest.approx(suggestion.score, abs=1e-3)
    # The explanation's skill value is the matrix path's coverage, recomputed by hand.
    coverage = (2 * 0.5 + 0 + 1 * 1.0 + 2 * (1 / 3)) / (2 + 2 + 1 + 2)
    assert why["features"]["skills"] == pytest.approx(coverage, abs=1e-4)


# ----- chunking, blocking, incremental ------------------------------------------------


def _as_rows(result: object) -> list[tuple]:
    return sorted((s.profile_id, s.opening_id, round(s.score, 5)) for s in result)


def test_chunked_results_equal_unchunked(region: MatchIndex) -> None:
    whole = _as_rows(region.top_k_for_profiles(blocked=False))
    small = MatchIndex.build(
        profiles=region.profiles,
        openings=region.openings,
        taxonomy=TAXONOMY,
        config=MatchConfig(min_df=1, max_df=0.9, k=5, block_pairs=500),
    )
    assert _as_rows(small.top_k_for_profiles(blocked=False)) == whole
    assert _as_rows(small.top_k_for_openings(blocked=False)) == _as_rows(
        region.top_k_for_openings(blocked=False)
    )


def test_blocking_drops_no_pair_the_filters_keep(region: MatchIndex) -> None:
    assert _as_rows(region.top_k_for_profiles()) == _as_rows(
        region.top_k_for_profiles(blocked=False)
    )
    assert _as_rows(region.top_k_for_openings()) == _as_rows(
        region.top_k_for_openings(blocked=False)
    )
    # And with k as large as the corpus: every allowed pair, not only the best.
    everything = len(region.openings)
    assert _as_rows(region.top_k_for_profiles(everything)) == _as_rows(
        region.top_k_for_profiles(everything, blocked=False)
    )


def test_top_k_for_profiles_is_sorted_and_at_most_k(region: MatchIndex) -> None:
    per_profile: dict[object, list[float]] = {}
    for s in region.top_k_for_profiles():
        per_profile.setdefault(s.profile_id, []).append(s.score)
    assert per_profile
    for scores in per_profile.values():
        assert len(scores) <= 5
        assert scores == sorted(scores, reverse=True)


def test_incremental_opening_equals_the_full_run(region: MatchIndex) -> None:
    full = region.top_k_for_openings()
    for record in region.openings[:40]:
        expected = [(s.profile_id, round(s.score, 5)) for s in full if s.opening_id == record.id]
        got = [(s.profile_id, round(s.score, 5)) for s in region.score_opening(record)]
        assert got == expected, record.id


def test_incremental_profile_equals_the_full_run(region: MatchIndex) -> None:
    full = region.top_k_for_profiles()
    for record in region.profiles[:60]:
        expected = [(s.opening_id, round(s.score, 5)) for s in full if s.profile_id == record.id]
        got = [(s.opening_id, round(s.score, 5)) for s in region.score_profile(record)]
        assert got == expected, record.id


def test_incremental_scoring_does_not_refit(region: MatchIndex) -> None:
    words, chars = (w.copy() for w in region.text_model.weights)
    region.score_opening(opening("new", title="Geheel nieuw woord: zwaluwstaartverbinding"))
    np.testing.assert_array_equal(region.text_model.weights[0], words)
    np.testing.assert_array_equal(region.text_model.weights[1], chars)


# ----- bad input ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("profiles", "openings", "message"),
    [
        ([profile()], [opening("o9", type="stage")], "opening 'o9': type: 'stage' is unknown"),
        ([profile("p9", radius_km=-1)], [opening()], "profile 'p9': radius_km: -1 is negative"),
        (
            [profile()],
            [opening("o9", start=dt.date(2027, 2, 1), end=dt.date(2027, 1, 1))],
            "opening 'o9': end: 2027-01-01 is before start",
        ),
        (
            [profile("p9", available_from=dt.date(2027, 2, 1), available_to=dt.date(2027, 1, 1))],
            [opening()],
            "profile 'p9': available_to",
        ),
        ([], [opening()], "profiles: is empty"),
        ([profile()], [], "openings: is empty"),
        ([profile("p9", skills=[("koken", 1)])], [opening()], "profile 'p9': skills: 'koken'"),
        ([profile("p9", skills=[("plc", 4)])], [opening()], "profile 'p9': skills: level 4"),
        ([profile()], [opening("o9", levels=["phd"])], "opening 'o9': levels: 'phd'"),
        ([profile("p9", types=["stage"])], [opening()], "profile 'p9': types: 'stage'"),
        ([profile("p9"), profile("p9")], [opening()], "profile 'p9': id: appears twice"),
    ],
)
def test_bad_input_names_the_record_and_field(profiles: list, openings: list, message: str) -> None:
    with pytest.raises(EngineInputError, match=message.replace("(", r"\(")):
        MatchIndex.build(profiles=profiles, openings=openings, taxonomy=TAXONOMY, config=CONFIG)


def test_taxonomy_resolves_keys_and_terms() -> None:
    assert TAXONOMY.resolve("plc") == "plc"
    assert TAXONOMY.resolve("  LASSER ") == "mig-mag-lassen"
    assert TAXONOMY.resolve("koken") is None


# ----- placement planner -------------------------------------------------------------


def test_the_planner_beats_greedy_where_greedy_is_provably_worse() -> None:
    # Greedy takes p1->o1 (0.9) and leaves p2 with o2 (0.1): 1.0 in total.
    # The optimum swaps: p1->o2 (0.8) + p2->o1 (0.85) = 1.65.
    scores = np.array([[0.9, 0.8], [0.85, 0.1]])
    greedy = plan_placements_greedy(scores, [1, 1], ["p1", "p2"], ["o1", "o2"])
    best = plan_placements(scores, [1, 1], ["p1", "p2"], ["o1", "o2"])
    assert greedy.total_score == pytest.approx(1.0)
    assert best.total_score == pytest.approx(1.65)
    assert best.assignments == {"p1": "o2", "p2": "o1"}


def _brute_force(scores: np.ndarray, capacity: list[int], min_score: float) -> float:
    n_p, n_o = scores.shape
    best = 0.0
    for choice in itertools.product(range(-1, n_o), repeat=n_p):
        if any(choice.count(o) > capacity[o] for o in range(n_o)):
            continue
        if any(
            c >= 0 and not (np.isfinite(scores[p, c]) and scores[p, c] >= min_score)
            for p, c in enumerate(choice)
        ):
            continue
        best = max(best, sum(scores[p, c] for p, c in enumerate(choice) if c >= 0))
    return best


@pytest.mark.parametrize("seed", range(25))
def test_the_planner_is_optimal_against_brute_force(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n_p, n_o = int(rng.integers(1, 6)), int(rng.integers(1, 4))
    scores = rng.random((n_p, n_o))
    scores[rng.random((n_p, n_o)) < 0.2] = -np.inf
    capacity = [int(c) for c in rng.integers(0, 3, n_o)]
    plan = plan_placements(scores, capacity, list(range(n_p)), list(range(n_o)), min_score=0.3)
    assert plan.total_score == pytest.approx(_brute_force(scores, capacity, 0.3))
    assert len(plan.assignments) + len(plan.unplaced) == n_p
    for o in range(n_o):
        assert list(plan.assignments.values()).count(o) <= capacity[o]
    assert all(scores[p, o] >= 0.3 for p, o in plan.assignments.items())


def test_the_planner_leaves_people_unplaced_below_the_minimum() -> None:
    plan = plan_placements(np.array([[0.2], [0.9]]), [2], ["a", "b"], ["o"], min_score=0.5)
    assert plan.assignments == {"b": "o"}
    assert plan.unplaced == ["a"]
    assert plan.total_score == pytest.approx(0.9)


def test_upserted_rows_score_like_fresh_ones_and_leave_others_alone() -> None:
    profiles, openings = _region(60, 30, seed=3)
    index = MatchIndex.build(
        profiles=profiles,
        openings=openings,
        taxonomy=TAXONOMY,
        config=MatchConfig(min_df=1, max_df=0.9, k=5),
    )
    before, _ = index.score(index.pside, index.oside)
    changed = profile(
        "p5",
        headline="lasser",
        skills=[("mig-mag-lassen", 3)],
        sectors=["shipbuilding"],
        types=["job"],
    )
    added = profile("new", headline="cnc draaien", skills=[("cnc-draaien", 2)])
    index.upsert_profiles([changed, added])
    moved = opening(
        "o7",
        title="lassen",
        type="job",
        sector="shipbuilding",
        skills=[Need("mig-mag-lassen", "must", 2)],
    )
    index.upsert_openings([moved])
    after, _ = index.score(index.pside, index.oside)
    assert after.shape == (61, 30)
    fresh, _ = index.score(
        index._profile_side([changed, added]), index._opening_side(index.openings)
    )
    np.testing.assert_array_equal(after[[5, 60]], fresh)
    untouched = [i for i in range(60) if i != 5]
    others = [j for j in range(30) if j != 7]
    np.testing.assert_array_equal(
        after[np.ix_(untouched, others)], before[np.ix_(untouched, others)]
    )
    # The new sector counts for the profile that has it, and for nobody else.
    _mask, values = index.features(index.pside, index.oside.take(np.array([7])))
    assert values[5, 5, 0] == 1.0
    assert values[5, 60, 0] == CONFIG.neutral  # no sectors given: neutral
    assert index.score_profile(changed)[0].opening_id == "o7"


def test_top_k_for_some_profiles_equals_their_part_of_the_full_run(region: MatchIndex) -> None:
    some = [r.id for r in region.profiles[10:50]] + ["not-in-the-index"]
    part = _as_rows(region.top_k_for_profiles(profile_ids=some))
    whole = [row for row in _as_rows(region.top_k_for_profiles()) if row[0] in set(some)]
    assert part == whole
    assert part


def test_a_text_state_reloads_the_same_fit(region: MatchIndex) -> None:
    again = MatchIndex.build(
        profiles=region.profiles,
        openings=region.openings,
        taxonomy=TAXONOMY,
        config=region.config,
        text_state=region.text_model.state(),
    )
    assert _as_rows(again.top_k_for_profiles()) == _as_rows(region.top_k_for_profiles())


# ----- engine 1.2.0: fields, skill names in the text, evidence, context ---------------

FIELDS = Taxonomy(
    keys=["cnc-draaien", "cnc-frezen", "mig-mag-lassen", "tig-lassen", "samenwerken", "vca"],
    related=[("mig-mag-lassen", "tig-lassen")],
    terms={"cnc turning": "cnc-draaien", "milling": "cnc-frezen"},
    categories={
        "cnc-draaien": "cnc",
        "cnc-frezen": "cnc",
        "mig-mag-lassen": "welding",
        "tig-lassen": "welding",
        "samenwerken": "soft",
        "vca": "safety",
    },
)


def _pair(p: ProfileRecord, o: OpeningRecord, taxonomy: Taxonomy = FIELDS) -> MatchIndex:
    return MatchIndex.build(profiles=[p], openings=[o], taxonomy=taxonomy, config=CONFIG)


def test_a_skill_of_the_same_field_earns_the_field_credit_and_a_generic_one_none() -> None:
    asked = opening(skills=[Need("cnc-frezen", "must", 1)])
    index = _pair(profile(skills=[("cnc-draaien", 2)]), asked)
    assert index.features(index.pside, index.oside)[1][0, 0, 0] == pytest.approx(0.25)
    # Soft skills and safety say nothing about a trade.
    soft = opening(skills=[Need("vca", "must", 1)])
    index = _pair(profile(skills=[("samenwerken", 2)]), soft)
    assert index.features(index.pside, index.oside)[1][0, 0, 0] == 0.0
    # The explanation still lists it as missing, and says a skill of its field is held.
    (s,) = _pair(profile(skills=[("cnc-draaien", 2)]), asked).top_k_for_profiles()
    missing = _pair(profile(skills=[("cnc-draaien", 2)]), asked).explain(s)["missing_must_haves"]
    assert missing == [
        {"skill": "cnc-frezen", "required_level": 1, "same_field": True, "credit": 0.25}
    ]


def test_a_short_skill_list_weighs_less_and_the_text_takes_the_rest() -> None:
    one = opening(skills=[Need("cnc-draaien", "must", 1)])  # weight 2: confidence 2 / 4
    four = opening(
        skills=[Need(k, "must", 1) for k in ("cnc-draaien", "cnc-frezen", "vca", "samenwerken")]
    )  # weight 8: confidence 8 / 10
    for o, confidence in ((one, 0.5), (four, 0.8)):
        index = _pair(profile(skills=[("cnc-draaien", 1)]), o)
        assert index.oside.skill_confidence[0] == pytest.approx(confidence)
        (s,) = index.top_k_for_profiles()
        w = CONFIG.weights
        assert s.contributions["skills"] == pytest.approx(
            w["skills"] * confidence * s.values["skills"], abs=1e-6
        )
        assert s.contributions["text"] == pytest.approx(
            (w["text"] + w["skills"] * (1 - confidence)) * s.values["text"], abs=1e-6
        )
        assert sum(s.contributions.values()) == pytest.approx(s.score, abs=1e-6)
        assert index.explain(s)["skills_confidence"] == pytest.approx(confidence)
    # A person who lists no skill at all gives the skills part nothing to go on.
    index = _pair(profile(skills=[]), one)
    assert not index.pside.has_skills[0]


def test_a_nearby_unrelated_opening_never_outranks_a_relevant_one_within_the_radius() -> None:
    relevant = opening(
        "relevant",
        title="Lasser MIG/MAG",
        skills=[Need("mig-mag-lassen", "must", 1)],
        lat=UTRECHT[0],
        lon=UTRECHT[1],
    )
    unrelated = opening("next-door", title="Magazijn", skills=[Need("vca", "must", 1)])
    welder = profile(headline="Lasser", skills=[("mig-mag-lassen", 2)], radius_km=25)
    index = MatchIndex.build(
        profiles=[welder], openings=[relevant, unrelated], taxonomy=FIELDS, config=CONFIG
    )
    ranked = list(index.top_k_for_profiles())
    assert [s.opening_id for s in ranked] == ["relevant", "next-door"]
    # The context counts in proportion to the fit: next door, distance adds little.
    nearby = ranked[1]
    assert nearby.values["distance"] == pytest.approx(1.0)
    assert nearby.contributions["distance"] < 0.5 * CONFIG.weights["distance"]
