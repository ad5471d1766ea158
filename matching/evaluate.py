"""Offline evaluation: the engine against a TF-IDF-only baseline on a labelled set.

    python -m matching.evaluate --openings O.jsonl --profiles P.jsonl --labels L.jsonl --k 10

Engine-side tooling: it imports ``matching.engine`` and reads the shipped reference
files (``marketplace/data/skills.json`` and ``places.json``), never Django. Each
file holds one JSON object per line (docs/algorithm.md has the full description):

- openings: ``id, title, description, type, company_recognised,
  skills: [{skill, importance, level}], levels, place, start, end, hours, capacity, sector``
- profiles: ``id, headline, about, experience, skills: [{skill, level}], level, place,
  radius_km, types, available_from, available_to, hours, sectors``
- labels: ``profile, opening, relevance`` (0 unsuitable ... 3 excellent)

A skill is a taxonomy slug or any Dutch or English label or synonym; an unknown skill
is kept as text (appended to the record's ``extra_text``). A place is a municipality
name from places.json or ``{"lat": .., "lon": ..}``. Dates are ISO (YYYY-MM-DD).
Required: an opening's ``id``, ``title`` and ``type``; a profile's ``id`` and ``types``.

The metrics, per profile and then averaged over profiles:

- nDCG@k: gain 2^rel - 1, discount log2(rank + 1); the ideal is the profile's own
  labels, best first. An opening without a label counts as relevance 0. Profiles
  without any positive label are skipped.
- recall@k and MRR: "relevant" means relevance >= 2, a place a counsellor would put
  forward; 1 is only "could do, with effort". Profiles without such a place are
  skipped. MRR looks at the k suggestions only (a miss scores 0).
- coverage: the share of all profiles with at least 3 suggestions.
- exposure concentration: the Gini coefficient of the number of suggestions per
  opening, over all openings (zeros included); 0 is perfectly even.

The baseline ranks every opening for every profile by the text cosine alone (the same
``TextModel``, fitted on the same texts), with no hard filters and no other feature;
an opening with cosine 0 shares no text at all and is not suggested.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import re
import sys
from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, NoReturn

import numpy as np

from matching.engine import (
    EngineInputError,
    MatchConfig,
    MatchIndex,
    OpeningRecord,
    ProfileRecord,
    Taxonomy,
)
from matching.engine.config import FEATURES
from matching.engine.core import contributions_blend
from matching.engine.records import (
    IMPORTANCES,
    LEVEL_RANKS,
    RequiredSkill,
    validate_openings,
    validate_profiles,
)
from matching.engine.skill_finder import SkillFinder
from matching.engine.text import TextModel

ROOT = Path(__file__).resolve().parents[1]
REFERENCE_DATA = ROOT / "marketplace" / "data"
EVALDATA = Path(__file__).resolve().parent / "evaldata"

DEFAULT_K = 10
RELEVANT_FROM = 2  # relevance at or above this is "relevant" for recall and MRR
COVERAGE_MIN = 3  # a profile is covered with at least this many suggestions
MAX_RELEVANCE = 3

OPENING_FIELDS = frozenset(
    {
        "id",
        "title",
        "description",
        "type",
        "company_recognised",
        "skills",
        "levels",
        "place",
        "start",
        "end",
        "hours",
        "capacity",
        "sector",
    }
)
PROFILE_FIELDS = frozenset(
    {
        "id",
        "headline",
        "about",
        "experience",
        "skills",
        "level",
        "place",
        "radius_km",
        "types",
        "available_from",
        "available_to",
        "hours",
        "sectors",
    }
)
LABEL_FIELDS = frozenset({"profile", "opening", "relevance"})

Places = Mapping[str, tuple[float, float]]


class EvaluationInputError(ValueError):
    """An input file the evaluation cannot use; the message names file, line, record, field."""


def _where(path: Path | str, line: int | None) -> str:
    return f"{path}, line {line}" if line else str(path)


def level_parse(text: str) -> str:
    """An education level as the engine names it, from the common spellings:
    "mbo-2", "MBO 2", "Mbo2" and "mbo2" are all ``mbo2``. Anything else is left
    for the engine's check to name."""
    compact = re.sub(r"[\s_-]+", "", text).casefold()
    return compact if compact in LEVEL_RANKS else text


