"""The regional deal's figures (KPIs), per period and breakdown, and the skills gap.

Every figure is computed here, from the data, by a handful of queries that fetch
small "fact" rows (one per opening, placement, review decision or level change);
grouping by municipality, sector, type, education level or learning location then
happens in Python. Pages, exports, the API and the frozen snapshots all read these
functions, so they always agree.

Small numbers: a count of people from 1 to 4 is shown as "<5" everywhere
(``display``), and a rate or median based on fewer than 5 people as "n<5", so that
nobody can be singled out. Zero is shown: it names no one.

It lives in ``insights``, above the domain: it reads accounts, marketplace,
matching, learning and the audit log, and writes only its own snapshots
(``KpiSnapshot``).
"""

from __future__ import annotations

import datetime as dt
import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Min, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.exceptions import DomainError
from accounts.models import EducationLevel, Organisation, OrganisationKind, Sector
from audit.models import AuditAction, AuditEntry
from insights.models import KpiSnapshot, SnapshotKind
from learning.models import Enrolment, EnrolmentStatus, GuestRequest, GuestRequestStatus
from marketplace.models import (
    EducationLevelChange,
    Opening,
    OpeningSkill,
    OpeningStatus,
    OpeningType,
    Placement,
    PlacementStatus,
    ProfileSkill,
    Skill,
)
from matching.models import Match, MatchState

SMALL = 5  # fewer people than this are not shown
HARD_TO_FILL_DAYS = 90
PLACE_TYPES = (OpeningType.BOL, OpeningType.BBL)  # internship and apprenticeship places
TOTAL = "total"
NONE = "—"


# -- periods --------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """A quarter ("2026-Q3") or a year ("2026"): [start, end) in local dates."""

    label: str
    start: dt.date
    end: dt.date

    @classmethod
    def parse(cls, label: str) -> Period:
        found = re.fullmatch(r"(\d{4})(?:-Q([1-4]))?", (label or "").strip())
        if not found or not 2000 <= int(found.group(1)) <= 2100:
            raise DomainError(
                _("A period is a year (2026) or a quarter (2026-Q3)."), field="period"
            )
        year = int(found.group(1))
        if found.group(2) is None:
            return cls(str(year), dt.date(year, 1, 1), dt.date(year + 1, 1, 1))
        q = int(found.group(2))
        start = dt.date(year, 3 * q - 2, 1)
        end = dt.date(year + 1, 1, 1) if q == 4 else dt.date(year, 3 * q + 1, 1)
        return cls(f"{year}-Q{q}", start, end)

    @classmethod
    def quarter_of(cls, day: dt.date) -> Period:
        return cls.parse(f"{day.year}-Q{(day.month - 1) // 3 + 1}")

    @property
    def year(self) -> int:
        return self.start.year

    @property
    def is_year(self) -> bool:
        return "Q" not in self.label

    def quarters(self) -> list[Period]:
        return [Period.parse(f"{self.year}-Q{q}") for q in range(1, 5)]

    def previous_quarter(self) -> Period:
        return Period.quarter_of(self.start - dt.timedelta(days=1))

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """The period as aware datetimes, midnight to midnight, local time."""
        tz = timezone.get_current_timezone()
        return (
            dt.datetime.combine(self.start, dt.time.min, tzinfo=tz),
            dt.datetime.combine(self.end, dt.time.min, tzinfo=tz),
        )


# -- what is counted --------------------------------------------------------------


@dataclass(frozen=True)
class Kpi:
    key: str
    label: Any
    people: bool  # counts people: small numbers are hidden
    kind: str = "count"  # count | rate | median


