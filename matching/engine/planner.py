"""Placement planner: assign a whole class to places, maximising the total score."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linear_sum_assignment

_FORBIDDEN = 1e6


@dataclass
class PlacementPlan:
    assignments: dict[object, object] = field(default_factory=dict)  # profile -> opening
    total_score: float = 0.0
    unplaced: list[object] = field(default_factory=list)


def _check(
    scores: np.ndarray,
    capacity: Sequence[int],
    profile_ids: Sequence[object],
    opening_ids: Sequence[object],
) -> np.ndarray:
    scores = np.asarray(scores, dtype=np.float64)
    if scores.shape != (len(profile_ids), len(opening_ids)):
        raise ValueError(
            f"scores has shape {scores.shape}; expected ({len(profile_ids)}, {len(opening_ids)})"
        )
    if len(capacity) != len(opening_ids) or any(c < 0 for c in capacity):
        raise ValueError("capacity needs one non-negative number per opening")
    return scores


def plan_placements(
    scores: np.ndarray,
    capacity: Sequence[int],
    profile_ids: Sequence[object],
    opening_ids: Sequence[object],
    *,
    min_score: float = 0.0,
) -> PlacementPlan:
    """The assignment with the highest total score under capacity.

    Each opening's column is repeated once per free place; every profile also gets
    a private "unplaced" column of cost 0, so nobody is forced into a pair below
    ``min_score`` (or one a hard filter refused: -inf or NaN). The Hungarian
    algorithm (scipy's ``linear_sum_assignment``) then finds the optimum.
    """
    scores = _check(scores, capacity, profile_ids, opening_ids)
    n_p = len(profile_ids)
    copies = np.repeat(np.arange(len(opening_ids)), np.minimum(capacity, n_p))
    allowed = np.isfinite(scores) & (scores >= min_score)
    cost = np.where(allowed, -scores, _FORBIDDEN)[:, copies]
    cost = np.hstack([cost, np.full((n_p, n_p), _FORBIDDEN)])
    cost[np.arange(n_p), len(copies) + np.arange(n_p)] = 0.0
    rows, cols = linear_sum_assignment(cost)
    plan = PlacementPlan()
    for r, c in zip(rows, cols, strict=True):
        if c < len(copies) and allowed[r, copies[c]]:
            plan.assignments[profile_ids[r]] = opening_ids[copies[c]]
            plan.total_score += float(scores[r, copies[c]])
        else:
            plan.unplaced.append(profile_ids[r])
    return plan


def plan_placements_greedy(
    scores: np.ndarray,
    capacity: Sequence[int],
    profile_ids: Sequence[object],
    opening_ids: Sequence[object],
    *,
    min_score: float = 0.0,
) -> PlacementPlan:
    """Baseline: take the best remaining pair until nothing fits. Not optimal."""
    scores = _check(scores, capacity, profile_ids, opening_ids)
    left = list(capacity)
    plan = PlacementPlan()
    allowed = np.isfinite(scores) & (scores >= min_score)
    order = np.argsort(-np.where(allowed, scores, -np.inf), axis=None, kind="stable")
    for flat in order:
        r, c = divmod(int(flat), scores.shape[1])
        if not allowed[r, c]:
            break
        if profile_ids[r] in plan.assignments or left[c] == 0:
            continue
        plan.assignments[profile_ids[r]] = opening_ids[c]
        plan.total_score += float(scores[r, c])
        left[c] -= 1
    plan.unplaced = [p for p in profile_ids if p not in plan.assignments]
    return plan