# ----- reference data ----------------------------------------------------------------


def taxonomy_load(path: Path = REFERENCE_DATA / "skills.json") -> Taxonomy:
    """Slugs as keys, the related pairs, and every label and synonym as a term."""
    records = json.loads(Path(path).read_text("utf-8"))
    keys = [r["slug"] for r in records]
    pairs = {frozenset((r["slug"], other)) for r in records for other in r.get("related", ())}
    related = [tuple(sorted(pair)) for pair in pairs if len(pair) == 2]
    terms: dict[str, str] = {}
    ambiguous: set[str] = set()
    for r in records:
        for term in [r["label_nl"], r["label_en"], *r.get("synonyms", ())]:
            norm = Taxonomy.normalise(term)
            if terms.get(norm, r["slug"]) != r["slug"]:
                ambiguous.add(norm)  # a term naming two skills resolves to neither
            terms[norm] = r["slug"]
    for norm in ambiguous:
        del terms[norm]
    categories = {r["slug"]: r.get("category", "") for r in records}
    return Taxonomy(keys=keys, related=sorted(related), terms=terms, categories=categories)


def finder_load(path: Path = REFERENCE_DATA / "skills.json") -> SkillFinder:
    """The product's skill finder over the same taxonomy: every label and synonym."""
    records = json.loads(Path(path).read_text("utf-8"))
    return SkillFinder(
        (r["slug"], [r["label_nl"], r["label_en"], *r.get("synonyms", ())]) for r in records
    )


# The fields whose words name skills that count for matching, as in the product
# (marketplace.selectors.OPENING_SKILL_TEXT and PROFILE_SKILL_TEXT; a test keeps
# them equal), and how many skills one text may name (TEXT_SKILLS_MAX).
OPENING_SKILL_TEXT = ("title", "description")
PROFILE_SKILL_TEXT = ("headline", "about", "experience")
TEXT_SKILLS_MAX = 20


def _skill_key(name: str, taxonomy: Taxonomy, finder: SkillFinder | None) -> str | None:
    """A skill as written: a slug, label or synonym; else, with a finder, the skill
    its words name, as the product's skill proposals would find it."""
    key = taxonomy.resolve(name)
    if key is None and finder is not None:
        found = finder.find(name, limit=1)
        key = str(found[0].skill) if found else None
    return key


def _text_skills(finder: SkillFinder | None, obj: Mapping[str, Any], fields: Sequence[str]):
    if finder is None:
        return ()
    text = "\n".join(str(obj.get(name) or "") for name in fields)
    return tuple(str(f.skill) for f in finder.find(text, limit=TEXT_SKILLS_MAX))


def places_load(path: Path = REFERENCE_DATA / "places.json") -> dict[str, tuple[float, float]]:
    """Municipality name (casefolded) -> (latitude, longitude)."""
    records = json.loads(Path(path).read_text("utf-8"))
    return {r["name"].casefold(): (float(r["latitude"]), float(r["longitude"])) for r in records}


# ----- JSONL parsing ---------------------------------------------------------------------


def _jsonl_read(path: Path | str) -> list[tuple[int, dict[str, Any]]]:
    """(line number, object) for every non-blank line; an empty file is an error."""
    try:
        text = Path(path).read_text("utf-8")
    except OSError as exc:
        raise EvaluationInputError(f"{path}: cannot be read ({exc.strerror})") from exc
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise EvaluationInputError(
                f"{_where(path, number)}: record ?: json: not valid JSON "
                f"({exc.msg} at column {exc.colno})"
            ) from exc
        if not isinstance(obj, dict):
            raise EvaluationInputError(
                f"{_where(path, number)}: record ?: json: a line must hold one JSON object"
            )
        rows.append((number, obj))
    if not rows:
        raise EvaluationInputError(f"{path}: is empty; expected one JSON object per line")
    return rows