KPIS = [
    Kpi("places_offered", _("Internship and apprenticeship places offered"), False),
    Kpi("places_filled", _("Places filled"), True),
    Kpi("fill_rate", _("Fill rate"), False, "rate"),
    Kpi("days_to_first_placement", _("Median days to first placement"), False, "median"),
    Kpi("jobs_open", _("Open jobs"), False),
    Kpi("jobs_open_90_days", _("Jobs open longer than 90 days"), False),
    Kpi("students_approved", _("Students with an approved suggestion"), True),
    Kpi("placements_bol", _("Placements BOL"), True),
    Kpi("placements_bbl", _("Placements BBL"), True),
    Kpi("placements_job", _("Placements job"), True),
    Kpi("placements_orientation", _("Orientation days"), True),
    Kpi("career_changers_placed", _("Career changers placed"), True),
    Kpi("progression", _("Students who moved up a level"), True),
    Kpi("review_hours", _("Median hours to a counsellor's decision"), False, "median"),
    Kpi("approval_share", _("Share of suggestions approved"), False, "rate"),
    # Lifelong learning at the learning locations: sign-ups confirmed and courses
    # completed in the period, by the group the person joined in.
    Kpi("course_participants_employee", _("Course participants: employees"), True),
    Kpi("course_participants_career_changer", _("Course participants: career changers"), True),
    Kpi("course_participants_pupil", _("Course participants: pupils and students"), True),
    Kpi("course_completions_employee", _("Courses completed: employees"), True),
    Kpi("course_completions_career_changer", _("Courses completed: career changers"), True),
    Kpi("course_completions_pupil", _("Courses completed: pupils and students"), True),
    Kpi("skills_from_courses", _("Skills added through courses"), False),
    Kpi("gaps_with_course", _("Top skill gaps with a course in the region"), False),
    Kpi("gaps_without_course", _("Top skill gaps without a course"), False),
    # Guest lessons and company visits given in the period, and the pupils they reached.
    Kpi("guest_lessons_given", _("Guest lessons and company visits given"), False),
    Kpi("pupils_reached", _("Pupils reached by guest lessons and visits"), True),
]
# The skills gap's top rows that the gaps-with-a-course figures look at, and the
# rows the dashboard shows of them.
GAP_TOP = 25
DASHBOARD_GAP_ROWS = 10
KPI_BY_KEY = {k.key: k for k in KPIS}
# Rates and medians are hidden with the count of people they rest on.
BASES = {
    "fill_rate": "places_filled",
    "days_to_first_placement": "_first_placements",
    "review_hours": "_decisions",
    "approval_share": "_decisions",
}

BREAKDOWNS = {
    TOTAL: _("Whole region"),
    "municipality": _("Municipality"),
    "sector": _("Sector"),
    "type": _("Type of opening"),
    "education_level": _("Education level"),
    "learning_location": _("Learning location"),
}


@dataclass
class Fact:
    """One thing counted, with the groups it falls in for each breakdown (an
    opening accepting two levels falls in both)."""

    groups: dict[str, tuple[str, ...]]
    values: dict[str, float | list[float]] = field(default_factory=dict)


def _group_keys(
    *,
    municipality: str | None,
    sector: str | None,
    type_: str | None,
    levels: Iterable[str] | None,
    locations: Iterable[str] | None,
) -> dict[str, tuple[str, ...]]:
    return {
        TOTAL: (TOTAL,),
        "municipality": (municipality or NONE,),
        "sector": (sector or NONE,),
        "type": (type_ or NONE,),
        "education_level": tuple(levels or ()) or (NONE,),
        "learning_location": tuple(locations or ()) or (NONE,),
    }


def _locations_by_company() -> dict[int, list[str]]:
    ties = Organisation.learning_locations.through.objects.values_list(
        "from_organisation_id", "to_organisation__name"
    )
    found: dict[int, list[str]] = defaultdict(list)
    for company_id, name in ties:
        found[company_id].append(name)
    return found


def _opening_facts(period: Period, locations: dict[int, list[str]]) -> list[Fact]:
    start, end = period.bounds()
    rows = Opening.objects.filter(
        Q(closed_at__isnull=True) | Q(closed_at__gte=start),
        published_at__lt=end,
    ).values_list(
        "type",
        "capacity",
        "place__name",
        "company__sector",
        "company_id",
        "education_levels",
        "published_at",
        "closed_at",
        "status",
    )
    hard_since = end - dt.timedelta(days=HARD_TO_FILL_DAYS)
    facts = []
    for type_, capacity, place, sector, company, levels, published, closed, status in rows:
        if not _was_open(published, closed, status, start, end):
            continue
        open_at_end = closed is None or closed >= end
        values: dict[str, Any] = {
            "places_offered": capacity if type_ in PLACE_TYPES else 0,
            "jobs_open": 1 if type_ == OpeningType.JOB and open_at_end else 0,
            "jobs_open_90_days": (
                1 if type_ == OpeningType.JOB and open_at_end and published <= hard_since else 0
            ),
        }
        groups = _group_keys(
            municipality=place,
            sector=sector,
            type_=type_,
            levels=levels,
            locations=locations.get(company),
        )
        facts.append(Fact(groups, values))
    return facts


