"""Guest-lesson offers ranked for a school's requests: the match ranking's
building blocks (the TF-IDF ``TextModel``, ``haversine_km``, ``top_k_per_row``)
on a much smaller problem, with no second engine.

For every request r and offer o:

    skills(r, o)   = |skills of r shown by o| / |skills of r|   (sparse product)
    text(r, o)     = cosine of the TF-IDF vectors of topic and description
    distance(r, o) = 1 - km(r, o) / reach(o)

    score = 0.5 * skills + 0.3 * text + 0.2 * distance

A request without skills puts the skills weight on the text. Hard rules: the
offer is for the request's level, its kind (guest lesson or visit) is the one
asked, it can take place somewhere the request allows, and the school lies
within the distance the company travels (its ``reach``).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from matching.engine.config import MatchConfig
from matching.engine.core import top_k_per_row
from matching.engine.geo import haversine_km
from matching.engine.records import EngineInputError
from matching.engine.text import TextModel

WEIGHTS = {"skills": 0.5, "text": 0.3, "distance": 0.2}


@dataclass(frozen=True)
class GuestRequestRecord:
    id: Hashable
    format: str
    text: str
    skills: tuple[str, ...]
    level: str
    venues: frozenset[str]
    lat: float  # degrees
    lon: float


@dataclass(frozen=True)
class GuestOfferRecord:
    id: Hashable
    format: str
    text: str
    skills: tuple[str, ...]
    levels: frozenset[str]
    venues: frozenset[str]
    lat: float
    lon: float
    reach_km: float


@dataclass(frozen=True)
class OfferMatch:
    request_id: Hashable
    offer_id: Hashable
    score: float
    parts: dict[str, float]
    skills_shared: tuple[str, ...]
    distance_km: float


def _check(requests: Sequence[GuestRequestRecord], offers: Sequence[GuestOfferRecord]) -> None:
    for record in (*requests, *offers):
        if not (-90 <= record.lat <= 90 and -180 <= record.lon <= 180):
            raise EngineInputError(
                "guest", record.id, "place", "latitude or longitude out of range"
            )
    for offer in offers:
        if offer.reach_km <= 0:
            raise EngineInputError("offer", offer.id, "reach_km", "reach must be positive")


def _skill_matrix(rows: Sequence, column: dict[str, int]) -> sparse.csr_matrix:
    r, c = [], []
    for i, record in enumerate(rows):
        for skill in set(record.skills):
            r.append(i)
            c.append(column[skill])
    data = np.ones(len(r), dtype=np.float64)
    return sparse.csr_matrix((data, (r, c)), shape=(len(rows), len(column)))


def _overlap(left: Sequence[frozenset[str]], right: Sequence[frozenset[str]]) -> np.ndarray:
    """(len(left), len(right)): do the two sets share a label? Each set becomes
    one integer bitmask over the labels of both sides, so a pair is one AND."""
    names = {n: i for i, n in enumerate(sorted({n for s in (*left, *right) for n in s}))}
    if len(names) > 62:
        raise EngineInputError("guest", None, "labels", "too many distinct labels")

    def bits(sets: Sequence[frozenset[str]]) -> np.ndarray:
        return np.array([sum(1 << names[n] for n in s) for s in sets], dtype=np.int64)

    return (bits(left)[:, None] & bits(right)[None, :]) != 0


def offers_for_requests(
    *,
    requests: Sequence[GuestRequestRecord],
    offers: Sequence[GuestOfferRecord],
    k: int = 5,
) -> list[OfferMatch]:
    """Each request's ``k`` best offers that pass the hard rules, best first
    (ties: the offer listed first)."""
    _check(requests, offers)
    if not requests or not offers or k <= 0:
        return []
    keys = sorted({s for record in (*requests, *offers) for s in record.skills})
    column = {key: i for i, key in enumerate(keys)}
    wanted, shown = _skill_matrix(requests, column), _skill_matrix(offers, column)
    shared = (wanted @ shown.T).toarray()
    counts = np.asarray(wanted.sum(axis=1)).ravel()
    skills = np.divide(
        shared, counts[:, None], out=np.zeros_like(shared), where=counts[:, None] > 0
    )

    text = TextModel(MatchConfig())
    vectors = text.fit_transform([r.text for r in requests] + [o.text for o in offers])
    cosine = (vectors[: len(requests)] @ vectors[len(requests) :].T).toarray().astype(np.float64)
    np.clip(cosine, 0.0, 1.0, out=cosine)

    km = haversine_km(
        np.radians([r.lat for r in requests]),
        np.radians([r.lon for r in requests]),
        np.radians([o.lat for o in offers]),
        np.radians([o.lon for o in offers]),
    ).astype(np.float64)
    reach = np.array([o.reach_km for o in offers], dtype=np.float64)
    distance = np.clip(1.0 - km / reach[None, :], 0.0, 1.0)

    no_skills = (counts == 0)[:, None]
    score = (
        np.where(
            no_skills,
            (WEIGHTS["skills"] + WEIGHTS["text"]) * cosine,
            WEIGHTS["skills"] * skills + WEIGHTS["text"] * cosine,
        )
        + WEIGHTS["distance"] * distance
    )

    allowed = _overlap([frozenset({r.level}) for r in requests], [o.levels for o in offers])
    allowed &= _overlap([r.venues for r in requests], [o.venues for o in offers])
    allowed &= _overlap(
        [frozenset({r.format}) for r in requests], [frozenset({o.format}) for o in offers]
    )
    allowed &= km <= reach[None, :]
    score = np.where(allowed, score, -1.0)

    out = []
    for i, best in enumerate(top_k_per_row(score, k)):
        request = requests[i]
        for j in best:
            if score[i, j] < 0:
                continue
            offer = offers[j]
            out.append(
                OfferMatch(
                    request_id=request.id,
                    offer_id=offer.id,
                    score=round(float(score[i, j]), 4),
                    parts={
                        "skills": round(float(skills[i, j]), 4),
                        "text": round(float(cosine[i, j]), 4),
                        "distance": round(float(distance[i, j]), 4),
                    },
                    skills_shared=tuple(s for s in request.skills if s in set(offer.skills)),
                    distance_km=round(float(km[i, j]), 1),
                )
            )
    return out
