"""Storing suggestions at the database's speed: ``COPY`` into a staging table, then
one merge (``INSERT … SELECT … ON CONFLICT DO UPDATE``) into ``matching_match``.

The merge keeps every rule of the matching rows:

- a person's state is never overwritten (the merge does not write ``state``);
- a row computed from a newer profile or opening than the one this store read is
  left alone: the merge's ``WHERE`` compares the version columns on the locked,
  latest row, so no ``SELECT … FOR UPDATE`` is needed first;
- a row that would not change is not written at all (a nightly run over
  unchanged data leaves no dead rows behind);
- ranks are written by the merge itself. A store says whose ranks it rebuilds (a
  ``RankScope``: a chunk's profiles, one opening, every opening); that scope's
  rows that the store no longer ranks lose their rank in one ``UPDATE`` of those
  rows only, so a full run needs no pass over the whole table;
- retiring and reviving stay with ``services._settle``, after the ranks are right.

Rows go into the table in (profile, opening) order, like every writer that
touches several matches, so two stores never wait on each other in a circle.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import orjson
from django.db import connection, transaction

from matching.engine import MatchIndex, OpeningRecord, ProfileRecord, Suggestion
from matching.models import Match, MatchState, Stretch

STAGING = "matching_match_staging"
RANKS = ("profile_rank", "opening_rank")
# The columns a store writes, in the staging table's order.
COLUMNS = (
    "profile_id",
    "opening_id",
    "score",
    "profile_rank",
    "opening_rank",
    "explanation",
    "engine_version",
    "weights_version",
    "profile_version",
    "opening_version",
)
# Below this many rows the planner's guess for the staging table does no harm.
ANALYZE_FROM = 500


@dataclass(frozen=True)
class RankScope:
    """Whose ranks of one kind a store rebuilds.

    ``ids`` are profile ids for ``profile_rank`` and opening ids for
    ``opening_rank``; ``versions`` are the versions (``updated_at``) this store read
    them at, so a rank a newer computation wrote stays. With ``everything``, rows
    of any other profile or opening lose that rank too (a full run's lists replace
    all others)."""

    rank: str
    ids: Sequence[int]
    versions: Sequence[dt.datetime | None]
    everything: bool = False

    def __post_init__(self) -> None:
        if self.rank not in RANKS:
            raise ValueError(f"unknown rank {self.rank!r}")
        if len(self.ids) != len(self.versions):
            raise ValueError("one version per id")


@dataclass(frozen=True)
class Ranked:
    """One suggestion to store with its ranks (None: not in that list)."""

    suggestion: Suggestion
    profile_rank: int | None = None
    opening_rank: int | None = None
    profile: ProfileRecord | None = None  # records not in the index (incremental)
    opening: OpeningRecord | None = None


def profiles_scope(index: MatchIndex, ids: Iterable[int], *, everything: bool = False) -> RankScope:
    """The profile ranks of ``ids``, at the versions the index read them."""
    records = [index.profiles[index.profile_position[i]] for i in ids]
    return RankScope(
        "profile_rank", [r.id for r in records], [r.version for r in records], everything
    )


def openings_scope(index: MatchIndex, *, everything: bool = True) -> RankScope:
    """The opening ranks of every opening in the index (a full run's openings side)."""
    records = index.openings
    return RankScope(
        "opening_rank", [r.id for r in records], [r.version for r in records], everything
    )


def record_scope(record: ProfileRecord | OpeningRecord) -> RankScope:
    """One profile's or one opening's ranks (an incremental store)."""
    rank = "profile_rank" if isinstance(record, ProfileRecord) else "opening_rank"
    return RankScope(rank, [record.id], [record.version])


def _staging(cursor) -> None:
    cursor.execute(
        f"CREATE TEMPORARY TABLE IF NOT EXISTS {STAGING} ("
        " profile_id bigint NOT NULL, opening_id bigint NOT NULL,"
        " score double precision NOT NULL, profile_rank smallint, opening_rank smallint,"
        " explanation jsonb NOT NULL, engine_version varchar(20) NOT NULL,"
        " weights_version varchar(40) NOT NULL,"
        " profile_version timestamptz, opening_version timestamptz"
        ") ON COMMIT DELETE ROWS"
    )
    cursor.execute(f"TRUNCATE {STAGING}")


def staging_rows(index: MatchIndex, items: Iterable[Ranked]) -> Iterable[tuple]:
    """The staging table's rows, explanation as JSON text (what COPY sends)."""
    weights = index.config.weights_version
    profiles, openings = index.profiles, index.openings
    profile_at, opening_at = index.profile_position, index.opening_position
    for item in items:
        s = item.suggestion
        profile = item.profile or profiles[profile_at[s.profile_id]]
        opening = item.opening or openings[opening_at[s.opening_id]]
        yield (
            s.profile_id,
            s.opening_id,
            min(max(s.score, 0.0), 1.0),
            item.profile_rank,
            item.opening_rank,
            orjson.dumps(index.explain(s, profile=profile, opening=opening)).decode(),
            s.engine_version,
            weights,
            profile.version,
            opening.version,
        )


def _copy(cursor, rows: Iterable[tuple], table: str = STAGING, columns=COLUMNS) -> int:
    count = 0
    with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def _clear(cursor, scope: RankScope) -> int:
    """Scope rows the staged lists no longer rank lose that rank, unless a newer
    computation wrote it (its version is past the one this store read). A row that
    loses its rank takes the version this store read, so an older computation
    finishing late cannot rank it again."""
    key = "profile_id" if scope.rank == "profile_rank" else "opening_id"
    version = "profile_version" if scope.rank == "profile_rank" else "opening_version"
    table = Match._meta.db_table
    params = {"ids": list(scope.ids), "versions": list(scope.versions)}
    unstaged = (
        f"NOT EXISTS (SELECT 1 FROM {STAGING} s "  # noqa: S608
        "WHERE s.profile_id = m.profile_id AND s.opening_id = m.opening_id)"
    )
    # Identifiers from this module's constants only; values are parameters.
    cursor.execute(
        f"UPDATE {table} m SET {scope.rank} = NULL, "  # noqa: S608
        f"{version} = GREATEST(m.{version}, v.version) "
        "FROM unnest(%(ids)s::bigint[], %(versions)s::timestamptz[]) AS v(id, version) "
        f"WHERE m.{key} = v.id AND m.{scope.rank} IS NOT NULL "
        f"AND NOT COALESCE(m.{version} > v.version, false) AND {unstaged}",
        params,
    )
    cleared = cursor.rowcount
    if scope.everything:  # and every other profile's or opening's
        cursor.execute(
            f"UPDATE {table} m SET {scope.rank} = NULL "  # noqa: S608
            f"WHERE m.{scope.rank} IS NOT NULL AND {unstaged} "
            f"AND NOT (m.{key} = ANY(%(ids)s::bigint[]))",
            params,
        )
        cleared += cursor.rowcount
    return cleared


def _merge(cursor, ranks: Sequence[str]) -> int:
    table = Match._meta.db_table
    written = [c for c in COLUMNS if c not in ("profile_id", "opening_id")]
    updated = [c for c in written if c not in RANKS or c in ranks]
    sets = ", ".join(f"{c} = EXCLUDED.{c}" for c in [*updated, "updated_at"])
    mine = ", ".join(f"m.{c}" for c in updated)
    theirs = ", ".join(f"EXCLUDED.{c}" for c in updated)
    cursor.execute(
        f"INSERT INTO {table} AS m ({', '.join(COLUMNS)}, state, created_at, updated_at) "  # noqa: S608
        f"SELECT {', '.join('s.' + c for c in COLUMNS)}, %(state)s, now(), now() "
        f"FROM {STAGING} s ORDER BY s.profile_id, s.opening_id "
        f"ON CONFLICT (profile_id, opening_id) DO UPDATE SET {sets} "
        # Never older over newer: a late computation leaves the newer row alone.
        "WHERE NOT (COALESCE(m.profile_version > EXCLUDED.profile_version, false) "
        "OR COALESCE(m.opening_version > EXCLUDED.opening_version, false)) "
        # A row that would not change is not written (no dead row, no index entry).
        f"AND ({mine}) IS DISTINCT FROM ({theirs})",
        {"state": MatchState.SUGGESTED},
    )
    return cursor.rowcount


@transaction.atomic
def matches_merge(
    *, index: MatchIndex, items: Iterable[Ranked], scopes: Sequence[RankScope]
) -> tuple[int, int]:
    """Store ``items`` and rebuild the ranks of ``scopes``; returns (rows staged,
    rows written). Rows a newer computation wrote, and rows that would not change,
    are staged but not written."""
    return matches_merge_rows(rows=staging_rows(index, items), scopes=scopes)


@transaction.atomic
def matches_merge_rows(*, rows: Iterable[tuple], scopes: Sequence[RankScope]) -> tuple[int, int]:
    """``matches_merge`` for rows already in the staging table's shape (``COLUMNS``)."""
    if connection.vendor != "postgresql":
        return _merge_portable(list(rows), scopes)
    with connection.cursor() as cursor:
        _staging(cursor)
        staged = _copy(cursor, rows)
        if staged >= ANALYZE_FROM:
            cursor.execute(f"ANALYZE {STAGING}")
        for scope in scopes:
            _clear(cursor, scope)
        written = _merge(cursor, sorted({s.rank for s in scopes})) if staged else 0
    return staged, written


def _merge_portable(rows: list[tuple], scopes: Sequence[RankScope]) -> tuple[int, int]:
    """The same rules through the ORM, for a development database without COPY
    (SQLite): slower, and it writes unchanged rows too."""
    staged = {(r[0], r[1]): dict(zip(COLUMNS, r, strict=True)) for r in rows}
    for scope in scopes:
        key = "profile_id" if scope.rank == "profile_rank" else "opening_id"
        version = "profile_version" if scope.rank == "profile_rank" else "opening_version"
        read = dict(zip(scope.ids, scope.versions, strict=True))
        ranked = Match.objects.filter(**{f"{scope.rank}__isnull": False})
        if not scope.everything:
            ranked = ranked.filter(**{f"{key}__in": list(scope.ids)})
        for pk, profile, opening, owner, stored in ranked.values_list(
            "pk", "profile_id", "opening_id", key, version
        ):
            if (profile, opening) in staged or (
                stored and read.get(owner) and stored > read[owner]
            ):
                continue
            bumped = (
                max(v for v in (stored, read.get(owner)) if v)
                if stored or read.get(owner)
                else None
            )
            Match.objects.filter(pk=pk).update(**{scope.rank: None, version: bumped})
    stored = {
        (p, o): (pv, ov)
        for p, o, pv, ov in Match.objects.select_for_update()
        .filter(profile_id__in={p for p, _o in staged}, opening_id__in={o for _p, o in staged})
        .order_by("profile_id", "opening_id")
        .values_list("profile_id", "opening_id", "profile_version", "opening_version")
    }

    def newer(mine: object, theirs: object) -> bool:
        return mine is not None and theirs is not None and theirs > mine

    written = [
        Match(**{**row, "explanation": orjson.loads(row["explanation"])})
        for pair, row in sorted(staged.items())
        if not (
            (versions := stored.get(pair))
            and (
                newer(row["profile_version"], versions[0])
                or newer(row["opening_version"], versions[1])
            )
        )
    ]
    ranks = sorted({s.rank for s in scopes})
    Match.objects.bulk_create(
        written,
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["profile", "opening"],
        update_fields=[
            *(c for c in COLUMNS[2:] if c not in RANKS or c in ranks),
            "updated_at",
        ],
    )
    return len(staged), len(written)


STRETCH_STAGING = "matching_stretch_staging"
STRETCH_COLUMNS = (
    "profile_id",
    "opening_id",
    "rule",
    "position",
    "score",
    "explanation",
    "engine_version",
    "weights_version",
)


@transaction.atomic
def stretch_replace(
    *, index: MatchIndex, suggestions: Iterable[Suggestion], profile_ids: Iterable[int]
) -> int:
    """Replace the stretch lists of ``profile_ids`` with ``suggestions`` (best first
    within each profile) through COPY; returns how many were stored. An upsert,
    not a plain insert: a profile refresh and a run's chunk may store the same
    profile's list at once, and neither may fail the other."""
    weights = index.config.weights_version
    positions: dict[object, int] = {}

    def rows() -> Iterable[tuple]:
        for s in suggestions:
            positions[s.profile_id] = positions.get(s.profile_id, 0) + 1
            yield (
                s.profile_id,
                s.opening_id,
                s.stretch_rule,
                positions[s.profile_id],
                min(max(s.score, 0.0), 1.0),
                orjson.dumps(index.explain(s)).decode(),
                s.engine_version,
                weights,
            )

    table = Stretch._meta.db_table
    ids = list(profile_ids)
    if connection.vendor != "postgresql":  # a development database (SQLite)
        Stretch.objects.filter(profile_id__in=ids).delete()
        fields = [dict(zip(STRETCH_COLUMNS, row, strict=True)) for row in rows()]
        Stretch.objects.bulk_create(
            [Stretch(**{**f, "explanation": orjson.loads(f["explanation"])}) for f in fields],
            batch_size=2000,
            update_conflicts=True,
            unique_fields=["profile", "opening"],
            update_fields=list(STRETCH_COLUMNS[2:]),
        )
        return len(fields)
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {STRETCH_STAGING} ("
            " profile_id bigint NOT NULL, opening_id bigint NOT NULL,"
            " rule varchar(10) NOT NULL, position smallint NOT NULL,"
            " score double precision NOT NULL, explanation jsonb NOT NULL,"
            " engine_version varchar(20) NOT NULL, weights_version varchar(40) NOT NULL"
            ") ON COMMIT DELETE ROWS"
        )
        cursor.execute(f"TRUNCATE {STRETCH_STAGING}")
        if ids:
            cursor.execute(f"DELETE FROM {table} WHERE profile_id = ANY(%s::bigint[])", [ids])  # noqa: S608
        staged = _copy(cursor, rows(), STRETCH_STAGING, STRETCH_COLUMNS)
        if staged:
            updated = ", ".join(f"{c} = EXCLUDED.{c}" for c in STRETCH_COLUMNS[2:])
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(STRETCH_COLUMNS)}, created_at) "  # noqa: S608
                f"SELECT {', '.join(STRETCH_COLUMNS)}, now() FROM {STRETCH_STAGING} "
                "ORDER BY profile_id, opening_id "
                f"ON CONFLICT (profile_id, opening_id) DO UPDATE SET {updated}"
            )
    return staged