def _was_open(
    published: dt.datetime | None,
    closed: dt.datetime | None,
    status: str,
    start: dt.datetime,
    end: dt.datetime,
) -> bool:
    """Was an opening open at some moment in [start, end)? An opening without a
    closing time counts only while it is open (drafts never)."""
    if published is None or published >= end:
        return False
    if closed is None:
        return status == OpeningStatus.OPEN
    return closed >= start


def _placement_facts(period: Period, locations: dict[int, list[str]]) -> list[Fact]:
    start, end = period.bounds()
    rows = Placement.objects.filter(
        status=PlacementStatus.CONFIRMED, confirmed_at__gte=start, confirmed_at__lt=end
    ).values_list(
        "type",
        "education_level",
        "is_career_changer",
        "opening__place__name",
        "company__sector",
        "company_id",
    )
    facts = []
    for type_, level, changer, place, sector, company in rows:
        values = {
            "places_filled": 1 if type_ in PLACE_TYPES else 0,
            "placements_bol": 1 if type_ == OpeningType.BOL else 0,
            "placements_bbl": 1 if type_ == OpeningType.BBL else 0,
            "placements_job": 1 if type_ == OpeningType.JOB else 0,
            "placements_orientation": 1 if type_ == OpeningType.ORIENTATION else 0,
            "career_changers_placed": 1 if changer else 0,
        }
        groups = _group_keys(
            municipality=place,
            sector=sector,
            type_=type_,
            levels=[level] if level else None,
            locations=locations.get(company),
        )
        facts.append(Fact(groups, values))
    # Days from publishing to the first placement, for openings whose first
    # placement falls in this period.
    firsts = (
        Placement.objects.filter(status=PlacementStatus.CONFIRMED)
        .values("opening_id")
        .annotate(first=Min("confirmed_at"))
        .filter(first__gte=start, first__lt=end)
        .values_list(
            "first",
            "opening__published_at",
            "opening__type",
            "opening__place__name",
            "opening__company__sector",
            "opening__company_id",
            "opening__education_levels",
        )
    )
    for first, published, type_, place, sector, company, levels in firsts:
        if published is None:
            continue
        groups = _group_keys(
            municipality=place,
            sector=sector,
            type_=type_,
            levels=levels,
            locations=locations.get(company),
        )
        days = max((first - published).total_seconds() / 86400, 0.0)
        facts.append(Fact(groups, {"days_to_first_placement": [days], "_first_placements": 1}))
    return facts


def _review_facts(period: Period, locations: dict[int, list[str]]) -> list[Fact]:
    start, end = period.bounds()
    rows = AuditEntry.objects.filter(
        action=AuditAction.TRANSITION,
        from_state=MatchState.SUGGESTED,
        to_state__in=[MatchState.APPROVED, MatchState.REJECTED],
        created_at__gte=start,
        created_at__lt=end,
        match__isnull=False,
    ).values_list(
        "to_state",
        "created_at",
        "match__created_at",
        "student_id",
        "match__opening__type",
        "match__opening__place__name",
        "match__opening__company__sector",
        "match__opening__company_id",
        "match__profile__education_level",
    )
    facts = []
    approved_students: dict[int, Fact] = {}
    for to_state, decided, suggested, student, type_, place, sector, company, level in rows:
        groups = _group_keys(
            municipality=place,
            sector=sector,
            type_=type_,
            levels=[level] if level else None,
            locations=locations.get(company),
        )
        hours = max((decided - suggested).total_seconds() / 3600, 0.0)
        approved = to_state == MatchState.APPROVED
        facts.append(
            Fact(
                groups,
                {
                    "review_hours": [hours],
                    "_decisions": 1,
                    "_approved": 1 if approved else 0,
                },
            )
        )
        if approved and student is not None:
            # A student counts once per group, however many suggestions.
            known = approved_students.get(student)
            if known is None:
                approved_students[student] = Fact(
                    {k: tuple(v) for k, v in groups.items()}, {"students_approved": 1}
                )
            else:
                for name, keys in groups.items():
                    known.groups[name] = tuple(dict.fromkeys(known.groups[name] + keys))
    facts.extend(approved_students.values())
    return facts


