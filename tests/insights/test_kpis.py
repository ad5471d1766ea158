"""The region's figures on a data set built here, with every value worked out by
hand in the comments: each KPI, the quarter's boundaries, the skills-gap ranking,
the hiding of small numbers, and frozen snapshots."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from accounts.exceptions import DomainError
from audit.models import AuditEntry
from insights import kpis
from insights import services as insight_services
from insights.models import KpiSnapshot
from marketplace.models import (
    EducationLevelChange,
    OpeningSkill,
    Placement,
    ProfileSkill,
)
from matching.models import Match
from tests import factories
from tests.conftest import World

pytestmark = pytest.mark.django_db
AMS = ZoneInfo("Europe/Amsterdam")
Q2 = kpis.Period.parse("2026-Q2")


def at(y: int, m: int, d: int, h: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, h, minute, tzinfo=AMS)


@pytest.fixture
def region(world: World) -> dict:
    woerden = factories.PlaceFactory(name="Woerden")
    montfoort = factories.PlaceFactory(name="Montfoort", latitude=52.0458, longitude=4.9525)
    x, y = world.company_x, world.company_y
    x.sector, y.sector = "metal", "electrical"
    x.save()
    y.save()
    x.learning_locations.add(world.location)
    cnc = factories.SkillFactory(slug="cnc", label_nl="CNC-draaien", label_en="CNC turning")
    lassen = factories.SkillFactory(slug="lassen", label_nl="Lassen", label_en="Welding")
    plc = factories.SkillFactory(slug="plc", label_nl="PLC", label_en="PLC")

    def opening(company, place, type_, capacity, published, closed=None, levels=(), **kw):
        o = factories.OpeningFactory(
            company=company,
            place=place,
            type=type_,
            capacity=capacity,
            published_at=published,
            education_levels=list(levels),
            status="closed" if closed else "open",
            closed_at=closed,
            **kw,
        )
        return o

    o1 = opening(x, woerden, "bol", 3, at(2026, 3, 15), levels=["mbo2", "mbo3"])
    o2 = opening(y, montfoort, "bbl", 2, at(2026, 4, 10), closed=at(2026, 5, 1))
    o3 = opening(x, woerden, "job", 1, at(2026, 1, 15))
    opening(y, montfoort, "job", 1, at(2026, 6, 1))
    opening(x, woerden, "bol", 5, at(2026, 1, 10), closed=at(2026, 3, 20))
    factories.OpeningFactory(company=x, status="draft", published_at=None, capacity=9)
    OpeningSkill.objects.create(opening=o1, skill=cnc, importance="must")
    OpeningSkill.objects.create(opening=o1, skill=lassen, importance="nice")
    OpeningSkill.objects.create(opening=o2, skill=cnc, importance="must")
    OpeningSkill.objects.create(opening=o3, skill=plc, importance="must")

    def placement(o, when, level="mbo3", changer=False, status="confirmed"):
        p = Placement.objects.create(
            opening=o,
            company=o.company,
            type=o.type,
            education_level=level,
            is_career_changer=changer,
            start_date=when.date(),
            status=status,
            **({"cancelled_at": when, "cancel_reason": "Ziek"} if status == "cancelled" else {}),
        )
        Placement.objects.filter(pk=p.pk).update(confirmed_at=when)
        return p

    placement(o1, at(2026, 5, 10))  # first of o1: 56 days after 15 March
    placement(o2, at(2026, 4, 30), level="mbo2", changer=True)  # first of o2: 20 days
    placement(o2, at(2026, 6, 30, 23, 30))  # the quarter's last evening: in Q2
    placement(o1, at(2026, 7, 1, 0, 10))  # ten past midnight: Q3
    placement(o1, at(2026, 5, 20), status="cancelled")  # never counts

    s1, s2 = world.sam, factories.UserFactory()
    p1 = factories.ProfileFactory(user=s1, place=woerden, education_level="mbo3")
    p2 = factories.ProfileFactory(user=s2, place=montfoort, education_level="mbo2")
    ProfileSkill.objects.create(profile=p1, skill=cnc, level=2)
    ProfileSkill.objects.create(profile=p2, skill=cnc, level=1)

    def decided(profile, opening_, created, hours, to, missing=()):
        m = factories.MatchFactory(profile=profile, opening=opening_, state=to)
        Match.objects.filter(pk=m.pk).update(
            created_at=created,
            explanation={"missing_must_haves": [{"skill": s} for s in missing]},
        )
        AuditEntry.objects.create(
            created_at=created + dt.timedelta(hours=hours),
            actor=world.dirk,
            action="transition",
            student=profile.user,
            match=m,
            from_state="suggested",
            to_state=to,
        )
        return m

    decided(p1, o1, at(2026, 4, 1, 8), 12, "approved", missing=["cnc"])
    decided(p2, o2, at(2026, 4, 2, 8), 24, "rejected", missing=["cnc", "plc"])
    decided(p1, o3, at(2026, 4, 5, 8), 6, "approved")

    def level(user, before, after, when):
        profile = factories.ProfileFactory(user=user)
        EducationLevelChange.objects.create(
            profile=profile, from_level=before, to_level=after, changed_at=when
        )

    level(factories.UserFactory(), "mbo2", "mbo3", at(2026, 5, 5))  # up: counts
    level(factories.UserFactory(), "", "mbo2", at(2026, 5, 6))  # first level: not a step
    level(factories.UserFactory(), "mbo3", "mbo2", at(2026, 5, 7))  # down
    level(factories.UserFactory(), "mbo4", "hbo", at(2026, 7, 2))  # Q3
    return {"o1": o1, "o2": o2, "cnc": cnc, "world": world}


def test_every_figure_of_the_quarter(region: dict) -> None:
    total = kpis.kpi_table(period=Q2)["total"]
    assert total["places_offered"] == 5  # o1 (3) + o2 (2); o5 closed in March
    assert total["places_filled"] == 3  # two in May/April, one on 30 June 23:30
    assert total["fill_rate"] == 0.6
    assert total["days_to_first_placement"] == 38.0  # median of 56 and 20
    assert total["jobs_open"] == 2  # o3 and o4, open on 1 July
    assert total["jobs_open_90_days"] == 1  # o3, published in January
    assert total["students_approved"] == 1  # Sam, twice
    assert total["placements_bol"] == 1
    assert total["placements_bbl"] == 2
    assert total["placements_job"] == 0
    assert total["career_changers_placed"] == 1
    assert total["progression"] == 1  # mbo2 -> mbo3 only
    assert total["review_hours"] == 12.0  # median of 12, 24 and 6
    assert total["approval_share"] == 0.667  # 2 of 3


def test_breakdowns(region: dict) -> None:
    by_place = kpis.kpi_table(period=Q2, breakdown="municipality")
    assert by_place["Woerden"]["places_offered"] == 3
    assert by_place["Montfoort"]["places_offered"] == 2
    assert by_place["Montfoort"]["places_filled"] == 2
    assert next(iter(by_place)) == "total"
    by_level = kpis.kpi_table(period=Q2, breakdown="education_level")
    assert by_level["mbo2"]["places_offered"] == 3  # o1 accepts mbo2 and mbo3
    assert by_level["mbo3"]["places_offered"] == 3
    assert by_level["—"]["places_offered"] == 2  # o2 takes any level
    by_location = kpis.kpi_table(period=Q2, breakdown="learning_location")
    location = region["world"].location.name
    assert by_location[location]["places_offered"] == 3  # company X trains there
    assert by_location[location]["jobs_open"] == 1
    by_type = kpis.kpi_table(period=Q2, breakdown="type")
    assert by_type["bbl"]["placements_bbl"] == 2
    by_sector = kpis.kpi_table(period=Q2, breakdown="sector")
    assert by_sector["electrical"]["places_offered"] == 2


def test_the_year_and_the_next_quarter(region: dict) -> None:
    year = kpis.kpi_table(period=kpis.Period.parse("2026"))["total"]
    assert year["places_offered"] == 10  # o5 was open in January to March
    assert year["places_filled"] == 4  # Q2's three and Q3's one
    q3 = kpis.kpi_table(period=kpis.Period.parse("2026-Q3"))["total"]
    assert q3["places_filled"] == 1
    assert q3["progression"] == 1  # mbo4 -> hbo on 2 July


def test_periods() -> None:
    q4 = kpis.Period.parse("2026-Q4")
    assert (q4.start, q4.end) == (dt.date(2026, 10, 1), dt.date(2027, 1, 1))
    assert kpis.Period.quarter_of(dt.date(2026, 6, 30)).label == "2026-Q2"
    assert q4.previous_quarter().label == "2026-Q3"
    for bad in ("2026-Q5", "26", "2026Q1", "", "1999"):
        with pytest.raises(DomainError):
            kpis.Period.parse(bad)


def test_small_numbers_are_hidden(region: dict) -> None:
    table = kpis.kpi_table(period=Q2)
    rows = {r["group"]: r for r in kpis.displayed_rows(table, "total")}
    total = rows["total"]
    assert total["places_filled"] == "<5"  # 3 people
    assert total["students_approved"] == "<5"
    assert total["placements_job"] == 0  # nobody: shown
    assert total["places_offered"] == 5  # places, not people
    assert total["fill_rate"] == "n<5"  # rests on 3 placements


def test_rates_resting_on_few_people_are_hidden(region: dict) -> None:
    row = kpis.kpi_table(period=Q2)["total"]
    assert kpis.display("fill_rate", row) == "n<5"  # 3 placements
    assert kpis.display("review_hours", row) == "n<5"  # 3 decisions
    assert kpis.display("days_to_first_placement", row) == "n<5"  # 2 openings
    bigger = dict(row, places_filled=12, _decisions=7)
    assert kpis.display("fill_rate", bigger) == 0.6
    assert kpis.display("places_filled", bigger) == 12
    assert kpis.display("approval_share", bigger) == 0.667


def test_the_skills_gap_ranking(region: dict) -> None:
    rows = kpis.skills_gap(period=Q2)
    assert [r["skill"] for r in rows] == ["cnc", "lassen", "plc"]
    cnc, lassen, plc = rows
    assert (cnc["demand"], cnc["supply"]) == (5, "<5")  # 3 + 2 places; 2 profiles
    assert cnc["missing"] == "<5"  # missing twice
    assert (lassen["demand"], lassen["supply"], lassen["gap"]) == (3, 0, 3)
    assert plc["gap"] == 1
    in_montfoort = kpis.skills_gap(period=Q2, municipality="Montfoort")
    assert [r["skill"] for r in in_montfoort] == ["cnc", "plc"]  # plc: missing in a suggestion
    assert in_montfoort[0]["demand"] == 2


def test_a_snapshot_keeps_its_figures(region: dict) -> None:
    year = kpis.Period.parse("2026")
    snapshot = insight_services.snapshot_take(
        period=year, kind="baseline", by=region["world"].carla
    )
    frozen = snapshot.figures["total"]["total"]["places_filled"]
    assert frozen == 4
    o1 = region["o1"]
    late = Placement.objects.create(
        opening=o1, company=o1.company, type="bol", start_date=dt.date(2026, 8, 1)
    )
    Placement.objects.filter(pk=late.pk).update(confirmed_at=at(2026, 8, 1))
    assert kpis.kpi_table(period=year)["total"]["places_filled"] == 5
    again = KpiSnapshot.objects.get(pk=snapshot.pk)
    assert again.figures["total"]["total"]["places_filled"] == 4
    quarter = insight_services.snapshot_take(period=Q2, kind="quarter")
    assert insight_services.snapshot_take(period=Q2, kind="quarter").pk == quarter.pk  # once
    with pytest.raises(DomainError):
        insight_services.snapshot_take(period=Q2, kind="baseline")


def test_compared_with_the_baseline(region: dict) -> None:
    year = kpis.Period.parse("2026")
    baseline = insight_services.snapshot_take(period=kpis.Period.parse("2026"), kind="baseline")
    table = kpis.kpi_table(period=year)
    changes = kpis.compared(table, baseline.figures["total"])
    assert changes["total"]["places_offered"] == 0
    assert changes["total"]["places_filled"] is None  # hidden on both sides


def test_trend_per_quarter(region: dict) -> None:
    rows = kpis.trend(year=2026)
    assert [r["period"] for r in rows] == ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]
    assert rows[0]["places_offered"] == 8  # o1 (3) published 15 March, o5 (5)
    assert rows[1]["places_offered"] == 5


def test_beat_freezes_the_quarter_that_ended(
    region: dict, monkeypatch: pytest.MonkeyPatch, settings
) -> None:
    from worker import tasks

    monkeypatch.setattr(timezone, "localdate", lambda: dt.date(2026, 7, 1))
    assert tasks.kpi_snapshot_quarter() == "2026-Q2"
    snapshot = KpiSnapshot.objects.get(period="2026-Q2", kind="quarter")
    assert snapshot.figures["total"]["total"]["places_offered"] == 5
    assert tasks.kpi_snapshot_quarter() == "2026-Q2"  # a second run changes nothing
    assert KpiSnapshot.objects.count() == 1
    schedule = settings.CELERY_BEAT_SCHEDULE["kpi-snapshot-quarter"]
    assert schedule["task"] == "worker.kpi_snapshot_quarter"
