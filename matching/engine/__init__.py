"""The matching engine: plain records in, ranked suggestions with reasons out.

Pure numpy, scipy and scikit-learn. It never imports Django, so it can be tested
and benchmarked without a database. See docs/algorithm.md for the plain-language
description of the ranking.

Public API:
- ``OpeningRecord``, ``ProfileRecord``, ``Taxonomy``: the inputs;
- ``MatchConfig``: every tunable number (weights, k, credits, chunk sizes);
- ``MatchIndex.build(...)``: fit the text model and build the matrices (full run);
- ``index.top_k_for_profiles()``, ``index.top_k_for_openings()``: chunked top-k;
- ``index.score_opening(record)``, ``index.score_profile(record)``: incremental;
- ``index.explain(...)``: the reasons behind one suggestion;
- ``plan_placements(...)``: assign a class to places under capacity.
"""

from matching.engine.config import ENGINE_VERSION, MatchConfig
from matching.engine.core import MatchIndex, Suggestion
from matching.engine.planner import PlacementPlan, plan_placements, plan_placements_greedy
from matching.engine.records import (
    EngineInputError,
    OpeningRecord,
    ProfileRecord,
    Taxonomy,
)

__all__ = [
    "ENGINE_VERSION",
    "EngineInputError",
    "MatchConfig",
    "MatchIndex",
    "OpeningRecord",
    "PlacementPlan",
    "ProfileRecord",
    "Suggestion",
    "Taxonomy",
    "plan_placements",
    "plan_placements_greedy",
]