def _progression_facts(period: Period) -> list[Fact]:
    start, end = period.bounds()
    rows = EducationLevelChange.objects.filter(
        changed_at__gte=start, changed_at__lt=end
    ).values_list("profile_id", "from_level", "to_level", "profile__place__name")
    risen: dict[int, Fact] = {}
    for profile, before, after, place in rows:
        change = EducationLevelChange(from_level=before, to_level=after)
        if change.is_progression:
            risen[profile] = Fact(
                _group_keys(
                    municipality=place, sector=None, type_=None, levels=[after], locations=None
                ),
                {"progression": 1},
            )
    return list(risen.values())


def _course_facts(period: Period) -> list[Fact]:
    """One fact per sign-up confirmed or course completed in the period, in the
    course's municipality and learning location (a school's course has none)."""
    start, end = period.bounds()
    rows = (
        Enrolment.objects.filter(
            Q(decided_at__gte=start, decided_at__lt=end)
            | Q(completed_at__gte=start, completed_at__lt=end)
        )
        .filter(status__in=[EnrolmentStatus.CONFIRMED, EnrolmentStatus.COMPLETED])
        .values_list(
            "group",
            "decided_at",
            "completed_at",
            "skills_added",
            "course__place__name",
            "course__provider__name",
            "course__provider__kind",
        )
    )
    facts = []
    for group, decided, completed, added, place, provider, kind in rows:
        values: dict[str, float | list[float]] = {}
        if decided is not None and start <= decided < end:
            values[f"course_participants_{group}"] = 1
        if completed is not None and start <= completed < end:
            values[f"course_completions_{group}"] = 1
            values["skills_from_courses"] = len(added or [])
        location = [provider] if kind == OrganisationKind.LEARNING_LOCATION else None
        keys = _group_keys(
            municipality=place, sector=None, type_=None, levels=None, locations=location
        )
        facts.append(Fact(keys, values))
    return facts


def _guest_facts(period: Period, locations: dict[int, list[str]]) -> list[Fact]:
    """One fact per guest lesson or company visit given in the period, in the
    class's municipality and level and the company's sector and learning
    locations (and the asking learning location's own)."""
    start, end = period.bounds()
    rows = GuestRequest.objects.filter(
        status=GuestRequestStatus.GIVEN, given_at__gte=start, given_at__lt=end
    ).values_list(
        "pupils_reached",
        "level",
        "place__name",
        "offer__company__sector",
        "offer__company_id",
        "organisation__name",
        "organisation__kind",
    )
    facts = []
    for pupils, level, place, sector, company, asker, kind in rows:
        where = list(locations.get(company, []))
        if kind == OrganisationKind.LEARNING_LOCATION and asker not in where:
            where.append(asker)
        keys = _group_keys(
            municipality=place, sector=sector, type_=None, levels=[level], locations=where
        )
        facts.append(Fact(keys, {"guest_lessons_given": 1, "pupils_reached": pupils or 0}))
    return facts


def _coverage_fact(period: Period, gap: list[dict[str, Any]] | None = None) -> Fact:
    """How many of the region's top skill gaps a published course teaches;
    ``gap`` is the period's ``skills_gap(limit=GAP_TOP)`` when already at hand."""
    rows = gap if gap is not None else skills_gap(period=period, limit=GAP_TOP)
    covered = sum(1 for r in rows if r["courses"])
    keys = _group_keys(municipality=None, sector=None, type_=None, levels=None, locations=None)
    keys = {name: (TOTAL,) if name == TOTAL else () for name in keys}
    return Fact(keys, {"gaps_with_course": covered, "gaps_without_course": len(rows) - covered})


