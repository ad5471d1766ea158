"""Every tunable number of the engine, in one place."""

from __future__ import annotations

from dataclasses import dataclass, field

# Bump on any change that alters scores; stored with every match.
ENGINE_VERSION = "1.2.0"

FEATURES = ("skills", "text", "level", "distance", "availability", "sector")
# The parts that say whether an opening fits the person; the other parts (the
# context) count in proportion to how well these do (core.contributions_blend).
RELEVANCE = ("skills", "text")
# The counsellor's rules a stretch suggestion may miss (one of them, narrowly).
STRETCH_RULES = ("level", "dates", "hours")


@dataclass(frozen=True)
class MatchConfig:
    # Weights of the features in the score; they sum to 1 so the score is in [0, 1].
    weights: dict[str, float] = field(
        default_factory=lambda: {
            "skills": 0.40,
            "text": 0.20,
            "level": 0.10,
            "distance": 0.15,
            "availability": 0.10,
            "sector": 0.05,
        }
    )
    # Which weights these are: the hand-set ones, or a version learned from
    # decisions (matching.engine.learn); stored with every suggestion.
    weights_version: str = "hand-set"
    k: int = 20
    # Skill coverage.
    must_weight: float = 2.0
    nice_weight: float = 1.0
    related_credit: float = 0.5  # holding a related skill instead of the required one
    # Holding a skill of the same field (taxonomy category) as the required one, and
    # nothing closer: this much credit. Generic fields (soft skills, safety, digital)
    # say nothing about a trade and earn none.
    category_credit: float = 0.25
    category_generic: tuple[str, ...] = ("soft", "safety", "digital")
    # How much an opening's skill list can be trusted: one asking W (must 2, nice 1,
    # named in its text 0.5) gets the confidence W / (W + this); the skills part
    # weighs that share of its weight and the text part takes the rest. A short
    # list is weak evidence (one must-have: half); a person with no skills gives none.
    skills_evidence_prior: float = 2.0
    # A skill the person's own text names but they did not tick: this much credit,
    # below a ticked one (its level is unknown).
    text_skill_credit: float = 0.5
    # A skill an opening's description names but does not list: asked for as a
    # nice-to-have at this share of a listed nice-to-have's weight.
    text_need_weight: float = 0.5
    # Education level: the profile's level is accepted (1), one step off (this), else 0.
    adjacent_level_fit: float = 0.5
    # A feature with nothing to go on (no skills asked, no place, no sectors) scores this.
    neutral: float = 0.5
    # Text representation (see docs/algorithm.md for the measurements behind these).
    char_ngrams: tuple[int, int] = (3, 5)
    word_ngrams: tuple[int, int] = (1, 1)
    min_df: int = 2
    max_df: float = 0.5
    word_share: float = 0.5  # share of the text similarity from word n-grams
    # Open-ended openings (jobs) count this many days from their start for overlap.
    open_ended_days: int = 180
    # A counsellor's rules as hard filters: level, overlapping dates, hours (off only
    # to measure what they add, in matching.evaluate).
    hard_rules: bool = True
    # Hours available below this share of the hours asked rule an opening out.
    hours_min_share: float = 0.5
    # The stretch list ("Misschien ook interessant"): per profile, the best this many
    # openings that miss exactly one of the rules above, and only narrowly: a level
    # this many steps off, dates this many days apart, or at least this share of the
    # hours asked. Never part of the top-k; 0 turns it off.
    stretch_k: int = 3
    stretch_level_steps: int = 1
    stretch_date_gap_days: int = 28
    stretch_hours_min_share: float = 0.35
    # Work in blocks of at most this many (profile, opening) pairs.
    block_pairs: int = 4_000_000
    # Geographic blocking: grid cells of this many degrees.
    cell_degrees: float = 0.25
    # Threads scoring blocks at once (numpy and scipy release the GIL).
    workers: int = 2

    def __post_init__(self) -> None:
        if set(self.weights) != set(FEATURES):
            raise ValueError(f"weights must name exactly: {', '.join(FEATURES)}")
        if any(w < 0 for w in self.weights.values()):
            raise ValueError("weights cannot be negative")
        if abs(sum(self.weights.values()) - 1.0) > 1e-9:
            raise ValueError("weights must sum to 1")
        if self.k < 1:
            raise ValueError("k must be at least 1")
        if self.workers < 1:
            raise ValueError("workers must be at least 1")
        for name in (
            "related_credit",
            "category_credit",
            "text_skill_credit",
            "text_need_weight",
            "adjacent_level_fit",
            "neutral",
            "word_share",
            "hours_min_share",
            "stretch_hours_min_share",
        ):
            if not 0 <= getattr(self, name) <= 1:
                raise ValueError(f"{name} must lie in [0, 1]")
        if self.skills_evidence_prior < 0:
            raise ValueError("skills_evidence_prior cannot be negative")
        if min(self.stretch_k, self.stretch_level_steps, self.stretch_date_gap_days) < 0:
            raise ValueError("the stretch settings cannot be negative")
