"""Import pages: upload, every problem listed per line, a template to start from,
and a progress page that polls until the worker is done."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import ImportJob, ImportStatus, Invitation, Organisation
from marketplace.models import Opening
from tests.conftest import World, login_with_second_factor

pytestmark = pytest.mark.django_db

CLASS_LIST = (
    "naam;e-mail;niveau;klas\n"
    "Sanne de Vries;sanne@example.nl;MBO 2;2A\n"
    "Jan Smit;jan@example.nl;MBO 3;2A\n"
)


def _cells(html: str) -> str:
    """The page without the cells' labels (for the phone layout)."""
    return re.sub(r' data-label="[^"]*"', "", html)


def upload(client: Client, route: str, text: str | bytes, **data: object):
    content = text.encode("utf-8") if isinstance(text, str) else text
    return client.post(
        reverse(f"web:{route}"),
        {"file": SimpleUploadedFile("klas.csv", content, "text/csv"), **data},
    )


def test_a_counsellor_imports_a_class_list(client: Client, world: World) -> None:
    client.force_login(world.dirk)
    page = client.get(reverse("web:students_import")).content.decode()
    assert reverse("web:import_template", args=["students"]) in page
    assert "crebo" in page  # the columns are documented on the page
    response = upload(client, "students_import", CLASS_LIST, organisation=world.school_a.pk)
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("web:import_detail", args=[job.pk])
    assert set(Invitation.objects.values_list("email", flat=True)) == {
        "sanne@example.nl",
        "jan@example.nl",
    }
    detail = client.get(response.url).content.decode()
    assert "2 toegevoegd" in detail
    assert 'hx-trigger="every 2s"' in detail  # the emails are still to go out


def test_a_broken_file_is_listed_per_line_and_stores_nothing(client: Client, world: World):
    client.force_login(world.dirk)
    text = CLASS_LIST + "Piet;piet@;MBO 2;2B\n" + "Sanne;SANNE@example.nl;MBO 9;2B\n"
    response = upload(client, "students_import", text, organisation=world.school_a.pk)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Er is niets geïmporteerd" in html
    assert "<td>4</td><td>e-mail</td>" in _cells(html)
    assert "<td>5</td><td>niveau</td>" in _cells(html)
    assert "<td>5</td><td>e-mail</td>" in _cells(html)  # the same address as line 2
    assert not Invitation.objects.exists()
    assert not ImportJob.objects.exists()


def test_the_form_refuses_a_missing_file_and_someone_elses_school(client: Client, world: World):
    client.force_login(world.dirk)
    response = client.post(reverse("web:students_import"), {"organisation": world.school_a.pk})
    assert response.status_code == 200
    assert "utrecht-form-field-error-message" in response.content.decode()
    response = upload(client, "students_import", CLASS_LIST, organisation=world.school_b.pk)
    assert response.status_code == 200
    assert "utrecht-form-field-error-message" in response.content.decode()
    assert not Invitation.objects.exists()


def test_the_template_is_a_dutch_excel_csv_that_imports(client: Client, world: World):
    client.force_login(world.dirk)
    response = client.get(reverse("web:import_template", args=["students"]))
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeffnaam;e-mail;onderwijsniveau;opleiding;crebo;klas")
    upload(client, "students_import", response.content, organisation=world.school_a.pk)
    assert Invitation.objects.get().email == "sanne.devries@example.nl"
    assert client.get(reverse("web:import_template", args=["nope"])).status_code == 404


def test_a_large_file_shows_a_progress_bar_until_done(client: Client, world: World, settings):
    settings.MAAKMATCH_IMPORT_INLINE_ROWS = 1
    client.force_login(world.dirk)
    response = upload(client, "students_import", CLASS_LIST, organisation=world.school_a.pk)
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.QUEUED
    html = client.get(response.url).content.decode()
    assert "<progress" in html
    assert 'hx-trigger="every 2s"' in html
    assert "0 van 2 rijen gecontroleerd" in html
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.DONE, created_count=2, finished_at=timezone.now()
    )
    html = client.get(response.url).content.decode()
    assert 'hx-trigger="every 2s"' not in html
    assert "2 toegevoegd" in html