def _facts(period: Period, gap: list[dict[str, Any]] | None = None) -> list[Fact]:
    locations = _locations_by_company()
    return (
        _opening_facts(period, locations)
        + _placement_facts(period, locations)
        + _review_facts(period, locations)
        + _progression_facts(period)
        + _course_facts(period)
        + _guest_facts(period, locations)
        + [_coverage_fact(period, gap)]
    )


# -- tables -----------------------------------------------------------------------


def _aggregate(facts: list[Fact], breakdown: str) -> dict[str, dict[str, Any]]:
    sums: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    lists: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for fact in facts:
        for group in fact.groups[breakdown]:
            for key, value in fact.values.items():
                if isinstance(value, list):
                    lists[group][key].extend(value)
                else:
                    sums[group][key] += value
    table: dict[str, dict[str, Any]] = {}
    for group in sorted(set(sums) | set(lists), key=_group_order):
        s, lst = sums[group], lists[group]
        offered, filled = s.get("places_offered", 0), s.get("places_filled", 0)
        decisions = s.get("_decisions", 0)
        row: dict[str, Any] = {k.key: int(s.get(k.key, 0)) for k in KPIS if k.kind == "count"}
        row["fill_rate"] = round(filled / offered, 3) if offered else None
        row["days_to_first_placement"] = _median(lst.get("days_to_first_placement"), 1)
        row["review_hours"] = _median(lst.get("review_hours"), 1)
        row["approval_share"] = round(s.get("_approved", 0) / decisions, 3) if decisions else None
        row["_first_placements"] = int(s.get("_first_placements", 0))
        row["_decisions"] = int(decisions)
        table[group] = row
    return table


def _median(values: list[float] | None, digits: int) -> float | None:
    return round(statistics.median(values), digits) if values else None


def _group_order(group: str) -> tuple[int, str]:
    return (0 if group == TOTAL else 2 if group == NONE else 1, group.casefold())


def kpi_figures(*, period: Period) -> dict[str, dict[str, dict[str, Any]]]:
    """Every breakdown of every figure for one period, unrounded for people:
    what a snapshot stores. ``display`` hides small numbers for output."""
    facts = _facts(period)
    return {breakdown: _with_total(facts, breakdown) for breakdown in BREAKDOWNS}


def _with_total(facts: list[Fact], breakdown: str) -> dict[str, dict[str, Any]]:
    """The breakdown's groups, after a first row for the whole region."""
    if breakdown == TOTAL:
        return _aggregate(facts, TOTAL)
    return {**_aggregate(facts, TOTAL), **_aggregate(facts, breakdown)}


def kpi_table(*, period: Period, breakdown: str = TOTAL) -> dict[str, dict[str, Any]]:
    if breakdown not in BREAKDOWNS:
        raise DomainError(_("Unknown breakdown."), field="breakdown")
    return _with_total(_facts(period), breakdown)


def group_label(breakdown: str, group: str) -> str:
    """A group's name for people: sector and type codes become their labels."""
    if group == TOTAL:
        return str(BREAKDOWNS[TOTAL])
    labels = {
        TOTAL: {TOTAL: BREAKDOWNS[TOTAL]},
        "sector": dict(Sector.choices),
        "type": dict(OpeningType.choices),
        "education_level": dict(EducationLevel.choices),
    }.get(breakdown, {})
    return str(labels.get(group, group))


def display(key: str, row: dict[str, Any]) -> str | int | float | None:
    """A figure as it may be shown: small counts of people as "<5", rates and
    medians resting on fewer than 5 people as "n<5"."""
    value = row.get(key)
    kpi = KPI_BY_KEY.get(key)
    if kpi is None:
        return value
    if kpi.people and isinstance(value, int) and 0 < value < SMALL:
        return "<5"
    base = BASES.get(key)
    if base is not None and value is not None and 0 < (row.get(base) or 0) < SMALL:
        return "n<5"
    return value


def displayed_rows(table: dict[str, dict[str, Any]], breakdown: str) -> list[dict[str, Any]]:
    """The table as it may leave MaakMatch: group names, small numbers hidden."""
    return [
        {
            "group": group,
            "label": group_label(breakdown, group),
            **{k.key: display(k.key, row) for k in KPIS},
        }
        for group, row in table.items()
    ]


