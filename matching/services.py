"""The bridge between the ORM and the engine: build records, run, store suggestions.

Reads happen in a fixed number of queries (no query per row), and writes are
idempotent upserts keyed on (profile, opening), so running anything twice, or two
runs at once, leaves the same rows.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from django.core.cache import cache
from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.background import task_send
from accounts.exceptions import InvalidState
from accounts.models import OrganisationKind, User
from accounts.services import coordinator_check
from marketplace import selectors as market_selectors
from marketplace.models import (
    Opening,
    OpeningSkill,
    OpeningStatus,
    Placement,
    PlacementStatus,
    Profile,
    ProfileSkill,
    Skill,
)
from matching import store
from matching.engine import (
    MatchConfig,
    MatchIndex,
    OpeningRecord,
    ProfileRecord,
    Suggestion,
    Taxonomy,
)
from matching.engine.config import FEATURES
from matching.engine.learn import Comparison, Decision, weights_compare
from matching.engine.planner import plan_placements
from matching.engine.records import RequiredSkill
from matching.models import LearnedWeights, Match, MatchRun, MatchRunStatus, MatchState, Stretch

MATCH_CONFIG = MatchConfig()  # the one place the product's engine settings come from


def engine_taxonomy() -> Taxonomy:
    """Skill slugs, relations and every label and synonym, in three queries."""
    skills = list(
        Skill.objects.only("slug", "label_nl", "label_en", "synonyms", "category").order_by("slug")
    )
    through = Skill.related.through.objects.values_list("from_skill__slug", "to_skill__slug")
    terms: dict[str, str] = {}
    for skill in skills:
        for term in [skill.label_nl, skill.label_en, *skill.synonyms]:
            terms.setdefault(Taxonomy.normalise(term), skill.slug)
    pairs = {tuple(sorted(pair)) for pair in through}
    return Taxonomy(
        keys=[s.slug for s in skills],
        related=sorted(pairs),
        terms=terms,
        categories={s.slug: s.category for s in skills},
    )


@dataclass(frozen=True)
class SkillProposal:
    skill: Skill
    text: str  # the words of the text that name it
    score: float


def skill_proposals(
    *, text: str, exclude: Sequence[int] = (), limit: int = 12
) -> list[SkillProposal]:
    """Taxonomy skills the text names, best first, leaving out ``exclude`` (the
    skills already chosen). Proposals only: nothing is added to anything here."""
    excluded = set(exclude)
    found = market_selectors.skill_finder().find(text[:20_000], limit=limit + len(excluded))
    found = [f for f in found if f.skill not in excluded][:limit]
    skills = Skill.objects.in_bulk([f.skill for f in found])
    return [SkillProposal(skills[f.skill], f.text, f.score) for f in found if f.skill in skills]


def openings_for_matching(*, open_only: bool = True) -> QuerySet[Opening]:
    openings = Opening.objects.filter(status=OpeningStatus.OPEN) if open_only else Opening.objects
    return openings.select_related("company", "place").prefetch_related(
        Prefetch("opening_skills", queryset=OpeningSkill.objects.select_related("skill"))
    )


def profiles_for_matching() -> QuerySet[Profile]:
    """Profiles as the engine reads them, each with ``is_placed``: a confirmed
    placement that has not ended pauses new suggestions."""
    return (
        Profile.objects.select_related("place", "user")
        .annotate(is_placed=market_selectors.placed_now_subquery())
        .prefetch_related(
            Prefetch("profile_skills", queryset=ProfileSkill.objects.select_related("skill"))
        )
    )


def opening_record(opening: Opening) -> OpeningRecord:
    company, place = opening.company, opening.place
    return OpeningRecord(
        id=opening.pk,
        title=opening.title,
        description=opening.description,
        type=opening.type,
        company_recognised=company.sbb_recognised,
        skills=[
            RequiredSkill(s.skill.slug, s.importance, s.min_level)
            for s in opening.opening_skills.all()
        ],
        levels=list(opening.education_levels),
        lat=place.latitude if place else None,
        lon=place.longitude if place else None,
        start=opening.start_date,
        end=opening.end_date,
        hours=opening.hours_per_week,
        places_left=max(opening.places_left, 0),
        sector=company.sector,
        text_skills=list(opening.text_skills),
        version=opening.updated_at,
        # Public and matchable only once a coordinator verified the company.
        is_open=opening.status == OpeningStatus.OPEN
        and company.kind == OrganisationKind.COMPANY
        and company.verified_at is not None,
    )


def profile_record(profile: Profile) -> ProfileRecord:
    place = profile.place
    return ProfileRecord(
        id=profile.pk,
        headline=profile.headline,
        about=profile.about,
        experience=profile.experience,
        extra_text=profile.programme,
        skills=[(s.skill.slug, s.level) for s in profile.profile_skills.all()],
        level=profile.education_level,
        lat=place.latitude if place else None,
        lon=place.longitude if place else None,
        radius_km=profile.travel_radius_km,
        types=list(profile.wanted_types),
        available_from=profile.available_from,
        available_to=profile.available_until,
        hours=profile.hours_per_week,
        sectors=list(profile.sectors),
        text_skills=list(profile.text_skills),
        visible=profile.is_visible
        and profile.user.is_active
        and not getattr(profile, "is_placed", False),
        version=profile.updated_at,
    )


def match_config() -> MatchConfig:
    """The engine settings in use: the newest learned weights, if any were kept,
    else the hand-set ones (``MATCH_CONFIG``)."""
    learned = LearnedWeights.objects.first()
    if learned is None:
        return MATCH_CONFIG
    return replace(MATCH_CONFIG, weights=dict(learned.weights), weights_version=learned.version)


# A decision on a suggestion, as a label for learning: yes (1) or no (0).
DECISION_LABELS = {
    MatchState.APPROVED: 1,
    MatchState.STUDENT_YES: 1,
    MatchState.INVITED: 1,
    MatchState.ACCEPTED: 1,
    MatchState.PLACED: 1,
    MatchState.DECLINED: 1,  # the counsellor and the student said yes before it
    MatchState.REJECTED: 0,
    MatchState.STUDENT_NO: 0,
}


def decisions_log() -> list[Decision]:
    """Every suggestion a person decided on, with the features it was scored on."""
    rows = Match.objects.filter(
        state__in=DECISION_LABELS, state_changed_at__isnull=False
    ).values_list("profile_id", "state", "state_changed_at", "explanation")
    decisions = []
    for profile_id, state, when, explanation in rows:
        features = (explanation or {}).get("features") or {}
        if not all(isinstance(features.get(f), int | float) for f in FEATURES):
            continue  # scored by an engine that did not store every feature
        decisions.append(
            Decision(
                features=[features[f] for f in FEATURES],
                label=DECISION_LABELS[state],
                when=when.timestamp(),
                group=profile_id,
                confidence=float((explanation or {}).get("skills_confidence", 1.0)),
            )
        )
    return decisions


@dataclass(frozen=True)
class LearnResult:
    comparison: Comparison | None
    kept: LearnedWeights | None
    reason: str


def weights_learn(*, min_decisions: int) -> LearnResult:
    """Learn weights from the decision log; keep them only when there are enough
    decisions and they beat the weights in use on the newer ones."""
    decisions = decisions_log()
    if len(decisions) < min_decisions:
        return LearnResult(
            None,
            None,
            f"{len(decisions)} decisions; at least {min_decisions} are needed. "
            "The weights in use stay.",
        )
    config = match_config()
    try:
        comparison = weights_compare(decisions, config.weights)
    except ValueError as exc:
        return LearnResult(None, None, f"Nothing learned: {exc}. The weights in use stay.")
    if not comparison.learned_wins:
        return LearnResult(
            comparison, None, "The learned weights do not win on both; the weights in use stay."
        )
    version = f"learned-{timezone.now():%Y%m%d-%H%M%S}"
    kept = LearnedWeights.objects.create(
        version=version,
        weights=comparison.learned,
        decisions_train=comparison.train,
        decisions_test=comparison.test,
        auc_before=comparison.auc_current,
        auc_after=comparison.auc_learned,
        ndcg_before=comparison.ndcg_current,
        ndcg_after=comparison.ndcg_learned,
    )
    return LearnResult(comparison, kept, f"Kept as {version}; the next run uses them.")


def match_index_build(
    *, config: MatchConfig | None = None, text_state: dict | None = None
) -> MatchIndex | None:
    """An index over every profile and open opening; fits the text model unless
    ``text_state`` carries an earlier fit. None when there is nothing to match.
    Without ``config``, the settings in use (``match_config``)."""
    config = config or match_config()
    profiles = [profile_record(p) for p in profiles_for_matching()]
    openings = [opening_record(o) for o in openings_for_matching()]
    if not profiles or not openings:
        return None
    return MatchIndex.build(
        profiles=profiles,
        openings=openings,
        taxonomy=engine_taxonomy(),
        config=config,
        text_state=text_state or None,
    )


@dataclass(frozen=True)
class StoreResult:
    stored: int
    retired: int


def _settle(matches: QuerySet[Match]) -> int:
    """Retire untouched suggestions in no top-k list; revive retired ones back in one."""
    ranked = Q(profile_rank__isnull=False) | Q(opening_rank__isnull=False)
    matches.filter(ranked, state=MatchState.RETIRED).update(state=MatchState.SUGGESTED)
    return matches.filter(~ranked, state=MatchState.SUGGESTED).update(state=MatchState.RETIRED)


def stretch_store(
    *, index: MatchIndex, suggestions: Sequence[Suggestion], profile_ids: Iterable[object]
) -> int:
    """Replace the stretch lists of ``profile_ids`` with ``suggestions`` (best first
    within each profile); returns how many were stored."""
    return store.stretch_replace(index=index, suggestions=suggestions, profile_ids=profile_ids)


@transaction.atomic
def matches_store_for_profile(*, index: MatchIndex, profile: Profile) -> StoreResult:
    """Score one profile against every opening (incremental) and store its top-k,
    and its stretch list."""
    record = profile_record(profile)
    index.upsert_profiles([record])  # later incremental runs see the change too
    suggestions, stretch = index.score_profile_with_stretch(record)
    stretch_store(index=index, suggestions=stretch, profile_ids=[profile.pk])
    store.matches_merge(
        index=index,
        items=[
            store.Ranked(s, profile_rank=i, profile=record) for i, s in enumerate(suggestions, 1)
        ],
        scopes=[store.record_scope(record)],
    )
    return StoreResult(stored=len(suggestions), retired=_settle(profile.matches.all()))


@transaction.atomic
def matches_store_for_opening(*, index: MatchIndex, opening: Opening) -> StoreResult:
    """Score one opening against every profile (incremental) and store its top-k."""
    record = opening_record(opening)
    index.upsert_openings([record])
    suggestions = index.score_opening(record)
    store.matches_merge(
        index=index,
        items=[
            store.Ranked(s, opening_rank=i, opening=record) for i, s in enumerate(suggestions, 1)
        ],
        scopes=[store.record_scope(record)],
    )
    return StoreResult(stored=len(suggestions), retired=_settle(opening.matches.all()))


@transaction.atomic
def matches_store_full(*, index: MatchIndex) -> StoreResult:
    """The full run in one process: both top-k lists for everyone, and the
    stretch lists; every other rank goes and untouched suggestions retire."""
    by_profile_top, stretch = index.top_k_and_stretch_for_profiles()
    by_profile = list(by_profile_top)
    Stretch.objects.all().delete()
    stretch_store(index=index, suggestions=list(stretch), profile_ids=[])
    by_opening = list(index.top_k_for_openings())
    profile_ranks = _ranks(by_profile, key=lambda s: s.profile_id)
    opening_ranks = _ranks(by_opening, key=lambda s: s.opening_id)
    merged = {(s.profile_id, s.opening_id): s for s in [*by_opening, *by_profile]}
    items = [
        store.Ranked(s, profile_ranks.get(pair), opening_ranks.get(pair))
        for pair, s in merged.items()
    ]
    store.matches_merge(
        index=index,
        items=items,
        scopes=[
            store.profiles_scope(index, [p.id for p in index.profiles], everything=True),
            store.openings_scope(index, everything=True),
        ],
    )
    return StoreResult(stored=len(items), retired=_settle(Match.objects.all()))


def _ranks(
    suggestions: Sequence[Suggestion], *, key: Callable[[Suggestion], object]
) -> dict[tuple, int]:
    ranks: dict[tuple, int] = {}
    counter: dict[object, int] = {}
    for s in suggestions:  # already best first within each group
        group = key(s)
        counter[group] = counter.get(group, 0) + 1
        ranks[(s.profile_id, s.opening_id)] = counter[group]
    return ranks


def matches_store_ranked(
    *, index: MatchIndex | None, suggestions: Sequence[Suggestion], scope: store.RankScope
) -> int:
    """Store a part of a full run with the ranks of one kind (``scope.rank``),
    numbered within each profile or opening, and rebuild that scope's ranks.
    Returns how many rows were written."""
    if index is None:
        return 0
    key = (lambda s: s.profile_id) if scope.rank == "profile_rank" else (lambda s: s.opening_id)
    ranks = _ranks(suggestions, key=key)
    items = [
        store.Ranked(s, **{scope.rank: ranks[(s.profile_id, s.opening_id)]}) for s in suggestions
    ]
    return store.matches_merge(index=index, items=items, scopes=[scope])[1]


def matches_settle() -> int:
    """After a full run: retire untouched suggestions that no list holds any more."""
    return _settle(Match.objects.all())


def match_run_request(*, by: User) -> None:
    """A coordinator asks for a full recompute now (it also runs nightly)."""
    coordinator_check(user=by, refusal=_("Only the region's coordinators start a full recompute."))
    running = MatchRun.objects.filter(status=MatchRunStatus.RUNNING).first()
    if running is not None:
        raise InvalidState(_("A full recompute is already running."))
    if not task_send("worker.match_full_recompute"):
        raise InvalidState(
            _("The matching service cannot be reached right now; try again in a minute.")
        )
    # Until the worker starts the run, the runs page says it is queued.
    cache.set(RUN_REQUESTED, timezone.now(), timeout=int(RUN_QUEUED_FOR.total_seconds()))


# A requested run counts as queued until a worker starts one, or for at most this
# long (after that the page stops saying so; the nightly run catches up).
RUN_REQUESTED = "maakmatch:run-requested"
RUN_QUEUED_FOR = dt.timedelta(minutes=15)


def match_runs_status() -> dict[str, object]:
    """What the runs page shows, as one consistent state: ``queued`` (asked for,
    no worker has started it yet), ``running``, ``backlog`` (incremental updates
    waiting) or ``idle``; with the latest runs and the backlog's counts."""
    runs = list(MatchRun.objects.all()[:20])
    requested = cache.get(RUN_REQUESTED)
    backlog = matching_backlog()
    if any(run.status == MatchRunStatus.RUNNING for run in runs):
        state = "running"
    elif requested and (not runs or runs[0].started_at < requested):
        state = "queued"
    elif backlog["openings"] or backlog["profiles"]:
        state = "backlog"
    else:
        state = "idle"
    updating = bool(backlog["openings"] or backlog["profiles"])
    return {"runs": runs, "state": state, "backlog": backlog, "updating": updating}


