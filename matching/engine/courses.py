"""Courses ranked by the skill gaps they close: the same building blocks as the
match ranking (sparse skill columns per minimum level, one product per level,
``top_k_per_row``), with no second engine.

A person's gap is the must-haves their best suggestions miss: each unmet must-have
of a suggestion counts that suggestion's score, in the column of its skill and the
level asked. A course covers a column when it teaches the skill at that level or
higher. For every person and course

    closed = sum over levels m of gap_m @ teaches_m.T

is the score-weighted gap the course closes, and ``closed / total gap`` (in [0, 1])
ranks the courses per person. Only the chosen pairs are then explained: which
skills the course closes, and per suggestion how many of its must-haves the person
meets before and after ("3 of 4").
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from matching.engine.core import top_k_per_row
from matching.engine.records import EngineInputError

LEVELS = (1, 2, 3)
# People scored at once: the dense (people x courses) block stays small.
BLOCK_ROWS = 2_000


@dataclass(frozen=True)
class GapSuggestion:
    """One stored suggestion as the course ranking reads it."""

    opening_id: Hashable
    score: float
    must_total: int
    # (skill key, level asked) of the must-haves the person does not meet.
    unmet: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class CourseRecord:
    id: Hashable
    # (skill key, level a participant reaches).
    skills: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class OpeningHelped:
    opening_id: Hashable
    must_total: int
    met_before: int
    met_after: int


@dataclass(frozen=True)
class CourseSuggestion:
    person_id: Hashable
    course_id: Hashable
    score: float  # share of the person's score-weighted gap the course closes
    closes: tuple[tuple[str, int], ...]  # (skill, highest level asked that it reaches)
    openings: tuple[OpeningHelped, ...]  # best helped first


def _check(gaps: Mapping[Hashable, Sequence[GapSuggestion]], courses: Sequence[CourseRecord]):
    for person, suggestions in gaps.items():
        for s in suggestions:
            if not 0 <= s.score <= 1 or s.must_total < len(s.unmet):
                raise EngineInputError(
                    "gap", person, "score", "score or must-have count out of range"
                )
            for _skill, level in s.unmet:
                if level not in LEVELS:
                    raise EngineInputError("gap", person, "level", f"level {level} is not 1-3")
    for course in courses:
        for _skill, level in course.skills:
            if level not in LEVELS:
                raise EngineInputError("course", course.id, "level", f"level {level} is not 1-3")


def _columns(keys: Sequence[str]) -> dict[str, int]:
    return {key: i for i, key in enumerate(keys)}


def _gap_matrices(
    people: Sequence[Hashable],
    gaps: Mapping[Hashable, Sequence[GapSuggestion]],
    column: Mapping[str, int],
) -> list[sparse.csr_matrix]:
    """Per level asked: people x skills, the summed scores of the suggestions that
    miss that skill at that level."""
    rows: dict[int, list[int]] = {m: [] for m in LEVELS}
    cols: dict[int, list[int]] = {m: [] for m in LEVELS}
    vals: dict[int, list[float]] = {m: [] for m in LEVELS}
    for r, person in enumerate(people):
        for s in gaps[person]:
            for skill, level in s.unmet:
                if skill in column:
                    rows[level].append(r)
                    cols[level].append(column[skill])
                    vals[level].append(s.score)
    shape = (len(people), len(column))
    # Duplicates (the same gap in several suggestions) add up in the conversion.
    return [
        sparse.csr_matrix((vals[m], (rows[m], cols[m])), shape=shape, dtype=np.float64)
        for m in LEVELS
    ]


def _teach_matrices(
    courses: Sequence[CourseRecord], column: Mapping[str, int]
) -> list[sparse.csr_matrix]:
    """Per level asked: courses x skills, 1 where the course teaches the skill at
    that level or higher."""
    out = []
    for m in LEVELS:
        rows, cols = [], []
        for r, course in enumerate(courses):
            for skill, level in course.skills:
                if level >= m and skill in column:
                    rows.append(r)
                    cols.append(column[skill])
        data = np.ones(len(rows), dtype=np.float64)
        out.append(sparse.csr_matrix((data, (rows, cols)), shape=(len(courses), len(column))))
    return out


def _explain(
    person: Hashable, course: CourseRecord, score: float, gaps: Sequence[GapSuggestion]
) -> CourseSuggestion:
    reaches = dict(course.skills)
    closes: dict[str, int] = {}
    helped = []
    for s in gaps:
        closed = [(skill, level) for skill, level in s.unmet if reaches.get(skill, 0) >= level]
        for skill, level in closed:
            closes[skill] = max(closes.get(skill, 0), level)
        if closed:
            before = s.must_total - len(s.unmet)
            after = before + len(closed)
            helped.append((s, OpeningHelped(s.opening_id, s.must_total, before, after)))
    # Suggestions the course brings closest to every must-have first, then by score.
    helped.sort(key=lambda h: (h[1].must_total - h[1].met_after, -h[0].score))
    return CourseSuggestion(
        person_id=person,
        course_id=course.id,
        score=round(score, 4),
        closes=tuple(sorted(closes.items())),
        openings=tuple(h for _s, h in helped),
    )


def courses_for_gaps(
    *,
    gaps: Mapping[Hashable, Sequence[GapSuggestion]],
    courses: Sequence[CourseRecord],
    skills: Sequence[str],
    k: int = 5,
) -> list[CourseSuggestion]:
    """Each person's ``k`` courses that close the largest share of their gap, best
    first (ties: the course listed first); courses that close nothing are left out."""
    _check(gaps, courses)
    people = [p for p, suggestions in gaps.items() if any(s.unmet for s in suggestions)]
    if not people or not courses or k <= 0:
        return []
    column = _columns(skills)
    teaches = _teach_matrices(courses, column)
    out: list[CourseSuggestion] = []
    for start in range(0, len(people), BLOCK_ROWS):
        block = people[start : start + BLOCK_ROWS]
        gap = _gap_matrices(block, gaps, column)
        closed = np.zeros((len(block), len(courses)))
        total = np.zeros(len(block))
        for g, t in zip(gap, teaches, strict=True):
            closed += (g @ t.T).toarray()
            total += np.asarray(g.sum(axis=1)).ravel()
        share = np.divide(
            closed, total[:, None], out=np.zeros_like(closed), where=total[:, None] > 0
        )
        best = top_k_per_row(share, k)
        for r, person in enumerate(block):
            for c in best[r]:
                if share[r, c] > 0:
                    out.append(_explain(person, courses[c], float(share[r, c]), gaps[person]))
    return out
