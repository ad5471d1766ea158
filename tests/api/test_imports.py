"""The import endpoints: multipart uploads, per-line errors as a field-level 400,
202 and a job to poll for large files, and nobody else's imports."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from accounts.models import ImportJob, Invitation
from tests.conftest import World

pytestmark = pytest.mark.django_db

CLASS_LIST = "name,email,education level\nSanne,sanne@example.nl,MBO 2\nJan,jan@example.nl,HAVO\n"


def post(user, path: str, text: str | None, **data: object):
    client = APIClient()
    client.force_authenticate(user)
    if text is not None:
        data["file"] = SimpleUploadedFile("klas.csv", text.encode(), "text/csv")
    return client.post(f"/api/v1/imports/{path}/", data, format="multipart")


def test_a_class_list_is_imported(world: World) -> None:
    response = post(world.dirk, "students", CLASS_LIST, organisation=world.school_a.pk)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["kind"], body["status"], body["created_count"]) == ("students", "sending", 2)
    assert Invitation.objects.count() == 2
    again = post(world.dirk, "students", CLASS_LIST, organisation=world.school_a.pk).json()
    assert (again["created_count"], again["skipped_count"]) == (0, 2)


def test_bad_lines_are_a_field_level_400_that_stores_nothing(world: World) -> None:
    text = CLASS_LIST + "Piet,piet@,MBO 2\n"
    response = post(world.dirk, "students", text, organisation=world.school_a.pk)
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "invalid"
    assert body["lines"][0]["line"] == 4
    assert body["lines"][0]["column"] == "email"
    assert body["fields"]["file"][0].startswith("4: email: ")
    assert not Invitation.objects.exists()
    assert not ImportJob.objects.exists()


def test_a_missing_file_or_school_is_a_field_error(world: World) -> None:
    body = post(world.dirk, "students", None, organisation=world.school_a.pk).json()
    assert "file" in body["fields"]
    body = post(world.dirk, "students", CLASS_LIST).json()
    assert "organisation" in body["fields"]


@pytest.mark.parametrize("persona", ["olga", "sam", "bram", "carla", "stranger"])
def test_outsiders_cannot_import_into_a_school(world: World, persona: str) -> None:
    response = post(getattr(world, persona), "students", CLASS_LIST, organisation=world.school_a.pk)
    assert response.status_code == 400
    assert "organisation" in response.json()["fields"]
    assert not Invitation.objects.exists()


def test_openings_need_a_company_or_a_coordinator(world: World) -> None:
    response = post(world.bram, "openings", "titel\nx\n")
    assert response.status_code == 403
    response = post(world.bram, "openings", "titel\nx\n", organisation=world.company_y.pk)
    assert response.status_code == 400
    assert "organisation" in response.json()["fields"]


def test_a_large_file_is_accepted_and_polled(world: World, settings) -> None:
    settings.MAAKMATCH_IMPORT_INLINE_ROWS = 1
    response = post(world.dirk, "students", CLASS_LIST, organisation=world.school_a.pk)
    assert response.status_code == 202
    job_id = response.json()["id"]
    client = APIClient()
    client.force_authenticate(world.dirk)
    job = client.get(f"/api/v1/imports/{job_id}/").json()
    assert (job["status"], job["rows_total"], job["rows_done"]) == ("queued", 2, 0)
    client.force_authenticate(world.olga)
    assert client.get(f"/api/v1/imports/{job_id}/").status_code == 404
    assert client.get("/api/v1/imports/").json()["count"] == 0
