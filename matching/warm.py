"""The per-process warm index: fitted text model and matrices kept between tasks.

Before each use it reads only the profiles and openings whose ``updated_at`` moved
since its last look (an indexed query), with an overlap for transactions that
committed late, and writes them into the cached matrices. It rebuilds only when a
newer full run's fit exists or the skills taxonomy changed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading

from django.db.models import Max
from django.utils import timezone

from marketplace.models import Opening, Profile, Skill
from matching import services
from matching.engine import MatchIndex
from matching.models import MatchRun

# A row committed up to this long after its updated_at was set is still seen.
LOOK_BACK = dt.timedelta(seconds=60)


class WarmIndex:
    def __init__(self) -> None:
        self.index: MatchIndex | None = None
        self.run_id: int | None = None
        self.taxonomy_version: dt.datetime | None = None
        self.looked_at: dt.datetime | None = None
        self.seen_profiles: dict[int, dt.datetime] = {}
        self.seen_openings: dict[int, dt.datetime] = {}
        self.lock = threading.Lock()

    def reset(self) -> None:
        with self.lock:
            self.index = None

    def current(self, *, run: MatchRun | None = None) -> MatchIndex | None:
        """The index, fresh as of now; ``run`` asks for that run's fit."""
        with self.lock:
            run = run or MatchRun.objects.exclude(text_state={}).order_by("-pk").first()
            taxonomy_version = Skill.objects.aggregate(v=Max("updated_at"))["v"]
            stale_fit = (run.pk if run else None) != self.run_id
            if self.index is None or stale_fit or taxonomy_version != self.taxonomy_version:
                self._rebuild(run, taxonomy_version)
            else:
                self._refresh()
            return self.index

    def fit(self, *, run: MatchRun) -> MatchIndex | None:
        """A new fit for ``run`` (a full run's start), kept as this process's
        index: the chunks this process scores next need no second build."""
        with self.lock:
            taxonomy_version = Skill.objects.aggregate(v=Max("updated_at"))["v"]
            self._rebuild(None, taxonomy_version)
            self.run_id = run.pk if self.index is not None else None
            return self.index

    def _rebuild(self, run: MatchRun | None, taxonomy_version: dt.datetime | None) -> None:
        looked_at = timezone.now()
        # Everything read now is current: remember the window's versions as seen.
        since = looked_at - LOOK_BACK
        self._unseen(self.seen_profiles, Profile, since)
        self._unseen(self.seen_openings, Opening, since)
        self.index = services.match_index_build(text_state=run.text_state if run else None)
        self.run_id = run.pk if run and self.index is not None else None
        self.taxonomy_version = taxonomy_version
        self.looked_at = looked_at

    def _refresh(self) -> None:
        looked_at = timezone.now()
        since = self.looked_at - LOOK_BACK
        index = self.index
        # Cheap first: which rows in the window have a version this process has not
        # seen yet; only those are read in full and written into the matrices.
        changed_profiles = self._unseen(self.seen_profiles, Profile, since)
        changed_openings = self._unseen(self.seen_openings, Opening, since)
        if changed_profiles:
            rows = services.profiles_for_matching().filter(pk__in=changed_profiles)
            index.upsert_profiles([services.profile_record(p) for p in rows])
        if changed_openings:
            rows = services.openings_for_matching(open_only=False).filter(pk__in=changed_openings)
            index.upsert_openings([services.opening_record(o) for o in rows])
        self._forget_deleted(index)
        self.looked_at = looked_at

    @staticmethod
    def _unseen(seen: dict, model: type[Profile] | type[Opening], since: dt.datetime) -> list:
        versions = dict(model.objects.filter(updated_at__gte=since).values_list("pk", "updated_at"))
        changed = [pk for pk, version in versions.items() if seen.get(pk) != version]
        seen.clear()
        seen.update(versions)  # only the window is remembered
        return changed

    def _forget_deleted(self, index: MatchIndex) -> None:
        """Rows deleted since the last look can never be suggested again.

        One primary-key query per side (no row data, no long IN list), as sets.
        """
        live = {r.id for r in index.profiles if r.visible}
        gone = live - set(Profile.objects.values_list("pk", flat=True))
        if gone:
            index.upsert_profiles(
                [_replace(r, visible=False) for r in index.profiles if r.id in gone]
            )
        live = {r.id for r in index.openings if r.is_open}
        gone = live - set(Opening.objects.values_list("pk", flat=True))
        if gone:
            index.upsert_openings(
                [_replace(r, is_open=False) for r in index.openings if r.id in gone]
            )


def _replace(record: object, **changes: object) -> object:
    return dataclasses.replace(record, **changes)


WARM = WarmIndex()  # one per worker process