def test_a_refused_large_file_lists_its_problems(client: Client, world: World):
    job = ImportJob.objects.create(
        kind="students",
        organisation=world.school_a,
        created_by=world.dirk,
        status=ImportStatus.FAILED,
        errors=[{"line": 7, "column": "e-mail", "message": "Dit is geen geldig e-mailadres."}],
    )
    client.force_login(world.dirk)
    html = client.get(reverse("web:import_detail", args=[job.pk])).content.decode()
    assert "<td>7</td><td>e-mail</td><td>Dit is geen geldig e-mailadres.</td>" in _cells(html)


def test_only_counsellors_and_company_members_reach_their_import_pages(
    client: Client, world: World
):
    for person, route in [
        (world.sam, "students_import"),
        (world.bram, "students_import"),
        (world.dirk, "openings_import"),
        (world.sam, "openings_import"),
    ]:
        client.force_login(person)
        assert client.get(reverse(f"web:{route}")).status_code == 403
    client.force_login(world.bram)
    assert client.get(reverse("web:openings_import_region")).status_code == 403


@pytest.fixture
def verified(world: World) -> Organisation:
    call_command("load_reference_data", verbosity=0)
    Organisation.objects.filter(pk=world.company_x.pk).update(
        verified_at=timezone.now(), sbb_recognised=True, sbb_recognised_on=dt.date(2020, 1, 1)
    )
    return world.company_x


OPENINGS = (
    "titel;soort;omschrijving;niveaus;plaats;startdatum;uren per week;vereiste vaardigheden\n"
    "Stage monteur;BOL;Onderhoud aan machines.;MBO 3;Woerden;2027-09-01;32;PLC|CNC-draien\n"
)


def test_a_company_imports_openings_and_sees_typos_answered(client: Client, world, verified):
    client.force_login(world.bram)
    html = upload(client, "openings_import", OPENINGS, organisation=verified.pk).content.decode()
    assert "Onbekende vaardigheid “CNC-draien”" in html
    assert "CNC-draaien" in html
    assert not Opening.objects.exists()
    response = upload(
        client,
        "openings_import",
        OPENINGS.replace("CNC-draien", "CNC-draaien"),
        organisation=verified.pk,
    )
    assert response.status_code == 302
    assert Opening.objects.get().status == "draft"


def test_a_coordinator_imports_openings_by_kvk_number(client: Client, world, verified):
    login_with_second_factor(client, world.carla)
    text = "kvk;" + OPENINGS.replace("\nStage", f"\n{verified.kvk_number};Stage").replace(
        "CNC-draien", "CNC-draaien"
    )
    assert upload(client, "openings_import_region", text).status_code == 302
    assert Opening.objects.get().company == verified


def test_a_first_profile_starts_from_the_class_list(client: Client, world: World) -> None:
    Invitation.objects.create(
        organisation=world.school_a,
        email=world.sam.email,
        full_name="Sam",
        education_level="mbo3",
        programme="Mechatronica",
        crebo_code="25193",
        class_name="3B",
        created_at=timezone.now(),
        expires_at=timezone.now() + dt.timedelta(days=30),
        accepted_at=timezone.now(),
        accepted_by=world.sam,
    )
    client.force_login(world.sam)
    html = client.get(reverse("web:profile_edit")).content.decode()
    assert 'value="Mechatronica"' in html
    assert 'value="25193"' in html
    assert '<option value="mbo3" selected>' in html


@pytest.mark.parametrize("column", range(4))
def test_bad_values_in_any_cell_never_break_an_import(
    client: Client, world: World, column: int
) -> None:
    from tests.web.test_bad_input import CORPUS, HTML

    client.force_login(world.dirk)
    for name, bad in CORPUS.items():
        cells = ["Sanne", "sanne@example.nl", "MBO 2", "2A"]
        cells[column] = bad.replace(";", ",")
        text = "naam;e-mail;niveau;klas\n" + ";".join(cells) + "\n"
        before = Invitation.objects.count()
        response = upload(client, "students_import", text, organisation=world.school_a.pk)
        assert response.status_code in (200, 302), (name, response.status_code)
        assert HTML not in response.content.decode(), name
        if response.status_code == 200:
            assert Invitation.objects.count() == before, name
    html = client.get(reverse("web:invitations")).content.decode()
    assert HTML not in html