# -- snapshots --------------------------------------------------------------------


@transaction.atomic
def baseline_for(*, year: int) -> KpiSnapshot | None:
    return KpiSnapshot.objects.filter(period=str(year), kind=SnapshotKind.BASELINE).first()


def compared(
    table: dict[str, dict[str, Any]], baseline: dict[str, dict[str, Any]] | None
) -> dict[str, dict[str, Any]]:
    """Per group and figure, the change against the baseline (None where either
    side is missing or hidden)."""
    changes: dict[str, dict[str, Any]] = {}
    for group, row in table.items():
        before = (baseline or {}).get(group) or {}
        changes[group] = {}
        for kpi in KPIS:
            now, then = display(kpi.key, row), display(kpi.key, before) if before else None
            if isinstance(now, int | float) and isinstance(then, int | float):
                changes[group][kpi.key] = round(now - then, 3)
            else:
                changes[group][kpi.key] = None
    return changes


def trend(*, year: int) -> list[dict[str, Any]]:
    """Places offered against places filled, per quarter of a year: two queries
    for the whole year."""
    quarters = Period.parse(str(year)).quarters()
    year_start, year_end = Period.parse(str(year)).bounds()
    openings = list(
        Opening.objects.filter(
            Q(closed_at__isnull=True) | Q(closed_at__gte=year_start),
            type__in=PLACE_TYPES,
            published_at__lt=year_end,
        ).values_list("capacity", "published_at", "closed_at", "status")
    )
    filled = list(
        Placement.objects.filter(
            status=PlacementStatus.CONFIRMED,
            type__in=PLACE_TYPES,
            confirmed_at__gte=year_start,
            confirmed_at__lt=year_end,
        ).values_list("confirmed_at", flat=True)
    )
    rows = []
    for quarter in quarters:
        start, end = quarter.bounds()
        row = {
            "places_offered": sum(
                capacity
                for capacity, published, closed, status in openings
                if _was_open(published, closed, status, start, end)
            ),
            "places_filled": sum(1 for when in filled if start <= when < end),
        }
        rows.append(
            {
                "period": quarter.label,
                "places_offered": row["places_offered"],
                "places_filled": display("places_filled", row),
            }
        )
    return rows


def dashboard(*, period: Period, breakdown: str) -> dict[str, Any]:
    """Everything the coordinators' dashboard shows, from one pass over the facts."""
    if breakdown not in BREAKDOWNS:
        raise DomainError(_("Unknown breakdown."), field="breakdown")
    gap = skills_gap(period=period, limit=GAP_TOP)  # once: the coverage figures and the panel
    facts = _facts(period, gap)
    table = _with_total(facts, breakdown)
    by_place = table if breakdown == "municipality" else _aggregate(facts, "municipality")
    baseline = baseline_for(year=period.year)
    baseline_table = (baseline.figures.get(breakdown) if baseline else None) or {}
    return {
        "rows": displayed_rows(table, breakdown),
        "changes": compared(table, baseline_table) if baseline else {},
        "baseline": baseline,
        "by_place": [
            {
                "label": group,
                "places_offered": row["places_offered"],
                "places_filled": display("places_filled", row),
            }
            for group, row in by_place.items()
            if group != TOTAL
        ],
        "trend": trend(year=period.year),
        "gap": gap[:DASHBOARD_GAP_ROWS],
    }


# -- the skills gap -----------------------------------------------------------------


