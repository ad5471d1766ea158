"""The course ranking on hand-checkable cases (the engine's building blocks, no
database)."""

from __future__ import annotations

import pytest

from matching.engine import EngineInputError
from matching.engine.courses import CourseRecord, GapSuggestion, courses_for_gaps

SKILLS = ["cnc-frezen", "lassen", "plc", "tekening-lezen", "vca"]


def _rank(gaps, courses, k=5):
    return courses_for_gaps(gaps=gaps, courses=courses, skills=SKILLS, k=k)


def test_a_course_that_closes_two_of_three_gaps_ranks_above_one_that_closes_one() -> None:
    gaps = {1: [GapSuggestion("monteur", 0.7, 4, (("cnc-frezen", 1), ("lassen", 1), ("plc", 1)))]}
    one = CourseRecord("one", (("plc", 2),))
    two = CourseRecord("two", (("cnc-frezen", 2), ("lassen", 1)))
    ranked = _rank(gaps, [one, two])
    assert [s.course_id for s in ranked] == ["two", "one"]
    assert ranked[0].score == pytest.approx(2 / 3, abs=1e-4)
    assert ranked[1].score == pytest.approx(1 / 3, abs=1e-4)
    assert ranked[0].closes == (("cnc-frezen", 1), ("lassen", 1))
    # "After this course you meet 3 of the 4 requirements": 1 met, 2 closed.
    helped = ranked[0].openings[0]
    assert (helped.opening_id, helped.must_total, helped.met_before, helped.met_after) == (
        "monteur",
        4,
        1,
        3,
    )


def test_a_course_below_the_level_asked_closes_nothing() -> None:
    gaps = {1: [GapSuggestion("o", 0.5, 1, (("lassen", 3),))]}
    assert _rank(gaps, [CourseRecord("basis", (("lassen", 2),))]) == []
    assert [s.course_id for s in _rank(gaps, [CourseRecord("gevorderd", (("lassen", 3),))])] == [
        "gevorderd"
    ]


def test_gaps_weigh_by_the_suggestions_score() -> None:
    """The same number of gaps closed: the course for the better suggestion wins."""
    gaps = {
        1: [
            GapSuggestion("good", 0.9, 1, (("plc", 1),)),
            GapSuggestion("weak", 0.2, 1, (("vca", 1),)),
        ]
    }
    ranked = _rank(gaps, [CourseRecord("vca", (("vca", 1),)), CourseRecord("plc", (("plc", 1),))])
    assert [s.course_id for s in ranked] == ["plc", "vca"]
    assert ranked[0].score == pytest.approx(0.9 / 1.1, abs=1e-4)


def test_a_gap_in_several_suggestions_counts_in_each() -> None:
    gaps = {
        1: [
            GapSuggestion("a", 0.5, 2, (("plc", 1), ("vca", 1))),
            GapSuggestion("b", 0.5, 1, (("plc", 1),)),
        ]
    }
    ranked = _rank(gaps, [CourseRecord("plc", (("plc", 1),))])
    assert ranked[0].score == pytest.approx(1.0 / 1.5, abs=1e-4)
    assert [o.opening_id for o in ranked[0].openings] == ["b", "a"]  # b is then complete


def test_each_person_gets_their_own_top_k_and_nobody_without_gaps_gets_any() -> None:
    gaps = {
        1: [GapSuggestion("o", 0.5, 2, (("plc", 1), ("vca", 1)))],
        2: [GapSuggestion("o", 0.5, 2, ())],
        3: [],
    }
    courses = [CourseRecord(c, ((c, 1),)) for c in ("plc", "vca", "lassen")]
    ranked = _rank(gaps, courses, k=1)
    assert [(s.person_id, s.course_id) for s in ranked] == [(1, "plc")]


def test_bad_input_is_refused_with_the_record_named() -> None:
    with pytest.raises(EngineInputError, match="course 'x'"):
        _rank({1: [GapSuggestion("o", 0.5, 1, (("plc", 1),))]}, [CourseRecord("x", (("plc", 4),))])
    with pytest.raises(EngineInputError, match="gap 1"):
        _rank({1: [GapSuggestion("o", 1.5, 1, (("plc", 1),))]}, [])
