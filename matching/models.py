"""The stored outcome of matching: one row per (profile, opening) suggestion."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.models import Opening, Profile


class RejectReason(models.TextChoices):
    """The reasons a reviewer picks from when rejecting (free text may follow)."""

    LEVEL = "level", _("Level does not fit")
    DISTANCE = "distance", _("Too far away")
    DIRECTION = "direction", _("A different direction")
    COMPANY = "company", _("The company does not suit this student")


class MatchState(models.TextChoices):
    SUGGESTED = "suggested", _("suggested")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")
    STUDENT_YES = "student_yes", _("student said yes")
    STUDENT_NO = "student_no", _("student said no")
    INVITED = "invited", _("invited")
    DECLINED = "declined", _("declined")
    ACCEPTED = "accepted", _("accepted")
    PLACED = "placed", _("placed")
    WITHDRAWN = "withdrawn", _("withdrawn")
    RETIRED = "retired", _("no longer suggested")


# States no person has set: the engine may refresh, retire and revive these.
ENGINE_STATES = frozenset({MatchState.SUGGESTED, MatchState.RETIRED})
# States in which a person is waiting for another: closing the opening or hiding
# the profile withdraws these (untouched suggestions just retire).
IN_PROGRESS_STATES = frozenset(
    {MatchState.APPROVED, MatchState.STUDENT_YES, MatchState.INVITED, MatchState.ACCEPTED}
)
# From these states the company sees the candidate (anonymised until accepted).
FORWARDED_STATES = frozenset(
    {
        MatchState.STUDENT_YES,
        MatchState.INVITED,
        MatchState.DECLINED,
        MatchState.ACCEPTED,
        MatchState.PLACED,
    }
)
# From these states the company sees the candidate's name and contact details.
REVEALED_STATES = frozenset({MatchState.ACCEPTED, MatchState.PLACED})


class Match(models.Model):
    """A suggestion of an opening to a profile, with the reasons behind it.

    It stays suggested while it is among the profile's best openings or the
    opening's best profiles (``profile_rank``/``opening_rank``); once a person
    acts on it, refreshed scores never change its state.
    """

    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="matches")
    opening = models.ForeignKey(Opening, on_delete=models.CASCADE, related_name="matches")
    score = models.FloatField(_("score"))
    profile_rank = models.PositiveSmallIntegerField(null=True, blank=True)
    opening_rank = models.PositiveSmallIntegerField(null=True, blank=True)
    explanation = models.JSONField(_("explanation"), default=dict)
    engine_version = models.CharField(_("engine version"), max_length=20)
    # The feature weights the score used: "hand-set", or a LearnedWeights version.
    weights_version = models.CharField(_("weights version"), max_length=40, blank=True)
    # The versions (updated_at) of the profile and opening the score was computed
    # from: an older computation finishing late never overwrites a newer one.
    profile_version = models.DateTimeField(null=True, blank=True)
    opening_version = models.DateTimeField(null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=20, choices=MatchState.choices, default=MatchState.SUGGESTED
    )
    # When a person (not the engine) last moved the state; review times come from here.
    state_changed_at = models.DateTimeField(null=True, blank=True)
    # When the student's digest listed this approved suggestion (once only).
    student_notified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("match")
        verbose_name_plural = _("matches")
        ordering = ["-score"]
        indexes = [
            models.Index(fields=["profile", "state"]),
            models.Index(fields=["opening", "state"]),
            # The review queue: suggestions waiting, best first. A counsellor's page
            # of 20 reads this index in order instead of sorting every waiting row
            # of their students (66,655 in the region bench: 88 ms, 7 ms with it).
            models.Index(
                F("score").desc(),
                "id",
                condition=Q(state="suggested"),
                name="match_waiting_by_score",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["profile", "opening"], name="match_profile_opening"),
            models.CheckConstraint(
                condition=Q(score__gte=0) & Q(score__lte=1), name="match_score_in_0_1"
            ),
            models.CheckConstraint(
                condition=Q(state__in=MatchState.values), name="match_state_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.profile} ~ {self.opening} ({self.score:.2f}, {self.state})"


class StretchRule(models.TextChoices):
    LEVEL = "level", _("education level")
    DATES = "dates", _("dates")
    HOURS = "hours", _("hours per week")


class Stretch(models.Model):
    """An opening that narrowly misses exactly one of the counsellor's rules for a
    profile: the separate list "Misschien ook interessant".

    Never a ``Match``: it has no workflow and no rank among the suggestions, no
    company ever sees it, and each run replaces a profile's list whole.
    """

    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="stretches")
    opening = models.ForeignKey(Opening, on_delete=models.CASCADE, related_name="+")
    rule = models.CharField(_("rule missed"), max_length=10, choices=StretchRule.choices)
    position = models.PositiveSmallIntegerField()
    score = models.FloatField(_("score"))
    explanation = models.JSONField(_("explanation"), default=dict)
    engine_version = models.CharField(_("engine version"), max_length=20)
    weights_version = models.CharField(_("weights version"), max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("stretch suggestion")
        verbose_name_plural = _("stretch suggestions")
        ordering = ["profile", "position"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "opening"], name="stretch_profile_opening"),
            models.CheckConstraint(
                condition=Q(rule__in=StretchRule.values), name="stretch_rule_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.profile} ~ {self.opening} (stretch: {self.rule})"


class LearnedWeights(models.Model):
    """Feature weights learned from people's decisions (``manage.py learn_weights``),
    kept only when they beat the weights in use on the newer, held-out decisions.
    The newest one is used; without any, the hand-set weights are."""

    version = models.CharField(_("version"), max_length=40, unique=True)
    weights = models.JSONField(_("weights"))
    created_at = models.DateTimeField(_("learned at"), default=timezone.now)
    decisions_train = models.PositiveIntegerField(_("decisions learned from"))
    decisions_test = models.PositiveIntegerField(_("decisions judged on"))
    auc_before = models.FloatField(_("AUC of the weights in use"))
    auc_after = models.FloatField(_("AUC of these weights"))
    ndcg_before = models.FloatField(_("nDCG@10 of the weights in use"))
    ndcg_after = models.FloatField(_("nDCG@10 of these weights"))

    class Meta:
        verbose_name = _("learned weights")
        verbose_name_plural = _("learned weights")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.version


class MatchRunStatus(models.TextChoices):
    RUNNING = "running", _("running")
    FINISHED = "finished", _("finished")
    FAILED = "failed", _("failed")


class MatchRun(models.Model):
    """One full recompute: when, how far, what it stored, and why it failed if it did."""

    status = models.CharField(
        _("status"), max_length=10, choices=MatchRunStatus.choices, default=MatchRunStatus.RUNNING
    )
    engine_version = models.CharField(_("engine version"), max_length=20)
    chunks_total = models.PositiveIntegerField(default=0)
    chunks_done = models.PositiveIntegerField(default=0)
    profiles = models.PositiveIntegerField(default=0)
    openings = models.PositiveIntegerField(default=0)
    stored = models.PositiveIntegerField(default=0)
    retired = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    # The run's fitted text model, shared by every worker process scoring a chunk.
    text_state = models.JSONField(default=dict, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    # Last time a chunk finished; a running run that stops moving is resumed.
    progressed_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("match run")
        verbose_name_plural = _("match runs")
        ordering = ["-started_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(chunks_done__lte=models.F("chunks_total")),
                name="match_run_chunks_done_within_total",
            ),
            models.CheckConstraint(
                condition=Q(status__in=MatchRunStatus.values), name="match_run_status_valid"
            ),
            models.UniqueConstraint(
                fields=["status"],
                condition=Q(status="running"),
                name="match_run_one_running",
            ),
        ]

    def __str__(self) -> str:
        return f"run {self.pk} ({self.status}, {self.chunks_done}/{self.chunks_total})"

    @property
    def progress(self) -> float:
        return self.chunks_done / self.chunks_total if self.chunks_total else 0.0


class MatchRunChunk(models.Model):
    """One chunk of profiles of a run; ``done`` flips once, however often it runs."""

    run = models.ForeignKey(MatchRun, on_delete=models.CASCADE, related_name="chunks")
    number = models.PositiveIntegerField()
    profile_ids = models.JSONField(default=list)
    done = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "number"], name="match_run_chunk_unique")
        ]

    def __str__(self) -> str:
        return f"run {self.run_id} chunk {self.number}"


class SuggestionReport(models.Model):
    """A student says a suggestion is wrong; their counsellor sees it and acts."""

    match = models.ForeignKey(
        Match, verbose_name=_("suggestion"), on_delete=models.CASCADE, related_name="reports"
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.TextField(_("what is wrong"))
    created_at = models.DateTimeField(_("reported at"), default=timezone.now)
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("report of a wrong suggestion")
        verbose_name_plural = _("reports of wrong suggestions")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="report_reason_required")
        ]

    def __str__(self) -> str:
        return f"report on {self.match_id}"


INTERVIEW_SLOTS_MAX = 3


class Interview(models.Model):
    """A company's invitation to talk: its message, up to three proposed slots,
    the one the student chose, or the student's request for another time.

    One calendar event per interview (``uid``); ``sequence`` counts its changes,
    so a calendar replaces the event instead of adding a second one."""

    match = models.OneToOneField(
        Match, verbose_name=_("suggestion"), on_delete=models.CASCADE, related_name="interview"
    )
    message = models.TextField(_("message"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    other_time_asked_at = models.DateTimeField(_("another time asked at"), null=True, blank=True)
    other_time_note = models.CharField(_("note with the request"), max_length=500, blank=True)
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("interview")
        verbose_name_plural = _("interviews")

    def __str__(self) -> str:
        return f"interview for match {self.match_id}"

    @property
    def chosen(self) -> InterviewSlot | None:
        return next((s for s in self.slots.all() if s.chosen_at and not s.cancelled_at), None)

    @property
    def open_slots(self) -> list[InterviewSlot]:
        return [s for s in self.slots.all() if not s.cancelled_at and not s.chosen_at]


class InterviewSlot(models.Model):
    """A proposed time (and place or video link) for an interview."""

    interview = models.ForeignKey(Interview, on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    location = models.CharField(_("place or video link"), max_length=300)
    chosen_at = models.DateTimeField(_("chosen at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("interview slot")
        verbose_name_plural = _("interview slots")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="slot_ends_after_start"
            ),
            models.CheckConstraint(condition=~Q(location=""), name="slot_location_required"),
            # At most one chosen slot per interview that still stands.
            models.UniqueConstraint(
                fields=["interview"],
                condition=Q(chosen_at__isnull=False, cancelled_at__isnull=True),
                name="slot_one_chosen",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.starts_at:%Y-%m-%d %H:%M} ({self.location})"
