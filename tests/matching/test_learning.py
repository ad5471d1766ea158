"""Weights learned from decisions recover a preference the decisions were made with.

A synthetic decision log: counsellors approve on skills, and reject every opening
more than 25 km away, whatever else (the hidden preference). The hand-set weights
give distance 0.15; the learned ones must give it more, and rank the newer,
held-out decisions better.
"""

from __future__ import annotations

import random

import pytest

from matching.engine import MatchConfig
from matching.engine.config import FEATURES
from matching.engine.learn import Decision, weights_compare, weights_fit

RADIUS_KM = 40.0


def _log(n: int, seed: int = 7) -> list[Decision]:
    rng = random.Random(seed)
    decisions = []
    for i in range(n):
        km = rng.uniform(0, RADIUS_KM)
        values = {
            "skills": rng.random(),
            "text": rng.random(),
            "level": rng.choice([0.5, 1.0]),
            "distance": 1 - km / RADIUS_KM,
            "availability": rng.random(),
            "sector": rng.choice([0.0, 0.5, 1.0]),
        }
        # The hidden preference: too far is always rejected, whatever else.
        label = 0 if km > 25 else int(rng.random() < 0.2 + 0.7 * values["skills"])
        decisions.append(
            Decision(
                features=[values[f] for f in FEATURES], label=label, when=i, group=f"p{i % 150}"
            )
        )
    return decisions


def test_learned_weights_recover_the_hidden_preference() -> None:
    current = MatchConfig().weights
    result = weights_compare(_log(3000), current)
    assert result.learned["distance"] > 2 * current["distance"]
    assert result.learned["distance"] > result.learned["text"]
    assert sum(result.learned.values()) == pytest.approx(1.0, abs=1e-3)
    assert min(result.learned.values()) >= 0.0
    assert (result.train, result.test) == (2250, 750)  # older to learn, newer to judge
    assert result.auc_learned > result.auc_current
    assert result.ndcg_learned > result.ndcg_current
    assert result.learned_wins


def test_learning_needs_yeses_and_noes() -> None:
    all_no = [Decision([0.5] * 6, 0, i, "p") for i in range(20)]
    with pytest.raises(ValueError, match="both"):
        weights_fit(all_no)


@pytest.mark.django_db
def test_the_command_keeps_weights_that_win_and_the_next_run_uses_them() -> None:
    import datetime as dt
    from io import StringIO

    from django.core.management import call_command
    from django.utils import timezone

    from matching import services
    from matching.models import LearnedWeights, Match
    from tests import factories

    profiles = [factories.ProfileFactory() for _ in range(25)]
    openings = [factories.OpeningFactory() for _ in range(24)]
    start = timezone.now() - dt.timedelta(days=400)
    rows = []
    for i, decision in enumerate(_log(600, seed=11)):
        features = dict(zip(FEATURES, decision.features, strict=True))
        rows.append(
            Match(
                profile=profiles[i % 25],
                opening=openings[i // 25],
                score=0.5,
                engine_version="1.1.0",
                explanation={"features": features},
                state="approved" if decision.label else "rejected",
                state_changed_at=start + dt.timedelta(hours=i),
            )
        )
    Match.objects.bulk_create(rows)
    out = StringIO()
    call_command("learn_weights", "--min-decisions", "10000", stdout=out)
    assert "600 decisions; at least 10000 are needed" in out.getvalue()
    assert not LearnedWeights.objects.exists()
    assert services.match_config().weights_version == "hand-set"

    out = StringIO()
    call_command("learn_weights", "--min-decisions", "100", stdout=out)
    report = out.getvalue()
    assert "Learned from 450 older decisions, judged on 150 newer ones." in report
    kept = LearnedWeights.objects.get()
    assert f"Kept as {kept.version}" in report
    assert kept.weights["distance"] > 0.3
    assert kept.auc_after > kept.auc_before
    config = services.match_config()
    assert (config.weights, config.weights_version) == (kept.weights, kept.version)
    # The next full run scores with them, and every suggestion says which weights.
    fresh = factories.OpeningFactory(
        place=profiles[0].place,
        company=factories.CompanyFactory(
            verified_at=timezone.now(), sbb_recognised=True, sbb_recognised_on=dt.date(2024, 1, 1)
        ),
    )
    services.matches_store_full(index=services.match_index_build())
    stored = Match.objects.filter(opening=fresh)
    assert stored.exists()
    assert set(stored.values_list("weights_version", flat=True)) == {kept.version}
    assert stored.first().explanation["weights_version"] == kept.version
