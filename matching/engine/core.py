"""Scoring on matrices: features, hard filters, the weighted score, chunked top-k.

Everything per (profile, opening) pair is computed for a whole block at once;
the only Python loops run over blocks and over the k results per row.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from matching.engine.config import (
    ENGINE_VERSION,
    FEATURES,
    RELEVANCE,
    STRETCH_RULES,
    MatchConfig,
)
from matching.engine.explain import (
    OpeningFacts,
    ProfileFacts,
    evidence_confidence,
    explanation_build,
)
from matching.engine.geo import PointIndex, cell_centre_and_reach, cell_keys, haversine_km
from matching.engine.records import (
    LEVEL_RANKS,
    LEVELS,
    OPENING_TYPES,
    RECOGNISED_ONLY_TYPES,
    EngineInputError,
    OpeningRecord,
    ProfileRecord,
    Taxonomy,
    level_rule,
    validate_openings,
    validate_profiles,
)
from matching.engine.text import TextModel

_FAR_PAST, _FAR_FUTURE = -1e9, 1e9
# Blocking groups profiles by these travel-radius bands (km), so a short radius
# is not scored against a long one's candidates.
RADIUS_BANDS_KM = np.array([5, 10, 15, 20, 30, 50, 100], dtype=np.float32)
_UNKNOWN_LEVEL = len(LEVELS)  # row of the level table for profiles without a level


def _bounded_map(fn: Callable, items: Iterable, workers: int) -> Iterator:
    """``map`` on a few threads, with at most 2 x workers results in flight (memory)."""
    if workers <= 1:
        yield from map(fn, items)
        return
    with ThreadPoolExecutor(workers) as pool:
        pending: deque = deque()
        for item in items:
            pending.append(pool.submit(fn, item))
            if len(pending) >= 2 * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def top_k_per_row(scores: np.ndarray, k: int) -> np.ndarray:
    """Column indices of each row's k best scores, best first; ties go to the lower
    column, so any split of the work into blocks gives the same answer."""
    n, m = scores.shape
    kk = min(k, m)
    kth = np.partition(scores, m - kk, axis=1)[:, m - kk][:, None]
    greater = scores > kth
    equal = scores == kth
    need = kk - greater.sum(axis=1, keepdims=True)
    chosen = greater | (equal & (np.cumsum(equal, axis=1) <= need))
    cols = np.nonzero(chosen)[1].reshape(n, kk)
    order = np.argsort(-np.take_along_axis(scores, cols, axis=1), axis=1, kind="stable")
    return np.take_along_axis(cols, order, axis=1)


def contributions_blend(
    values: np.ndarray, confidence: np.ndarray, weights: np.ndarray
) -> np.ndarray:
    """Each part's contribution to the score, from the feature values (first axis
    in ``FEATURES`` order) and the skills evidence's confidence per pair.

    The skills part weighs ``confidence`` of its weight and the text part takes the
    rest, so a short skill list, or a person who lists none, leans on the words.
    The other parts (the context: level, distance, availability, sector) count in
    proportion to how well the relevance parts fit, so a nearby but unrelated
    opening never climbs on distance alone. The contributions sum to the score,
    which stays in [0, 1] when the weights sum to 1.
    """
    skills, text = (FEATURES.index(f) for f in RELEVANCE)
    out = np.empty_like(values)
    out[skills] = weights[skills] * confidence * values[skills]
    out[text] = (weights[text] + weights[skills] * (1.0 - confidence)) * values[text]
    relevance_weight = float(weights[skills] + weights[text])
    fit = (out[skills] + out[text]) / relevance_weight if relevance_weight > 0 else 1.0
    for i in range(len(FEATURES)):
        if i not in (skills, text):
            out[i] = fit * weights[i] * values[i]
    return out


def _type_bits(types: Sequence[str]) -> int:
    bits = 0
    for t in types:
        bits |= 1 << OPENING_TYPES.index(t)
    return bits


def _day(value: dt.date | None, default: float) -> float:
    return float(value.toordinal()) if value else default


def _coords(records: Sequence[ProfileRecord] | Sequence[OpeningRecord]) -> tuple[np.ndarray, ...]:
    has = np.array([r.lat is not None for r in records], dtype=bool)
    lat = np.radians(np.array([r.lat if r.lat is not None else 0.0 for r in records], float))
    lon = np.radians(np.array([r.lon if r.lon is not None else 0.0 for r in records], float))
    return has, lat, lon


@dataclass
class OpeningSide:
    """Struct of arrays for a set of openings; ``take`` selects rows."""

    text: sp.csr_matrix
    need_by_level: list[sp.csr_matrix]  # weights of requirements with min level 1, 2, 3
    weight_sum: np.ndarray
    skill_confidence: np.ndarray  # weight_sum / (weight_sum + skills_evidence_prior)
    type_bit: np.ndarray
    eligible: np.ndarray  # open, places left, recognised where required
    has_place: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    start: np.ndarray
    end: np.ndarray
    has_dates: np.ndarray
    hours: np.ndarray
    level_fit: np.ndarray  # (n, levels + 1): fit of each profile level
    level_ok: np.ndarray  # (n, levels + 1): the level rule lets this profile level in
    level_near: np.ndarray  # (n, levels + 1): the rule stretched by a step lets it in
    sector: np.ndarray  # index into the sector vocabulary, -1 for none

    def take(self, rows: np.ndarray, *, text: bool = True) -> OpeningSide:
        """The given rows; ``text=False`` skips the text matrix (already scored)."""
        return OpeningSide(
            text=self.text[rows] if text else self.text[:0],
            need_by_level=[m[rows] for m in self.need_by_level],
            weight_sum=self.weight_sum[rows],
            skill_confidence=self.skill_confidence[rows],
            type_bit=self.type_bit[rows],
            eligible=self.eligible[rows],
            has_place=self.has_place[rows],
            lat=self.lat[rows],
            lon=self.lon[rows],
            start=self.start[rows],
            end=self.end[rows],
            has_dates=self.has_dates[rows],
            hours=self.hours[rows],
            level_fit=self.level_fit[rows],
            level_ok=self.level_ok[rows],
            level_near=self.level_near[rows],
            sector=self.sector[rows],
        )


@dataclass
class ProfileSide:
    text: sp.csr_matrix
    credit_by_level: list[sp.csr_matrix]  # credit per skill against a min level of 1, 2, 3
    has_skills: np.ndarray  # ticked or named any skill at all
    type_bits: np.ndarray
    eligible: np.ndarray
    has_place: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    radius: np.ndarray
    available_from: np.ndarray
    available_to: np.ndarray
    hours: np.ndarray
    level: np.ndarray
    sectors: np.ndarray  # (n, sectors + 1) bool; the last column is always False
    has_sectors: np.ndarray

    def take(self, rows: np.ndarray, *, text: bool = True) -> ProfileSide:
        """The given rows; ``text=False`` skips the text matrix (already scored)."""
        return ProfileSide(
            text=self.text[rows] if text else self.text[:0],
            credit_by_level=[m[rows] for m in self.credit_by_level],
            has_skills=self.has_skills[rows],
            type_bits=self.type_bits[rows],
            eligible=self.eligible[rows],
            has_place=self.has_place[rows],
            lat=self.lat[rows],
            lon=self.lon[rows],
            radius=self.radius[rows],
            available_from=self.available_from[rows],
            available_to=self.available_to[rows],
            hours=self.hours[rows],
            level=self.level[rows],
            sectors=self.sectors[rows],
            has_sectors=self.has_sectors[rows],
        )


@dataclass(frozen=True)
class Suggestion:
    profile_id: object
    opening_id: object
    score: float
    contributions: dict[str, float]  # each part's share of the score (contributions_blend)
    engine_version: str = ENGINE_VERSION
    # The feature values themselves, each in [0, 1] (what "how well it fits" shows).
    values: dict[str, float] = field(default_factory=dict)
    # For the stretch list: the one rule (of STRETCH_RULES) this opening narrowly misses.
    stretch_rule: str = ""


@dataclass
class TopK:
    """Top-k results as arrays (compact at national scale); iterate for Suggestions."""

    rows: np.ndarray  # index of the profile
    cols: np.ndarray  # index of the opening
    scores: np.ndarray
    contributions: np.ndarray  # (n, 2 x len(FEATURES)): contributions, then values
    profile_ids: Sequence[object]
    opening_ids: Sequence[object]
    rules: np.ndarray | None = None  # a stretch list's rule per row (1 + STRETCH_RULES index)

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[Suggestion]:
        rules = np.zeros(len(self.rows), dtype=np.int8) if self.rules is None else self.rules
        n = len(FEATURES)
        # Python numbers once per list (tolist), not a numpy scalar per number.
        for r, c, s, contrib, rule in zip(
            self.rows.tolist(),
            self.cols.tolist(),
            self.scores.tolist(),
            self.contributions.tolist(),
            rules.tolist(),
            strict=True,
        ):
            yield Suggestion(
                profile_id=self.profile_ids[r],
                opening_id=self.opening_ids[c],
                score=s,
                contributions=dict(zip(FEATURES, contrib[:n], strict=True)),
                values=dict(zip(FEATURES, contrib[n:], strict=True)),
                stretch_rule=STRETCH_RULES[rule - 1] if rule else "",
            )

    def pairs(self) -> set[tuple[object, object]]:
        return {
            (self.profile_ids[r], self.opening_ids[c])
            for r, c in zip(self.rows, self.cols, strict=True)
        }


class _Parts:
    """A block's contributions and feature values, indexed together: ``parts[key]``
    is both arrays' ``[key]`` stacked (contributions first), so only the selected
    pairs are ever copied."""

    def __init__(self, contributions: np.ndarray, values: np.ndarray) -> None:
        self.contributions, self.values = contributions, values

    def __getitem__(self, key: object) -> np.ndarray:
        return np.concatenate([self.contributions[key], self.values[key]])


def _named(row: np.ndarray) -> dict[str, float]:
    return {f: float(v) for f, v in zip(FEATURES, row, strict=True)}


def _merge_records(current: list, position: dict, records: Sequence) -> tuple[list, np.ndarray]:
    """Records with ``records`` replacing equal ids or appended; and their positions."""
    merged = list(current)
    positions = []
    for r in records:
        if r.id in position:
            merged[position[r.id]] = r
            positions.append(position[r.id])
        else:
            merged.append(r)
            positions.append(len(merged) - 1)
    return merged, np.array(positions, dtype=np.int64)


def _merge_rows(old: object, new: object, positions: np.ndarray, size: int) -> object:
    """``old`` grown to ``size`` rows, with ``new``'s rows written at ``positions``."""
    if sp.issparse(old):
        n_old = old.shape[0]
        keep = np.ones(size, dtype=np.float32)
        keep[positions] = 0.0
        grown = sp.vstack([old, sp.csr_matrix((size - n_old, old.shape[1]), dtype=old.dtype)])
        place = sp.csr_matrix(
            (np.ones(len(positions), dtype=np.float32), (positions, np.arange(len(positions)))),
            shape=(size, new.shape[0]),
        )
        return (sp.diags(keep) @ grown + place @ new).tocsr().astype(old.dtype)
    if isinstance(old, list):
        return [_merge_rows(o, n, positions, size) for o, n in zip(old, new, strict=True)]
    merged = np.empty((size, *old.shape[1:]), dtype=old.dtype)
    merged[: old.shape[0]] = old
    merged[positions] = new
    return merged


