"""The API's figures: the same values as the selectors, small numbers hidden,
field-level 400s for a bad period or breakdown."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.insights.test_kpis import region  # noqa: F401 - the hand-made data set

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(region: dict) -> APIClient:  # noqa: F811
    client = APIClient()
    client.force_authenticate(region["world"].carla)
    return client


def test_the_figures_as_json(api: APIClient) -> None:
    body = api.get("/api/v1/kpis/", {"period": "2026-Q2", "breakdown": "municipality"}).json()
    assert body["period"] == "2026-Q2"
    total = body["rows"][0]
    assert total["group"] == "total"
    assert total["places_offered"] == 5
    assert total["places_filled"] == "<5"  # three people
    assert total["fill_rate"] == "n<5"
    assert total["placements_job"] == 0
    woerden = next(r for r in body["rows"] if r["group"] == "Woerden")
    assert woerden["places_offered"] == 3
    assert [t["period"] for t in body["trend"]] == ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]
    assert body["baseline"] is None


@pytest.mark.parametrize(
    ("query", "field"),
    [({"period": "2026-Q7"}, "period"), ({"breakdown": "colour"}, "breakdown")],
)
def test_bad_parameters_are_field_errors(api: APIClient, query: dict, field: str) -> None:
    response = api.get("/api/v1/kpis/", query)
    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_the_skills_gap(api: APIClient) -> None:
    body = api.get("/api/v1/kpis/skills-gap/", {"period": "2026-Q2"}).json()
    assert [r["skill"] for r in body["rows"]] == ["cnc", "lassen", "plc"]
    assert body["rows"][0]["supply"] == "<5"
    assert api.get("/api/v1/kpis/skills-gap/", {"education_level": "x"}).status_code == 400