def skills_gap(
    *,
    period: Period,
    municipality: str | None = None,
    education_level: str | None = None,
    limit: int = 25,
) -> list[dict[str, Any]]:
    """The skills openings ask for against the skills profiles offer, and the
    must-haves most often missing in suggestions ("aansluiting onderwijs-
    arbeidsmarkt"). Demand: places (capacity) of openings open in the period that
    ask for the skill; supply: profiles open to suggestions that have it; gap:
    demand minus supply. Ranked by gap, then by how often it was missing."""
    start, end = period.bounds()
    openings = Opening.objects.filter(
        Q(closed_at__isnull=True) | Q(closed_at__gte=start),
        published_at__lt=end,
    ).exclude(closed_at__isnull=True, status__in=[OpeningStatus.DRAFT, OpeningStatus.CLOSED])
    profiles = ProfileSkill.objects.filter(profile__is_visible=True, profile__user__is_active=True)
    if municipality:
        openings = openings.filter(place__name=municipality)
        profiles = profiles.filter(profile__place__name=municipality)
    if education_level:
        openings = openings.filter(
            Q(education_levels__icontains=f'"{education_level}"') | Q(education_levels=[])
        )
        profiles = profiles.filter(profile__education_level=education_level)
    demand: Counter[int] = Counter()
    for skill_id, capacity in OpeningSkill.objects.filter(opening__in=openings).values_list(
        "skill_id", "opening__capacity"
    ):
        demand[skill_id] += capacity
    supply = Counter(profiles.values_list("skill_id", flat=True))
    missing = _missing_must_haves(period=period, openings=openings)
    ids = set(demand) | set(missing)
    published = Count("courses", filter=Q(courses__is_published=True), distinct=True)
    skills = {s.pk: s for s in Skill.objects.filter(pk__in=ids).annotate(taught=published)}
    rows = []
    for skill_id in ids:
        skill = skills.get(skill_id)
        if skill is None:
            continue
        row = {
            "skill": skill.slug,
            "label": skill.label,
            "demand": demand.get(skill_id, 0),
            "supply": supply.get(skill_id, 0),
            "missing": missing.get(skill_id, 0),
            # Published courses in the region that teach it (not people).
            "courses": skill.taught,
        }
        row["gap"] = row["demand"] - row["supply"]
        rows.append(row)
    rows.sort(key=lambda r: (-r["gap"], -r["missing"], r["label"].casefold()))
    return [_gap_display(r) for r in rows[:limit]]


def _gap_display(row: dict[str, Any]) -> dict[str, Any]:
    shown = dict(row)
    for key in ("supply", "missing"):  # both count people
        if 0 < row[key] < SMALL:
            shown[key] = "<5"
    if 0 < row["supply"] < SMALL:
        shown["gap"] = "n<5"
    return shown


def _missing_must_haves(
    *, period: Period, openings: Any, in_database: bool | None = None
) -> Counter[int]:
    """How often each must-have skill was missing in the period's suggestions,
    read from the stored explanations: unnested by PostgreSQL where it runs
    (``bench/kpis.py`` measures both ways), else in Python."""
    start, end = period.bounds()
    matches = Match.objects.filter(
        created_at__gte=start, created_at__lt=end, opening__in=openings
    ).exclude(state=MatchState.RETIRED)
    slugs: Counter[str] = Counter()
    if in_database is None:
        in_database = connection.vendor == "postgresql"
    if in_database:
        # Django's own compiled query, with its parameters passed separately.
        sql, params = matches.values("explanation").query.sql_with_params()
        query = (
            "SELECT item->>'skill', COUNT(*) FROM ("  # noqa: S608
            + sql
            + ") AS m, jsonb_array_elements(m.explanation->'missing_must_haves') AS item "
            "GROUP BY 1"
        )
        with connection.cursor() as cursor:
            cursor.execute(query, params)
            slugs.update(dict(cursor.fetchall()))
    else:
        for explanation in matches.values_list("explanation", flat=True).iterator():
            slugs.update(i["skill"] for i in (explanation or {}).get("missing_must_haves", []))
    ids = dict(Skill.objects.filter(slug__in=slugs).values_list("slug", "pk"))
    return Counter({ids[slug]: n for slug, n in slugs.items() if slug in ids})


def skills_gap_trend(*, year: int, skills: list[str]) -> list[dict[str, Any]]:
    """For the given skills, how often each was a missing must-have, per quarter."""
    rows = []
    wanted = dict(Skill.objects.filter(slug__in=skills).values_list("pk", "slug"))
    for quarter in Period.parse(str(year)).quarters():
        _start, end = quarter.bounds()
        openings = Opening.objects.filter(published_at__lt=end)
        counts = _missing_must_haves(period=quarter, openings=openings)
        row: dict[str, Any] = {"period": quarter.label}
        for pk, slug in wanted.items():
            n = counts.get(pk, 0)
            row[slug] = "<5" if 0 < n < SMALL else n
        rows.append(row)
    return rows