def matching_backlog() -> dict[str, int]:
    """How many openings and profiles wait for fresh suggestions."""
    return {
        "openings": Opening.objects.filter(needs_matching_since__isnull=False).count(),
        "profiles": Profile.objects.filter(needs_matching_since__isnull=False).count(),
    }


class Unplaced:
    """Why the plan leaves a student without a place (the words, said lazily)."""

    PLACED = gettext_lazy("Already placed.")
    UNDER_WAY = gettext_lazy("On their way already: said yes, invited or accepted.")
    NO_PROFILE = gettext_lazy("No profile yet, so no suggestions.")
    PAUSED = gettext_lazy("Not open to suggestions (profile hidden).")
    NO_SUGGESTIONS = gettext_lazy("No open suggestion to plan from.")
    TAKEN = gettext_lazy("Their suggested places went to classmates with a better fit.")


@dataclass
class PlanRow:
    student: User
    match: Match | None  # the suggestion the plan proposes; None: no place for them
    why: str = ""  # one of Unplaced when match is None


@dataclass
class PlanOpening:
    opening: Opening
    places_left: int
    planned: int

    @property
    def remaining(self) -> int:
        return max(self.places_left - self.planned, 0)


@dataclass
class Plan:
    rows: list[PlanRow] = field(default_factory=list)
    total: float = 0.0
    openings: list[PlanOpening] = field(default_factory=list)

    @property
    def unplaced(self) -> list[PlanRow]:
        return [row for row in self.rows if row.match is None]


