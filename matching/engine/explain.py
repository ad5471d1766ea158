"""The reasons behind one suggestion, in terms a student and a counsellor can check."""

from __future__ import annotations

from typing import Any

from matching.engine.config import ENGINE_VERSION, FEATURES, MatchConfig
from matching.engine.geo import haversine_km
from matching.engine.records import LEVEL_RANKS, OpeningRecord, ProfileRecord, Taxonomy


def explanation_build(
    *,
    profile: ProfileRecord,
    opening: OpeningRecord,
    taxonomy: Taxonomy,
    related: dict[str, set[str]],
    config: MatchConfig,
    score: float,
    contributions: dict[str, float],
) -> dict[str, Any]:
    """Matched skills (with the credit each earned), missing must-haves, distance, level."""
    import numpy as np

    held = dict(profile.skills)
    matched, missing = [], []
    for req in opening.skills:
        level = held.get(req.skill)
        own = min(level / req.level, 1.0) if level is not None else 0.0
        relative = next((s for s in sorted(related.get(req.skill, ())) if s in held), None)
        via = relative if relative and config.related_credit > own else None
        credit = max(own, config.related_credit if relative else 0.0)
        if credit > 0:
            matched.append(
                {
                    "skill": req.skill,
                    "importance": req.importance,
                    "required_level": req.level,
                    "level": level,
                    "via_related": via,
                    "credit": round(credit, 3),
                }
            )
        if req.importance == "must" and (level is None or level < req.level):
            missing.append(
                {
                    "skill": req.skill,
                    "required_level": req.level,
                    "level": level,
                    "via_related": via,
                }
            )
    distance = None
    if profile.lat is not None and opening.lat is not None:
        distance = float(
            haversine_km(
                np.radians([profile.lat]),
                np.radians([profile.lon]),
                np.radians([opening.lat]),
                np.radians([opening.lon]),
            )[0, 0]
        )
    weights = config.weights
    return {
        "engine_version": ENGINE_VERSION,
        "score": round(score, 4),
        "matched_skills": matched,
        "missing_must_haves": missing,
        "distance_km": None if distance is None else round(distance, 1),
        "radius_km": profile.radius_km,
        "level": {
            "profile": profile.level or None,
            "accepted": list(opening.levels),
            "fit": round(contributions["level"] / weights["level"], 3)
            if weights["level"]
            else None,
            "profile_rank": LEVEL_RANKS.get(profile.level),
        },
        "features": {
            f: round(contributions[f] / weights[f], 4) if weights[f] else None for f in FEATURES
        },
        "contributions": {f: round(contributions[f], 4) for f in FEATURES},
    }