@dataclass
class _Fields:
    """Typed access to one JSON object; every failure names file, line, record and field."""

    path: Path | str
    line: int
    kind: str
    obj: dict[str, Any]
    allowed: frozenset[str]
    id_field: str = "id"
    record_id: object = None
    warnings: list[str] | None = None

    def __post_init__(self) -> None:
        if self.id_field:
            self.record_id = self.identifier(self.id_field)
        unknown = sorted(set(self.obj) - self.allowed)
        if unknown and self.warnings is not None:
            # Fields the format does not use are left out, not refused: a file
            # exported from elsewhere may carry more than the evaluation reads.
            record = "?" if self.record_id is None else repr(self.record_id)
            self.warnings.append(
                f"{_where(self.path, self.line)}: {self.kind} {record}: ignored "
                + ", ".join(unknown)
                + " (not in the format)"
            )

    def fail(self, name: str, problem: str) -> NoReturn:
        record = "?" if self.record_id is None else repr(self.record_id)
        raise EvaluationInputError(
            f"{_where(self.path, self.line)}: {self.kind} {record}: {name}: {problem}"
        )

    def identifier(self, name: str) -> object:
        value = self.obj.get(name)
        if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
            self.fail(name, "is required: a non-empty string or an integer")
        return value

    def text(self, name: str, *, required: bool = False) -> str:
        value = self.obj.get(name)
        if value is None:
            if required:
                self.fail(name, "is required")
            return ""
        if not isinstance(value, str):
            self.fail(name, f"{value!r} is not a string")
        return value

    def integer(self, name: str, default: int) -> int:
        value = self.obj.get(name, default)
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(name, f"{value!r} is not a whole number")
        return value

    def number(self, name: str, default: float) -> float:
        value = self.obj.get(name, default)
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(name, f"{value!r} is not a number")
        return float(value)

    def flag(self, name: str, default: bool) -> bool:
        value = self.obj.get(name, default)
        if not isinstance(value, bool):
            self.fail(name, f"{value!r} is not true or false")
        return value

    def date(self, name: str) -> dt.date | None:
        value = self.obj.get(name)
        if value is None:
            return None
        try:
            return dt.date.fromisoformat(value)
        except (TypeError, ValueError):
            self.fail(name, f"{value!r} is not an ISO date (YYYY-MM-DD)")

    def texts(self, name: str, *, required: bool = False) -> list[str]:
        value = self.obj.get(name)
        if value is None or value == []:
            if required:
                self.fail(name, "is required: a non-empty list")
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(name, f"{value!r} is not a list of strings")
        return value

    def place(self, places: Places) -> tuple[float | None, float | None]:
        value = self.obj.get("place")
        if value is None:
            return None, None
        if isinstance(value, str):
            if value.casefold() not in places:
                self.fail("place", f"{value!r} is not a known municipality (places.json)")
            return places[value.casefold()]
        if (
            isinstance(value, dict)
            and set(value) == {"lat", "lon"}
            and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value.values())
        ):
            return float(value["lat"]), float(value["lon"])
        return self.fail("place", f"{value!r} is neither a municipality nor {{lat, lon}}")

    def skill_items(self, item_fields: frozenset[str]) -> list[dict[str, Any]]:
        value = self.obj.get("skills", [])
        if not isinstance(value, list):
            self.fail("skills", f"{value!r} is not a list")
        for item in value:
            if (
                not isinstance(item, dict)
                or not isinstance(item.get("skill"), str)
                or not item["skill"].strip()
                or not set(item) <= item_fields
            ):
                self.fail(
                    "skills",
                    f"{item!r} is not an object with "
                    + ", ".join(sorted(item_fields))
                    + " (skill required)",
                )
            level = item.get("level", 1)
            if isinstance(level, bool) or not isinstance(level, int) or not 1 <= level <= 3:
                self.fail("skills", f"{item['skill']!r}: level {level!r} is not 1, 2 or 3")
        return value


# Engine record fields that the files spell differently.
FILE_FIELD_NAMES = {"places_left": "capacity"}


def _engine_error(path: Path | str, line: int, exc: EngineInputError) -> EvaluationInputError:
    field_name = FILE_FIELD_NAMES.get(exc.field, exc.field)
    return EvaluationInputError(
        f"{_where(path, line)}: {exc.kind} {exc.record_id!r}: {field_name}: {exc.problem}"
    )


def _check_unique(fields: _Fields, seen: dict[object, int]) -> None:
    if fields.record_id in seen:
        fields.fail("id", f"appears twice (first on line {seen[fields.record_id]})")
    seen[fields.record_id] = fields.line