def _merge_side(old: object, new: object, positions: np.ndarray, size: int) -> object:
    fields = {
        name: _merge_rows(getattr(old, name), getattr(new, name), positions, size)
        for name in old.__dataclass_fields__
    }
    return type(old)(**fields)


class MatchIndex:
    """Fitted text model plus profile and opening matrices, ready to score."""

    def __init__(self, config: MatchConfig, taxonomy: Taxonomy) -> None:
        self.config = config
        self.taxonomy = taxonomy
        self.text_model = TextModel(config)
        n = len(taxonomy.keys)
        pairs = [(taxonomy.position[a], taxonomy.position[b]) for a, b in taxonomy.related]
        rows = [i for i, j in pairs] + [j for i, j in pairs]
        cols = [j for i, j in pairs] + [i for i, j in pairs]
        self.relation = sp.csr_matrix(
            (np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(n, n)
        )
        self.relation.data[:] = 1.0  # duplicates summed to 2; relatedness is yes/no
        # Skills of one field (a trade's category; generic categories left out).
        fields = sorted(
            {c for c in taxonomy.categories.values() if c not in config.category_generic}
        )
        field_of = [
            (taxonomy.position[key], fields.index(c))
            for key, c in taxonomy.categories.items()
            if key in taxonomy.position and c in fields
        ]
        in_field = sp.csr_matrix(
            (np.ones(len(field_of), dtype=np.float32),
             ([i for i, _ in field_of], [j for _, j in field_of])),
            shape=(n, max(len(fields), 1)),
        )  # fmt: skip
        self.same_field = (in_field @ in_field.T).tocsr()
        self.sectors: dict[str, int] = {}
        level_table = np.zeros((len(LEVELS) + 1, len(LEVELS)), dtype=np.float32)
        for i, a in enumerate(LEVELS):
            for j, b in enumerate(LEVELS):
                gap = abs(LEVEL_RANKS[a] - LEVEL_RANKS[b])
                level_table[i, j] = (
                    1.0 if a == b else (config.adjacent_level_fit if gap <= 1 else 0.0)
                )
        self._level_table = level_table

    # ----- building --------------------------------------------------------------

    @classmethod
    def build(
        cls,
        *,
        profiles: Sequence[ProfileRecord],
        openings: Sequence[OpeningRecord],
        taxonomy: Taxonomy,
        config: MatchConfig | None = None,
        text_state: dict | None = None,
    ) -> MatchIndex:
        """The full run: validate, fit the text model on every text, build all matrices.

        With ``text_state`` (``TextModel.state()`` of an earlier fit) nothing is refit:
        worker processes share one full run's fit this way.
        """
        if not profiles:
            raise EngineInputError("corpus", "-", "profiles", "is empty")
        if not openings:
            raise EngineInputError("corpus", "-", "openings", "is empty")
        validate_profiles(profiles, taxonomy)
        validate_openings(openings, taxonomy)
        index = cls(config or MatchConfig(), taxonomy)
        texts = [r.text() for r in profiles] + [r.text() for r in openings]
        if text_state is None:
            text = index.text_model.fit_transform(texts)
        else:
            text = index.text_model.load(text_state).transform(texts)
        for r in openings:
            index._sector_index(r.sector)
        for r in profiles:
            for s in r.sectors:
                index._sector_index(s)
        index.profiles, index.openings = list(profiles), list(openings)
        index.pside = index._profile_side(index.profiles, text=text[: len(profiles)])
        index.oside = index._opening_side(index.openings, text=text[len(profiles) :])
        index._index_points()
        return index

    def _index_points(self) -> None:
        self.profile_position = {r.id: i for i, r in enumerate(self.profiles)}
        self.opening_position = {r.id: i for i, r in enumerate(self.openings)}
        ps, os_ = self.pside, self.oside
        self.profile_points = PointIndex(ps.lat[ps.has_place], ps.lon[ps.has_place])
        self.opening_points = PointIndex(os_.lat[os_.has_place], os_.lon[os_.has_place])
        self._profile_with_place = np.flatnonzero(ps.has_place)
        self._opening_with_place = np.flatnonzero(os_.has_place)
        # Term-major copies of the text matrices, so one new record's product touches
        # only the rows of its own terms (built on first incremental use).
        self._profile_terms: sp.csr_matrix | None = None
        self._opening_terms: sp.csr_matrix | None = None

    def upsert_profiles(self, records: Sequence[ProfileRecord]) -> None:
        """Replace (by id) or add profiles in the cached matrices, with no refit."""
        validate_profiles(records, self.taxonomy)
        for r in records:
            for sector in r.sectors:
                self._sector_index(sector)
        self.profiles, positions = _merge_records(self.profiles, self.profile_position, records)
        new = self._profile_side(records)
        width = new.sectors.shape[1]
        old = self.pside
        if old.sectors.shape[1] < width:  # new sectors: widen, keeping the False column last
            pad = np.zeros((old.sectors.shape[0], width - old.sectors.shape[1]), dtype=bool)
            old.sectors = np.hstack([old.sectors[:, :-1], pad, old.sectors[:, -1:]])
        self.pside = _merge_side(old, new, positions, len(self.profiles))
        self._index_points()

    def upsert_openings(self, records: Sequence[OpeningRecord]) -> None:
        """Replace (by id) or add openings in the cached matrices, with no refit."""
        validate_openings(records, self.taxonomy)
        for r in records:
            self._sector_index(r.sector)
        self.openings, positions = _merge_records(self.openings, self.opening_position, records)
        self.oside = _merge_side(
            self.oside, self._opening_side(records), positions, len(self.openings)
        )
        self._index_points()

    def _sector_index(self, sector: str) -> int:
        if not sector:
            return -1
        return self.sectors.setdefault(sector, len(self.sectors))

    def _opening_side(
        self, records: Sequence[OpeningRecord], text: sp.csr_matrix | None = None
    ) -> OpeningSide:
        cfg, pos, n_s = self.config, self.taxonomy.position, len(self.taxonomy.keys)
        rows, cols, weights, levels = [], [], [], []
        for i, r in enumerate(records):
            for req in r.skills:
                rows.append(i)
                cols.append(pos[req.skill])
                weights.append(cfg.must_weight if req.importance == "must" else cfg.nice_weight)
                levels.append(req.level)
            listed = {req.skill for req in r.skills}
            for key in dict.fromkeys(r.text_skills):
                if key not in listed and key in pos:  # named in the description only
                    rows.append(i)
                    cols.append(pos[key])
                    weights.append(cfg.nice_weight * cfg.text_need_weight)
                    levels.append(1)
        rows_a, cols_a = np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64)
        w, lv = np.array(weights, dtype=np.float32), np.array(levels)
        shape = (len(records), n_s)
        need_by_level = [
            sp.csr_matrix((w[lv == m], (rows_a[lv == m], cols_a[lv == m])), shape=shape)
            for m in (1, 2, 3)
        ]
        need = sp.csr_matrix((w, (rows_a, cols_a)), shape=shape)
        has_place, lat, lon = _coords(records)
        start = np.array([_day(r.start, 0.0) for r in records])
        end = np.array([_day(r.end, _day(r.start, 0.0) + cfg.open_ended_days) for r in records])
        level_fit = np.ones((len(LEVELS) + 1, len(records)), dtype=np.float32)
        level_ok = np.ones((len(records), len(LEVELS) + 1), dtype=bool)
        level_near = np.ones((len(records), len(LEVELS) + 1), dtype=bool)
        for i, r in enumerate(records):
            if r.levels:
                level_ok[i, : len(LEVELS)] = level_rule(r.type, r.levels)
                level_near[i, : len(LEVELS)] = level_rule(r.type, r.levels, cfg.stretch_level_steps)
                accepted = [LEVELS.index(level) for level in r.levels]
                level_fit[: len(LEVELS), i] = self._level_table[:, accepted].max(axis=1)[
                    : len(LEVELS)
                ]
                level_fit[_UNKNOWN_LEVEL, i] = cfg.neutral
        weight_sum = np.asarray(need.sum(axis=1), dtype=np.float32).ravel()
        return OpeningSide(
            text=self.text_model.transform([r.text() for r in records]) if text is None else text,
            need_by_level=need_by_level,
            weight_sum=weight_sum,
            skill_confidence=evidence_confidence(weight_sum, cfg.skills_evidence_prior).astype(
                np.float32
            ),
            type_bit=np.array([_type_bits([r.type]) for r in records], dtype=np.int16),
            eligible=np.array(
                [
                    r.is_open
                    and r.places_left > 0
                    and (r.company_recognised or r.type not in RECOGNISED_ONLY_TYPES)
                    for r in records
                ],
                dtype=bool,
            ),
            has_place=has_place,
            lat=lat,
            lon=lon,
            start=start,
            end=end,
            has_dates=np.array([r.start is not None for r in records], dtype=bool),
            hours=np.array([r.hours for r in records], dtype=np.float32),
            level_fit=np.ascontiguousarray(level_fit.T),
            level_ok=level_ok,
            level_near=level_near,
            sector=np.array(
                [self.sectors.get(r.sector, -1) if r.sector else -1 for r in records],
                dtype=np.int32,
            ),
        )

    def _profile_side(
        self, records: Sequence[ProfileRecord], text: sp.csr_matrix | None = None
    ) -> ProfileSide:
        cfg, pos, n_s = self.config, self.taxonomy.position, len(self.taxonomy.keys)
        rows, cols, levels = [], [], []
        text_rows, text_cols = [], []
        for i, r in enumerate(records):
            for key, level in r.skills:
                rows.append(i)
                cols.append(pos[key])
                levels.append(level)
            ticked = {key for key, _level in r.skills}
            for key in dict.fromkeys(r.text_skills):
                if key not in ticked and key in pos:  # named in their own words only
                    text_rows.append(i)
                    text_cols.append(pos[key])
        rows_a, cols_a = np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64)
        lv = np.array(levels, dtype=np.float32)
        shape = (len(records), n_s)
        held = sp.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows_a, cols_a)), shape=shape)
        held.data[:] = 1.0
        # Holding a skill related to the required one earns the related credit...
        related = (held @ self.relation).tocsr().astype(np.float32)
        related.data[:] = cfg.related_credit
        from_text = sp.csr_matrix(
            (
                np.full(len(text_rows), cfg.text_skill_credit, dtype=np.float32),
                (text_rows, text_cols),
            ),
            shape=shape,
        )
        related = related.maximum(from_text)
        # Holding (or naming) a skill of the same field earns the field credit.
        any_held = (held + (from_text > 0)).tocsr()
        any_held.data[:] = 1.0
        if cfg.category_credit > 0 and self.same_field.nnz:
            same_field = (any_held @ self.same_field).tocsr().astype(np.float32)
            same_field.data[:] = cfg.category_credit
            related = related.maximum(same_field)
        # ...and holding the skill itself earns full credit at or above the minimum
        # level m, level/m below it; a pair earns the better of the two.
        credit_by_level = [
            sp.csr_matrix((np.minimum(lv / m, 1.0), (rows_a, cols_a)), shape=shape).maximum(related)
            for m in (1, 2, 3)
        ]
        has_place, lat, lon = _coords(records)
        n_sectors = len(self.sectors)
        sectors = np.zeros((len(records), n_sectors + 1), dtype=bool)
        for i, r in enumerate(records):
            for s in r.sectors:
                if s in self.sectors:
                    sectors[i, self.sectors[s]] = True
        return ProfileSide(
            text=self.text_model.transform([r.text() for r in records]) if text is None else text,
            credit_by_level=credit_by_level,
            has_skills=np.asarray(any_held.sum(axis=1)).ravel() > 0,
            type_bits=np.array([_type_bits(r.types) for r in records], dtype=np.int16),
            eligible=np.array([r.visible for r in records], dtype=bool),
            has_place=has_place,
            lat=lat,
            lon=lon,
            radius=np.array([r.radius_km for r in records], dtype=np.float32),
            available_from=np.array([_day(r.available_from, _FAR_PAST) for r in records]),
            available_to=np.array([_day(r.available_to, _FAR_FUTURE) for r in records]),
            hours=np.array([r.hours for r in records], dtype=np.float32),
            level=np.array(
                [LEVELS.index(r.level) if r.level else _UNKNOWN_LEVEL for r in records],
                dtype=np.int32,
            ),
            sectors=sectors,
            has_sectors=np.array([bool(r.sectors) for r in records]),
        )

    # ----- scoring -----------------------------------------------------------------

    def features(
        self, ps: ProfileSide, os_: OpeningSide, text: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Hard-filter mask and feature values (features, n_p, n_o) for every pair.

        ``text`` may carry the text similarities when the caller has them already.
        """
        mask, values, _stretch = self._judge(ps, os_, text, stretch=False)
        return mask, values

    def _judge(
        self, ps: ProfileSide, os_: OpeningSide, text: np.ndarray | None, *, stretch: bool
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """The mask, the feature values and, with ``stretch``, each pair's stretch
        rule: 1 + its index in ``STRETCH_RULES`` when the pair misses exactly that
        one of the counsellor's rules, and only narrowly; 0 otherwise."""
        cfg = self.config
        n_p, n_o = ps.type_bits.shape[0], os_.type_bit.shape[0]
        mask = ps.eligible[:, None] & os_.eligible[None, :]
        mask &= (ps.type_bits[:, None] & os_.type_bit[None, :]) != 0
        values = np.empty((len(FEATURES), n_p, n_o), dtype=np.float32)

        # skills: weighted coverage of the opening's requirements
        covered = sum(ps.credit_by_level[m] @ os_.need_by_level[m].T for m in range(3))
        skills = values[0]
        skills[:] = covered.toarray() if sp.issparse(covered) else covered
        has_needs = os_.weight_sum > 0
        np.divide(skills, np.where(has_needs, os_.weight_sum, 1.0)[None, :], out=skills)
        skills[:, ~has_needs] = cfg.neutral

        # text: cosine of the blended TF-IDF vectors
        values[1] = (ps.text @ os_.text.T).toarray() if text is None else text
        np.clip(values[1], 0.0, 1.0, out=values[1])

        # level
        values[2] = os_.level_fit[:, ps.level].T
        # A counsellor's rules (docs/algorithm.md, "In plain words", 6 to 8): the
        # level the opening accepts (jobs: at least its lowest), dates that overlap,
        # and not far fewer hours than asked. Applied after the other filters.
        level_ok = os_.level_ok[:, ps.level].T

        # distance, and the radius as a hard filter
        both = ps.has_place[:, None] & os_.has_place[None, :]
        km = haversine_km(ps.lat, ps.lon, os_.lat, os_.lon)
        radius = np.maximum(ps.radius, 1.0)[:, None]
        mask &= ~both | (km <= ps.radius[:, None])
        distance = values[3]
        np.subtract(1.0, km / radius, out=distance)
        np.clip(distance, 0.0, 1.0, out=distance)
        distance[~both] = cfg.neutral

        # availability: share of the opening's dates covered, and of its hours
        overlap = (
            np.minimum(ps.available_to[:, None], os_.end[None, :])
            - np.maximum(ps.available_from[:, None], os_.start[None, :])
            + 1.0
        )
        dates = np.clip(overlap / (os_.end - os_.start + 1.0)[None, :], 0.0, 1.0)
        dates[:, ~os_.has_dates] = 1.0
        hours = (
            np.minimum(ps.hours[:, None], os_.hours[None, :]) / np.maximum(os_.hours, 1.0)[None, :]
        )
        values[4] = dates * np.clip(hours, 0.0, 1.0)
        undated = ~os_.has_dates[None, :]
        known = (ps.hours > 0)[:, None] & (os_.hours > 0)[None, :]
        rules_ok = (level_ok, (overlap > 0.0) | undated, ~known | (hours >= cfg.hours_min_share))
        stretch_rule = None
        if cfg.hard_rules and stretch and cfg.stretch_k:
            # Most pairs break no rule, so the near-miss tests run on the pairs that
            # break exactly one, gathered by index.
            fails = [~ok for ok in rules_ok]
            misses = fails[0].view(np.int8) + fails[1].view(np.int8) + fails[2].view(np.int8)
            r, c = np.nonzero(mask & (misses == 1))
            stretch_rule = np.zeros(mask.shape, dtype=np.int8)
            if len(r):
                level = fails[0][r, c] & os_.level_near[c, ps.level[r]]
                dates = fails[1][r, c] & (overlap[r, c] > -float(cfg.stretch_date_gap_days))
                short = fails[2][r, c] & (hours[r, c] >= cfg.stretch_hours_min_share)
                stretch_rule[r, c] = level * np.int8(1) + dates * np.int8(2) + short * np.int8(3)
        if cfg.hard_rules:
            for ok in rules_ok:
                mask &= ok

        # sector of interest
        sector = values[5]
        # -1 (no sector) and sectors no profile has read the always-False last column.
        false_column = ps.sectors.shape[1] - 1
        sector[:] = ps.sectors[
            :, np.where(os_.sector >= 0, np.minimum(os_.sector, false_column), false_column)
        ]
        sector[:, os_.sector < 0] = cfg.neutral
        sector[~ps.has_sectors, :] = cfg.neutral
        return mask, values, stretch_rule

    def _weights(self) -> np.ndarray:
        return np.array([self.config.weights[f] for f in FEATURES], dtype=np.float32)

    def score(
        self, ps: ProfileSide, os_: OpeningSide, text: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Scores (n_p, n_o), -inf where a hard filter says no; and the contributions."""
        scores, parts, _stretch = self._score(ps, os_, text, stretch=False)
        return scores, parts.contributions

    def _score(
        self, ps: ProfileSide, os_: OpeningSide, text: np.ndarray | None, *, stretch: bool
    ) -> tuple[np.ndarray, _Parts, tuple[np.ndarray, np.ndarray, np.ndarray] | None]:
        """``score`` with the parts (contributions and values), and with ``stretch``
        the stretch pairs: the columns that hold any, their scores there (-inf for
        the other pairs) and their rules."""
        mask, values, rules = self._judge(ps, os_, text, stretch=stretch)
        confidence = os_.skill_confidence[None, :] * ps.has_skills[:, None]
        contributions = contributions_blend(values, confidence, self._weights())
        scores = contributions.sum(axis=0)
        # Contributions and values travel together, so top-k keeps both.
        parts = _Parts(contributions, values)
        extra = None
        if rules is not None:
            cols = np.flatnonzero(rules.any(axis=0))
            sub = rules[:, cols]
            extra = (cols, np.where(sub > 0, scores[:, cols], -np.inf), sub)
        scores[~mask] = -np.inf
        return scores, parts, extra

    # ----- blocking ----------------------------------------------------------------

    def _candidate_openings(
        self, profile_rows: np.ndarray
    ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """(profile rows, opening rows) blocks covering every pair the filters may keep.

        Profiles are grouped by grid cell, then by the kinds of opening they want and
        by a band of travel radius. A group's candidates are the openings of a kind
        it wants within its largest radius of the cell's centre plus the cell's
        half-diagonal (so, by the triangle inequality, no pair within a profile's
        radius is dropped), plus openings without a place. Profiles without a place
        are one group against every opening of a kind they want.
        """
        ps, os_, cfg = self.pside, self.oside, self.config
        useful = np.flatnonzero(os_.eligible)
        no_place = useful[~os_.has_place[useful]]
        rows = profile_rows[ps.eligible[profile_rows] & (ps.type_bits[profile_rows] != 0)]
        band = np.searchsorted(RADIUS_BANDS_KM, ps.radius[rows])
        cell = np.where(ps.has_place[rows],
                        cell_keys(ps.lat[rows], ps.lon[rows], cfg.cell_degrees), -1)  # fmt: skip
        bits = ps.type_bits[rows]
        order = np.lexsort((band, bits, cell))
        rows, band, cell, bits = rows[order], band[order], cell[order], bits[order]
        starts = np.flatnonzero(np.diff(cell) | np.diff(bits) | np.diff(band)) + 1
        cell_cache: dict[int, tuple[np.ndarray, np.ndarray, float]] = {}
        for group in np.split(np.arange(len(rows)), starts) if len(rows) else []:
            members, key, wanted = rows[group], int(cell[group[0]]), int(bits[group[0]])
            if key == -1:
                cols = useful
            else:
                if key not in cell_cache:
                    lat, lon, reach = cell_centre_and_reach(key, cfg.cell_degrees)
                    in_cell = cell == key
                    widest = float(ps.radius[rows[in_cell]].max()) + reach
                    near = self._opening_with_place[self.opening_points.within(lat, lon, widest)]
                    near = near[os_.eligible[near]]
                    centre_km = haversine_km(np.array([lat]), np.array([lon]), os_.lat[near],
                                             os_.lon[near])[0]  # fmt: skip
                    cell_cache = {key: (near, centre_km, reach)}  # one cell at a time
                near, centre_km, reach = cell_cache[key]
                limit = float(ps.radius[members].max()) + reach
                cols = np.union1d(near[centre_km <= limit], no_place)
            cols = cols[(os_.type_bit[cols] & wanted) != 0]
            if len(cols) == 0:
                continue
            step = max(1, cfg.block_pairs // len(cols))
            for start in range(0, len(members), step):
                yield members[start : start + step], cols

    def _all_blocks(self, rows: np.ndarray) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Unblocked: every profile against every opening, in row chunks (for tests)."""
        cols = np.arange(len(self.openings))
        step = max(1, self.config.block_pairs // max(len(cols), 1))
        for start in range(0, len(rows), step):
            yield rows[start : start + step], cols

    # ----- top-k ---------------------------------------------------------------------

    def _blocks(
        self, blocked: bool, rows: np.ndarray | None = None
    ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        rows = np.arange(len(self.profiles)) if rows is None else rows
        if blocked:
            return self._candidate_openings(rows)
        return self._all_blocks(rows)

    def top_k_for_profiles(
        self,
        k: int | None = None,
        *,
        blocked: bool = True,
        profile_ids: Sequence[object] | None = None,
    ) -> TopK:
        """The best k openings for every profile (or those given), in bounded blocks."""
        return self._profiles_pass(k, blocked, profile_ids, stretch=False)[0]

    def top_k_and_stretch_for_profiles(
        self, *, blocked: bool = True, profile_ids: Sequence[object] | None = None
    ) -> tuple[TopK, TopK]:
        """The top-k, and in the same pass each profile's stretch list: its best
        ``stretch_k`` openings that miss exactly one counsellor's rule, narrowly."""
        return self._profiles_pass(None, blocked, profile_ids, stretch=True)

    def _profiles_pass(
        self, k: int | None, blocked: bool, profile_ids: Sequence[object] | None, *, stretch: bool
    ) -> tuple[TopK, TopK]:
        k = k or self.config.k
        stretch_k = self.config.stretch_k if stretch and self.config.hard_rules else 0
        rows = None
        if profile_ids is not None:
            known = [self.profile_position[i] for i in profile_ids if i in self.profile_position]
            rows = np.array(sorted(known), dtype=np.int64)

        def best_of(
            scores: np.ndarray, parts: _Parts, kk: int, columns: np.ndarray | None = None
        ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
            """Row and column indices (into ``scores``) of each row's kk best, their
            scores, and the parts of just those pairs. ``columns`` maps the columns
            of ``scores`` to the block's, when ``scores`` holds only some of them."""
            best = top_k_per_row(scores, kk)
            best_scores = np.take_along_axis(scores, best, axis=1)
            keep = np.isfinite(best_scores)
            r_idx = np.broadcast_to(np.arange(scores.shape[0])[:, None], best.shape)[keep]
            c_idx = best[keep]
            in_block = c_idx if columns is None else columns[c_idx]
            return r_idx, c_idx, best_scores[keep], parts[:, r_idx, in_block].T

        def block_best(block: tuple[np.ndarray, np.ndarray]) -> tuple[tuple, tuple | None]:
            rows, cols = block
            scores, parts, extra = self._score(
                self.pside.take(rows), self.oside.take(cols), None, stretch=bool(stretch_k)
            )
            r_idx, c_idx, values, contrib = best_of(scores, parts, k)
            main = (rows[r_idx], cols[c_idx], values, contrib)
            if extra is None or len(extra[0]) == 0:
                return main, None
            some, stretch_scores, rules = extra
            r_idx, c_idx, values, contrib = best_of(stretch_scores, parts, stretch_k, some)
            return main, (rows[r_idx], cols[some[c_idx]], values, contrib, rules[r_idx, c_idx])

        main_parts, stretch_parts = [], []
        for main, extra in _bounded_map(
            block_best, self._blocks(blocked, rows), self.config.workers
        ):
            main_parts.append(main)
            if extra is not None:
                stretch_parts.append(extra)
        stretch_top = self._topk(*self._columns(p[:4] for p in stretch_parts))
        stretch_top.rules = (
            np.concatenate([p[4] for p in stretch_parts])
            if stretch_parts
            else np.empty(0, dtype=np.int8)
        )
        return self._topk(*self._columns(main_parts)), stretch_top

    @staticmethod
    def _columns(parts: Iterable[tuple]) -> tuple[list, list, list, list]:
        columns = [list(column) for column in zip(*parts, strict=True)]
        return tuple(columns) if columns else ([], [], [], [])  # type: ignore[return-value]

    def top_k_for_openings(self, k: int | None = None, *, blocked: bool = True) -> TopK:
        """The best k profiles for every opening, merged across profile blocks."""
        k = k or self.config.k
        n_o = len(self.openings)
        best_scores = np.full((n_o, k), -np.inf, dtype=np.float32)
        best_rows = np.zeros((n_o, k), dtype=np.int64)
        best_contrib = np.zeros((n_o, k, 2 * len(FEATURES)), dtype=np.float32)

        def block_best(block: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, ...]:
            rows, cols = block
            scores, parts, _stretch = self._score(
                self.pside.take(rows), self.oside.take(cols), None, stretch=False
            )
            top = top_k_per_row(scores.T, k)  # (n_cols, kk): rows of the block
            top_scores = np.take_along_axis(scores.T, top, axis=1)
            top_contrib = parts[:, top, np.arange(len(cols))[:, None]].transpose(1, 2, 0)
            return cols, rows[top], top_scores, top_contrib

        for cols, top_rows, top_scores, top_contrib in _bounded_map(
            block_best, self._blocks(blocked), self.config.workers
        ):
            merged_scores = np.concatenate([best_scores[cols], top_scores], axis=1)
            merged_rows = np.concatenate([best_rows[cols], top_rows], axis=1)
            merged_contrib = np.concatenate([best_contrib[cols], top_contrib], axis=1)
            # Ties broken by profile row, so blocked and unblocked runs agree.
            order = np.lexsort((merged_rows, -merged_scores), axis=1)[:, :k]
            best_scores[cols] = np.take_along_axis(merged_scores, order, axis=1)
            best_rows[cols] = np.take_along_axis(merged_rows, order, axis=1)
            best_contrib[cols] = np.take_along_axis(merged_contrib, order[:, :, None], axis=1)
        keep = np.isfinite(best_scores)
        cols_idx = np.broadcast_to(np.arange(n_o)[:, None], keep.shape)[keep]
        return self._topk([best_rows[keep]], [cols_idx], [best_scores[keep]], [best_contrib[keep]])

    def _topk(self, rows: list, cols: list, scores: list, contrib: list) -> TopK:
        empty = not rows
        return TopK(
            rows=np.concatenate(rows) if not empty else np.empty(0, dtype=np.int64),
            cols=np.concatenate(cols) if not empty else np.empty(0, dtype=np.int64),
            scores=np.concatenate(scores) if not empty else np.empty(0, dtype=np.float32),
            contributions=(
                np.concatenate(contrib)
                if not empty
                else np.empty((0, 2 * len(FEATURES)), dtype=np.float32)
            ),
            profile_ids=[r.id for r in self.profiles],
            opening_ids=[r.id for r in self.openings],
        )

    # ----- explanations --------------------------------------------------------------

    def explain(
        self,
        suggestion: Suggestion,
        *,
        profile: ProfileRecord | None = None,
        opening: OpeningRecord | None = None,
    ) -> dict:
        """The reasons behind ``suggestion``; pass records not in the index (incremental)."""
        if not hasattr(self, "_related_sets"):
            related: dict[str, set[str]] = {}
            for a, b in self.taxonomy.related:
                related.setdefault(a, set()).add(b)
                related.setdefault(b, set()).add(a)
            self._related_sets = {key: tuple(sorted(keys)) for key, keys in related.items()}
        profile = profile or self.profiles[self.profile_position[suggestion.profile_id]]
        opening = opening or self.openings[self.opening_position[suggestion.opening_id]]
        return explanation_build(
            profile=profile,
            opening=opening,
            taxonomy=self.taxonomy,
            related=self._related_sets,
            config=self.config,
            score=suggestion.score,
            contributions=suggestion.contributions,
            values=suggestion.values,
            stretch_rule=suggestion.stretch_rule,
            profile_facts=self._facts(profile, ProfileFacts),
            opening_facts=self._facts(opening, OpeningFacts),
        )

    def _facts(self, record: Any, kind: Any) -> Any:
        """A record's explanation facts, once per record object (a changed record
        is a new object, so it never gets an older record's facts)."""
        cache = self.__dict__.setdefault("_facts_cache", {})
        key = (kind, record.id)
        cached = cache.get(key)
        if cached is None or cached[0] is not record:
            cached = cache[key] = (record, kind.of(record, self.taxonomy, self.config))
        return cached[1]

    # ----- incremental ---------------------------------------------------------------

    def score_opening(self, record: OpeningRecord, k: int | None = None) -> list[Suggestion]:
        """One (new or changed) opening against every profile, with the fitted model.

        Returns the best k profiles for it. No refit: words the vocabulary has never
        seen simply do not count until the next full run.
        """
        validate_openings([record], self.taxonomy)
        os_ = self._opening_side([record])
        n = len(self.profiles)
        rows = np.arange(n)
        if record.lat is not None:
            lat, lon = np.radians(record.lat), np.radians(record.lon)
            reach = float(self.pside.radius.max()) if n else 0.0
            near = np.zeros(n, dtype=bool)
            near[self._profile_with_place[self.profile_points.within(lat, lon, reach + 0.01)]] = 1
            near |= ~self.pside.has_place
            if near.sum() < n // 2:  # else selecting rows costs more than scoring them
                rows = np.flatnonzero(near)
        if self._profile_terms is None:
            self._profile_terms = self.pside.text.T.tocsr()
        text = (os_.text @ self._profile_terms).toarray().T[rows]
        side = self.pside if len(rows) == n else self.pside.take(rows, text=False)
        scores, parts, _stretch = self._score(side, os_, text, stretch=False)
        return self._best(
            scores[:, 0],
            parts[:, :, 0],
            k,
            lambda i: (self.profiles[rows[i]].id, record.id),
        )

    def score_profile(self, record: ProfileRecord, k: int | None = None) -> list[Suggestion]:
        """One (new or changed) profile against every opening, with the fitted model."""
        return self._profile_scored(record, k, stretch=False)[0]

    def score_profile_with_stretch(
        self, record: ProfileRecord
    ) -> tuple[list[Suggestion], list[Suggestion]]:
        """``score_profile``, and the profile's stretch list from the same scores."""
        return self._profile_scored(record, None, stretch=True)

    def _profile_scored(
        self, record: ProfileRecord, k: int | None, *, stretch: bool
    ) -> tuple[list[Suggestion], list[Suggestion]]:
        validate_profiles([record], self.taxonomy)
        ps = self._profile_side([record])
        cols = np.flatnonzero(self.oside.eligible)
        if record.lat is not None:
            lat, lon = np.radians(record.lat), np.radians(record.lon)
            near = self._opening_with_place[
                self.opening_points.within(lat, lon, record.radius_km + 0.01)
            ]
            cols = np.union1d(near[self.oside.eligible[near]], cols[~self.oside.has_place[cols]])
        if self._opening_terms is None:
            self._opening_terms = self.oside.text.T.tocsr()
        text = (ps.text @ self._opening_terms).toarray()[:, cols]
        scores, parts, extra = self._score(
            ps, self.oside.take(cols, text=False), text, stretch=stretch
        )

        def ids(i: int) -> tuple[object, object]:
            return record.id, self.openings[cols[i]].id

        main = self._best(scores[0], parts[:, 0, :], k, ids)
        if extra is None or len(extra[0]) == 0:
            return main, []
        some, stretch_scores, rules = extra

        def stretch_ids(i: int) -> tuple[object, object]:
            return ids(some[i])

        return main, self._best(
            stretch_scores[0],
            parts[:, 0, some],
            self.config.stretch_k,
            stretch_ids,
            rules=rules[0],
        )

    def _best(
        self,
        scores: np.ndarray,
        parts: np.ndarray,
        k: int | None,
        ids: object,
        *,
        rules: np.ndarray | None = None,
    ) -> list[Suggestion]:
        """The k best of one row of scores as Suggestions, with their parts
        (contributions, then values); ``rules`` (1 + the ``STRETCH_RULES`` index, per
        score) marks a stretch list's."""
        if len(scores) == 0:
            return []
        top = top_k_per_row(scores[None, :], k or self.config.k)[0]
        return [
            Suggestion(
                *ids(i),
                score=float(scores[i]),
                contributions=_named(parts[: len(FEATURES), i]),
                values=_named(parts[len(FEATURES) :, i]),
                stretch_rule=STRETCH_RULES[rules[i] - 1] if rules is not None else "",
            )
            for i in top
            if np.isfinite(scores[i])
        ]
