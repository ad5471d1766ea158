"""The engine's inputs: plain records, validated with errors that name the record."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

OPENING_TYPES = ("bol", "bbl", "job", "orientation", "graduation")
# Places of these types may only be offered by an SBB-recognised company.
RECOGNISED_ONLY_TYPES = frozenset({"bol", "bbl"})
IMPORTANCES = ("must", "nice")
# Education levels on one ordinal scale. The opening's own levels fit fully; another
# level of equal or neighbouring rank (havo next to mbo3) fits partly.
LEVEL_RANKS = {
    "vmbo": 0,
    "mbo1": 1,
    "mbo2": 2,
    "mbo3": 3,
    "havo": 3,
    "mbo4": 4,
    "vwo": 4,
    "hbo": 5,
    "wo": 6,
}
LEVELS = tuple(LEVEL_RANKS)
# Types whose accepted levels are a requirement (a BPV place fits the programme's
# level, and so do orientation days and graduation projects); for jobs they are a
# minimum, and a higher level is welcome.
EXACT_LEVEL_TYPES = frozenset({"bol", "bbl", "orientation", "graduation"})


def level_rule(opening_type: str, accepted: Sequence[str], slack: int = 0) -> list[bool]:
    """For each of ``LEVELS``: may a profile of that level be suggested this opening?

    With ``slack``, the rule stretched by that many steps on the level scale (the
    stretch list's "one level off"): for a BPV place a level within ``slack`` of an
    accepted one, for a job one at most ``slack`` below the lowest accepted one.
    """
    if not accepted:
        return [True] * len(LEVELS)
    ranks = [LEVEL_RANKS[level] for level in accepted]
    if opening_type in EXACT_LEVEL_TYPES:
        if not slack:
            return [level in accepted for level in LEVELS]
        return [min(abs(LEVEL_RANKS[level] - r) for r in ranks) <= slack for level in LEVELS]
    return [LEVEL_RANKS[level] >= min(ranks) - slack for level in LEVELS]


class EngineInputError(ValueError):
    """A record the engine cannot use; the message names the record and field."""

    def __init__(self, kind: str, record_id: object, field_name: str, problem: str) -> None:
        super().__init__(f"{kind} {record_id!r}: {field_name}: {problem}")
        self.kind, self.record_id, self.field, self.problem = kind, record_id, field_name, problem


@dataclass(frozen=True)
class RequiredSkill:
    skill: str
    importance: str = "must"
    level: int = 1


@dataclass(frozen=True)
class OpeningRecord:
    id: object
    title: str
    description: str = ""
    type: str = "job"
    company_recognised: bool = False
    skills: Sequence[RequiredSkill] = ()
    levels: Sequence[str] = ()  # accepted education levels; empty accepts all
    lat: float | None = None
    lon: float | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    hours: int = 40
    places_left: int = 1
    sector: str = ""
    is_open: bool = True
    extra_text: str = ""  # e.g. skills the taxonomy does not know
    version: object = None  # opaque to the engine; the caller's row version
    # Taxonomy skills the description names (SkillFinder), beyond those listed: asked
    # for as nice-to-haves at a lower weight (MatchConfig.text_need_weight). Derived
    # data: a key the taxonomy no longer has is passed over, not refused.
    text_skills: Sequence[str] = ()

    def text(self) -> str:
        return " ".join(filter(None, [self.title, self.description, self.extra_text]))


@dataclass(frozen=True)
class ProfileRecord:
    id: object
    headline: str = ""
    about: str = ""
    experience: str = ""
    skills: Sequence[tuple[str, int]] = ()  # (skill key, level 1..3)
    level: str = ""
    lat: float | None = None
    lon: float | None = None
    radius_km: float = 25.0
    types: Sequence[str] = ()
    available_from: dt.date | None = None
    available_to: dt.date | None = None
    hours: int = 40
    sectors: Sequence[str] = ()
    visible: bool = True
    extra_text: str = ""
    version: object = None  # opaque to the engine; the caller's row version
    # Taxonomy skills the person's own texts name (SkillFinder), beyond those ticked:
    # held at a lower credit (MatchConfig.text_skill_credit), level unknown. Keys
    # the taxonomy no longer has are passed over.
    text_skills: Sequence[str] = ()

    def text(self) -> str:
        return " ".join(filter(None, [self.headline, self.about, self.experience, self.extra_text]))


@dataclass
class Taxonomy:
    """Skill keys, which are related, and the terms (labels, synonyms) that name them."""

    keys: list[str]
    related: list[tuple[str, str]] = field(default_factory=list)
    terms: dict[str, str] = field(default_factory=dict)  # normalised term -> key
    categories: dict[str, str] = field(default_factory=dict)  # key -> field (category)

    def __post_init__(self) -> None:
        self.position = {key: i for i, key in enumerate(self.keys)}
        if len(self.position) != len(self.keys):
            raise EngineInputError("taxonomy", "-", "keys", "two skills share a key")
        for a, b in self.related:
            if a not in self.position or b not in self.position:
                raise EngineInputError("taxonomy", a, "related", f"unknown skill {b!r}")

    @staticmethod
    def normalise(term: str) -> str:
        return " ".join(term.casefold().split())

    def resolve(self, term: str) -> str | None:
        """A key, label or synonym to its skill key; None when unknown."""
        if term in self.position:
            return term
        return self.terms.get(self.normalise(term))


def _check_common(kind: str, rid: object, hours: int, lat: float | None, lon: float | None) -> None:
    if not 0 <= hours <= 60:
        raise EngineInputError(kind, rid, "hours", f"{hours} is not between 0 and 60")
    if (lat is None) != (lon is None):
        raise EngineInputError(kind, rid, "place", "latitude and longitude go together")
    if lat is not None and not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise EngineInputError(kind, rid, "place", f"({lat}, {lon}) is not on Earth")


def validate_openings(records: Iterable[OpeningRecord], taxonomy: Taxonomy) -> None:
    seen = set()
    for r in records:
        if r.id in seen:
            raise EngineInputError("opening", r.id, "id", "appears twice")
        seen.add(r.id)
        if r.type not in OPENING_TYPES:
            raise EngineInputError(
                "opening",
                r.id,
                "type",
                f"{r.type!r} is unknown; use one of " + ", ".join(OPENING_TYPES),
            )
        if r.start and r.end and r.end < r.start:
            raise EngineInputError("opening", r.id, "end", f"{r.end} is before start {r.start}")
        for level in r.levels:
            if level not in LEVEL_RANKS:
                raise EngineInputError("opening", r.id, "levels", f"{level!r} is unknown")
        if len({req.skill for req in r.skills}) != len(r.skills):
            raise EngineInputError("opening", r.id, "skills", "a skill is listed twice")
        for req in r.skills:
            if req.skill not in taxonomy.position:
                raise EngineInputError("opening", r.id, "skills", f"{req.skill!r} is unknown")
            if req.importance not in IMPORTANCES:
                raise EngineInputError(
                    "opening", r.id, "skills", f"importance {req.importance!r} is unknown"
                )
            if not 1 <= req.level <= 3:
                raise EngineInputError("opening", r.id, "skills", f"level {req.level} is not 1-3")
        if r.places_left < 0:
            raise EngineInputError("opening", r.id, "places_left", "cannot be negative")
        _check_common("opening", r.id, r.hours, r.lat, r.lon)


def validate_profiles(records: Iterable[ProfileRecord], taxonomy: Taxonomy) -> None:
    seen = set()
    for r in records:
        if r.id in seen:
            raise EngineInputError("profile", r.id, "id", "appears twice")
        seen.add(r.id)
        if r.radius_km < 0:
            raise EngineInputError("profile", r.id, "radius_km", f"{r.radius_km} is negative")
        for t in r.types:
            if t not in OPENING_TYPES:
                raise EngineInputError("profile", r.id, "types", f"{t!r} is unknown")
        if r.level and r.level not in LEVEL_RANKS:
            raise EngineInputError("profile", r.id, "level", f"{r.level!r} is unknown")
        if r.available_from and r.available_to and r.available_to < r.available_from:
            raise EngineInputError(
                "profile", r.id, "available_to", f"{r.available_to} is before {r.available_from}"
            )
        if len({key for key, _level in r.skills}) != len(r.skills):
            raise EngineInputError("profile", r.id, "skills", "a skill is listed twice")
        for key, level in r.skills:
            if key not in taxonomy.position:
                raise EngineInputError("profile", r.id, "skills", f"{key!r} is unknown")
            if not 1 <= level <= 3:
                raise EngineInputError("profile", r.id, "skills", f"level {level} is not 1-3")
        _check_common("profile", r.id, r.hours, r.lat, r.lon)