def openings_parse(
    path: Path | str,
    taxonomy: Taxonomy,
    places: Places,
    warnings: list[str] | None = None,
    finder: SkillFinder | None = None,
) -> tuple[list[OpeningRecord], dict[object, int]]:
    """The openings in ``path`` and the line each one came from; fields the format
    does not use are named in ``warnings``. With a ``finder``, skills are also found
    in the texts, and a skill name the taxonomy does not know is read for the skill
    its words name, as the product does."""
    records, lines = [], {}
    warnings = [] if warnings is None else warnings
    for line, obj in _jsonl_read(path):
        f = _Fields(path, line, "opening", obj, OPENING_FIELDS, warnings=warnings)
        _check_unique(f, lines)
        required: dict[str, RequiredSkill] = {}
        unknown: list[str] = []
        for item in f.skill_items(frozenset({"skill", "importance", "level"})):
            importance = item.get("importance", "must")
            if importance not in IMPORTANCES:
                f.fail("skills", f"{item['skill']!r}: importance {importance!r} is not must/nice")
            key = _skill_key(item["skill"], taxonomy, finder)
            if key is None:
                unknown.append(item["skill"])
                continue
            level = item.get("level", 1)
            if key in required:  # named twice: keep the stricter requirement
                earlier = required[key]
                importance = "must" if "must" in (importance, earlier.importance) else "nice"
                level = max(level, earlier.level)
            required[key] = RequiredSkill(skill=key, importance=importance, level=level)
        lat, lon = f.place(places)
        record = OpeningRecord(
            id=f.record_id,
            title=f.text("title", required=True),
            description=f.text("description"),
            type=f.text("type", required=True),
            company_recognised=f.flag("company_recognised", False),
            skills=tuple(required.values()),
            levels=tuple(level_parse(v) for v in f.texts("levels")),
            lat=lat,
            lon=lon,
            start=f.date("start"),
            end=f.date("end"),
            hours=f.integer("hours", 40),
            places_left=f.integer("capacity", 1),
            sector=f.text("sector"),
            extra_text=" ".join(unknown),
            text_skills=_text_skills(finder, obj, OPENING_SKILL_TEXT),
        )
        try:
            validate_openings([record], taxonomy)
        except EngineInputError as exc:
            raise _engine_error(path, line, exc) from exc
        records.append(record)
    return records, lines


def profiles_parse(
    path: Path | str,
    taxonomy: Taxonomy,
    places: Places,
    warnings: list[str] | None = None,
    finder: SkillFinder | None = None,
) -> tuple[list[ProfileRecord], dict[object, int]]:
    """The profiles in ``path`` and the line each one came from; fields the format
    does not use are named in ``warnings``. ``finder`` as for ``openings_parse``."""
    records, lines = [], {}
    warnings = [] if warnings is None else warnings
    for line, obj in _jsonl_read(path):
        f = _Fields(path, line, "profile", obj, PROFILE_FIELDS, warnings=warnings)
        _check_unique(f, lines)
        held: dict[str, int] = {}
        unknown: list[str] = []
        for item in f.skill_items(frozenset({"skill", "level"})):
            key = _skill_key(item["skill"], taxonomy, finder)
            if key is None:
                unknown.append(item["skill"])
            else:  # named twice: keep the higher level
                held[key] = max(held.get(key, 0), item.get("level", 1))
        lat, lon = f.place(places)
        record = ProfileRecord(
            id=f.record_id,
            headline=f.text("headline"),
            about=f.text("about"),
            experience=f.text("experience"),
            skills=tuple(held.items()),
            level=level_parse(f.text("level")),
            lat=lat,
            lon=lon,
            radius_km=f.number("radius_km", 25.0),
            types=tuple(f.texts("types", required=True)),
            available_from=f.date("available_from"),
            available_to=f.date("available_to"),
            hours=f.integer("hours", 40),
            sectors=tuple(f.texts("sectors")),
            extra_text=" ".join(unknown),
            text_skills=_text_skills(finder, obj, PROFILE_SKILL_TEXT),
        )
        try:
            validate_profiles([record], taxonomy)
        except EngineInputError as exc:
            raise _engine_error(path, line, exc) from exc
        records.append(record)
    return records, lines


