"""Openings from CSV: checked whole, skills by any name, typos answered with the
nearest names, stored whole or not at all."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone, translation

from accounts.exceptions import NotAllowed
from accounts.models import ImportJob, ImportStatus, Organisation
from accounts.tabular import TableInvalid
from marketplace import imports
from marketplace.models import Opening, OpeningSkill, OpeningStatus

pytestmark = pytest.mark.django_db

HEADER = (
    "titel;soort;omschrijving;niveaus;plaats;startdatum;einddatum;uren per week;plaatsen;"
    "vereiste vaardigheden;gewenste vaardigheden;publiceren\n"
)


def row(title: str = "Stage CNC-draaier", **change: str) -> str:
    values = {
        "title": title,
        "type": "BOL",
        "description": "Draaien en frezen op CNC-machines.",
        "levels": "MBO 2|MBO 3",
        "place": "Woerden",
        "start": "1-9-2027",
        "end": "2028-01-31",
        "hours": "32",
        "places": "2",
        "must": "CNC-draaien|werktekening lezen",
        "nice": "TIG welding",
        "publish": "nee",
        **change,
    }
    return ";".join(values.values()) + "\n"


@pytest.fixture
def company(world) -> Organisation:
    call_command("load_reference_data", verbosity=0)
    Organisation.objects.filter(pk=world.company_x.pk).update(
        verified_at=timezone.now(), sbb_recognised=True, sbb_recognised_on=dt.date(2020, 1, 1)
    )
    world.company_x.refresh_from_db()
    return world.company_x


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def start(world, text: str, *, by=None, organisation="member"):
    return imports.openings_import_start(
        by=by or world.bram,
        organisation=world.company_x if organisation == "member" else organisation,
        filename="vacatures.csv",
        data=text.encode("utf-8"),
    )


def refused(world, text: str, **kwargs) -> list:
    before = Opening.objects.count()
    with pytest.raises(TableInvalid) as caught:
        start(world, text, **kwargs)
    assert Opening.objects.count() == before
    assert not ImportJob.objects.exists()
    return caught.value.errors


def test_valid_rows_become_drafts_with_their_skills(world, company):
    job = start(world, HEADER + row() + row("Leerbaan lasser", type="BBL", must="MIG/MAG-lassen"))
    assert (job.status, job.created_count) == (ImportStatus.DONE, 2)
    opening = Opening.objects.get(title="Stage CNC-draaier")
    assert opening.company == company
    assert opening.status == OpeningStatus.DRAFT
    assert (opening.type, opening.education_levels) == ("bol", ["mbo2", "mbo3"])
    assert (opening.start_date, opening.end_date) == (dt.date(2027, 9, 1), dt.date(2028, 1, 31))
    assert (opening.hours_per_week, opening.capacity, opening.place.name) == (32, 2, "Woerden")
    skills = {
        (s.skill.slug, s.importance)
        for s in OpeningSkill.objects.filter(opening=opening).select_related("skill")
    }
    assert skills == {
        ("cnc-draaien", "must"),
        ("technisch-tekening-lezen", "must"),
        ("tig-lassen", "nice"),
    }


def test_publish_yes_opens_the_opening_and_asks_for_suggestions(
    world, company, django_capture_on_commit_callbacks
):
    from celery.signals import before_task_publish

    published: list[str] = []

    def record(sender: str, **kwargs: object) -> None:
        published.append(sender)

    before_task_publish.connect(record)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            start(world, HEADER + row(publish="ja"))
    finally:
        before_task_publish.disconnect(record)
    opening = Opening.objects.get()
    assert opening.status == OpeningStatus.OPEN
    assert opening.published_at is not None
    assert opening.expires_at > timezone.now()
    assert opening.needs_matching_since is not None  # the sweep's flag, even if the broker is down
    # One matching task for the new opening; the company's webhooks hear the import ended.
    assert sorted(published) == ["worker.match_opening", "worker.webhook_event"]


def test_importing_the_same_file_again_adds_nothing(world, company):
    text = HEADER + row() + row("Leerbaan lasser", type="BBL")
    start(world, text)
    again = start(world, text + row("Snuffeldag", type="snuffeldag"))
    assert (again.created_count, again.skipped_count) == (1, 2)
    assert Opening.objects.count() == 3


def test_an_unknown_skill_is_reported_with_the_nearest_names(world, company):
    errors = refused(world, HEADER + row(must="CNC-draien|Lassen TIG"))
    assert len(errors) == 2
    assert all((e.line, e.column) == (2, "vereiste vaardigheden") for e in errors)
    assert "CNC-draien" in errors[0].message
    assert "Did you mean" in errors[0].message
    assert "CNC turning" in errors[0].message
    assert "TIG" in errors[1].message.split("Did you mean")[1]


def test_the_nearest_names_come_in_dutch_for_dutch_readers(world, company):
    with translation.override("nl"):
        errors = refused(world, HEADER + row(must="CNC-draien"))
    assert "CNC-draaien" in errors[0].message


def test_every_bad_field_is_reported_on_its_line_and_column(world, company):
    text = (
        HEADER
        + row()
        + row(
            "Fout",
            type="stagiair",
            levels="MBO 7",
            place="Atlantis",
            start="31-2-2027",
            hours="zestig",
            places="0",
            publish="misschien",
        )
    )
    errors = refused(world, text)
    assert [(e.line, e.column) for e in errors] == [
        (3, "soort"),
        (3, "niveaus"),
        (3, "plaats"),
        (3, "startdatum"),
        (3, "uren per week"),
        (3, "plaatsen"),
        (3, "publiceren"),
    ]


def test_end_before_start_and_no_skills(world, company):
    errors = refused(world, HEADER + row(start="2027-09-01", end="2027-08-01", must=""))
    assert [(e.line, e.column) for e in errors] == [(2, "einddatum"), (2, "vereiste vaardigheden")]


def test_a_company_without_sbb_recognition_offers_no_bol(world, company):
    Organisation.objects.filter(pk=company.pk).update(sbb_recognised=False, sbb_recognised_on=None)
    world.company_x.refresh_from_db()
    errors = refused(world, HEADER + row() + row("Baan monteur", type="baan"))
    assert [(e.line, e.column) for e in errors] == [(2, "soort")]
    assert "SBB" in errors[0].message


def test_duplicate_rows(world, company):
    errors = refused(world, HEADER + row() + row("Andere") + row().upper().replace("BOL", "bol"))
    assert [e.line for e in errors] == [4]
    assert "line 2" in errors[0].message


def test_missing_column_and_wrong_delimiter(world, company):
    errors = refused(world, HEADER.replace("plaats;", "") + row().replace("Woerden;", ""))
    assert errors[0].line == 1
    assert "place" in errors[0].message
    errors = refused(world, HEADER.replace(";", "\t|") + row())
    assert errors[0].line == 1
    assert "semicolon" in errors[0].message


def test_bom_and_non_utf8(world, company):
    job = start(world, "\ufeff" + HEADER + row())
    assert job.created_count == 1
    data = (HEADER + row("Stage één")).encode("cp1252")
    with pytest.raises(TableInvalid) as caught:
        imports.openings_import_start(
            by=world.bram, organisation=world.company_x, filename="x.csv", data=data
        )
    assert [e.line for e in caught.value.errors] == [2]


def test_only_the_companys_members_import_for_it(world, company):
    for outsider in (world.otto, world.dirk, world.sam, world.carla):
        with pytest.raises(NotAllowed):
            start(world, HEADER + row(), by=outsider)
    with pytest.raises(NotAllowed):  # without a company: coordinators only
        start(world, HEADER + row(), by=world.bram, organisation=None)
    assert not Opening.objects.exists()


def test_a_coordinator_imports_for_companies_by_kvk_number(world, company):
    header = "kvk;" + HEADER
    text = header + f"{company.kvk_number};" + row() + "99999999;" + row("Elders")
    errors = refused(world, text, by=world.carla, organisation=None)
    assert [(e.line, e.column) for e in errors] == [(3, "kvk")]
    job = start(world, header + f"{company.kvk_number};" + row(), by=world.carla, organisation=None)
    assert job.created_count == 1
    assert Opening.objects.get().company == company


def test_a_large_file_goes_through_the_worker_function(world, company, settings):
    settings.MAAKMATCH_IMPORT_INLINE_ROWS = 5
    text = HEADER + "".join(row(f"Stage {i}") for i in range(12))
    job = start(world, text)
    assert job.status == ImportStatus.QUEUED
    assert not Opening.objects.exists()
    assert imports.job_run(job_id=job.pk) == "done"
    job.refresh_from_db()
    assert (job.status, job.rows_done, job.created_count) == (ImportStatus.DONE, 12, 12)
    assert OpeningSkill.objects.count() == 36


def test_a_large_broken_file_keeps_its_errors_on_the_job(world, company, settings):
    settings.MAAKMATCH_IMPORT_INLINE_ROWS = 5
    text = HEADER + "".join(row(f"Stage {i}") for i in range(8)) + row("X", must="Haken")
    job = start(world, text)
    imports.job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert [(e["line"], e["column"]) for e in job.errors] == [(10, "vereiste vaardigheden")]
    assert not Opening.objects.exists()


def test_the_templates_are_valid_imports(world, company):
    """Each downloadable template, as it is, imports (its example company aside)."""
    job = start(world, imports.openings_template_csv(coordinator=False))
    assert job.created_count == 1
    kvk = imports.openings_template_csv(coordinator=True).replace("12345678", company.kvk_number)
    assert start(world, kvk, by=world.carla, organisation=None).skipped_count == 1


@pytest.mark.parametrize(("template_language", "page_language"), [("nl", "en"), ("en", "nl")])
def test_a_template_in_one_language_imports_in_the_other(
    world, company, template_language, page_language
):
    with translation.override(template_language):
        template = imports.openings_template_csv(coordinator=False)
    with translation.override(page_language):
        assert start(world, template).created_count == 1


def test_a_kvk_number_without_its_leading_zero(world, company):
    Organisation.objects.filter(pk=company.pk).update(kvk_number="01234567")
    header = "kvk;" + HEADER
    job = start(world, header + "1234567;" + row(), by=world.carla, organisation=None)
    assert job.created_count == 1


def test_titles_with_sharp_s_are_recognised_on_import_again(world, company):
    text = HEADER + row("Straßenbau-Praktikum")
    start(world, text)
    assert start(world, text).skipped_count == 1
    assert Opening.objects.count() == 1