def placement_plan(*, students: Sequence[User]) -> Plan:
    """The best assignment of a group of students to open places, from the
    suggestions already stored for them (waiting or approved), under each
    opening's places left; a student goes unplaced rather than take a pair the
    engine did not suggest. The engine's planner solves it (Hungarian method).

    The plan says, for each opening, how many places are left after it, and for
    each student left out, why."""
    # A student already placed, or on their way (said yes, invited, accepted),
    # is not planned again.
    busy = set(
        Match.objects.filter(
            profile__user__in=students,
            state__in=[MatchState.STUDENT_YES, MatchState.INVITED, MatchState.ACCEPTED],
        ).values_list("profile__user_id", flat=True)
    )
    placed = set(
        Placement.objects.filter(
            profile__user__in=students, status=PlacementStatus.CONFIRMED
        ).values_list("profile__user_id", flat=True)
    )
    profiles = dict(Profile.objects.filter(user__in=students).values_list("user_id", "is_visible"))
    matches = list(
        Match.objects.filter(
            profile__user__in=students,
            state__in=[MatchState.SUGGESTED, MatchState.APPROVED],
            opening__status=OpeningStatus.OPEN,
            profile__user__is_active=True,
        )
        .exclude(profile__user_id__in=busy | placed)
        .select_related("profile", "opening__company", "opening__place")
    )
    with_matches = {m.profile.user_id for m in matches}

    def why(student: User) -> str:
        if student.pk in placed:
            return Unplaced.PLACED
        if student.pk in busy:
            return Unplaced.UNDER_WAY
        if student.pk not in profiles:
            return Unplaced.NO_PROFILE
        if not profiles[student.pk]:
            return Unplaced.PAUSED
        if student.pk not in with_matches:
            return Unplaced.NO_SUGGESTIONS
        return Unplaced.TAKEN

    if not matches:
        return Plan(rows=[PlanRow(student, None, why(student)) for student in students])
    profile_ids = sorted({m.profile_id for m in matches})
    openings = {m.opening_id: m.opening for m in matches}
    opening_ids = sorted(openings)
    row = {pid: i for i, pid in enumerate(profile_ids)}
    col = {oid: j for j, oid in enumerate(opening_ids)}
    scores = np.full((len(profile_ids), len(opening_ids)), -np.inf)
    by_pair = {}
    for m in matches:
        scores[row[m.profile_id], col[m.opening_id]] = m.score
        by_pair[(m.profile_id, m.opening_id)] = m
    plan = plan_placements(
        scores,
        [openings[oid].places_left for oid in opening_ids],
        profile_ids,
        opening_ids,
    )
    profile_of = {m.profile.user_id: m.profile_id for m in matches}
    rows = []
    for student in students:
        profile_id = profile_of.get(student.pk)
        match = by_pair.get((profile_id, plan.assignments.get(profile_id)))
        rows.append(PlanRow(student, match, "" if match else why(student)))
    planned = Counter(plan.assignments.values())
    return Plan(
        rows=rows,
        total=plan.total_score,
        openings=[
            PlanOpening(openings[oid], openings[oid].places_left, planned[oid])
            for oid in sorted(planned, key=lambda oid: (openings[oid].title, oid))
        ],
    )