def labels_parse(
    path: Path | str,
    profile_ids: Collection[object],
    opening_ids: Collection[object],
    warnings: list[str] | None = None,
) -> dict[object, dict[object, int]]:
    """profile id -> {opening id -> relevance}."""
    warnings = [] if warnings is None else warnings
    labels: dict[object, dict[object, int]] = {}
    first_seen: dict[tuple[object, object], int] = {}
    for line, obj in _jsonl_read(path):
        f = _Fields(path, line, "label", obj, LABEL_FIELDS, id_field="", warnings=warnings)
        profile, opening = f.identifier("profile"), f.identifier("opening")
        f.record_id = f"{profile}/{opening}"
        if profile not in profile_ids:
            f.fail("profile", f"{profile!r} is not in the profiles file")
        if opening not in opening_ids:
            f.fail("opening", f"{opening!r} is not in the openings file")
        relevance = f.obj.get("relevance")
        if isinstance(relevance, bool) or relevance not in range(MAX_RELEVANCE + 1):
            f.fail("relevance", f"{relevance!r} is not 0, 1, 2 or 3")
        if (profile, opening) in first_seen:
            f.fail("opening", f"labelled twice (first on line {first_seen[profile, opening]})")
        first_seen[profile, opening] = line
        labels.setdefault(profile, {})[opening] = relevance
    return labels


# ----- metrics -------------------------------------------------------------------------


def dcg(gains: Sequence[float]) -> float:
    """Discounted cumulative gain: the gain at rank r divided by log2(r + 1)."""
    return sum(gain / math.log2(rank + 1) for rank, gain in enumerate(gains, start=1))


def ndcg_at_k(ranked: Sequence[Hashable], relevance: Mapping[Hashable, int], k: int) -> float:
    """nDCG of the first k of ``ranked``, gain 2^rel - 1; unlabelled items count as 0.

    The ideal ranking is ``relevance``'s own values, best first; 0.0 when nothing in
    it is relevant (callers skip such profiles).
    """
    gains = [2 ** relevance.get(item, 0) - 1 for item in ranked[:k]]
    ideal = dcg(sorted((2**rel - 1 for rel in relevance.values()), reverse=True)[:k])
    return dcg(gains) / ideal if ideal > 0 else 0.0


def recall_at_k(ranked: Sequence[Hashable], relevant: Collection[Hashable], k: int) -> float:
    """The share of ``relevant`` found in the first k of ``ranked``; 0.0 when none is."""
    if not relevant:
        return 0.0
    return len(set(ranked[:k]) & set(relevant)) / len(relevant)


def reciprocal_rank(ranked: Sequence[Hashable], relevant: Collection[Hashable]) -> float:
    """1 / rank of the first relevant item in ``ranked``; 0.0 when there is none."""
    for rank, item in enumerate(ranked, start=1):
        if item in relevant:
            return 1.0 / rank
    return 0.0


def gini(counts: Sequence[float]) -> float:
    """Gini coefficient of non-negative counts: 0 when equal, (n - 1) / n when all in one."""
    values = sorted(counts)
    if values and values[0] < 0:
        raise ValueError("counts cannot be negative")
    n, total = len(values), sum(values)
    if n == 0 or total == 0:
        return 0.0
    weighted = sum(rank * value for rank, value in enumerate(values, start=1))
    return 2.0 * weighted / (n * total) - (n + 1.0) / n


# ----- the two rankers -------------------------------------------------------------------


Rankings = dict[object, list[object]]  # profile id -> opening ids, best first


def engine_rankings(index: MatchIndex, k: int) -> Rankings:
    """The engine's top k per profile, hard filters and all features included."""
    scored: dict[object, list[tuple[float, object]]] = {pid: [] for pid in index.profile_position}
    for s in index.top_k_for_profiles(k):
        scored[s.profile_id].append((s.score, s.opening_id))
    # The engine sorts each profile's results already; sort again so the order never
    # depends on how its blocks were cut (stable: ties keep the engine's order).
    return {
        pid: [oid for _, oid in sorted(pairs, key=lambda pair: -pair[0])]
        for pid, pairs in scored.items()
    }


def baseline_rankings(
    profiles: Sequence[ProfileRecord],
    openings: Sequence[OpeningRecord],
    config: MatchConfig,
    k: int,
) -> Rankings:
    """Text cosine only: the engine's TextModel on the same texts, no filters."""
    profile_texts, opening_texts = [r.text() for r in profiles], [r.text() for r in openings]
    vectors = TextModel(config).fit_transform(profile_texts + opening_texts)
    split = len(profile_texts)
    similarity = (vectors[:split] @ vectors[split:].T).toarray()
    rankings: Rankings = {}
    for row, profile in enumerate(profiles):
        order = np.argsort(-similarity[row], kind="stable")
        order = order[similarity[row, order] > 0][:k]
        rankings[profile.id] = [openings[col].id for col in order]
    return rankings


