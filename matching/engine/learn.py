"""Feature weights learned from people's decisions (pure numpy and scikit-learn).

Every decision on a suggestion is a label: a counsellor approves (1) or rejects (0),
a student says yes (1) or no (0), a company invites (1) or declines (0). The six
feature values the engine stored with each suggestion are the inputs. A logistic
regression on the older decisions gives a weight per feature; negative ones are
set to zero (a part may not count against a match) and the rest scaled to sum to 1,
as the engine's weights do.

The learned weights are judged on the newer decisions only (a split by time, so no
decision is both learned from and scored on), side by side with the current ones:
AUC over all held-out decisions, and nDCG@10 over each profile's held-out decisions.
They replace the current weights only when they win on both.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np

from matching.engine.config import FEATURES
from matching.engine.core import contributions_blend


@dataclass(frozen=True)
class Decision:
    features: Sequence[float]  # the six feature values, in FEATURES' order
    label: int  # 1 for a yes (approved, interested, invited), 0 for a no
    when: float  # any increasing time (a timestamp), for the split by time
    group: Hashable  # the profile, for ranking within one person's decisions
    # The skills evidence's confidence the suggestion was scored with (1 for
    # suggestions stored before the engine weighed it).
    confidence: float = 1.0


@dataclass(frozen=True)
class Comparison:
    current: dict[str, float]
    learned: dict[str, float]
    train: int
    test: int
    auc_current: float
    auc_learned: float
    ndcg_current: float
    ndcg_learned: float

    @property
    def learned_wins(self) -> bool:
        return self.auc_learned > self.auc_current and self.ndcg_learned > self.ndcg_current


def _matrix(decisions: Sequence[Decision]) -> tuple[np.ndarray, np.ndarray]:
    x = np.array([[float(v or 0.0) for v in d.features] for d in decisions], dtype=np.float64)
    y = np.array([d.label for d in decisions], dtype=np.int64)
    return x, y


def weights_fit(decisions: Sequence[Decision]) -> dict[str, float]:
    """Weights from a logistic regression on ``decisions``: none negative, summing to 1."""
    from sklearn.linear_model import LogisticRegression

    x, y = _matrix(decisions)
    if len(set(y.tolist())) < 2:
        raise ValueError("the decisions need both yeses and noes")
    model = LogisticRegression(C=10.0, max_iter=1000).fit(x, y)
    coef = np.clip(model.coef_[0], 0.0, None)
    if coef.sum() <= 0:
        raise ValueError("no feature speaks for a yes")
    weights = coef / coef.sum()
    return {f: float(round(w, 4)) for f, w in zip(FEATURES, weights, strict=True)}


def _ndcg(scores: np.ndarray, labels: np.ndarray, groups: Sequence[Hashable], k: int) -> float:
    by_group: dict[Hashable, list[int]] = defaultdict(list)
    for i, g in enumerate(groups):
        by_group[g].append(i)
    values = []
    for rows in by_group.values():
        gains = labels[rows].astype(np.float64)
        if len(rows) < 2 or gains.sum() == 0 or gains.sum() == len(rows):
            continue  # nothing to rank: one decision, or all alike
        order = np.argsort(-scores[rows], kind="stable")[:k]
        discounts = 1.0 / np.log2(np.arange(2, len(order) + 2))
        dcg = float((gains[order] * discounts).sum())
        ideal = float((np.sort(gains)[::-1][: len(order)] * discounts).sum())
        values.append(dcg / ideal)
    return float(np.mean(values)) if values else 0.0


def weights_compare(
    decisions: Sequence[Decision],
    current: dict[str, float],
    *,
    test_share: float = 0.25,
    k: int = 10,
) -> Comparison:
    """Learn on the older decisions, judge current and learned weights on the newer."""
    from sklearn.metrics import roc_auc_score

    ordered = sorted(decisions, key=lambda d: d.when)
    cut = round(len(ordered) * (1.0 - test_share))
    train, test = ordered[:cut], ordered[cut:]
    learned = weights_fit(train)
    x, y = _matrix(test)
    if len(set(y.tolist())) < 2:
        raise ValueError("the newer decisions need both yeses and noes")
    groups = [d.group for d in test]
    confidence = np.array([d.confidence for d in test], dtype=np.float64)

    def scores(weights: dict[str, float]) -> np.ndarray:
        # Scored as the engine scores: the same blend of the parts.
        vector = np.array([weights[f] for f in FEATURES], dtype=np.float64)
        return contributions_blend(x.T, confidence, vector).sum(axis=0)

    return Comparison(
        current=dict(current),
        learned=learned,
        train=len(train),
        test=len(test),
        auc_current=float(roc_auc_score(y, scores(current))),
        auc_learned=float(roc_auc_score(y, scores(learned))),
        ndcg_current=_ndcg(scores(current), y, groups, k),
        ndcg_learned=_ndcg(scores(learned), y, groups, k),
    )
