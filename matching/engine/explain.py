"""The reasons behind one suggestion, in terms a student and a counsellor can check."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from matching.engine.config import ENGINE_VERSION, FEATURES, MatchConfig
from matching.engine.geo import EARTH_RADIUS_KM
from matching.engine.records import (
    LEVEL_RANKS,
    OpeningRecord,
    ProfileRecord,
    RequiredSkill,
    Taxonomy,
)


@dataclass(frozen=True)
class ProfileFacts:
    """What every explanation of one profile shares (computed once per profile)."""

    held: dict[str, int]
    from_text: frozenset[str]
    fields: frozenset[str]  # the skill categories it holds anything in, bar generic ones

    @classmethod
    def of(cls, profile: ProfileRecord, taxonomy: Taxonomy, config: MatchConfig) -> ProfileFacts:
        held = dict(profile.skills)
        known = taxonomy.position
        from_text = frozenset(key for key in profile.text_skills if key in known) - set(held)
        categories = taxonomy.categories
        fields = frozenset(
            categories[key]
            for key in [*held, *from_text]
            if categories.get(key) not in (None, *config.category_generic)
        )
        return cls(held, from_text, fields)


@dataclass(frozen=True)
class OpeningFacts:
    """What every explanation of one opening shares: what it asks, listed or named
    in its text, and how far that list can be trusted."""

    asked: tuple[tuple[RequiredSkill, bool], ...]  # (requirement, listed?)
    evidence: float

    @classmethod
    def of(cls, opening: OpeningRecord, taxonomy: Taxonomy, config: MatchConfig) -> OpeningFacts:
        known = taxonomy.position
        listed = {req.skill for req in opening.skills}
        in_text = [
            RequiredSkill(key, "nice", 1)
            for key in dict.fromkeys(opening.text_skills)
            if key not in listed and key in known
        ]
        evidence = 0.0  # the weight of what is asked
        asked = []
        for req in [*opening.skills, *in_text]:
            weight = config.must_weight if req.importance == "must" else config.nice_weight
            is_listed = req.skill in listed
            evidence += weight if is_listed else weight * config.text_need_weight
            asked.append((req, is_listed))
        return cls(tuple(asked), evidence)


def distance_km(profile: ProfileRecord, opening: OpeningRecord) -> float | None:
    """The great-circle distance between the two places, None without both."""
    if profile.lat is None or opening.lat is None:
        return None
    lat1, lat2 = math.radians(profile.lat), math.radians(opening.lat)
    a = (
        math.sin((lat2 - lat1) * 0.5) ** 2
        + math.cos(lat1)
        * math.cos(lat2)
        * math.sin(math.radians(opening.lon - profile.lon) * 0.5) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(max(a, 0.0), 1.0)))


def explanation_build(
    *,
    profile: ProfileRecord,
    opening: OpeningRecord,
    taxonomy: Taxonomy,
    related: dict[str, Sequence[str]],
    config: MatchConfig,
    score: float,
    contributions: dict[str, float],
    values: dict[str, float],
    stretch_rule: str = "",
    profile_facts: ProfileFacts | None = None,
    opening_facts: OpeningFacts | None = None,
) -> dict[str, Any]:
    """The reasons, each true of the inputs: every required skill stands in one
    list only.

    - ``matched_skills``: held at the required level or above; or, marked
      ``from_text``, not ticked but named in the person's own texts (level unknown);
    - ``partial_skills``: held, below the required level ("niveau 1 van 3");
    - ``related_skills``: not held, but a related skill is (``via``): "you have
      X, Y is asked";
    - ``missing_must_haves``: must-haves the student has in none of these ways.

    Nice-to-haves the student lacks altogether are not listed. A skill the opening's
    description names without listing it is asked as a nice-to-have and marked
    ``asked_in_text``. ``related`` holds each skill's related skills in order: the
    first one held is the one named.

    A run explains many pairs of the same profiles and openings: it passes each
    one's facts (``ProfileFacts``, ``OpeningFacts``), computed once."""
    pf = profile_facts or ProfileFacts.of(profile, taxonomy, config)
    of = opening_facts or OpeningFacts.of(opening, taxonomy, config)
    held, from_text = pf.held, pf.from_text
    matched, partial, via_related, missing = [], [], [], []
    text_credit = round(config.text_skill_credit, 3)
    for req, is_listed in of.asked:
        level = held.get(req.skill)
        asked = {} if is_listed else {"asked_in_text": True}
        if level is None and req.skill in from_text:
            matched.append(
                {
                    "skill": req.skill,
                    "importance": req.importance,
                    "required_level": req.level,
                    "level": None,
                    "from_text": True,  # "uit je tekst": named, not ticked
                    "credit": text_credit,
                    **asked,
                }
            )
            continue
        if level is not None:
            item = {
                "skill": req.skill,
                "importance": req.importance,
                "required_level": req.level,
                "level": level,
                "credit": round(min(level / req.level, 1.0), 3),
                **asked,
            }
            (matched if level >= req.level else partial).append(item)
            continue
        relative = next((s for s in related.get(req.skill, ()) if s in held), None)
        if relative is not None and config.related_credit > 0:
            via_related.append(
                {
                    "skill": req.skill,
                    "importance": req.importance,
                    "required_level": req.level,
                    "via": relative,
                    "via_level": held[relative],
                    "credit": round(config.related_credit, 3),
                    **asked,
                }
            )
        elif req.importance == "must":
            item = {"skill": req.skill, "required_level": req.level}
            if config.category_credit > 0 and taxonomy.categories.get(req.skill) in pf.fields:
                # Lacking it, but holding another skill of its field: a little credit.
                item |= {"same_field": True, "credit": round(config.category_credit, 3)}
            missing.append(item)
    distance = distance_km(profile, opening)
    confidence = (
        float(evidence_confidence(of.evidence, config.skills_evidence_prior))
        if held or from_text
        else 0.0
    )
    return {
        "engine_version": ENGINE_VERSION,
        "weights_version": config.weights_version,
        "score": round(score, 4),
        "matched_skills": matched,
        "partial_skills": partial,
        "related_skills": via_related,
        "missing_must_haves": missing,
        "distance_km": None if distance is None else round(distance, 1),
        "radius_km": profile.radius_km,
        "level": {
            "profile": profile.level or None,
            "accepted": list(opening.levels),
            "fit": round(values["level"], 3),
            "profile_rank": LEVEL_RANKS.get(profile.level),
        },
        "features": {f: round(values[f], 4) for f in FEATURES},
        # How far the skills part counted (its share of the skills weight).
        "skills_confidence": round(confidence, 4),
        "contributions": {f: round(contributions[f], 4) for f in FEATURES},
        **({"stretch": stretch_facts(stretch_rule, profile, opening)} if stretch_rule else {}),
    }


def evidence_confidence(weight: Any, prior: float) -> Any:
    """How far a skill list asking ``weight`` (must 2, nice 1, named in text 0.5) is
    trusted: ``weight / (weight + prior)``; with no prior, fully once anything is
    asked. Works on a number or a numpy array alike (the engine's matrices)."""
    if prior > 0:
        return weight / (weight + prior)
    return (weight > 0) * 1.0


def stretch_facts(rule: str, profile: ProfileRecord, opening: OpeningRecord) -> dict[str, Any]:
    """What a stretch suggestion misses, in the facts a person can check: the levels,
    the two periods, or the hours."""
    facts: dict[str, Any] = {"rule": rule}
    if rule == "level":
        facts |= {"profile": profile.level or None, "accepted": list(opening.levels)}
    elif rule == "dates":
        facts |= {
            "available_from": _iso(profile.available_from),
            "available_to": _iso(profile.available_to),
            "start": _iso(opening.start),
            "end": _iso(opening.end),
        }
    elif rule == "hours":
        facts |= {"available": profile.hours, "asked": opening.hours}
    return facts


def _iso(day: Any) -> str | None:
    return day.isoformat() if day is not None else None