def _ranked_under(scores: np.ndarray, allowed: np.ndarray, ids: Sequence[object], k: int) -> list:
    """The ``k`` best allowed columns of one row, best first (stable on ties)."""
    order = np.argsort(-np.where(allowed, scores, -np.inf), kind="stable")
    return [ids[col] for col in order[:k] if allowed[col]]


def _skill_labels(taxonomy: Taxonomy) -> dict[str, list[str]]:
    labels: dict[str, list[str]] = {key: [key.replace("-", " ")] for key in taxonomy.keys}
    for term, key in taxonomy.terms.items():
        labels[key].append(term)
    return labels


def ablation_rankings(index: MatchIndex, k: int) -> dict[str, Rankings]:
    """What each part adds, every ranker under the engine's hard filters and rules:
    the floor (a plain scikit-learn char_wb TF-IDF over all the text, every label of
    every skill included), each feature alone, the full engine, and, for contrast,
    the full engine without the counsellor's rules (level, dates, hours)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    profiles, openings, taxonomy, config = (
        index.profiles,
        index.openings,
        index.taxonomy,
        index.config,
    )
    mask, values = index.features(index.pside, index.oside)
    loose = MatchIndex.build(  # the same fitted text model, the rules off
        profiles=profiles,
        openings=openings,
        taxonomy=taxonomy,
        config=replace(config, hard_rules=False),
        text_state=index.text_model.state(),
    )
    loose_mask, _values = loose.features(loose.pside, loose.oside)
    labels = _skill_labels(taxonomy)

    def words(record: ProfileRecord | OpeningRecord, keys: Iterable[str]) -> str:
        return " ".join([record.text(), *(" ".join(labels[key]) for key in keys)])

    texts = [words(p, [key for key, _level in p.skills]) for p in profiles] + [
        words(o, [need.skill for need in o.skills]) for o in openings
    ]
    vectors = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
    matrix = vectors.fit_transform(texts)
    floor = (matrix[: len(profiles)] @ matrix[len(profiles) :].T).toarray()
    confidence = index.oside.skill_confidence[None, :] * index.pside.has_skills[:, None]

    def blended(weights: Mapping[str, float]) -> np.ndarray:
        vector = np.array([weights[f] for f in FEATURES], dtype=np.float32)
        # Without the text part, the skills part keeps its whole weight: there is no
        # text to hand a short list's share to.
        sure = confidence if weights["text"] > 0 else np.ones_like(confidence)
        return contributions_blend(values, sure, vector / vector.sum()).sum(axis=0)

    full = blended(config.weights)
    scorers = {"floor: char_wb TF-IDF, all text": (floor, mask)}
    for i, name in enumerate(FEATURES):
        scorers[f"{name} alone"] = (values[i], mask)
    scorers["full engine"] = (full, mask)
    for name in FEATURES:  # leave one part out, the others' weights rescaled
        if config.weights[name] > 0:
            scorers[f"full engine without {name}"] = (blended({**config.weights, name: 0.0}), mask)
    scorers["full engine without rules 6-8"] = (full, loose_mask)
    ids = [o.id for o in openings]
    return {
        name: {
            p.id: _ranked_under(scores[row], allowed[row], ids, k) for row, p in enumerate(profiles)
        }
        for name, (scores, allowed) in scorers.items()
    }


# ----- evaluation ----------------------------------------------------------------------


@dataclass(frozen=True)
class SystemScores:
    ndcg: float
    recall: float
    mrr: float
    coverage: float
    gini: float


@dataclass
class Evaluation:
    k: int
    profiles: int
    openings: int
    labels: int
    ndcg_profiles: int  # profiles with a positive label
    relevant_profiles: int  # profiles with a label >= RELEVANT_FROM
    engine: SystemScores
    baseline: SystemScores
    rankings: dict[str, Rankings] = field(default_factory=dict, repr=False)
    warnings: list[str] = field(default_factory=list)
    ablation: dict[str, SystemScores] = field(default_factory=dict)


def _mean(values: Sequence[float]) -> float:
    return float(sum(values) / len(values)) if values else 0.0


def rankings_score(
    rankings: Rankings,
    labels: Mapping[object, Mapping[object, int]],
    opening_ids: Sequence[object],
    k: int,
) -> SystemScores:
    ndcgs, recalls, rrs = [], [], []
    for pid, relevance in labels.items():
        ranked = rankings.get(pid, [])[:k]
        if any(rel > 0 for rel in relevance.values()):
            ndcgs.append(ndcg_at_k(ranked, relevance, k))
        relevant = {oid for oid, rel in relevance.items() if rel >= RELEVANT_FROM}
        if relevant:
            recalls.append(recall_at_k(ranked, relevant, k))
            rrs.append(reciprocal_rank(ranked, relevant))
    exposure = dict.fromkeys(opening_ids, 0)
    for ranked in rankings.values():
        for oid in ranked[:k]:
            exposure[oid] += 1
    covered = sum(len(ranked[:k]) >= COVERAGE_MIN for ranked in rankings.values())
    return SystemScores(
        ndcg=_mean(ndcgs),
        recall=_mean(recalls),
        mrr=_mean(rrs),
        coverage=covered / len(rankings) if rankings else 0.0,
        gini=gini(list(exposure.values())),
    )


def evaluate(
    *,
    openings_path: Path | str = EVALDATA / "openings.jsonl",
    profiles_path: Path | str = EVALDATA / "profiles.jsonl",
    labels_path: Path | str = EVALDATA / "labels.jsonl",
    k: int = DEFAULT_K,
    config: MatchConfig | None = None,
) -> Evaluation:
    """Parse the three files, rank with the engine and the baseline, and score both."""
    if k < 1:
        raise ValueError("k must be at least 1")
    config = config or MatchConfig()
    taxonomy, places, finder = taxonomy_load(), places_load(), finder_load()
    warnings: list[str] = []
    openings, opening_lines = openings_parse(openings_path, taxonomy, places, warnings, finder)
    profiles, profile_lines = profiles_parse(profiles_path, taxonomy, places, warnings, finder)
    labels = labels_parse(labels_path, profile_lines, opening_lines, warnings)
    try:
        index = MatchIndex.build(
            profiles=profiles, openings=openings, taxonomy=taxonomy, config=config
        )
    except EngineInputError as exc:  # the records passed one by one; name the file anyway
        path, lines = (
            (openings_path, opening_lines)
            if exc.kind == "opening"
            else (profiles_path, profile_lines)
        )
        raise _engine_error(path, lines.get(exc.record_id, 0), exc) from exc
    engine = engine_rankings(index, k)
    baseline = baseline_rankings(profiles, openings, config, k)
    opening_ids = [r.id for r in openings]
    return Evaluation(
        k=k,
        profiles=len(profiles),
        openings=len(openings),
        labels=sum(len(v) for v in labels.values()),
        ndcg_profiles=sum(any(r > 0 for r in v.values()) for v in labels.values()),
        relevant_profiles=sum(any(r >= RELEVANT_FROM for r in v.values()) for v in labels.values()),
        engine=rankings_score(engine, labels, opening_ids, k),
        baseline=rankings_score(baseline, labels, opening_ids, k),
        rankings={"engine": engine, "baseline": baseline},
        warnings=warnings,
        ablation={
            name: rankings_score(ranked, labels, opening_ids, k)
            for name, ranked in ablation_rankings(index, k).items()
        },
    )


def table_format(result: Evaluation) -> str:
    """The metrics side by side, as a Markdown table with a short header."""
    k = result.k
    rows = [
        (f"nDCG@{k}", "ndcg"),
        (f"recall@{k} (relevance >= {RELEVANT_FROM})", "recall"),
        (f"MRR (first relevance >= {RELEVANT_FROM}, top {k})", "mrr"),
        (f"coverage (>= {COVERAGE_MIN} suggestions)", "coverage"),
        ("exposure Gini (lower is more even)", "gini"),
    ]
    width = max(len(name) for name, _ in rows)
    header = ("metric", "engine", "tfidf baseline")
    lines = [
        f"Offline evaluation, k={k}: {result.profiles} profiles, {result.openings} openings, "
        f"{result.labels} labels.",
        f"nDCG over {result.ndcg_profiles} profiles with a positive label; recall and MRR "
        f"over {result.relevant_profiles} with relevance >= {RELEVANT_FROM}.",
        "",
        f"| {header[0]:<{width}} | {header[1]:>6} | {header[2]:>14} |",
        f"|{'-' * (width + 2)}|{'-' * 8}|{'-' * 16}|",
    ]
    for name, attr in rows:
        engine, baseline = getattr(result.engine, attr), getattr(result.baseline, attr)
        lines.append(f"| {name:<{width}} | {engine:>6.3f} | {baseline:>14.3f} |")
    if result.ablation:
        width = max(len(name) for name in result.ablation)
        lines += [
            "",
            f"What each part adds: every ranker under the same hard filters and rules, "
            f"nDCG@{k} and recall@{k}.",
            "",
            f"| {'ranker':<{width}} | nDCG@{k:<2} | recall |",
            f"|{'-' * (width + 2)}|{'-' * 9}|{'-' * 8}|",
        ]
        for name, scores in result.ablation.items():
            lines.append(f"| {name:<{width}} | {scores.ndcg:>7.3f} | {scores.recall:>6.3f} |")
    return "\n".join(lines)


# The labelled sets ``python -m matching.evaluate`` reports by default, in order:
# (name, directory holding openings.jsonl, profiles.jsonl and labels.jsonl).
SETS = (
    ("shipped set (in-sample: written alongside the engine)", EVALDATA),
    ("held-out set A (diagnosis: read to find why a part fails)", EVALDATA / "heldout-a"),
    ("held-out set B (sealed: only ever evaluated)", EVALDATA / "heldout-b"),
)
FLOOR = "floor: char_wb TF-IDF, all text"


def summary_format(results: Sequence[tuple[str, Evaluation]]) -> str:
    """nDCG@k of the engine, the floor and the text baseline on each set, side by side."""
    width = max(len(name) for name, _ in results)
    lines = [
        "Summary, nDCG@k (floor and engine under the same hard rules):",
        "",
        f"| {'set':<{width}} | engine | floor | baseline |",
        f"|{'-' * (width + 2)}|--------|-------|----------|",
    ]
    for name, result in results:
        floor = result.ablation.get(FLOOR)
        lines.append(
            f"| {name:<{width}} | {result.engine.ndcg:>6.3f} | "
            f"{floor.ndcg if floor else float('nan'):>5.3f} | {result.baseline.ndcg:>8.3f} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m matching.evaluate",
        description="Compare the matching engine with a TF-IDF-only baseline on labels. "
        "Without file arguments, every shipped labelled set is evaluated.",
    )
    parser.add_argument("--openings", type=Path)
    parser.add_argument("--profiles", type=Path)
    parser.add_argument("--labels", type=Path)
    parser.add_argument(
        "--set",
        type=Path,
        action="append",
        dest="sets",
        help="a directory with openings.jsonl, profiles.jsonl and labels.jsonl (repeatable)",
    )
    parser.add_argument("--k", type=int, default=DEFAULT_K, help="suggestions per profile")
    args = parser.parse_args(argv)
    if args.k < 1:
        parser.error("--k must be at least 1")
    files = (args.openings, args.profiles, args.labels)
    if any(files):
        chosen = [
            (
                "given files",
                args.openings or EVALDATA / "openings.jsonl",
                args.profiles or EVALDATA / "profiles.jsonl",
                args.labels or EVALDATA / "labels.jsonl",
            )
        ]
    else:
        dirs = [(str(d), d) for d in args.sets] if args.sets else list(SETS)
        chosen = [
            (name, d / "openings.jsonl", d / "profiles.jsonl", d / "labels.jsonl")
            for name, d in dirs
            if args.sets or (d / "labels.jsonl").exists()
        ]
    results = []
    for name, openings, profiles, labels in chosen:
        try:
            result = evaluate(
                openings_path=openings, profiles_path=profiles, labels_path=labels, k=args.k
            )
        except EvaluationInputError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        for warning in result.warnings:
            print(f"warning: {warning}", file=sys.stderr)
        if len(chosen) > 1:
            print(f"## {name}\n")
        print(table_format(result))
        print()
        results.append((name, result))
    if len(results) > 1:
        print(summary_format(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
